//! China's coercion, v2: a hazard and episodes per target (docs/model.md §3.6; Embracing 2023:
//! Seoul's "relatively appeasing approach", Japan "in support of Taiwan's security"; Cho 2019:
//! for Seoul, cooperation with China "is not an option but a necessity").
//!
//! Each target S ∈ {KR, JP} has its own monthly hazard, zero while an episode against S runs:
//!
//! ```text
//! h_S = clamp₀¹[ h₀·assertiveness·(E_S/E_ref)·2a_S
//!              + a_S·(h_move·Σ_k χ_k·Δℓ⁺_k(t−1) + h_reg·ℓ_regional/max_regional)
//!              + h_role·R_S ]
//! a_S = (1 − θ^CN_S) / Σ_{S′∈{KR,JP}} (1 − θ^CN_S′)      (½ each when both θ^CN are 1)
//! ```
//!
//! a_S is the wedge share: China presses the ally less hardened against it; Δℓ⁺_k(t−1) counts
//! last month's upward moves; R_S is the side's regional military role. An event against S
//! (the month's uniform for S below h_S, or a scheduled `china_coercion` event, which replaces
//! the draw) starts an episode of D = `episode_months` months (an event's `months`): S bears
//! `cost_scale_S·E_S` % of GDP (an event's `cost`), spread evenly over the episode; S's memory
//! M_S += 1 (it decays by `memory_decay` a month and raises the entrapment fear ε_S); S appeases
//! (ΔU_S −= `desire_penalty_S`·χ_k for `refractory_months`) and hardens
//! (θ^CN_S += `harden_S`); the bystanders harden (θ^CN_S′ += `bystander_S′` for the other ally
//! and the US). Every month, before any event, each θ^CN relaxes toward its initial level:
//! `θ^CN_S += threat_decay·(θ^CN_S(0) − θ^CN_S)`.
//!
//! Common random numbers: the `china` stream gives one uniform per target every month (drawn
//! in `Draws::fill` whatever the state), so an episode, a zero hazard or a scheduled event
//! never shifts later draws.

use super::super::compiled::{Coefs, EventC, TrackC, JP, KR};
use super::super::state::Sim;

/// Index of the US in θ^CN.
const US: usize = 2;

/// China's coercion state per target (KR, JP).
#[derive(Clone, Debug, PartialEq)]
pub struct ChinaState {
    /// This month's hazard h_S (0 while an episode against S runs).
    pub hazard: [f64; 2],
    /// This month's wedge share a_S.
    pub share: [f64; 2],
    /// Months left in the episode against S, this month included (0: none running).
    pub episode_left: [u32; 2],
    /// Cost of the running episode still to be borne, % of GDP.
    pub cost_left: [f64; 2],
}

impl ChinaState {
    /// No episode running; hazards at the initial θ^CN without provocation.
    pub fn new(c: &Coefs) -> ChinaState {
        let (hazard, share) = hazards(c, c.theta_cn0, 0.0, [0; 2]);
        ChinaState {
            hazard,
            share,
            episode_left: [0; 2],
            cost_left: [0.0; 2],
        }
    }

    /// Starts an episode against `s` of `months` (at least 1) costing `cost` % of GDP. An
    /// episode still running is superseded, its unpaid cost carried into the new one (so the
    /// cost borne is the sum of the episodes' costs).
    fn start(&mut self, s: usize, months: u32, cost: f64) {
        self.episode_left[s] = months.max(1);
        self.cost_left[s] += cost;
    }

    /// The share of the running episode's cost borne this month (0 without an episode).
    fn pay(&mut self, s: usize) -> f64 {
        if self.episode_left[s] == 0 {
            return 0.0;
        }
        let due = self.cost_left[s] / self.episode_left[s] as f64;
        self.episode_left[s] -= 1;
        self.cost_left[s] = if self.episode_left[s] == 0 {
            0.0
        } else {
            self.cost_left[s] - due
        };
        due
    }
}

