//! The cooperation path: proposals (docs/model.md §3.8).
//!
//! Each month the path walks its track order (`low_sensitivity_first`: ascending σ;
//! `military_first`: military/regional tracks first; or an explicit list) and proposes one-rung
//! moves on tracks that are below their ceiling (`targets`; under `history_first` security
//! tracks are capped at rung 1 until a settlement), outside the dwell period
//! (`min_dwell_months` since the track last moved), through their relative gates (`policy.rs`)
//! and with prerequisites met. It stops after `max_moves_per_month` accepted
//! moves. `proposes = false` (status quo) proposes nothing.
//!
//! The path's history negotiation is in `settlement.rs`.

use super::compiled::{EventC, KR};
use super::state::Sim;
use super::tracks::prerequisites_met;
use crate::scenario::HistoryMode;

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
}
