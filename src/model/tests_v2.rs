//! Tests of the version-2 mechanisms, each on its own on a live simulation state
//! (docs/model.md §3.3, §3.9–§3.11): readiness, the history brake, the US push through trust,
//! per-side US bridges.

use super::compiled::{JP, KR};
use super::support::Fall;
use super::tests::{compiled, default_compiled, new_sim, track};
use crate::scenario::{Param, Scenario};

const EPS: f64 = 1e-12;

#[test]
fn readiness_adds_psi_sigma_times_the_trust_and_favourability_gaps() {
    let (s, m) = default_compiled();
    let mut sim = new_sim(&m, &s, "gradual");
    let k = track(&m, "exercises");
    let sigma = m.tracks[k].sigma;
    let psi = m.c.readiness;
    assert!(psi > 0.0 && sigma > 0.0);
    // τ_JK enters the valuation only through readiness.
    sim.st.tau_jk = 0.2;
    let cold = sim.value(KR, k);
    sim.st.tau_jk = 0.7;
    let warm = sim.value(KR, k);
    assert!((warm - cold - psi * sigma * 0.5).abs() < EPS);
    // The same for Japan, and the keep value moves with it.
    sim.st.tau_jk = 0.2;
    let (v_cold, j_cold) = (sim.keep_value(KR, k), sim.value(JP, k));
    sim.st.tau_jk = 0.7;
    assert!((sim.keep_value(KR, k) - v_cold - psi * sigma * 0.5).abs() < EPS);
    assert!((sim.value(JP, k) - j_cold - psi * sigma * 0.5).abs() < EPS);
    // ψ = 0 removes it.
    let mut s0 = Scenario::default();
    s0.world.decisions.readiness = Param::Fixed(0.0);
    let m0 = compiled(&s0);
    let mut sim0 = new_sim(&m0, &s0, "gradual");
    sim0.st.tau_jk = 0.2;
    let a = sim0.value(KR, k);
    sim0.st.tau_jk = 0.7;
    assert!((sim0.value(KR, k) - a).abs() < EPS);
}

#[test]
fn the_history_brake_acts_above_its_threshold_on_braked_tracks_only() {
    let (s, m) = default_compiled();
    let mut free = Scenario::default();
    for t in free.tracks.values_mut() {
        t.history_brake = Param::Fixed(0.0);
    }
    let mf = compiled(&free);
    let (summ, ex) = (track(&m, "summitry"), track(&m, "exercises"));
    let beta = m.tracks[summ].history_brake;
    assert!(beta > 0.0 && m.tracks[ex].history_brake == 0.0);
    for g in [0.1, m.c.brake_threshold, 0.8] {
        let mut a = new_sim(&m, &s, "gradual");
        let mut b = new_sim(&mf, &free, "gradual");
        a.st.grievance[KR] = g;
        b.st.grievance[KR] = g;
        let brake = beta * (g - m.c.brake_threshold).max(0.0);
        assert!(
            (b.value(KR, summ) - a.value(KR, summ) - brake).abs() < EPS,
            "H = {g}"
        );
        assert!((b.value(KR, ex) - a.value(KR, ex)).abs() < EPS);
    }
}

#[test]
fn the_us_push_and_bridge_count_as_far_as_the_government_trusts_washington() {
    let (s, m) = default_compiled();
    let mut sim = new_sim(&m, &s, "hasty");
    let k = track(&m, "intelligence");
    sim.st.tau_ku = 0.2;
    let low = sim.value(KR, k);
    let japan = sim.value(JP, k);
    sim.st.tau_ku = 0.9;
    let high = sim.value(KR, k);
    assert!((high - low - m.c.u * sim.m_sec() * 0.7).abs() < EPS);
    // Japan's value does not depend on Korea's trust in Washington.
    assert!((sim.value(JP, k) - japan).abs() < EPS);
    // Every path sees the same US push.
    let g = new_sim(&m, &s, "gradual");
    assert_eq!(g.m_sec(), sim.m_sec());
}

#[test]
fn the_move_value_is_the_keep_value_less_the_moves_china_hazard_and_the_hold() {
    let (s, m) = default_compiled();
    let sim = new_sim(&m, &s, "gradual");
    for k in 0..m.tracks.len() {
        let tr = &m.tracks[k];
        // ĥ − h = a_S·h_move·χ_k, a_S Seoul's wedge share (docs/model.md §3.6).
        let share = sim.st.china.share[KR];
        assert!(share > 0.0 && share <= 1.0);
        let extra = m.c.china_weight * tr.chi * m.c.exposure[KR] * share * m.c.h_move * tr.chi;
        assert!((sim.keep_value(KR, k) - sim.value(KR, k) - extra).abs() < EPS);
    }
}

