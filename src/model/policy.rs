//! Which path is in force, and the relative gates of a path (docs/model.md §3.8).
//!
//! **Path in force.** Each Korean government may follow its own path. In order of precedence:
//! a `path` event (from its month on, until another `path` event); the `scenario.path_schedule`
//! entry covering the month (the later one where two overlap); the compared path, if it applies
//! to the camp in office (`paths.<name>.camps`, default every camp); the camp's
//! `scenario.path_by_camp` entry; else the compared path. The choice is re-evaluated at the
//! start, when a `path` event fires, at each Korean turnover and at each schedule date; a change
//! goes through [`Sim::set_path`] (the negotiation restarts). It draws nothing: every stream
//! advances alike whatever path is in force (common random numbers).
//!
//! **Relative gates** (reachable at equilibrium, unlike absolute thresholds). Track k passes its
//! gate when every condition the gate states holds:
//! - τ_JK ≥ τ_JK(t_last) − δ_τ, t_last the month of the path's last accepted move, else the
//!   month it came into force (τ_JK as it stood when the move was accepted or the path took
//!   over);
//! - F_KR ≥ F*_KR − δ_F,k (F*_KR the Korean favourability equilibrium `favourability_target`);
//! - B_S ≤ β_g·B_crit on both sides;
//! - no crisis and no executed retaliation or counter-threat on either side in the last m_calm
//!   months, the current one included;
//! - the optional absolute floors τ_JK ≥ trust and F_KR ≥ favourability.

use super::compiled::{JP, KR};
use super::state::Sim;

impl Sim<'_> {
    /// Index of the path that should be in force now (see module docs).
    pub fn path_in_force(&self) -> usize {
        if let Some(p) = self.st.path_event {
            return p;
        }
        let m = self.m;
        let t = self.t_now();
        if let Some(&(_, _, p)) = m
            .path_schedule
            .iter()
            .rev()
            .find(|&&(from, until, _)| from <= t && t < until)
        {
            return p;
        }
        let camp = self.st.camp[KR];
        if m.paths[self.compared].camps[camp] {
            return self.compared;
        }
        m.path_by_camp[camp].unwrap_or(self.compared)
    }

    /// Puts the path that should be in force in force (see module docs).
    pub fn refresh_path(&mut self) {
        self.switch_path(self.path_in_force());
    }

    /// Path `p` comes into force (if it is not already): the negotiation restarts and the
    /// trust reference of the relative gates is taken now.
    pub fn switch_path(&mut self, p: usize) {
        if p != self.path_index {
            self.set_path(p);
            self.st.gate_trust_ref = self.st.tau_jk;
        }
    }

    /// A `path` event: path `p` is in force from now on, whatever the schedule and camps say.
    pub fn path_event(&mut self, p: usize) {
        self.st.path_event = Some(p);
        self.switch_path(p);
    }

    /// Start of the month: the path in force at a date of `scenario.path_schedule`.
    pub fn schedule_path_month(&mut self) {
        let t = self.t_now();
        if self
            .m
            .path_schedule
            .iter()
            .any(|&(from, until, _)| from == t || until == t)
        {
            self.refresh_path();
        }
    }

    /// Whether track `k` passes the path's gate at month `t` (see module docs).
    pub fn gate_open(&self, k: usize, t: i64) -> bool {
        let Some(g) = self.path.gates[k] else {
            return true;
        };
        let st = &self.st;
        let c = &self.m.c;
        if st.tau_jk < g.trust || st.fav[KR] < g.favourability {
            return false;
        }
        if g.trust_drop
            .is_some_and(|d| st.tau_jk < st.gate_trust_ref - d)
        {
            return false;
        }
        if g.favourability_margin
            .is_some_and(|d| st.fav[KR] < c.fav_target[KR] - d)
        {
            return false;
        }
        if g.backlash_share.is_some_and(|b| {
            st.backlash[KR] > b * c.b_crit_of(KR) || st.backlash[JP] > b * c.b_crit_of(JP)
        }) {
            return false;
        }
        g.calm_months == 0 || self.calm(g.calm_months as i64, t)
    }

    /// No crisis and no executed retaliation on either side in the last `months` months (the
    /// month `t` included).
    pub fn calm(&self, months: i64, t: i64) -> bool {
        let st = &self.st;
        [KR, JP].iter().all(|&s| {
            !st.in_crisis[s]
                && t - st.last_crisis_month[s] >= months
                && t - st.last_retaliation[s] >= months
        })
    }

    /// End of the month: the sides in crisis at its end (for the calm condition of the gates).
    pub fn note_crisis_months(&mut self) {
        for s in [KR, JP] {
            if self.st.in_crisis[s] {
                self.st.last_crisis_month[s] = self.t_now();
            }
        }
    }
}
