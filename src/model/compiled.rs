//! The scenario compiled for simulation: flat coefficients, tracks, issues, paths and events
//! resolved to indices once per replication (`Model::new`), so the monthly loop does no lookups
//! by name and no allocation.

use crate::scenario::{
    ActKind, Camp, Cause, ChaVariant, Dyad, EventKind, HistoryMode, IssueStatus, Param,
    PendingState, Resolution, Scenario, Sequence, SequenceName, Side, StateVariable, UsType,
};

/// Index of a camp in per-camp arrays.
#[inline]
pub fn camp_index(c: Camp) -> usize {
    match c {
        Camp::Conservative => 0,
        Camp::Progressive => 1,
        Camp::Mainstream => 2,
        Camp::Hawkish => 3,
    }
}

/// Index of a side (0 = Seoul, 1 = Tokyo).
#[inline]
pub fn side_index(s: Side) -> usize {
    match s {
        Side::Kr => KR,
        Side::Jp => JP,
    }
}

pub const KR: usize = 0;
pub const JP: usize = 1;

/// The w-weighted share `Σ_k w_k·x_k / Σ_k w_k` over the tracks (0 if no weight).
pub fn weighted_share(tracks: &[TrackC], x: impl Fn(usize) -> f64) -> f64 {
    let den: f64 = tracks.iter().map(|t| t.w).sum();
    if den <= 0.0 {
        return 0.0;
    }
    let num: f64 = tracks.iter().enumerate().map(|(k, t)| t.w * x(k)).sum();
    num / den
}

/// One cooperation ladder (docs/model.md §1.2, §3.3).
#[derive(Clone, Debug)]
pub struct TrackC {
    pub max: u8,
    pub initial: u8,
    pub sigma: f64,
    pub chi: f64,
    pub lambda: f64,
    pub b: f64,
    pub b_cn: f64,
    pub w: f64,
    pub lock_in: f64,
    /// History brake β_H.
    pub history_brake: f64,
    /// Build quality of the initial rungs and of event raises without their own.
    pub quality: f64,
    pub military: bool,
    /// Prerequisites as (track index, minimum rung).
    pub requires: Vec<(usize, u8)>,
    /// Prior value of one rung per camp (conservative, progressive, mainstream, hawkish).
    pub prior: [f64; 4],
    /// Rung the US expects (Op-ed 2022: the US wish list).
    pub us_expectation: u8,
}

/// One history issue (docs/model.md §3.5).
#[derive(Clone, Debug)]
pub struct IssueC {
    pub salience: f64,
    pub status: IssueStatus,
    pub quality: f64,
    pub hazard: f64,
    /// Bit m set when calendar month m (1–12) is seasonal.
    pub seasonal_mask: u16,
    pub court_pending: bool,
    pub court_hazard: f64,
    pub offended: usize,
}

/// One cooperation path (docs/model.md §3.8).
#[derive(Clone, Debug)]
pub struct PathC {
    pub proposes: bool,
    /// Track indices in proposal order.
    pub order: Vec<usize>,
    pub min_dwell: u32,
    pub max_moves: u32,
    /// Gate per track (None: ungated).
    pub gates: Vec<Option<GateC>>,
    /// Per camp index, whether the path applies to a Korean government of that camp when it
    /// is the compared path (`camps`; all when none is named).
    pub camps: [bool; 4],
    pub respect_winset: bool,
    pub transparency: f64,
    /// Ceiling rung per track.
    pub targets: Vec<u8>,
    pub history_mode: HistoryMode,
    pub settlement_quality: f64,
    pub months_to_settle: f64,
    /// q_min: lowest settlement quality the path accepts.
    pub settlement_floor: f64,
    pub expectation_management: f64,
    /// Share of moves formalised (legislation, standing agreements).
    pub legislate: f64,
}

/// A relative gate on one track (docs/model.md §3.8): the conditions it states, None when not
/// checked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GateC {
    /// δ_τ: τ_JK ≥ τ_JK(t_last) − δ_τ.
    pub trust_drop: Option<f64>,
    /// δ_F: F_KR ≥ F*_KR − δ_F.
    pub favourability_margin: Option<f64>,
    /// β_g: B_S ≤ β_g·B_crit on both sides.
    pub backlash_share: Option<f64>,
    /// m_calm: no crisis or executed retaliation on either side in the last m_calm months (0:
    /// not checked).
    pub calm_months: u32,
    /// Absolute floors on τ_JK and F_KR (0: none).
    pub trust: f64,
    pub favourability: f64,
}

