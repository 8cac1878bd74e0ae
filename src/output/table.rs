//! The one-screen table printed at the end of `trisim run`.

use crate::engine::RunResults;
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

/// Headline outcomes (key, column title, display kind).
pub const HEADLINE: [(&str, &str, Kind); 6] = [
    ("final_ci", "final CI", Kind::Index),
    ("months_to_camp_david", "months to CD", Kind::Months),
    ("kr_crises", "KR crises", Kind::Count),
    ("rollbacks", "rollbacks", Kind::Count),
    ("durable_success", "durable", Kind::Share),
    ("china_cost_gdp_pct", "China cost %GDP", Kind::Count),
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

/// Renders the table: per path the mean of each headline outcome (with its p5–p95 range for
/// the final CI), then per path the paired difference against the reference with its 95% CI
/// and P(better).
pub fn render(scenario: &str, res: &RunResults) -> String {
    let l = &res.layout;
    let mut s = String::new();
    let name_w = l
        .path_names
        .iter()
        .map(|n| n.len())
        .max()
        .unwrap_or(4)
        .max(6);
    let _ = writeln!(
        s,
        "{scenario}: {} replications × {} paths, {} months from {}, seed {}",
        res.replications,
        l.path_names.len(),
        l.months,
        l.start,
        res.seed
    );
    let _ = writeln!(s, "\nMeans per path (final CI: mean [p5–p95])");
    let _ = write!(s, "{:<name_w$}", "path");
    for (_, title, _) in HEADLINE {
        let w = if title == "final CI" { 22 } else { 15 };
        let _ = write!(s, " {title:>w$}");
    }
    s.push('\n');
    for (p, name) in l.path_names.iter().enumerate() {
        let _ = write!(s, "{name:<name_w$}");
        for (key, title, kind) in HEADLINE {
            let cell = match res.outcome_index(key) {
                Some(o) => {
                    let os = &res.outcomes[p][o];
                    if title == "final CI" {
                        format!(
                            "{} [{}–{}]",
                            kind.value(os.mean),
                            kind.value(os.quantiles[0]),
                            kind.value(os.quantiles[4])
                        )
                    } else {
                        kind.value(os.mean)
                    }
                }
                None => "–".into(),
            };
            let w = if title == "final CI" { 22 } else { 15 };
            let _ = write!(s, " {cell:>w$}");
        }
        s.push('\n');
    }
    let refname = &l.path_names[l.reference];
    let others: Vec<usize> = (0..l.path_names.len())
        .filter(|p| *p != l.reference)
        .collect();
    if others.is_empty() {
        return s;
    }
    let _ = writeln!(
        s,
        "\nPaired difference vs `{refname}` on the same worlds: mean ± 95% CI half-width (P(better)); pp = percentage points"
    );
    let _ = write!(s, "{:<16}", "outcome");
    for p in &others {
        let _ = write!(s, " {:>24}", l.path_names[*p]);
    }
    s.push('\n');
    for (key, title, kind) in HEADLINE {
        let Some(o) = res.outcome_index(key) else {
            continue;
        };
        let _ = write!(s, "{title:<16}");
        for p in &others {
            let d = &res.paired[*p][o];
            let pb = d
                .p_better
                .map(|x| format!(" ({:.0}%)", 100.0 * x))
                .unwrap_or_default();
            let half = (d.ci95[1] - d.ci95[0]) / 2.0;
            let cell = if d.mean_diff.is_finite() {
                format!("{}{pb}", kind.diff(d.mean_diff, half))
            } else {
                "–".into()
            };
            let _ = write!(s, " {cell:>24}");
        }
        s.push('\n');
    }
    s
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
