//! Replayed events (docs/model.md §3.18): observed events that set the state of a replayed period.
//!
//! An event replaces its process's draw for its month (the draw is still used up, so common
//! random numbers hold); the mechanisms continue from the state it sets. Where they run in the
//! monthly cycle:
//! - **start of step 1** ([`Sim::start_of_month_events`]): `set_state`, `path`, and crisis
//!   events (`kr_crisis`, `jp_crisis`);
//! - **step 1, history** ([`Sim::history_events`]): `repudiation`, `retaliation`,
//!   `counter_threat`, `restore`, then the resolution of pending retaliations and
//!   counter-threats due this month (the deliberations of the month's acts follow, at the
//!   end of the history step: `linkage.rs`);
//! - **step 2** ([`Sim::move_events`]): `set_rung` and `settlement` (summits and `china_coercion`
//!   are handled with their processes).
//!
//! Effects:
//! - `set_rung` sets ℓ_k. A raise moves one rung at a time as a path move would (the China
//!   hazard sees it, the dwell clock restarts), charging backlash only with `backlash = true`.
//!   A fall cascades to dependants (unless `cascade = false`), is counted under its cause
//!   (rollbacks, reversals, linkage retaliations, lapses) and with `scar = true` bars path
//!   proposals on the track for `scar_months`.
//! - `settlement`: the issue settles at quality q (salience s·(1 − q)), by the camp in office
//!   unless `camp` says otherwise, with the Korean settlement backlash
//!   `settlement_backlash·s·(1 − q)·(1 + π·(1 − transparency))` unless `backlash = false`; a
//!   retaliation hold over the issue is lifted and a negotiation of it ends.
//! - `repudiation`: the issue returns to full salience, status repudiated; with `effects` it is
//!   a material act offending Japan (see *act effects*).
//! - `retaliation`: executed now, or pending until `resolves` (then executed or dropped).
//!   Execution: the track falls one rung, the retaliating side holds it (it values raising it
//!   at −`hold_value` until the issue is settled anew, a `restore`, or its camp changes), and
//!   the act offends the other side O (which may deliberate in turn): act effects,
//!   F_O −= f_ret, coercion memory C_O = 1
//!   (O's favourability then relaxes toward F*_O − f_c·C_O while C_O decays by d_c a month).
//! - `counter_threat`: pending until `resolves`; cancelled (counted as a cancellation) or
//!   executed: the track falls one rung and is scarred (an escalation), and the act offends the
//!   other side over the issue of the retaliation it answers.
//! - `restore`: lifts the side's hold on the track (the rung rises again through accepted moves
//!   or a `set_rung`).
//! - `kr_crisis` / `jp_crisis`: a crisis starts (a `partner_policy` crisis with the start effects
//!   of an automatic one: rollback draw, trust shocks, backlash discharge; a `domestic` one
//!   without them); it cannot end before `end`. With `acting`, an acting government holds office
//!   until `end` (or `acting_months`): no path moves and no negotiation; then a snap election
//!   (Korea: for a full term; Japan: a PM turnover).
//! - `path`: the Korean government pursues that path from this month (negotiation restarts).
//! - `set_state`: sets a state variable.
//!
//! *Act effects* of a material act on issue i offending side O (docs/model.md §3.18,
//! "material acts"): x = s_i·max(0, 1 − damp·m_hist); H̄_O += g_H·x, F_O −= f_fl·x,
//! τ_JK −= f_τ·x: the offended public sours.

use super::compiled::{EventC, JP, KR};
use super::state::{Hold, PendingRetaliation, PendingThreat, Sim};
use super::support::Fall;
use crate::scenario::{Cause, StateVariable};