/// A scheduled event, resolved to indices (sides as [`KR`]/[`JP`], months as indices from the
/// start; a resolution or end month may lie beyond the horizon).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EventC {
    KrElection(usize),
    JpTurnover(usize),
    UsType(UsType),
    CourtRuling(usize),
    /// A flare-up of `issue`; `act` None = as a random flare-up; `offends` None = the issue's.
    FlareUp {
        issue: usize,
        act: Option<ActKind>,
        offends: Option<usize>,
    },
    NuclearTest,
    NkRegime(usize),
    Summit(usize),
    ChinaCoercion {
        target: usize,
        months: Option<u32>,
        cost: Option<f64>,
    },
    SetRung {
        track: usize,
        rung: u8,
        cause: Cause,
        backlash: bool,
        cascade: bool,
        scar: bool,
        /// Build quality of the rungs a raise adds (None: the track's).
        quality: Option<f64>,
    },
    Settlement {
        issue: usize,
        quality: f64,
        camp: Option<usize>,
        backlash: bool,
    },
    Repudiation {
        issue: usize,
        effects: bool,
    },
    /// A retaliation by `by`: executed now when `resolves` is None, else pending until then.
    Retaliation {
        by: usize,
        issue: usize,
        track: usize,
        resolves: Option<i64>,
        execute: bool,
    },
    CounterThreat {
        by: usize,
        track: usize,
        resolves: i64,
        execute: bool,
    },
    Restore {
        by: usize,
        track: usize,
    },
    Crisis {
        side: usize,
        end: Option<i64>,
        acting: bool,
        domestic: bool,
    },
    Path(usize),
    SetState {
        variable: StateVariable,
        /// The side, or for trust the dyad (0 KR–JP, 1 KR–US, 2 JP–US).
        who: usize,
        value: f64,
    },
}

/// US administration profile.
#[derive(Clone, Copy, Debug)]
pub struct UsProfileC {
    pub m_sec: f64,
    pub m_hist: f64,
    pub kappa: f64,
    pub rho: f64,
}

