//! The patterns the model should reproduce (docs/model.md §1.1, patterns 1–7), each a
//! directional statistical test, plus a plausibility check of the baseline.
//!
//! Each test drives the model directly on common random numbers: replication `r` of each
//! scenario variant and path uses the same seed and replication index, so differences are
//! paired. A difference counts only if its mean exceeds `Z` standard errors of the paired
//! differences (and, where stated, a practical margin). Fixed seeds: the tests are
//! deterministic, and each runs in well under a second in release mode.

use trisim::model::{Diagnostics, Model, Outcome, Outcomes};
use trisim::scenario::sample::sample;
use trisim::scenario::{Camp, Event, EventKind, NkRegime, Param, Scenario, YearMonth};

mod paired;
use paired::{outcome, paired};

const SEED: u64 = 20_260_422;
const N: u64 = 1000;
/// Required size of a mean paired difference, in standard errors.
const Z: f64 = 4.0;

fn path_index(s: &Scenario, name: &str) -> usize {
    s.paths.get_index_of(name).expect("bundled path")
}

/// Runs `path` for N replications; returns outcomes and diagnostics per replication.
fn run(s: &Scenario, path: &str) -> Vec<(Outcomes, Diagnostics)> {
    paired::run_paths(s, path, SEED, N)
}

/// Asserts a − b > margin and > Z standard errors.
fn assert_greater(a: &[f64], b: &[f64], margin: f64, what: &str) {
    let (mean, se) = paired(a, b);
    eprintln!("{what}: {mean:.4} (se {se:.4})");
    assert!(
        mean > margin && mean > Z * se,
        "{what}: mean paired difference {mean:.4} (se {se:.4}) should exceed {margin} and {Z} se"
    );
}

/// Asserts outcome `o` of `a` − `b` > margin and > Z standard errors (see `assert_greater`).
fn assert_greater_on(
    a: &[(Outcomes, Diagnostics)],
    b: &[(Outcomes, Diagnostics)],
    o: Outcome,
    margin: f64,
    what: &str,
) {
    assert_greater(&outcome(a, o), &outcome(b, o), margin, what);
}

/// Asserts that hasty (`h`) reaches Camp David more than 12 months sooner than gradual (`g`),
/// with more than 0.5 more KR crises and 0.2 more rollbacks; `what` names the three checks.
fn assert_hasty_faster_but_crisis_prone(
    g: &[(Outcomes, Diagnostics)],
    h: &[(Outcomes, Diagnostics)],
    what: [&str; 3],
) {
    assert_greater_on(g, h, Outcome::MonthsToCampDavid, 12.0, what[0]);
    assert_greater_on(h, g, Outcome::KrCrises, 0.5, what[1]);
    assert_greater_on(h, g, Outcome::Rollbacks, 0.2, what[2]);
}

