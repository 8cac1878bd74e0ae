//! Files of a sweep: `sweep.csv` (one row per design point × path) and `sweep.json` (the
//! design, the paths and outcomes, and where the numbers are).

use super::dir::Staging;
use super::files::{better_str, csv_field, write_json};
use super::{csv_num, num};
use crate::engine::sweep::SweepResults;
use anyhow::Result;
use serde_json::{json, Value};

/// Columns written per outcome in `sweep.csv` (after `<outcome>_`).
pub const OUTCOME_COLUMNS: [&str; 13] = [
    "mean",
    "ci_low",
    "ci_high",
    "p5",
    "p25",
    "p50",
    "p75",
    "p95",
    "n",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "p_better",
];

/// Writes `sweep.csv`: columns `point`, the swept parameters (by address), `path`, then for
/// every outcome [`OUTCOME_COLUMNS`] prefixed by the outcome key. `diff*` and `p_better` are
/// the paired difference against the reference path at the same point (0 and empty for the
/// reference itself); empty cells are undefined values.
pub fn write_sweep_csv(dir: &Staging, r: &SweepResults) -> Result<()> {
    dir.write_file("sweep.csv", |w| {
        let mut head = vec!["point".to_string()];
        head.extend(r.design.keys.iter().map(|k| csv_field(k)));
        head.push("path".into());
        for o in &r.layout.outcomes {
            head.extend(OUTCOME_COLUMNS.iter().map(|c| format!("{}_{c}", o.key)));
        }
        writeln!(w, "{}", head.join(","))?;
        for (i, p) in r.points.iter().enumerate() {
            for (pi, name) in r.layout.path_names.iter().enumerate() {
                let mut row = vec![(i + 1).to_string()];
                row.extend(p.values.iter().map(|x| csv_num(*x)));
                row.push(csv_field(name));
                for (st, pd) in p.outcomes[pi].iter().zip(&p.paired[pi]) {
                    row.push(csv_num(st.mean));
                    row.push(csv_num(st.ci95[0]));
                    row.push(csv_num(st.ci95[1]));
                    row.extend(st.quantiles.iter().map(|q| csv_num(*q)));
                    row.push(st.n.to_string());
                    row.push(csv_num(pd.mean_diff));
                    row.push(csv_num(pd.ci95[0]));
                    row.push(csv_num(pd.ci95[1]));
                    row.push(match pd.p_better {
                        Some(b) if pi != r.layout.reference => csv_num(b),
                        _ => String::new(),
                    });
                }
                writeln!(w, "{}", row.join(","))?;
            }
        }
        Ok(())
    })
}

/// The content of `sweep.json`.
pub fn sweep_json(r: &SweepResults, scenario_name: &str) -> Value {
    let d = &r.design;
    json!({
        "scenario": scenario_name,
        "design": d.kind.name(),
        "sobol_base_samples": (d.sobol_n > 0).then_some(d.sobol_n),
        "seed": r.seed,
        "replications_per_point": r.replications,
        "points": r.points.len(),
        "parameters": d.keys.iter().enumerate().map(|(k, key)| json!({
            "address": key,
            "low": num(d.bounds[k].0),
            "high": num(d.bounds[k].1),
            "levels": d.levels.get(k).map(|l| l.iter().map(|x| num(*x)).collect::<Vec<_>>()),
        })).collect::<Vec<_>>(),
        "paths": r.layout.path_names,
        "reference_path": r.layout.path_names[r.layout.reference],
        "outcomes": r.layout.outcomes.iter().map(|o| json!({
            "key": o.key,
            "better": better_str(o.better),
            "description": o.description,
        })).collect::<Vec<_>>(),
        "design_points": d.points.iter().map(|p| p.iter().map(|x| num(*x)).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "files": {
            "sweep.csv": "one row per design point × path: the swept values, then per outcome its mean, 95% CI, quantiles, n, and the paired difference against the reference path at the same point (diff, its 95% CI, P(better))",
        },
    })
}

pub fn write_sweep_json(dir: &Staging, r: &SweepResults, scenario_name: &str) -> Result<()> {
    let v = sweep_json(r, scenario_name);
    dir.write_file("sweep.json", |w| write_json(w, &v))
}
