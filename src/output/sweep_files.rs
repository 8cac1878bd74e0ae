//! Files of a sweep: `sweep.csv` (one row per design point × path) and `sweep.json` (the
//! design, the paths and outcomes, and where the numbers are).

use super::dir::Staging;
use super::files::{better_str, csv_field, write_json};
use super::{csv_num, num};
use crate::engine::sensitivity::SensitivityResults;
use crate::engine::sweep::SweepResults;
use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};
use std::path::Path;

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

/// Writes `sensitivity.csv` (one row per parameter: range, S1 and ST with CIs, tornado),
/// `sensitivity.json` (the same with the method and target) and the Saltelli points as
/// `sweep.csv` / `sweep.json`.
pub fn write_sensitivity(dir: &Staging, r: &SensitivityResults, scenario_name: &str) -> Result<()> {
    let design = &r.saltelli.design;
    let (idx, tor) = (&r.indices, &r.tornado);
    let d = design.keys.len();
    let bar = |k: usize| tor.bars.iter().find(|b| b.parameter == k);
    dir.write_file("sensitivity.csv", |w| {
        writeln!(
            w,
            "parameter,low,high,s1,s1_ci_low,s1_ci_high,st,st_ci_low,st_ci_high,tornado_low,tornado_high,tornado_swing"
        )?;
        for k in 0..d {
            let (f, t) = (&idx.first[k], &idx.total[k]);
            let cells = [
                design.bounds[k].0,
                design.bounds[k].1,
                f.estimate,
                f.ci95[0],
                f.ci95[1],
                t.estimate,
                t.ci95[0],
                t.ci95[1],
                bar(k).map(|b| b.low).unwrap_or(f64::NAN),
                bar(k).map(|b| b.high).unwrap_or(f64::NAN),
                bar(k).map(|b| b.swing).unwrap_or(f64::NAN),
            ];
            let cells: Vec<String> = cells.iter().map(|x| csv_num(*x)).collect();
            writeln!(w, "{},{}", csv_field(&design.keys[k]), cells.join(","))?;
        }
        Ok(())
    })?;
    let index = |i: &crate::experiment::analysis::sobol::Index| json!({ "estimate": num(i.estimate), "ci95": [num(i.ci95[0]), num(i.ci95[1])] });
    let v = json!({
        "scenario": scenario_name,
        "target": {
            "outcome": r.target.outcome,
            "path": r.target.path,
            "minus_path": r.target.minus,
            "label": r.target.label(),
        },
        "method": {
            "design": "Saltelli (2010) on an Owen-scrambled Sobol' sequence: rows A, AB_1..AB_d, B per base sample",
            "first_order": "Saltelli et al. (2010): mean(f(B)·(f(AB_i) − f(A))) / V",
            "total": "Jansen (1999): mean((f(A) − f(AB_i))²) / (2V)",
            "ci95": "bootstrap percentile interval over base samples",
            "tornado": "one at a time: each parameter at the low and high end of its range, the others as in the scenario",
        },
        "base_samples": design.sobol_n,
        "points": design.points.len(),
        "replications_per_point": r.saltelli.replications,
        "bootstrap": r.bootstrap,
        "seed": r.saltelli.seed,
        "variance": num(idx.variance),
        "parameters": (0..d).map(|k| json!({
            "address": design.keys[k],
            "low": design.bounds[k].0,
            "high": design.bounds[k].1,
            "first_order": index(&idx.first[k]),
            "total": index(&idx.total[k]),
        })).collect::<Vec<_>>(),
        "tornado": {
            "base": num(tor.base),
            "bars": tor.bars.iter().map(|b| json!({
                "parameter": design.keys[b.parameter],
                "at_low": num(b.low),
                "at_high": num(b.high),
                "swing": num(b.swing),
            })).collect::<Vec<_>>(),
        },
    });
    dir.write_file("sensitivity.json", |w| write_json(w, &v))?;
    write_sweep_csv(dir, &r.saltelli)?;
    write_sweep_json(dir, &r.saltelli, scenario_name)
}

/// A finished sweep read back from its folder: per point, the swept values and the mean of
/// every outcome of every path.
pub struct SweepTable {
    pub parameters: Vec<String>,
    pub paths: Vec<String>,
    pub outcomes: Vec<String>,
    /// [point] values
    pub x: Vec<Vec<f64>>,
    /// [point][path][outcome] means
    pub means: Vec<Vec<Vec<f64>>>,
}

/// Largest `sweep.csv` read back (`trisim discover`): far above any sweep trisim writes.
pub const MAX_SWEEP_CSV_BYTES: u64 = 1 << 30;