/// A live simulation whose side `s` starts a backlash crisis at month 0.
fn in_crisis<'m>(
    m: &'m super::compiled::Compiled,
    s_: &Scenario,
    s: usize,
) -> super::state::Sim<'m> {
    let mut sim = new_sim(m, s_, "status_quo");
    sim.st.backlash[s] = m.c.b_crit * 1.5;
    sim.crisis_month(0);
    assert!(sim.st.in_crisis[s]);
    sim
}

#[test]
fn a_crisis_persists_for_its_minimum_then_ends_when_backlash_and_approval_recover() {
    let (s, m) = default_compiled();
    for side in [KR, JP] {
        let mut sim = in_crisis(&m, &s, side);
        // Discharge on starting: B ×= 1 − discharge.
        let b0 = m.c.b_crit * 1.5 * (1.0 - m.c.crisis_discharge);
        assert!((sim.st.backlash[side] - b0).abs() < 1e-12);
        // Recovered at once: backlash and approval fine, yet the crisis lasts its minimum.
        sim.st.backlash[side] = 0.0;
        sim.st.approval[side] = 0.6;
        let mut months = 1;
        for t in 1..10 {
            sim.crisis_month(t);
            if !sim.st.in_crisis[side] {
                break;
            }
            months += 1;
        }
        assert_eq!(months, m.c.crisis_min_months, "side {side}");
        assert_eq!(sim.st.crisis_months_term[side], m.c.crisis_min_months);
    }
    // High backlash keeps it going beyond the minimum: exit needs B < crisis_exit·B_crit.
    let mut sim = in_crisis(&m, &s, KR);
    sim.st.approval[KR] = 0.6;
    for t in 1..12 {
        sim.st.backlash[KR] = m.c.crisis_exit * m.c.b_crit * 1.01;
        sim.crisis_month(t);
        assert!(sim.st.in_crisis[KR], "month {t}");
    }
    sim.st.backlash[KR] = m.c.crisis_exit * m.c.b_crit * 0.99;
    sim.crisis_month(12);
    assert!(!sim.st.in_crisis[KR]);
    assert_eq!(sim.acc.kr_crises, 1);
    assert_eq!(sim.acc.kr_crisis_months, 12);
}

#[test]
fn each_month_in_crisis_costs_approval_and_trust_falls_on_both_dyads() {
    let (s, m) = default_compiled();
    let mut sim = new_sim(&m, &s, "status_quo");
    let (tau_jk, tau_ju) = (sim.st.tau_jk, sim.st.tau_ju);
    sim.st.backlash[JP] = m.c.b_crit * 2.0;
    sim.st.approval[JP] = 0.5;
    sim.crisis_month(0);
    assert!(sim.st.in_crisis[JP]);
    assert!((sim.st.approval[JP] - (0.5 - m.c.crisis_approval_cost)).abs() < 1e-12);
    assert!((tau_jk - sim.st.tau_jk - m.c.crisis_trust_shock).abs() < 1e-12);
    assert!((tau_ju - sim.st.tau_ju - m.c.crisis_trust_shock).abs() < 1e-12);
    sim.crisis_month(1);
    assert!((sim.st.approval[JP] - (0.5 - 2.0 * m.c.crisis_approval_cost)).abs() < 1e-12);
    assert_eq!(sim.diag.jp_crisis_months, 2);
    assert_eq!(sim.acc.jp_crises, 1);
}

#[test]
fn nothing_is_accepted_and_no_negotiation_advances_while_tokyo_is_in_crisis() {
    let (s, m) = default_compiled();
    let mut sim = in_crisis(&m, &s, JP);
    sim.path = &m.paths[super::tests::path(&s, "hasty")];
    let k = track(&m, "summitry");
    assert!(!sim.propose(k));
    sim.st.negotiation = Some((0, 1.0));
    sim.settlement_month();
    assert_eq!(sim.st.negotiation, Some((0, 1.0)));
}

#[test]
fn a_lame_duck_pays_more_for_secrecy() {
    let (s, m) = default_compiled();
    let mut sim = new_sim(&m, &s, "hasty");
    let k = track(&m, "intelligence");
    sim.st.approval[KR] = sim.st.baseline[KR];
    sim.st.next_kr_election = 100;
    assert!(!sim.lame(KR));
    let normal = sim.move_backlash(KR, k);
    // Within lame_months of the election.
    sim.st.next_kr_election = m.c.lame_months as i64;
    assert!(sim.lame(KR));
    let lame = sim.move_backlash(KR, k);
    let secrecy = 1.0 - sim.path.transparency;
    let ratio = (1.0 + m.c.pi * secrecy * (1.0 + m.c.lame_duck)) / (1.0 + m.c.pi * secrecy);
    assert!((lame / normal - ratio).abs() < 1e-12);
    // Or with approval 0.1 under the baseline (Japan has no term calendar).
    assert!(!sim.lame(JP));
    sim.st.approval[JP] = sim.st.baseline[JP] - 0.11;
    assert!(sim.lame(JP));
}