/// Every scalar coefficient of the model, read from the scenario once.
#[derive(Clone, Debug)]
pub struct Coefs {
    // NK
    pub nk_initial: usize,
    pub nk_mean: [f64; 3],
    pub nk_disp: [f64; 3],
    pub nk_p_nuc: [f64; 3],
    /// Row-normalised transition matrix.
    pub nk_trans: [[f64; 3]; 3],
    pub nk_trans_boost: f64,
    pub w_launch: f64,
    pub w_nuclear: f64,
    pub threat_smoothing: f64,
    /// Probability that a launch is long-range (the monthly split is binomial).
    pub long_share: f64,
    /// Per-launch threat weight of a long-range launch per side (KR, JP).
    pub long_weight: [f64; 2],
    /// Per-launch threat weight of a short-range launch per side (KR, JP).
    pub short_weight: [f64; 2],
    pub rally: f64,
    pub surge_desire: f64,
    // China
    pub assertiveness: f64,
    pub h0: f64,
    pub e_ref: f64,
    pub h_move: f64,
    pub h_reg: f64,
    pub h_role: f64,
    /// Coercion episode length D in months (at least 1).
    pub episode_months: u32,
    pub cost_scale: f64,
    pub refractory_months: f64,
    pub desire_penalty: f64,
    pub cost_scale_jp: f64,
    pub desire_penalty_jp: f64,
    pub memory_decay: f64,
    /// Hardening of a coerced target's θ^CN: KR, JP.
    pub harden: [f64; 2],
    /// Hardening of a bystander's θ^CN: KR, JP, US.
    pub bystander: [f64; 3],
    /// Monthly relaxation of θ^CN toward its initial level.
    pub cn_threat_decay: f64,
    pub us_china_tension: f64,
    // US
    pub us_initial: UsType,
    pub us_profiles: [UsProfileC; 2],
    pub us_first_election: i64,
    pub us_interval: i64,
    pub us_lag: i64,
    pub us_p_switch: f64,
    pub us_threat_cn: f64,
    // Elections
    pub kr_first_election: i64,
    pub kr_term: i64,
    pub kr_early_hazard: f64,
    pub c0: f64,
    pub c1: f64,
    pub c2: f64,
    pub crisis_penalty: f64,
    pub crisis_months_penalty: f64,
    pub jp_crisis_turnover: f64,
    pub jp_turnover_hazard: f64,
    pub jp_p_hawkish: f64,
    pub honeymoon: f64,
    // Camps: approval baseline, history weight, hawkishness
    pub camp_baseline: [f64; 4],
    pub camp_history_weight: [f64; 4],
    pub camp_hawkishness: [f64; 4],
    // Alliance fears
    pub a0: f64,
    pub a1: f64,
    pub a2: f64,
    pub e0: f64,
    pub e1: f64,
    pub e2: f64,
    pub e3: f64,
    // Friction
    pub cha: ChaVariant,
    pub fc1: f64,
    pub fc2: f64,
    pub fc3: f64,
    pub fc4: f64,
    pub c_phi: f64,
    // Opinion
    pub a_f: f64,
    pub g_f: f64,
    pub f_noise: f64,
    pub r_tau: f64,
    pub r_us_trust: f64,
    pub flare_grievance: f64,
    pub flare_favourability: f64,
    pub flare_trust: f64,
    pub grievance_decay: f64,
    pub f_ret: f64,
    pub f_c: f64,
    pub d_c: f64,
    // Politics
    pub zeta: f64,
    pub a_b: f64,
    pub rho_b: f64,
    /// B_crit,KR (Seoul); Tokyo's is `b_crit_jp`, both through [`Coefs::b_crit_of`].
    pub b_crit: f64,
    pub b_crit_jp: f64,
    pub a_crit: f64,
    pub low_approval_months: u32,
    pub eta: f64,
    pub pi: f64,
    pub p_rollback: f64,
    pub p_reverse: f64,
    pub crisis_discharge: f64,
    pub crisis_trust_shock: f64,
    pub crisis_exit: f64,
    pub crisis_min_months: u32,
    pub crisis_approval_cost: f64,
    pub lame_duck: f64,
    pub lame_months: f64,
    pub approval_noise: f64,
    pub backlash_noise: f64,
    pub settlement_backlash: f64,
    pub repudiation_window: f64,
    pub repudiation_hazard: f64,
    pub repudiation_trust: f64,
    pub scar_months: u32,
    /// Build-quality weights (ω_T, ω_L, ω_P, ω_X), normalised to sum 1.
    pub quality_weights: [f64; 4],
    pub lock_decay: f64,
    pub lock_loss: f64,
    pub lapse_hazard: f64,
    pub lapse_scale: f64,
    pub acting_months: u32,
    // Decisions
    pub u: f64,
    /// Readiness ψ, its neutral trust τ_ref and the history brake threshold H₀.
    pub readiness: f64,
    pub readiness_trust: f64,
    pub brake_threshold: f64,
    pub china_weight: f64,
    pub xi: [f64; 2],
    pub winset_margin: f64,
    pub a_min: f64,
    pub facilitation: f64,
    pub f_us: f64,
    pub f_fall: f64,
    pub p_retaliate: f64,
    pub lag_min: u32,
    pub lag_max: u32,
    pub drop_rate: f64,
    pub counter_months: u32,
    pub cancel_m_sec: f64,
    pub cancel_kappa: f64,
    pub m_hist_damping: f64,
    pub hold_value: f64,
    pub ritual_weight: f64,
    // History
    pub seasonal_multiplier: f64,
    pub grievance_base_jp: f64,
    // Negotiation (Japan's win-set)
    pub ceiling_base: f64,
    pub ceiling_threat: f64,
    pub ceiling_mediation: f64,
    /// κ_c by camp index (the Korean entries are unused).
    pub ceiling_grievance: [f64; 4],
    pub demand_grievance: f64,
    pub backlash_jp: f64,
    pub renegotiate_after: f64,
    // Initial actors
    pub camp0: [usize; 2],
    pub approval0: [f64; 2],
    pub backlash0: [f64; 2],
    pub fav0: [f64; 2],
    pub fav_target: [f64; 2],
    /// Reference favourability F_ref per side (readiness, public acceptance).
    pub fav_ref: [f64; 2],
    pub theta_nk0: [f64; 2],
    pub theta_cn0: [f64; 2],
    pub exposure: [f64; 2],
    /// Regional role R_S: KR, JP.
    pub regional_role: [f64; 2],
    pub trust_jk0: f64,
    pub trust_ku0: f64,
    pub trust_ju0: f64,
    // Meta
    pub horizon: u32,
    /// Calendar month (0–11) of month 0.
    pub start_month0: u32,
    pub target_ci: f64,
}

impl Coefs {
    /// B_crit,S: the backlash at which side `s` (KR or JP) enters a crisis.
    #[inline]
    pub fn b_crit_of(&self, s: usize) -> f64 {
        if s == JP {
            self.b_crit_jp
        } else {
            self.b_crit
        }
    }
}

/// A whole-month (or whole-count) parameter of the sampled scenario: its value rounded to the
/// nearest integer (negative values, which validation rejects, count as 0).
fn whole(p: &Param) -> u32 {
    p.get().round().max(0.0) as u32
}

/// Index of the first election at or after month 0 of a calendar with period `interval`.
fn first_on_or_after_zero(offset: i64, interval: i64) -> i64 {
    if interval <= 0 {
        return offset.max(0);
    }
    if offset >= 0 {
        offset
    } else {
        offset + ((-offset + interval - 1) / interval) * interval
    }
}

