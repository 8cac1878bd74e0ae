//! The summary printed at the end of `trisim run`: two tables that fit the terminal's width.
//!
//! Names are kept apart on purpose: the *cooperation index* (the model's 0–1 outcome) is never
//! abbreviated "CI"; a *95% interval* is the uncertainty of a mean or a difference; the
//! *middle 90% of worlds* (p5–p95) is the spread of the outcome across simulated worlds.
//! Milestones never reached are counted apart ("never"), and ties apart from wins.

use super::worlds::{is_milestone, WorldCounts};
use crate::engine::RunResults;
use comfy_table::{
    CellAlignment, ColumnConstraint, ContentArrangement, LineStyle, Table, TableStyle, Width,
};
use std::fmt::Write;

/// How a headline outcome is shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// An index in [0, 1] (cooperation index): 3 decimals.
    Index,
    /// Months: 1 decimal.
    Months,
    /// Counts per replication and other quantities: 2 decimals.
    Count,
    /// A share in [0, 1] shown as a percentage ("97.3%"); differences in percentage points
    /// ("+2.4 pp").
    Share,
}

/// Headline outcomes (key, name, display kind). The names are the ones the report uses too.
pub const HEADLINE: [(&str, &str, Kind); 6] = [
    ("final_ci", "final cooperation index", Kind::Index),
    ("months_to_camp_david", "months to Camp David", Kind::Months),
    ("kr_crises", "Seoul crises", Kind::Count),
    ("rollbacks", "rollbacks", Kind::Count),
    ("durable_success", "durable success", Kind::Share),
    ("china_cost_gdp_pct", "China cost (% of GDP)", Kind::Count),
];

impl Kind {
    fn decimals(self) -> usize {
        match self {
            Kind::Index => 3,
            Kind::Months | Kind::Share => 1,
            Kind::Count => 2,
        }
    }

    fn scale(self) -> f64 {
        if self == Kind::Share {
            100.0
        } else {
            1.0
        }
    }

    /// A value (e.g. a mean): "0.832", "36.5", "0.03", "97.3%".
    pub fn value(self, x: f64) -> String {
        if !x.is_finite() {
            return "–".into();
        }
        let d = self.decimals();
        let v = x * self.scale();
        if self == Kind::Share {
            format!("{v:.d$}%")
        } else {
            format!("{v:.d$}")
        }
    }

    /// A paired difference and its 95% CI half-width: "+0.107 ±0.004", "+2.4 pp ±0.7".
    pub fn diff(self, mean: f64, half: f64) -> String {
        if !mean.is_finite() {
            return "–".into();
        }
        let d = self.decimals();
        let (m, h) = (mean * self.scale(), half * self.scale());
        let unit = if self == Kind::Share { " pp" } else { "" };
        if h.is_finite() {
            format!("{m:+.d$}{unit} ±{h:.d$}")
        } else {
            format!("{m:+.d$}{unit}")
        }
    }
}

/// One table of the summary before it is fitted to a width: a heading, the column titles and
/// the rows; the first column (the row labels) is repeated when the table is split.
struct Grid {
    heading: String,
    /// Lines between rows (for cells of several lines).
    row_lines: bool,
    titles: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Display width of a cell: its longest line, in characters.
fn text_width(s: &str) -> usize {
    s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

impl Grid {
    /// The table as text for a terminal `width` columns wide (None: no limit). Columns that do
    /// not fit side by side go to a continuation table under the first, with the row labels
    /// repeated; a column too wide on its own has its text wrapped.
    fn render(&self, width: Option<usize>) -> String {
        let ncol = self.titles.len();
        let col_w: Vec<usize> = (0..ncol)
            .map(|c| {
                self.rows
                    .iter()
                    .map(|r| text_width(&r[c]))
                    .chain([text_width(&self.titles[c])])
                    .max()
                    .unwrap_or(0)
                    + 3
            })
            .collect();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        match width {
            None => groups.push((1..ncol).collect()),
            Some(w) => {
                let mut used = col_w[0] + 1;
                let mut g = Vec::new();
                for (c, cw) in col_w.iter().enumerate().skip(1) {
                    if !g.is_empty() && used + cw > w {
                        groups.push(std::mem::take(&mut g));
                        used = col_w[0] + 1;
                    }
                    used += cw;
                    g.push(c);
                }
                if !g.is_empty() {
                    groups.push(g);
                }
            }
        }
        let mut s = String::new();
        let n = groups.len();
        for (i, g) in groups.iter().enumerate() {
            let heading = if n > 1 {
                format!("{} ({}/{n})", self.heading, i + 1)
            } else {
                self.heading.clone()
            };
            s.push('\n');
            s.push_str(&wrap(&heading, width));
            let mut t = Table::new();
            let line = LineStyle::none().fill('─').junction('─');
            let style = TableStyle::new()
                .top_border(line)
                .header_separator(line)
                .bottom_border(line);
            t.load_style(if self.row_lines {
                style.row_separator(LineStyle::none().fill('╌').junction('╌'))
            } else {
                style
            });
            match width {
                Some(w) => {
                    t.set_content_arrangement(ContentArrangement::Dynamic);
                    t.set_width(u16::try_from(w).unwrap_or(u16::MAX));
                }
                None => {
                    t.set_content_arrangement(ContentArrangement::Disabled);
                }
            }
            let cols: Vec<usize> = std::iter::once(0).chain(g.iter().copied()).collect();
            t.set_header(cols.iter().map(|c| self.titles[*c].as_str()));
            for r in &self.rows {
                t.add_row(cols.iter().map(|c| r[*c].as_str()));
            }
            for (j, col) in t.column_iter_mut().enumerate() {
                if j > 0 {
                    col.set_cell_alignment(CellAlignment::Right);
                } else {
                    // Row labels are never wrapped.
                    let w = u16::try_from(col_w[0] - 3).unwrap_or(u16::MAX);
                    col.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(w)));
                }
            }
            let _ = writeln!(s, "{t}");
        }
        s
    }
}

