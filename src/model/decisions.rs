//! Government valuation, backlash, the win-set filter and the US-facilitated joint move
//! (docs/model.md §1.3 steps 3–5, §3.9–§3.11; Putnam's two-level game; Op-ed 2022: "a hasty
//! effort ... could create a political crisis").
//!
//! Valuation of the next rung of track k by government S, the same on every path:
//! `ΔU_S,k = b_k·θ^NK_S + surge_desire·b_k·1[surge] + b'_k·θ^CN_S + prior_camp,k
//!          + u·m_sec·τ_S,US
//!          − σ_k·(1−F_S)·(1 + hw_camp·H̄_S)·Ξ_S − china_weight·χ_k·E_S·ĥ_CN − ε_S·χ_k
//!          − desire_penalty_S·χ_k·1[refractory_S]
//!          + ψ·σ_k·[(τ_JK − τ_ref) + (F_S − F_ref,S)]          (readiness)
//!          − β_H,k·max(0, H̄_S − H₀)                            (history brake)
//!          − hold_S,k`
//! with ĥ_CN = h_S(t) + a_S·h_move·χ_k (the hazard against S if the move is made, a_S its wedge
//! share: docs/model.md §3.6) and hw the camp's
//! history weight (a progressive KR government demands more on history: Op-ed 2022,
//! Chun 2022, Cho 2019). A US push counts as far as the government trusts Washington
//! (τ_S,US; Cho 2019). Readiness: sensitive steps are worth more where trust and the public are
//! ready, and less where they are not (Chun 2022: distrust "must be fundamentally addressed
//! before institutionalized military and security cooperation"); the history brake holds the
//! political tracks back while grievance is high (no Park–Abe summit until 2015-11).
//!
//! The value of *keeping* the current rung, V_S,k, is the same without the move's extra China
//! hazard and without the hold: it decides lapses and turnover reversals (`support.rs`,
//! `politics.rs`).
//!
//! Backlash of a move: `ΔB_S = σ_k·(1−F_S)·(1+H̄_S)·Ξ_S·(1 + η·overreach)·(1 + π·secrecy)`,
//! `overreach = max(0, (ℓ_k+1)/max_k − (τ_JK + F_S)/2)`,
//! `secrecy = (1 − transparency)·(1 + π_L·lame_S)` (2012 GSOMIA collapse, pushed by a lame
//! duck; 2015 deal without a victim-centred process, Chun 2022).
//!
//! Governments foresee backlash with error: the realized backlash of the month's moves is
//! `ΔB·exp(s·z_S − s²/2)` with one standard normal z_S per side and month (`backlash_noise`).
//!
//! Win-set (where the path respects it): S accepts only if its projected backlash after the
//! move stays under `B_crit·winset_margin` and its approval is at least `A_min`. Whatever the
//! path, nothing is accepted while either side is in crisis or acting. Joint move:
//! both accept when `ΔU ≥ 0`; a gap with `ΔU_S > −facilitation·m_sec·τ_S,US` on both sides is
//! bridged by a US side payment (Cho 2019: US active mediation has made cooperation possible).

use super::compiled::{Coefs, TrackC, JP, KR};
use super::state::Sim;

/// Backlash of one move (see module docs).
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn backlash(
    sigma: f64,
    fav: f64,
    grievance: f64,
    xi: f64,
    eta: f64,
    pi: f64,
    new_rung: u8,
    max: u8,
    tau_jk: f64,
    secrecy: f64,
) -> f64 {
    let readiness = (tau_jk + fav) / 2.0;
    let overreach = (new_rung as f64 / max.max(1) as f64 - readiness).max(0.0);
    sigma * (1.0 - fav) * (1.0 + grievance) * xi * (1.0 + eta * overreach) * (1.0 + pi * secrecy)
}

/// Whether side `s`'s win-set admits a move: projected backlash under
/// `B_crit,S·winset_margin` and approval at least `A_min`.
#[inline]
pub fn within_winset(c: &Coefs, s: usize, projected_backlash: f64, approval: f64) -> bool {
    projected_backlash <= c.b_crit_of(s) * c.winset_margin && approval >= c.a_min
}

/// Outcome of a joint-move decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Joint {
    /// Both governments want the move.
    Agreed,
    /// Accepted thanks to a US side payment.
    Facilitated,
    /// Refused.
    Refused,
}