/// One observed North Korean month (`[world.nk] observed`) inside the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NkObservedC {
    pub launches: u32,
    /// Long-range launches; `None`: split binomially from the month's seed.
    pub long_range: Option<u32>,
    /// Nuclear test; `None`: drawn as usual.
    pub nuclear: Option<bool>,
    pub regime: usize,
}

/// Per month of the run, the observed NK month if any (empty without observations).
fn nk_observed(s: &Scenario) -> Vec<Option<NkObservedC>> {
    let rows = &s.observed.nk;
    if rows.is_empty() {
        return Vec::new();
    }
    let mut out = vec![None; s.scenario.horizon_months as usize];
    for r in rows {
        let t = s.scenario.start.months_until(r.month);
        if let Some(x) = usize::try_from(t).ok().and_then(|t| out.get_mut(t)) {
            *x = Some(NkObservedC {
                launches: r.launches,
                long_range: r.long_range,
                nuclear: r.nuclear_test,
                regime: r.regime.index(),
            });
        }
    }
    out
}

/// Everything the model needs, compiled.
pub struct Compiled {
    pub c: Coefs,
    pub tracks: Vec<TrackC>,
    pub keys: Vec<String>,
    pub issues: Vec<IssueC>,
    pub paths: Vec<PathC>,
    /// Per camp index, the path of a Korean government of that camp where the compared path
    /// does not apply (`scenario.path_by_camp`).
    pub path_by_camp: [Option<usize>; 4],
    /// `scenario.path_schedule`: (first month, first month after, path), in file order.
    pub path_schedule: Vec<(i64, i64, usize)>,
    /// Scheduled events sorted by month.
    pub events: Vec<(u32, EventC)>,
    /// Special tracks (absent when a scenario removes them).
    pub summitry: Option<usize>,
    pub missile_warning: Option<usize>,
    pub exercises: Option<usize>,
    pub regional: Option<usize>,
    pub economic_security: Option<usize>,
    pub intelligence: Option<usize>,
    /// Observed NK months by month index (`[world.nk] observed`; empty without).
    pub nk_observed: Vec<Option<NkObservedC>>,
}

