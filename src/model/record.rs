//! The columns of `records.csv`: the simulation state at the end of a month as named values
//! (docs/model.md §2.10, "per-world records"). Adding a column is one line in [`SCALARS`],
//! [`PER_TRACK`], [`PER_ISSUE`] or [`super::outcomes::COUNTERS`]. The model formats nothing:
//! the engine turns the values into text.

use super::compiled::{JP, KR};
use super::outcomes::{MonthRecord, Outcome, COUNTERS, OUTCOMES};
use super::state::Sim;
use crate::scenario::IssueStatus;

/// One value of a record: a number (NaN = undefined) or a lower-case word.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell {
    Num(f64),
    Text(&'static str),
    /// The name of the path of this index among the scenario's `[paths]`.
    Path(usize),
}

use Cell::{Num, Path, Text};

/// A scalar column: name and value.
type Scalar = (&'static str, fn(&Sim<'_>) -> Cell);

/// Scalar columns, in order (before the per-track and per-issue columns).
pub const SCALARS: &[Scalar] = &[
    ("ci", |s| Num(s.st.ci)),
    ("tau_jk", |s| Num(s.st.tau_jk)),
    ("tau_ku", |s| Num(s.st.tau_ku)),
    ("tau_ju", |s| Num(s.st.tau_ju)),
    ("f_kr", |s| Num(s.st.fav[KR])),
    ("f_jp", |s| Num(s.st.fav[JP])),
    ("f_target_kr", |s| Num(s.m.c.fav_target[KR])),
    ("f_target_jp", |s| Num(s.m.c.fav_target[JP])),
    ("a_kr", |s| Num(s.st.approval[KR])),
    ("a_jp", |s| Num(s.st.approval[JP])),
    ("b_kr", |s| Num(s.st.backlash[KR])),
    ("b_jp", |s| Num(s.st.backlash[JP])),
    ("grievance_kr", |s| Num(s.st.grievance[KR])),
    ("grievance_jp", |s| Num(s.st.grievance[JP])),
    ("theta_nk_kr", |s| Num(s.st.theta_nk[KR])),
    ("theta_nk_jp", |s| Num(s.st.theta_nk[JP])),
    ("theta_cn_kr", |s| Num(s.st.theta_cn[KR])),
    ("theta_cn_jp", |s| Num(s.st.theta_cn[JP])),
    ("alpha_kr", |s| Num(s.st.alpha[KR])),
    ("alpha_jp", |s| Num(s.st.alpha[JP])),
    ("eps_kr", |s| Num(s.st.eps[KR])),
    ("eps_jp", |s| Num(s.st.eps[JP])),
    ("china_hazard_kr", |s| Num(s.st.china.hazard[KR])),
    ("china_hazard_jp", |s| Num(s.st.china.hazard[JP])),
    ("china_memory_kr", |s| Num(s.st.coercion_memory)),
    ("china_memory_jp", |s| Num(s.st.coercion_memory_jp)),
    ("china_episode_kr", |s| {
        Num(s.st.china.episode_left[KR] as f64)
    }),
    ("china_episode_jp", |s| {
        Num(s.st.china.episode_left[JP] as f64)
    }),
    ("china_cost_gdp_pct", |s| Num(s.acc.coercion_cost)),
    ("china_cost_jp_gdp_pct", |s| Num(s.diag.coercion_cost_jp)),
    ("nk_launches", |s| Num(s.st.launches as f64)),
    ("camp_kr", |s| Text(camp_name(s.st.camp[KR]))),
    ("camp_jp", |s| Text(camp_name(s.st.camp[JP]))),
    ("us_type", |s| Text(us_name(s.st.us))),
    ("crisis_kr", |s| Num(flag(s.st.in_crisis[KR]))),
    ("crisis_jp", |s| Num(flag(s.st.in_crisis[JP]))),
    ("acting_kr", |s| Num(flag(s.acting(KR)))),
    ("acting_jp", |s| Num(flag(s.acting(JP)))),
    ("pending_retaliation_kr", |s| {
        Num(flag(s.st.pending_retaliation[KR].is_some()))
    }),
    ("pending_retaliation_jp", |s| {
        Num(flag(s.st.pending_retaliation[JP].is_some()))
    }),
    ("counter_threat_kr", |s| {
        Num(flag(s.st.counter_threat[KR].is_some()))
    }),
    ("counter_threat_jp", |s| {
        Num(flag(s.st.counter_threat[JP].is_some()))
    }),
    ("hold_kr", |s| Num(flag(s.st.hold[KR].is_some()))),
    ("hold_jp", |s| Num(flag(s.st.hold[JP].is_some()))),
    ("coercion_memory_kr", |s| Num(s.st.partner_coercion[KR])),
    ("coercion_memory_jp", |s| Num(s.st.partner_coercion[JP])),
    ("lock_weighted", |s| Num(s.lock_weighted())),
    ("path_in_force", |s| Path(s.path_index)),
    ("reversals_turnover", |s| {
        Num(s.acc.reversal_causes[0] as f64)
    }),
    ("reversals_retaliation", |s| {
        Num(s.acc.reversal_causes[1] as f64)
    }),
    ("reversals_counter_threat", |s| {
        Num(s.acc.reversal_causes[2] as f64)
    }),
    ("reversals_event", |s| Num(s.acc.reversal_causes[3] as f64)),
];

