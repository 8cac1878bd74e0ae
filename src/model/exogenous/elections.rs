//! Elections, leaders and the US administration (docs/model.md §3.14).
//!
//! - Korea: single 5-year term on the calendar plus a monthly early-termination hazard
//!   (impeachments 2017 and 2025); the winner's camp is the incumbent camp with probability
//!   `logistic(c₀ + c₁·(A_KR − 0.5) − c₂·B_KR − crisis_penalty·crises_in_term)`; the camp
//!   sets the government's priors (a progressive government values military and regional
//!   tracks less and demands more on history: Op-ed 2022, Chun 2022, Cho 2019).
//! - Japan: monthly PM-turnover hazard; the successor is hawkish with probability `jp_p_hawkish`
//!   when the outgoing government had no crisis. Each crisis during its term raises the other
//!   camp's chance (docs/model.md §3.11, §3.14: "the opposition's chance rises"):
//!   the incumbent camp's probability `p` becomes `logistic(logit(p) − crisis_penalty·crises)`.
//! - US: an election every `interval_months`; with probability `p_switch` the type changes
//!   `inauguration_lag_months` later (engaged: high m_sec and κ, Cho 2019; transactional: low
//!   m_sec, high ρ, Madrid 2022: "Why do I have to get involved in everything?"). The US draw
//!   never depends on the path (it uses a fixed probability), so the NK process that reads the
//!   US type stays path-independent.
//!
//! Elections are drawn in step 1 and take effect in step 8 (leader turnover, `politics.rs`).

use super::super::compiled::{EventC, JP, KR};
use super::super::state::Sim;

/// Logistic function.
#[inline]
pub fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Probability that the incumbent camp wins a Korean presidential election:
/// `logistic(c₀ + c₁·(A − 0.5) − c₂·B − γ_cr·crises − γ_cm·crisis_months/12)`.
#[inline]
pub fn p_incumbent(
    c: &super::super::compiled::Coefs,
    a: f64,
    b: f64,
    crises: u32,
    months: u32,
) -> f64 {
    logistic(
        c.c0 + c.c1 * (a - 0.5)
            - c.c2 * b
            - c.crisis_penalty * crises as f64
            - c.crisis_months_penalty * months as f64 / 12.0,
    )
}

/// Probability that a new Japanese PM is hawkish: `jp_p_hawkish` with no crisis in the
/// outgoing term, shifted away from the incumbent camp `inc` (2 mainstream, 3 hawkish) by
/// `penalty` on the logit per crisis.
#[inline]
pub fn jp_p_hawkish(p_hawkish: f64, penalty: f64, inc: usize, crises: u32) -> f64 {
    if crises == 0 {
        return p_hawkish;
    }
    let p_inc = if inc == 3 { p_hawkish } else { 1.0 - p_hawkish };
    let p_inc = logistic((p_inc / (1.0 - p_inc)).ln() - penalty * crises as f64);
    if inc == 3 {
        p_inc
    } else {
        1.0 - p_inc
    }
}

/// Monthly PM-turnover hazard, ×(1 + jp_crisis_turnover) during a Japanese crisis.
#[inline]
pub fn jp_hazard(c: &super::super::compiled::Coefs, in_crisis: bool) -> f64 {
    if in_crisis {
        (c.jp_turnover_hazard * (1.0 + c.jp_crisis_turnover)).min(1.0)
    } else {
        c.jp_turnover_hazard
    }
}

/// Other camp of the same country (camp indices 0/1 Korea, 2/3 Japan).
#[inline]
pub fn other_camp(c: usize) -> usize {
    c ^ 1
}