#[test]
fn an_early_termination_opens_an_acting_government_then_a_snap_election() {
    let (s, m) = default_compiled();
    let mut sim = new_sim(&m, &s, "status_quo");
    sim.draws.kr_early = 0.0;
    sim.elections_month(3, &[]);
    assert_eq!(sim.st.acting_until[KR], Some(3 + m.c.acting_months as i64));
    assert!(sim.st.pending_kr.is_none());
    assert_eq!(sim.diag.early_terminations, 1);
    sim.t = 4;
    assert!(sim.acting(KR));
    // No second termination while acting; the snap election falls due when it ends.
    let end = 3 + m.c.acting_months;
    sim.elections_month(end - 1, &[]);
    assert_eq!(sim.diag.early_terminations, 1);
    assert!(sim.st.pending_kr.is_none());
    sim.draws.kr_early = 1.0;
    sim.elections_month(end, &[]);
    assert!(sim.st.pending_kr.is_some());
}

#[test]
fn a_raise_averages_its_build_quality_into_the_track() {
    let (s, m) = default_compiled();
    let mut sim = new_sim(&m, &s, "hasty");
    let k = track(&m, "summitry");
    let q0 = sim.st.quality[k];
    assert_eq!(q0, m.tracks[k].quality);
    sim.st.rung[k] = 1;
    sim.apply_move(k, [0.0; 2], 0.1);
    assert_eq!(sim.st.rung[k], 2);
    assert!((sim.st.quality[k] - (q0 + 0.1) / 2.0).abs() < EPS);
    // A raise at the top rung changes nothing.
    sim.st.rung[k] = m.tracks[k].max;
    let q = sim.st.quality[k];
    sim.apply_move(k, [0.0; 2], 1.0);
    assert_eq!((sim.st.rung[k], sim.st.quality[k]), (m.tracks[k].max, q));
    // A path move's quality: the path's transparency and legislate share, public calm and
    // cross-camp consent, weighted.
    let w = m.c.quality_weights;
    assert!((w.iter().sum::<f64>() - 1.0).abs() < EPS);
    sim.st.backlash[KR] = 0.5 * m.c.b_crit;
    let consent = sim.keep_value_for_camp(KR, k, 1) >= 0.0;
    let expected = w[0] * sim.path.transparency
        + w[1] * sim.path.legislate
        + w[2] * 0.5
        + if consent { w[3] } else { 0.0 };
    assert!((sim.move_quality(k) - expected).abs() < EPS);
    let g = new_sim(&m, &s, "gradual");
    assert!(g.move_quality(k) > sim.move_quality(k) - w[2] * 0.5);
}

#[test]
fn a_fall_costs_lock_in_on_every_track_that_fell_and_a_rejection_scars() {
    let (s, m) = default_compiled();
    let mut sim = new_sim(&m, &s, "gradual");
    let (intel, warn) = (track(&m, "intelligence"), track(&m, "missile_warning"));
    let summ = track(&m, "summitry");
    sim.st.rung[summ] = 1;
    sim.st.rung[intel] = 1;
    sim.st.rung[warn] = 1;
    sim.st.lock.iter_mut().for_each(|l| *l = 0.6);
    sim.t = 5;
    assert_eq!(
        sim.fall(intel, true, Fall::Rollback),
        2,
        "missile_warning cascades"
    );
    let kept = 0.6 * (1.0 - m.c.lock_loss);
    assert!((sim.st.lock[intel] - kept).abs() < EPS);
    assert!((sim.st.lock[warn] - kept).abs() < EPS);
    assert_eq!(sim.st.lock[summ], 0.6);
    // The dependant dropped with its prerequisite carries the fall's scar; the track that did
    // not fall does not.
    assert_eq!(sim.st.scar[intel], m.c.scar_months);
    assert_eq!(sim.st.scar[warn], m.c.scar_months);
    assert_eq!(sim.st.scar[summ], 0);
    assert!(!sim.eligible(intel, 20), "no proposal on a scarred track");
    assert!(!sim.eligible(warn, 20), "nor on a scarred dependant");
    // A fall at rung 0 changes nothing and scars nothing.
    let reg = track(&m, "regional");
    assert_eq!(sim.fall(reg, true, Fall::Rollback), 0);
    assert_eq!(sim.st.scar[reg], 0);
}

