//! Tests of the history negotiation with Japan's win-set, settlements and monthly repudiation
//! (docs/model.md §3.13), each mechanism on its own on a live simulation state.

use super::compiled::{JP, KR};
use super::tests::{compiled, new_sim};
use crate::scenario::{IssueStatus, Param, Scenario};

const EPS: f64 = 1e-12;

/// A scenario whose `hasty` path concludes its negotiation in the first month.
fn instant_hasty() -> Scenario {
    let mut s = Scenario::default();
    s.paths.get_mut("hasty").unwrap().months_to_settle = Param::Fixed(0.0);
    s
}

#[test]
fn japan_ceiling_follows_threat_mediation_and_grievance_by_camp() {
    let s = Scenario::default();
    let m = compiled(&s);
    let mut sim = new_sim(&m, &s, "gradual");
    let c = &m.c;
    sim.st.theta_nk[JP] = 0.5;
    sim.st.theta_cn[JP] = 0.2;
    sim.st.grievance[JP] = 0.25;
    let expect = |sim: &super::state::Sim| {
        (c.ceiling_base + c.ceiling_threat * 0.5 + c.ceiling_mediation * sim.m_hist()
            - c.ceiling_grievance[sim.st.camp[JP]] * 0.25)
            .clamp(0.0, 1.0)
    };
    assert!((sim.japan_ceiling() - expect(&sim)).abs() < EPS);
    // A hawkish prime minister concedes less for the same grievance.
    sim.st.camp[JP] = 2;
    let mainstream = sim.japan_ceiling();
    sim.st.camp[JP] = 3;
    assert!(sim.japan_ceiling() < mainstream - 0.05);
}

#[test]
fn a_settlement_takes_the_lower_of_the_path_quality_and_the_ceiling_and_costs_both_sides() {
    let s = instant_hasty();
    let m = compiled(&s);
    let mut sim = new_sim(&m, &s, "hasty");
    sim.st.grievance[JP] = 0.0;
    sim.settlement_month();
    let i = sim
        .st
        .issues
        .iter()
        .position(|i| i.status == IssueStatus::Settled)
        .expect("settled");
    let q = sim.path.settlement_quality.min(sim.japan_ceiling());
    assert!((sim.st.issues[i].quality - q).abs() < 1e-9);
    assert!((sim.st.issues[i].salience - m.issues[i].salience * (1.0 - q)).abs() < 1e-9);
    assert!(sim.st.new_backlash[KR] > 0.0);
    assert!(sim.st.new_backlash[JP] > 0.0);
    // Japan's cost grows with the quality conceded: sb_JP = 0 removes it.
    let mut s0 = instant_hasty();
    s0.world.negotiation.backlash_jp = Param::Fixed(0.0);
    let m0 = compiled(&s0);
    let mut sim0 = new_sim(&m0, &s0, "hasty");
    sim0.settlement_month();
    assert_eq!(sim0.st.new_backlash[JP], 0.0);
}

#[test]
fn a_ceiling_below_the_floor_stalls_the_negotiation_until_it_rises() {
    let mut s = Scenario::default();
    s.paths.get_mut("gradual").unwrap().months_to_settle = Param::Fixed(0.0);
    let m = compiled(&s);
    let mut sim = new_sim(&m, &s, "gradual");
    sim.st.camp[JP] = 3;
    sim.st.grievance[JP] = 1.0;
    assert!(sim.japan_ceiling() < sim.path.settlement_floor);
    let g = sim.st.grievance[JP];
    sim.settlement_month();
    sim.settlement_month();
    assert!(sim
        .st
        .issues
        .iter()
        .all(|i| i.status != IssueStatus::Settled));
    assert_eq!(sim.diag.settlement_stalls, 2);
    // A stalled negotiation makes no demands.
    assert_eq!(sim.st.grievance[JP], g);
    // Once Tokyo's grievance falls, the same negotiation concludes.
    sim.st.grievance[JP] = 0.0;
    sim.st.camp[JP] = 2;
    sim.st.theta_nk[JP] = 1.0;
    sim.settlement_month();
    assert_eq!(sim.diag.settlements, 1);
}

#[test]
fn korean_demands_feed_japanese_grievance_while_talks_progress() {
    let s = Scenario::default();
    let m = compiled(&s);
    let mut sim = new_sim(&m, &s, "gradual");
    sim.st.grievance[JP] = 0.1;
    sim.settlement_month();
    let (i, progress) = sim.st.negotiation.expect("negotiating");
    assert!(progress > 0.0);
    let demand = m.c.demand_grievance * sim.path.settlement_quality * sim.st.issues[i].salience;
    assert!(demand > 0.0);
    assert!((sim.st.grievance[JP] - 0.1 - demand).abs() < EPS);
}

#[test]
fn repudiation_is_a_monthly_hazard_of_the_other_camp_that_offends_tokyo() {
    let s = instant_hasty();
    let m = compiled(&s);
    let mut sim = new_sim(&m, &s, "hasty");
    sim.settlement_month();
    let i = sim
        .st
        .issues
        .iter()
        .position(|i| i.status == IssueStatus::Settled)
        .expect("settled");
    for h in sim.draws.hist.iter_mut() {
        h[4] = 0.0;
    }
    // The camp that settled does not repudiate.
    sim.repudiation_month(&[]);
    assert_eq!(sim.st.issues[i].status, IssueStatus::Settled);
    // The other camp does, when the draw falls under h_rep·(1 − q)·(1 + H̄_KR).
    sim.st.camp[KR] = 1 - sim.st.camp[KR];
    let q = sim.st.issues[i].quality;
    let p = m.c.repudiation_hazard * (1.0 - q) * (1.0 + sim.st.grievance[KR]);
    for h in sim.draws.hist.iter_mut() {
        h[4] = p + 1e-9;
    }
    sim.repudiation_month(&[]);
    assert_eq!(sim.st.issues[i].status, IssueStatus::Settled);
    for h in sim.draws.hist.iter_mut() {
        h[4] = p - 1e-9;
    }
    let (tau, fav_jp) = (sim.st.tau_jk, sim.st.fav[JP]);
    sim.repudiation_month(&[]);
    assert_eq!(sim.st.issues[i].status, IssueStatus::Repudiated);
    assert_eq!(sim.st.issues[i].salience, m.issues[i].salience);
    assert!(sim.st.tau_jk <= tau - m.c.repudiation_trust + EPS);
    assert!(sim.st.fav[JP] < fav_jp);
    assert_eq!(sim.diag.repudiations, 1);
    // Not renegotiated before `renegotiate_after_months`.
    sim.st.negotiation = None;
    sim.settlement_month();
    assert!(sim.st.negotiation.is_none_or(|(j, _)| j != i));
}

#[test]
fn h_rep_zero_removes_repudiation() {
    let mut s = instant_hasty();
    s.world.politics.repudiation_hazard = Param::Fixed(0.0);
    let m = compiled(&s);
    let mut sim = new_sim(&m, &s, "hasty");
    sim.settlement_month();
    sim.st.camp[KR] = 1 - sim.st.camp[KR];
    for h in sim.draws.hist.iter_mut() {
        h[4] = 0.0;
    }
    sim.repudiation_month(&[]);
    assert_eq!(sim.diag.repudiations, 0);
}
