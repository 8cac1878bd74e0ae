//! `summary.json`, `summary.csv`, `timeseries.csv`, `runs.csv` and `manifest.json`.

use super::dir::{AtomicFile, Staging};
use super::{csv_num, num, Exporter, Report};
use crate::engine::{Layout, RunSink, QUANTILES};
use crate::model::Better;
use anyhow::{Context, Result};
use serde_json::{json, Map, Value};
use std::io::Write;

/// Text of a direction.
pub fn better_str(b: Better) -> &'static str {
    match b {
        Better::Higher => "higher",
        Better::Lower => "lower",
        Better::Neither => "neither",
    }
}

/// The summary as JSON (the shape documented in the README):
/// `{"scenario", "seed", "replications", "reference_path", "paths": {PATH: {OUTCOME: {"mean",
/// "sd", "ci95": [lo, hi], "p5", "p25", "p50", "p75", "p95"}}}, "paired": {PATH: {OUTCOME:
/// {"mean_diff", "ci95": [lo, hi], "p_better"}}}}`. Undefined numbers are `null`.
pub fn summary_json(r: &Report<'_>) -> Value {
    let res = r.results;
    let l = &res.layout;
    let mut paths = Map::new();
    let mut paired = Map::new();
    for (p, name) in l.path_names.iter().enumerate() {
        let mut po = Map::new();
        let mut pp = Map::new();
        for (o, info) in l.outcomes.iter().enumerate() {
            let s = &res.outcomes[p][o];
            let q = s.quantiles;
            po.insert(
                info.key.clone(),
                json!({
                    "mean": num(s.mean), "sd": num(s.sd),
                    "ci95": [num(s.ci95[0]), num(s.ci95[1])],
                    "p5": num(q[0]), "p25": num(q[1]), "p50": num(q[2]),
                    "p75": num(q[3]), "p95": num(q[4]),
                }),
            );
            let d = &res.paired[p][o];
            pp.insert(
                info.key.clone(),
                json!({
                    "mean_diff": num(d.mean_diff),
                    "ci95": [num(d.ci95[0]), num(d.ci95[1])],
                    "p_better": d.p_better.and_then(num),
                }),
            );
        }
        paths.insert(name.clone(), Value::Object(po));
        paired.insert(name.clone(), Value::Object(pp));
    }
    json!({
        "scenario": r.scenario_name,
        "seed": res.seed,
        "replications": res.replications,
        "reference_path": l.path_names[l.reference],
        "paths": paths,
        "paired": paired,
    })
}

pub fn write_json(w: &mut dyn Write, v: &Value) -> Result<()> {
    serde_json::to_writer_pretty(&mut *w, v)?;
    w.write_all(b"\n")?;
    Ok(())
}

pub struct SummaryJson;
impl Exporter for SummaryJson {
    fn name(&self) -> &'static str {
        "summary.json"
    }
    fn export(&self, r: &Report<'_>, dir: &Staging) -> Result<()> {
        let v = summary_json(r);
        dir.write_file("summary.json", |w| write_json(w, &v))
    }
}

/// Header of `summary.csv`.
pub const SUMMARY_CSV_HEADER: [&str; 17] = [
    "path",
    "outcome",
    "better",
    "n",
    "mean",
    "sd",
    "ci95_lo",
    "ci95_hi",
    "p5",
    "p25",
    "p50",
    "p75",
    "p95",
    "paired_mean_diff",
    "paired_ci95_lo",
    "paired_ci95_hi",
    "p_better",
];