#[test]
fn every_fall_is_counted_on_its_track_and_under_its_cause() {
    let (s, m) = default_compiled();
    let mut sim = new_sim(&m, &s, "gradual");
    let (intel, warn) = (track(&m, "intelligence"), track(&m, "missile_warning"));
    sim.st.rung[track(&m, "summitry")] = 1; // intelligence's prerequisite
    sim.st.rung[intel] = 2;
    sim.st.rung[warn] = 1;
    sim.t = 5;
    // A rollback of intelligence 2 → 1 leaves missile_warning's prerequisite (intelligence ≥ 1)
    // in place; a lapse then drops intelligence to 0 and missile_warning with it.
    sim.fall(intel, true, Fall::Rollback);
    sim.fall(intel, true, Fall::Lapse);
    assert_eq!(sim.acc.track_falls[intel], [1, 1, 0]);
    assert_eq!(
        sim.acc.track_falls[warn],
        [0, 1, 0],
        "the dependant counts as a lapse"
    );
    assert_eq!(
        (sim.acc.rollbacks, sim.diag.lapses, sim.acc.reversals),
        (1, 2, 0)
    );
    // Reversals, per track and by cause; the causes sum to the reversals.
    sim.st.rung[intel] = 2;
    sim.fall(intel, false, Fall::Turnover);
    sim.fall(intel, false, Fall::CounterThreat);
    assert_eq!(sim.acc.track_falls[intel], [1, 1, 2]);
    assert_eq!(sim.acc.reversal_causes, [1, 0, 1, 0]);
    assert_eq!(sim.acc.reversals, 2);
    // The month's falls feed US friction.
    assert_eq!(sim.st.fell_now[intel], 4);
}

#[test]
fn scars_heal_a_month_at_a_time_and_twice_as_fast_after_a_nuclear_test() {
    let mut s = Scenario::default();
    s.world.politics.lapse_hazard = Param::Fixed(0.0);
    let m = compiled(&s);
    let mut sim = new_sim(&m, &s, "gradual");
    sim.st.nk_regime = 1; // testing, not surge
    let k = track(&m, "intelligence");
    sim.t = 3;
    sim.scar(k);
    sim.support_month();
    assert_eq!(
        sim.st.scar[k], m.c.scar_months,
        "not in the month it is set"
    );
    sim.t = 4;
    sim.support_month();
    assert_eq!(sim.st.scar[k], m.c.scar_months - 1);
    sim.st.last_nuclear = 2;
    sim.t = 7;
    sim.support_month();
    assert_eq!(
        sim.st.scar[k],
        m.c.scar_months - 3,
        "within 6 months of a test"
    );
    sim.t = 8;
    sim.support_month();
    assert_eq!(
        sim.st.scar[k],
        m.c.scar_months - 4,
        "6 months on: one a month again"
    );
}

#[test]
fn an_unvalued_rung_lapses_unless_locked_in_or_its_government_is_acting() {
    let (s, m) = default_compiled();
    let reg = track(&m, "regional");
    let summ = track(&m, "summitry");
    let setup = |lock: f64, draw: f64| {
        let mut sim = new_sim(&m, &s, "gradual");
        sim.t = 10;
        sim.st.rung[summ] = 2;
        sim.st.rung[reg] = 1;
        sim.st.lock[reg] = lock;
        sim.st.lock[summ] = 1.0;
        // A cold, distrustful Korea does not value the regional rung.
        sim.st.fav[KR] = 0.05;
        sim.st.tau_jk = 0.05;
        for d in sim.draws.lapse.iter_mut() {
            *d = [draw, draw];
        }
        sim
    };
    let probe = setup(0.0, 0.0);
    let v = probe.keep_value(KR, reg);
    assert!(v < 0.0, "V = {v}");
    let p = m.c.lapse_hazard * (-v / m.c.lapse_scale).min(1.0);
    // Just under the hazard: it lapses (a scarred fall, counted); just over: it holds.
    let mut a = setup(0.0, p * 0.99);
    a.support_month();
    assert_eq!(a.st.rung[reg], 0);
    assert_eq!(a.diag.lapses, 1);
    assert_eq!(a.st.scar[reg], m.c.scar_months);
    let mut b = setup(0.0, p * 1.01);
    b.support_month();
    assert_eq!(b.st.rung[reg], 1);
    // Lock-in damps it: Λ = 1 never lapses.
    let mut c = setup(1.0, 0.0);
    c.support_month();
    assert_eq!(c.st.rung[reg], 1);
    // An acting Korean government lets nothing lapse on its side.
    let mut d = setup(0.0, p * 0.99);
    d.st.acting_until[KR] = Some(20);
    if d.keep_value(JP, reg) >= 0.0 {
        d.support_month();
        assert_eq!(d.st.rung[reg], 1);
    }
}