/// The terminal's width for the summary: that of standard output when it is a terminal, else
/// `COLUMNS` when set (so `COLUMNS=80 trisim run … | less` works), else no limit.
pub fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        if let Some((w, _)) = terminal_size::terminal_size_of(std::io::stdout()) {
            return Some(usize::from(w.0).max(40));
        }
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|w| *w > 0)
        .map(|w| w.max(40))
}

/// A share as a whole percentage ("54%"), "<1%" and ">99%" near the ends so that a rare
/// event never reads as impossible.
pub fn percent(x: f64) -> String {
    if !x.is_finite() {
        "–".into()
    } else if x > 0.0 && x < 0.005 {
        "<1%".into()
    } else if x < 1.0 && x > 0.995 {
        ">99%".into()
    } else {
        format!("{:.0}%", 100.0 * x)
    }
}

/// Share of worlds where a milestone outcome (value = `horizon` when never reached) was never
/// reached, from the outcome's quantile sketch (exact for month counts).
fn never_share(os: &crate::engine::OutcomeSummary, horizon: f64) -> Option<f64> {
    let counts = os.sketch.counts();
    let n: u64 = counts.iter().map(|(_, c)| c).sum();
    (n > 0).then(|| {
        counts
            .iter()
            .filter(|(v, _)| *v >= horizon)
            .map(|(_, c)| c)
            .sum::<u64>() as f64
            / n as f64
    })
}

/// The median month of a milestone as text: "never" when at least half the worlds never reach
/// it.
pub fn milestone_median(median: f64, horizon: f64) -> String {
    if !median.is_finite() {
        "–".into()
    } else if median >= horizon {
        "never".into()
    } else {
        format!("{median:.0}")
    }
}

/// Whether a 95% interval `[lo, hi]` excludes 0 (the difference is resolved).
pub fn resolved(ci: [f64; 2]) -> bool {
    ci[0] > 0.0 || ci[1] < 0.0
}

/// Renders the summary of a run for a terminal `width` columns wide (None: no limit): per path
/// the headline outcomes, then the paired differences against the reference path with their
/// 95% intervals and the shares of worlds where each path is better and tied. `counts`
/// (from `runs.csv`) separates ties from wins; without it P(better) is shown, and said to
/// count ties as half.
/// [`render_for`] the terminal's width ([`terminal_width`]), without per-world counts (a
/// merged run has no `runs.csv`).
pub fn render(scenario: &str, res: &RunResults) -> String {
    render_for(scenario, res, None, terminal_width())
}

