//! History issues (docs/model.md §3.5; Chun 2022: history is now linked to economics and
//! security).
//!
//! Per issue and month: flare-up with hazard `h_i·(seasonal_multiplier if seasonal)·f_status`
//! (f_status = 1 open or repudiated, 1 − quality settled); a pending court process rules with
//! `court_hazard` (a flare-up offending the *other* side, e.g. the 2018 forced-labour rulings
//! offended Tokyo). A flare-up with shock `x = s_i·(1 − m_hist_damping·m_hist)` (US mediation
//! damps shocks, Cho 2019):
//! - raises the offended side's grievance: `H̄_O += flare_grievance·x`;
//! - lowers the *offended* public's favourability: `F_O −= flare_favourability·x` (each public
//!   reacts to the other side's acts, r ≈ −0.37 in the Genron/EAI poll changes: F_JP fell in
//!   2017–19 with the Korean rulings while F_KR rose until Japan's 2019 retaliation);
//! - lowers `τ_JK` by `flare_trust·x`;
//! - may open a retaliation deliberation by the offended government (`linkage.rs`): a random
//!   flare-up is a ritual act (textbooks, Takeshima Day, anniversaries), a court ruling a
//!   material one; the act is noted and tested at the end of the step, once per issue and side,
//!   at the month's strongest act.
//!
//! Grievance relaxes toward its base at rate `grievance_decay`: `H̄⁰_KR = Σ_{i offends KR} s_i/n`
//! (a settlement lowers s_i to s_i·(1 − quality)) and `H̄⁰_JP = grievance_base_jp +
//! Σ_{i offends JP} s_i/n + Σ_{i repudiated} s_i/n` (Tokyo resents reneged agreements). Then
//! the monthly repudiation hazard runs (`settlement.rs`), before the month's history events
//! (`events.rs`: replayed repudiations and retaliations, then pending executions and
//! counter-threats); the month's deliberation tests come last (`linkage.rs`).

use super::super::compiled::{Compiled, EventC, JP};
use super::super::state::{Sim, State};
use crate::scenario::{ActKind, IssueStatus};

impl State {
    /// Salience-weighted grievance base per side.
    pub fn grievance_base(&self, m: &Compiled) -> [f64; 2] {
        let mut base = [0.0; 2];
        let n = m.issues.len().max(1) as f64;
        for (i, is) in m.issues.iter().zip(&self.issues) {
            base[i.offended] += is.salience / n;
            // A repudiated settlement is Tokyo's grievance too.
            if is.status == IssueStatus::Repudiated && i.offended != JP {
                base[JP] += is.salience / n;
            }
        }
        base[JP] += m.c.grievance_base_jp;
        [base[0].min(1.0), base[1].min(1.0)]
    }
}

impl Sim<'_> {
    /// Step 1 (history): flare-ups, court rulings, repudiations, history events, executions and
    /// counter-threats, deliberations, grievance relaxation.
    pub fn history_month(&mut self, t: u32, events: &[(u32, EventC)]) {
        let m = self.m;
        let c = &m.c;
        let moy = (c.start_month0 + t) % 12 + 1;
        for i in 0..self.m.issues.len() {
            let spec = &self.m.issues[i];
            let d = self.draws.hist[i];
            let is = &self.st.issues[i];
            let seasonal = spec.seasonal_mask & (1 << moy) != 0;
            let status_factor = match is.status {
                IssueStatus::Settled => 1.0 - is.quality,
                _ => 1.0,
            };
            let h =
                spec.hazard * if seasonal { c.seasonal_multiplier } else { 1.0 } * status_factor;
            let forced_flare = events.iter().find_map(|(_, e)| match *e {
                EventC::FlareUp {
                    issue,
                    act,
                    offends,
                } if issue == i => Some((act, offends)),
                _ => None,
            });
            let forced_court = events
                .iter()
                .any(|(_, e)| matches!(e, EventC::CourtRuling(j) if *j == i));
            let flare = d[0] < h || forced_flare.is_some();
            let court = (is.court_pending && d[1] < spec.court_hazard) || forced_court;
            if flare {
                // A random flare-up is a ritual act unless an event says otherwise.
                let (act, offends) = forced_flare.unwrap_or((None, None));
                let w = match act {
                    Some(ActKind::Material) => 1.0,
                    _ => c.ritual_weight,
                };
                self.flare_up(i, offends.unwrap_or(spec.offended), w);
            }
            if court {
                // A court ruling is a material act.
                self.st.issues[i].court_pending = false;
                self.flare_up(i, 1 - spec.offended, 1.0);
            }
        }
        self.repudiation_month(events);
        self.history_events(events);
        // Deliberations last, at each issue's and side's strongest act of the month.
        self.deliberations_month();
        let base = self.st.grievance_base(self.m);
        for (s, b) in base.iter().enumerate() {
            let g = &mut self.st.grievance[s];
            *g = (*g + c.grievance_decay * (b - *g)).clamp(0.0, 1.0);
        }
    }

    /// One flare-up of issue `i` offending side `off`, an act of weight `w` for the
    /// deliberation (1 material, `ritual_weight` ritual; see module docs).
    pub fn flare_up(&mut self, i: usize, off: usize, w: f64) {
        self.diag.flare_ups += 1;
        self.act_effects(i, off);
        self.note_act(i, off, w);
    }
}