#[test]
fn lock_in_grows_with_build_quality_and_acceptance_and_erodes_where_unvalued() {
    let mut s = Scenario::default();
    s.world.politics.lapse_hazard = Param::Fixed(0.0);
    let m = compiled(&s);
    let k = track(&m, "summitry");
    let grow = |q: f64, fav: f64| {
        let mut sim = new_sim(&m, &s, "gradual");
        sim.st.rung[k] = 1;
        sim.st.lock[k] = 0.2;
        sim.st.quality[k] = q;
        sim.st.fav = [fav, fav];
        sim.st.backlash = [0.0, 0.0];
        sim.support_month();
        (
            sim.st.lock[k],
            sim.keep_value(KR, k) >= 0.0 && sim.keep_value(JP, k) >= 0.0,
        )
    };
    let (full, valued) = grow(1.0, 0.5);
    assert!(valued);
    assert!((full - (0.2 + m.tracks[k].lambda * 0.8)).abs() < EPS);
    let (half, _) = grow(0.5, 0.5);
    assert!((half - (0.2 + m.tracks[k].lambda * 0.5 * 0.8)).abs() < EPS);
    let (none, _) = grow(0.0, 0.5);
    assert!((none - 0.2).abs() < EPS, "top-down rungs do not lock in");
    // A cold public: acceptance P = Π min(1, F/F_ref) and the rung is not valued: it erodes.
    let (cold, valued) = grow(1.0, 0.02);
    let p = (0.02 / m.c.fav_ref[KR]) * (0.02 / m.c.fav_ref[JP]);
    let decay = if valued { 0.0 } else { m.c.lock_decay };
    let expected = 0.2 + m.tracks[k].lambda * p * 0.8 - decay * 0.2;
    assert!((cold - expected).abs() < EPS);
}

#[test]
fn a_collapse_below_the_us_wish_list_costs_trust_in_washington_at_once() {
    let (s, m) = default_compiled();
    let k = track(&m, "intelligence");
    let friction = |fell: bool| {
        let mut sim = new_sim(&m, &s, "hasty");
        sim.st.rung[track(&m, "summitry")] = 1;
        sim.st.rung[k] = 1;
        if fell {
            sim.st.fell_now[k] = 1;
        }
        let before = sim.st.tau_ku;
        sim.us_friction_month();
        before - sim.st.tau_ku
    };
    let w_sum: f64 = m.tracks.iter().map(|t| t.w).sum();
    let em = m.paths[super::tests::path(&s, "hasty")].expectation_management;
    let extra = friction(true) - friction(false);
    assert!((extra - (1.0 - em) * m.c.f_fall * m.tracks[k].w / w_sum).abs() < EPS);
}

#[test]
fn a_material_act_opens_a_deliberation_executed_after_its_lag_then_a_counter_threat() {
    let (s, m) = default_compiled();
    let mut sim = new_sim(&m, &s, "status_quo");
    let (econ, intel) = (track(&m, "economic_security"), track(&m, "intelligence"));
    sim.st.rung[track(&m, "summitry")] = 1;
    sim.st.rung[econ] = 1;
    sim.st.rung[intel] = 1;
    let i = 1; // forced_labor: a ruling offends Japan
    sim.t = 0;
    sim.draws.deliberate[i] = [0.0, 0.0];
    sim.draws.linkage = [[0.0, 1.0, 1.0]; 2]; // shortest lag, never dropped or cancelled
    sim.note_act(i, JP, 1.0);
    sim.deliberations_month();
    let p = sim.st.pending_retaliation[JP].expect("deliberation opened");
    assert_eq!(p.resolves, m.c.lag_min as i64);
    // One test per issue and side a month: the month's acts are used up by its test.
    sim.st.pending_retaliation[JP] = None;
    sim.deliberations_month();
    assert!(sim.st.pending_retaliation[JP].is_none());
    sim.st.pending_retaliation[JP] = Some(p);
    for t in 1..=m.c.lag_min {
        sim.t = t;
        sim.history_events(&[]);
    }
    assert_eq!(sim.st.rung[econ], 0, "executed after the lag");
    assert!(
        sim.st.counter_threat[KR].is_some(),
        "Seoul threatens intelligence"
    );
    let end = m.c.lag_min + m.c.counter_months;
    for t in m.c.lag_min + 1..=end {
        sim.t = t;
        sim.history_events(&[]);
    }
    assert_eq!(sim.st.rung[intel], 0, "uncancelled: carried out");
    assert_eq!(sim.st.scar[intel], m.c.scar_months);
}