pub struct SummaryCsv;
impl Exporter for SummaryCsv {
    fn name(&self) -> &'static str {
        "summary.csv"
    }
    fn export(&self, r: &Report<'_>, dir: &Staging) -> Result<()> {
        let res = r.results;
        let l = &res.layout;
        dir.write_file("summary.csv", |w| {
            let mut c = csv::Writer::from_writer(w);
            c.write_record(SUMMARY_CSV_HEADER)?;
            for (p, name) in l.path_names.iter().enumerate() {
                for (o, info) in l.outcomes.iter().enumerate() {
                    let s = &res.outcomes[p][o];
                    let d = &res.paired[p][o];
                    let mut row = vec![
                        name.clone(),
                        info.key.clone(),
                        better_str(info.better).into(),
                        s.n.to_string(),
                        csv_num(s.mean),
                        csv_num(s.sd),
                        csv_num(s.ci95[0]),
                        csv_num(s.ci95[1]),
                    ];
                    row.extend(s.quantiles.iter().map(|q| csv_num(*q)));
                    row.push(csv_num(d.mean_diff));
                    row.push(csv_num(d.ci95[0]));
                    row.push(csv_num(d.ci95[1]));
                    row.push(d.p_better.map(csv_num).unwrap_or_default());
                    c.write_record(&row)?;
                }
            }
            c.flush()?;
            Ok(())
        })
    }
}

/// Header of `timeseries.csv` with the default quantiles (`[output].quantiles`).
pub const TIMESERIES_CSV_HEADER: [&str; 11] = [
    "path", "month", "metric", "mean", "p5", "p10", "p25", "p50", "p75", "p90", "p95",
];

/// Column name of a quantile: `p5` for 0.05, `p2.5` for 0.025.
pub fn quantile_name(q: f64) -> String {
    let x = (q * 100.0 * 1e9).round() / 1e9;
    format!("p{x}")
}

/// Header of `timeseries.csv` for quantiles `qs`.
pub fn timeseries_header(qs: &[f64]) -> Vec<String> {
    let mut h: Vec<String> = ["path", "month", "metric", "mean"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    h.extend(qs.iter().map(|q| quantile_name(*q)));
    h
}

pub struct TimeseriesCsv;
impl Exporter for TimeseriesCsv {
    fn name(&self) -> &'static str {
        "timeseries.csv"
    }
    fn export(&self, r: &Report<'_>, dir: &Staging) -> Result<()> {
        let res = r.results;
        let l = &res.layout;
        debug_assert_eq!(QUANTILES.len(), 5);
        let nq = l.quantiles.len();
        let ex = &res.series_extra;
        dir.write_file("timeseries.csv", |w| {
            let mut c = csv::Writer::from_writer(w);
            c.write_record(timeseries_header(&l.quantiles))?;
            for (p, name) in l.path_names.iter().enumerate() {
                for t in 0..l.months as usize {
                    let month = l.start.plus(t as i64).to_string();
                    for (m, info) in l.metrics.iter().enumerate() {
                        let pt = &res.series[p][t][m];
                        let mut row = vec![name.clone(), month.clone(), info.key.clone()];
                        row.push(csv_num(pt.mean));
                        row.extend(ex.quantiles[p][t][m].iter().map(|q| csv_num(*q)));
                        c.write_record(&row)?;
                    }
                    // P(rung ≥ r): the share of replications (exact counts), no quantiles.
                    for (k, key) in l.track_keys.iter().enumerate() {
                        let (n, ge) = &ex.at_least[p][t][k];
                        for (r, count) in ge.iter().enumerate() {
                            let mut row = vec![
                                name.clone(),
                                month.clone(),
                                format!("rung.{key}>={}", r + 1),
                            ];
                            row.push(if *n == 0 {
                                String::new()
                            } else {
                                csv_num(*count as f64 / *n as f64)
                            });
                            row.extend((0..nq).map(|_| String::new()));
                            c.write_record(&row)?;
                        }
                    }
                }
            }
            c.flush()?;
            Ok(())
        })
    }
}

/// `runs.csv` and `records.csv`, written while the run goes on. runs.csv: one row per
/// replication × path, in replication order then path order, with every outcome (empty =
/// undefined), then the final rungs and issue statuses. records.csv: one row per replication ×
/// path × recorded month (`[output].record_months`), in that order.
pub struct RunsCsv {
    file: Option<AtomicFile>,
    records: Option<AtomicFile>,
    paths: Vec<String>,
    line: String,
}

