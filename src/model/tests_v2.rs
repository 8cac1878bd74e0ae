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
