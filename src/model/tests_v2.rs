//! Tests of the version-2 mechanisms, each on its own on a live simulation state
//! (docs/model.md §3.3, §3.9–§3.11): readiness, the history brake, the US push through trust,
//! per-side US bridges.

use super::compiled::{JP, KR};
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
        let extra = m.c.china_weight * tr.chi * m.c.exposure[KR] * m.c.h_move * tr.chi;
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