impl Compiled {
    pub fn new(s: &Scenario) -> Compiled {
        let keys: Vec<String> = s.tracks.keys().cloned().collect();
        let idx = |k: &str| s.tracks.get_index_of(k);
        let w = &s.world;
        let a = &s.actors;
        let us_exp = &a.washington.expectations;
        let tracks: Vec<TrackC> = s
            .tracks
            .iter()
            .map(|(k, t)| TrackC {
                max: t.rungs.min(255) as u8,
                initial: t.initial.min(t.rungs).min(255) as u8,
                sigma: t.sigma.get(),
                chi: t.chi.get(),
                lambda: t.lambda.get(),
                b: t.b.get(),
                b_cn: t.b_cn.get(),
                w: t.w.get(),
                lock_in: t.lock_in.get(),
                history_brake: t.history_brake.get(),
                quality: t.quality.get(),
                military: t.military,
                requires: t
                    .requires
                    .iter()
                    .filter_map(|r| idx(&r.track).map(|i| (i, r.rung.min(255) as u8)))
                    .collect(),
                prior: [
                    t.prior.conservative.get(),
                    t.prior.progressive.get(),
                    t.prior.mainstream.get(),
                    t.prior.hawkish.get(),
                ],
                us_expectation: us_exp.get(k).copied().unwrap_or(0).min(t.rungs) as u8,
            })
            .collect();

        let issues: Vec<IssueC> = s
            .history
            .issues
            .iter()
            .map(|i| IssueC {
                salience: i.salience.get(),
                status: i.status,
                quality: i.settlement_quality.get(),
                hazard: i.hazard.get(),
                seasonal_mask: i
                    .seasonal_months
                    .iter()
                    .filter(|m| (1..=12).contains(*m))
                    .fold(0u16, |acc, m| acc | (1 << m)),
                court_pending: i.court_pending,
                court_hazard: i.court_hazard.get(),
                offended: side_index(i.offended),
            })
            .collect();

        let paths = s
            .paths
            .values()
            .map(|p| {
                let order: Vec<usize> = match &p.sequence {
                    Sequence::Named(SequenceName::LowSensitivityFirst) => {
                        let mut o: Vec<usize> = (0..tracks.len()).collect();
                        o.sort_by(|&x, &y| tracks[x].sigma.total_cmp(&tracks[y].sigma));
                        o
                    }
                    Sequence::Named(SequenceName::MilitaryFirst) => {
                        let mut o: Vec<usize> =
                            (0..tracks.len()).filter(|&i| tracks[i].military).collect();
                        o.extend((0..tracks.len()).filter(|&i| !tracks[i].military));
                        o
                    }
                    Sequence::Explicit(list) => list.iter().filter_map(|k| idx(k)).collect(),
                };
                let mut gates = vec![None; tracks.len()];
                for (k, g) in &p.gates {
                    if let Some(i) = idx(k) {
                        gates[i] = Some(GateC {
                            trust_drop: g.trust_drop.as_ref().map(Param::get),
                            favourability_margin: g.favourability_margin.as_ref().map(Param::get),
                            backlash_share: g.backlash_share.as_ref().map(Param::get),
                            calm_months: g.calm_months.as_ref().map_or(0, whole),
                            trust: g.trust.get(),
                            favourability: g.favourability.get(),
                        });
                    }
                }
                let camps = if p.camps.is_empty() {
                    [true; 4]
                } else {
                    let mut c = [false; 4];
                    for &x in &p.camps {
                        c[camp_index(x)] = true;
                    }
                    c
                };
                let mut targets: Vec<u8> = tracks.iter().map(|t| t.max).collect();
                for (k, r) in &p.targets {
                    if let Some(i) = idx(k) {
                        targets[i] = (*r).min(tracks[i].max as u32) as u8;
                    }
                }
                PathC {
                    proposes: p.proposes,
                    order,
                    min_dwell: whole(&p.min_dwell_months),
                    max_moves: whole(&p.max_moves_per_month),
                    gates,
                    camps,
                    respect_winset: p.respect_winset,
                    transparency: p.transparency.get(),
                    targets,
                    history_mode: p.history_mode,
                    settlement_quality: p.settlement_quality.get(),
                    months_to_settle: p.months_to_settle.get(),
                    settlement_floor: p.settlement_floor.get(),
                    expectation_management: p.expectation_management.get(),
                    legislate: p.legislate.get(),
                }
            })
            .collect();

        let start = s.scenario.start;
        let horizon = s.scenario.horizon_months;
        let path_idx = |name: Option<&str>| name.and_then(|n| s.paths.get_index_of(n));
        let by_camp = &s.scenario.path_by_camp;
        let path_by_camp = [
            Camp::Conservative,
            Camp::Progressive,
            Camp::Mainstream,
            Camp::Hawkish,
        ]
        .map(|c| path_idx(by_camp.get(c)));
        let path_schedule: Vec<(i64, i64, usize)> = s
            .scenario
            .path_schedule
            .iter()
            .filter_map(|e| {
                let from = start.months_until(e.from);
                let until = e.until.map_or(i64::MAX, |u| start.months_until(u));
                Some((from, until, path_idx(Some(&e.path))?))
            })
            .collect();
        let issue_idx = |k: &Option<String>| {
            k.as_ref()
                .and_then(|k| s.history.issues.iter().position(|i| &i.key == k))
        };
        let mut events: Vec<(u32, EventC)> = s
            .events
            .iter()
            .filter_map(|e| {
                let t = start.months_until(e.month);
                if t < 0 || t >= horizon as i64 {
                    return None;
                }
                let ev = compile_event(s, e, &idx, &issue_idx)?;
                Some((t as u32, ev))
            })
            .collect();
        events.sort_by_key(|e| e.0);

        let nk = &w.nk;
        let regimes = [&nk.engagement, &nk.testing, &nk.surge];
        let norm_row = |r: &[crate::scenario::Param; 3]| {
            let v = [r[0].get(), r[1].get(), r[2].get()];
            let sum: f64 = v.iter().sum();
            if sum > 0.0 {
                [v[0] / sum, v[1] / sum, v[2] / sum]
            } else {
                [0.0, 0.0, 0.0]
            }
        };
        let prof = |p: &crate::scenario::UsProfile| UsProfileC {
            m_sec: p.m_sec.get(),
            m_hist: p.m_hist.get(),
            kappa: p.kappa.get(),
            rho: p.rho.get(),
        };
        let camps = &w.camps;
        let camp_specs = [
            &camps.conservative,
            &camps.progressive,
            &camps.mainstream,
            &camps.hawkish,
        ];
        let el = &w.elections;
        let pol = &w.politics;
        let dec = &w.decisions;
        let neg = &w.negotiation;
        let op = &w.opinion;
        let ch = &w.china;
        let (kr, jp) = (&a.seoul, &a.tokyo);
        let us_interval = whole(&w.us.interval_months).max(1) as i64;
        let kr_term = whole(&el.kr_term_months).max(1) as i64;
        let c = Coefs {
            nk_initial: nk.initial_regime.index(),
            nk_mean: regimes.map(|r| r.mean.get()),
            nk_disp: regimes.map(|r| r.dispersion.get()),
            nk_p_nuc: regimes.map(|r| r.p_nuclear.get()),
            nk_trans: [
                norm_row(&nk.transition.engagement),
                norm_row(&nk.transition.testing),
                norm_row(&nk.transition.surge),
            ],
            nk_trans_boost: nk.transactional_engagement_boost.get(),
            w_launch: nk.w_launch.get(),
            w_nuclear: nk.w_nuclear.get(),
            threat_smoothing: nk.threat_smoothing.get(),
            long_share: nk.long_range_share.get(),
            long_weight: [nk.kr_long_range_weight.get(), nk.jp_long_range_weight.get()],
            short_weight: [
                nk.kr_short_range_weight.get(),
                nk.jp_short_range_weight.get(),
            ],
            rally: nk.rally.get(),
            surge_desire: nk.surge_desire.get(),
            assertiveness: ch.assertiveness.get(),
            h0: ch.h0.get(),
            e_ref: ch.e_ref.get(),
            h_move: ch.h_move.get(),
            h_reg: ch.h_reg.get(),
            h_role: ch.h_role.get(),
            episode_months: whole(&ch.episode_months).max(1),
            cost_scale: ch.cost_scale.get(),
            refractory_months: ch.refractory_months.get(),
            desire_penalty: ch.desire_penalty.get(),
            cost_scale_jp: ch.cost_scale_jp.get(),
            desire_penalty_jp: ch.desire_penalty_jp.get(),
            memory_decay: ch.memory_decay.get(),
            harden: [ch.harden_kr.get(), ch.harden_jp.get()],
            bystander: [
                ch.bystander_kr.get(),
                ch.bystander_jp.get(),
                ch.bystander_us.get(),
            ],
            cn_threat_decay: ch.threat_decay.get(),
            us_china_tension: ch.us_china_tension.get(),
            us_initial: w.us.initial_type,
            us_profiles: [
                prof(&a.washington.engaged),
                prof(&a.washington.transactional),
            ],
            us_first_election: first_on_or_after_zero(
                start.months_until(w.us.next_election),
                us_interval,
            ),
            us_interval,
            us_lag: whole(&w.us.inauguration_lag_months) as i64,
            us_p_switch: w.us.p_switch.get(),
            us_threat_cn: a.washington.threat_cn.get(),
            kr_first_election: first_on_or_after_zero(
                start.months_until(el.kr_next_election),
                kr_term,
            ),
            kr_term,
            kr_early_hazard: el.kr_early_termination_hazard.get(),
            c0: el.c0.get(),
            c1: el.c1.get(),
            c2: el.c2.get(),
            crisis_penalty: el.crisis_penalty.get(),
            crisis_months_penalty: el.crisis_months_penalty.get(),
            jp_crisis_turnover: el.jp_crisis_turnover.get(),
            jp_turnover_hazard: el.jp_turnover_hazard.get(),
            jp_p_hawkish: el.jp_p_hawkish.get(),
            honeymoon: el.honeymoon_approval.get(),
            camp_baseline: camp_specs.map(|c| c.approval_baseline.get()),
            camp_history_weight: camp_specs.map(|c| c.history_weight.get()),
            camp_hawkishness: camp_specs.map(|c| c.hawkishness.get()),
            a0: w.alliance.a0.get(),
            a1: w.alliance.a1.get(),
            a2: w.alliance.a2.get(),
            e0: w.alliance.e0.get(),
            e1: w.alliance.e1.get(),
            e2: w.alliance.e2.get(),
            e3: w.alliance.e3.get(),
            cha: w.cha,
            fc1: w.friction.c1.get(),
            fc2: w.friction.c2.get(),
            fc3: w.friction.c3.get(),
            fc4: w.friction.c4.get(),
            c_phi: w.friction.c_phi.get(),
            a_f: op.a_f.get(),
            g_f: op.g_f.get(),
            f_noise: op.f_noise.get(),
            r_tau: op.r_tau.get(),
            r_us_trust: op.r_us_trust.get(),
            flare_grievance: op.flare_grievance.get(),
            flare_favourability: op.flare_favourability.get(),
            flare_trust: op.flare_trust.get(),
            grievance_decay: op.grievance_decay.get(),
            f_ret: op.f_ret.get(),
            f_c: op.f_c.get(),
            d_c: op.d_c.get(),
            zeta: pol.zeta.get(),
            a_b: pol.a_b.get(),
            rho_b: pol.rho_b.get(),
            b_crit: pol.b_crit.get(),
            b_crit_jp: pol.b_crit_jp.get(),
            a_crit: pol.a_crit.get(),
            low_approval_months: pol.low_approval_months.get().round().max(1.0) as u32,
            eta: pol.eta.get(),
            pi: pol.pi.get(),
            p_rollback: pol.p_rollback.get(),
            p_reverse: pol.p_reverse.get(),
            crisis_discharge: pol.crisis_discharge.get(),
            crisis_trust_shock: pol.crisis_trust_shock.get(),
            crisis_exit: pol.crisis_exit.get(),
            crisis_min_months: whole(&pol.crisis_min_months).max(1),
            crisis_approval_cost: pol.crisis_approval_cost.get(),
            lame_duck: pol.lame_duck.get(),
            lame_months: pol.lame_months.get(),
            approval_noise: pol.approval_noise.get(),
            backlash_noise: pol.backlash_noise.get(),
            settlement_backlash: pol.settlement_backlash.get(),
            repudiation_window: pol.repudiation_window_months.get(),
            repudiation_hazard: pol.repudiation_hazard.get(),
            repudiation_trust: pol.repudiation_trust.get(),
            scar_months: whole(&pol.scar_months),
            quality_weights: {
                let w = [
                    pol.quality_transparency.get(),
                    pol.quality_legislate.get(),
                    pol.quality_public.get(),
                    pol.quality_consent.get(),
                ];
                let sum: f64 = w.iter().sum();
                if sum > 0.0 {
                    w.map(|x| x / sum)
                } else {
                    [0.25; 4]
                }
            },
            lock_decay: pol.lock_decay.get(),
            lock_loss: pol.lock_loss.get(),
            lapse_hazard: pol.lapse_hazard.get(),
            lapse_scale: pol.lapse_scale.get(),
            acting_months: whole(&el.acting_months).max(1),
            u: dec.u.get(),
            readiness: dec.readiness.get(),
            readiness_trust: dec.readiness_trust.get(),
            brake_threshold: dec.brake_threshold.get(),
            china_weight: dec.china_weight.get(),
            xi: [1.0, dec.xi_jp.get()],
            winset_margin: dec.winset_margin.get(),
            a_min: dec.a_min.get(),
            facilitation: dec.facilitation.get(),
            f_us: dec.f_us.get(),
            f_fall: dec.f_fall.get(),
            p_retaliate: dec.p_retaliate.get(),
            lag_min: whole(&dec.lag_min),
            lag_max: whole(&dec.lag_max).max(whole(&dec.lag_min)),
            drop_rate: dec.drop_rate.get(),
            counter_months: whole(&dec.counter_months).max(1),
            cancel_m_sec: dec.cancel_m_sec.get(),
            cancel_kappa: dec.cancel_kappa.get(),
            m_hist_damping: dec.m_hist_damping.get(),
            hold_value: dec.hold_value.get(),
            ritual_weight: dec.ritual_weight.get(),
            seasonal_multiplier: s.history.seasonal_multiplier.get(),
            grievance_base_jp: s.history.grievance_base_jp.get(),
            ceiling_base: neg.ceiling_base.get(),
            ceiling_threat: neg.ceiling_threat.get(),
            ceiling_mediation: neg.ceiling_mediation.get(),
            ceiling_grievance: [
                0.0,
                0.0,
                neg.ceiling_grievance_mainstream.get(),
                neg.ceiling_grievance_hawkish.get(),
            ],
            demand_grievance: neg.demand_grievance.get(),
            backlash_jp: neg.backlash_jp.get(),
            renegotiate_after: neg.renegotiate_after_months.get(),
            camp0: [camp_index(kr.camp), camp_index(jp.camp)],
            approval0: [kr.approval.get(), jp.approval.get()],
            backlash0: [kr.backlash.get(), jp.backlash.get()],
            fav0: [kr.favourability.get(), jp.favourability.get()],
            fav_target: [kr.favourability_target.get(), jp.favourability_target.get()],
            fav_ref: [kr.favourability_ref.get(), jp.favourability_ref.get()],
            theta_nk0: [kr.threat_nk.get(), jp.threat_nk.get()],
            theta_cn0: [kr.threat_cn.get(), jp.threat_cn.get()],
            exposure: [kr.china_exposure.get(), jp.china_exposure.get()],
            regional_role: [kr.regional_role.get(), jp.regional_role.get()],
            trust_jk0: s.relations.trust_kr_jp.get(),
            trust_ku0: s.relations.trust_kr_us.get(),
            trust_ju0: s.relations.trust_jp_us.get(),
            horizon,
            start_month0: start.month - 1,
            target_ci: s.scenario.target_ci,
        };
        Compiled {
            summitry: idx("summitry"),
            missile_warning: idx("missile_warning"),
            exercises: idx("exercises"),
            regional: idx("regional"),
            economic_security: idx("economic_security"),
            intelligence: idx("intelligence"),
            c,
            tracks,
            keys,
            issues,
            paths,
            path_by_camp,
            path_schedule,
            events,
            nk_observed: nk_observed(s),
        }
    }
}