fn baseline() -> Scenario {
    // The baseline of the expectations: 2023-04, conservative KR, engaged US, NK in surge.
    let mut s = Scenario::default();
    s.world.nk.initial_regime = NkRegime::Surge;
    s
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Baseline plausibility: CI rises for gradual and hasty; hasty is faster, with more KR
/// crises and rollbacks.
#[test]
fn baseline_is_plausible() {
    let s = baseline();
    let g = run(&s, "gradual");
    let h = run(&s, "hasty");
    let ci0 = 0.0;
    assert!(mean(&outcome(&g, Outcome::FinalCi)) > ci0 + 0.3);
    assert!(mean(&outcome(&h, Outcome::FinalCi)) > ci0 + 0.3);
    assert_hasty_faster_but_crisis_prone(
        &g,
        &h,
        [
            "hasty reaches Camp David sooner",
            "hasty has more KR crises",
            "hasty has more rollbacks",
        ],
    );
}

/// Pattern 1 (Embracing 2023): a higher NK threat (surge more likely) raises mean CI on every
/// proposing path, and never lowers it on the status quo.
#[test]
fn nk_threat_raises_cooperation() {
    let low = Scenario::default();
    let mut high = Scenario::default();
    let t = &mut high.world.nk.transition;
    t.engagement = [Param::Fixed(0.85), Param::Fixed(0.05), Param::Fixed(0.10)];
    t.testing = [Param::Fixed(0.01), Param::Fixed(0.79), Param::Fixed(0.20)];
    t.surge = [Param::Fixed(0.005), Param::Fixed(0.025), Param::Fixed(0.97)];
    let names: Vec<String> = low.paths.keys().cloned().collect();
    for name in &names {
        let a = outcome(&run(&high, name), Outcome::FinalCi);
        let b = outcome(&run(&low, name), Outcome::FinalCi);
        if low.paths[name].proposes {
            assert_greater(&a, &b, 0.01, &format!("NK threat raises CI on {name}"));
        } else {
            assert!(mean(&a) >= mean(&b), "status quo CI must not fall");
        }
    }
}

/// Pattern 2 (Op-ed 2022, Chun 2022): a higher history burden widens the KR-crisis gap between
/// hasty and gradual.
#[test]
fn history_burden_widens_the_crisis_gap() {
    let low = baseline();
    let mut high = baseline();
    for i in &mut high.history.issues {
        i.salience = Param::Fixed((i.salience.get() * 1.25).min(1.0));
        i.hazard = Param::Fixed((i.hazard.get() * 3.0).min(1.0));
    }
    let gap = |s: &Scenario| -> Vec<f64> {
        let h = outcome(&run(s, "hasty"), Outcome::KrCrises);
        let g = outcome(&run(s, "gradual"), Outcome::KrCrises);
        h.iter().zip(&g).map(|(a, b)| a - b).collect()
    };
    assert_greater(
        &gap(&high),
        &gap(&low),
        0.2,
        "history burden widens the gap",
    );
}

/// Pattern 3 (Op-ed 2022, Chun 2022): with F_KR and τ_JK low at the start, hasty reaches a high
/// CI sooner but has more KR crises and rollbacks than gradual.
#[test]
fn hasty_is_faster_but_crisis_prone_when_publics_are_cold() {
    let mut cold = baseline();
    cold.actors.seoul.favourability = Param::Fixed(0.2);
    cold.relations.trust_kr_jp = Param::Fixed(0.3);
    // The same with the cooperation already in place in April 2023 (scenarios/baseline.toml).
    let mut in_2023 = cold.clone();
    for (k, r) in [
        ("summitry", 2),
        ("economic_security", 1),
        ("intelligence", 2),
        ("missile_warning", 1),
        ("exercises", 1),
        ("regional", 1),
    ] {
        in_2023.tracks.get_mut(k).unwrap().initial = r;
    }
    for s in [&cold, &in_2023] {
        let g = run(s, "gradual");
        let h = run(s, "hasty");
        assert_hasty_faster_but_crisis_prone(
            &g,
            &h,
            [
                "hasty sooner",
                "hasty more KR crises",
                "hasty more rollbacks",
            ],
        );
    }
}

/// Pattern 4 (Cho 2019): with US m_sec and m_hist at 0, CI is lower and more linkage retaliation
/// escalates (counter-threats on intelligence no longer cancelled).
#[test]
fn us_disengagement_lowers_cooperation_and_lets_linkage_escalate() {
    let with_us = baseline();
    let mut without = baseline();
    for p in [
        &mut without.actors.washington.engaged,
        &mut without.actors.washington.transactional,
    ] {
        p.m_sec = Param::Fixed(0.0);
        p.m_hist = Param::Fixed(0.0);
    }
    for name in ["gradual", "hasty", "parallel"] {
        let a = run(&with_us, name);
        let b = run(&without, name);
        assert_greater_on(
            &a,
            &b,
            Outcome::FinalCi,
            0.02,
            &format!("US push raises CI on {name}"),
        );
        let esc = |v: &[(Outcomes, Diagnostics)]| -> Vec<f64> {
            v.iter().map(|x| x.1.linkage_escalations as f64).collect()
        };
        let share = |v: &[(Outcomes, Diagnostics)]| {
            let e: u32 = v.iter().map(|x| x.1.linkage_escalations).sum();
            let c: u32 = v.iter().map(|x| x.1.linkage_cancelled).sum();
            e as f64 / (e + c).max(1) as f64
        };
        assert!(
            share(&b) > share(&a) + 0.2,
            "{name}: escalation share {} vs {}",
            share(&b),
            share(&a)
        );
        assert_greater(
            &esc(&b),
            &esc(&a),
            0.0,
            &format!("{name}: more escalations"),
        );
    }
}

/// Pattern 5 (Embracing 2023, Cho 2019): China's coercion falls on Seoul and rises with the
/// `regional` track.
#[test]
fn china_coercion_falls_on_seoul_and_rises_with_regional() {
    // The regional rung is set at the start (a Taiwan-Strait statement already made, or
    // contingency coordination) and may only fall; paths keep it as a target.
    let mut no_regional = baseline();
    let mut regional = baseline();
    let t = regional.tracks.get_mut("regional").unwrap();
    t.initial = 2;
    regional.tracks.get_mut("summitry").unwrap().initial = 2;
    no_regional.tracks.get_mut("summitry").unwrap().initial = 2;
    // China v2 (docs/model.md §3.6): a standing regional rung adds h_reg·a_S (≈ 0.003 a month
    // at the top) instead of v1's 0.02 per rung, so on `hasty`, which raises `regional` itself
    // in the world that starts without it, the moves' own provocation (h_move) offsets the
    // rung's: that comparison no longer measures the rung and is left out.
    for name in ["gradual", "status_quo"] {
        let a = run(&regional, name);
        let b = run(&no_regional, name);
        assert_greater_on(
            &a,
            &b,
            Outcome::ChinaCoercionEvents,
            0.1,
            &format!("{name}: more coercion with the regional track"),
        );
        // The cost is borne by Seoul in proportion to its exposure. China v2 (docs/model.md
        // §3.6) spreads each episode's cost over its months, so an episode still running at the
        // horizon is only partly paid: the cost is at most, and short of it by less than one
        // episode's, events × cost_scale × E_KR.
        let per_event =
            regional.world.china.cost_scale.get() * regional.actors.seoul.china_exposure.get();
        for x in &a {
            let full = x.0.get(Outcome::ChinaCoercionEvents) * per_event;
            let cost = x.0.get(Outcome::ChinaCostGdpPct);
            assert!(
                cost <= full + 1e-9 && cost > full - per_event - 1e-9,
                "{cost} {full}"
            );
        }
    }
    // A more exposed Seoul pays more for the same events.
    let mut exposed = regional.clone();
    exposed.actors.seoul.china_exposure = Param::Fixed(0.3);
    let a = outcome(&run(&exposed, "hasty"), Outcome::ChinaCostGdpPct);
    let b = outcome(&run(&regional, "hasty"), Outcome::ChinaCostGdpPct);
    assert_greater(&a, &b, 0.05, "exposure raises Seoul's cost");
}

/// Pattern 6 (2024–25): lock-in makes cooperation persist across a KR turnover to the
/// progressive camp.
#[test]
fn lock_in_makes_cooperation_survive_a_progressive_turnover() {
    let mut locked = baseline();
    locked.events.push(Event {
        camp: Some(Camp::Progressive),
        ..Event::new(YearMonth::new(2027, 3), EventKind::KrElection)
    });
    let mut unlocked = locked.clone();
    for t in unlocked.tracks.values_mut() {
        t.lambda = Param::Fixed(0.0);
    }
    let turnover = YearMonth::new(2023, 4).months_until(YearMonth::new(2027, 3)) as u32;
    let loss = |s: &Scenario, path: &str| -> Vec<f64> {
        let p = path_index(s, path);
        (0..N)
            .map(|r| {
                let m = Model::new(&sample(s, SEED, r));
                let (mut before, mut after) = (0.0, 0.0);
                m.simulate(p, SEED, r, &mut |rec| {
                    if rec.t + 1 == turnover {
                        before = rec.ci;
                    }
                    if rec.t == turnover + 12 {
                        after = rec.ci;
                    }
                });
                before - after
            })
            .collect()
    };
    for name in ["gradual", "hasty"] {
        let a = loss(&unlocked, name);
        let b = loss(&locked, name);
        assert_greater(
            &a,
            &b,
            0.01,
            &format!("{name}: lock-in reduces the CI loss"),
        );
    }
}

/// Pattern 7: the expectations are not hard-coded — a parameter choice reverses them. With a warm
/// Korean public (very high F_KR) and high trust, the hasty path's crisis penalty nearly
/// vanishes: the paired hasty − gradual gap in KR crises is less than a third of the gap under
/// the default cold public (with 2-standard-error margins on both gaps), and hasty is no worse
/// on final CI.
#[test]
fn warm_public_reverses_the_hasty_penalty() {
    let cold = baseline();
    let mut warm = baseline();
    warm.actors.seoul.favourability = Param::Fixed(0.95);
    warm.actors.seoul.favourability_target = Param::Fixed(0.95);
    warm.relations.trust_kr_jp = Param::Fixed(0.9);
    let gap = |s: &Scenario, o: Outcome| {
        let (g, h) = (run(s, "gradual"), run(s, "hasty"));
        paired(&outcome(&h, o), &outcome(&g, o))
    };
    let (d_cold, se_cold) = gap(&cold, Outcome::KrCrises);
    let (d_warm, se_warm) = gap(&warm, Outcome::KrCrises);
    eprintln!("KR crises, hasty - gradual: cold {d_cold:.3} (se {se_cold:.3}), warm {d_warm:.3} (se {se_warm:.3})");
    assert!(
        d_cold - 2.0 * se_cold > 0.0,
        "cold public: hasty has more KR crises ({d_cold}, se {se_cold})"
    );
    assert!(
        d_warm + 2.0 * se_warm < (d_cold - 2.0 * se_cold) / 3.0,
        "warm public: the crisis gap {d_warm} (se {se_warm}) should be under a third of the cold \
         gap {d_cold} (se {se_cold})"
    );
    // And hasty stays no worse on CI. (This alone holds under the cold public too, where hasty
    // leads on final CI despite its crises — a finding, see docs — so it is not the test's
    // discriminating part; the crisis-gap ratio above is.)
    let (c_warm, sc_warm) = gap(&warm, Outcome::FinalCi);
    eprintln!("final CI, hasty - gradual, warm: {c_warm:.4} (se {sc_warm:.4})");
    assert!(
        c_warm >= -2.0 * sc_warm,
        "hasty CI minus gradual: {c_warm} (se {sc_warm})"
    );
}
