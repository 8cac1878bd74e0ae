//! The monthly cycle (docs/model.md §1.3; the order matters) and the per-replication outcomes
//! (§3.16).

use super::compiled::{Compiled, EventC, JP, KR};
use super::outcomes::{MonthRecord, Outcome, Outcomes};
use super::state::Sim;
use super::tracks::{camp_david, cooperation_index};
use crate::rng::FastRng;
use crate::scenario::IssueStatus;
use rand::Rng;

impl Sim<'_> {
    /// Current month as a signed index.
    #[inline]
    pub fn t_now(&self) -> i64 {
        self.t as i64
    }

    /// One month: 1. exogenous events and opinion; 2. proposals; 3–4. valuation, win-set and
    /// joint moves; 5. backlash and approval; 6. crises; 7. US friction; 8. leader turnover;
    /// then lock-in and the cooperation index.
    pub fn step(&mut self, t: u32, events: &[(u32, EventC)]) {
        self.t = t;
        let ci_before = self.st.ci;
        std::mem::swap(&mut self.st.moved_prev, &mut self.st.moved_now);
        self.st.moved_now.iter_mut().for_each(|x| *x = 0);
        self.st.fell_now.iter_mut().for_each(|x| *x = 0);
        self.st.new_backlash = [0.0; 2];
        self.fill_draws();
        // 1. Exogenous processes (the path schedule, then state-setting, path and crisis
        // events first).
        self.schedule_path_month();
        self.start_of_month_events(events);
        self.us_month(t, events);
        self.nk_month(events);
        self.china_month(events);
        self.history_month(t, events);
        self.elections_month(t, events);
        self.opinion_month();
        // 2–4. Path proposals, valuation, win-set, joint moves; history settlement.
        self.proposals_month(events);
        self.settlement_month();
        // 5. Backlash and approval.
        self.approval_month();
        // 6. Crises.
        self.crisis_month(t);
        // 7. US friction.
        self.us_friction_month();
        // 8. Leader turnover.
        self.turnover_month(t);
        // 9. Support: lapses, scars, lock-in; then CI.
        self.support_month();
        self.st.ci = cooperation_index(&self.m.tracks, &self.st.rung);
        self.st.ci_gain_last = self.st.ci - ci_before;
        self.st.crisis_last = self.st.in_crisis;
        self.note_crisis_months();
        self.st.raised_quality_last = std::mem::take(&mut self.st.raised_quality);
        self.account(t);
    }

    /// Updates the outcome accumulators after month `t`.
    fn account(&mut self, t: u32) {
        let ci = self.st.ci;
        self.acc.peak = self.acc.peak.max(ci);
        self.acc.max_drawdown = self.acc.max_drawdown.max(self.acc.peak - ci);
        // Months to Camp David: the index of the first month at whose end the state holds
        // (0 if it already holds at the start, set in `Sim::new`); the horizon if never.
        if self.acc.camp_david.is_none() && camp_david(self.m, &self.st.rung) {
            self.acc.camp_david = Some(t);
        }
        for tv in self.acc.turnovers.iter_mut() {
            if t < tv.0 + 12 && ci < tv.1 - 1e-12 {
                tv.2 = true;
            }
        }
        for ch in self.acc.kr_camp_changes.iter_mut() {
            if t < ch.0 + 24 {
                ch.2 = ch.2.min(ci);
            }
        }
    }

    /// The month's record (docs/model.md §2.10, "per month and path").
    pub fn record(&self, t: u32) -> MonthRecord<'_> {
        MonthRecord {
            t,
            ci: self.st.ci,
            rungs: &self.st.rung,
            tau_jk: self.st.tau_jk,
            tau_ku: self.st.tau_ku,
            f_kr: self.st.fav[KR],
            f_jp: self.st.fav[JP],
            a_kr: self.st.approval[KR],
            b_kr: self.st.backlash[KR],
            theta_nk_kr: self.st.theta_nk[KR],
            theta_nk_jp: self.st.theta_nk[JP],
            nk_launches: self.st.launches,
            sim: self,
        }
    }
}

