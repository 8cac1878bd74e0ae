//! The history negotiation, Japan's win-set, settlements and repudiation (docs/model.md §3.13).
//!
//! - **Negotiation** (step 2). A proposing path negotiates the most salient open issue, or a
//!   repudiated one once `renegotiate_after_months` have passed since its repudiation
//!   (`security_first` waits until every security track is at its target). Progress grows by
//!   `τ_JK·(1 + m_hist)/(1 + hw_KR·H̄_KR)` a month (trust and US mediation speed it, Cho 2019;
//!   a grievance-laden public slows it, Chun 2022) and pauses while either side is in crisis or
//!   acting. While it progresses, Korean demands feed Japanese grievance:
//!   `H̄_JP += g_dem·q_p·s_i` (Madrid 2022: Tokyo presses Seoul in turn).
//! - **Japan's ceiling.** When progress reaches `months_to_settle`, Tokyo concedes at most
//!   `q̄_JP = clamp₀¹(q₀ + v_s·max(θ^NK_JP, θ^CN_JP) + u_h·m_hist − κ_c(camp_JP)·H̄_JP)`. If
//!   q̄_JP ≥ the path's floor q_min the issue settles at `q = min(q_p, q̄_JP)`; otherwise the
//!   negotiation stalls (no progress, no demands) and is re-tested each month. A change of
//!   Korean camp or of path restarts it.
//! - **Settlement.** Salience falls to s·(1 − q) (flare hazard and linkage follow), holds over
//!   the issue are lifted, Seoul bears `sb_KR·s·(1 − q)·(1 + π·(1 − transparency))` (the 2015
//!   deal, Chun 2022) and Tokyo `sb_JP·s·q·(1 + hw_JP·H̄_JP)` (Madrid 2022: Kishida "under
//!   pressure from conservatives in his party").
//! - **Repudiation** (step 1). Each month up to `repudiation_window_months` after a settlement,
//!   a Korean government of the other camp (not an acting one) repudiates it with probability
//!   `h_rep·(1 − q)·(1 + H̄_KR)` (Moon in office 2017-05 → foundation dissolved 2018-11). The
//!   issue returns to full salience as `repudiated`; the repudiation is a material act offending
//!   Tokyo (its grievance, favourability and τ_JK shocks, plus `τ_JK −= rep_τ`) that may open a
//!   Japanese retaliation deliberation.

use super::compiled::{EventC, JP, KR};
use super::state::Sim;
use crate::scenario::{HistoryMode, IssueStatus};

