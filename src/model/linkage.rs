//! Linkage between history and cooperation (docs/model.md §3.5; Chun 2022: history is now
//! linked to economics and security).
//!
//! - **Deliberation.** After an act on issue i offending side S, S's government opens a
//!   retaliation deliberation with probability `p_ret·hawk_S·ω·o_i` (ω = 1 for a material act:
//!   a court ruling, a repudiation, an executed retaliation; `ritual_weight` for a ritual one:
//!   textbooks, Takeshima Day, anniversaries; o_i = 1 if the issue is open or repudiated,
//!   1 − q_i if settled). One test per issue and side a month, at the month's strongest act:
//!   each act only notes its weight ([`Sim::note_act`]); the tests run at the end of step 1's
//!   history, after the month's acts, repudiations, executions and counter-threats
//!   ([`Sim::deliberations_month`]), so a ritual act earlier in the month does not use up the
//!   test of a later material one. They run in issue order with the month's pre-drawn uniform of
//!   each issue and side; at most one pending retaliation per side (the first success in issue
//!   order); the lag is `lag_min + ⌊u·(lag_max − lag_min + 1)⌋` months (rulings 2018-10/11 →
//!   export controls 2019-07), counted from the month of the test (a lag of 0 is carried out the
//!   next month: the month's executions precede its deliberations).
//! - From the next month a deliberation is **dropped** if the issue has been settled since the
//!   decision or S's camp changes, else with probability `1 − exp(−d_m·m_hist)` a month (US
//!   history mediation).
//! - **Execution** (`events.rs`): economic_security falls one rung with a hold; a material act
//!   offending the other side O, which may deliberate in turn (Korea's 2019-09 white-list
//!   removal); F_O −= f_ret and C_O = 1.
//! - **Counter-threat.** From the next month O threatens `intelligence` if it stands at rung ≥ 1
//!   (white list 2019-08-02 → GSOMIA decision 2019-08-22), pending `counter_months` N_c months;
//!   in each the US cancels it with probability `1 − exp(−(c_m·m_sec + c_κ·κ)·τ_O,US/N_c)`.
//!   Uncancelled after the N_c-th month, intelligence falls one rung (scar): a material act by
//!   O, without deliberation. A `counter_threat` event replaces the automatic threat.

use super::compiled::{JP, KR};
use super::state::{PendingRetaliation, PendingThreat, Sim};
use crate::scenario::IssueStatus;

/// The lag of a deliberation from its uniform draw `u`.
#[inline]
pub fn lag(lag_min: u32, lag_max: u32, u: f64) -> i64 {
    let span = (lag_max.max(lag_min) - lag_min + 1) as f64;
    lag_min as i64 + ((u * span).floor() as i64).min(span as i64 - 1)
}

/// Monthly probability that the US gets a counter-threat cancelled.
#[inline]
pub fn cancel_probability(
    c_m: f64,
    c_kappa: f64,
    m_sec: f64,
    kappa: f64,
    tau_us: f64,
    n_c: u32,
) -> f64 {
    1.0 - (-((c_m * m_sec + c_kappa * kappa) * tau_us / n_c.max(1) as f64).max(0.0)).exp()
}

