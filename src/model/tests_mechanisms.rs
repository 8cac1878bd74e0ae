//! Tests of the version-2 linkage, opinion, settlement and turnover mechanisms, each on its own
//! on a live simulation state with the month's pre-drawn numbers set explicitly (docs/model.md
//! §3.5, §3.7, §3.13, §3.14), and the common
//! random numbers of the `support` and `linkage` streams (§2.8).

use super::compiled::{Compiled, EventC, JP, KR};
use super::linkage::lag;
use super::state::{Hold, PendingRetaliation, PendingThreat, Sim};
use super::tests::{compiled, default_compiled, new_sim, track};
use crate::rng::{stream, uniform, Stream};
use crate::scenario::sample::sample;
use crate::scenario::{Cause, IssueStatus, NkRegime, Param, Scenario};

const EPS: f64 = 1e-12;
/// `comfort_women`: offends Seoul, salience 0.8, seasonal in August only.
const CW: usize = 0;
/// `forced_labor`: offends Seoul, salience 0.9, seasonal in March and August.
const FL: usize = 1;

/// Just under a threshold `p` (a uniform drawn here passes `u < p`).
fn below(p: f64) -> f64 {
    p * (1.0 - 1e-9)
}

/// Just over a threshold `p` (a uniform drawn here fails `u < p`).
fn above(p: f64) -> f64 {
    p * (1.0 + 1e-9)
}

/// A live simulation of path `name` whose month's draws make nothing random happen: no flare-up,
/// ruling, repudiation, deliberation, drop, cancellation, reversal, lapse or rollback, and no
/// noise (uniforms are drawn in [0, 1) and tested with `u < p`).
fn quiet_sim<'m>(m: &'m Compiled, s: &Scenario, name: &str) -> Sim<'m> {
    let mut sim = new_sim(m, s, name);
    let d = &mut sim.draws;
    d.china = [1.0; 2];
    d.hist.iter_mut().for_each(|h| *h = [1.0; 5]);
    d.kr_early = 1.0;
    d.kr_camp = 1.0;
    d.jp_turn = 1.0;
    d.jp_camp = 1.0;
    d.us_switch = 1.0;
    d.n_approval = [0.0; 2];
    d.n_fav = [0.0; 2];
    d.reverse.iter_mut().for_each(|x| *x = [1.0; 2]);
    d.rollback = [1.0; 2];
    d.misjudge = [0.0; 2];
    d.lapse.iter_mut().for_each(|x| *x = [1.0; 2]);
    d.deliberate.iter_mut().for_each(|x| *x = [1.0; 2]);
    d.linkage = [[1.0; 3]; 2];
    sim
}

/// Side `s`'s retaliation deliberation over issue `i`, decided in month `opened` by the camp in
/// office, falling due long after.
fn deliberation(sim: &mut Sim, s: usize, i: usize, opened: i64) {
    sim.st.pending_retaliation[s] = Some(PendingRetaliation {
        issue: i,
        track: sim.m.economic_security.expect("economic_security"),
        resolves: opened + 100,
        execute: true,
        deliberation: Some((opened, sim.st.camp[s])),
    });
}

// ---------------------------------------------------------------------------------------------
// 1. Dropping a deliberation (linkage.rs, events.rs)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_deliberation_is_dropped_from_the_next_month_with_probability_1_minus_exp_minus_d_m_m_hist() {
    let (s, m) = default_compiled();
    let econ = track(&m, "economic_security");
    for side in [KR, JP] {
        let p = 1.0 - (-m.c.drop_rate * quiet_sim(&m, &s, "status_quo").m_hist()).exp();
        assert!(p > 0.0 && p < 1.0, "{p}");
        for (u, dropped) in [(below(p), true), (above(p), false)] {
            let mut sim = quiet_sim(&m, &s, "status_quo");
            sim.st.rung[econ] = 1;
            sim.t = 3;
            deliberation(&mut sim, side, FL, 3);
            // Never in the month it is decided, whatever the draw.
            sim.draws.linkage[side] = [1.0, 0.0, 1.0];
            sim.history_events(&[]);
            assert!(
                sim.st.pending_retaliation[side].is_some(),
                "side {side}: decision month"
            );
            // From the next month, the side's own drop uniform decides (not the other side's).
            sim.draws.linkage[side] = [1.0, u, 1.0];
            sim.draws.linkage[1 - side] = [1.0, 0.0, 1.0];
            sim.t = 4;
            sim.history_events(&[]);
            assert_eq!(
                sim.st.pending_retaliation[side].is_none(),
                dropped,
                "side {side}, u {u}"
            );
            assert_eq!(sim.diag.linkage_dropped, dropped as u32);
            assert_eq!(sim.diag.linkage_retaliations, 0, "dropped, not executed");
            assert_eq!(sim.st.rung[econ], 1);
        }
    }
    // d_m = 0: 1 − exp(0) = 0, never dropped by chance, even at u = 0.
    let mut s0 = Scenario::default();
    s0.world.decisions.drop_rate = Param::Fixed(0.0);
    let m0 = compiled(&s0);
    let mut sim = quiet_sim(&m0, &s0, "status_quo");
    deliberation(&mut sim, JP, FL, 0);
    sim.draws.linkage[JP] = [1.0, 0.0, 1.0];
    for t in 1..12 {
        sim.t = t;
        sim.history_events(&[]);
    }
    assert!(sim.st.pending_retaliation[JP].is_some());
    assert_eq!(sim.diag.linkage_dropped, 0);
}

