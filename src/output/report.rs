//! `report.html`: one self-contained page per run result folder.
//!
//! The page is built from the folder's own files only — `manifest.json` (what was run, the
//! effective scenario, timings), `summary.json` (per-path statistics and paired differences)
//! and `charts/*.svg` (inlined) — so `trisim run`, `trisim merge` and `trisim report DIR` write
//! the same bytes for the same folder (no clock is read here).
//!
//! Self-contained and inert: no script, no external style sheet, font or image; a strict
//! Content-Security-Policy (`default-src 'none'`) turns any accidental external load into a
//! console error. Every text that comes from the user (names, descriptions, the effective
//! scenario, file paths) is HTML-escaped, and the SVG charts are re-serialized through a small
//! whitelist of elements and attributes (the ones plotters writes) with their text and
//! attribute values escaped again, so a chart cannot carry markup either.

use super::dir::{write_file_atomic, Staging};
use super::table::{milestone_median, percent, Kind, HEADLINE};
use super::worlds::{self, is_milestone, WorldCounts};
use crate::model::{Better, OUTCOMES};
use anyhow::{anyhow, bail, Context, Result};
use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// File name of the report in a result folder.
pub const REPORT_FILE: &str = "report.html";

/// How the report is built.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// Adds `<meta http-equiv="refresh" content="N">` so an open page reloads itself every N
    /// seconds (for `run --watch`). `None`: a static page.
    pub auto_refresh_seconds: Option<u32>,
}

/// Escapes text for HTML content and (double- or single-quoted) attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What a folder is, as far as `trisim report` is concerned.
fn check_run_folder(dir: &Path, manifest: &Value) -> Result<()> {
    let shown = dir.display();
    if manifest
        .get("trisim_version")
        .and_then(Value::as_str)
        .is_none()
    {
        bail!("{shown} is not a trisim result folder: its manifest.json has no `trisim_version`");
    }
    let command = manifest
        .get("command")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let kind = if dir.join("sweep.json").exists() || command == "sweep" {
        Some("a sweep")
    } else if dir.join("sensitivity.json").exists() || command == "sensitivity" {
        Some("a sensitivity study")
    } else if dir.join("discovery.json").exists() || command == "discover" {
        Some("a scenario discovery")
    } else {
        None
    };
    if let Some(kind) = kind {
        bail!(
            "{shown} holds {kind}, not a run: report.html is written for runs (`trisim run`, or \
             `trisim merge` of run shards). An experiment's results are its CSV/JSON files and \
             the charts in {shown}/charts/"
        );
    }
    if matches!(command, "run-shard" | "sweep-shard") {
        bail!(
            "{shown} is one shard of a run: merge all the shards first (`trisim merge SHARD_DIR... --out DIR`); the merged folder gets a report.html"
        );
    }
    if !matches!(command, "run" | "merge") {
        bail!("{shown} was written by `trisim {command}`, not by `trisim run` or `trisim merge`: it has no run results to report");
    }
    if !dir.join("summary.json").is_file() {
        bail!(
            "{shown} has no summary.json: it is not a complete trisim run result (was it interrupted?)"
        );
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<Value> {
    let text = super::files::read_bounded_string(path, super::files::MAX_MANIFEST_BYTES)?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// Builds the report of the run result folder `dir` from its files.
pub fn build_html(dir: &Path, opts: &ReportOptions) -> Result<String> {
    let manifest_path = dir.join("manifest.json");
    if !manifest_path.is_file() {
        bail!(
            "{} is not a trisim result folder: it has no manifest.json",
            dir.display()
        );
    }
    let manifest = read_json(&manifest_path)?;
    check_run_folder(dir, &manifest)?;
    let summary = read_json(&dir.join("summary.json"))?;
    let effective = manifest
        .get("effective_scenario")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    // A plain TOML table (not the scenario loader): a folder written by another trisim
    // version still gets a report.
    let scenario: toml::Table = effective.parse().with_context(|| {
        format!(
            "the effective scenario in {} is not valid TOML",
            manifest_path.display()
        )
    })?;
    let charts = read_charts(dir)?;
    let mut data = Data::new(
        &manifest,
        &summary,
        &dir.join("summary.json"),
        &scenario,
        effective,
    )?;
    data.counts = data.world_counts(dir)?;
    Ok(render(&data, &charts, opts))
}

/// Writes `report.html` into a staging folder whose `manifest.json`, `summary.json` and charts
/// are already written (`trisim run`, `trisim merge`). Nothing is left behind on failure.
///
/// The report is a view of the folder's files, which `trisim report DIR` rebuilds: callers
/// commit the results whatever this returns, and show a failure with
/// [`not_written_warning`].
pub fn write_report(staging: &Staging, opts: &ReportOptions) -> Result<()> {
    let html = build_html(staging.path(), opts)?;
    write_file_atomic(&staging.path().join(REPORT_FILE), html.as_bytes())
}

/// The warning shown when [`write_report`] failed for the results committed to `dest`: the
/// run itself is complete, and the report can be rebuilt.
pub fn not_written_warning(dest: &Path, err: &anyhow::Error) -> String {
    format!(
        "warning: {REPORT_FILE} not written: {err:#}; the other results are complete; rebuild it with `trisim report {}`",
        super::shell_quote(&dest.to_string_lossy())
    )
}

/// Rebuilds `report.html` in the existing run result folder `dir` (atomically: temporary file
/// and rename) and returns its path.
pub fn rewrite_report(dir: &Path, opts: &ReportOptions) -> Result<PathBuf> {
    if !dir.exists() {
        bail!("{} does not exist", dir.display());
    }
    if !dir.is_dir() {
        bail!("{} is not a folder", dir.display());
    }
    let html = build_html(dir, opts)?;
    let path = dir.join(REPORT_FILE);
    write_file_atomic(&path, html.as_bytes())?;
    Ok(path)
}

// ---------------------------------------------------------------------------------------------
// Inputs

/// Statistics of one path and outcome (`summary.json` → `paths`).
#[derive(Clone, Copy, Debug)]
struct Stat {
    mean: f64,
    sd: f64,
    ci: [f64; 2],
    q: [f64; 5],
}

/// A paired difference (`summary.json` → `paired`).
#[derive(Clone, Copy, Debug)]
struct Diff {
    mean: f64,
    ci: [f64; 2],
    p_better: Option<f64>,
}

/// Everything the page shows, read from the folder.
struct Data {
    name: String,
    description: Option<String>,
    start: Option<String>,
    horizon: Option<i64>,
    target_ci: Option<f64>,
    score: Vec<(String, f64)>,
    seed: u64,
    replications: u64,
    paths: Vec<String>,
    path_descriptions: Vec<Option<String>>,
    reference: usize,
    /// Outcome keys, in `summary.json` order.
    outcomes: Vec<String>,
    /// `stats[path][outcome]`, `diffs[path][outcome]`.
    stats: Vec<Vec<Option<Stat>>>,
    diffs: Vec<Vec<Option<Diff>>>,
    manifest: Value,
    effective: String,
    /// Wins apart from ties and milestones never reached, from `runs.csv` when the run wrote
    /// it.
    counts: Option<WorldCounts>,
}

/// A number of `summary.json` (`null` stands for an undefined value, e.g. a mean over no
/// replication), or an error naming the file and the entry.
fn num(file: &Path, at: &str, v: Option<&Value>) -> Result<f64> {
    match v {
        Some(Value::Number(n)) => Ok(n.as_f64().unwrap_or(f64::NAN)),
        Some(Value::Null) => Ok(f64::NAN),
        Some(other) => bail!(
            "{}: `{at}` is {}, expected a number",
            file.display(),
            json_kind(other)
        ),
        None => bail!("{}: `{at}` is missing", file.display()),
    }
}

/// An interval `[low, high]` of `summary.json`.
fn interval(file: &Path, at: &str, v: Option<&Value>) -> Result<[f64; 2]> {
    match v {
        Some(Value::Array(a)) if a.len() == 2 => Ok([
            num(file, &format!("{at}[0]"), a.first())?,
            num(file, &format!("{at}[1]"), a.get(1))?,
        ]),
        Some(other) => bail!(
            "{}: `{at}` is {}, expected an interval [low, high]",
            file.display(),
            json_kind(other)
        ),
        None => bail!("{}: `{at}` is missing", file.display()),
    }
}

/// "a string", "an array of 3", ... (for error messages).
fn json_kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(_) => "a number".into(),
        Value::String(_) => "a string".into(),
        Value::Array(a) => format!("an array of {}", a.len()),
        Value::Object(_) => "an object".into(),
    }
}

/// The object `v[key]` of `summary.json`.
fn object<'v>(file: &Path, at: &str, v: Option<&'v Value>) -> Result<&'v Map<String, Value>> {
    match v {
        Some(Value::Object(o)) => Ok(o),
        Some(other) => bail!(
            "{}: `{at}` is {}, expected an object",
            file.display(),
            json_kind(other)
        ),
        None => bail!("{}: no `{at}` object", file.display()),
    }
}

