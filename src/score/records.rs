//! Reading a run's results for `trisim score`: `manifest.json` (paths, replications, start
//! and horizon from the effective scenario), the outcomes of `runs.csv` and, streaming, the
//! needed columns and months of `records.csv` (which can be hundreds of megabytes).
//!
//! Columns are looked up by name, never by position: later versions may append columns.

use super::observations::Threshold;
use crate::scenario::YearMonth;
use anyhow::{anyhow, bail, Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub const RECORDS_CSV: &str = "records.csv";
pub const RUNS_CSV: &str = "runs.csv";

/// What a run's manifest says about it.
#[derive(Clone, Debug)]
pub struct RunInfo {
    pub dir: PathBuf,
    pub scenario_name: String,
    pub paths: Vec<String>,
    pub replications: usize,
    pub start: YearMonth,
    pub horizon: i64,
}

impl RunInfo {
    /// Reads `DIR/manifest.json`.
    pub fn read(dir: &Path) -> Result<RunInfo> {
        let path = dir.join("manifest.json");
        if !dir.is_dir() {
            bail!(
                "{} is not a folder (expected a `trisim run` results folder)",
                dir.display()
            );
        }
        let bytes = std::fs::read(&path).with_context(|| {
            format!(
                "cannot read {} (is {} a `trisim run` results folder?)",
                path.display(),
                dir.display()
            )
        })?;
        let v: serde_json::Value = serde_json::from_slice(&bytes)
            .with_context(|| format!("{}: not valid JSON", path.display()))?;
        let bad = |what: &str| anyhow!("{}: {what}", path.display());
        let paths: Vec<String> = v
            .get("paths")
            .and_then(|p| p.as_array())
            .ok_or_else(|| bad("no `paths` list"))?
            .iter()
            .map(|p| {
                p.as_str()
                    .map(String::from)
                    .ok_or_else(|| bad("a path is not a string"))
            })
            .collect::<Result<_>>()?;
        let replications = v
            .get("replications")
            .and_then(|r| r.as_u64())
            .ok_or_else(|| bad("no `replications` number"))? as usize;
        let toml_text = v
            .get("effective_scenario")
            .and_then(|s| s.as_str())
            .ok_or_else(|| bad("no `effective_scenario`"))?;
        let eff: toml::Table = toml_text
            .parse()
            .map_err(|e| bad(&format!("its `effective_scenario` is not valid TOML: {e}")))?;
        let sc = eff
            .get("scenario")
            .and_then(|s| s.as_table())
            .ok_or_else(|| bad("its effective scenario has no [scenario] table"))?;
        let start: YearMonth = sc
            .get("start")
            .and_then(|s| s.as_str())
            .ok_or_else(|| bad("its effective scenario has no `scenario.start`"))?
            .parse()
            .map_err(|e: String| bad(&format!("`scenario.start`: {e}")))?;
        let horizon = sc
            .get("horizon_months")
            .and_then(|h| h.as_integer())
            .filter(|h| *h >= 1)
            .ok_or_else(|| bad("its effective scenario has no `scenario.horizon_months`"))?;
        let scenario_name = sc
            .get("name")
            .and_then(|s| s.as_str())
            .unwrap_or("")
            .to_string();
        Ok(RunInfo {
            dir: dir.to_path_buf(),
            scenario_name,
            paths,
            replications,
            start,
            horizon,
        })
    }

    /// The run's last month.
    pub fn last(&self) -> YearMonth {
        self.start.plus(self.horizon - 1)
    }

    /// Offset of a month from the start (0 = first month).
    pub fn offset(&self, m: YearMonth) -> i64 {
        self.start.months_until(m)
    }

    pub fn month(&self, offset: i64) -> YearMonth {
        self.start.plus(offset)
    }
}

/// The header of a CSV file (None if the file does not exist).
pub fn header(path: &Path) -> Result<Option<Vec<String>>> {
    if !path.exists() {
        return Ok(None);
    }
    let mut rdr =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let h = rdr
        .headers()
        .map_err(|e| anyhow!("{}:1: cannot read the header: {e}", path.display()))?;
    if h.is_empty() || h.iter().all(|c| c.is_empty()) {
        bail!("{}: the file is empty (no header line)", path.display());
    }
    Ok(Some(h.iter().map(String::from).collect()))
}

/// One quantity to extract: a column, optionally through a threshold (then 1 or 0).
#[derive(Clone, Debug)]
pub struct Wanted {
    pub column: String,
    pub threshold: Option<Threshold>,
    /// Months (offsets) to keep; None = every recorded month.
    pub months: Option<BTreeSet<i64>>,
}

/// Values of one quantity: per month offset, per path, per replication (NaN = undefined).
pub type Values = BTreeMap<i64, Vec<Vec<f64>>>;

/// What was read from `records.csv`.
#[derive(Debug, Default)]
pub struct Extract {
    /// Every month recorded (offsets from the start), ascending.
    pub recorded: Vec<i64>,
    /// One per [`Wanted`], in order.
    pub values: Vec<Values>,
}

/// The value of a cell for a quantity: through the threshold (1/0), else the number (empty =
/// NaN); an error message if the cell does not fit.
pub fn cell_value(cell: &str, w: &Wanted) -> std::result::Result<f64, String> {
    match &w.threshold {
        Some(t) => match t.holds(cell) {
            Some(b) => Ok(if b { 1.0 } else { 0.0 }),
            None => Err(format!(
                "column `{}` holds `{cell}`, not a number: compare it with a word, e.g. `{}=={cell}`",
                w.column, w.column
            )),
        },
        None if cell.is_empty() => Ok(f64::NAN),
        None => cell.parse::<f64>().map_err(|_| {
            format!(
                "column `{}` holds `{cell}`, not a number: score a text column as a binary series, e.g. `{}=={cell}`",
                w.column, w.column
            )
        }),
    }
}

/// Parses a "YYYY-MM" month quickly.
fn month_of(b: &[u8]) -> Option<YearMonth> {
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// Streams `records.csv`, keeping only the wanted columns and months.
pub fn read_records(path: &Path, run: &RunInfo, wanted: &[Wanted]) -> Result<Extract> {
    let file = path.display();
    let mut rdr = csv::ReaderBuilder::new()
        .buffer_capacity(1 << 20)
        .from_path(path)
        .with_context(|| format!("cannot read {file}"))?;
    let head = rdr
        .byte_headers()
        .map_err(|e| anyhow!("{file}:1: cannot read the header: {e}"))?
        .clone();
    let col = |name: &str| {
        head.iter()
            .position(|h| h == name.as_bytes())
            .ok_or_else(|| anyhow!("{file}:1: no `{name}` column"))
    };
    let (pi, ri, mi) = (col("path")?, col("replication")?, col("month")?);
    let cols: Vec<usize> = wanted
        .iter()
        .map(|w| col(&w.column))
        .collect::<Result<_>>()?;
    let np = run.paths.len();
    let nr = run.replications;
    let mut values: Vec<Values> = vec![BTreeMap::new(); wanted.len()];
    let mut recorded = BTreeSet::new();
    let mut rec = csv::ByteRecord::new();
    let mut last_month: (Vec<u8>, i64) = (Vec::new(), 0);
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                bail!("{file}:{line}: cannot read the line: {e}");
            }
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let get = |i: usize| rec.get(i).unwrap_or(b"");
        let pname = get(pi);
        let p = run
            .paths
            .iter()
            .position(|n| n.as_bytes() == pname)
            .ok_or_else(|| {
                anyhow!(
                    "{file}:{line}: path `{}` is not one of the run's paths ({})",
                    String::from_utf8_lossy(pname),
                    run.paths.join(", ")
                )
            })?;
        let r: usize = std::str::from_utf8(get(ri))
            .ok()
            .and_then(|s| s.parse().ok())
            .filter(|r| *r < nr)
            .ok_or_else(|| {
                anyhow!(
                    "{file}:{line}: replication `{}` is not a number below the run's {nr} replications",
                    String::from_utf8_lossy(get(ri))
                )
            })?;
        let mb = get(mi);
        let t = if mb == last_month.0.as_slice() {
            last_month.1
        } else {
            let m = month_of(mb).ok_or_else(|| {
                anyhow!(
                    "{file}:{line}: month `{}` is not a \"YYYY-MM\" month",
                    String::from_utf8_lossy(mb)
                )
            })?;
            let t = run.offset(m);
            if !(0..run.horizon).contains(&t) {
                bail!(
                    "{file}:{line}: month {m} is outside the run ({} to {})",
                    run.start,
                    run.last()
                );
            }
            last_month = (mb.to_vec(), t);
            t
        };
        recorded.insert(t);
        for (k, w) in wanted.iter().enumerate() {
            if let Some(ms) = &w.months {
                if !ms.contains(&t) {
                    continue;
                }
            }
            let cell = std::str::from_utf8(get(cols[k])).unwrap_or("\u{fffd}");
            let v = cell_value(cell, w).map_err(|m| anyhow!("{file}:{line}: {m}"))?;
            let slot = values[k]
                .entry(t)
                .or_insert_with(|| vec![vec![f64::NAN; nr]; np]);
            slot[p][r] = v;
        }
    }
    Ok(Extract {
        recorded: recorded.into_iter().collect(),
        values,
    })
}