/// Joint decision on utilities `du` with the US bridge of each side,
/// `facilitation·m_sec·τ_S,US`.
#[inline]
pub fn joint_decision(du: [f64; 2], bridge: [f64; 2]) -> Joint {
    if du[KR] >= 0.0 && du[JP] >= 0.0 {
        Joint::Agreed
    } else if du[KR] > -bridge[KR] && du[JP] > -bridge[JP] {
        Joint::Facilitated
    } else {
        Joint::Refused
    }
}

impl Sim<'_> {
    /// ΔU of the next rung of track `k` for side `s`, under the side's current camp.
    pub fn value(&self, s: usize, k: usize) -> f64 {
        self.value_for_camp(s, k, self.st.camp[s])
    }

    /// ΔU of the next rung of track `k` for side `s` if `camp` governed.
    pub fn value_for_camp(&self, s: usize, k: usize, camp: usize) -> f64 {
        let tr = &self.m.tracks[k];
        // The move's own provocation: ĥ_S − h_S = a_S·h_move·χ_k.
        let extra = self.expected_china_hazard(s, tr.chi) - self.expected_china_hazard(s, 0.0);
        self.keep_value_for_camp(s, k, camp)
            - self.m.c.china_weight * tr.chi * self.m.c.exposure[s] * extra
            - self.hold_cost(s, k)
    }

    /// V_S,k: the value to side `s` of keeping the current rung of track `k` (ΔU without the
    /// move's extra China hazard and without a hold), under the side's current camp.
    pub fn keep_value(&self, s: usize, k: usize) -> f64 {
        self.keep_value_for_camp(s, k, self.st.camp[s])
    }

    /// V_S,k if `camp` governed.
    pub fn keep_value_for_camp(&self, s: usize, k: usize, camp: usize) -> f64 {
        let m = self.m;
        let c = &m.c;
        let tr: &TrackC = &self.m.tracks[k];
        let st = &self.st;
        let surge = if self.surge() {
            c.surge_desire * tr.b
        } else {
            0.0
        };
        let refractory = if s == KR && st.refractory > 0.0 {
            c.desire_penalty * tr.chi
        } else if s == JP && st.refractory_jp > 0.0 {
            c.desire_penalty_jp * tr.chi
        } else {
            0.0
        };
        let readiness =
            c.readiness * tr.sigma * ((st.tau_jk - c.readiness_trust) + (st.fav[s] - c.fav_ref[s]));
        let brake = tr.history_brake * (st.grievance[s] - c.brake_threshold).max(0.0);
        // The hazard against S as it stands (keeping the rung adds no provocation).
        let h_now = self.expected_china_hazard(s, 0.0);
        tr.b * st.theta_nk[s]
            + surge
            + tr.b_cn * st.theta_cn[s]
            + tr.prior[camp]
            + c.u * self.m_sec() * self.tau_us(s)
            - tr.sigma
                * (1.0 - st.fav[s])
                * (1.0 + c.camp_history_weight[camp] * st.grievance[s])
                * c.xi[s]
            - c.china_weight * tr.chi * c.exposure[s] * h_now
            - st.eps[s] * tr.chi
            - refractory
            + readiness
            - brake
    }

    /// Backlash for side `s` of moving track `k` one rung up now.
    pub fn move_backlash(&self, s: usize, k: usize) -> f64 {
        let m = self.m;
        let c = &m.c;
        let tr = &self.m.tracks[k];
        backlash(
            tr.sigma,
            self.st.fav[s],
            self.st.grievance[s],
            c.xi[s],
            c.eta,
            c.pi,
            self.st.rung[k] + 1,
            tr.max,
            self.st.tau_jk,
            self.secrecy(s),
        )
    }

    /// Secrecy of the path's moves for side `s`: `(1 − transparency)·(1 + π_L·lame_S)`.
    pub fn secrecy(&self, s: usize) -> f64 {
        let lame = if self.lame(s) { 1.0 } else { 0.0 };
        (1.0 - self.path.transparency) * (1.0 + self.m.c.lame_duck * lame)
    }

    /// Steps 3–5 for one proposal: valuation, win-set, joint move; applies the move and its
    /// backlash when accepted. Returns whether the move happened.
    pub fn propose(&mut self, k: usize) -> bool {
        let m = self.m;
        let c = &m.c;
        // Crisis flags as of this step (a crisis event may have started one this month) and
        // acting governments: nothing is accepted.
        if self.st.in_crisis[KR] || self.st.in_crisis[JP] || self.acting(KR) || self.acting(JP) {
            // A government in crisis has no win-set left at all.
            self.diag.winset_refusals += 1;
            return false;
        }
        let db = [self.move_backlash(KR, k), self.move_backlash(JP, k)];
        if self.path.respect_winset {
            for s in [KR, JP] {
                let projected =
                    (1.0 - c.rho_b) * self.st.backlash[s] + self.st.new_backlash[s] + db[s];
                if !within_winset(c, s, projected, self.st.approval[s]) {
                    self.diag.winset_refusals += 1;
                    return false;
                }
            }
        }
        let du = [self.value(KR, k), self.value(JP, k)];
        let bridge = [KR, JP].map(|s| c.facilitation * self.m_sec() * self.tau_us(s));
        match joint_decision(du, bridge) {
            Joint::Refused => {
                self.diag.utility_refusals += 1;
                false
            }
            j => {
                if j == Joint::Facilitated {
                    self.diag.side_payments += 1;
                }
                let q = self.move_quality(k);
                self.apply_move(k, db, q);
                true
            }
        }
    }

    /// Applies an upward move of build quality `q` with its backlash `db` as the governments
    /// expected it; the realized backlash is `db·exp(s·z − s²/2)` (governments misjudge their
    /// publics). A move at the top rung changes nothing.
    pub fn apply_move(&mut self, k: usize, db: [f64; 2], q: f64) {
        let t = self.t_now();
        let l = self.st.rung[k];
        if l >= self.m.tracks[k].max {
            return;
        }
        self.st.quality[k] = (self.st.quality[k] * l as f64 + q) / (l as f64 + 1.0);
        let w_sum: f64 = self.m.tracks.iter().map(|t| t.w).sum();
        if w_sum > 0.0 {
            self.st.raised_quality +=
                self.m.tracks[k].w / (self.m.tracks[k].max as f64 * w_sum) * q;
        }
        self.st.move_up(k, t);
        let s = self.m.c.backlash_noise;
        for side in [KR, JP] {
            let z = self.draws.misjudge[side];
            self.st.new_backlash[side] += db[side] * (s * z - 0.5 * s * s).exp();
        }
        self.diag.moves += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backlash_formula_with_overreach_and_secrecy() {
        // No overreach (readiness 0.5 ≥ 1/2), full transparency: σ(1−F)(1+H)Ξ.
        let b = backlash(0.5, 0.4, 0.5, 1.0, 1.5, 1.0, 1, 2, 0.6, 0.0);
        assert!((b - 0.5 * 0.6 * 1.5).abs() < 1e-12);
        // Overreach: rung 2 of 2 with readiness 0.5 → overreach 0.5.
        let o = backlash(0.5, 0.4, 0.5, 1.0, 1.5, 1.0, 2, 2, 0.6, 0.0);
        assert!((o - 0.45 * (1.0 + 1.5 * 0.5)).abs() < 1e-12);
        // Secrecy: transparency 0.3 → ×(1 + π·0.7).
        let s = backlash(0.5, 0.4, 0.5, 1.0, 1.5, 1.0, 1, 2, 0.6, 0.7);
        assert!((s - 0.45 * 1.7).abs() < 1e-12);
        // Japan's smaller Ξ, higher favourability and lower grievance all reduce it.
        assert!(backlash(0.5, 0.4, 0.5, 0.4, 1.5, 1.0, 1, 2, 0.6, 0.0) < b);
        assert!(backlash(0.5, 0.8, 0.5, 1.0, 1.5, 1.0, 1, 2, 0.6, 0.0) < b);
        assert!(backlash(0.5, 0.4, 0.0, 1.0, 1.5, 1.0, 1, 2, 0.6, 0.0) < b);
    }

    #[test]
    fn facilitation_bridges_only_a_small_gap() {
        assert_eq!(joint_decision([0.1, 0.2], [0.1; 2]), Joint::Agreed);
        assert_eq!(joint_decision([-0.05, 0.2], [0.1; 2]), Joint::Facilitated);
        assert_eq!(joint_decision([-0.05, 0.2], [0.0; 2]), Joint::Refused);
        assert_eq!(joint_decision([-0.3, 0.2], [0.1; 2]), Joint::Refused);
        assert_eq!(joint_decision([0.3, -0.2], [0.1; 2]), Joint::Refused);
        // Each side's bridge is its own (facilitation·m_sec·τ_S,US): a distrustful Seoul is
        // not bridged even where Tokyo would be.
        assert_eq!(joint_decision([-0.05, -0.05], [0.02, 0.1]), Joint::Refused);
        assert_eq!(
            joint_decision([-0.05, -0.05], [0.1, 0.1]),
            Joint::Facilitated
        );
    }
}
