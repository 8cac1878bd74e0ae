//! The conditional expectations of docs/model.md §1.1 (version 2), each a paired statistical
//! test on common random numbers with a fixed seed, and each also tested with the lever that
//! removes or reverses it: none is hard-coded. Test worlds: **cold** (F_KR = F*_KR = 0.15,
//! τ_JK = 0.22, the comfort-women and forced-labour issues open, a progressive Korean government
//! elected 36 months in), **warm** (F_KR = F*_KR = 0.45, τ_JK = 0.55, the issues settled at
//! quality 0.6, no change of camp), **baseline** (the 2023 defaults).

use trisim::model::{Diagnostics, Outcome, Outcomes};
use trisim::scenario::{Camp, Event, EventKind, IssueStatus, Param, Scenario, YearMonth};

mod paired;
use paired::{greater, outcome, paired, run_paths, Z};

const SEED: u64 = 20_261_205;
const N: u64 = 600;

fn run(s: &Scenario, path: &str) -> Vec<(Outcomes, Diagnostics)> {
    run_paths(s, path, SEED, N)
}

/// Mean paired difference a − b on outcome `o`, printed, with its standard error.
fn diff(
    a: &[(Outcomes, Diagnostics)],
    b: &[(Outcomes, Diagnostics)],
    o: Outcome,
    what: &str,
) -> (f64, f64) {
    let (m, se) = paired(&outcome(a, o), &outcome(b, o));
    eprintln!("{what}: {m:.4} (se {se:.4})");
    (m, se)
}

fn cold() -> Scenario {
    let mut s = Scenario::default();
    s.actors.seoul.favourability = Param::Fixed(0.15);
    s.actors.seoul.favourability_target = Param::Fixed(0.15);
    s.relations.trust_kr_jp = Param::Fixed(0.22);
    s.events.push(Event {
        camp: Some(Camp::Progressive),
        ..Event::new(YearMonth::new(2026, 4), EventKind::KrElection)
    });
    s.world.elections.kr_early_termination_hazard = Param::Fixed(0.0);
    s
}

fn warm() -> Scenario {
    let mut s = Scenario::default();
    s.actors.seoul.favourability = Param::Fixed(0.45);
    s.actors.seoul.favourability_target = Param::Fixed(0.45);
    s.relations.trust_kr_jp = Param::Fixed(0.55);
    for i in &mut s.history.issues {
        if i.key == "comfort_women" || i.key == "forced_labor" {
            i.status = IssueStatus::Settled;
            i.settlement_quality = Param::Fixed(0.6);
        }
    }
    // No change of camp within the horizon.
    s.world.elections.kr_early_termination_hazard = Param::Fixed(0.0);
    s.world.elections.kr_next_election = YearMonth::new(2040, 1);
    s.world.elections.jp_turnover_hazard = Param::Fixed(0.0);
    s
}

/// §1.1 expectation 1 (Embracing 2023): a higher North Korean threat raises mean CI on every
/// proposing path. Lever: b_k = 0 removes it.
#[test]
fn nk_threat_raises_cooperation_unless_deterrence_is_worthless() {
    let surge = |mut s: Scenario| {
        let t = &mut s.world.nk.transition;
        t.engagement = [Param::Fixed(0.85), Param::Fixed(0.05), Param::Fixed(0.10)];
        t.testing = [Param::Fixed(0.01), Param::Fixed(0.79), Param::Fixed(0.20)];
        t.surge = [Param::Fixed(0.005), Param::Fixed(0.025), Param::Fixed(0.97)];
        s
    };
    let low = Scenario::default();
    let high = surge(low.clone());
    let mut low0 = low.clone();
    for t in low0.tracks.values_mut() {
        t.b = Param::Fixed(0.0);
    }
    let high0 = surge(low0.clone());
    for name in ["gradual", "hasty", "parallel", "history_first"] {
        let d = diff(
            &run(&high, name),
            &run(&low, name),
            Outcome::FinalCi,
            &format!("{name}: threat raises CI"),
        );
        greater(d, name);
        let d0 = diff(
            &run(&high0, name),
            &run(&low0, name),
            Outcome::FinalCi,
            &format!("{name}: with b = 0"),
        );
        assert!(
            d0.0 < d.0 / 2.0,
            "{name}: b = 0 should remove most of the effect"
        );
    }
}

