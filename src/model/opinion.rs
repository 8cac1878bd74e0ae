//! Publics, trust and alliance fears (docs/model.md §1.3 step 1; §3.7).
//!
//! - Snyder's alliance security dilemma: abandonment `α_S = logistic(a₀ + a₁·ρ − a₂·κ·τ_SU)`
//!   (credibility as seen through the bilateral trust with Washington) and entrapment
//!   `ε_S = logistic(e₀ + e₁·E_S·m_S + e₂·ℓ_regional/max + e₃·tension)`, where m_S is the
//!   decaying memory of recent coercion against S and tension = US–China tension shifted by the
//!   rise of the US China-threat perception.
//! - Cha's quasi-alliance friction, switchable: `φ_JK = c₁|α_KR−α_JP| + c₂|ε_KR−ε_JP|
//!   + c₃|θ^NK_KR−θ^NK_JP| − c₄·g`, classic `g = min(α_KR, α_JP)`, revised
//!   `g = κ·min(θ^NK_KR, θ^NK_JP)` (a credible US plus a shared threat; Embracing 2023), off
//!   `φ = 0`.
//! - Favourability: `F_S += a_F·(F*_S − f_C·C_S − F_S) + g_F·G_S·1[no crisis] + noise`, with
//!   G_KR = Σ over last month's raises of w_k/(max_k·Σw)·q (the Korean public rewards
//!   consulted, well-built cooperation, not a top-down thaw: Chun 2022) and G_JP = ΔCI⁺ of
//!   last month; C_S, the memory of a partner's retaliation, then decays (flare-up shocks from
//!   the other side are applied in `history.rs`).
//! - Trust: `τ_JK += r_τ·Λ̄_w·(1 − τ_JK) − c_φ·φ_JK`, Λ̄_w = Σ_k w_k·Λ_k·1[ℓ_k ≥ 1]/Σw
//!   (trust grows with institutionalised cooperation, not with speed; flare-up and crisis
//!   shocks elsewhere); `τ_SU += r_us_trust·κ·(1 − τ_SU)` (US friction in `politics.rs`).

use super::compiled::{Coefs, JP, KR};
use super::exogenous::elections::logistic;
use super::state::Sim;
use crate::scenario::ChaVariant;

/// Institutionalised cooperation Λ̄_w = Σ_k w_k·Λ_k·1[ℓ_k ≥ 1]/Σ_k w_k.
pub fn institutionalised(tracks: &[super::compiled::TrackC], lock: &[f64], rung: &[u8]) -> f64 {
    super::compiled::weighted_share(tracks, |k| if rung[k] >= 1 { lock[k] } else { 0.0 })
}

/// Abandonment fear α.
#[inline]
pub fn abandonment(c: &Coefs, rho: f64, kappa: f64, tau_us: f64) -> f64 {
    logistic(c.a0 + c.a1 * rho - c.a2 * kappa * tau_us)
}

/// Entrapment fear ε.
#[inline]
pub fn entrapment(c: &Coefs, exposure: f64, memory: f64, regional: f64, tension: f64) -> f64 {
    logistic(c.e0 + c.e1 * exposure * memory + c.e2 * regional + c.e3 * tension)
}

/// Quasi-alliance friction φ_JK (Cha), see module docs.
#[allow(clippy::too_many_arguments)]
pub fn friction(
    c: &Coefs,
    variant: ChaVariant,
    alpha: [f64; 2],
    eps: [f64; 2],
    theta: [f64; 2],
    kappa: f64,
) -> f64 {
    let gaps = c.fc1 * (alpha[KR] - alpha[JP]).abs()
        + c.fc2 * (eps[KR] - eps[JP]).abs()
        + c.fc3 * (theta[KR] - theta[JP]).abs();
    match variant {
        ChaVariant::Off => 0.0,
        ChaVariant::Classic => gaps - c.fc4 * alpha[KR].min(alpha[JP]),
        ChaVariant::Revised => gaps - c.fc4 * kappa * theta[KR].min(theta[JP]),
    }
}