impl Sim<'_> {
    /// Step 2: the path's history negotiation (see the module docs).
    pub fn settlement_month(&mut self) {
        if !self.path.proposes {
            return;
        }
        if self.st.negotiation.is_none() {
            match self.next_issue_to_negotiate() {
                Some(i) => self.st.negotiation = Some((i, 0.0)),
                None => return,
            }
        }
        if self.st.in_crisis[KR] || self.st.in_crisis[JP] || self.acting(KR) || self.acting(JP) {
            return;
        }
        let c = &self.m.c;
        let (i, progress) = self.st.negotiation.expect("negotiation exists");
        if progress < self.path.months_to_settle {
            // Progress, and the demand that comes with it.
            let hw = c.camp_history_weight[self.st.camp[KR]];
            let step = self.st.tau_jk * (1.0 + self.m_hist()) / (1.0 + hw * self.st.grievance[KR]);
            let demand =
                c.demand_grievance * self.path.settlement_quality * self.st.issues[i].salience;
            self.st.grievance[JP] = (self.st.grievance[JP] + demand).min(1.0);
            self.st.negotiation = Some((i, progress + step));
            if progress + step < self.path.months_to_settle {
                return;
            }
        }
        // Concluded on the Korean side: Tokyo concedes up to its ceiling, or the talks stall.
        let ceiling = self.japan_ceiling();
        if ceiling >= self.path.settlement_floor {
            self.settle(i, self.path.settlement_quality.min(ceiling), None, true);
        } else {
            self.diag.settlement_stalls += 1;
        }
    }

    /// The issue a path negotiates next: the most salient open issue, or a repudiated one whose
    /// waiting time has passed; none under `security_first` until the security tracks are at
    /// their targets.
    fn next_issue_to_negotiate(&self) -> Option<usize> {
        if self.path.history_mode == HistoryMode::SecurityFirst {
            let done = (0..self.m.tracks.len())
                .filter(|&k| self.m.tracks[k].military)
                .all(|k| self.st.rung[k] >= self.path.targets[k]);
            if !done {
                return None;
            }
        }
        let now = self.t_now();
        let wait = self.m.c.renegotiate_after;
        self.st
            .issues
            .iter()
            .enumerate()
            .filter(|(_, is)| match is.status {
                IssueStatus::Open => true,
                IssueStatus::Repudiated => (now - is.repudiated_at) as f64 >= wait,
                IssueStatus::Settled => false,
            })
            .max_by(|a, b| a.1.salience.total_cmp(&b.1.salience))
            .map(|(i, _)| i)
    }

    /// q̄_JP: the highest settlement quality Tokyo concedes now.
    pub fn japan_ceiling(&self) -> f64 {
        let c = &self.m.c;
        let st = &self.st;
        let threat = st.theta_nk[JP].max(st.theta_cn[JP]);
        (c.ceiling_base + c.ceiling_threat * threat + c.ceiling_mediation * self.m_hist()
            - c.ceiling_grievance[st.camp[JP]] * st.grievance[JP])
            .clamp(0.0, 1.0)
    }

    /// Issue `i` is settled at quality `q` by `camp` (default the Korean camp in office), with
    /// both sides' settlement backlash if `backlash`; a negotiation of it ends and retaliation
    /// holds over it are lifted.
    pub(super) fn settle(&mut self, i: usize, q: f64, camp: Option<usize>, backlash: bool) {
        let c = &self.m.c;
        let t = self.t_now();
        let is = &mut self.st.issues[i];
        let s = is.salience;
        is.status = IssueStatus::Settled;
        is.quality = q;
        is.salience = s * (1.0 - q);
        is.settled_at = t;
        is.settled_camp = camp.unwrap_or(self.st.camp[KR]);
        self.st.any_settled = true;
        if backlash {
            self.st.new_backlash[KR] += c.settlement_backlash
                * s
                * (1.0 - q)
                * (1.0 + c.pi * (1.0 - self.path.transparency));
            let hw_jp = c.camp_history_weight[self.st.camp[JP]];
            self.st.new_backlash[JP] +=
                c.backlash_jp * s * q * (1.0 + hw_jp * self.st.grievance[JP]);
        }
        if self.st.negotiation.is_some_and(|(j, _)| j == i) {
            self.st.negotiation = None;
        }
        for h in self.st.hold.iter_mut() {
            if h.is_some_and(|h| h.issue == i) {
                *h = None;
            }
        }
        self.diag.settlements += 1;
        self.diag.settlement_quality_sum += q;
    }

    /// Step 1 (history): the monthly repudiation hazard of settlements concluded by the Korean
    /// camp now out of office; an issue with a `repudiation` event this month is left to it.
    pub fn repudiation_month(&mut self, events: &[(u32, EventC)]) {
        if self.acting(KR) {
            return;
        }
        let c = &self.m.c;
        let now = self.t_now();
        for i in 0..self.st.issues.len() {
            let is = &self.st.issues[i];
            if is.status != IssueStatus::Settled
                || is.settled_camp == self.st.camp[KR]
                || (now - is.settled_at) as f64 > c.repudiation_window
                || events
                    .iter()
                    .any(|(_, e)| matches!(*e, EventC::Repudiation { issue, .. } if issue == i))
            {
                continue;
            }
            let p = c.repudiation_hazard * (1.0 - is.quality) * (1.0 + self.st.grievance[KR]);
            if self.draws.hist[i][4] < p {
                self.repudiate(i, true);
            }
        }
    }

    /// Issue `i`'s settlement is repudiated: full salience returns; with `effects`, a material
    /// act offending Tokyo with the extra trust loss rep_τ, which may open a Japanese
    /// deliberation.
    pub(super) fn repudiate(&mut self, i: usize, effects: bool) {
        let now = self.t_now();
        let is = &mut self.st.issues[i];
        if is.status == IssueStatus::Settled {
            self.diag.months_to_repudiation_sum += (now - is.settled_at).max(0) as f64;
            self.diag.timed_repudiations += 1;
        }
        is.status = IssueStatus::Repudiated;
        is.salience = self.m.issues[i].salience;
        is.repudiated_at = now;
        self.diag.repudiations += 1;
        if effects {
            self.act_effects(i, JP);
            self.st.tau_jk = (self.st.tau_jk - self.m.c.repudiation_trust).max(0.0);
            self.note_act(i, JP, 1.0);
        }
        if self.st.negotiation.is_some_and(|(j, _)| j == i) {
            self.st.negotiation = None;
        }
        self.st.any_settled = self
            .st
            .issues
            .iter()
            .any(|i| i.status == IssueStatus::Settled);
    }
}