/// Expectation 3 (docs/model.md §1.1): in the cold world hasty's gains are at risk: more
/// Korean crises and lapses, and gradual ends ahead on final CI and on trust in Washington.
/// Under the fitted defaults neither path reaches the Camp-David state in the cold world (the
/// governments do not value the rungs), so the "sooner" half of the expectation cannot show
/// here; `hasty_sooner_in_a_warm_world_with_open_pace` tests pace where moves happen.
/// Levers (h_lapse = scar = ψ = h_rep = 0): hasty's final-CI standing improves.
#[test]
fn cold_world_hasty_gains_are_at_risk_unless_the_levers_are_off() {
    let s = cold();
    // The levers' effect is small in the cold world (about 0.01 of final CI): 2,400 worlds.
    let run = |s: &Scenario, path: &str| run_paths(s, path, SEED, 4 * N);
    let (g, h) = (run(&s, "gradual"), run(&s, "hasty"));
    greater(
        diff(&h, &g, Outcome::KrCrises, "cold: hasty − gradual KR crises"),
        "more crises",
    );
    greater(
        diff(&h, &g, Outcome::Lapses, "cold: hasty − gradual lapses"),
        "more lapses",
    );
    let lead = diff(&g, &h, Outcome::FinalCi, "cold: gradual − hasty final CI");
    greater(lead, "gradual ahead on final CI");
    greater(
        diff(
            &g,
            &h,
            Outcome::FinalTrustKrUs,
            "cold: gradual − hasty final τ_KU",
        ),
        "gradual ahead on τ_KU",
    );
    let mut lever = s.clone();
    lever.world.politics.lapse_hazard = Param::Fixed(0.0);
    lever.world.politics.scar_months = Param::Fixed(0.0);
    lever.world.politics.repudiation_hazard = Param::Fixed(0.0);
    lever.world.decisions.readiness = Param::Fixed(0.0);
    let lever_lead = diff(
        &run(&lever, "gradual"),
        &run(&lever, "hasty"),
        Outcome::FinalCi,
        "cold, levers: gradual − hasty final CI",
    );
    assert!(
        lead.0 - lever_lead.0 > Z * (lead.1.powi(2) + lever_lead.1.powi(2)).sqrt(),
        "the levers should shrink gradual's lead"
    );
}

/// Expectations 3–4: where moves happen (the warm world), open pace (`hasty_open`: hasty's
/// sequence and dwell, published) reaches the Camp-David state sooner than gradual.
#[test]
fn hasty_sooner_in_a_warm_world_with_open_pace() {
    let s = warm();
    greater(
        diff(
            &run(&s, "gradual"),
            &run(&s, "hasty_open"),
            Outcome::MonthsToCampDavid,
            "warm: gradual − hasty_open months to CD",
        ),
        "open pace sooner",
    );
}

/// Expectation 4: the sign of the paired final-CI difference between a fast path and gradual
/// changes inside the plausible ranges, with named conditions. A warm Korean public target
/// (F*_KR = 0.45) and a high crisis threshold (B_crit = 4) put `hasty_open` ahead; a cold target
/// (F*_KR = 0.23, below the starting 0.30), a low crisis threshold (B_crit = 2.2), lapsing unvalued
/// rungs (h_lapse = 0.035), a strong readiness weight (ψ = 1.8) and a strong US push (u = 0.5)
/// put gradual ahead (the corner of a 200-world Latin hypercube where it led most). (The secret
/// `hasty` path is behind gradual in almost every world under the fitted defaults: see
/// docs/model.md §4.8.)
#[test]
fn the_fast_paths_lead_reverses_with_named_conditions() {
    let mut w = Scenario::default();
    w.actors.seoul.favourability_target = Param::Fixed(0.45);
    w.world.politics.b_crit = Param::Fixed(4.0);
    let mut c = Scenario::default();
    c.actors.seoul.favourability_target = Param::Fixed(0.23);
    c.world.politics.b_crit = Param::Fixed(2.2);
    c.world.politics.lapse_hazard = Param::Fixed(0.035);
    c.world.decisions.readiness = Param::Fixed(1.8);
    c.world.decisions.u = Param::Fixed(0.5);
    greater(
        diff(
            &run(&w, "hasty_open"),
            &run(&w, "gradual"),
            Outcome::FinalCi,
            "warm target, high B_crit: hasty_open − gradual final CI",
        ),
        "hasty_open ahead",
    );
    greater(
        diff(
            &run(&c, "gradual"),
            &run(&c, "hasty_open"),
            Outcome::FinalCi,
            "cooling public, low B_crit, lapses: gradual − hasty_open final CI",
        ),
        "gradual ahead",
    );
}