impl RunsCsv {
    /// Creates `runs.csv` in `dir`; the header is written by [`RunSink::begin`].
    pub fn create(dir: &Staging) -> Result<RunsCsv> {
        RunsCsv::create_files(dir, true, false)
    }

    /// Creates `runs.csv` (if `runs`) and `records.csv` (if `records`) in `dir`.
    pub fn create_files(dir: &Staging, runs: bool, records: bool) -> Result<RunsCsv> {
        Ok(RunsCsv {
            file: runs.then(|| dir.create_file("runs.csv")).transpose()?,
            records: records
                .then(|| dir.create_file("records.csv"))
                .transpose()?,
            paths: Vec::new(),
            line: String::new(),
        })
    }

    /// Reopens the `runs.csv` of an interrupted run at its checkpointed length `len` (header
    /// and rows of the finished replications), for `paths` (the run's paths in order).
    pub fn reopen(dir: &Staging, len: u64, paths: &[String]) -> Result<RunsCsv> {
        RunsCsv::reopen_files(dir, Some(len), None, paths)
    }

    /// Reopens `runs.csv` and/or `records.csv` of an interrupted run at their checkpointed
    /// lengths.
    pub fn reopen_files(
        dir: &Staging,
        runs: Option<u64>,
        records: Option<u64>,
        paths: &[String],
    ) -> Result<RunsCsv> {
        Ok(RunsCsv {
            file: runs.map(|l| dir.reopen_file("runs.csv", l)).transpose()?,
            records: records
                .map(|l| dir.reopen_file("records.csv", l))
                .transpose()?,
            paths: paths.iter().map(|p| csv_field(p)).collect(),
            line: String::new(),
        })
    }

    /// Flushes and returns the length of runs.csv written so far (for a checkpoint).
    pub fn flushed_len(&mut self) -> Result<u64> {
        match &mut self.file {
            Some(f) => f.flushed_len(),
            None => Ok(0),
        }
    }

    /// Flushes and returns the length of records.csv written so far, if it is written.
    pub fn records_flushed_len(&mut self) -> Result<Option<u64>> {
        self.records.as_mut().map(|f| f.flushed_len()).transpose()
    }

    /// Whether runs.csv is written.
    pub fn writes_runs(&self) -> bool {
        self.file.is_some()
    }

    /// Finishes the files (renames them into place).
    pub fn finish(mut self) -> Result<()> {
        if let Some(f) = self.file.take() {
            f.finish()?;
        }
        match self.records.take() {
            Some(f) => f.finish(),
            None => Ok(()),
        }
    }
}

impl RunSink for RunsCsv {
    fn begin(&mut self, layout: &Layout) -> Result<()> {
        self.paths = layout.path_names.iter().map(|p| csv_field(p)).collect();
        let mut header = String::from("path,replication");
        for o in &layout.outcomes {
            header.push(',');
            header.push_str(&csv_field(&o.key));
        }
        for c in layout.run_extra_columns() {
            header.push(',');
            header.push_str(&csv_field(&c));
        }
        header.push('\n');
        if let Some(f) = &mut self.file {
            f.writer()
                .write_all(header.as_bytes())
                .context("cannot write runs.csv")?;
        }
        if let Some(f) = &mut self.records {
            f.writer()
                .write_all(layout.records_header().as_bytes())
                .context("cannot write records.csv")?;
        }
        Ok(())
    }

    fn run(&mut self, replication: u64, path: usize, values: &[f64]) -> Result<()> {
        self.run_row(replication, path, values, "")
    }

    fn run_row(
        &mut self,
        replication: u64,
        path: usize,
        values: &[f64],
        extra: &str,
    ) -> Result<()> {
        use std::fmt::Write as _;
        let Some(f) = &mut self.file else {
            return Ok(());
        };
        self.line.clear();
        let _ = write!(self.line, "{},{replication}", self.paths[path]);
        for v in values {
            self.line.push(',');
            if v.is_finite() {
                let _ = write!(self.line, "{v}");
            }
        }
        self.line.push_str(extra);
        self.line.push('\n');
        f.writer()
            .write_all(self.line.as_bytes())
            .context("cannot write runs.csv")?;
        Ok(())
    }