/// Wedge shares a_S = (1 − θ^CN_S)/Σ_S′(1 − θ^CN_S′) of KR and JP; ½ each when both θ^CN
/// are 1.
pub fn wedge_shares(theta_cn: [f64; 2]) -> [f64; 2] {
    let slack = theta_cn.map(|t| (1.0 - t).max(0.0));
    let total = slack[KR] + slack[JP];
    if total <= 0.0 {
        [0.5; 2]
    } else {
        slack.map(|x| x / total)
    }
}

/// The provocation shared between the targets by wedge share:
/// `h_move·Σ_k χ_k·Δℓ⁺_k(t−1) + h_reg·ℓ_regional/max` (`regional`: ℓ/max of the regional
/// track, 0 without one).
pub fn provocation(c: &Coefs, tracks: &[TrackC], moved_prev: &[u8], regional: f64) -> f64 {
    let moves: f64 = tracks
        .iter()
        .zip(moved_prev)
        .map(|(t, &d)| t.chi * d as f64)
        .sum();
    c.h_move * moves + c.h_reg * regional
}

/// The hazards h_S and wedge shares a_S of KR and JP (see the module docs): `theta_cn` of KR
/// and JP, `provocation` from [`provocation`], `episode_left` per target (a running episode
/// zeroes the target's hazard).
pub fn hazards(
    c: &Coefs,
    theta_cn: [f64; 2],
    provocation: f64,
    episode_left: [u32; 2],
) -> ([f64; 2], [f64; 2]) {
    let share = wedge_shares(theta_cn);
    let h = |s: usize| {
        if episode_left[s] > 0 {
            return 0.0;
        }
        let base = c.h0 * c.assertiveness * (c.exposure[s] / c.e_ref) * 2.0 * share[s];
        (base + share[s] * provocation + c.h_role * c.regional_role[s]).clamp(0.0, 1.0)
    };
    ([h(KR), h(JP)], share)
}