/// Expectation 7: rungs built with high quality under public acceptance persist across a
/// turnover to the other camp. Gradual with the path's consultation turned up (transparency
/// and legislate 1) loses less CI in the 24 months after the 2026 progressive turnover than
/// with them at 0, where new governments do reverse and let unvalued rungs lapse (p_reverse 0.5,
/// h_lapse 0.05: the reference priors). Under the fitted defaults (p_reverse ≈ 0.15, h_lapse ≈
/// 0.008: GSOMIA survived the 2017 turnover) post-turnover losses are small whatever the build
/// quality (0.002 CI, about 2 se at 8,000 worlds, under the first fit), so the contrast is tested where it can
/// show. Lever: when build quality does not depend on the path (its transparency and legislate
/// weights 0), the difference vanishes.
#[test]
fn well_built_rungs_survive_a_turnover() {
    const N_LOCK: u64 = 3000;
    let build = |t: f64, weights: bool| {
        let mut s = cold();
        s.actors.seoul.favourability = Param::Fixed(0.3);
        s.actors.seoul.favourability_target = Param::Fixed(0.3);
        s.relations.trust_kr_jp = Param::Fixed(0.45);
        s.world.politics.p_reverse = Param::Fixed(0.5);
        s.world.politics.lapse_hazard = Param::Fixed(0.05);
        if !weights {
            s.world.politics.quality_transparency = Param::Fixed(0.0);
            s.world.politics.quality_legislate = Param::Fixed(0.0);
        }
        let p = s.paths.get_mut("gradual").unwrap();
        p.transparency = Param::Fixed(t);
        p.legislate = Param::Fixed(t);
        s
    };
    let turnover = YearMonth::new(2023, 4).months_until(YearMonth::new(2026, 4)) as u32;
    let loss = |s: &Scenario| -> Vec<f64> {
        let p = s.paths.get_index_of("gradual").unwrap();
        (0..N_LOCK)
            .map(|r| {
                let m = trisim::model::Model::new(&trisim::scenario::sample::sample(s, SEED, r));
                let (mut before, mut after) = (0.0, 0.0);
                m.simulate(p, SEED, r, &mut |rec| {
                    if rec.t + 1 == turnover {
                        before = rec.ci;
                    }
                    if rec.t == turnover + 24 {
                        after = rec.ci;
                    }
                });
                // Share of the pre-turnover CI lost (consulted gradual builds more, so the
                // absolute loss would compare different amounts).
                if before > 0.0 {
                    (before - after) / before
                } else {
                    0.0
                }
            })
            .collect()
    };
    let d = paired(&loss(&build(0.0, true)), &loss(&build(1.0, true)));
    eprintln!(
        "share of CI lost after the turnover, top-down − consulted: {:.4} (se {:.4})",
        d.0, d.1
    );
    greater(d, "consulted rungs lose less");
    let d0 = paired(&loss(&build(0.0, false)), &loss(&build(1.0, false)));
    eprintln!(
        "the same when quality ignores the path: {:.4} (se {:.4})",
        d0.0, d0.1
    );
    assert!(
        d0.0 < d.0 / 2.0,
        "the lever should remove most of the effect"
    );
}

/// §1.1 expectation 8: without US security push and mediation (m_sec = m_hist = 0) CI is
/// lower on every proposing path; more expectation management raises final τ_KU on every path.
#[test]
fn the_us_push_raises_cooperation_and_expectation_management_raises_trust() {
    let with_us = Scenario::default();
    let mut without = with_us.clone();
    for p in [
        &mut without.actors.washington.engaged,
        &mut without.actors.washington.transactional,
    ] {
        p.m_sec = Param::Fixed(0.0);
        p.m_hist = Param::Fixed(0.0);
    }
    for name in ["gradual", "hasty", "parallel", "history_first"] {
        greater(
            diff(
                &run(&with_us, name),
                &run(&without, name),
                Outcome::FinalCi,
                &format!("{name}: US push"),
            ),
            name,
        );
        let mut em = with_us.clone();
        let p = em.paths.get_mut(name).unwrap();
        let e = p.expectation_management.get();
        p.expectation_management = Param::Fixed((e + 0.3).min(1.0));
        greater(
            diff(
                &run(&em, name),
                &run(&with_us, name),
                Outcome::FinalTrustKrUs,
                &format!("{name}: em raises τ_KU"),
            ),
            name,
        );
    }
}

#[test]
#[ignore = "diagnostic print, not a test"]
fn zz_warm_world_profile() {
    for (w, s) in [
        ("warm", warm()),
        ("cold", cold()),
        ("baseline", Scenario::default()),
    ] {
        for name in ["gradual", "hasty", "status_quo"] {
            let v = run(&s, name);
            let m = |o: Outcome| outcome(&v, o).iter().sum::<f64>() / N as f64;
            let moves = v.iter().map(|x| x.1.moves as f64).sum::<f64>() / N as f64;
            let wr = v.iter().map(|x| x.1.winset_refusals as f64).sum::<f64>() / N as f64;
            let ur = v.iter().map(|x| x.1.utility_refusals as f64).sum::<f64>() / N as f64;
            eprintln!("{w:8} {name:10} ci {:.3} peak {:.3} crises {:.2} crisis_m {:.1} rollbacks {:.2} reversals {:.2} lapses {:.2} moves {moves:.1} winset_ref {wr:.1} util_ref {ur:.1} cd {:.0} tau_ku {:.2}",
                m(Outcome::FinalCi), m(Outcome::PeakCi), m(Outcome::KrCrises), m(Outcome::KrCrisisMonths), m(Outcome::Rollbacks), m(Outcome::Reversals), m(Outcome::Lapses), m(Outcome::MonthsToCampDavid), m(Outcome::FinalTrustKrUs));
        }
    }
}
