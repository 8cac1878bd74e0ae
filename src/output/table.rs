//! The one-screen table printed at the end of `trisim run`.

use crate::engine::RunResults;
use std::fmt::Write;

/// Headline outcomes (key, column title, scale for display).
pub const HEADLINE: [(&str, &str, f64); 6] = [
    ("final_ci", "final CI", 1.0),
    ("months_to_camp_david", "months to CD", 1.0),
    ("kr_crises", "KR crises", 1.0),
    ("rollbacks", "rollbacks", 1.0),
    ("durable_success", "durable %", 100.0),
    ("china_cost_gdp_pct", "China cost %GDP", 1.0),
];

fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        "–".into()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
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
        for (key, title, scale) in HEADLINE {
            let cell = match res.outcome_index(key) {
                Some(o) => {
                    let os = &res.outcomes[p][o];
                    if title == "final CI" {
                        format!(
                            "{} [{}–{}]",
                            fmt_num(os.mean),
                            fmt_num(os.quantiles[0]),
                            fmt_num(os.quantiles[4])
                        )
                    } else {
                        fmt_num(os.mean * scale)
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
        "\nPaired difference vs `{refname}` on the same worlds: mean ± 95% CI half-width (P(better))"
    );
    let _ = write!(s, "{:<16}", "outcome");
    for p in &others {
        let _ = write!(s, " {:>24}", l.path_names[*p]);
    }
    s.push('\n');
    for (key, title, scale) in HEADLINE {
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
            let half = (d.ci95[1] - d.ci95[0]) / 2.0 * scale;
            let mean = d.mean_diff * scale;
            // Same decimals for the mean and its half-width.
            let dec = match mean.abs().max(half) {
                x if x >= 100.0 => 0,
                x if x >= 10.0 => 1,
                _ => 3,
            };
            let cell = if mean.is_finite() {
                format!(
                    "{mean:+.dec$} ±{:.dec$}{pb}",
                    if half.is_finite() { half } else { 0.0 }
                )
            } else {
                "–".into()
            };
            let _ = write!(s, " {cell:>24}");
        }
        s.push('\n');
    }
    s
}