#[test]
fn the_deliberation_is_tested_once_a_month_at_the_strongest_act() {
    let (s, m) = default_compiled();
    let i = 1; // forced_labor: a ruling offends Japan
    let w_ritual = m.c.ritual_weight;
    assert!(w_ritual > 0.0 && w_ritual < 1.0);
    // P(deliberation) = p_ret·hawk_JP·ω·o_i with the month's uniform of issue i and Japan.
    let probability = |w: f64| {
        let sim = new_sim(&m, &s, "status_quo");
        let is = &sim.st.issues[i];
        let open = match is.status {
            crate::scenario::IssueStatus::Settled => 1.0 - is.quality,
            _ => 1.0,
        };
        m.c.p_retaliate * m.c.camp_hawkishness[sim.st.camp[JP]] * w * open
    };
    let (p_ritual, p_material) = (probability(w_ritual), probability(1.0));
    assert!(p_ritual < p_material && p_material < 1.0);
    // Whether Japan decides a retaliation in a month with acts (flare-ups offending Japan) of
    // weights `acts`, in that order, when the month's uniform is `u`.
    let opened = |acts: &[f64], u: f64| {
        let mut sim = new_sim(&m, &s, "status_quo");
        sim.t = 0;
        sim.draws.deliberate[i] = [1.0, u];
        sim.draws.linkage = [[0.0, 1.0, 1.0]; 2];
        for &w in acts {
            sim.flare_up(i, JP, w);
            assert!(
                sim.st.pending_retaliation[JP].is_none(),
                "tested at the end"
            );
        }
        sim.deliberations_month();
        sim.st.pending_retaliation[JP].is_some()
    };
    let below = |p: f64| p * (1.0 - 1e-9);
    let above = |p: f64| p * (1.0 + 1e-9);
    // A ritual act alone: the ritual probability.
    assert!(opened(&[w_ritual], below(p_ritual)));
    assert!(!opened(&[w_ritual], above(p_ritual)));
    // A ritual act, then a material one the same month: the material act's probability (the
    // ritual act does not use up the month's test); the same in the other order.
    let between = (p_ritual + p_material) / 2.0;
    for acts in [[w_ritual, 1.0], [1.0, w_ritual]] {
        assert!(opened(&acts, below(p_material)), "{acts:?}");
        assert!(opened(&acts, between), "{acts:?}");
        assert!(!opened(&acts, above(p_material)), "{acts:?}");
    }
    // Exactly one test a month whatever the number of acts: more acts do not add chances.
    assert!(!opened(&[w_ritual, 1.0, w_ritual, 1.0], above(p_material)));
    // Over the month's uniform, the chance is p_material: the share of a grid that opens.
    let n = 2_000;
    let share = (0..n)
        .filter(|&j| opened(&[w_ritual, 1.0], (j as f64 + 0.5) / n as f64))
        .count() as f64
        / n as f64;
    assert!(
        (share - p_material).abs() <= 1.0 / n as f64,
        "{share} vs {p_material}"
    );
}

// ---------------------------------------------------------------------------------------------
// Cooperation paths (docs/model.md §3.8): relative gates, the path in force, hasty_open
// ---------------------------------------------------------------------------------------------

/// A live `gradual` simulation whose every gate condition holds for `k` (trust at its
/// reference, favourability at its equilibrium, no backlash, calm since long ago).
fn open_gate<'m>(
    m: &'m super::compiled::Compiled,
    s: &Scenario,
    k: usize,
) -> super::state::Sim<'m> {
    let mut sim = new_sim(m, s, "gradual");
    sim.t = 20;
    sim.st.tau_jk = 0.5;
    sim.st.gate_trust_ref = 0.5;
    sim.st.fav[KR] = m.c.fav_target[KR];
    sim.st.backlash = [0.0; 2];
    assert!(sim.gate_open(k, 20));
    sim
}