impl Sim<'_> {
    /// Whether side `s` has an acting government this month.
    #[inline]
    pub fn acting(&self, s: usize) -> bool {
        self.st.acting_until[s].is_some_and(|u| self.t_now() < u)
    }

    /// The path in force becomes path number `p`.
    pub fn set_path(&mut self, p: usize) {
        if p != self.path_index {
            self.path_index = p;
            self.path = &self.m.paths[p];
            self.st.negotiation = None;
        }
    }

    /// Start of step 1: `set_state`, `path` and crisis events.
    pub fn start_of_month_events(&mut self, events: &[(u32, EventC)]) {
        for &(_, e) in events {
            match e {
                EventC::SetState {
                    variable,
                    who,
                    value,
                } => self.set_state(variable, who, value),
                EventC::Path(p) => self.path_event(p),
                EventC::Crisis {
                    side,
                    end,
                    acting,
                    domestic,
                } => self.crisis_from_event(side, end, acting, domestic),
                _ => {}
            }
        }
    }

    fn set_state(&mut self, variable: StateVariable, who: usize, value: f64) {
        let st = &mut self.st;
        let unit = value.clamp(0.0, 1.0);
        match variable {
            StateVariable::Favourability => st.fav[who] = unit,
            StateVariable::Approval => st.approval[who] = unit,
            StateVariable::Backlash => st.backlash[who] = value.max(0.0),
            StateVariable::Grievance => st.grievance[who] = unit,
            StateVariable::ThreatNk => st.theta_nk[who] = unit,
            StateVariable::ThreatCn => st.theta_cn[who] = unit,
            StateVariable::Trust => match who {
                0 => st.tau_jk = unit,
                1 => st.tau_ku = unit,
                _ => st.tau_ju = unit,
            },
        }
    }

    fn crisis_from_event(&mut self, s: usize, end: Option<i64>, acting: bool, domestic: bool) {
        let t = self.t_now();
        if let Some(end) = end {
            self.st.crisis_until[s] = end - 1;
        }
        // A domestic crisis is counted as such even when it finds the government already in a
        // crisis (which it then prolongs); only a new crisis counts among the side's crises.
        if domestic {
            self.diag.domestic_crises += 1;
        }
        if !self.st.in_crisis[s] {
            if domestic {
                if s == KR {
                    self.acc.kr_crises += 1;
                } else {
                    self.acc.jp_crises += 1;
                }
                self.st.crises_term[s] += 1;
                self.st.crisis_start[s] = t;
            } else {
                self.crisis_event(s);
            }
            self.st.in_crisis[s] = true;
        }
        if acting {
            let until = end.unwrap_or(t + self.m.c.acting_months as i64);
            self.st.acting_until[s] = Some(until);
            if s == KR {
                self.st.next_kr_election = until;
            }
        }
    }

    /// Step 1 (history): repudiation, retaliation, counter-threat and restore events, then
    /// the pending retaliations and counter-threats due this month.
    pub fn history_events(&mut self, events: &[(u32, EventC)]) {
        let t = self.t_now();
        for &(_, e) in events {
            match e {
                EventC::Repudiation { issue, effects } => self.repudiate(issue, effects),
                EventC::Retaliation {
                    by,
                    issue,
                    track,
                    resolves,
                    execute,
                } => match resolves {
                    None => self.execute_retaliation(by, issue, track),
                    Some(resolves) => {
                        self.st.pending_retaliation[by] = Some(PendingRetaliation {
                            issue,
                            track,
                            resolves,
                            execute,
                            deliberation: None,
                        })
                    }
                },
                EventC::CounterThreat {
                    by,
                    track,
                    resolves,
                    execute,
                } => {
                    // It answers the partner's retaliation in force, if any.
                    let issue = self.st.hold[1 - by].map(|h| h.issue);
                    self.st.counter_threat[by] = Some(PendingThreat {
                        track,
                        issue,
                        resolves,
                        execute,
                        automatic: None,
                    })
                }
                EventC::Restore { by, track }
                    if self.st.hold[by].is_some_and(|h| h.track == track) =>
                {
                    self.st.hold[by] = None;
                }
                _ => {}
            }
        }
        for s in [KR, JP] {
            if let Some(p) = self.st.pending_retaliation[s] {
                if self.deliberation_dropped(s, &p) {
                    self.st.pending_retaliation[s] = None;
                    self.diag.linkage_dropped += 1;
                } else if p.resolves <= t {
                    self.st.pending_retaliation[s] = None;
                    if p.execute {
                        self.execute_retaliation(s, p.issue, p.track);
                    } else {
                        self.diag.linkage_dropped += 1;
                    }
                }
            }
            if let Some(p) = self.st.counter_threat[s] {
                if let Some(cancelled) = self.threat_withdrawn(s, &p) {
                    self.st.counter_threat[s] = None;
                    if cancelled {
                        self.diag.linkage_cancelled += 1;
                    }
                } else if p.resolves <= t {
                    self.st.counter_threat[s] = None;
                    if p.execute {
                        self.execute_counter_threat(s, p.track, p.issue);
                    } else {
                        self.diag.linkage_cancelled += 1;
                    }
                }
            }
        }
    }

    /// The effects of an act (ritual or material) on issue `i` offending side `o`: the offended
    /// side's grievance rises and its public sours, and Seoul–Tokyo trust falls (module docs).
    pub fn act_effects(&mut self, i: usize, o: usize) {
        let c = &self.m.c;
        let x = self.st.issues[i].salience * (1.0 - c.m_hist_damping * self.m_hist()).max(0.0);
        let st = &mut self.st;
        st.grievance[o] = (st.grievance[o] + c.flare_grievance * x).min(1.0);
        st.fav[o] = (st.fav[o] - c.flare_favourability * x).max(0.0);
        st.tau_jk = (st.tau_jk - c.flare_trust * x).max(0.0);
    }

    fn execute_retaliation(&mut self, by: usize, issue: usize, track: usize) {
        let m = self.m;
        self.diag.linkage_retaliations += 1;
        self.st.last_retaliation[by] = self.t_now();
        self.fall(track, false, Fall::Retaliation);
        self.st.hold[by] = Some(Hold { issue, track });
        let o = 1 - by;
        self.act_effects(issue, o);
        let st = &mut self.st;
        st.fav[o] = (st.fav[o] - m.c.f_ret).max(0.0);
        st.partner_coercion[o] = 1.0;
        // The other side may retaliate in turn and threatens intelligence from next month.
        self.note_act(issue, o, 1.0);
        self.open_counter_threat(by, issue);
    }

    /// Side `by` carries out its counter-threat: `track` falls (scarred: a fall from domestic
    /// rejection), a material act over `issue`, the retaliation it answered, offending the other
    /// side (act effects, no deliberation), even if that retaliation's hold has been lifted
    /// since.
    fn execute_counter_threat(&mut self, by: usize, track: usize, issue: Option<usize>) {
        self.diag.linkage_escalations += 1;
        self.st.last_retaliation[by] = self.t_now();
        self.fall(track, true, Fall::CounterThreat);
        if let Some(i) = issue {
            self.act_effects(i, 1 - by);
        }
    }

    /// Step 2 (before the path's proposals): `set_rung` and `settlement` events.
    pub fn move_events(&mut self, events: &[(u32, EventC)]) {
        for &(_, e) in events {
            match e {
                EventC::SetRung {
                    track,
                    rung,
                    cause,
                    backlash,
                    cascade,
                    scar,
                    quality,
                } => self.set_rung(track, rung, cause, (backlash, cascade, scar), quality),
                EventC::Settlement {
                    issue,
                    quality,
                    camp,
                    backlash,
                } => self.settle(issue, quality, camp, backlash),
                _ => {}
            }
        }
    }

    fn set_rung(
        &mut self,
        k: usize,
        rung: u8,
        cause: Cause,
        (backlash, cascade, scar): (bool, bool, bool),
        quality: Option<f64>,
    ) {
        let t = self.t_now();
        let m = self.m;
        let rung = rung.min(m.tracks[k].max);
        let cur = self.st.rung[k];
        self.st.last_move[k] = t;
        if rung > cur {
            for _ in cur..rung {
                let db = if backlash {
                    [self.move_backlash(KR, k), self.move_backlash(JP, k)]
                } else {
                    [0.0; 2]
                };
                let q = quality.unwrap_or(m.tracks[k].quality);
                self.apply_move(k, db, q);
            }
            return;
        }
        if rung == cur {
            return;
        }
        let why = match cause {
            Cause::Rollback => Fall::Rollback,
            Cause::Lapse => Fall::Lapse,
            Cause::Retaliation => Fall::Retaliation,
            _ => Fall::Event,
        };
        while self.st.rung[k] > rung {
            if cascade {
                self.fall(k, false, why);
            } else {
                self.st.rung[k] -= 1;
                self.st.lock[k] *= 1.0 - m.c.lock_loss;
                self.count_fall(k, 1, why);
            }
        }
        if cause == Cause::Retaliation {
            self.diag.linkage_retaliations += 1;
        }
        if scar {
            self.scar(k);
        }
    }

    /// The value side `s` forgoes by raising track `k` while it holds it (retaliation hold).
    #[inline]
    pub fn hold_cost(&self, s: usize, k: usize) -> f64 {
        match self.st.hold[s] {
            Some(h) if h.track == k => self.m.c.hold_value,
            _ => 0.0,
        }
    }
}