/// A per-track or per-issue column: name and value for the track or issue of an index.
type Indexed = (&'static str, fn(&Sim<'_>, usize) -> Cell);

/// Per-track columns `<name>.<track>`, for each track in the model's order, column by column.
pub const PER_TRACK: &[Indexed] = &[
    ("rung", |s, k| Num(s.st.rung[k] as f64)),
    ("lock", |s, k| Num(s.st.lock[k])),
    ("quality", |s, k| Num(s.st.quality[k])),
    ("scar", |s, k| Num(s.st.scar[k] as f64)),
    ("rollbacks", |s, k| Num(s.acc.track_falls[k][0] as f64)),
    ("lapses", |s, k| Num(s.acc.track_falls[k][1] as f64)),
    ("reversals", |s, k| Num(s.acc.track_falls[k][2] as f64)),
];

/// Per-issue columns `issue.<key>.<name>`, for each issue in the scenario's order.
pub const PER_ISSUE: &[Indexed] = &[
    ("status", |s, i| Text(status_name(s.st.issues[i].status))),
    ("quality", |s, i| Num(s.st.issues[i].quality)),
    ("salience", |s, i| Num(s.st.issues[i].salience)),
];

fn flag(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// Name of a camp index (see `compiled::camp_index`).
pub fn camp_name(c: usize) -> &'static str {
    ["conservative", "progressive", "mainstream", "hawkish"]
        .get(c)
        .copied()
        .unwrap_or("")
}

/// Name of a US type index (see `compiled::us_index`).
pub fn us_name(u: usize) -> &'static str {
    ["engaged", "transactional"].get(u).copied().unwrap_or("")
}

/// Name of an issue status, as in scenario files.
pub fn status_name(s: IssueStatus) -> &'static str {
    match s {
        IssueStatus::Open => "open",
        IssueStatus::Settled => "settled",
        IssueStatus::Repudiated => "repudiated",
    }
}

/// The column names of a record (after `path,replication,month`) for tracks `tracks` (the
/// model's order) and issues `issues` (the scenario's order).
pub fn columns(tracks: &[String], issues: &[String]) -> Vec<String> {
    let mut c: Vec<String> = SCALARS.iter().map(|(n, _)| (*n).to_string()).collect();
    for (n, _) in PER_TRACK {
        c.extend(tracks.iter().map(|k| format!("{n}.{k}")));
    }
    for k in issues {
        c.extend(PER_ISSUE.iter().map(|(n, _)| format!("issue.{k}.{n}")));
    }
    c.extend(
        COUNTERS
            .iter()
            .map(|o| OUTCOMES[*o as usize].key.to_string()),
    );
    c
}

impl MonthRecord<'_> {
    /// Calls `f` with the value of every column of [`columns`], in order.
    pub fn for_each_value(&self, mut f: impl FnMut(Cell)) {
        let s = self.sim;
        for (_, v) in SCALARS {
            f(v(s));
        }
        for (_, v) in PER_TRACK {
            (0..s.st.rung.len()).for_each(|k| f(v(s, k)));
        }
        for i in 0..s.st.issues.len() {
            for (_, v) in PER_ISSUE {
                f(v(s, i));
            }
        }
        for o in COUNTERS {
            f(Num(s.counter(*o)));
        }
    }
}

