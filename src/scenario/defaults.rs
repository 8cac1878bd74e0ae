//! Documented defaults of every scenario key. Values are priors (docs/model.md §4.5) unless
//! calibrated (§4.1–§4.3); the source of each is given in `docs/model.md` and, for calibrated
//! values, next to the value here.

use super::calendar::YearMonth;
use super::param::{p, tri};
use super::types::*;
use indexmap::IndexMap;

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            scenario: Meta::default(),
            world: World::default(),
            actors: Actors::default(),
            relations: Relations {
                // Post-March-2023 summit thaw (Embracing 2023).
                trust_kr_jp: p(0.40),
                trust_kr_us: p(0.75),
                trust_jp_us: p(0.85),
            },
            history: History::default(),
            tracks: default_tracks(),
            paths: default_paths(),
            events: Vec::new(),
            sweep: None,
            output: Output::default(),
            series: Vec::new(),
            observed: Default::default(),
        }
    }
}

impl Default for Meta {
    fn default() -> Self {
        Meta {
            name: "unnamed".into(),
            description: String::new(),
            start: YearMonth::new(2023, 4),
            horizon_months: 120,
            replications: 1000,
            seed: 1,
            reference_path: "gradual".into(),
            target_ci: 0.6,
            paths: Vec::new(),
            score: IndexMap::new(),
            path_by_camp: Default::default(),
            path_schedule: Vec::new(),
        }
    }
}

