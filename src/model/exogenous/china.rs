//! China's coercion (docs/model.md §3.6; Embracing 2023, Cho 2019: the asymmetric China stance —
//! Seoul bears the cost, Tokyo hardens).
//!
//! Monthly hazard `h = h₀·assertiveness + h_move·Σ_k χ_k·max(0, Δℓ_k(t−1)) + h_regional·ℓ_regional`
//! (Δℓ: upward moves of the previous month). An event costs Korea `cost_scale·E_KR` % of GDP
//! (THAAD 2017 ≈ 0.5% at E_KR ≈ 0.25), adds one unit to Korea's "recent coercion" memory
//! (driving entrapment fear ε_KR), lowers Korea's desire for high-χ tracks for
//! `refractory_months`, and raises θ^CN of Japan and the US by `jp_threat_shock` and
//! `us_threat_shock`. Each month, before the event, θ^CN of every actor relaxes toward its
//! initial level: `θ^CN_S += threat_decay·(θ^CN_S(0) − θ^CN_S)` (review S8: without it the
//! hardening only ratchets up). Korea's θ^CN is not moved by events (Seoul bears the cost).

use super::super::compiled::{Coefs, EventC, TrackC, JP, KR};
use super::super::state::Sim;

/// The coercion hazard of a month, clamped to [0, 1].
pub fn hazard(c: &Coefs, tracks: &[TrackC], moved_prev: &[u8], regional_rung: u8) -> f64 {
    let moves: f64 = tracks
        .iter()
        .zip(moved_prev)
        .map(|(t, &d)| t.chi * d as f64)
        .sum();
    (c.h0 * c.assertiveness + c.h_move * moves + c.h_regional * regional_rung as f64)
        .clamp(0.0, 1.0)
}

impl Sim<'_> {
    /// Step 1 (China): hazard, event, cost, memory, refractory period, Japan/US hardening.
    pub fn china_month(&mut self, events: &[(u32, EventC)]) {
        let m = self.m;
        let c = &m.c;
        let regional = self.m.regional.map(|k| self.st.rung[k]).unwrap_or(0);
        let h = hazard(c, &self.m.tracks, &self.st.moved_prev, regional);
        self.st.hazard = h;
        // A scheduled event against a target (its episode length and cost, if given).
        let scheduled = |target: usize| {
            events.iter().find_map(|(_, e)| match *e {
                EventC::ChinaCoercion {
                    target: t,
                    months,
                    cost,
                } if t == target => Some((months, cost)),
                _ => None,
            })
        };
        let on_kr = scheduled(KR);
        let on_jp = scheduled(JP);
        let event = self.draws.china < h || on_kr.is_some();
        self.st.coercion_memory *= 1.0 - c.memory_decay;
        self.st.refractory = (self.st.refractory - 1.0).max(0.0);
        self.st.coercion_memory_jp *= 1.0 - c.memory_decay;
        self.st.refractory_jp = (self.st.refractory_jp - 1.0).max(0.0);
        let initial = [c.theta_cn0[0], c.theta_cn0[JP], c.us_threat_cn];
        for (th, th0) in self.st.theta_cn.iter_mut().zip(initial) {
            *th += c.cn_threat_decay * (th0 - *th);
        }
        if event {
            self.acc.coercion_events += 1;
            self.diag.coercion_events += 1;
            let (months, cost) = on_kr.unwrap_or((None, None));
            self.acc.coercion_cost += cost.unwrap_or(c.cost_scale * c.exposure[KR]);
            self.st.coercion_memory += 1.0;
            self.st.refractory = months.map_or(c.refractory_months, f64::from);
            self.st.theta_cn[JP] = (self.st.theta_cn[JP] + c.jp_threat_shock).min(1.0);
            self.st.theta_cn[2] = (self.st.theta_cn[2] + c.us_threat_shock).min(1.0);
        }
        if let Some((months, cost)) = on_jp {
            // Coercion against Tokyo (today only from events): Japan bears the cost, remembers
            // it (its entrapment fear), appeases for the episode and hardens; the US hardens.
            self.diag.coercion_events_jp += 1;
            self.diag.coercion_cost_jp += cost.unwrap_or(c.cost_scale_jp * c.exposure[JP]);
            self.st.coercion_memory_jp += 1.0;
            self.st.refractory_jp = months.map_or(c.refractory_months, f64::from);
            self.st.theta_cn[JP] = (self.st.theta_cn[JP] + c.jp_threat_shock).min(1.0);
            self.st.theta_cn[2] = (self.st.theta_cn[2] + c.us_threat_shock).min(1.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::compiled::Compiled;
    use crate::scenario::Scenario;

    #[test]
    fn hazard_rises_with_regional_and_with_provocative_moves() {
        let m = Compiled::new(&Scenario::default());
        let n = m.tracks.len();
        let none = vec![0u8; n];
        let h0 = hazard(&m.c, &m.tracks, &none, 0);
        assert!((h0 - m.c.h0 * m.c.assertiveness).abs() < 1e-12);
        let h1 = hazard(&m.c, &m.tracks, &none, 1);
        let h2 = hazard(&m.c, &m.tracks, &none, 2);
        assert!(h1 > h0 && h2 > h1);
        let mut moved = vec![0u8; n];
        moved[m.regional.unwrap()] = 1;
        let hr = hazard(&m.c, &m.tracks, &moved, 0);
        let mut moved_nt = vec![0u8; n];
        moved_nt[m.tracks.iter().position(|t| t.chi < 0.1).unwrap()] = 1;
        let hn = hazard(&m.c, &m.tracks, &moved_nt, 0);
        assert!(hr > hn && hn > h0, "{hr} {hn} {h0}");
    }

    /// S8: Japan's and the US's China threat perceptions rise with an event and relax toward
    /// their initial levels without new events.
    #[test]
    fn china_threat_hardening_decays_toward_the_initial_level() {
        let mut s = Scenario::default();
        s.world.china.h0 = crate::scenario::Param::Fixed(0.0);
        s.world.china.h_move = crate::scenario::Param::Fixed(0.0);
        s.world.china.h_regional = crate::scenario::Param::Fixed(0.0);
        let m = Compiled::new(&s);
        let mut sim = Sim::new(&m, 0, 1, 0);
        let start = sim.st.theta_cn;
        sim.china_month(&[(
            0,
            EventC::ChinaCoercion {
                target: 0,
                months: None,
                cost: None,
            },
        )]);
        let jolt = sim.st.theta_cn;
        assert!(jolt[JP] > start[JP] && jolt[2] > start[2]);
        assert_eq!(jolt[0], start[0], "Seoul does not harden");
        for _ in 0..24 {
            sim.draws.china = 1.0; // no random event
            sim.china_month(&[]);
        }
        let later = sim.st.theta_cn;
        for s in [JP, 2] {
            assert!(
                later[s] < jolt[s] && later[s] > start[s],
                "{later:?} {jolt:?}"
            );
            // Geometric relaxation: the excess shrinks by (1 − decay) per month.
            let expect = (jolt[s] - start[s]) * (1.0 - m.c.cn_threat_decay).powi(24);
            assert!((later[s] - start[s] - expect).abs() < 1e-9);
        }
    }
}
