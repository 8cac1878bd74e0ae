//! Domestic politics (docs/model.md §1.3 steps 5–8; §3.11, §3.12, §3.14).
//!
//! - Backlash and approval: `B_S(t+1) = (1−ρ_B)·B_S + ΣΔB`,
//!   `A_S(t+1) = A_S + ζ·(A⁰_S − A_S) − a_B·ΣΔB + rally·1[NK surge] + noise`. The part of the
//!   approval loss due to Japan policy, `D_S(t+1) = (1−ζ)·D_S + a_B·ΣΔB`, decides whether Japan
//!   policy is the leading cause of low approval (D_S ≥ ½·(A⁰_S − A_S)).
//! - Crisis, on both sides (Op-ed 2022): it starts when `B_S > B_crit`, or `A_S < A_crit` for
//!   `low_approval_months` consecutive months with partner policy the leading cause. On
//!   starting: with probability `p_rollback·(1 − Λ_k)` the most recent high-σ (military) move
//!   is rolled back one rung (scar); τ_JK and the side's trust in the US fall by
//!   `crisis_trust_shock`; the crisis counts against the incumbent at the next election;
//!   B_S is discharged by `crisis_discharge`. Each month in crisis (the first included) costs
//!   approval `crisis_approval_cost` and counts among the term's crisis months (elections,
//!   `crisis_months_penalty`; a Japanese crisis multiplies the PM-turnover hazard). It ends
//!   once `B_S < crisis_exit·B_crit` and `A_S ≥ A_crit`, after at least `crisis_min_months`
//!   months and not before the end of a crisis event. Nothing is accepted and no negotiation
//!   advances while either side is in crisis.
//! - US friction (Op-ed 2022: "lower U.S. expectations and adjust the pace", else both
//!   relations "may suffer"): `τ_KU −= (1 − em)·[f_US·gap + f_fall·fallen]` with gap the
//!   w-weighted shortfall of the rungs below the US wish list and fallen the w-weighted share
//!   of rungs lost this month on tracks below it: a shortfall costs slowly, a collapse at once.
//! - Leader turnover: the new government takes its camp's priors, baseline and honeymoon
//!   approval; when the camp changes, each track it would not have chosen (ΔU < 0 under the new
//!   camp) is reversed one rung with probability `p_reverse·(1 − Λ_k)` (persistence of summitry
//!   and Freedom Edge through the 2024–25 crisis); a new Korean camp restarts the history
//!   negotiation (repudiation is a monthly hazard: `settlement.rs`).

use super::compiled::{JP, KR};
use super::state::Sim;
use super::support::Fall;

/// Probability of rolling back (or reversing) a track with lock-in Λ.
#[inline]
pub fn lock_in_damped(p: f64, lock: f64) -> f64 {
    (p * (1.0 - lock)).clamp(0.0, 1.0)
}

/// Whether the crisis of side `s` may end at month `now`: it has lasted `crisis_min_months`,
/// backlash is under `crisis_exit·B_crit` and approval at least `A_crit`.
#[inline]
pub fn crisis_over(
    c: &super::compiled::Coefs,
    st: &super::state::State,
    s: usize,
    now: i64,
) -> bool {
    now - st.crisis_start[s] >= c.crisis_min_months as i64
        && st.backlash[s] < c.crisis_exit * c.b_crit_of(s)
        && st.approval[s] >= c.a_crit
}

/// w-weighted share of the tracks that fell this month while below the US expectation,
/// `Σ_{k fell, e_k > ℓ_k} w_k/Σw`.
pub fn fallen_below_expectation(
    tracks: &[super::compiled::TrackC],
    rung: &[u8],
    fell: &[u8],
) -> f64 {
    super::compiled::weighted_share(tracks, |k| {
        let fell_below = fell[k] > 0 && tracks[k].us_expectation > rung[k];
        if fell_below {
            1.0
        } else {
            0.0
        }
    })
}