impl Data {
    /// Reads the statistics of `summary` (the file `file`, named in errors) and the texts of
    /// the effective scenario `sc`. Entries of the wrong type are errors, so a damaged file
    /// never gives a report with silently empty tables.
    fn new(
        manifest: &Value,
        summary: &Value,
        file: &Path,
        sc: &toml::Table,
        effective: String,
    ) -> Result<Data> {
        let spaths = object(file, "paths", summary.get("paths"))?;
        let spaired = object(file, "paired", summary.get("paired"))?;
        let paths: Vec<String> = spaths.keys().cloned().collect();
        if paths.is_empty() {
            bail!("{}: `paths` lists no path", file.display());
        }
        let refname = summary
            .get("reference_path")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let reference = paths.iter().position(|p| p == refname).ok_or_else(|| {
            anyhow!(
                "{}: the reference path `{refname}` has no statistics in `paths`",
                file.display()
            )
        })?;
        let outcomes: Vec<String> = object(file, &format!("paths.{refname}"), spaths.get(refname))?
            .keys()
            .cloned()
            .collect();
        if outcomes.is_empty() {
            bail!("{}: `paths.{refname}` holds no outcome", file.display());
        }
        let mut stats = Vec::with_capacity(paths.len());
        let mut diffs = Vec::with_capacity(paths.len());
        for p in &paths {
            let per = object(file, &format!("paths.{p}"), spaths.get(p))?;
            // The reference path has no difference with itself (older files may list zeros).
            let paired = match spaired.get(p) {
                None => None,
                v => Some(object(file, &format!("paired.{p}"), v)?),
            };
            let mut row = Vec::with_capacity(outcomes.len());
            let mut drow = Vec::with_capacity(outcomes.len());
            for o in &outcomes {
                row.push(match per.get(o) {
                    None => None,
                    v => {
                        let at = format!("paths.{p}.{o}");
                        let s = object(file, &at, v)?;
                        let n = |k: &str| num(file, &format!("{at}.{k}"), s.get(k));
                        Some(Stat {
                            mean: n("mean")?,
                            sd: n("sd")?,
                            ci: interval(file, &format!("{at}.ci95"), s.get("ci95"))?,
                            q: [n("p5")?, n("p25")?, n("p50")?, n("p75")?, n("p95")?],
                        })
                    }
                });
                drow.push(match paired.and_then(|m| m.get(o)) {
                    None => None,
                    v => {
                        let at = format!("paired.{p}.{o}");
                        let d = object(file, &at, v)?;
                        let p_better = match d.get("p_better") {
                            None | Some(Value::Null) => None,
                            v => Some(num(file, &format!("{at}.p_better"), v)?),
                        };
                        Some(Diff {
                            mean: num(file, &format!("{at}.mean_diff"), d.get("mean_diff"))?,
                            ci: interval(file, &format!("{at}.ci95"), d.get("ci95"))?,
                            p_better,
                        })
                    }
                });
            }
            stats.push(row);
            diffs.push(drow);
        }
        let s = sc.get("scenario").and_then(|v| v.as_table());
        let text = |k: &str| {
            s.and_then(|t| t.get(k))
                .and_then(|v| v.as_str())
                .map(String::from)
        };
        let name = summary
            .get("scenario")
            .and_then(Value::as_str)
            .map(String::from)
            .or_else(|| text("name"))
            .unwrap_or_else(|| "unnamed".into());
        let score = s
            .and_then(|t| t.get("score"))
            .and_then(|v| v.as_table())
            .map(|t| {
                t.iter()
                    .filter_map(|(k, v)| {
                        v.as_float()
                            .or_else(|| v.as_integer().map(|i| i as f64))
                            .map(|w| (k.clone(), w))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let path_descriptions = paths
            .iter()
            .map(|p| {
                sc.get("paths")
                    .and_then(|v| v.get(p))
                    .and_then(|v| v.get("description"))
                    .and_then(|v| v.as_str())
                    .filter(|d| !d.trim().is_empty())
                    .map(String::from)
            })
            .collect();
        Ok(Data {
            name,
            description: text("description").filter(|d| !d.trim().is_empty()),
            start: text("start"),
            horizon: s
                .and_then(|t| t.get("horizon_months"))
                .and_then(|v| v.as_integer()),
            target_ci: s
                .and_then(|t| t.get("target_ci"))
                .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64))),
            score,
            seed: summary["seed"]
                .as_u64()
                .or_else(|| manifest["seed"].as_u64())
                .unwrap_or_default(),
            replications: summary["replications"]
                .as_u64()
                .or_else(|| manifest["replications"].as_u64())
                .unwrap_or_default(),
            paths,
            path_descriptions,
            reference,
            outcomes,
            stats,
            diffs,
            manifest: manifest.clone(),
            effective,
            counts: None,
        })
    }

    /// Per-world counts from the folder's `runs.csv` (None when the run did not write it).
    fn world_counts(&self, dir: &Path) -> Result<Option<WorldCounts>> {
        let Some(horizon) = self.horizon else {
            return Ok(None);
        };
        let outcomes: Vec<(String, Better)> = self
            .outcomes
            .iter()
            .map(|k| (k.clone(), outcome_info(k).0))
            .collect();
        worlds::from_runs_csv(
            &dir.join("runs.csv"),
            &self.paths[self.reference],
            &outcomes,
            horizon as f64,
        )
    }

    fn outcome(&self, key: &str) -> Option<usize> {
        self.outcomes.iter().position(|o| o == key)
    }

    fn others(&self) -> Vec<usize> {
        (0..self.paths.len())
            .filter(|p| *p != self.reference)
            .collect()
    }

    /// The outcomes of the headline tables: `score` (if any), then the terminal table's.
    fn headline(&self) -> Vec<usize> {
        std::iter::once("score")
            .chain(HEADLINE.iter().map(|h| h.0))
            .filter_map(|k| self.outcome(k))
            .collect()
    }
}

/// Display kind of an outcome (as in the terminal table; the others by their unit).
fn kind(key: &str) -> Kind {
    if let Some(h) = HEADLINE.iter().find(|h| h.0 == key) {
        return h.2;
    }
    match key {
        "peak_ci" | "max_drawdown" | "score" => Kind::Index,
        k if k.starts_with("final_") => Kind::Index,
        "kr_crisis_months" => Kind::Months,
        "settled" | "turnover_survival" => Kind::Share,
        _ => Kind::Count,
    }
}

/// Better direction and description of an outcome.
fn outcome_info(key: &str) -> (Better, &'static str) {
    if key == "score" {
        return (
            Better::Higher,
            "Weighted score of `scenario.score` (sum of weight × outcome).",
        );
    }
    OUTCOMES
        .iter()
        .find(|o| o.key == key)
        .map(|o| (o.better, o.description))
        .unwrap_or((Better::Neither, ""))
}

/// Readable title of an outcome.
fn title(key: &str) -> String {
    match key {
        "score" => "Score".into(),
        "final_ci" => "Final cooperation index".into(),
        "peak_ci" => "Peak cooperation index".into(),
        "months_to_camp_david" => "Months to Camp David".into(),
        "kr_crises" => "Korean crises".into(),
        "jp_crises" => "Japanese crises".into(),
        "kr_crisis_months" => "Months of Korean crisis".into(),
        "rollbacks" => "Rollbacks".into(),
        "reversals" => "Reversals".into(),
        "max_drawdown" => "Largest drawdown".into(),
        "china_coercion_events" => "Chinese coercion events".into(),
        "china_cost_gdp_pct" => "China cost (% of GDP)".into(),
        "durable_success" => "Durable success".into(),
        "settled" => "History issues settled".into(),
        "turnover_survival" => "Turnover survival".into(),
        "nk_launches" => "North Korean launches".into(),
        "final_trust_kr_jp" => "Final trust Seoul–Tokyo".into(),
        "final_trust_kr_us" => "Final trust Seoul–Washington".into(),
        "final_favourability_kr" => "Final Korean favourability".into(),
        k => k.to_string(),
    }
}

fn better_text(b: Better) -> &'static str {
    match b {
        Better::Higher => "higher is better",
        Better::Lower => "lower is better",
        Better::Neither => "no direction",
    }
}

