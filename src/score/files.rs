//! The outputs of `trisim score`: `score.json` (everything, with each observation's PIT,
//! CRPS and simulated quantiles), `score.csv` (one row per path and series), a
//! `manifest.json` (so that `--force` recognises the folder) and the terminal table.

use super::{PathScore, Scores, SeriesScore};
use crate::output::dir::Staging;
use crate::output::files::{csv_field, write_json};
use crate::output::{csv_num, num};
use anyhow::Result;
use serde_json::{json, Value};
use std::fmt::Write as _;

/// Files of a score folder (besides `charts/`).
pub const SCORE_FILES: [&str; 3] = ["score.json", "score.csv", "manifest.json"];

/// Columns of `score.csv`.
pub const SCORE_CSV_HEADER: [&str; 18] = [
    "path",
    "series",
    "kind",
    "n",
    "coverage_50",
    "coverage_80",
    "coverage_90",
    "crps",
    "crps_skill",
    "rmse_median",
    "sign_agreement",
    "brier",
    "brier_skill",
    "passage_observed",
    "passage_simulated_median",
    "passage_error_months",
    "never_share",
    "chart",
];

fn opt(x: Option<f64>) -> Value {
    x.and_then(num).map(Value::from).unwrap_or(Value::Null)
}

/// The chart file stem of a series on a path: `PATH--SERIES`, operators spelled out
/// (`rung.intelligence>=2` → `rung.intelligence_ge_2`).
pub fn chart_stem(path: &str, series: &str) -> String {
    let s = series
        .replace(">=", "_ge_")
        .replace("<=", "_le_")
        .replace("==", "_eq_")
        .replace('>', "_gt_")
        .replace('<', "_lt_");
    crate::output::dir::safe_name(&format!("{path}--{s}"))
}

fn series_json(path: &str, s: &SeriesScore) -> Value {
    json!({
        "series": s.series,
        "kind": s.kind,
        "n": s.n,
        "coverage_50": num(s.coverage[0]),
        "coverage_80": num(s.coverage[1]),
        "coverage_90": num(s.coverage[2]),
        "crps": num(s.crps),
        "crps_skill": opt(s.crps_skill),
        "rmse_median": num(s.rmse_median),
        "sign_agreement": opt(s.sign_agreement),
        "brier": opt(s.brier),
        "brier_skill": opt(s.brier_skill),
        "first_passage": s.passage.as_ref().map(|p| json!({
            "observed": p.observed.map(|m| m.to_string()),
            "simulated_median": p.simulated_median.map(|m| m.to_string()),
            "error_months": p.error_months,
            "never_share": num(p.never_share),
        })),
        "chart": format!("charts/{}", chart_stem(path, &s.series)),
        "observations": s.points.iter().map(|pt| json!({
            "month": pt.month.to_string(),
            "value": num(pt.value),
            "sd": pt.sd,
            "source": pt.source,
            "worlds": pt.n_worlds,
            "pit": num(pt.pit),
            "crps": num(pt.crps),
            "mean": num(pt.mean),
            "p5": num(pt.quantiles[0]),
            "p10": num(pt.quantiles[1]),
            "p25": num(pt.quantiles[2]),
            "p50": num(pt.quantiles[3]),
            "p75": num(pt.quantiles[4]),
            "p90": num(pt.quantiles[5]),
            "p95": num(pt.quantiles[6]),
        })).collect::<Vec<_>>(),
    })
}

fn path_json(p: &PathScore) -> Value {
    json!({
        "path": p.path,
        "summary": {
            "observations": p.summary.observations,
            "coverage_80": num(p.summary.coverage_80),
            "mean_brier_skill": opt(p.summary.mean_brier_skill),
            "mean_abs_timing_error_months": opt(p.summary.mean_abs_timing_error),
        },
        "series": p.series.iter().map(|s| series_json(&p.path, s)).collect::<Vec<_>>(),
    })
}

/// The content of `score.json`.
pub fn score_json(sc: &Scores) -> Value {
    json!({
        "trisim_version": env!("CARGO_PKG_VERSION"),
        "results": sc.run.dir.to_string_lossy(),
        "scenario": sc.run.scenario_name,
        "start": sc.run.start.to_string(),
        "last_month": sc.run.last().to_string(),
        "replications": sc.run.replications,
        "observed_files": sc.observed_files.iter().map(|f| f.to_string_lossy()).collect::<Vec<_>>(),
        "recorded_months": sc.recorded.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
        "bands": super::metrics::BANDS,
        "paths": sc.paths.iter().map(path_json).collect::<Vec<_>>(),
    })
}