#[test]
fn a_deliberation_is_dropped_once_its_issue_is_settled_whatever_the_draw() {
    let (s, m) = default_compiled();
    for side in [KR, JP] {
        let mut sim = quiet_sim(&m, &s, "status_quo");
        sim.t = 0;
        deliberation(&mut sim, side, FL, 0);
        // Another issue's settlement changes nothing.
        sim.settle(CW, 0.5, None, false);
        sim.t = 1;
        sim.history_events(&[]);
        assert!(sim.st.pending_retaliation[side].is_some(), "side {side}");
        // Its own issue settled (step 2 of month 1): dropped in month 2's history step, with a
        // drop uniform (1.0) that never drops by chance.
        sim.settle(FL, 0.5, None, false);
        sim.t = 2;
        sim.history_events(&[]);
        assert!(sim.st.pending_retaliation[side].is_none(), "side {side}");
        assert_eq!(sim.diag.linkage_dropped, 1);
        assert_eq!(sim.diag.linkage_retaliations, 0);
    }
}

#[test]
fn a_deliberation_is_dropped_when_the_deciding_sides_camp_changes() {
    let (s, m) = default_compiled();
    for (side, new_camp) in [(KR, 1), (JP, 3)] {
        let mut sim = quiet_sim(&m, &s, "status_quo");
        let camp = sim.st.camp[side];
        assert_ne!(camp, new_camp);
        deliberation(&mut sim, side, FL, 0);
        deliberation(&mut sim, 1 - side, CW, 0);
        // A new government of the same camp keeps it.
        sim.turnover(side, camp, 0);
        sim.t = 1;
        sim.history_events(&[]);
        assert!(sim.st.pending_retaliation[side].is_some(), "side {side}");
        // A camp change (step 8 of month 1) drops it in month 2's history step; the other
        // side's deliberation stands.
        sim.turnover(side, new_camp, 1);
        sim.t = 2;
        sim.history_events(&[]);
        assert!(sim.st.pending_retaliation[side].is_none(), "side {side}");
        assert!(
            sim.st.pending_retaliation[1 - side].is_some(),
            "side {side}"
        );
        assert_eq!(sim.diag.linkage_dropped, 1);
    }
}

/// docs/model.md §3.5/§3.13: a settled issue keeps a chance of linkage scaled by (1 − q) (a
/// quick bad deal must not switch linkage off): a deliberation decided over an issue already
/// settled at the decision is not dropped for it, and is carried out.
#[test]
fn a_deliberation_decided_over_an_already_settled_issue_can_be_carried_out() {
    let (s, m) = default_compiled();
    let econ = track(&m, "economic_security");
    let q = 0.2;
    let mut sim = quiet_sim(&m, &s, "status_quo");
    sim.st.rung[econ] = 1;
    sim.settle(FL, q, None, false);
    // A month later, a ruling (a material act offending Tokyo) over the settled issue: decided
    // at p·(1 − q). (Within a month, settlements come after the deliberations: one settled in
    // the deliberation's own month or later drops it.)
    let p = m.c.p_retaliate * m.c.camp_hawkishness[sim.st.camp[JP]] * (1.0 - q);
    sim.t = 1;
    sim.draws.deliberate[FL] = [1.0, below(p)];
    sim.note_act(FL, JP, 1.0);
    sim.deliberations_month();
    let due = sim.st.pending_retaliation[JP]
        .expect("decided at p·(1 − q)")
        .resolves;
    for t in 2..=due {
        sim.t = t as u32;
        sim.history_events(&[]);
    }
    assert_eq!(
        sim.diag.linkage_dropped, 0,
        "not dropped for a settlement it followed"
    );
    assert_eq!(sim.st.rung[econ], 0, "carried out at the end of its lag");
}

// ---------------------------------------------------------------------------------------------
// 2. The deliberation probability p_ret·hawk_S·ω·o_i (linkage.rs)
// ---------------------------------------------------------------------------------------------