// ---------------------------------------------------------------------------------------------
// Charts

/// One inlined chart.
struct InlineChart {
    stem: String,
    svg: String,
    /// The smallest width (CSS px) at which its smallest text renders at
    /// [`MIN_CHART_TEXT_PX`] (none if it has no sized text).
    min_width: Option<u32>,
}

/// On a screen, a chart is drawn at least wide enough for its smallest text to render at this
/// many CSS pixels; in a narrower window (a phone) its figure scrolls sideways instead of
/// shrinking the text to a few pixels. Print scales charts to the page.
pub const MIN_CHART_TEXT_PX: f64 = 8.0;

/// The width (CSS px) at which the smallest `font-size` of the sanitized chart `svg` renders at
/// [`MIN_CHART_TEXT_PX`]: `MIN_CHART_TEXT_PX × viewBox width / smallest font size`, at most the
/// chart's own width.
fn readable_width(svg: &str) -> Option<u32> {
    let attr_values = |name: &'static str| {
        svg.split(name)
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
    };
    let view_width: f64 = attr_values(" viewBox=\"")
        .next()?
        .split_whitespace()
        .nth(2)?
        .parse()
        .ok()?;
    let smallest = attr_values(" font-size=\"")
        .filter_map(|v| {
            v.trim_end_matches("px")
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x > 0.0)
        })
        .fold(f64::INFINITY, f64::min);
    if !(smallest.is_finite() && view_width.is_finite() && view_width > 0.0) {
        return None;
    }
    let w = (MIN_CHART_TEXT_PX * view_width / smallest).ceil();
    Some(w.min(view_width.ceil()) as u32)
}

/// Captions of the run charts: (title, caption).
fn chart_caption(stem: &str) -> (String, &'static str) {
    match stem {
        "fan_ci" => (
            "Cooperation index over time".into(),
            "For each path, the median cooperation index per month (line), the 50% band (p25–p75, darker) and the 90% band (p5–p95, lighter); the reference path's median is drawn last and thicker. A median that rises early while its band widens downward means cooperation is reached fast but often lost. Where bands overlap, read the paired differences rather than the medians.",
        ),
        "dist_final_ci" => (
            "Distribution of the final cooperation index".into(),
            "Share of replications whose final cooperation index falls in each bin 0.05 wide (labelled by its lower edge), bars grouped by path. Look at the lower tail — the bad worlds — as much as at the centre.",
        ),
        "dist_kr_crises" => (
            "Korean political crises".into(),
            "Share of replications with 0, 1, 2, … political crises in Seoul over the horizon, per path (the last bar may lump the highest counts).",
        ),
        "paired_diff" => (
            "Paired differences against the reference path".into(),
            "For each outcome (labelled with its better direction) and path, the mean difference (path − reference) on the same simulated worlds with its 95% interval, in pooled standard deviations so that outcomes of different units share one axis. An interval that excludes 0 is a difference the simulation resolves. Whiskers are drawn at least 7 px each side: read exact widths from the tables above.",
        ),
        "rungs" => (
            "Median rung of each track over time".into(),
            "One panel per cooperation track, one line per path (offset very slightly so overlapping lines stay visible): which ladders each path climbs, and when. A step shows when more than half of the replications have made the move.",
        ),
        s => (s.replace('_', " "), ""),
    }
}

/// The folder's `charts/*.svg`: the run charts in their usual order, then any other, by name.
fn read_charts(dir: &Path) -> Result<Vec<InlineChart>> {
    let cdir = dir.join("charts");
    if !cdir.is_dir() {
        return Ok(Vec::new());
    }
    let mut stems: Vec<String> = fs::read_dir(&cdir)
        .with_context(|| format!("cannot read {}", cdir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".svg").map(String::from))
        .filter(|n| !n.starts_with('.'))
        .collect();
    let order = |s: &String| {
        super::charts::CHARTS
            .iter()
            .position(|c| c == s)
            .unwrap_or(usize::MAX)
    };
    stems.sort_by(|a, b| order(a).cmp(&order(b)).then_with(|| a.cmp(b)));
    stems
        .into_iter()
        .map(|stem| {
            let path = cdir.join(format!("{stem}.svg"));
            let text = super::files::read_bounded_string(&path, super::files::MAX_CHART_BYTES)?;
            let svg = sanitize_svg(&text, &chart_caption(&stem).0)
                .with_context(|| format!("cannot embed chart {}", path.display()))?;
            let min_width = readable_width(&svg);
            Ok(InlineChart {
                stem,
                svg,
                min_width,
            })
        })
        .collect()
}

/// Elements the charts may contain.
const SVG_ELEMENTS: &[&str] = &[
    "svg", "g", "rect", "text", "tspan", "line", "polyline", "polygon", "circle", "ellipse",
    "path", "title", "desc",
];

/// Attributes kept on chart elements (any other is dropped).
const SVG_ATTRIBUTES: &[&str] = &[
    "viewBox",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "dx",
    "dy",
    "width",
    "height",
    "points",
    "d",
    "transform",
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-dasharray",
    "stroke-linecap",
    "stroke-linejoin",
    "opacity",
    "text-anchor",
    "dominant-baseline",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
];

/// Decodes the XML entities of a text or attribute value.
fn unescape_xml(s: &str) -> Result<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after
            .find(';')
            .filter(|e| *e <= 10)
            .ok_or_else(|| anyhow!("a bare `&` in the SVG text"))?;
        let ent = &after[..end];
        let c = match ent {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| anyhow!("bad character reference &{e};"))?,
            e if e.starts_with('#') => e[1..]
                .parse::<u32>()
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| anyhow!("bad character reference &{e};"))?,
            e => bail!("unknown entity &{e};"),
        };
        out.push(c);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Re-serializes an SVG chart for inlining: only [`SVG_ELEMENTS`] (anything else is an error)