pub fn render_for(
    scenario: &str,
    res: &RunResults,
    counts: Option<&WorldCounts>,
    width: Option<usize>,
) -> String {
    let l = &res.layout;
    let horizon = f64::from(l.months);
    let mut s = String::new();
    s.push_str(&wrap(
        &format!(
            "{scenario}: {} simulated worlds (replications) × {} paths, {} months from {}, seed {}",
            res.replications,
            l.path_names.len(),
            l.months,
            l.start,
            res.seed
        ),
        width,
    ));
    let get = |p: usize, key: &str| res.outcome_index(key).map(|o| &res.outcomes[p][o]);
    let mut per_path = Grid {
        heading: "Per path, over the simulated worlds".into(),
        row_lines: false,
        titles: vec![
            "path".into(),
            "cooperation\nindex (final)\nmean".into(),
            "middle 90%\nof worlds\n(p5–p95)".into(),
            "durable\nsuccess\n(share)".into(),
            "Camp David\nnever\nreached".into(),
            "months to\nCamp David\n(median)".into(),
            "Seoul\ncrises\n(mean)".into(),
            "rollbacks\n\n(mean)".into(),
            "China cost\n% of GDP\n(mean)".into(),
        ],
        rows: Vec::new(),
    };
    for (p, name) in l.path_names.iter().enumerate() {
        let mean = |key: &str, kind: Kind| {
            get(p, key)
                .map(|os| kind.value(os.mean))
                .unwrap_or_else(|| "–".into())
        };
        let range = get(p, "final_ci")
            .map(|os| {
                format!(
                    "{}–{}",
                    Kind::Index.value(os.quantiles[0]),
                    Kind::Index.value(os.quantiles[4])
                )
            })
            .unwrap_or_else(|| "–".into());
        let cd = get(p, "months_to_camp_david");
        let never = cd
            .and_then(|os| never_share(os, horizon))
            .map(percent)
            .unwrap_or_else(|| "–".into());
        let median = cd
            .map(|os| milestone_median(os.quantiles[2], horizon))
            .unwrap_or_else(|| "–".into());
        per_path.rows.push(vec![
            name.clone(),
            mean("final_ci", Kind::Index),
            range,
            mean("durable_success", Kind::Share),
            never,
            median,
            mean("kr_crises", Kind::Count),
            mean("rollbacks", Kind::Count),
            mean("china_cost_gdp_pct", Kind::Count),
        ]);
    }
    s.push_str(&per_path.render(width));
    s.push_str(&wrap(
        &format!(
            "Camp David: summitry, missile warning and exercises all in place; the median is \
             \"never\" when at least half the worlds do not reach it within {} months.",
            l.months
        ),
        width,
    ));
    let refname = &l.path_names[l.reference];
    let others: Vec<usize> = (0..l.path_names.len())
        .filter(|p| *p != l.reference)
        .collect();
    if others.is_empty() {
        return s;
    }
    let mut diff = Grid {
        heading: format!(
            "Difference from `{refname}` on the same worlds: mean ± half its 95% interval; \
             share of worlds where the path is better and where it ties"
        ),
        row_lines: true,
        titles: std::iter::once("outcome".to_string())
            .chain(others.iter().map(|p| l.path_names[*p].clone()))
            .collect(),
        rows: Vec::new(),
    };
    let mut any_unresolved = false;
    let mut any_milestone = false;
    for (key, title, kind) in HEADLINE {
        let Some(o) = res.outcome_index(key) else {
            continue;
        };
        let label = if is_milestone(key) {
            any_milestone = true;
            format!("{title} ¹")
        } else {
            title.to_string()
        };
        let mut row = vec![label];
        for p in &others {
            let d = &res.paired[*p][o];
            if !d.mean_diff.is_finite() {
                row.push("–".into());
                continue;
            }
            let half = (d.ci95[1] - d.ci95[0]) / 2.0;
            let mut cell = kind.diff(d.mean_diff, half);
            if !resolved(d.ci95) {
                any_unresolved = true;
                cell.push_str(" ²");
            }
            let wins = counts
                .and_then(|c| c.pair(&l.path_names[*p], key))
                .and_then(|w| w.shares());
            match (wins, d.p_better) {
                (Some((b, t, _)), _) => {
                    let _ = write!(cell, "\nbetter {}", percent(b));
                    let _ = write!(cell, "\ntied {}", percent(t));
                }
                (None, Some(pb)) => {
                    let _ = write!(cell, "\nP(better) {} ³", percent(pb));
                }
                (None, None) => {}
            }
            row.push(cell);
        }
        diff.rows.push(row);
    }
    s.push_str(&diff.render(width));
    let mut notes = Vec::new();
    if any_milestone {
        notes.push(format!(
            "¹ a world that never reaches Camp David counts as {} months (the horizon) in this difference.",
            l.months
        ));
    }
    if any_unresolved {
        notes.push(
            "² unresolved: the 95% interval includes 0 (more replications may settle the sign)."
                .to_string(),
        );
    }
    if counts.is_none() {
        notes.push(
            "³ P(better) counts a tie as half a win (runs.csv, which separates them, was not written)."
                .to_string(),
        );
    }
    notes.push("pp = percentage points.".to_string());
    for n in notes {
        s.push_str(&wrap(&n, width));
    }
    s
}

/// Word-wraps one paragraph to `width` columns (None: one line), with a final newline.
pub fn wrap(text: &str, width: Option<usize>) -> String {
    let Some(w) = width else {
        return format!("{text}\n");
    };
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > w {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}
#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn numbers_are_formatted_by_kind() {
        assert_eq!(Kind::Index.value(0.8321), "0.832");
        assert_eq!(Kind::Months.value(3.13), "3.1");
        assert_eq!(Kind::Months.value(110.04), "110.0");
        assert_eq!(Kind::Count.value(0.027), "0.03");
        assert_eq!(Kind::Count.value(1.933), "1.93");
        assert_eq!(Kind::Share.value(0.973), "97.3%");
        assert_eq!(Kind::Share.value(0.0), "0.0%");
        assert_eq!(Kind::Share.value(f64::NAN), "–");
        assert_eq!(Kind::Share.diff(0.0243, 0.00746), "+2.4 pp ±0.7");
        assert_eq!(Kind::Share.diff(-0.973, 0.007), "-97.3 pp ±0.7");
        assert_eq!(Kind::Index.diff(0.1071, 0.0042), "+0.107 ±0.004");
        assert_eq!(Kind::Months.diff(-33.44, 2.04), "-33.4 ±2.0");
        assert_eq!(Kind::Count.diff(1.906, f64::NAN), "+1.91");
    }
}