#[test]
fn a_relative_gate_checks_trust_drop_favourability_margin_backlash_share_and_calm() {
    let (s, m) = default_compiled();
    let (summ, ex) = (track(&m, "summitry"), track(&m, "exercises"));
    let g = m.paths[super::tests::path(&s, "gradual")].gates[summ].unwrap();
    // Bundled: δ_τ 0.02, δ_F 0.05 below σ 0.4 (summitry) and 0.02 above (exercises), β_g 0.3,
    // m_calm 6, no absolute floor.
    assert_eq!(g.trust_drop, Some(0.02));
    assert_eq!(g.favourability_margin, Some(0.05));
    let gx = m.paths[super::tests::path(&s, "gradual")].gates[ex].unwrap();
    assert_eq!(gx.favourability_margin, Some(0.02));
    assert_eq!((g.backlash_share, g.calm_months), (Some(0.3), 6));
    assert_eq!((g.trust, g.favourability), (0.0, 0.0));
    let t = 20;
    // Trust: relative to τ_JK at the last accepted move, whatever its level.
    let mut sim = open_gate(&m, &s, summ);
    sim.st.tau_jk = 0.5 - 0.02 + 1e-9;
    assert!(sim.gate_open(summ, t));
    sim.st.tau_jk = 0.5 - 0.02 - 1e-9;
    assert!(!sim.gate_open(summ, t), "trust fell more than δ_τ");
    sim.st.gate_trust_ref = 0.1;
    sim.st.tau_jk = 0.1;
    assert!(sim.gate_open(summ, t), "low but steady trust passes");
    // Favourability: against the equilibrium F*_KR less δ_F,k.
    let mut sim = open_gate(&m, &s, summ);
    sim.st.fav[KR] = m.c.fav_target[KR] - 0.05 - 1e-9;
    assert!(!sim.gate_open(summ, t));
    sim.st.fav[KR] = m.c.fav_target[KR] - 0.03;
    assert!(sim.gate_open(summ, t));
    assert!(!sim.gate_open(ex, t), "δ_F 0.02 on a sensitive track");
    // Backlash: on both sides, against β_g·B_crit.
    for side in [KR, JP] {
        let mut sim = open_gate(&m, &s, summ);
        sim.st.backlash[side] = 0.3 * m.c.b_crit + 1e-9;
        assert!(!sim.gate_open(summ, t), "side {side}");
        sim.st.backlash[side] = 0.3 * m.c.b_crit;
        assert!(sim.gate_open(summ, t));
    }
    // Calm: a crisis or an executed retaliation on either side in the last 6 months.
    for side in [KR, JP] {
        let mut sim = open_gate(&m, &s, summ);
        sim.st.last_crisis_month[side] = t - 5;
        assert!(!sim.gate_open(summ, t));
        sim.st.last_crisis_month[side] = t - 6;
        assert!(sim.gate_open(summ, t));
        sim.st.last_retaliation[side] = t;
        assert!(!sim.gate_open(summ, t));
        sim.st.last_retaliation[side] = t - 6;
        sim.st.in_crisis[side] = true;
        assert!(!sim.gate_open(summ, t), "in crisis now");
    }
    // Gradual gates every track, nontraditional included; a track without a gate and a path
    // without gates (hasty) pass anything.
    let nt = track(&m, "nontraditional");
    let mut sim = new_sim(&m, &s, "gradual");
    sim.st.tau_jk = 0.0;
    sim.st.backlash = [10.0; 2];
    assert!(!sim.gate_open(nt, 0));
    let mut ungated = s.clone();
    ungated.paths["gradual"]
        .gates
        .shift_remove("nontraditional");
    let m2 = compiled(&ungated);
    let mut sim = new_sim(&m2, &ungated, "gradual");
    sim.st.tau_jk = 0.0;
    sim.st.backlash = [10.0; 2];
    assert!(sim.gate_open(nt, 0));
    let mut hasty = new_sim(&m, &s, "hasty");
    hasty.st.tau_jk = 0.0;
    hasty.st.backlash = [10.0; 2];
    assert!(hasty.gate_open(summ, 0));
}

#[test]
fn gates_follow_the_path_moves_the_crises_and_the_retaliations_of_the_run() {
    let (s, m) = default_compiled();
    let summ = track(&m, "summitry");
    // The trust reference is τ_JK when the path comes into force, then at each accepted move.
    let mut sim = new_sim(&m, &s, "hasty");
    assert_eq!(sim.st.gate_trust_ref, m.c.trust_jk0);
    sim.st.tau_jk = 0.33;
    sim.switch_path(super::tests::path(&s, "gradual"));
    assert_eq!(sim.st.gate_trust_ref, 0.33);
    sim.st.tau_jk = 0.9;
    sim.st.fav[KR] = 0.9;
    sim.st.approval = [0.9; 2];
    sim.st.backlash = [0.0; 2];
    sim.st.theta_nk = [1.0; 2];
    sim.draws.misjudge = [0.0; 2];
    sim.t = 0;
    sim.proposals_month(&[]);
    assert!(
        sim.st.rung[summ] >= 1 || sim.diag.moves > 0,
        "a move was accepted"
    );
    assert_eq!(sim.st.gate_trust_ref, 0.9);
    // A month ending in crisis, and an executed retaliation, are remembered per side.
    sim.t = 3;
    sim.st.in_crisis[JP] = true;
    sim.note_crisis_months();
    assert_eq!(sim.st.last_crisis_month, [i64::MIN / 2, 3]);
    let mut sim = new_sim(&m, &s, "status_quo");
    sim.st.rung[summ] = 1;
    sim.st.rung[track(&m, "economic_security")] = 1;
    sim.t = 4;
    let e = super::compiled::EventC::Retaliation {
        by: JP,
        issue: 1,
        track: track(&m, "economic_security"),
        resolves: None,
        execute: true,
    };
    sim.history_events(&[(4, e)]);
    assert_eq!(sim.st.last_retaliation[JP], 4);
}