impl Default for World {
    fn default() -> Self {
        let regime = |mean, dispersion, p_nuclear| NkRegimeSpec {
            mean: p(mean),
            dispersion: p(dispersion),
            p_nuclear: p(p_nuclear),
        };
        let row = |a, b, c| [p(a), p(b), p(c)];
        World {
            cha: ChaVariant::Revised,
            // Fitted by eye to data/nk_missile_launches_monthly.csv: 2018 ≈ engagement,
            // 2014–2017/2019 ≈ testing, 2022–2024 ≈ surge (mean ≈ 4–6/month, variance ≈ 21).
            nk: NorthKorea {
                initial_regime: NkRegime::Testing,
                engagement: regime(0.1, 0.5, 0.0),
                testing: regime(1.4, 0.35, 0.01),
                surge: regime(5.0, 0.9, 0.03),
                transition: NkTransition {
                    engagement: row(0.95, 0.04, 0.01),
                    testing: row(0.02, 0.93, 0.05),
                    surge: row(0.01, 0.07, 0.92),
                },
                transactional_engagement_boost: p(0.03),
                w_launch: p(0.1),
                w_nuclear: p(0.6),
                threat_smoothing: p(0.08),
                long_range_share: p(0.25),
                kr_long_range_weight: p(0.8),
                kr_short_range_weight: p(1.0),
                jp_long_range_weight: p(1.3),
                jp_short_range_weight: p(0.6),
                rally: p(0.005),
                surge_desire: p(0.15),
                observed: None,
            },
            china: China {
                assertiveness: p(1.0),
                h0: p(0.008),
                e_ref: p(0.25),
                h_move: p(0.15),
                h_reg: p(0.005),
                h_role: p(0.006),
                episode_months: p(9.0),
                cost_scale: p(2.0),
                refractory_months: p(12.0),
                desire_penalty: p(0.3),
                cost_scale_jp: p(0.8),
                desire_penalty_jp: p(0.05),
                memory_decay: p(0.1),
                harden_kr: p(0.0),
                harden_jp: p(0.05),
                bystander_kr: p(0.01),
                bystander_jp: p(0.05),
                bystander_us: p(0.03),
                threat_decay: p(0.03),
                us_china_tension: p(0.5),
            },
            us: UsCalendar {
                initial_type: UsType::Engaged,
                next_election: YearMonth::new(2024, 11),
                interval_months: p(48.0),
                inauguration_lag_months: p(2.0),
                p_switch: p(0.5),
            },
            elections: Elections {
                kr_next_election: YearMonth::new(2027, 3),
                kr_term_months: p(60.0),
                kr_early_termination_hazard: p(0.002),
                c0: p(-0.2),
                c1: p(3.0),
                c2: p(1.0),
                crisis_penalty: p(0.3),
                crisis_months_penalty: p(0.3),
                jp_crisis_turnover: p(3.0),
                jp_turnover_hazard: p(0.03),
                jp_p_hawkish: p(0.35),
                honeymoon_approval: p(0.55),
                // Park 2016-12 → 2017-05, Yoon 2024-12 → 2025-06 (data/timeline_events_drivers_and_outcomes_to_2019.csv).
                acting_months: p(5.0),
            },
            camps: Camps {
                conservative: camp(0.40, 1.0, 0.3),
                progressive: camp(0.45, 1.6, 0.6),
                mainstream: camp(0.40, 1.0, 0.4),
                hawkish: camp(0.40, 1.3, 0.8),
            },
            alliance: AllianceFears {
                a0: p(-1.5),
                a1: p(3.0),
                a2: p(2.0),
                e0: p(-2.0),
                e1: p(6.0),
                e2: p(1.0),
                e3: p(1.0),
            },
            friction: Friction {
                c1: p(0.5),
                c2: p(0.5),
                c3: p(0.3),
                c4: p(0.6),
                c_phi: p(0.02),
            },
            // `tri(q5, median, q95)` marks a default calibrated on the 2015–19 replay
            // (docs/model.md §4.8): the posterior's 90% interval and median (as wide as the prior
            // where the data could not pin it); parameters whose effects show only after 2019
            // keep their reference value as the peak of their reference range.
            opinion: Opinion {
                a_f: tri(0.012, 0.043, 0.091),
                g_f: tri(0.031, 0.28, 0.70),
                f_noise: p(0.01),
                r_tau: tri(0.004, 0.049, 0.093),
                r_us_trust: p(0.02),
                flare_grievance: p(0.3),
                flare_favourability: tri(0.005, 0.031, 0.071),
                flare_trust: tri(0.006, 0.055, 0.098),
                grievance_decay: p(0.05),
                // Not identifiable before the 2019 controls: the reference range.
                f_ret: tri(0.05, 0.10, 0.15),
                f_c: tri(0.15, 0.3, 0.4),
                d_c: p(0.05),
            },
            politics: Politics {
                zeta: p(0.08),
                a_b: p(0.025),
                rho_b: p(0.15),
                b_crit: p(3.0),
                // No Japanese crisis over the 2015 agreement or the 2019 controls: as Seoul's.
                b_crit_jp: p(3.0),
                a_crit: p(0.2),
                low_approval_months: p(3.0),
                eta: p(1.0),
                pi: p(0.6),
                p_rollback: tri(0.22, 0.55, 0.94),
                // GSOMIA (2016-11) survived the 2017 turnover: fitted.
                p_reverse: tri(0.012, 0.145, 0.53),
                // A contested deal costs approval without a crisis (prior; docs/model.md §3.11).
                crisis_discharge: p(0.2),
                crisis_trust_shock: tri(0.058, 0.13, 0.19),
                crisis_exit: p(0.5),
                crisis_min_months: p(2.0),
                crisis_approval_cost: p(0.01),
                // The 2012 GSOMIA (2012-06-29), six months before the election.
                lame_duck: tri(0.0, 1.5, 3.0),
                lame_months: p(12.0),
                approval_noise: p(0.015),
                backlash_noise: p(0.5),
                settlement_backlash: p(0.6),
                // The 2015 deal (2015-12) → foundation dissolved (2018-11); window 120 months.
                repudiation_window_months: p(120.0),
                repudiation_hazard: p(0.03),
                repudiation_trust: p(0.10),
                // GSOMIA postponed 2012-06-29, signed 2016-11-23: 53 months (timeline).
                scar_months: p(36.0),
                // Build quality: 2012 GSOMIA (secret), 2015 deal (Chun 2022), Camp David
                // (Embracing 2023).
                quality_transparency: p(0.3),
                quality_legislate: p(0.2),
                quality_public: p(0.3),
                quality_consent: p(0.2),
                // No publicised trilateral drill 2018–21 (Moon): unvalued rungs erode.
                lock_decay: tri(0.002, 0.016, 0.029),
                lock_loss: tri(0.23, 0.49, 0.77),
                // GSOMIA's survival 2016-11 → 2019 under a government that did not value it:
                // fitted (the prior was 0.05).
                lapse_hazard: tri(0.0006, 0.008, 0.03),
                lapse_scale: tri(0.078, 0.31, 0.47),
            },
            decisions: Decisions {
                // Posterior of the 2015–19 replay: no summit framework or real-time warning
                // before 2022 despite an engaged US until 2017 (the prior was 0.3).
                u: tri(0.107, 0.18, 0.52),
                readiness: tri(0.068, 1.04, 1.89),
                readiness_trust: p(0.45),
                brake_threshold: p(0.3),
                china_weight: p(2.0),
                xi_jp: p(0.4),
                winset_margin: p(0.7),
                a_min: p(0.3),
                facilitation: p(0.15),
                f_us: tri(0.015, 0.037, 0.059),
                f_fall: p(0.3),
                p_retaliate: p(0.5),
                // Rulings 2018-10-30 and 11-29 → export controls 2019-07-04.
                lag_min: p(6.0),
                lag_max: p(10.0),
                drop_rate: p(0.3),
                // GSOMIA notice 2019-08-23 → kept 2019-11-22.
                counter_months: p(3.0),
                cancel_m_sec: p(1.5),
                cancel_kappa: p(0.5),
                m_hist_damping: p(0.5),
                hold_value: p(0.5),
                ritual_weight: tri(0.0, 0.1, 0.3),
            },
            // 2015 deal (JPY 1 bn, Abe's letter); 2023 plan (no new apology); Kishida under
            // pressure from his party (Embracing 2023).
            negotiation: Negotiation {
                ceiling_base: p(0.3),
                ceiling_threat: p(0.4),
                ceiling_mediation: p(0.3),
                ceiling_grievance_mainstream: p(0.4),
                ceiling_grievance_hawkish: p(0.8),
                demand_grievance: p(0.01),
                backlash_jp: p(1.0),
                renegotiate_after_months: p(24.0),
            },
        }
    }
}