/// and [`SVG_ATTRIBUTES`] (others dropped), text and attribute values escaped again; the root
/// loses its fixed width and height (the page sizes it) and keeps or gains a `viewBox`, so it
/// scales; it gets `role="img"` and `label` as its accessible name.
pub fn sanitize_svg(src: &str, label: &str) -> Result<String> {
    let mut out = String::with_capacity(src.len());
    let mut stack: Vec<String> = Vec::new();
    let mut rest = src;
    let mut seen_root = false;
    loop {
        let Some(lt) = rest.find('<') else {
            if !rest.trim().is_empty() {
                bail!("text outside the <svg> element");
            }
            break;
        };
        let text = &rest[..lt];
        if !stack.is_empty() {
            out.push_str(&escape(&unescape_xml(text)?));
        } else if !text.trim().is_empty() {
            bail!("text outside the <svg> element");
        }
        rest = &rest[lt..];
        if let Some(r) = rest.strip_prefix("<!--") {
            let end = r.find("-->").ok_or_else(|| anyhow!("unclosed comment"))?;
            rest = &r[end + 3..];
            continue;
        }
        if rest.starts_with("<?") {
            let end = rest.find("?>").ok_or_else(|| anyhow!("unclosed <?"))?;
            rest = &rest[end + 2..];
            continue;
        }
        if rest.starts_with("<!") {
            bail!("a declaration (<!…>) in the SVG");
        }
        let gt = rest.find('>').ok_or_else(|| anyhow!("unclosed tag"))?;
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim();
            match stack.pop() {
                Some(open) if open == name => {
                    let _ = write!(out, "</{name}>");
                }
                _ => bail!("unbalanced closing tag </{name}>"),
            }
            continue;
        }
        let (tag, self_closing) = match tag.strip_suffix('/') {
            Some(t) => (t, true),
            None => (tag, false),
        };
        let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
        let name = &tag[..name_end];
        if !SVG_ELEMENTS.contains(&name) {
            bail!("element <{name}> is not one trisim charts use");
        }
        let is_root = stack.is_empty();
        if is_root {
            if name != "svg" || seen_root {
                bail!("the chart is not one <svg> element");
            }
            seen_root = true;
        } else if name == "svg" {
            bail!("nested <svg>");
        }
        let attrs = parse_attributes(&tag[name_end..])?;
        out.push('<');
        out.push_str(name);
        let get = |k: &str| attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
        if is_root {
            let view_box = match (get("viewBox"), get("width"), get("height")) {
                (Some(v), _, _) => v,
                (None, Some(w), Some(h)) => format!("0 0 {w} {h}"),
                _ => bail!("the <svg> has neither a viewBox nor a width and height"),
            };
            let _ = write!(
                out,
                " viewBox=\"{}\" role=\"img\" aria-label=\"{}\"",
                escape(&view_box),
                escape(label)
            );
        }
        for (k, v) in &attrs {
            if !SVG_ATTRIBUTES.contains(&k.as_str())
                || (is_root && matches!(k.as_str(), "viewBox" | "width" | "height"))
            {
                continue;
            }
            let lower = v.to_ascii_lowercase();
            if lower.contains("url(") || lower.contains("javascript:") {
                bail!("attribute {k} of <{name}> refers to a resource ({v})");
            }
            let _ = write!(out, " {k}=\"{}\"", escape(v));
        }
        if self_closing {
            out.push_str("/>");
        } else {
            out.push('>');
            stack.push(name.to_string());
        }
    }
    if !seen_root {
        bail!("no <svg> element");
    }
    if let Some(open) = stack.last() {
        bail!("unclosed <{open}>");
    }
    Ok(out)
}

/// Attributes `name="value"` (or single-quoted) of a tag, values unescaped.
fn parse_attributes(mut s: &str) -> Result<Vec<(String, String)>> {
    let mut v = Vec::new();
    loop {
        s = s.trim_start();
        if s.is_empty() {
            return Ok(v);
        }
        let eq = s
            .find('=')
            .ok_or_else(|| anyhow!("attribute without a value in `{s}`"))?;
        let name = s[..eq].trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':'))
        {
            bail!("bad attribute name `{name}`");
        }
        let after = s[eq + 1..].trim_start();
        let q = after
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or_else(|| anyhow!("attribute {name} is not quoted"))?;
        let end = after[1..]
            .find(q)
            .ok_or_else(|| anyhow!("attribute {name} is not closed"))?;
        v.push((name.to_string(), unescape_xml(&after[1..1 + end])?));
        s = &after[end + 2..];
    }
}

// ---------------------------------------------------------------------------------------------
// The page