pub fn read_sweep(dir: &Path) -> Result<SweepTable> {
    let jpath = dir.join("sweep.json");
    let text = super::files::read_bounded_string(&jpath, super::files::MAX_MANIFEST_BYTES)
        .with_context(|| {
            format!(
                "cannot read {} (is {} a folder written by `trisim sweep`?)",
                jpath.display(),
                dir.display()
            )
        })?;
    let j: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", jpath.display()))?;
    let strings = |key: &str, field: Option<&str>| -> Result<Vec<String>> {
        j.get(key)
            .and_then(|v| v.as_array())
            .ok_or_else(|| anyhow!("{} has no `{key}` list", jpath.display()))?
            .iter()
            .map(|v| {
                let v = match field {
                    Some(f) => v.get(f),
                    None => Some(v),
                };
                v.and_then(|x| x.as_str())
                    .map(String::from)
                    .ok_or_else(|| anyhow!("{}: malformed `{key}`", jpath.display()))
            })
            .collect()
    };
    let parameters = strings("parameters", Some("address"))?;
    let paths = strings("paths", None)?;
    let outcomes = strings("outcomes", Some("key"))?;
    let cpath = dir.join("sweep.csv");
    let csv_bytes = super::files::read_bounded(&cpath, MAX_SWEEP_CSV_BYTES)?;
    let mut rdr = csv::Reader::from_reader(csv_bytes.as_slice());
    let headers = rdr
        .headers()
        .with_context(|| format!("cannot read the header of {}", cpath.display()))?
        .clone();
    let col = |name: &str| -> Result<usize> {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| anyhow!("{} has no column `{name}`", cpath.display()))
    };
    let point_col = col("point")?;
    let path_col = col("path")?;
    let param_cols = parameters
        .iter()
        .map(|p| col(p))
        .collect::<Result<Vec<_>>>()?;
    let mean_cols = outcomes
        .iter()
        .map(|o| col(&format!("{o}_mean")))
        .collect::<Result<Vec<_>>>()?;
    let mut x: Vec<Vec<f64>> = Vec::new();
    let mut means: Vec<Vec<Vec<f64>>> = Vec::new();
    if parameters.is_empty() {
        bail!("{} lists no swept parameters", jpath.display());
    }
    let cpath_s = cpath.display().to_string();
    // A cell: a number, or empty for an undefined value (only outcome means may be undefined).
    let cell = |rec: &csv::StringRecord, c: usize, row: usize, allow_empty: bool| -> Result<f64> {
        let text = rec.get(c).unwrap_or_default();
        let name = headers.get(c).unwrap_or_default();
        if text.is_empty() {
            if allow_empty {
                return Ok(f64::NAN);
            }
            bail!("{cpath_s}: row {row}, column `{name}` is empty (a swept value is needed)");
        }
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => bail!("{cpath_s}: row {row}, column `{name}`: `{text}` is not a finite number"),
        }
    };
    let mut seen: Vec<Vec<bool>> = Vec::new();
    for (line, rec) in rdr.records().enumerate() {
        let row = line + 2;
        let rec = rec.with_context(|| format!("{cpath_s}: bad row {row}"))?;
        let point: usize = rec
            .get(point_col)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| anyhow!("{cpath_s}: bad point number on row {row}"))?;
        let path = rec.get(path_col).unwrap_or_default();
        let pi = paths
            .iter()
            .position(|p| p == path)
            .ok_or_else(|| anyhow!("{cpath_s}: unknown path `{path}` on row {row}"))?;
        if point == 0 || point > x.len() + 1 {
            bail!("{cpath_s}: rows are not in point order (point {point} on row {row})");
        }
        if point == x.len() + 1 {
            x.push(
                param_cols
                    .iter()
                    .map(|c| cell(&rec, *c, row, false))
                    .collect::<Result<Vec<f64>>>()?,
            );
            means.push(vec![vec![f64::NAN; outcomes.len()]; paths.len()]);
            seen.push(vec![false; paths.len()]);
        }
        if seen[point - 1][pi] {
            bail!("{cpath_s}: point {point} has two rows for path `{path}` (row {row})");
        }
        seen[point - 1][pi] = true;
        means[point - 1][pi] = mean_cols
            .iter()
            .map(|c| cell(&rec, *c, row, true))
            .collect::<Result<Vec<f64>>>()?;
    }
    for (i, s) in seen.iter().enumerate() {
        if let Some(p) = s.iter().position(|b| !b) {
            bail!(
                "{cpath_s}: point {} has no row for path `{}`",
                i + 1,
                paths[p]
            );
        }
    }
    if x.is_empty() {
        bail!("{} has no rows", cpath.display());
    }
    Ok(SweepTable {
        parameters,
        paths,
        outcomes,
        x,
        means,
    })
}