impl Sim<'_> {
    /// Institutionalised cooperation Λ̄_w of the current state (outcome, month metric and
    /// record column).
    pub fn lock_weighted(&self) -> f64 {
        institutionalised(&self.m.tracks, &self.st.lock, &self.st.rung)
    }

    /// Step 1 (fears, friction, favourability, trust).
    pub fn opinion_month(&mut self) {
        let m = self.m;
        let c = &m.c;
        let (rho, kappa) = (self.rho(), self.kappa());
        let st = &mut self.st;
        let regional = self
            .m
            .regional
            .map(|k| {
                let max = self.m.tracks[k].max.max(1) as f64;
                st.rung[k] as f64 / max
            })
            .unwrap_or(0.0);
        let tension = (c.us_china_tension + st.theta_cn[2] - c.us_threat_cn).clamp(0.0, 1.0);
        let tau_us = [st.tau_ku, st.tau_ju];
        let memory = [st.coercion_memory, st.coercion_memory_jp];
        for s in 0..2 {
            st.alpha[s] = abandonment(c, rho, kappa, tau_us[s]);
            st.eps[s] = entrapment(c, c.exposure[s], memory[s], regional, tension);
        }
        st.phi = friction(c, c.cha, st.alpha, st.eps, st.theta_nk, kappa);
        for s in 0..2 {
            let g = if s == KR {
                st.raised_quality_last
            } else {
                st.ci_gain_last.max(0.0)
            };
            let gain = if st.crisis_last[s] { 0.0 } else { c.g_f * g };
            // A public coerced by its partner (an executed retaliation, `events.rs`) relaxes
            // toward a lower target while the memory C_S lasts.
            let target = c.fav_target[s] - c.f_c * st.partner_coercion[s];
            st.fav[s] =
                (st.fav[s] + c.a_f * (target - st.fav[s]) + gain + c.f_noise * self.draws.n_fav[s])
                    .clamp(0.0, 1.0);
            st.partner_coercion[s] *= 1.0 - c.d_c;
        }
        let locked = institutionalised(&self.m.tracks, &st.lock, &st.rung);
        st.tau_jk =
            (st.tau_jk + c.r_tau * locked * (1.0 - st.tau_jk) - c.c_phi * st.phi).clamp(0.0, 1.0);
        st.tau_ku = (st.tau_ku + c.r_us_trust * kappa * (1.0 - st.tau_ku)).clamp(0.0, 1.0);
        st.tau_ju = (st.tau_ju + c.r_us_trust * kappa * (1.0 - st.tau_ju)).clamp(0.0, 1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::compiled::Compiled;
    use crate::scenario::Scenario;

    #[test]
    fn fears_respond_to_us_pressure_credibility_and_coercion() {
        let c = Compiled::new(&Scenario::default()).c;
        assert!(abandonment(&c, 0.8, 0.5, 0.7) > abandonment(&c, 0.2, 0.85, 0.7));
        assert!(entrapment(&c, 0.25, 1.0, 0.0, 0.5) > entrapment(&c, 0.25, 0.0, 0.0, 0.5));
        assert!(entrapment(&c, 0.2, 0.0, 1.0, 0.5) > entrapment(&c, 0.2, 0.0, 0.0, 0.5));
    }

    #[test]
    fn cha_variants_differ_as_documented() {
        let c = Compiled::new(&Scenario::default()).c;
        let (a, e, th) = ([0.6, 0.6], [0.2, 0.2], [0.7, 0.7]);
        assert_eq!(friction(&c, ChaVariant::Off, a, e, th, 0.9), 0.0);
        // Classic: a weak US (high abandonment fear) brings Seoul and Tokyo together.
        let weak = friction(&c, ChaVariant::Classic, [0.8, 0.8], e, th, 0.3);
        let strong = friction(&c, ChaVariant::Classic, [0.1, 0.1], e, th, 0.9);
        assert!(weak < strong);
        // Revised: a credible US plus a shared threat brings them together.
        let cred = friction(&c, ChaVariant::Revised, a, e, th, 0.9);
        let weak_r = friction(&c, ChaVariant::Revised, a, e, th, 0.3);
        assert!(cred < weak_r);
        // Gaps add friction.
        assert!(
            friction(&c, ChaVariant::Revised, [0.1, 0.6], e, th, 0.9)
                > friction(&c, ChaVariant::Revised, [0.6, 0.6], e, th, 0.9)
        );
    }
}