/// Reads the wanted outcome columns of `runs.csv`: per quantity, per path, per replication.
pub fn read_outcomes(path: &Path, run: &RunInfo, wanted: &[Wanted]) -> Result<Vec<Vec<Vec<f64>>>> {
    let file = path.display();
    let mut rdr = csv::Reader::from_path(path).with_context(|| format!("cannot read {file}"))?;
    let head = rdr
        .headers()
        .map_err(|e| anyhow!("{file}:1: cannot read the header: {e}"))?
        .clone();
    let col = |name: &str| {
        head.iter()
            .position(|h| h == name)
            .ok_or_else(|| anyhow!("{file}:1: no `{name}` column"))
    };
    let (pi, ri) = (col("path")?, col("replication")?);
    let cols: Vec<usize> = wanted
        .iter()
        .map(|w| col(&w.column))
        .collect::<Result<_>>()?;
    let (np, nr) = (run.paths.len(), run.replications);
    let mut out = vec![vec![vec![f64::NAN; nr]; np]; wanted.len()];
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            anyhow!("{file}:{line}: cannot read the line: {e}")
        })?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let get = |i: usize| rec.get(i).unwrap_or("");
        let Some(p) = run.paths.iter().position(|n| n == get(pi)) else {
            bail!(
                "{file}:{line}: path `{}` is not one of the run's paths",
                get(pi)
            );
        };
        let r: usize = get(ri)
            .parse()
            .ok()
            .filter(|r| *r < nr)
            .ok_or_else(|| anyhow!("{file}:{line}: bad replication `{}`", get(ri)))?;
        for (k, w) in wanted.iter().enumerate() {
            out[k][p][r] =
                cell_value(get(cols[k]), w).map_err(|m| anyhow!("{file}:{line}: {m}"))?;
        }
    }
    Ok(out)
}