impl Sim<'_> {
    /// An act on issue `i` offending side `s`, of weight `w` (1 material, `ritual_weight`
    /// ritual): noted for the month's deliberation test, which is at the month's strongest act
    /// (see module docs).
    pub fn note_act(&mut self, i: usize, s: usize, w: f64) {
        let a = &mut self.st.strongest_act[i][s];
        *a = a.max(w);
    }

    /// End of step 1 (history): one deliberation test per issue and side offended this month,
    /// at the weight of the month's strongest act, in issue order (see module docs). Clears the
    /// month's acts.
    pub fn deliberations_month(&mut self) {
        for i in 0..self.st.strongest_act.len() {
            for s in [KR, JP] {
                let w = std::mem::take(&mut self.st.strongest_act[i][s]);
                if w > 0.0 {
                    self.deliberate(i, s, w);
                }
            }
        }
    }

    /// The deliberation test of side `s` over issue `i` at an act of weight `w`: a retaliation
    /// on economic_security is decided with probability `p_ret·hawk_S·w·o_i` unless `s`
    /// already has one pending.
    fn deliberate(&mut self, i: usize, s: usize, w: f64) {
        let Some(track) = self.m.economic_security else {
            return;
        };
        let t = self.t_now();
        let c = &self.m.c;
        let is = &self.st.issues[i];
        let open = match is.status {
            IssueStatus::Settled => 1.0 - is.quality,
            _ => 1.0,
        };
        let camp = self.st.camp[s];
        let p = c.p_retaliate * c.camp_hawkishness[camp] * w * open;
        if self.draws.deliberate[i][s] < p && self.st.pending_retaliation[s].is_none() {
            self.diag.retaliations_opened += 1;
            let [u_lag, _, _] = self.draws.linkage[s];
            self.st.pending_retaliation[s] = Some(PendingRetaliation {
                issue: i,
                track,
                resolves: t + lag(c.lag_min, c.lag_max, u_lag),
                execute: true,
                deliberation: Some((t, camp)),
            });
        }
    }

    /// Whether side `s`'s pending deliberation is dropped this month (module docs).
    pub fn deliberation_dropped(&self, s: usize, p: &PendingRetaliation) -> bool {
        let Some((opened, camp)) = p.deliberation else {
            return false;
        };
        if opened >= self.t_now() {
            return false;
        }
        // Settled *since* the decision: a deliberation decided over an issue already settled (at
        // probability ×(1 − q)) stands; otherwise the (1 − q) factor could never lead to an
        // executed retaliation.
        let is = &self.st.issues[p.issue];
        let settled = is.status == IssueStatus::Settled && is.settled_at >= opened;
        let [_, u_drop, _] = self.draws.linkage[s];
        settled
            || self.st.camp[s] != camp
            || u_drop < 1.0 - (-self.m.c.drop_rate * self.m_hist()).exp()
    }

    /// After side `by` executed a retaliation: the other side's automatic counter-threat on
    /// intelligence from next month, unless it already has one.
    pub fn open_counter_threat(&mut self, by: usize, issue: usize) {
        let o = 1 - by;
        let (Some(k), None) = (self.m.intelligence, self.st.counter_threat[o]) else {
            return;
        };
        let t = self.t_now();
        self.st.counter_threat[o] = Some(PendingThreat {
            track: k,
            issue: Some(issue),
            resolves: t + self.m.c.counter_months as i64,
            execute: true,
            automatic: Some(t + 1),
        });
    }

    /// Whether side `s`'s automatic counter-threat ends this month without being carried out:
    /// nothing to threaten when it opens, or cancelled by the US.
    pub fn threat_withdrawn(&self, s: usize, p: &PendingThreat) -> Option<bool> {
        let open = p.automatic?;
        let t = self.t_now();
        if t < open {
            return None;
        }
        if t == open && self.st.rung[p.track] == 0 {
            return Some(false);
        }
        let c = &self.m.c;
        let pc = cancel_probability(
            c.cancel_m_sec,
            c.cancel_kappa,
            self.m_sec(),
            self.kappa(),
            self.tau_us(s),
            c.counter_months,
        );
        let [_, _, u_cancel] = self.draws.linkage[s];
        (u_cancel < pc).then_some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lag_spans_its_range_evenly() {
        assert_eq!(lag(6, 10, 0.0), 6);
        assert_eq!(lag(6, 10, 0.999_999), 10);
        assert_eq!(lag(6, 10, 0.5), 8);
        assert_eq!(lag(3, 3, 0.7), 3);
    }

    #[test]
    fn cancellation_rises_with_us_push_credibility_and_trust() {
        let p = |m, k, tau| cancel_probability(1.5, 0.5, m, k, tau, 3);
        assert_eq!(p(0.0, 0.0, 1.0), 0.0);
        assert!(p(0.8, 0.85, 0.8) > p(0.3, 0.5, 0.8));
        assert!(p(0.8, 0.85, 0.8) > p(0.8, 0.85, 0.2));
        // Over N_c months an engaged, trusted US cancels most threats (GSOMIA kept 2019-11).
        let keep = 1.0 - (1.0 - p(0.8, 0.85, 0.8)).powi(3);
        assert!(keep > 0.6 && keep < 0.9, "{keep}");
    }
}
