//! The cooperation path: proposals and the history track (docs/model.md §3.8).
//!
//! Each month the path walks its track order (`low_sensitivity_first`: ascending σ;
//! `military_first`: military/regional tracks first; or an explicit list) and proposes one-rung
//! moves on tracks that are below their ceiling (`targets`; under `history_first` security
//! tracks are capped at rung 1 until a settlement), outside the dwell period
//! (`min_dwell_months` since the track last moved), through their relative gates (`policy.rs`)
//! and with prerequisites met. It stops after `max_moves_per_month` accepted
//! moves. `proposes = false` (status quo) proposes nothing.
//!
//! History mode: `parallel` and `history_first` negotiate a settlement of the most salient open
//! issue from the start; `security_first` defers it until every security track has reached its
//! target. Negotiation progresses `τ_JK·(1 + m_hist)/(1 + hw_KR·H̄_KR)` months per month (trust
//! and US mediation speed it, Cho 2019; a grievance-laden public and a progressive government's
//! history demands slow it, Chun 2022), not in a month after a Korean crisis; after
//! `months_to_settle` the issue is settled with the path's quality (docs/model.md §3.13): its
//! salience falls to s·(1 − quality), and the settlement costs Korea backlash
//! `settlement_backlash·s·(1 − quality)·(1 + π·secrecy)` (the 2015 agreement, Chun 2022).

use super::compiled::{EventC, JP, KR};
use super::state::Sim;
use super::tracks::prerequisites_met;
use crate::scenario::{HistoryMode, IssueStatus};

impl Sim<'_> {
    /// Ceiling rung of track `k` for this path now.
    pub fn ceiling(&self, k: usize) -> u8 {
        let cap = self.path.targets[k];
        if self.path.history_mode == HistoryMode::HistoryFirst
            && self.m.tracks[k].military
            && !self.st.any_settled
        {
            cap.min(1)
        } else {
            cap
        }
    }

    /// Whether the path may propose track `k` now (ceiling, dwell, gates, prerequisites).
    pub fn eligible(&self, k: usize, t: i64) -> bool {
        let st = &self.st;
        if st.rung[k] >= self.ceiling(k) {
            return false;
        }
        if t - st.last_move[k] < self.path.min_dwell as i64 || st.scar[k] > 0 {
            return false;
        }
        if !self.gate_open(k, t) {
            return false;
        }
        prerequisites_met(&self.m.tracks, &st.rung, k)
    }

    /// Step 2: scheduled summits, then the path's proposals (each valued and filtered in
    /// `decisions.rs`).
    pub fn proposals_month(&mut self, events: &[(u32, EventC)]) {
        let t = self.t_now();
        self.move_events(events);
        for (_, e) in events {
            if let EventC::Summit(k) = *e {
                if self.st.rung[k] < self.m.tracks[k].max
                    && prerequisites_met(&self.m.tracks, &self.st.rung, k)
                {
                    let db = [
                        self.move_backlash(KR, k),
                        self.move_backlash(super::compiled::JP, k),
                    ];
                    self.apply_move(k, db, self.m.tracks[k].quality);
                }
            }
        }
        if !self.path.proposes {
            return;
        }
        let mut accepted = 0;
        for i in 0..self.path.order.len() {
            if accepted >= self.path.max_moves {
                break;
            }
            let k = self.path.order[i];
            if self.eligible(k, t) && self.propose(k) {
                accepted += 1;
                self.st.gate_trust_ref = self.st.tau_jk;
            }
        }
    }

    /// The history track of the path: negotiation and settlement.
    pub fn settlement_month(&mut self) {
        if !self.path.proposes {
            return;
        }
        let m = self.m;
        let c = &m.c;
        if self.st.negotiation.is_none() {
            if self.path.history_mode == HistoryMode::SecurityFirst {
                let done = (0..self.m.tracks.len())
                    .filter(|&k| self.m.tracks[k].military)
                    .all(|k| self.st.rung[k] >= self.path.targets[k]);
                if !done {
                    return;
                }
            }
            let next = self
                .st
                .issues
                .iter()
                .enumerate()
                .filter(|(_, i)| i.status == IssueStatus::Open)
                .max_by(|a, b| a.1.salience.total_cmp(&b.1.salience))
                .map(|(i, _)| i);
            match next {
                Some(i) => self.st.negotiation = Some((i, 0.0)),
                None => return,
            }
        }
        if self.st.in_crisis[KR] || self.st.in_crisis[JP] || self.acting(KR) || self.acting(JP) {
            return;
        }
        let hw = c.camp_history_weight[self.st.camp[KR]];
        let step = self.st.tau_jk * (1.0 + self.m_hist()) / (1.0 + hw * self.st.grievance[KR]);
        let (i, progress) = self.st.negotiation.expect("negotiation exists");
        let progress = progress + step;
        if progress < self.path.months_to_settle {
            self.st.negotiation = Some((i, progress));
            return;
        }
        // Concluded: settled at the path's quality by the camp in office (with backlash; any
        // retaliation hold over the issue is lifted), as a `settlement` event would.
        self.settle(i, self.path.settlement_quality, None, true);
    }
}