/// One validated event resolved to indices (None if a reference does not resolve, which
/// validation rules out).
fn compile_event(
    s: &Scenario,
    e: &crate::scenario::Event,
    track: &dyn Fn(&str) -> Option<usize>,
    issue: &dyn Fn(&Option<String>) -> Option<usize>,
) -> Option<EventC> {
    let start = s.scenario.start;
    let month = |m: Option<crate::scenario::YearMonth>| m.map(|m| start.months_until(m));
    let side = |s: Option<Side>| s.map(side_index);
    Some(match e.kind {
        EventKind::KrElection => EventC::KrElection(camp_index(e.camp?)),
        EventKind::JpTurnover => EventC::JpTurnover(camp_index(e.camp?)),
        EventKind::UsType => EventC::UsType(e.us_type?),
        EventKind::CourtRuling => EventC::CourtRuling(issue(&e.issue)?),
        EventKind::FlareUp => EventC::FlareUp {
            issue: issue(&e.issue)?,
            act: e.act,
            offends: side(e.offends),
        },
        EventKind::NuclearTest => EventC::NuclearTest,
        EventKind::NkRegime => EventC::NkRegime(e.regime?.index()),
        EventKind::Summit => EventC::Summit(track(e.track.as_deref()?)?),
        EventKind::ChinaCoercion => EventC::ChinaCoercion {
            target: side(e.target).unwrap_or(KR),
            months: e.months,
            cost: e.cost,
        },
        EventKind::SetRung => EventC::SetRung {
            track: track(e.track.as_deref()?)?,
            rung: e.rung?.min(255) as u8,
            cause: e.cause.unwrap_or(Cause::Policy),
            backlash: e.backlash.unwrap_or(false),
            cascade: e.cascade.unwrap_or(true),
            scar: e.scar.unwrap_or(false),
            quality: e.quality,
        },
        EventKind::Settlement => EventC::Settlement {
            issue: issue(&e.issue)?,
            quality: e.quality?,
            camp: e.camp.map(camp_index),
            backlash: e.backlash.unwrap_or(true),
        },
        EventKind::Repudiation => EventC::Repudiation {
            issue: issue(&e.issue)?,
            effects: e.effects.unwrap_or(true),
        },
        EventKind::Retaliation => {
            let pending = e.state.unwrap_or(PendingState::Pending) == PendingState::Pending;
            EventC::Retaliation {
                by: side(e.by)?,
                issue: issue(&e.issue)?,
                track: track(e.track.as_deref().unwrap_or("economic_security"))?,
                resolves: if pending { month(e.resolves) } else { None },
                execute: e.resolution.unwrap_or(Resolution::Executed) == Resolution::Executed,
            }
        }
        EventKind::CounterThreat => EventC::CounterThreat {
            by: side(e.by)?,
            track: track(e.track.as_deref().unwrap_or("intelligence"))?,
            resolves: month(e.resolves)?,
            execute: e.resolution? == Resolution::Executed,
        },
        EventKind::Restore => EventC::Restore {
            by: side(e.by)?,
            track: track(e.track.as_deref()?)?,
        },
        EventKind::KrCrisis | EventKind::JpCrisis => EventC::Crisis {
            side: if e.kind == EventKind::KrCrisis {
                KR
            } else {
                JP
            },
            end: month(e.end),
            acting: e.acting.unwrap_or(false),
            domestic: e.cause.unwrap_or(Cause::Domestic) == Cause::Domestic,
        },
        EventKind::Path => EventC::Path(s.paths.get_index_of(e.path.as_deref()?)?),
        EventKind::SetState => {
            let variable = e.variable?;
            let who = match variable {
                StateVariable::Trust => match e.dyad? {
                    Dyad::KrJp => 0,
                    Dyad::KrUs => 1,
                    Dyad::JpUs => 2,
                },
                _ => side(e.side)?,
            };
            EventC::SetState {
                variable,
                who,
                value: e.value.as_ref()?.get(),
            }
        }
        // Applied by the schedule (`schedule.rs`), not in the monthly cycle.
        EventKind::Set => return None,
    })
}

/// Index of a US type in `Coefs::us_profiles`.
#[inline]
pub fn us_index(t: UsType) -> usize {
    match t {
        UsType::Engaged => 0,
        UsType::Transactional => 1,
    }
}