/// The rows of `score.csv` (header included).
pub fn score_csv(sc: &Scores) -> String {
    let mut out = SCORE_CSV_HEADER.join(",");
    out.push('\n');
    let o = |x: Option<f64>| x.map(csv_num).unwrap_or_default();
    for p in &sc.paths {
        for s in &p.series {
            let pass = s.passage.as_ref();
            let cells = [
                csv_field(&p.path),
                csv_field(&s.series),
                s.kind.to_string(),
                s.n.to_string(),
                csv_num(s.coverage[0]),
                csv_num(s.coverage[1]),
                csv_num(s.coverage[2]),
                csv_num(s.crps),
                o(s.crps_skill),
                csv_num(s.rmse_median),
                o(s.sign_agreement),
                o(s.brier),
                o(s.brier_skill),
                pass.and_then(|p| p.observed)
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                pass.and_then(|p| p.simulated_median)
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                pass.and_then(|p| p.error_months)
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
                pass.map(|p| csv_num(p.never_share)).unwrap_or_default(),
                csv_field(&format!("charts/{}", chart_stem(&p.path, &s.series))),
            ];
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    out
}

/// Writes score.json, score.csv, manifest.json and the charts into the staging folder.
pub fn write_all(sc: &Scores, staging: &Staging) -> Result<()> {
    let mut stems = Vec::new();
    for p in &sc.paths {
        for s in &p.series {
            let stem = chart_stem(&p.path, &s.series);
            super::charts::write(staging, &stem, &p.path, s, sc)?;
            stems.push(stem);
        }
    }
    staging.write_file("score.json", |w| write_json(w, &score_json(sc)))?;
    let csv = score_csv(sc);
    staging.write_file("score.csv", |w| Ok(w.write_all(csv.as_bytes())?))?;
    let manifest = json!({
        "trisim_version": env!("CARGO_PKG_VERSION"),
        "command": "score",
        "results": sc.run.dir.to_string_lossy(),
        "observed_files": sc.observed_files.iter().map(|f| f.to_string_lossy()).collect::<Vec<_>>(),
        "charts": stems,
    });
    staging.write_file("manifest.json", |w| write_json(w, &manifest))?;
    Ok(())
}

/// A share as a percentage ("80%"), "–" if undefined.
fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.0}%", x * 100.0)
    } else {
        "–".into()
    }
}

fn dec(x: Option<f64>, d: usize) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v:.d$}"),
        _ => "–".into(),
    }
}

/// The table printed by `trisim score`: per path, one line per series, then the summary.
pub fn render(sc: &Scores) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: scored against {} ({} replications, {} to {})",
        sc.run.scenario_name,
        sc.observed_files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        sc.run.replications,
        sc.run.start,
        sc.run.last()
    );
    let name_w = sc
        .paths
        .iter()
        .flat_map(|p| p.series.iter().map(|s| s.series.chars().count()))
        .max()
        .unwrap_or(6)
        .clamp(6, 40);
    for p in &sc.paths {
        let _ = writeln!(
            s,
            "\nPath `{}`: coverage of the 50/80/90% bands, CRPS (skill vs no change), RMSE of the median, sign of changes, Brier (skill), first passage (sim median − observed, never)",
            p.path
        );
        let _ = writeln!(
            s,
            "{:<name_w$} {:>3} {:>14} {:>16} {:>8} {:>5} {:>14} {:>16}",
            "series",
            "n",
            "cover 50/80/90",
            "CRPS (skill)",
            "RMSE",
            "sign",
            "Brier (skill)",
            "passage"
        );
        for x in &p.series {
            let crps = format!("{} ({})", dec(Some(x.crps), 3), dec(x.crps_skill, 2));
            let brier = match x.brier {
                Some(b) => format!("{b:.3} ({})", dec(x.brier_skill, 2)),
                None => "–".into(),
            };
            let passage = match &x.passage {
                Some(pa) => format!(
                    "{} ({})",
                    pa.error_months
                        .map(|e| format!("{e:+} mo"))
                        .unwrap_or_else(|| "–".into()),
                    pct(pa.never_share)
                ),
                None => "–".into(),
            };
            let name: String = if x.series.chars().count() > name_w {
                let mut t: String = x.series.chars().take(name_w - 1).collect();
                t.push('…');
                t
            } else {
                x.series.clone()
            };
            let _ = writeln!(
                s,
                "{name:<name_w$} {:>3} {:>14} {:>16} {:>8} {:>5} {:>14} {:>16}",
                x.n,
                format!(
                    "{}/{}/{}",
                    pct(x.coverage[0]),
                    pct(x.coverage[1]),
                    pct(x.coverage[2])
                ),
                crps,
                dec(Some(x.rmse_median), 3),
                x.sign_agreement.map(pct).unwrap_or_else(|| "–".into()),
                brier,
                passage
            );
        }
        let _ = writeln!(
            s,
            "summary: {} observations, {} inside the 80% band; mean Brier skill {}; mean |timing error| {} months",
            p.summary.observations,
            pct(p.summary.coverage_80),
            dec(p.summary.mean_brier_skill, 2),
            dec(p.summary.mean_abs_timing_error, 1)
        );
    }
    s
}