#[test]
fn the_path_in_force_follows_events_then_the_schedule_then_the_camps() {
    use crate::scenario::{Camp, PathPeriod};
    let mut s = Scenario::default();
    // hasty applies to conservative governments only; progressive ones follow history_first.
    s.paths.get_mut("hasty").unwrap().camps = vec![Camp::Conservative];
    s.scenario.path_by_camp.progressive = Some("history_first".into());
    s.scenario.path_schedule = vec![PathPeriod {
        from: s.scenario.start.plus(10),
        until: Some(s.scenario.start.plus(20)),
        path: "parallel".into(),
    }];
    let id = |n: &str| super::tests::path(&s, n);
    let (hasty, hf, par, sq) = (
        id("hasty"),
        id("history_first"),
        id("parallel"),
        id("status_quo"),
    );
    let m = compiled(&s);
    assert_eq!(m.path_schedule, [(10, 20, par)]);
    let mut sim = new_sim(&m, &s, "hasty");
    assert_eq!(s.actors.seoul.camp, Camp::Conservative);
    assert_eq!(
        sim.path_index, hasty,
        "the compared path names the camp in office"
    );
    // A progressive government: its own path, at once (turnover re-evaluates).
    sim.t = 2;
    sim.st.negotiation = Some((0, 3.0));
    sim.turnover(KR, 1, 2);
    assert_eq!(sim.path_index, hf);
    assert_eq!(
        sim.st.negotiation, None,
        "a new path restarts the negotiation"
    );
    // gradual names every camp: it stays in force.
    let mut g = new_sim(&m, &s, "gradual");
    g.turnover(KR, 1, 2);
    assert_eq!(g.path_index, id("gradual"));
    // The schedule overrides the camps from its first month until `until`.
    for t in 3..25 {
        sim.t = t;
        sim.schedule_path_month();
        let want = if (10..20).contains(&t) { par } else { hf };
        assert_eq!(sim.path_index, want, "month {t}");
    }
    // A path event overrides the schedule and everything after it.
    sim.t = 12;
    sim.refresh_path();
    assert_eq!(sim.path_index, par);
    sim.path_event(sq);
    assert_eq!(sim.path_index, sq);
    sim.turnover(KR, 0, 12);
    sim.t = 20;
    sim.schedule_path_month();
    assert_eq!(sim.path_index, sq);
    // In a whole run every month's record shows the path in force; the draws do not depend on
    // it (the streams end in the same states as on a path that never switches).
    let model = super::Model::new(&s);
    let mut seen = Vec::new();
    let (_, d1) =
        model.simulate_with_diagnostics(hasty, 3, 0, &mut |r| seen.push(r.sim.path_index));
    assert_eq!(seen[0], hasty);
    assert!(seen[10..20].iter().all(|&p| p == par));
    let (_, d2) = model.simulate_with_diagnostics(sq, 3, 0, &mut |_| {});
    assert_eq!(d1.stream_probe, d2.stream_probe);
}

#[test]
fn hasty_open_is_hasty_with_gradual_transparency_legislation_and_expectation_management() {
    let (s, m) = default_compiled();
    let id = |n: &str| super::tests::path(&s, n);
    let (h, o, g) = (
        &m.paths[id("hasty")],
        &m.paths[id("hasty_open")],
        &m.paths[id("gradual")],
    );
    assert_eq!(o.transparency, g.transparency);
    assert_eq!(o.legislate, g.legislate);
    assert_eq!(o.expectation_management, g.expectation_management);
    assert_eq!(o.order, h.order);
    assert_eq!((o.min_dwell, o.max_moves), (h.min_dwell, h.max_moves));
    assert_eq!(o.gates, h.gates);
    assert!(o.gates.iter().all(Option::is_none));
    assert_eq!(o.respect_winset, h.respect_winset);
    assert_eq!(o.targets, h.targets);
    assert_eq!(o.settlement_quality, h.settlement_quality);
    assert_eq!(o.months_to_settle, h.months_to_settle);
}

#[test]
fn each_side_enters_a_crisis_at_its_own_b_crit() {
    let mut s = Scenario::default();
    s.world.politics.b_crit_jp = Param::Fixed(6.0);
    let m = compiled(&s);
    assert_eq!(m.c.b_crit_of(KR), 3.0);
    assert_eq!(m.c.b_crit_of(JP), 6.0);
    let mut sim = new_sim(&m, &s, "status_quo");
    sim.st.backlash = [4.0, 4.0];
    sim.crisis_month(0);
    assert!(sim.st.in_crisis[KR], "4 > B_crit,KR = 3");
    assert!(!sim.st.in_crisis[JP], "4 < B_crit,JP = 6");
    sim.st.backlash[JP] = 6.5;
    sim.crisis_month(1);
    assert!(sim.st.in_crisis[JP]);
}