#[test]
fn the_deliberation_probability_is_p_ret_times_hawk_omega_and_openness() {
    let mut s = Scenario::default();
    s.world.decisions.ritual_weight = Param::Fixed(0.2);
    let m = compiled(&s);
    let c = &m.c;
    assert_eq!(
        c.ritual_weight, 0.2,
        "ω_ritual from world.decisions.ritual_weight"
    );
    let hawk = c.camp_hawkishness;
    assert!(hawk[0] != hawk[1] && hawk[2] != hawk[3], "camps differ");
    let q = 0.4;
    for (side, camp) in [(KR, 0), (KR, 1), (JP, 2), (JP, 3)] {
        for w in [c.ritual_weight, 1.0] {
            for status in [
                IssueStatus::Open,
                IssueStatus::Repudiated,
                IssueStatus::Settled,
            ] {
                let o = if status == IssueStatus::Settled {
                    1.0 - q
                } else {
                    1.0
                };
                let p = c.p_retaliate * hawk[camp] * w * o;
                assert!(p > 0.0 && p < 1.0);
                let opens = |u: f64| {
                    let mut sim = quiet_sim(&m, &s, "status_quo");
                    sim.st.camp[side] = camp;
                    sim.st.issues[FL].status = status;
                    sim.st.issues[FL].quality = q;
                    sim.draws.deliberate[FL][side] = u;
                    // The other side, not offended this month, is not tested at all.
                    sim.draws.deliberate[FL][1 - side] = 0.0;
                    sim.t = 0;
                    sim.note_act(FL, side, w);
                    sim.deliberations_month();
                    assert!(sim.st.pending_retaliation[1 - side].is_none());
                    sim.st.pending_retaliation[side].map(|p| p.issue)
                };
                let case = format!("side {side}, camp {camp}, ω {w}, {status:?}");
                assert_eq!(opens(below(p)), Some(FL), "{case}");
                assert_eq!(opens(above(p)), None, "{case}");
            }
        }
    }
    // A random flare-up in the history step is a ritual act of weight ω_ritual.
    let p = c.p_retaliate * hawk[c.camp0[KR]] * c.ritual_weight;
    for (u, opened) in [(below(p), true), (above(p), false)] {
        let mut sim = quiet_sim(&m, &s, "status_quo");
        sim.draws.hist[CW][0] = 0.0;
        sim.draws.deliberate[CW] = [u, 0.0];
        sim.t = 0;
        sim.history_month(0, &[]);
        assert_eq!(sim.diag.flare_ups, 1);
        assert_eq!(sim.st.pending_retaliation[KR].is_some(), opened, "u {u}");
        assert!(sim.st.pending_retaliation[JP].is_none());
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Execution (events.rs)
// ---------------------------------------------------------------------------------------------

#[test]
fn an_execution_lowers_and_holds_the_track_and_hits_the_other_public_which_may_deliberate() {
    let (s, m) = default_compiled();
    let c = &m.c;
    let (summ, econ, intel) = (
        track(&m, "summitry"),
        track(&m, "economic_security"),
        track(&m, "intelligence"),
    );
    for by in [KR, JP] {
        let o = 1 - by;
        // Side `by` carries out its deliberation over forced_labor in month 8; `u` is the other
        // side's deliberation uniform of the month.
        let run = |u: f64| {
            let mut sim = quiet_sim(&m, &s, "status_quo");
            sim.st.rung[summ] = 1;
            sim.st.rung[econ] = 1;
            sim.st.rung[intel] = 1;
            sim.st.fav = [0.5; 2];
            sim.st.grievance = [0.2; 2];
            sim.st.tau_jk = 0.5;
            sim.t = 8;
            sim.st.pending_retaliation[by] = Some(PendingRetaliation {
                issue: FL,
                track: econ,
                resolves: 8,
                execute: true,
                deliberation: Some((1, sim.st.camp[by])),
            });
            sim.draws.deliberate[FL][o] = u;
            sim.history_events(&[]);
            sim.deliberations_month();
            sim
        };
        let sim = run(1.0);
        assert!(sim.st.pending_retaliation[by].is_none());
        // economic_security falls one rung (no cascade here), counted; the side holds it.
        assert_eq!(sim.st.rung[econ], 0, "by {by}");
        assert_eq!((sim.st.rung[summ], sim.st.rung[intel]), (1, 1));
        assert_eq!(sim.acc.reversals, 1);
        assert_eq!(sim.diag.linkage_retaliations, 1);
        assert_eq!(sim.st.scar[econ], 0, "a retaliation does not scar");
        assert_eq!(sim.st.last_retaliation[by], 8);
        assert_eq!(
            sim.st.hold[by],
            Some(Hold {
                issue: FL,
                track: econ
            })
        );
        assert_eq!(sim.st.hold[o], None);
        // The other public: act effects, plus F_O −= f_ret and C_O = 1.
        let x = sim.st.issues[FL].salience * (1.0 - c.m_hist_damping * sim.m_hist()).max(0.0);
        assert!(x > 0.0);
        let f = 0.5 - c.flare_favourability * x - c.f_ret;
        assert!((sim.st.fav[o] - f).abs() < EPS, "by {by}");
        assert!((sim.st.grievance[o] - (0.2 + c.flare_grievance * x)).abs() < EPS);
        assert!((sim.st.tau_jk - (0.5 - c.flare_trust * x)).abs() < EPS);
        assert_eq!(sim.st.partner_coercion[o], 1.0);
        // The retaliating side's public is not hit.
        assert_eq!((sim.st.fav[by], sim.st.grievance[by]), (0.5, 0.2));
        assert_eq!(sim.st.partner_coercion[by], 0.0);
        // The other side threatens intelligence from the next month.
        assert_eq!(
            sim.st.counter_threat[o],
            Some(PendingThreat {
                track: intel,
                issue: Some(FL),
                resolves: 8 + c.counter_months as i64,
                execute: true,
                automatic: Some(9),
            })
        );
        // It may deliberate in turn the same month: a material act, p = p_ret·hawk_O.
        let p = c.p_retaliate * c.camp_hawkishness[sim.st.camp[o]];
        let turn = run(below(p)).st.pending_retaliation[o].expect("deliberates in turn");
        assert_eq!(turn.issue, FL);
        assert_eq!(turn.resolves, 8 + lag(c.lag_min, c.lag_max, 1.0));
        assert!(run(above(p)).st.pending_retaliation[o].is_none());
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Coercion memory in opinion (opinion.rs)
// ---------------------------------------------------------------------------------------------

#[test]
fn favourability_relaxes_toward_f_star_less_f_c_c_while_c_decays_by_d_c() {
    let (s, m) = default_compiled();
    let c = &m.c;
    assert!(c.a_f > 0.0 && c.f_c > 0.0 && c.d_c > 0.0 && c.d_c < 1.0);
    let mut sim = quiet_sim(&m, &s, "status_quo");
    // No favourability gain (crisis last month) and no noise: relaxation only.
    sim.st.crisis_last = [true; 2];
    sim.st.fav = [0.4, 0.35];
    sim.st.partner_coercion = [1.0, 0.5];
    let (mut f, mut mem) = (sim.st.fav, sim.st.partner_coercion);
    for month in 0..6 {
        sim.opinion_month();
        for side in [KR, JP] {
            f[side] += c.a_f * (c.fav_target[side] - c.f_c * mem[side] - f[side]);
            mem[side] *= 1.0 - c.d_c;
            assert!(
                (sim.st.fav[side] - f[side]).abs() < EPS,
                "month {month}, side {side}"
            );
            assert!((sim.st.partner_coercion[side] - mem[side]).abs() < EPS);
        }
    }
    assert!((sim.st.partner_coercion[KR] - (1.0 - c.d_c).powi(6)).abs() < EPS);
    // The memory's own effect in one month: a_F·f_C·C lower.
    let month = |mem: f64| {
        let mut sim = quiet_sim(&m, &s, "status_quo");
        sim.st.crisis_last = [true; 2];
        sim.st.fav = [0.3; 2];
        sim.st.partner_coercion = [mem; 2];
        sim.opinion_month();
        sim.st.fav
    };
    let (free, coerced) = (month(0.0), month(1.0));
    for side in [KR, JP] {
        assert!((free[side] - coerced[side] - c.a_f * c.f_c).abs() < EPS);
    }
    // At F = F* − f_C·C favourability stays put (the lowered target is the fixed point).
    let mut sim = quiet_sim(&m, &s, "status_quo");
    sim.st.crisis_last = [true; 2];
    sim.st.partner_coercion = [0.5; 2];
    let target = [KR, JP].map(|side| c.fav_target[side] - c.f_c * 0.5);
    assert!(target.iter().all(|&x| x > 0.0));
    sim.st.fav = target;
    sim.opinion_month();
    for side in [KR, JP] {
        assert!((sim.st.fav[side] - target[side]).abs() < EPS);
    }
}

// ---------------------------------------------------------------------------------------------
// 5. G_KR (decisions.rs apply_move, opinion.rs, cycle.rs)
// ---------------------------------------------------------------------------------------------

#[test]
fn each_raise_adds_w_over_max_sum_w_times_q_to_the_korean_favourability_gain() {
    let (s, m) = default_compiled();
    let (summ, econ) = (track(&m, "summitry"), track(&m, "economic_security"));
    let w_sum: f64 = m.tracks.iter().map(|t| t.w).sum();
    let g = |k: usize, q: f64| m.tracks[k].w / (m.tracks[k].max as f64 * w_sum) * q;
    assert!(g(summ, 1.0) != g(econ, 1.0));
    let mut sim = quiet_sim(&m, &s, "status_quo");
    assert_eq!(sim.st.raised_quality, 0.0);
    sim.apply_move(summ, [0.0; 2], 0.6);
    assert!((sim.st.raised_quality - g(summ, 0.6)).abs() < EPS);
    sim.apply_move(econ, [0.0; 2], 0.3);
    let mut expected = g(summ, 0.6) + g(econ, 0.3);
    assert!((sim.st.raised_quality - expected).abs() < EPS);
    // An event raise counts at the event's quality, once per rung.
    sim.move_events(&[(
        0,
        EventC::SetRung {
            track: summ,
            rung: 3,
            cause: Cause::Policy,
            backlash: false,
            cascade: true,
            scar: false,
            quality: Some(0.8),
        },
    )]);
    assert_eq!(sim.st.rung[summ], 3);
    expected += 2.0 * g(summ, 0.8);
    assert!((sim.st.raised_quality - expected).abs() < EPS);
    // A raise at the top rung raises nothing and adds nothing.
    sim.apply_move(summ, [0.0; 2], 1.0);
    assert!((sim.st.raised_quality - expected).abs() < EPS);
    // Last month's G_KR lifts F_KR by g_F·G_KR in a month after no Korean crisis; F_JP does not
    // see it (Japan's gain is ΔCI⁺).
    let month = |gk: f64, crisis: bool| {
        let mut sim = quiet_sim(&m, &s, "status_quo");
        sim.st.fav = [0.3; 2];
        sim.st.raised_quality_last = gk;
        sim.st.crisis_last = [crisis, false];
        sim.opinion_month();
        sim.st.fav
    };
    let (none, gained) = (month(0.0, false), month(expected, false));
    assert!((gained[KR] - none[KR] - m.c.g_f * expected).abs() < EPS);
    assert_eq!(gained[JP], none[JP]);
    assert_eq!(month(expected, true)[KR], month(0.0, true)[KR]);
    // The month's G_KR becomes last month's at the end of the step.
    let mut sim = new_sim(&m, &s, "status_quo");
    let raise = EventC::SetRung {
        track: summ,
        rung: 1,
        cause: Cause::Policy,
        backlash: false,
        cascade: true,
        scar: false,
        quality: Some(0.8),
    };
    sim.step(0, &[(0, raise)]);
    assert_eq!(sim.st.rung[summ], 1);
    assert!((sim.st.raised_quality_last - g(summ, 0.8)).abs() < EPS);
    assert_eq!(sim.st.raised_quality, 0.0);
}

// ---------------------------------------------------------------------------------------------
// 6. Lifting a hold (settlement.rs, politics.rs)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_hold_is_lifted_by_a_new_settlement_of_its_issue_or_a_camp_change_of_its_side() {
    let (s, m) = default_compiled();
    let econ = track(&m, "economic_security");
    let hold = Some(Hold {
        issue: FL,
        track: econ,
    });
    let held = |sim: &mut Sim| sim.st.hold = [hold; 2];
    // While held, raising the track is worth hold_value less to the holder.
    let mut sim = quiet_sim(&m, &s, "status_quo");
    let free = [KR, JP].map(|side| sim.value(side, econ));
    held(&mut sim);
    for side in [KR, JP] {
        assert!((free[side] - sim.value(side, econ) - m.c.hold_value).abs() < EPS);
    }
    // Another issue's settlement keeps it; its own issue's lifts both sides' holds over it.
    sim.settle(CW, 0.5, None, false);
    assert_eq!(sim.st.hold, [hold; 2]);
    sim.settle(FL, 0.5, None, false);
    assert_eq!(sim.st.hold, [None; 2]);
    for side in [KR, JP] {
        assert!((sim.value(side, econ) - free[side]).abs() < EPS);
    }
    // The same through a `settlement` event, and a settlement anew of a settled issue.
    let settlement = EventC::Settlement {
        issue: FL,
        quality: 0.6,
        camp: None,
        backlash: false,
    };
    let mut sim = quiet_sim(&m, &s, "status_quo");
    held(&mut sim);
    sim.move_events(&[(0, settlement)]);
    assert_eq!(sim.st.hold, [None; 2]);
    held(&mut sim);
    sim.move_events(&[(0, settlement)]);
    assert_eq!(sim.st.hold, [None; 2], "settled anew");
    // A turnover within the camp keeps the side's hold; a camp change lifts it (its own only).
    for (side, new_camp) in [(KR, 1), (JP, 3)] {
        let mut sim = quiet_sim(&m, &s, "status_quo");
        held(&mut sim);
        let camp = sim.st.camp[side];
        sim.turnover(side, camp, 0);
        assert_eq!(sim.st.hold, [hold; 2], "side {side}");
        sim.turnover(side, new_camp, 0);
        assert_eq!(sim.st.hold[side], None, "side {side}");
        assert_eq!(sim.st.hold[1 - side], hold, "side {side}");
    }
}

// ---------------------------------------------------------------------------------------------
// 7. Japanese grievance base (exogenous/history.rs)
// ---------------------------------------------------------------------------------------------

#[test]
fn japanese_grievance_relaxes_toward_its_base_plus_the_repudiated_salience() {
    let mut s = Scenario::default();
    s.history.grievance_base_jp = Param::Fixed(0.15);
    let m = compiled(&s);
    let c = &m.c;
    assert_eq!(c.grievance_base_jp, 0.15);
    assert!(m.issues.iter().all(|i| i.offended == KR));
    let n = m.issues.len() as f64;
    let salience: Vec<f64> = m.issues.iter().map(|i| i.salience).collect();
    // One quiet history step from H̄ = (0.3, 0.05), with `repudiated` issues repudiated and
    // forced_labor settled at q = 0.5 (by the camp in office: no repudiation hazard).
    let month = |repudiated: &[usize]| {
        let mut sim = quiet_sim(&m, &s, "status_quo");
        sim.settle(FL, 0.5, None, false);
        for &i in repudiated {
            sim.repudiate(i, false);
        }
        sim.st.grievance = [0.3, 0.05];
        sim.t = 0;
        sim.history_month(0, &[]);
        assert_eq!(sim.diag.flare_ups, 0);
        sim.st.grievance
    };
    let relax = |g: f64, base: f64| g + c.grievance_decay * (base - g);
    let kr_base = (salience.iter().sum::<f64>() - 0.5 * salience[FL]) / n;
    for repudiated in [&[][..], &[CW][..], &[CW, 2][..]] {
        let g = month(repudiated);
        let extra: f64 = repudiated.iter().map(|&i| salience[i]).sum::<f64>() / n;
        assert!(
            (g[JP] - relax(0.05, 0.15 + extra)).abs() < EPS,
            "{repudiated:?}"
        );
        // Seoul's base: every issue at its current salience (a settled one at s·(1 − q)).
        assert!((g[KR] - relax(0.3, kr_base)).abs() < EPS, "{repudiated:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 8. A settled issue: flare-up hazard and linkage ×(1 − q) (history.rs, linkage.rs)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_settlement_at_quality_q_scales_the_flare_up_hazard_and_the_linkage_factor_by_1_minus_q() {
    let (s, m) = default_compiled();
    let q = 0.6;
    // Month 0 is April 2023: not a seasonal month of comfort_women.
    assert_eq!((m.c.start_month0) % 12 + 1, 4);
    assert_eq!(m.issues[CW].seasonal_mask & (1 << 4), 0);
    let h = m.issues[CW].hazard;
    let flares = |settled: bool, u: f64| {
        let mut sim = quiet_sim(&m, &s, "status_quo");
        if settled {
            sim.settle(CW, q, None, false);
        }
        sim.draws.hist[CW][0] = u;
        sim.t = 0;
        sim.history_month(0, &[]);
        sim.diag.flare_ups
    };
    assert_eq!((flares(false, below(h)), flares(false, above(h))), (1, 0));
    assert_eq!(flares(true, below(h * (1.0 - q))), 1);
    assert_eq!(flares(true, above(h * (1.0 - q))), 0);
    assert_eq!(flares(true, below(h)), 0, "between (1 − q)·h and h");
    // Linkage: a material act offending Seoul is decided at p·(1 − q).
    let p = m.c.p_retaliate * m.c.camp_hawkishness[m.c.camp0[KR]];
    let opens = |settled: bool, u: f64| {
        let mut sim = quiet_sim(&m, &s, "status_quo");
        if settled {
            sim.settle(CW, q, None, false);
        }
        sim.draws.deliberate[CW] = [u, 1.0];
        sim.t = 0;
        sim.note_act(CW, KR, 1.0);
        sim.deliberations_month();
        sim.st.pending_retaliation[KR].is_some()
    };
    assert!(opens(false, below(p)) && !opens(false, above(p)));
    assert!(opens(true, below(p * (1.0 - q))));
    assert!(!opens(true, above(p * (1.0 - q))));
    assert!(!opens(true, below(p)), "between (1 − q)·p and p");
    // Its acts shrink with its salience s·(1 − q).
    let hit = |settled: bool| {
        let mut sim = quiet_sim(&m, &s, "status_quo");
        if settled {
            sim.settle(CW, q, None, false);
        }
        sim.st.fav = [0.5; 2];
        sim.act_effects(CW, KR);
        0.5 - sim.st.fav[KR]
    };
    assert!(hit(false) > 0.0);
    assert!((hit(true) - (1.0 - q) * hit(false)).abs() < EPS);
}

// ---------------------------------------------------------------------------------------------
// 9. Repudiation window, acting governments, renegotiation (settlement.rs)
// ---------------------------------------------------------------------------------------------

#[test]
fn no_repudiation_after_the_window_nor_by_an_acting_korean_government() {
    let mut s = Scenario::default();
    s.world.politics.repudiation_window_months = Param::Fixed(12.0);
    let m = compiled(&s);
    assert_eq!(m.c.repudiation_window, 12.0);
    // comfort_women settled in month 2 by the Korean camp then in office, now out of office;
    // the repudiation uniform is 0, under any positive hazard.
    let at = |t: u32| {
        let mut sim = quiet_sim(&m, &s, "hasty");
        sim.t = 2;
        sim.settle(CW, 0.3, None, false);
        sim.st.camp[KR] = 1 - sim.st.camp[KR];
        sim.draws.hist[CW][4] = 0.0;
        sim.t = t;
        sim
    };
    let status = |mut sim: Sim| {
        sim.repudiation_month(&[]);
        sim.st.issues[CW].status
    };
    assert!(m.c.repudiation_hazard * 0.7 > 0.0);
    assert_eq!(status(at(3)), IssueStatus::Repudiated);
    assert_eq!(status(at(14)), IssueStatus::Repudiated, "12 months on");
    assert_eq!(status(at(15)), IssueStatus::Settled, "after the window");
    assert_eq!(status(at(40)), IssueStatus::Settled, "after the window");
    // An acting Korean government repudiates nothing; once it has ended, the hazard resumes.
    let mut sim = at(5);
    sim.st.acting_until[KR] = Some(6);
    sim.repudiation_month(&[]);
    assert_eq!(sim.st.issues[CW].status, IssueStatus::Settled);
    assert_eq!(sim.diag.repudiations, 0);
    sim.t = 6;
    assert_eq!(status(sim), IssueStatus::Repudiated);
    // An acting Japanese government does not stop a Korean repudiation.
    let mut sim = at(5);
    sim.st.acting_until[JP] = Some(10);
    assert_eq!(status(sim), IssueStatus::Repudiated);
}

#[test]
fn a_repudiated_issue_is_negotiated_again_once_renegotiate_after_months_have_passed() {
    let mut s = Scenario::default();
    s.world.negotiation.renegotiate_after_months = Param::Fixed(6.0);
    let m = compiled(&s);
    assert_eq!(m.c.renegotiate_after, 6.0);
    let mut sim = quiet_sim(&m, &s, "gradual");
    assert!(sim.path.proposes);
    // Every other issue settled: forced_labor, repudiated in month 2, is the only candidate.
    for i in (0..m.issues.len()).filter(|&i| i != FL) {
        sim.settle(i, 0.5, None, false);
    }
    sim.t = 1;
    sim.settle(FL, 0.5, None, false);
    sim.t = 2;
    sim.repudiate(FL, true);
    assert_eq!(sim.st.issues[FL].status, IssueStatus::Repudiated);
    for t in 2..8 {
        sim.t = t;
        sim.settlement_month();
        assert_eq!(sim.st.negotiation, None, "month {t}");
    }
    sim.t = 8;
    sim.settlement_month();
    let (i, progress) = sim.st.negotiation.expect("negotiated again");
    assert_eq!(i, FL);
    assert!(progress > 0.0);
}

// ---------------------------------------------------------------------------------------------
// 10. The negotiation pauses while a government is acting (settlement.rs)
// ---------------------------------------------------------------------------------------------

#[test]
fn the_negotiation_pauses_while_either_government_is_acting() {
    let (s, m) = default_compiled();
    for side in [KR, JP] {
        let mut sim = quiet_sim(&m, &s, "gradual");
        sim.st.negotiation = Some((FL, 1.0));
        sim.st.grievance = [0.2, 0.1];
        sim.st.acting_until[side] = Some(6);
        for t in 3..6 {
            sim.t = t;
            sim.settlement_month();
            assert_eq!(
                sim.st.negotiation,
                Some((FL, 1.0)),
                "side {side}, month {t}"
            );
            assert_eq!(sim.st.grievance[JP], 0.1, "no demands while paused");
        }
        // From the month it ends, progress τ_JK·(1 + m_hist)/(1 + hw_KR·H̄_KR) and demands.
        sim.t = 6;
        sim.settlement_month();
        let hw = m.c.camp_history_weight[sim.st.camp[KR]];
        let step = sim.st.tau_jk * (1.0 + sim.m_hist()) / (1.0 + hw * 0.2);
        let (i, progress) = sim.st.negotiation.expect("negotiating");
        assert_eq!(i, FL);
        assert!((progress - 1.0 - step).abs() < EPS, "side {side}");
        let demand =
            m.c.demand_grievance * sim.path.settlement_quality * sim.st.issues[FL].salience;
        assert!((sim.st.grievance[JP] - 0.1 - demand).abs() < EPS);
    }
}

// ---------------------------------------------------------------------------------------------
// 11. Turnover reversal on a Japanese camp change (politics.rs)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_japanese_camp_change_reverses_an_unvalued_rung_with_probability_p_reverse_1_minus_lock() {
    let mut s = Scenario::default();
    // A hawkish Tokyo does not value summitry and values nontraditional security.
    s.tracks.get_mut("summitry").unwrap().prior.hawkish = Param::Fixed(-5.0);
    s.tracks.get_mut("nontraditional").unwrap().prior.hawkish = Param::Fixed(5.0);
    let m = compiled(&s);
    let (summ, nt) = (track(&m, "summitry"), track(&m, "nontraditional"));
    let (mainstream, hawkish) = (2, 3);
    let lock = 0.4;
    let p = m.c.p_reverse * (1.0 - lock);
    assert!(p > 0.0 && p < 1.0);
    // Reversal uniforms of summitry [KR, JP]; nontraditional's are 0.
    let setup = |u: [f64; 2]| {
        let mut sim = quiet_sim(&m, &s, "status_quo");
        sim.st.rung[summ] = 1;
        sim.st.rung[nt] = 1;
        sim.st.lock[summ] = lock;
        sim.draws.reverse[summ] = u;
        sim.draws.reverse[nt] = [0.0; 2];
        sim.t = 7;
        sim
    };
    let probe = setup([1.0; 2]);
    assert_eq!(probe.st.camp[JP], mainstream);
    assert!(probe.keep_value_for_camp(JP, summ, hawkish) < 0.0);
    assert!(probe.keep_value_for_camp(JP, nt, hawkish) >= 0.0);
    // Just under p: reversed one rung (a scarred fall, counted, lock-in lost); the valued rung
    // stays whatever its draw.
    let mut sim = setup([1.0, below(p)]);
    sim.turnover(JP, hawkish, 7);
    assert_eq!(sim.st.camp[JP], hawkish);
    assert_eq!(sim.st.rung[summ], 0);
    assert_eq!(sim.st.rung[nt], 1);
    assert_eq!(sim.acc.reversals, 1);
    assert_eq!(sim.st.scar[summ], m.c.scar_months);
    assert!((sim.st.lock[summ] - lock * (1.0 - m.c.lock_loss)).abs() < EPS);
    // Just over p: kept (Tokyo's uniform decides, not Seoul's).
    let mut sim = setup([0.0, above(p)]);
    sim.turnover(JP, hawkish, 7);
    assert_eq!(sim.st.rung[summ], 1);
    assert_eq!(sim.acc.reversals, 0);
    // A new prime minister of the same camp reverses nothing.
    let mut sim = setup([0.0; 2]);
    sim.turnover(JP, mainstream, 7);
    assert_eq!(sim.st.rung[summ], 1);
    // Full lock-in: p_reverse·(1 − Λ) = 0.
    let mut sim = setup([0.0; 2]);
    sim.st.lock[summ] = 1.0;
    sim.turnover(JP, hawkish, 7);
    assert_eq!(sim.st.rung[summ], 1);
}

// ---------------------------------------------------------------------------------------------
// 12. Common random numbers: the `support` and `linkage` streams (state.rs Draws::fill)
// ---------------------------------------------------------------------------------------------

/// `probe_streams` (cycle.rs) and `Diagnostics::stream_probe` cover nk, china, history, politics
/// and decisions only: the `support` and `linkage` streams are checked here, on the streams
/// themselves after a whole run, against a fresh stream advanced by the documented count (one
/// lapse uniform per track and side; one deliberation uniform per issue and side and one lag,
/// drop and cancellation uniform per side, each month).
#[test]
fn the_support_and_linkage_streams_advance_by_the_same_count_on_every_path() {
    let mut s = Scenario::default();
    s.world.nk.initial_regime = NkRegime::Surge;
    s.world.decisions.p_retaliate = Param::Fixed(1.0);
    let seed = 13;
    let mut differ = false;
    for r in 0..8 {
        let model = super::Model::new(&sample(&s, seed, r));
        let m = &model.compiled;
        let months = m.c.horizon as usize;
        let advanced = |purpose: Stream, per_month: usize| {
            let mut rng = stream(seed, r, purpose);
            for _ in 0..months * per_month {
                uniform(&mut rng);
            }
            rng
        };
        let support = advanced(Stream::Support, 2 * m.tracks.len());
        let linkage = advanced(Stream::Linkage, 2 * m.issues.len() + 6);
        let mut seen = Vec::new();
        for p in 0..model.path_count() {
            let mut sim = Sim::new(m, p, seed, r);
            sim.run(&mut |_| {}, &model.later);
            assert_eq!(sim.rng.support, support, "replication {r}, path {p}");
            assert_eq!(sim.rng.linkage, linkage, "replication {r}, path {p}");
            let d = &sim.diag;
            seen.push((
                d.lapses,
                d.linkage_retaliations,
                d.linkage_dropped,
                sim.st.ci.to_bits(),
            ));
        }
        differ |= seen.iter().any(|x| x != &seen[0]);
    }
    // ... while the paths do differ in what they do with those draws.
    assert!(differ);
}

#[test]
fn a_carried_out_counter_threat_is_a_material_act_over_the_issue_it_answered() {
    let (s, m) = default_compiled();
    let c = &m.c;
    let (summ, intel) = (track(&m, "summitry"), track(&m, "intelligence"));
    // Seoul carries out its threat against Tokyo's retaliation over forced labour; Tokyo's hold
    // has been lifted meanwhile (a new camp, or a `restore` event), or was never recorded.
    let run = |issue: Option<usize>| {
        let mut sim = quiet_sim(&m, &s, "status_quo");
        sim.st.rung[summ] = 1;
        sim.st.rung[intel] = 1;
        sim.st.fav = [0.5; 2];
        sim.st.grievance = [0.2; 2];
        sim.st.tau_jk = 0.5;
        sim.t = 8;
        sim.st.counter_threat[KR] = Some(PendingThreat {
            track: intel,
            issue,
            resolves: 8,
            execute: true,
            automatic: None,
        });
        assert_eq!(sim.st.hold[JP], None);
        sim.history_events(&[]);
        sim
    };
    let sim = run(Some(FL));
    assert_eq!(sim.st.rung[intel], 0, "carried out");
    assert_eq!(
        sim.st.scar[intel], c.scar_months,
        "a rejection fall: scarred"
    );
    assert_eq!(sim.acc.reversal_causes, [0, 0, 1, 0]);
    // Act effects on the offended (Japanese) public, none on the Korean one.
    let x = sim.st.issues[FL].salience * (1.0 - c.m_hist_damping * sim.m_hist()).max(0.0);
    assert!(x > 0.0);
    assert!((sim.st.fav[JP] - (0.5 - c.flare_favourability * x)).abs() < EPS);
    assert!((sim.st.grievance[JP] - (0.2 + c.flare_grievance * x)).abs() < EPS);
    assert!((sim.st.tau_jk - (0.5 - c.flare_trust * x)).abs() < EPS);
    assert_eq!((sim.st.fav[KR], sim.st.grievance[KR]), (0.5, 0.2));
    // A threat that answered no retaliation (an event with no hold in force) has no act.
    let sim = run(None);
    assert_eq!(sim.st.rung[intel], 0);
    assert_eq!(
        (sim.st.fav[JP], sim.st.grievance[JP], sim.st.tau_jk),
        (0.5, 0.2, 0.5)
    );
}