impl Sim<'_> {
    /// The value so far of an event counter of [`COUNTERS`] (NaN for other outcomes): at the
    /// end of the last month, the replication's outcome.
    pub fn counter(&self, o: Outcome) -> f64 {
        let (a, d) = (&self.acc, &self.diag);
        let n = match o {
            Outcome::KrCrises => a.kr_crises,
            Outcome::JpCrises => a.jp_crises,
            Outcome::KrCrisisMonths => a.kr_crisis_months,
            Outcome::JpCrisisMonths => d.jp_crisis_months,
            Outcome::EarlyTerminations => d.early_terminations,
            Outcome::Rollbacks => a.rollbacks,
            Outcome::Reversals => a.reversals,
            Outcome::ChinaCoercionEvents => a.coercion_events,
            Outcome::ChinaCoercionEventsJp => d.coercion_events_jp,
            Outcome::LinkageDropped => d.linkage_dropped,
            Outcome::Lapses => d.lapses,
            Outcome::DomesticCrises => d.domestic_crises,
            Outcome::LinkageRetaliations => d.linkage_retaliations,
            Outcome::LinkageEscalations => d.linkage_escalations,
            Outcome::LinkageCancellations => d.linkage_cancelled,
            Outcome::Settlements => d.settlements,
            Outcome::Repudiations => d.repudiations,
            Outcome::SettlementStalls => d.settlement_stalls,
            Outcome::RetaliationsOpened => d.retaliations_opened,
            Outcome::BacklashCrises => d.backlash_crises,
            Outcome::ApprovalCrises => d.approval_crises,
            Outcome::SidePayments => d.side_payments,
            Outcome::KrTurnovers => d.kr_turnovers,
            Outcome::JpTurnovers => d.jp_turnovers,
            Outcome::UsSwitches => d.us_switches,
            Outcome::FlareUps => d.flare_ups,
            Outcome::NuclearTests => d.nuclear_tests,
            Outcome::Moves => d.moves,
            Outcome::WinsetRefusals => d.winset_refusals,
            Outcome::UtilityRefusals => d.utility_refusals,
            _ => return f64::NAN,
        };
        n as f64
    }
}

/// Whether column `name` of [`columns`] holds text (camps, US type, issue statuses).
pub fn is_text_column(name: &str) -> bool {
    matches!(name, "camp_kr" | "camp_jp" | "us_type" | "path_in_force")
        || (name.starts_with("issue.") && name.ends_with(".status"))
}

/// A comparison operator of a transition condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Op {
    /// `x OP y`; false when x is NaN.
    pub fn holds(self, x: f64, y: f64) -> bool {
        match self {
            Op::Lt => x < y,
            Op::Le => x <= y,
            Op::Gt => x > y,
            Op::Ge => x >= y,
            Op::Eq => x == y,
            Op::Ne => !x.is_nan() && x != y,
        }
    }
}

/// A parsed `[[output.transitions]]` condition: comparisons `(column index, op, number)` that
/// must all hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition(pub Vec<(usize, Op, f64)>);

/// Why a condition does not parse: a message and, for an unknown column, the nearest name.
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionError {
    pub message: String,
    pub hint: Option<String>,
}

impl Condition {
    /// Parses `COLUMN OP NUMBER [and COLUMN OP NUMBER]...` over the numeric columns of
    /// `columns` (see [`columns`]).
    pub fn parse(text: &str, columns: &[String]) -> Result<Condition, ConditionError> {
        let err = |message: String| ConditionError {
            message,
            hint: None,
        };
        let mut terms = Vec::new();
        let normalized = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for part in normalized.split(" and ").map(str::trim) {
            let ops = [
                ("<=", Op::Le),
                (">=", Op::Ge),
                ("==", Op::Eq),
                ("!=", Op::Ne),
                ("<", Op::Lt),
                (">", Op::Gt),
            ];
            let Some((pos, sym, op)) = ops
                .iter()
                .filter_map(|(sym, op)| part.find(sym).map(|p| (p, *sym, *op)))
                .min_by_key(|(p, sym, _)| (*p, std::cmp::Reverse(sym.len())))
            else {
                return Err(err(format!(
                    "`{part}` is not a comparison; expected COLUMN OP NUMBER (OP one of <, <=, >, >=, ==, !=), e.g. \"rung.intelligence >= 2\", joined by `and`"
                )));
            };
            let name = part[..pos].trim();
            let value = part[pos + sym.len()..].trim();
            let Some(col) = columns.iter().position(|c| c == name) else {
                let numeric: Vec<&str> = columns
                    .iter()
                    .map(String::as_str)
                    .filter(|c| !is_text_column(c))
                    .collect();
                return Err(ConditionError {
                    message: format!(
                        "unknown column `{name}` in the condition; expected a numeric records.csv column such as ci, f_kr, rung.<track>, lock.<track>, issue.<key>.quality or a counter"
                    ),
                    hint: crate::scenario::validate::did_you_mean(name, numeric.iter().copied()),
                });
            };
            if is_text_column(name) {
                return Err(err(format!(
                    "column `{name}` holds text; a condition compares numeric columns"
                )));
            }
            let x: f64 = match value.parse() {
                Ok(x) if f64::is_finite(x) => x,
                _ => {
                    return Err(err(format!(
                        "`{value}` after `{sym}` is not a finite number"
                    )))
                }
            };
            terms.push((col, op, x));
        }
        Ok(Condition(terms))
    }

    /// Whether every comparison holds for the values `v` (in [`columns`] order).
    pub fn holds(&self, v: &[Cell]) -> bool {
        self.0.iter().all(|(c, op, x)| match v.get(*c) {
            Some(Cell::Num(y)) => op.holds(*y, *x),
            _ => false,
        })
    }
}