impl Sim<'_> {
    /// The hazard against `s` that a move of a track with weight `chi` would bring about,
    /// ĥ_S = h_S + a_S·h_move·χ (used in valuation, docs/model.md §3.9).
    pub fn expected_china_hazard(&self, s: usize, chi: f64) -> f64 {
        let ch = &self.st.china;
        ch.hazard[s] + ch.share[s] * self.m.c.h_move * chi
    }

    /// Step 1 (China): per-target hazards and draws, episodes and their cost, memory,
    /// refractory periods, hardening and relaxation (see the module docs).
    pub fn china_month(&mut self, events: &[(u32, EventC)]) {
        let c = &self.m.c;
        let regional = self
            .m
            .regional
            .map(|k| self.st.rung[k] as f64 / self.m.tracks[k].max.max(1) as f64)
            .unwrap_or(0.0);
        let pressure = provocation(c, &self.m.tracks, &self.st.moved_prev, regional);
        let theta = [self.st.theta_cn[KR], self.st.theta_cn[JP]];
        let (hazard, share) = hazards(c, theta, pressure, self.st.china.episode_left);
        self.st.china.hazard = hazard;
        self.st.china.share = share;
        // Decay of memories and refractory periods, relaxation of θ^CN.
        for m in [
            &mut self.st.coercion_memory,
            &mut self.st.coercion_memory_jp,
        ] {
            *m *= 1.0 - c.memory_decay;
        }
        for r in [&mut self.st.refractory, &mut self.st.refractory_jp] {
            *r = (*r - 1.0).max(0.0);
        }
        let initial = [c.theta_cn0[KR], c.theta_cn0[JP], c.us_threat_cn];
        for (th, th0) in self.st.theta_cn.iter_mut().zip(initial) {
            *th += c.cn_threat_decay * (th0 - *th);
        }
        for s in [KR, JP] {
            // A scheduled event against `s` replaces the draw (the draw is used up anyway).
            let scheduled = events.iter().find_map(|(_, e)| match *e {
                EventC::ChinaCoercion {
                    target,
                    months,
                    cost,
                } if target == s => Some((months, cost)),
                _ => None,
            });
            let drawn = self.draws.china[s] < hazard[s];
            if let Some((months, cost)) = scheduled.or(drawn.then_some((None, None))) {
                self.coerce(s, months, cost);
            }
        }
        for s in [KR, JP] {
            let due = self.st.china.pay(s);
            if s == KR {
                self.acc.coercion_cost += due;
            } else {
                self.diag.coercion_cost_jp += due;
            }
        }
    }

    /// An event against `s`: an episode of `months` (default `episode_months`) costing `cost`
    /// (default `cost_scale_S·E_S`); memory, refractory period and hardening of the target,
    /// hardening of the bystanders.
    fn coerce(&mut self, s: usize, months: Option<u32>, cost: Option<f64>) {
        let c = &self.m.c;
        let cost_scale = [c.cost_scale, c.cost_scale_jp];
        let cost = cost.unwrap_or(cost_scale[s] * c.exposure[s]);
        self.st
            .china
            .start(s, months.unwrap_or(c.episode_months), cost);
        let st = &mut self.st;
        if s == KR {
            self.acc.coercion_events += 1;
            self.diag.coercion_events += 1;
            st.coercion_memory += 1.0;
            st.refractory = c.refractory_months;
        } else {
            self.diag.coercion_events_jp += 1;
            st.coercion_memory_jp += 1.0;
            st.refractory_jp = c.refractory_months;
        }
        let other = 1 - s;
        for (who, rise) in [
            (s, c.harden[s]),
            (other, c.bystander[other]),
            (US, c.bystander[US]),
        ] {
            st.theta_cn[who] = (st.theta_cn[who] + rise).min(1.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::compiled::Compiled;
    use crate::scenario::{Param, Scenario};

    const EPS: f64 = 1e-12;

    fn compiled(edit: impl FnOnce(&mut Scenario)) -> Compiled {
        let mut s = Scenario::default();
        edit(&mut s);
        Compiled::new(&s)
    }

    /// A scenario without random coercion (every hazard term 0).
    fn quiet(s: &mut Scenario) {
        let ch = &mut s.world.china;
        for p in [&mut ch.h0, &mut ch.h_move, &mut ch.h_reg, &mut ch.h_role] {
            *p = Param::Fixed(0.0);
        }
    }

    fn event(target: usize, months: Option<u32>, cost: Option<f64>) -> Vec<(u32, EventC)> {
        vec![(
            0,
            EventC::ChinaCoercion {
                target,
                months,
                cost,
            },
        )]
    }

    #[test]
    fn wedge_share_favours_the_less_hardened_side_and_is_half_when_both_are_fully_hardened() {
        let a = wedge_shares([0.3, 0.6]);
        assert!((a[KR] - 0.7 / 1.1).abs() < EPS && (a[JP] - 0.4 / 1.1).abs() < EPS);
        assert!((a[KR] + a[JP] - 1.0).abs() < EPS);
        assert_eq!(wedge_shares([1.0, 1.0]), [0.5, 0.5]);
        assert_eq!(wedge_shares([0.4, 0.4]), [0.5, 0.5]);
        assert_eq!(wedge_shares([1.0, 0.2]), [0.0, 1.0]);
    }

    #[test]
    fn hazard_follows_the_formula_term_by_term() {
        let c = compiled(|_| ()).c;
        let theta = [0.3, 0.6];
        let a = wedge_shares(theta);
        let p = 0.2;
        let (h, share) = hazards(&c, theta, p, [0; 2]);
        assert_eq!(share, a);
        for s in [KR, JP] {
            let expect = c.h0 * c.assertiveness * c.exposure[s] / c.e_ref * 2.0 * a[s]
                + a[s] * p
                + c.h_role * c.regional_role[s];
            assert!((h[s] - expect).abs() < EPS, "{s}: {} vs {expect}", h[s]);
        }
        // Defaults: 0.008·(0.20/0.25)·2·(0.7/1.1) + 0.006·0.1 for Seoul.
        let (h, _) = hazards(&c, theta, 0.0, [0; 2]);
        assert!((h[KR] - (0.008 * 0.8 * 2.0 * 0.7 / 1.1 + 0.0006)).abs() < EPS);
        // The base term scales with E_S/E_ref: doubling exposure doubles it.
        let c2 = compiled(|s| {
            s.actors.seoul.china_exposure = Param::Fixed(0.4);
            s.world.china.h_role = Param::Fixed(0.0);
        })
        .c;
        let c1 = compiled(|s| s.world.china.h_role = Param::Fixed(0.0)).c;
        let (h1, _) = hazards(&c1, theta, 0.0, [0; 2]);
        let (h2, _) = hazards(&c2, theta, 0.0, [0; 2]);
        assert!((h2[KR] - 2.0 * h1[KR]).abs() < EPS && (h2[JP] - h1[JP]).abs() < EPS);
        // At E_S = E_ref and a_S = ½ the base term is h₀·assertiveness.
        let c3 = compiled(|s| {
            s.actors.seoul.china_exposure = Param::Fixed(0.25);
            s.world.china.h_role = Param::Fixed(0.0);
        })
        .c;
        let (h3, _) = hazards(&c3, [0.5, 0.5], 0.0, [0; 2]);
        assert!((h3[KR] - c3.h0 * c3.assertiveness).abs() < EPS);
        // The role term: h_role·R_S, whatever the wedge share (even 0).
        let (hr, _) = hazards(&c, [1.0, 0.0], 0.0, [0; 2]);
        assert!((hr[KR] - c.h_role * c.regional_role[KR]).abs() < EPS);
        // Clamped to [0, 1].
        let (hx, _) = hazards(&c, theta, 1e3, [0; 2]);
        assert_eq!(hx, [1.0, 1.0]);
    }

    #[test]
    fn no_hazard_against_a_target_while_its_episode_runs() {
        let c = compiled(|_| ()).c;
        let (h, _) = hazards(&c, [0.3, 0.6], 0.5, [3, 0]);
        assert_eq!(h[KR], 0.0);
        assert!(h[JP] > 0.0);
        let (h, _) = hazards(&c, [0.3, 0.6], 0.5, [0, 1]);
        assert!(h[KR] > 0.0 && h[JP] == 0.0);
    }

    #[test]
    fn provocation_counts_last_months_moves_by_chi_and_the_regional_share() {
        let m = Compiled::new(&Scenario::default());
        let n = m.tracks.len();
        let reg = m.regional.unwrap();
        let mut moved = vec![0u8; n];
        assert_eq!(provocation(&m.c, &m.tracks, &moved, 0.0), 0.0);
        moved[reg] = 2;
        let p = provocation(&m.c, &m.tracks, &moved, 0.5);
        let expect = m.c.h_move * m.tracks[reg].chi * 2.0 + m.c.h_reg * 0.5;
        assert!((p - expect).abs() < EPS);
    }

    #[test]
    fn the_month_uses_the_regional_rung_and_last_months_moves() {
        let m = compiled(|_| ());
        let reg = m.regional.unwrap();
        let mut sim = Sim::new(&m, 0, 1, 0);
        sim.draws.china = [1.0; 2];
        sim.st.rung[reg] = 0;
        sim.china_month(&[]);
        let h0 = sim.st.china.hazard;
        sim.st.rung[reg] = m.tracks[reg].max;
        sim.st.moved_prev[reg] = 1;
        sim.china_month(&[]);
        let theta = [sim.st.theta_cn[KR], sim.st.theta_cn[JP]];
        let a = wedge_shares(theta);
        for s in [KR, JP] {
            let rise = a[s] * (m.c.h_reg + m.c.h_move * m.tracks[reg].chi);
            assert!((sim.st.china.hazard[s] - h0[s] - rise).abs() < 1e-9);
        }
    }

    #[test]
    fn episode_cost_is_spread_over_d_months_and_sums_to_the_scale_times_exposure() {
        let m = compiled(quiet);
        for target in [KR, JP] {
            let mut sim = Sim::new(&m, 0, 1, 0);
            let d = m.c.episode_months;
            assert_eq!(d, 9);
            sim.china_month(&event(target, None, None));
            let cost = |sim: &Sim| [sim.acc.coercion_cost, sim.diag.coercion_cost_jp][target];
            let total = [m.c.cost_scale, m.c.cost_scale_jp][target] * m.c.exposure[target];
            let mut paid = vec![cost(&sim)];
            for _ in 1..d + 3 {
                sim.china_month(&[]);
                paid.push(cost(&sim));
            }
            for t in 0..d as usize {
                let month = paid[t] - if t == 0 { 0.0 } else { paid[t - 1] };
                assert!((month - total / d as f64).abs() < EPS, "month {t}: {month}");
            }
            assert!((paid[d as usize - 1] - total).abs() < EPS);
            assert_eq!(
                paid[d as usize + 2],
                paid[d as usize - 1],
                "nothing after D"
            );
            assert_eq!(sim.st.china.episode_left, [0; 2]);
            // The other target bears nothing.
            assert_eq!(
                [sim.acc.coercion_cost, sim.diag.coercion_cost_jp][1 - target],
                0.0
            );
        }
        // An event's own length and cost; a new event supersedes a running episode and the
        // unpaid remainder is carried into it.
        let mut sim = Sim::new(&m, 0, 1, 0);
        sim.china_month(&event(KR, Some(4), Some(1.0)));
        sim.china_month(&[]);
        assert!((sim.acc.coercion_cost - 0.5).abs() < EPS);
        sim.china_month(&event(KR, Some(3), Some(0.3)));
        sim.china_month(&[]);
        sim.china_month(&[]);
        assert!((sim.acc.coercion_cost - 1.3).abs() < EPS);
        assert_eq!(sim.acc.coercion_events, 2);
    }

    #[test]
    fn an_episode_blocks_draws_against_its_target_only_until_it_ends() {
        let m = compiled(|s| s.world.china.h0 = Param::Fixed(1.0));
        let mut sim = Sim::new(&m, 0, 1, 0);
        sim.draws.china = [0.5, 1.0];
        let d = m.c.episode_months;
        for _ in 0..d {
            sim.china_month(&[]);
        }
        assert_eq!(
            sim.acc.coercion_events, 1,
            "no new event during the episode"
        );
        sim.china_month(&[]);
        assert_eq!(
            sim.acc.coercion_events, 2,
            "a new episode once it has ended"
        );
        assert_eq!(sim.diag.coercion_events_jp, 0);
    }

    #[test]
    fn an_event_raises_the_targets_memory_and_refractory_and_hardens_target_and_bystanders() {
        let m = compiled(quiet);
        let c = &m.c;
        for target in [KR, JP] {
            let other = 1 - target;
            let mut sim = Sim::new(&m, 0, 1, 0);
            let before = sim.st.theta_cn;
            sim.china_month(&event(target, None, None));
            let memory = [sim.st.coercion_memory, sim.st.coercion_memory_jp];
            let refractory = [sim.st.refractory, sim.st.refractory_jp];
            assert_eq!(memory[target], 1.0);
            assert_eq!(memory[other], 0.0);
            assert_eq!(refractory[target], c.refractory_months);
            assert_eq!(refractory[other], 0.0);
            // θ^CN starts at its initial level, so relaxation does nothing this month.
            let rise = |s: usize| sim.st.theta_cn[s] - before[s];
            assert!((rise(target) - c.harden[target]).abs() < EPS);
            assert!((rise(other) - c.bystander[other]).abs() < EPS);
            assert!((rise(US) - c.bystander[US]).abs() < EPS);
            let events = [sim.acc.coercion_events, sim.diag.coercion_events_jp];
            assert_eq!(events[target], 1);
            assert_eq!(events[other], 0);
            // Memory decays at memory_decay a month.
            sim.china_month(&[]);
            let memory = [sim.st.coercion_memory, sim.st.coercion_memory_jp];
            assert!((memory[target] - (1.0 - c.memory_decay)).abs() < EPS);
        }
        // Defaults: Seoul does not harden, Tokyo does; the bystanders' rises are 0.01/0.05/0.03.
        assert_eq!(c.harden, [0.0, 0.05]);
        assert_eq!(c.bystander, [0.01, 0.05, 0.03]);
    }

    #[test]
    fn the_target_appeases_during_its_refractory_period() {
        let m = compiled(quiet);
        let reg = m.regional.unwrap();
        for target in [KR, JP] {
            let mut sim = Sim::new(&m, 0, 1, 0);
            let other = 1 - target;
            let calm = [sim.value(KR, reg), sim.value(JP, reg)];
            sim.china_month(&event(target, None, None));
            // Only the refractory term: take out the hardening and memory effects.
            sim.st.theta_cn = [m.c.theta_cn0[KR], m.c.theta_cn0[JP], m.c.us_threat_cn];
            let during = sim.value(target, reg);
            let penalty = [m.c.desire_penalty, m.c.desire_penalty_jp][target];
            let expect = calm[target] - penalty * m.tracks[reg].chi;
            assert!((during - expect).abs() < 1e-9, "{during} vs {expect}");
            assert!((sim.value(other, reg) - calm[other]).abs() < 1e-9);
        }
    }

    #[test]
    fn threat_perceptions_relax_toward_their_initial_levels() {
        let m = compiled(quiet);
        let mut sim = Sim::new(&m, 0, 1, 0);
        let start = sim.st.theta_cn;
        sim.china_month(&event(JP, None, None));
        let jolt = sim.st.theta_cn;
        for _ in 0..24 {
            sim.china_month(&[]);
        }
        for s in [KR, JP, US] {
            assert!(jolt[s] > start[s]);
            let expect = (jolt[s] - start[s]) * (1.0 - m.c.cn_threat_decay).powi(24);
            assert!((sim.st.theta_cn[s] - start[s] - expect).abs() < 1e-9);
        }
    }

    /// Common random numbers: the `china` stream gives two uniforms a month whatever happens
    /// (random episodes, scheduled events, zero hazards), so the streams stay aligned.
    #[test]
    fn the_china_stream_advances_by_two_uniforms_a_month_whatever_the_state() {
        let busy = compiled(|s| s.world.china.h0 = Param::Fixed(0.5));
        let calm = compiled(quiet);
        let run = |m: &Compiled, scheduled: bool| {
            let mut sim = Sim::new(m, 0, 7, 3);
            for t in 0..24 {
                sim.t = t;
                sim.fill_draws();
                let ev = if scheduled && t % 5 == 0 {
                    event(t as usize % 2, Some(2), None)
                } else {
                    vec![]
                };
                sim.china_month(&ev);
            }
            let events = sim.acc.coercion_events + sim.diag.coercion_events_jp;
            (sim.probe_streams(), events)
        };
        let (a, na) = run(&busy, false);
        let (b, nb) = run(&calm, false);
        let (c, nc) = run(&calm, true);
        assert!(na > 3 && nb == 0 && nc == 5, "{na} {nb} {nc}");
        assert_eq!(a, b);
        assert_eq!(b, c);
        // And the count is two a month: 24 months of fill_draws = 48 china uniforms.
        let mut fresh = Sim::new(&calm, 0, 7, 3);
        for _ in 0..48 {
            crate::rng::uniform(&mut fresh.rng.china);
        }
        assert_eq!(fresh.probe_streams()[1], b[1]);
    }
}