    fn records(&mut self, rows: &str) -> Result<()> {
        if let Some(f) = &mut self.records {
            f.writer()
                .write_all(rows.as_bytes())
                .context("cannot write records.csv")?;
        }
        Ok(())
    }

    fn wants_records(&self) -> bool {
        self.records.is_some()
    }
}

/// A CSV field, quoted when needed.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Everything `manifest.json` records.
pub struct Manifest<'a> {
    /// The command that wrote the folder: `run`, `sweep`, `sensitivity`.
    pub command: &'a str,
    pub scenario_file: &'a str,
    pub scenario_sha256: String,
    /// Every file of the scenario's `extends` chain (child first) with its SHA-256.
    pub sources: &'a [(String, String)],
    pub effective_scenario_toml: String,
    pub seed: u64,
    pub replications: u64,
    pub paths: &'a [String],
    pub reference_path: &'a str,
    pub threads: usize,
    pub block_size: u64,
    pub runs_csv: bool,
    pub started_at: String,
    pub wall_time_seconds: f64,
    /// Command-specific entries (e.g. a sweep's design size, adaptive precision), or Null.
    pub extra: Value,
}

/// Writes `manifest.json` (the only file with timings).
pub fn write_manifest(dir: &Staging, m: &Manifest<'_>) -> Result<()> {
    let mut v = json!({
        "trisim_version": env!("CARGO_PKG_VERSION"),
        "command": m.command,
        "scenario_file": m.scenario_file,
        "scenario_sha256": m.scenario_sha256,
        "scenario_sources": m.sources.iter().map(|(f, h)| json!({ "file": f, "sha256": h })).collect::<Vec<_>>(),
        "seed": m.seed,
        "replications": m.replications,
        "paths": m.paths,
        "reference_path": m.reference_path,
        "threads": m.threads,
        "block_size": m.block_size,
        "runs_csv": m.runs_csv,
        "started_at": m.started_at,
        "wall_time_seconds": m.wall_time_seconds,
        "effective_scenario": m.effective_scenario_toml,
    });
    if let (Some(obj), Value::Object(extra)) = (v.as_object_mut(), &m.extra) {
        for (k, x) in extra {
            obj.insert(k.clone(), x.clone());
        }
    }
    dir.write_file("manifest.json", |w| write_json(w, &v))
}

/// Lower-case hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Largest `manifest.json` read back (its effective scenario is at most the loader's 16 MB).
pub const MAX_MANIFEST_BYTES: u64 = 64 << 20;
/// Largest chart read back into a report (trisim's charts are a few hundred kB).
pub const MAX_CHART_BYTES: u64 = 16 << 20;

/// Reads a file of a result or shard folder, with the loader's guards: it must be a regular
/// file (a FIFO, a device or a folder would block or never end) of at most `max` bytes, and
/// no more than that is ever read (the file may grow while it is read).
pub fn read_bounded(path: &std::path::Path, max: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() {
        anyhow::bail!(
            "{} is not a regular file (a folder, FIFO or device): refusing to read it",
            path.display()
        );
    }
    let too_big = || {
        anyhow::anyhow!(
            "{} is larger than {} bytes: refusing to read it (it was not written by trisim, or is damaged)",
            path.display(),
            max
        )
    };
    if meta.len() > max {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > max {
        return Err(too_big());
    }
    Ok(bytes)
}

/// As [`read_bounded`], as UTF-8 text.
pub fn read_bounded_string(path: &std::path::Path, max: u64) -> Result<String> {
    String::from_utf8(read_bounded(path, max)?)
        .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", path.display()))
}

/// Lower-case hex SHA-256 of a file's content, read in pieces (records.csv may be large).
pub fn sha256_file(path: &std::path::Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut f =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut HashWriter(&mut h))
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// A writer feeding a SHA-256 hasher (to hash what is copied).
pub struct HashWriter<'a>(pub &'a mut sha2::Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        sha2::Digest::update(self.0, buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