const STYLE: &str = r#"
:root{--fg:#1d232b;--muted:#5b6572;--line:#dde2e8;--soft:#f4f6f8;--accent:#1f5fa8;--good:#1b7a3d;--good-bg:#e6f4ea;--bad:#b3261e;--bad-bg:#fbeaea;}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;color:var(--fg);background:#fff;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}
main{max-width:72rem;margin:0 auto;padding:1.5rem 1.25rem 3rem}
header{border-bottom:3px solid var(--accent);padding-bottom:1rem;margin-bottom:1.5rem}
.kicker{margin:0;color:var(--accent);font-size:.8rem;font-weight:600;letter-spacing:.08em;text-transform:uppercase}
h1{font-size:2rem;line-height:1.2;margin:.3rem 0 .5rem;overflow-wrap:anywhere}
h2{font-size:1.35rem;margin:2.5rem 0 .75rem;padding-top:.5rem;border-top:1px solid var(--line)}
h3{font-size:1.05rem;margin:1.5rem 0 .5rem}
p{margin:.5rem 0 .9rem}
.lede{font-size:1.1rem;margin:.25rem 0 .75rem;overflow-wrap:anywhere}
.facts{display:flex;flex-wrap:wrap;gap:.35rem .6rem;margin:.5rem 0 0;padding:0;list-style:none;color:var(--muted);font-size:.9rem}
.facts li{background:var(--soft);border:1px solid var(--line);border-radius:999px;padding:.05rem .6rem}
nav{font-size:.9rem;margin:0 0 1rem}
nav ol{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0;list-style:none}
a{color:var(--accent)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace}
code{font-size:.9em;background:var(--soft);padding:.05em .3em;border-radius:3px;overflow-wrap:anywhere}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5rem 0 1rem;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{padding:.45rem .55rem;border-bottom:1px solid var(--line);vertical-align:top;text-align:left}
thead th{background:var(--soft);font-weight:600;vertical-align:bottom}
thead th.num{min-width:6.5rem;white-space:normal}
tbody tr:last-child th,tbody tr:last-child td{border-bottom:0}
tbody th{font-weight:600;white-space:nowrap}
td code,th code{overflow-wrap:normal}
td code.hash{word-break:break-all}
.table-wrap tr>:first-child{position:sticky;left:0;z-index:1;background:#fff}
.table-wrap thead tr>:first-child{background:var(--soft)}
pre.cmd{background:var(--soft);border-radius:6px;margin:.5rem 0 1rem}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.v{font-weight:600}
.sub{display:block;color:var(--muted);font-size:.8rem;font-weight:400}
.ref{display:inline-block;margin-left:.35rem;padding:0 .4rem;border-radius:3px;background:var(--accent);color:#fff;font-size:.7rem;font-weight:600;vertical-align:middle}
td.better{background:var(--good-bg)}
td.better .v{color:var(--good)}
td.worse{background:var(--bad-bg)}
td.worse .v{color:var(--bad)}
.legend{color:var(--muted);font-size:.85rem}
.swatch{display:inline-block;width:.8em;height:.8em;border:1px solid var(--line);vertical-align:-.05em;margin:0 .25em 0 .5em}
.swatch.better{background:var(--good-bg)}
.swatch.worse{background:var(--bad-bg)}
figure{margin:1.5rem 0 2rem;break-inside:avoid;page-break-inside:avoid}
figure h3{margin-top:0}
.chart{border:1px solid var(--line);border-radius:6px;background:#fff;overflow:hidden}
.chart svg{display:block;width:100%;max-width:100%;height:auto}
.notice{margin:0 0 .75rem;padding:.45rem .75rem;border:1px solid #e0c46c;border-left-width:4px;border-radius:4px;background:#fff8e1;font-size:.9rem}
.notice code{white-space:nowrap}
.narrow-only{display:none;color:var(--muted);font-size:.85rem}
input.zoom-toggle{position:absolute;opacity:0;width:1px;height:1px;margin:0}
label.zoom{display:none;width:max-content;margin:0 0 .4rem;padding:.15rem .6rem;border:1px solid var(--line);border-radius:999px;background:var(--soft);color:var(--accent);font-size:.85rem;cursor:pointer}
input.zoom-toggle:focus-visible+label.zoom{outline:2px solid var(--accent)}
label.zoom .on{display:none}
input.zoom-toggle:checked+label.zoom .on{display:inline}
input.zoom-toggle:checked+label.zoom .off{display:none}
@media screen{
  input.zoom-toggle:checked~.chart{overflow-x:auto;-webkit-overflow-scrolling:touch}
  input.zoom-toggle:checked~.chart svg{max-width:none;min-width:var(--min-width,0)}
}
figcaption{color:var(--muted);font-size:.9rem;margin-top:.5rem}
details{border:1px solid var(--line);border-radius:6px;margin:.75rem 0;background:#fff}
summary{cursor:pointer;padding:.55rem .8rem;font-weight:600;background:var(--soft);border-radius:6px}
details[open]>summary{border-bottom:1px solid var(--line);border-radius:6px 6px 0 0}
details>.inner{padding:.5rem .8rem}
details>.table-wrap{margin:0;border:0;border-radius:0}
pre{margin:0;padding:.75rem .9rem;overflow-x:auto;font-size:.8rem;line-height:1.45;white-space:pre}
dl.kv{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.3rem 1rem;margin:.5rem 0 1rem}
dl.kv dt{color:var(--muted)}
dl.kv dd{margin:0;overflow-wrap:anywhere}
.howto li{margin:.35rem 0}
footer{margin-top:3rem;padding-top:.75rem;border-top:1px solid var(--line);color:var(--muted);font-size:.85rem}
@media (max-width:40rem){
  body{font-size:15px}
  main{padding:1rem .8rem 2rem}
  h1{font-size:1.5rem}
  h2{font-size:1.2rem}
  dl.kv{grid-template-columns:1fr}
  dl.kv dt{margin-top:.4rem}
  .narrow-only{display:block}
  label.zoom{display:block}
}
@media print{
  @page{margin:15mm 12mm}
  body{font-size:10.5pt}
  main{max-width:none;padding:0}
  nav{display:none}
  .notice,.narrow-only,label.zoom{display:none}
  a{color:inherit;text-decoration:none}
  h2{break-after:avoid;page-break-after:avoid}
  h3{break-after:avoid;page-break-after:avoid}
  table{font-size:8pt}
  th,td{padding:.2rem .35rem}
  thead th.num{min-width:0}
  table.wide{font-size:7pt}
  .ref{font-size:6pt;padding:0 .2rem}
  tr,figure,.chart{break-inside:avoid;page-break-inside:avoid}
  .table-wrap tr>:first-child{position:static}
  .table-wrap{overflow:visible;border-color:#bbb}
  thead th{position:static}
  details{border:0}
  details::details-content{content-visibility:visible;display:block}
  summary{background:none;padding:.3rem 0;list-style:none}
  pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:7.5pt;overflow:visible}
  #scenario pre{columns:2;column-gap:8mm;font-size:6.5pt;line-height:1.3}
  #charts{break-before:page;page-break-before:always}
  td.better,td.worse,.swatch{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"#;

/// Formats a value of `kind`, escaped.
fn val(kind: Kind, x: f64) -> String {
    escape(&kind.value(x))
}

/// Formats a difference bound (signed, "pp" for shares), escaped.
fn bound(kind: Kind, x: f64) -> String {
    escape(&kind.diff(x, f64::NAN))
}

fn p_better_text(p: Option<f64>) -> String {
    p.filter(|x| x.is_finite())
        .map(|x| format!("{:.0}%", 100.0 * x))
        .unwrap_or_else(|| "–".into())
}

/// Class of a paired-difference cell: `better` / `worse` when the 95% CI excludes 0 in the
/// outcome's direction, else none.
fn verdict(better: Better, d: &Diff) -> &'static str {
    let [lo, hi] = d.ci;
    if !(lo.is_finite() && hi.is_finite()) {
        return "";
    }
    let sign = if lo > 0.0 {
        1
    } else if hi < 0.0 {
        -1
    } else {
        0
    };
    match (better, sign) {
        (Better::Higher, 1) | (Better::Lower, -1) => "better",
        (Better::Higher, -1) | (Better::Lower, 1) => "worse",
        _ => "",
    }
}

fn path_label(d: &Data, p: usize) -> String {
    let mut s = format!("<code>{}</code>", escape(&d.paths[p]));
    if p == d.reference {
        s.push_str("<span class=\"ref\">reference</span>");
    }
    s
}

/// Shows a number from the manifest as it is written there.
fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "–".into(),
        v => v.to_string(),
    }
}

fn render(d: &Data, charts: &[InlineChart], opts: &ReportOptions) -> String {
    let mut h =
        String::with_capacity(64 * 1024 + charts.iter().map(|c| c.svg.len()).sum::<usize>());
    let name = escape(&d.name);
    let version = escape(&json_text(&d.manifest["trisim_version"]));
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
    h.push_str("<meta name=\"color-scheme\" content=\"light\">\n");
    if let Some(n) = opts.auto_refresh_seconds {
        let _ = writeln!(h, "<meta http-equiv=\"refresh\" content=\"{n}\">");
    }
    let _ = writeln!(h, "<meta name=\"generator\" content=\"trisim {version}\">");
    let _ = writeln!(h, "<title>{name} — trisim report</title>");
    let _ = writeln!(h, "<style>{STYLE}</style>\n</head>\n<body>\n<main>");

    // Header.
    h.push_str("<header>\n");
    if let Some(n) = opts.auto_refresh_seconds {
        let _ = writeln!(
            h,
            "<p class=\"notice\" role=\"status\">This page reloads every {n} s while <code>trisim run --watch</code> runs; sections you open close on reload.</p>"
        );
    }
    h.push_str("<p class=\"kicker\">trisim run report</p>\n");
    let _ = writeln!(h, "<h1>{name}</h1>");
    if let Some(desc) = &d.description {
        let _ = writeln!(h, "<p class=\"lede\">{}</p>", escape(desc));
    }
    h.push_str("<ul class=\"facts\">");
    let _ = write!(
        h,
        "<li>{} replications × {} path{}</li>",
        d.replications,
        d.paths.len(),
        if d.paths.len() == 1 { "" } else { "s" }
    );
    match (d.horizon, &d.start) {
        (Some(m), Some(s)) => {
            let _ = write!(h, "<li>{m} months from {}</li>", escape(s));
        }
        (Some(m), None) => {
            let _ = write!(h, "<li>{m} months</li>");
        }
        _ => {}
    }
    let _ = write!(h, "<li>seed {}</li>", d.seed);
    if let Some(t) = d.manifest["started_at"].as_str() {
        let _ = write!(h, "<li>run {}</li>", escape(t));
    }
    let _ = write!(h, "<li>trisim {version}</li>");
    h.push_str("</ul>\n</header>\n");
    h.push_str("<nav aria-label=\"Contents\"><ol><li><a href=\"#question\">Question</a></li><li><a href=\"#results\">Results per path</a></li>");
    if !d.others().is_empty() {
        h.push_str("<li><a href=\"#differences\">Paired differences</a></li>");
    }
    if !charts.is_empty() {
        h.push_str("<li><a href=\"#charts\">Charts</a></li>");
    }
    h.push_str("<li><a href=\"#how-to-read\">How to read this</a></li><li><a href=\"#scenario\">Effective scenario</a></li><li><a href=\"#manifest\">Manifest</a></li></ol></nav>\n");

    question(&mut h, d);
    per_path(&mut h, d);
    differences(&mut h, d);
    charts_section(&mut h, charts);
    how_to_read(&mut h, d);

    // Effective scenario.
    h.push_str("<section id=\"scenario\">\n<h2>Effective scenario</h2>\n");
    h.push_str("<p>The scenario exactly as it was run: the file merged onto the defaults, with the command-line overrides (seed, replications, paths) filled in. It is itself a valid scenario file: save it as <code>.toml</code> and <code>trisim run</code> it to reproduce these numbers.</p>\n");
    let _ = writeln!(
        h,
        "<details><summary>Show the effective scenario ({} lines of TOML)</summary><pre>{}</pre></details>\n</section>",
        d.effective.lines().count(),
        escape(&d.effective)
    );

    manifest_section(&mut h, d);

    let runs_csv = if d.manifest["runs_csv"] == Value::Bool(true) {
        ", runs.csv (one row per path and replication)"
    } else {
        ""
    };
    let _ = writeln!(
        h,
        "<footer>Written by trisim {version} from the files of this result folder (manifest.json, summary.json, charts/*.svg); rebuild it with <code>trisim report DIR</code>. The other files of the folder hold more: summary.csv, timeseries.csv (monthly quantiles){runs_csv} and the charts as PNG.</footer>"
    );
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

fn question(h: &mut String, d: &Data) {
    h.push_str("<section id=\"question\">\n<h2>The question</h2>\n");
    let refname = escape(&d.paths[d.reference]);
    let span = match (d.horizon, &d.start) {
        (Some(m), Some(s)) => format!(" over {m} months from {}", escape(s)),
        (Some(m), None) => format!(" over {m} months"),
        _ => String::new(),
    };
    let others = d.others();
    if others.is_empty() {
        let _ = writeln!(
            h,
            "<p>Only the reference path <code>{refname}</code> was run{span}, on {} simulated worlds: there is nothing to compare, and the tables show its outcomes.</p>",
            d.replications
        );
    } else {
        let list = others
            .iter()
            .map(|p| format!("<code>{}</code>", escape(&d.paths[*p])))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            h,
            "<p>How do the paths {list} compare with the reference path <code>{refname}</code>{span}? Every path is simulated on the same {} worlds (common random numbers), so each comparison with the reference is paired: world by world, the only difference is the path.</p>",
            d.replications
        );
    }
    let primary = if d.score.is_empty() {
        "<p>Primary outcome: the <strong>final cooperation index</strong> (<code>final_ci</code>, 0–1, higher is better).".to_string()
    } else {
        let mut terms = String::new();
        for (i, (k, w)) in d.score.iter().enumerate() {
            let sign = match (i, *w < 0.0) {
                (0, false) => "",
                (0, true) => "−",
                (_, false) => " + ",
                (_, true) => " − ",
            };
            let _ = write!(terms, "{sign}{} × <code>{}</code>", w.abs(), escape(k));
        }
        format!("<p>Primary outcome: the scenario's <strong>score</strong> = {terms} (higher is better).")
    };
    h.push_str(&primary);
    if let Some(t) = d.target_ci {
        let _ = write!(
            h,
            " <em>Durable success</em> means a final cooperation index of at least {t} and no political crisis in the last 24 months."
        );
    }
    h.push_str("</p>\n");
    h.push_str("<div class=\"table-wrap\"><table>\n<thead><tr><th scope=\"col\">Path</th><th scope=\"col\">What it does</th></tr></thead>\n<tbody>\n");
    for p in 0..d.paths.len() {
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            path_label(d, p),
            d.path_descriptions[p]
                .as_deref()
                .map(escape)
                .unwrap_or_else(|| "–".into())
        );
    }
    h.push_str("</tbody></table></div>\n</section>\n");
}

fn per_path(h: &mut String, d: &Data) {
    h.push_str("<section id=\"results\">\n<h2>Results per path</h2>\n");
    let heads = d.headline();
    h.push_str("<p>Mean over the simulated worlds of each headline outcome, with the 95% interval of that mean below it; for the final cooperation index also the middle 90% of worlds (p5 to p95), the spread of the outcome itself. For months to Camp David, a world that never reaches it counts as the horizon in the mean: read the median and the share of worlds that never reach it.</p>\n");
    h.push_str("<div class=\"table-wrap\"><table>\n<thead><tr><th scope=\"col\">Path</th>");
    for o in &heads {
        let key = &d.outcomes[*o];
        let _ = write!(
            h,
            "<th scope=\"col\" class=\"num\">{}<span class=\"sub\">{}</span></th>",
            escape(&title(key)),
            better_text(outcome_info(key).0)
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for p in 0..d.paths.len() {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", path_label(d, p));
        for o in &heads {
            let key = &d.outcomes[*o];
            let k = kind(key);
            match d.stats[p][*o] {
                Some(s) => {
                    let _ = write!(
                        h,
                        "<td class=\"num\"><span class=\"v\">{}</span><span class=\"sub\">95% interval {} to {}</span>",
                        val(k, s.mean),
                        val(k, s.ci[0]),
                        val(k, s.ci[1])
                    );
                    if key == "final_ci" {
                        let _ = write!(
                            h,
                            "<span class=\"sub\">middle 90% of worlds {} to {}</span>",
                            val(k, s.q[0]),
                            val(k, s.q[4])
                        );
                    }
                    if let (true, Some(hz)) = (is_milestone(key), d.horizon) {
                        let _ = write!(
                            h,
                            "<span class=\"sub\">median {}</span>",
                            escape(&milestone_median(s.q[2], hz as f64))
                        );
                        if let Some(n) = d
                            .counts
                            .as_ref()
                            .and_then(|c| c.never_share(&d.paths[p], key))
                        {
                            let _ = write!(
                                h,
                                "<span class=\"sub never\">never reached in {}</span>",
                                escape(&percent(n))
                            );
                        }
                    }
                    h.push_str("</td>");
                }
                None => h.push_str("<td class=\"num\">–</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");

    // Every outcome, every statistic.
    h.push_str("<details><summary>All outcomes: mean, standard deviation, 95% interval of the mean and quantiles</summary><div class=\"table-wrap\"><table class=\"wide\">\n<thead><tr><th scope=\"col\">Outcome</th><th scope=\"col\">Path</th><th scope=\"col\" class=\"num\">mean</th><th scope=\"col\" class=\"num\">sd</th><th scope=\"col\" class=\"num\">95% interval of the mean</th><th scope=\"col\" class=\"num\">p5</th><th scope=\"col\" class=\"num\">p25</th><th scope=\"col\" class=\"num\">p50</th><th scope=\"col\" class=\"num\">p75</th><th scope=\"col\" class=\"num\">p95</th></tr></thead>\n<tbody>\n");
    for (o, key) in d.outcomes.iter().enumerate() {
        let k = kind(key);
        for p in 0..d.paths.len() {
            h.push_str("<tr>");
            if p == 0 {
                let _ = write!(
                    h,
                    "<th scope=\"rowgroup\" rowspan=\"{}\"><code>{}</code><span class=\"sub\">{}</span></th>",
                    d.paths.len(),
                    escape(key),
                    better_text(outcome_info(key).0)
                );
            }
            let _ = write!(h, "<td>{}</td>", path_label(d, p));
            match d.stats[p][o] {
                Some(s) => {
                    let _ = write!(
                        h,
                        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} to {}</td>",
                        val(k, s.mean),
                        val(k, s.sd),
                        val(k, s.ci[0]),
                        val(k, s.ci[1])
                    );
                    for q in s.q {
                        let _ = write!(h, "<td class=\"num\">{}</td>", val(k, q));
                    }
                }
                None => h.push_str("<td class=\"num\" colspan=\"8\">–</td>"),
            }
            h.push_str("</tr>\n");
        }
    }
    h.push_str("</tbody></table></div></details>\n");

    // Definitions.
    h.push_str("<details><summary>What each outcome measures</summary><div class=\"table-wrap\"><table>\n<thead><tr><th scope=\"col\">Outcome</th><th scope=\"col\">Meaning</th><th scope=\"col\">Better</th></tr></thead>\n<tbody>\n");
    for key in &d.outcomes {
        let (b, desc) = outcome_info(key);
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td></tr>",
            escape(key),
            escape(desc),
            better_text(b)
        );
    }
    h.push_str("</tbody></table></div></details>\n</section>\n");
}

fn diff_cell(h: &mut String, key: &str, d: Option<Diff>, wins: Option<(f64, f64, f64)>) {
    let k = kind(key);
    let Some(d) = d.filter(|d| d.mean.is_finite()) else {
        h.push_str("<td class=\"num\">–</td>");
        return;
    };
    let half = (d.ci[1] - d.ci[0]) / 2.0;
    let class = verdict(outcome_info(key).0, &d);
    let _ = write!(
        h,
        "<td class=\"num{}{class}\"><span class=\"v\">{}</span><span class=\"sub\">95% interval {} to {}</span>",
        if class.is_empty() { "" } else { " " },
        escape(&k.diff(d.mean, half)),
        bound(k, d.ci[0]),
        bound(k, d.ci[1]),
    );
    if d.ci[0].is_finite() && d.ci[1].is_finite() && !super::table::resolved(d.ci) {
        h.push_str("<span class=\"sub\">unresolved (interval includes 0)</span>");
    }
    match (wins, d.p_better) {
        (Some((b, t, _)), _) => {
            let _ = write!(
                h,
                "<span class=\"sub\">better in {} · tied in {}</span>",
                escape(&percent(b)),
                escape(&percent(t))
            );
        }
        (None, Some(_)) => {
            let _ = write!(
                h,
                "<span class=\"sub\">P(better) {} (ties count half)</span>",
                p_better_text(d.p_better)
            );
        }
        (None, None) => {}
    }
    h.push_str("</td>");
}

fn diff_table(h: &mut String, d: &Data, rows: &[usize]) {
    let others = d.others();
    h.push_str("<div class=\"table-wrap\"><table>\n<thead><tr><th scope=\"col\">Outcome</th>");
    for p in &others {
        let _ = write!(
            h,
            "<th scope=\"col\" class=\"num\"><code>{}</code> − <code>{}</code></th>",
            escape(&d.paths[*p]),
            escape(&d.paths[d.reference])
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for o in rows {
        let key = &d.outcomes[*o];
        let _ = write!(
            h,
            "<tr><th scope=\"row\">{}<span class=\"sub\">{}</span></th>",
            escape(&title(key)),
            better_text(outcome_info(key).0)
        );
        for p in &others {
            let wins = d
                .counts
                .as_ref()
                .and_then(|c| c.pair(&d.paths[*p], key))
                .and_then(|w| w.shares());
            diff_cell(h, key, d.diffs[*p][*o], wins);
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");
}

fn differences(h: &mut String, d: &Data) {
    if d.others().is_empty() {
        return;
    }
    let refname = escape(&d.paths[d.reference]);
    h.push_str("<section id=\"differences\">\n<h2>Paired differences against the reference</h2>\n");
    let _ = writeln!(
        h,
        "<p>For each path, the mean over the same simulated worlds of (path − <code>{refname}</code>) ± half the width of its 95% interval, the interval itself, and {}. Differences of shares are in percentage points (pp). For months to Camp David a world that never reaches it counts as the horizon.</p>",
        if d.counts.is_some() {
            format!("the shares of worlds in which the path does better than <code>{refname}</code> and in which it ties (same value; common for counts and yes/no outcomes)")
        } else {
            format!("P(better): the share of worlds in which the path does better than <code>{refname}</code>, a tie counting half (this folder has no runs.csv to count ties apart)")
        }
    );
    h.push_str("<p class=\"legend\">Cell colour:<span class=\"swatch better\"></span>the 95% interval excludes 0 on the better side<span class=\"swatch worse\"></span>on the worse side; no colour: unresolved, the simulation does not settle the sign of the difference (or the outcome has no direction).</p>\n");
    diff_table(h, d, &d.headline());
    h.push_str("<details><summary>All outcomes</summary>");
    let all: Vec<usize> = (0..d.outcomes.len()).collect();
    diff_table(h, d, &all);
    h.push_str("</details>\n</section>\n");
}

fn charts_section(h: &mut String, charts: &[InlineChart]) {
    if charts.is_empty() {
        return;
    }
    h.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n<p>The charts of <code>charts/</code>, embedded. One colour per path throughout; time axes are calendar months.</p>\n<p class=\"narrow-only\">On a narrow screen each chart fits the width; tap “Zoom in” above a chart to read its labels, then swipe it sideways.</p>\n");
    for c in charts {
        let (t, caption) = chart_caption(&c.stem);
        let id = super::dir::safe_name(&c.stem);
        // The custom property sets the chart's smallest width on screens (see the style).
        let style = c
            .min_width
            .map(|w| format!(" style=\"--min-width:{w}px\""))
            .unwrap_or_default();
        // A checkbox (no script) zooms the chart to a readable size on narrow screens.
        let zoom = if c.min_width.is_some() {
            format!(
                "<input type=\"checkbox\" class=\"zoom-toggle\" id=\"zoom-{0}\"><label class=\"zoom\" for=\"zoom-{0}\"><span class=\"off\">Zoom in to read the labels</span><span class=\"on\">Fit to the screen</span></label>\n",
                escape(&id)
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            "<figure id=\"chart-{}\">\n<h3>{}</h3>\n{zoom}<div class=\"chart\"{style}>{}</div>\n<figcaption>{}{}<code>charts/{}.svg</code></figcaption>\n</figure>",
            escape(&id),
            escape(&t),
            c.svg,
            escape(caption),
            if caption.is_empty() { "" } else { " " },
            escape(&c.stem)
        );
    }
    h.push_str("</section>\n");
}

fn how_to_read(h: &mut String, d: &Data) {
    h.push_str("<section id=\"how-to-read\">\n<h2>How to read this</h2>\n<ul class=\"howto\">\n");
    let _ = writeln!(
        h,
        "<li><strong>Replications are simulated worlds.</strong> Each of the {} replications draws uncertain parameters and exogenous events (North Korean launches, elections, Chinese coercion, history flare-ups) month by month. The numbers are statistics over these worlds, not forecasts of one future.</li>",
        d.replications
    );
    h.push_str("<li><strong>Paired comparisons (common random numbers).</strong> Replication <em>r</em> of every path is the same world: same parameter draws, same random shocks. A difference between two paths is measured world by world and then averaged, which removes most of the noise between worlds: paired intervals are much narrower than the intervals of the two means would suggest.</li>\n");
    h.push_str("<li><strong>Cooperation index</strong> is the model's 0–1 measure of trilateral cooperation; this report never abbreviates it.</li>\n");
    h.push_str("<li><strong>95% interval.</strong> The range in which the true mean (or mean difference) over infinitely many worlds lies with 95% confidence, given these replications. It shrinks with more replications (as 1/√n). It is <em>not</em> the range of outcomes across worlds: for that read the middle 90% of worlds (p5 to p95). A difference whose interval excludes 0 is resolved; one whose interval includes 0 is unresolved.</li>\n");
    if d.counts.is_some() {
        h.push_str("<li><strong>Better and tied.</strong> The share of worlds in which the path does better than the reference on that outcome, in the outcome's better direction, and the share in which both give the same value (none for outcomes without a direction). It says how often, while the mean difference says by how much.</li>\n");
    } else {
        h.push_str("<li><strong>P(better).</strong> The share of worlds in which the path does better than the reference on that outcome, in the outcome's better direction, a tie counting as half a win (this folder has no runs.csv, from which ties are counted apart). It says how often, while the mean difference says by how much.</li>\n");
    }
    h.push_str("<li><strong>Never reached.</strong> Months to Camp David is the horizon in a world that never gets there: its mean and differences count such worlds as the horizon. The median (\"never\" when at least half the worlds never get there) and the share of worlds that never reach it say it plainly.</li>\n");
    h.push_str("<li><strong>Formats</strong> follow the terminal table: indices with 3 decimals, months with 1, counts and costs with 2, shares as percentages and their differences in percentage points (pp); “–” is an undefined value (e.g. no turnover to survive).</li>\n");
    h.push_str("<li><strong>Model results, not facts.</strong> The numbers follow from the scenario's assumptions (below, in full). Check how they move with the assumptions: <code>trisim sweep</code> and <code>trisim sensitivity</code>.</li>\n");
    h.push_str("</ul>\n</section>\n");
}

fn manifest_section(h: &mut String, d: &Data) {
    let m = &d.manifest;
    h.push_str("<section id=\"manifest\">\n<h2>Manifest</h2>\n<p>What was run, from <code>manifest.json</code>.</p>\n<dl class=\"kv\">\n");
    let row = |h: &mut String, k: &str, v: String| {
        let _ = writeln!(h, "<dt>{k}</dt><dd>{v}</dd>");
    };
    let code = |v: &Value| format!("<code>{}</code>", escape(&json_text(v)));
    row(h, "Command", code(&m["command"]));
    row(h, "trisim version", code(&m["trisim_version"]));
    row(h, "Scenario file", code(&m["scenario_file"]));
    row(h, "Scenario SHA-256", code(&m["scenario_sha256"]));
    row(h, "Seed", code(&m["seed"]));
    row(h, "Replications", code(&m["replications"]));
    let paths = m["paths"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| format!("<code>{}</code>", escape(&json_text(p))))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| "–".into());
    row(h, "Paths", paths);
    row(h, "Reference path", code(&m["reference_path"]));
    row(h, "Threads", code(&m["threads"]));
    row(h, "Block size", code(&m["block_size"]));
    row(h, "runs.csv written", code(&m["runs_csv"]));
    row(h, "Started at (UTC)", code(&m["started_at"]));
    let wall = m["wall_time_seconds"]
        .as_f64()
        .map(|s| format!("{s:.2} s"))
        .unwrap_or_else(|| "–".into());
    row(h, "Wall time", escape(&wall));
    // Command-specific entries (adaptive precision, shards, ...).
    const KNOWN: &[&str] = &[
        "trisim_version",
        "command",
        "scenario_file",
        "scenario_sha256",
        "scenario_sources",
        "seed",
        "replications",
        "paths",
        "reference_path",
        "threads",
        "block_size",
        "runs_csv",
        "started_at",
        "wall_time_seconds",
        "effective_scenario",
    ];
    if let Some(obj) = m.as_object() {
        for (k, v) in obj.iter().filter(|(k, _)| !KNOWN.contains(&k.as_str())) {
            let text = serde_json::to_string_pretty(v).unwrap_or_default();
            row(
                h,
                &format!("<code>{}</code>", escape(k)),
                format!("<pre class=\"inline\">{}</pre>", escape(&text)),
            );
        }
    }
    h.push_str("</dl>\n");
    let q = |v: &Value| super::shell_quote(&json_text(v)).into_owned();
    let rerun = format!(
        "trisim run {} --seed {} --replications {} --paths {}",
        q(&m["scenario_file"]),
        q(&m["seed"]),
        q(&m["replications"]),
        super::shell_quote(
            &m["paths"]
                .as_array()
                .map(|a| a.iter().map(json_text).collect::<Vec<_>>().join(","))
                .unwrap_or_default()
        )
    );
    let _ = writeln!(
        h,
        "<p>Run it again (same numbers, whatever the number of threads) from the folder it was run in, with the scenario files unchanged (check their SHA-256 below), or from the effective scenario above:</p>\n<pre class=\"cmd\">{}</pre>",
        escape(&rerun)
    );
    h.push_str("<h3>Scenario sources</h3>\n<p>Every file of the scenario's <code>extends</code> chain, the scenario itself first.</p>\n<div class=\"table-wrap\"><table>\n<thead><tr><th scope=\"col\">File</th><th scope=\"col\">SHA-256</th></tr></thead>\n<tbody>\n");
    for s in m["scenario_sources"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td><code class=\"hash\">{}</code></td></tr>",
            escape(&json_text(&s["file"])),
            escape(&json_text(&s["sha256"]))
        );
    }
    h.push_str("</tbody></table></div>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert(\"x\" & 'y')</script>"),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
    }

    #[test]
    fn svg_is_reserialized_and_escaped() {
        let src = "<svg width=\"1200\" height=\"800\" viewBox=\"0 0 1200 800\" xmlns=\"http://www.w3.org/2000/svg\">\n<text x=\"1\" y=\"2\" onclick=\"alert(1)\">a &lt;b&gt; &amp; &apos;c&apos;</text>\n<rect x=\"0\" y=\"0\" width=\"3\" height=\"4\" fill=\"#FFFFFF\"/>\n</svg>\n";
        let out = sanitize_svg(src, "T<").unwrap();
        assert_eq!(
            out,
            "<svg viewBox=\"0 0 1200 800\" role=\"img\" aria-label=\"T&lt;\">\n<text x=\"1\" y=\"2\">a &lt;b&gt; &amp; &#39;c&#39;</text>\n<rect x=\"0\" y=\"0\" width=\"3\" height=\"4\" fill=\"#FFFFFF\"/>\n</svg>"
        );
        // A missing viewBox is made from the size.
        let out = sanitize_svg("<svg width=\"10\" height=\"20\"></svg>", "x").unwrap();
        assert!(out.starts_with("<svg viewBox=\"0 0 10 20\""), "{out}");
    }

    #[test]
    fn svg_with_foreign_content_is_refused() {
        for bad in [
            "<svg viewBox=\"0 0 1 1\"><script>alert(1)</script></svg>",
            "<svg viewBox=\"0 0 1 1\"><foreignObject></foreignObject></svg>",
            "<svg viewBox=\"0 0 1 1\"><rect fill=\"url(http://x/y)\"/></svg>",
            "<svg viewBox=\"0 0 1 1\"><text>a & b</text></svg>",
            "<svg viewBox=\"0 0 1 1\"><text>a</svg>",
            "<svg viewBox=\"0 0 1 1\"></svg><svg></svg>",
            "<!DOCTYPE svg><svg viewBox=\"0 0 1 1\"></svg>",
            "<svg></svg>",
            "no svg",
        ] {
            assert!(sanitize_svg(bad, "x").is_err(), "{bad}");
        }
    }

    #[test]
    fn charts_are_wide_enough_for_their_smallest_text() {
        let svg = |sizes: &[&str]| {
            let texts: String = sizes
                .iter()
                .map(|f| format!("<text x=\"1\" font-size=\"{f}\">a</text>"))
                .collect();
            sanitize_svg(
                &format!(
                    "<svg width=\"1200\" height=\"800\" viewBox=\"0 0 1200 800\">{texts}</svg>"
                ),
                "x",
            )
            .unwrap()
        };
        // 8 px × 1200 / 9.6 = 1000 px.
        assert_eq!(readable_width(&svg(&["12", "9.6", "19.3"])), Some(1000));
        assert_eq!(readable_width(&svg(&["12.5px"])), Some(768));
        // Never wider than the chart itself; no sized text: no minimum.
        assert_eq!(readable_width(&svg(&["4"])), Some(1200));
        assert_eq!(readable_width(&svg(&[])), None);
        assert_eq!(readable_width(&svg(&["0", "x"])), None);
    }

    #[test]
    fn the_warning_names_the_folder_to_rebuild() {
        let w = not_written_warning(
            Path::new("results/my run/20261122T153000Z"),
            &anyhow!("cannot embed chart x.svg").context("outer"),
        );
        assert_eq!(
            w,
            "warning: report.html not written: outer: cannot embed chart x.svg; the other results are complete; rebuild it with `trisim report 'results/my run/20261122T153000Z'`"
        );
    }

    #[test]
    fn verdicts_follow_the_direction() {
        let d = |lo, hi| Diff {
            mean: (lo + hi) / 2.0,
            ci: [lo, hi],
            p_better: None,
        };
        assert_eq!(verdict(Better::Higher, &d(0.1, 0.2)), "better");
        assert_eq!(verdict(Better::Lower, &d(0.1, 0.2)), "worse");
        assert_eq!(verdict(Better::Lower, &d(-0.2, -0.1)), "better");
        assert_eq!(verdict(Better::Higher, &d(-0.1, 0.2)), "");
        assert_eq!(verdict(Better::Neither, &d(0.1, 0.2)), "");
        assert_eq!(verdict(Better::Higher, &d(f64::NAN, 0.2)), "");
    }
}