impl<'m> Sim<'m> {
    /// Runs every month of the horizon, switching to each of the `later` segments of a
    /// time-varying scenario at its first month (see `schedule.rs`; the events are the first
    /// segment's, the same in every segment).
    pub fn run(&mut self, record: &mut dyn FnMut(&MonthRecord), later: &'m [(u32, Compiled)]) {
        let m: &Compiled = self.m;
        let mut ei = 0;
        let mut next = 0;
        for t in 0..m.c.horizon {
            if next < later.len() && later[next].0 == t {
                self.m = &later[next].1;
                self.path = &self.m.paths[self.path_index];
                next += 1;
            }
            let start = ei;
            while ei < m.events.len() && m.events[ei].0 == t {
                ei += 1;
            }
            self.step(t, &m.events[start..ei]);
            record(&self.record(t));
        }
    }
}

impl Sim<'_> {
    /// The replication's outcomes (docs/model.md §3.16).
    pub fn outcomes(&self) -> Outcomes {
        let c = &self.m.c;
        let a = &self.acc;
        let horizon = c.horizon;
        let mut o = Outcomes::default();
        o.set(Outcome::FinalCi, self.st.ci);
        o.set(Outcome::PeakCi, a.peak);
        o.set(
            Outcome::MonthsToCampDavid,
            a.camp_david.unwrap_or(horizon) as f64,
        );
        o.set(Outcome::KrCrises, a.kr_crises as f64);
        o.set(Outcome::JpCrises, a.jp_crises as f64);
        o.set(Outcome::KrCrisisMonths, a.kr_crisis_months as f64);
        o.set(Outcome::Rollbacks, a.rollbacks as f64);
        o.set(Outcome::Reversals, a.reversals as f64);
        o.set(Outcome::MaxDrawdown, a.max_drawdown);
        o.set(Outcome::ChinaCoercionEvents, a.coercion_events as f64);
        o.set(Outcome::ChinaCostGdpPct, a.coercion_cost);
        o.set(Outcome::ChinaCostJpGdpPct, self.diag.coercion_cost_jp);
        let recent_crisis = a
            .last_crisis
            .is_some_and(|t| t as i64 >= horizon as i64 - 24);
        let durable = self.st.ci >= c.target_ci && !recent_crisis;
        o.set(Outcome::DurableSuccess, if durable { 1.0 } else { 0.0 });
        let settled = if self.st.issues.is_empty() {
            f64::NAN
        } else {
            self.st
                .issues
                .iter()
                .filter(|i| i.status == IssueStatus::Settled)
                .count() as f64
                / self.st.issues.len() as f64
        };
        o.set(Outcome::Settled, settled);
        let survival = if a.turnovers.is_empty() {
            f64::NAN
        } else {
            a.turnovers.iter().filter(|t| !t.2).count() as f64 / a.turnovers.len() as f64
        };
        o.set(Outcome::TurnoverSurvival, survival);
        let mean = |sum: f64, n: u32| if n == 0 { f64::NAN } else { sum / f64::from(n) };
        let d = &self.diag;
        o.set(
            Outcome::SettlementQuality,
            mean(d.settlement_quality_sum, d.settlements),
        );
        o.set(
            Outcome::MonthsToRepudiation,
            mean(d.months_to_repudiation_sum, d.timed_repudiations),
        );
        o.set(Outcome::NkLaunches, a.nk_launches as f64);
        o.set(Outcome::FinalTrustKrJp, self.st.tau_jk);
        o.set(Outcome::FinalTrustKrUs, self.st.tau_ku);
        o.set(Outcome::FinalFavourabilityKr, self.st.fav[KR]);
        o.set(Outcome::FinalFavourabilityJp, self.st.fav[JP]);
        o.set(Outcome::FinalGrievanceKr, self.st.grievance[KR]);
        o.set(Outcome::FinalGrievanceJp, self.st.grievance[JP]);
        o.set(Outcome::FinalLockIn, self.lock_weighted());
        let changes = &a.kr_camp_changes;
        let drawdown = if changes.is_empty() {
            f64::NAN
        } else {
            changes.iter().map(|c| c.1 - c.2).sum::<f64>() / changes.len() as f64
        };
        o.set(Outcome::PostTurnoverDrawdown, drawdown);
        for k in super::outcomes::COUNTERS {
            o.set(*k, self.counter(*k));
        }
        o
    }

    /// One value from each stream, to check that every stream advanced by the same count.
    pub fn probe_streams(&mut self) -> [u64; 5] {
        let next = |r: &mut FastRng| r.next_u64();
        [
            next(&mut self.rng.nk),
            next(&mut self.rng.china),
            next(&mut self.rng.history),
            next(&mut self.rng.politics),
            next(&mut self.rng.decisions),
        ]
    }
}