/// w-weighted shortfall of the rungs below the US expectation, in [0, 1].
pub fn expectation_gap(tracks: &[super::compiled::TrackC], rung: &[u8]) -> f64 {
    let mut gap = 0.0;
    let mut den = 0.0;
    for (t, &l) in tracks.iter().zip(rung) {
        den += t.w;
        if t.max > 0 && t.us_expectation > l {
            gap += t.w * (t.us_expectation - l) as f64 / t.max as f64;
        }
    }
    if den > 0.0 {
        gap / den
    } else {
        0.0
    }
}

impl Sim<'_> {
    /// Step 5: backlash stock and approval.
    pub fn approval_month(&mut self) {
        let m = self.m;
        let c = &m.c;
        let rally = if self.surge() { c.rally } else { 0.0 };
        let st = &mut self.st;
        for s in [KR, JP] {
            let db = st.new_backlash[s];
            st.backlash[s] = (1.0 - c.rho_b) * st.backlash[s] + db;
            st.japan_drag[s] = (1.0 - c.zeta) * st.japan_drag[s] + c.a_b * db;
            st.approval[s] = (st.approval[s] + c.zeta * (st.baseline[s] - st.approval[s])
                - c.a_b * db
                + rally
                + c.approval_noise * self.draws.n_approval[s])
                .clamp(0.0, 1.0);
        }
    }

    /// The track a crisis rolls back: the most recent upward move on a military track still
    /// above rung 0 (else the highest-σ military track above 0).
    pub fn rollback_target(&self) -> Option<usize> {
        let st = &self.st;
        (0..self.m.tracks.len())
            .filter(|&k| self.m.tracks[k].military && st.rung[k] >= 1)
            .max_by(|&a, &b| {
                st.last_up[a]
                    .cmp(&st.last_up[b])
                    .then(self.m.tracks[a].sigma.total_cmp(&self.m.tracks[b].sigma))
            })
    }

    /// Step 6: political crises.
    pub fn crisis_month(&mut self, t: u32) {
        let m = self.m;
        let c = &m.c;
        for s in [KR, JP] {
            let st = &mut self.st;
            let deficit = st.baseline[s] - st.approval[s];
            let japan_led = st.japan_drag[s] > 0.0 && st.japan_drag[s] >= 0.5 * deficit;
            if st.approval[s] < c.a_crit && japan_led {
                st.low_approval[s] += 1;
            } else {
                st.low_approval[s] = 0;
            }
            // A crisis pinned by a crisis event lasts at least until its end month.
            let now = t as i64;
            let pinned = now <= st.crisis_until[s];
            if !st.in_crisis[s] {
                let over = st.backlash[s] > c.b_crit_of(s);
                if over || st.low_approval[s] >= c.low_approval_months || pinned {
                    if over {
                        self.diag.backlash_crises += 1;
                    } else {
                        self.diag.approval_crises += 1;
                    }
                    self.crisis_event(s);
                    self.st.in_crisis[s] = true;
                }
            } else if crisis_over(c, st, s, now) && !pinned {
                st.in_crisis[s] = false;
            }
            let st = &mut self.st;
            if st.in_crisis[s] {
                // Political capital spent: approval falls each month of the crisis.
                st.approval[s] = (st.approval[s] - c.crisis_approval_cost).max(0.0);
                st.crisis_months_term[s] += 1;
                self.acc.last_crisis = Some(t);
                if s == KR {
                    self.acc.kr_crisis_months += 1;
                } else {
                    self.diag.jp_crisis_months += 1;
                }
            }
        }
    }

    /// A crisis in side `s` (see module docs).
    pub fn crisis_event(&mut self, s: usize) {
        let m = self.m;
        let c = &m.c;
        if s == KR {
            self.acc.kr_crises += 1;
        } else {
            self.acc.jp_crises += 1;
        }
        if let Some(k) = self.rollback_target() {
            let p = lock_in_damped(c.p_rollback, self.st.lock[k]);
            if self.draws.rollback[s] < p {
                self.fall(k, true, Fall::Rollback);
            }
        }
        let st = &mut self.st;
        st.tau_jk = (st.tau_jk - c.crisis_trust_shock).max(0.0);
        if s == KR {
            st.tau_ku = (st.tau_ku - c.crisis_trust_shock).max(0.0);
        } else {
            st.tau_ju = (st.tau_ju - c.crisis_trust_shock).max(0.0);
        }
        st.crises_term[s] += 1;
        st.backlash[s] *= 1.0 - c.crisis_discharge;
        st.low_approval[s] = 0;
        st.crisis_start[s] = self.t as i64;
    }

    /// Whether side `s` is a lame duck: within `lame_months` of the end of a Korean term, or
    /// with approval more than 0.1 under its baseline.
    pub fn lame(&self, s: usize) -> bool {
        let st = &self.st;
        let term_ending =
            s == KR && ((st.next_kr_election - self.t_now()) as f64) <= self.m.c.lame_months;
        term_ending || st.approval[s] < st.baseline[s] - 0.1
    }

    /// Step 7: US friction on τ_KU from the expectation gap.
    pub fn us_friction_month(&mut self) {
        let m = self.m;
        let c = &m.c;
        let gap = expectation_gap(&self.m.tracks, &self.st.rung);
        let fallen = fallen_below_expectation(&self.m.tracks, &self.st.rung, &self.st.fell_now);
        self.st.tau_ku = (self.st.tau_ku
            - (1.0 - self.path.expectation_management) * (c.f_us * gap + c.f_fall * fallen))
            .clamp(0.0, 1.0);
    }

    /// Step 8: leader turnovers decided in step 1.
    pub fn turnover_month(&mut self, t: u32) {
        if let Some(camp) = self.st.pending_kr.take() {
            self.diag.kr_turnovers += 1;
            self.turnover(KR, camp, t);
        }
        if let Some(camp) = self.st.pending_jp.take() {
            self.diag.jp_turnovers += 1;
            self.turnover(JP, camp, t);
        }
    }

    /// A new government of `camp` in side `s`.
    pub fn turnover(&mut self, s: usize, camp: usize, t: u32) {
        let m = self.m;
        let c = &m.c;
        let old = self.st.camp[s];
        self.acc.turnovers.push((t, self.st.ci, false));
        if camp != old {
            if s == KR {
                self.acc.kr_camp_changes.push((t, self.st.ci, self.st.ci));
            }
            // A new camp lifts the outgoing government's retaliation hold.
            self.st.hold[s] = None;
            for k in 0..self.m.tracks.len() {
                if self.st.rung[k] == 0 {
                    continue;
                }
                // Does the new government value keeping this rung (V_S,k)?
                let v = self.keep_value_for_camp(s, k, camp);
                let p = lock_in_damped(c.p_reverse, self.st.lock[k]);
                if v < 0.0 && self.draws.reverse[k][s] < p {
                    self.fall(k, true, Fall::Turnover);
                }
            }
            if s == KR {
                // A new Korean camp restarts the history negotiation.
                self.st.negotiation = None;
            }
        }
        let st = &mut self.st;
        st.camp[s] = camp;
        st.baseline[s] = c.camp_baseline[camp];
        st.approval[s] = c.honeymoon;
        st.crises_term[s] = 0;
        st.crisis_months_term[s] = 0;
        st.low_approval[s] = 0;
        st.japan_drag[s] = 0.0;
        if s == KR {
            self.refresh_path();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_in_damps_rollback_and_reversal() {
        assert_eq!(lock_in_damped(0.6, 0.0), 0.6);
        assert!((lock_in_damped(0.6, 0.5) - 0.3).abs() < 1e-12);
        assert_eq!(lock_in_damped(0.6, 1.0), 0.0);
    }
}