impl Sim<'_> {
    /// Step 1 (US calendar): elections and inaugurations; scheduled type changes.
    pub fn us_month(&mut self, t: u32, events: &[(u32, EventC)]) {
        let m = self.m;
        let c = &m.c;
        let t = t as i64;
        if t == self.st.next_us_election {
            if self.draws.us_switch < c.us_p_switch {
                self.st.pending_us = Some((t + c.us_lag, 1 - self.st.us));
            }
            self.st.next_us_election += c.us_interval;
        }
        if let Some((when, ty)) = self.st.pending_us {
            if t >= when {
                if ty != self.st.us {
                    self.diag.us_switches += 1;
                }
                self.st.us = ty;
                self.st.pending_us = None;
            }
        }
        for (_, e) in events {
            if let EventC::UsType(ty) = e {
                let ty = super::super::compiled::us_index(*ty);
                if ty != self.st.us {
                    self.diag.us_switches += 1;
                }
                self.st.us = ty;
                self.st.pending_us = None;
            }
        }
    }

    /// Step 1 (KR and JP leaders): decide this month's turnovers (applied in step 8).
    pub fn elections_month(&mut self, t: u32, events: &[(u32, EventC)]) {
        let m = self.m;
        let c = &m.c;
        let t = t as i64;
        let d = &self.draws;
        // Korea.
        let scheduled_kr = events.iter().find_map(|(_, e)| match e {
            EventC::KrElection(camp) => Some(*camp),
            _ => None,
        });
        let due = t >= self.st.next_kr_election;
        // An acting government (a crisis event) already is the early termination: its snap
        // election is due when it ends.
        let early =
            d.kr_early < c.kr_early_hazard && self.st.acting_until[KR].is_none_or(|u| t >= u);
        if let Some(camp) = scheduled_kr {
            self.st.pending_kr = Some(camp);
            self.st.next_kr_election = t + c.kr_term;
        } else if early && !due {
            // Early termination: an acting government until the snap election.
            let until = t + c.acting_months as i64;
            self.st.acting_until[KR] = Some(until);
            self.st.next_kr_election = until;
            self.diag.early_terminations += 1;
        } else if due {
            let inc = self.st.camp[KR];
            let p = p_incumbent(
                c,
                self.st.approval[KR],
                self.st.backlash[KR],
                self.st.crises_term[KR],
                self.st.crisis_months_term[KR],
            );
            let winner = if d.kr_camp < p { inc } else { other_camp(inc) };
            self.st.pending_kr = Some(winner);
            self.st.next_kr_election = t + c.kr_term;
        }
        // Japan.
        let scheduled_jp = events.iter().find_map(|(_, e)| match e {
            EventC::JpTurnover(camp) => Some(*camp),
            _ => None,
        });
        let caretaker_ends = self.st.acting_until[JP] == Some(t);
        if let Some(camp) = scheduled_jp {
            self.st.pending_jp = Some(camp);
        } else if d.jp_turn < jp_hazard(c, self.st.in_crisis[JP]) || caretaker_ends {
            let p = jp_p_hawkish(
                c.jp_p_hawkish,
                c.crisis_penalty,
                self.st.camp[JP],
                self.st.crises_term[JP],
            );
            self.st.pending_jp = Some(if d.jp_camp < p { 3 } else { 2 });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incumbent_chance_falls_with_backlash_and_crises() {
        let m = crate::model::compiled::Compiled::new(&crate::scenario::Scenario::default());
        let c = &m.c;
        let base = p_incumbent(c, 0.5, 0.0, 0, 0);
        assert!((base - logistic(c.c0)).abs() < 1e-12);
        assert!(p_incumbent(c, 0.7, 0.0, 0, 0) > base);
        assert!(p_incumbent(c, 0.5, 1.0, 0, 0) < base);
        assert!(p_incumbent(c, 0.5, 0.0, 2, 0) < base);
        // Twelve months in crisis cost γ_cm on the logit.
        let year = p_incumbent(c, 0.5, 0.0, 0, 12);
        assert!((year - logistic(c.c0 - c.crisis_months_penalty)).abs() < 1e-12);
        // A Japanese crisis multiplies the PM-turnover hazard by 1 + jp_crisis_turnover.
        let h = jp_hazard(c, true) / jp_hazard(c, false);
        assert!((h - (1.0 + c.jp_crisis_turnover)).abs() < 1e-9);
        assert_eq!(other_camp(0), 1);
        // Japan: no crisis leaves jp_p_hawkish unchanged; crises favour the other camp.
        assert_eq!(jp_p_hawkish(0.4, 0.3, 3, 0), 0.4);
        assert!(jp_p_hawkish(0.4, 0.3, 3, 2) < jp_p_hawkish(0.4, 0.3, 3, 1));
        assert!(jp_p_hawkish(0.4, 0.3, 3, 1) < 0.4);
        assert!(jp_p_hawkish(0.4, 0.3, 2, 1) > 0.4);
        assert_eq!(jp_p_hawkish(1.0, 0.3, 3, 2), 1.0);
        assert_eq!(jp_p_hawkish(0.0, 0.3, 2, 2), 0.0);
        assert_eq!(other_camp(3), 2);
    }
}