fn camp(approval_baseline: f64, history_weight: f64, hawkishness: f64) -> CampSpec {
    CampSpec {
        approval_baseline: p(approval_baseline),
        history_weight: p(history_weight),
        hawkishness: p(hawkishness),
    }
}

impl Default for Actors {
    fn default() -> Self {
        Actors {
            seoul: StateActor {
                camp: Camp::Conservative,
                approval: p(0.35),
                backlash: p(0.0),
                // Genron/EAI 2019: 31.7% favourable; 2023 levels similar after the thaw.
                favourability: p(0.30),
                favourability_target: p(0.25),
                // Genron/EAI 2013–19 mean (data/genron_eai_mutual_impressions_2013_2019.csv).
                favourability_ref: p(0.22),
                threat_nk: p(0.6),
                threat_cn: p(0.3),
                // Embracing 2023: Seoul avoids Taiwan commitments.
                regional_role: p(0.1),
                // data/china_trade_dependence.csv: 19.7% in 2023.
                china_exposure: p(0.20),
            },
            tokyo: StateActor {
                camp: Camp::Mainstream,
                approval: p(0.40),
                backlash: p(0.0),
                // Genron/EAI 2019: 20.0%; 2017: 26.9%.
                favourability: p(0.30),
                favourability_target: p(0.28),
                favourability_ref: p(0.25),
                threat_nk: p(0.6),
                threat_cn: p(0.6),
                // Embracing 2023: Taiwan's security, long-range strike capabilities.
                regional_role: p(0.5),
                // data/china_trade_dependence.csv: 17.6% in 2023.
                china_exposure: p(0.18),
            },
            washington: Washington {
                engaged: UsProfile {
                    m_sec: p(0.8),
                    m_hist: p(0.4),
                    kappa: p(0.85),
                    rho: p(0.2),
                },
                transactional: UsProfile {
                    m_sec: p(0.3),
                    m_hist: p(0.05),
                    kappa: p(0.5),
                    rho: p(0.8),
                },
                expectations: [
                    ("summitry", 3),
                    ("intelligence", 2),
                    ("missile_warning", 2),
                    ("exercises", 3),
                    ("extended_deterrence", 2),
                    ("regional", 2),
                    ("institutions", 1),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
                threat_cn: p(0.7),
            },
        }
    }
}

impl Default for History {
    fn default() -> Self {
        let issue = |key: &str,
                     name: &str,
                     salience: f64,
                     hazard: f64,
                     seasonal: &[u32],
                     court: bool,
                     court_hazard: f64| HistoryIssue {
            key: key.into(),
            name: name.into(),
            salience: p(salience),
            status: IssueStatus::Open,
            settlement_quality: p(0.0),
            hazard: p(hazard),
            seasonal_months: seasonal.to_vec(),
            court_pending: court,
            court_hazard: p(court_hazard),
            offended: Side::Kr,
        };
        History {
            seasonal_multiplier: p(3.0),
            grievance_base_jp: tri(0.0, 0.1, 0.4),
            issues: vec![
                issue(
                    "comfort_women",
                    "'Comfort women'",
                    0.8,
                    0.015,
                    &[8],
                    false,
                    0.0,
                ),
                issue(
                    "forced_labor",
                    "Wartime forced labour",
                    0.9,
                    0.015,
                    &[3, 8],
                    true,
                    0.02,
                ),
                issue("territory", "Dokdo/Takeshima", 0.6, 0.01, &[2], false, 0.0),
                issue("textbooks", "Textbooks", 0.4, 0.01, &[3], false, 0.0),
            ],
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn track(
    name: &str,
    rungs: u32,
    sigma: f64,
    chi: f64,
    lambda: f64,
    b: f64,
    b_cn: f64,
    w: f64,
    military: bool,
    requires: Option<(&str, u32)>,
    prior: [f64; 4],
) -> TrackSpec {
    TrackSpec {
        name: name.into(),
        rungs,
        initial: 0,
        sigma: p(sigma),
        chi: p(chi),
        lambda: p(lambda),
        b: p(b),
        b_cn: p(b_cn),
        w: p(w),
        lock_in: p(0.0),
        history_brake: p(0.0),
        quality: p(0.5),
        military,
        requires: requires
            .map(|(t, r)| {
                vec![Prerequisite {
                    track: t.into(),
                    rung: r,
                }]
            })
            .unwrap_or_default(),
        prior: CampPriors {
            conservative: p(prior[0]),
            progressive: p(prior[1]),
            mainstream: p(prior[2]),
            hawkish: p(prior[3]),
        },
    }
}

/// The nine default ladders of docs/model.md §1.2. Priors: [conservative, progressive,
/// mainstream, hawkish].
pub fn default_tracks() -> IndexMap<String, TrackSpec> {
    let t = [
        (
            "summitry",
            track(
                "Leaders' consultation",
                3,
                0.2,
                0.1,
                0.04,
                0.3,
                0.2,
                1.0,
                false,
                None,
                [0.10, 0.02, 0.08, 0.05],
            ),
        ),
        (
            "nontraditional",
            track(
                "Non-traditional security",
                2,
                0.1,
                0.05,
                0.02,
                0.1,
                0.05,
                0.5,
                false,
                None,
                [0.08, 0.06, 0.06, 0.04],
            ),
        ),
        (
            "economic_security",
            track(
                "Economic security",
                2,
                0.2,
                0.3,
                0.04,
                0.1,
                0.3,
                0.8,
                false,
                None,
                [0.08, 0.03, 0.08, 0.05],
            ),
        ),
        (
            "intelligence",
            track(
                "Intelligence sharing",
                2,
                0.5,
                0.2,
                0.04,
                0.6,
                0.2,
                1.0,
                true,
                Some(("summitry", 1)),
                [0.05, -0.10, 0.05, 0.05],
            ),
        ),
        (
            "missile_warning",
            track(
                "Missile warning data",
                2,
                0.4,
                0.4,
                0.06,
                0.8,
                0.2,
                1.0,
                true,
                Some(("intelligence", 1)),
                [0.05, -0.05, 0.05, 0.08],
            ),
        ),
        (
            "exercises",
            track(
                "Trilateral exercises",
                3,
                0.6,
                0.5,
                0.03,
                0.8,
                0.3,
                1.0,
                true,
                Some(("intelligence", 1)),
                [0.03, -0.15, 0.05, 0.10],
            ),
        ),
        (
            "extended_deterrence",
            track(
                "Extended deterrence",
                2,
                0.5,
                0.6,
                0.03,
                0.7,
                0.3,
                0.8,
                true,
                Some(("exercises", 1)),
                [0.03, -0.15, 0.03, 0.08],
            ),
        ),
        (
            "regional",
            track(
                "Regional scope (Taiwan, Indo-Pacific)",
                2,
                0.8,
                1.0,
                0.02,
                0.2,
                0.8,
                0.6,
                true,
                Some(("summitry", 2)),
                [-0.05, -0.35, 0.05, 0.15],
            ),
        ),
        (
            "institutions",
            track(
                "Institutions and secretariat",
                1,
                0.3,
                0.3,
                0.10,
                0.2,
                0.2,
                0.8,
                false,
                Some(("summitry", 3)),
                [0.05, 0.0, 0.05, 0.02],
            ),
        ),
    ];
    let mut t: IndexMap<String, TrackSpec> =
        t.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    // The history brake acts on the political tracks (no Park–Abe summit until 2015-11; no
    // trilateral ministerial 2017-02 to 2022-02; Chun 2022).
    for k in ["summitry", "institutions"] {
        if let Some(tr) = t.get_mut(k) {
            tr.history_brake = p(0.5);
        }
    }
    t
}

/// The tracks the bundled paths gate: every default track.
const GATED_TRACKS: [&str; 9] = [
    "nontraditional",
    "economic_security",
    "summitry",
    "intelligence",
    "missile_warning",
    "exercises",
    "extended_deterrence",
    "regional",
    "institutions",
];

/// The relative gates of `gradual` (docs/model.md §3.8), with δ_τ and δ_F multiplied by
/// `scale`: δ_τ 0.02; δ_F 0.05 on tracks with σ < 0.4, else 0.02; β_g 0.3; m_calm 6.
fn gradual_gates(scale: f64) -> IndexMap<String, Gate> {
    let tracks = default_tracks();
    GATED_TRACKS
        .iter()
        .map(|&k| {
            let sigma = tracks.get(k).map_or(1.0, |t| t.sigma.get());
            let margin = if sigma < 0.4 { 0.05 } else { 0.02 };
            (
                k.to_string(),
                Gate {
                    trust_drop: Some(p(0.02 * scale)),
                    favourability_margin: Some(p(margin * scale)),
                    backlash_share: Some(p(0.3)),
                    calm_months: Some(p(6.0)),
                    trust: p(0.0),
                    favourability: p(0.0),
                },
            )
        })
        .collect()
}

fn targets(list: &[(&str, u32)]) -> IndexMap<String, u32> {
    list.iter().map(|&(k, v)| (k.to_string(), v)).collect()
}

#[allow(clippy::too_many_arguments)]
fn path(
    description: &str,
    sequence: SequenceName,
    dwell: u32,
    moves: u32,
    gates: IndexMap<String, Gate>,
    respect_winset: bool,
    transparency: f64,
    targets: IndexMap<String, u32>,
    history_mode: HistoryMode,
    quality: f64,
    months_to_settle: f64,
    expectation_management: f64,
    legislate: f64,
) -> PathSpec {
    PathSpec {
        base: None,
        description: description.into(),
        proposes: true,
        sequence: Sequence::Named(sequence),
        min_dwell_months: p(f64::from(dwell)),
        max_moves_per_month: p(f64::from(moves)),
        camps: Vec::new(),
        gates,
        respect_winset,
        transparency: p(transparency),
        targets,
        history_mode,
        settlement_quality: p(quality),
        months_to_settle: p(months_to_settle),
        settlement_floor: p(0.0),
        expectation_management: p(expectation_management),
        legislate: p(legislate),
    }
}

/// The six bundled paths of docs/model.md §3.8.
pub fn default_paths() -> IndexMap<String, PathSpec> {
    use HistoryMode::*;
    use SequenceName::*;
    let mut m = IndexMap::new();
    m.insert(
        "gradual".into(),
        path(
            "Low-sensitivity tracks first, gated by trust and favourability, transparent, regional scope late (Chun 2022: 'gradually expands the agenda and scope'; Op-ed 2022: lower US expectations)",
            LowSensitivityFirst, 6, 1, gradual_gates(1.0), true, 0.8,
            targets(&[("regional", 1)]), Parallel, 0.75, 24.0, 0.7, 0.6,
        ),
    );
    m.insert(
        "hasty".into(),
        path(
            "Military and regional tracks first at the US pace, no gates, top-down, quick low-quality history deal (Op-ed 2022: 'rushing ... to keep pace with the U.S.')",
            MilitaryFirst, 3, 2, IndexMap::new(), false, 0.3,
            IndexMap::new(), Parallel, 0.3, 6.0, 0.1, 0.1,
        ),
    );
    // `hasty` with gradual's transparency, expectation management and legislation, which cost
    // nothing: comparing it with `hasty` and `gradual` separates pace from those three.
    let mut open = m["hasty"].clone();
    open.description = "hasty's pace and order (military tracks first, no gates, no win-set) with gradual's transparency, legislation and expectation management: separates pace from those three".into();
    open.transparency = m["gradual"].transparency.clone();
    open.legislate = m["gradual"].legislate.clone();
    open.expectation_management = m["gradual"].expectation_management.clone();
    m.insert("hasty_open".into(), open);
    m.insert(
        "parallel".into(),
        path(
            "Security and history proceed in parallel, neither a precondition for the other (Madrid 2022)",
            LowSensitivityFirst,
            4,
            1,
            gradual_gates(2.0),
            true,
            0.6,
            IndexMap::new(),
            Parallel,
            0.55,
            12.0,
            0.4,
            0.4,
        ),
    );
    m.insert(
        "history_first".into(),
        path(
            "Security tracks capped at rung 1 until a victim-centred history settlement (Chun 2022)",
            LowSensitivityFirst,
            6,
            1,
            gradual_gates(1.0),
            true,
            0.9,
            IndexMap::new(),
            HistoryFirst,
            0.85,
            18.0,
            0.6,
            0.6,
        ),
    );
    let mut sq = path(
        "No new proposals: cooperation evolves only through exogenous events",
        LowSensitivityFirst,
        12,
        0,
        IndexMap::new(),
        true,
        0.5,
        IndexMap::new(),
        SecurityFirst,
        0.5,
        24.0,
        0.0,
        0.0,
    );
    sq.proposes = false;
    m.insert("status_quo".into(), sq);
    // The lowest quality each path settles for (q_min).
    for (name, floor) in [("gradual", 0.6), ("parallel", 0.4), ("history_first", 0.7)] {
        m[name].settlement_floor = p(floor);
    }
    m
}
