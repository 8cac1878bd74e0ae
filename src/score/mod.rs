//! `trisim score`: scores a run's simulated worlds against observations.
//!
//! - [`observations`]: the observation files (tidy CSV) and series names (columns,
//!   thresholds, outcomes);
//! - [`records`]: the run's manifest, `runs.csv` outcomes and, streaming, the needed cells
//!   of `records.csv`;
//! - [`metrics`]: the scoring rules (coverage through the PIT, CRPS, Brier, skill against a
//!   no-change forecast, sign of changes, first passage);
//! - [`files`]: `score.json`, `score.csv` and the terminal table; [`charts`]: one fan chart
//!   per series and path.
//!
//! Formulas and how to read them: `docs/score.md`.

pub mod charts;
pub mod files;
pub mod metrics;
pub mod observations;
pub mod records;

use crate::scenario::validate::nearest;
use crate::scenario::YearMonth;
use anyhow::{bail, Result};
use metrics::{BANDS, FAN_QUANTILES};
use observations::{Observation, SeriesName};
use records::{Extract, RunInfo, Wanted, RECORDS_CSV, RUNS_CSV};
use std::path::{Path, PathBuf};

/// Largest number of stored simulated values (paths × replications × months × series) for
/// which every recorded month is kept for the fan charts; above it only the observed months
/// (and every month of binary series, for first passages) are kept.
pub const MAX_FAN_VALUES: usize = 20_000_000;

/// What a series is scored on.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A column of records.csv (per recorded month).
    Records,
    /// An outcome of runs.csv (at the run's last month).
    Outcome,
}

/// One observed series, resolved against the run.
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    pub parsed: SeriesName,
    pub source: Source,
    /// Observations in month order.
    pub obs: Vec<Observation>,
}

impl Series {
    pub fn binary(&self) -> bool {
        self.parsed.threshold.is_some()
    }
    pub fn kind(&self) -> &'static str {
        match (&self.source, self.binary()) {
            (Source::Records, false) => "metric",
            (Source::Records, true) => "binary",
            (Source::Outcome, false) => "outcome",
            (Source::Outcome, true) => "binary outcome",
        }
    }
}

/// One observation scored.
#[derive(Clone, Debug)]
pub struct PointScore {
    pub month: YearMonth,
    pub value: f64,
    pub sd: Option<f64>,
    pub source: String,
    /// Worlds with a defined value.
    pub n_worlds: usize,
    pub pit: f64,
    pub crps: f64,
    /// The fair CRPS ([`metrics::crps_fair`]): what `trisim calibrate` compares.
    pub crps_fair: f64,
    /// Quantiles [`FAN_QUANTILES`] of the simulated values.
    pub quantiles: [f64; 7],
    pub mean: f64,
}

impl PointScore {
    pub fn median(&self) -> f64 {
        self.quantiles[3]
    }
}

/// First-passage timing of a binary series.
#[derive(Clone, Debug, PartialEq)]
pub struct Passage {
    /// Month the observed series first turns 1 after a 0.
    pub observed: Option<YearMonth>,
    /// Median first recorded month (from the series' first observed month on) at which the
    /// condition holds, over the worlds where it does.
    pub simulated_median: Option<YearMonth>,
    /// simulated_median − observed, in months.
    pub error_months: Option<i64>,
    /// Share of worlds where the condition never holds in the recorded months.
    pub never_share: f64,
}

/// One month of the simulated fan.
#[derive(Clone, Debug)]
pub struct FanPoint {
    pub month: YearMonth,
    pub quantiles: [f64; 7],
    pub mean: f64,
}

/// One series scored on one path.
#[derive(Clone, Debug)]
pub struct SeriesScore {
    pub series: String,
    pub kind: &'static str,
    pub binary: bool,
    pub n: usize,
    /// Share of observations inside the 50%, 80%, 90% central bands.
    pub coverage: [f64; 3],
    pub crps: f64,
    /// Mean fair CRPS over the observations (for a 0/1 series it is the fair Brier score).
    pub crps_fair: f64,
    pub crps_skill: Option<f64>,
    pub rmse_median: f64,
    pub sign_agreement: Option<f64>,
    pub brier: Option<f64>,
    pub brier_skill: Option<f64>,
    pub passage: Option<Passage>,
    pub points: Vec<PointScore>,
    pub fan: Vec<FanPoint>,
}

/// The summary of one path.
#[derive(Clone, Debug)]
pub struct PathSummary {
    pub observations: usize,
    /// Share of all observations (every series) inside the 80% band.
    pub coverage_80: f64,
    /// Mean Brier skill over the binary series where it is defined.
    pub mean_brier_skill: Option<f64>,
    /// Mean absolute first-passage error (months) over the series where it is defined.
    pub mean_abs_timing_error: Option<f64>,
}

#[derive(Clone, Debug)]
pub struct PathScore {
    pub path: String,
    pub series: Vec<SeriesScore>,
    pub summary: PathSummary,
}

/// Everything `trisim score` computed.
#[derive(Clone, Debug)]
pub struct Scores {
    pub run: RunInfo,
    pub observed_files: Vec<PathBuf>,
    pub recorded: Vec<YearMonth>,
    pub paths: Vec<PathScore>,
}

/// Options of a scoring.
#[derive(Clone, Debug)]
pub struct Options {
    pub results: PathBuf,
    pub observed: Vec<PathBuf>,
    /// Only this path (else every path of the run).
    pub path: Option<String>,
}

/// A short list of months for messages: all of them up to 12, else the first and last few.
fn month_list(ms: &[YearMonth]) -> String {
    let s: Vec<String> = ms.iter().map(|m| m.to_string()).collect();
    if s.len() <= 12 {
        s.join(", ")
    } else {
        format!(
            "{}, …, {} ({} months)",
            s[..4].join(", "),
            s[s.len() - 3..].join(", "),
            s.len()
        )
    }
}

/// Reads the run and the observations, and scores every (or the chosen) path.
pub fn score(opts: &Options) -> Result<Scores> {
    let run = RunInfo::read(&opts.results)?;
    let paths: Vec<usize> = match &opts.path {
        None => (0..run.paths.len()).collect(),
        Some(p) => match run.paths.iter().position(|n| n == p) {
            Some(i) => vec![i],
            None => bail!(
                "--path {p}: the run has no such path (its paths: {}){}",
                run.paths.join(", "),
                nearest(p, run.paths.iter().map(|s| s.as_str()))
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default()
            ),
        },
    };
    let records_path = run.dir.join(RECORDS_CSV);
    let runs_path = run.dir.join(RUNS_CSV);
    let rec_head = records::header(&records_path)?;
    let runs_head = records::header(&runs_path)?;
    let rec_cols: Vec<&str> = rec_head
        .iter()
        .flatten()
        .map(|s| s.as_str())
        .filter(|c| !matches!(*c, "path" | "replication" | "month"))
        .collect();
    let out_cols: Vec<&str> = runs_head
        .iter()
        .flatten()
        .map(|s| s.as_str())
        .filter(|c| !matches!(*c, "path" | "replication"))
        .collect();

    // Observations, grouped by series in order of first appearance.
    let mut all: Vec<Observation> = Vec::new();
    for f in &opts.observed {
        all.extend(observations::read_file(f)?);
    }
    let series = group_series(all, &rec_cols, &out_cols, &run, rec_head.is_none())?;

    // What to read.
    let rec_series: Vec<&Series> = series
        .iter()
        .filter(|s| s.source == Source::Records)
        .collect();
    let out_series: Vec<&Series> = series
        .iter()
        .filter(|s| s.source == Source::Outcome)
        .collect();
    let total_obs_months: usize = rec_series.iter().map(|s| s.obs.len()).sum();
    let all_months = (run.paths.len() * run.replications)
        .saturating_mul(run.horizon as usize)
        .saturating_mul(rec_series.len())
        <= MAX_FAN_VALUES
        || total_obs_months == 0;
    let wanted: Vec<Wanted> = rec_series
        .iter()
        .map(|s| Wanted {
            column: s.parsed.column.clone(),
            threshold: s.parsed.threshold.clone(),
            months: (!all_months && !s.binary())
                .then(|| s.obs.iter().map(|o| run.offset(o.month)).collect()),
        })
        .collect();
    let extract = if wanted.is_empty() {
        Extract::default()
    } else {
        let ex = records::read_records(&records_path, &run, &wanted)?;
        if ex.recorded.is_empty() {
            bail!(
                "{}: no rows (the file has only a header)",
                records_path.display()
            );
        }
        ex
    };
    let recorded: Vec<YearMonth> = extract.recorded.iter().map(|t| run.month(*t)).collect();
    for s in &rec_series {
        for o in &s.obs {
            if extract
                .recorded
                .binary_search(&run.offset(o.month))
                .is_err()
            {
                bail!(
                    "{}: month {} is not recorded in records.csv (recorded: {}); record it with `trisim run SCENARIO --record {}` (or `--record monthly`), or `[output] record_months` in the scenario",
                    o.at(),
                    o.month,
                    month_list(&recorded),
                    o.month
                );
            }
        }
    }
    let out_wanted: Vec<Wanted> = out_series
        .iter()
        .map(|s| Wanted {
            column: s.parsed.column.clone(),
            threshold: s.parsed.threshold.clone(),
            months: None,
        })
        .collect();
    let outcomes = if out_wanted.is_empty() {
        Vec::new()
    } else {
        records::read_outcomes(&runs_path, &run, &out_wanted)?
    };

    let mut out = Vec::new();
    for &p in &paths {
        let mut scored = Vec::new();
        let (mut ri, mut oi) = (0, 0);
        for s in &series {
            let sc = match s.source {
                Source::Records => {
                    ri += 1;
                    score_records(&run, s, &extract.values[ri - 1], &extract.recorded, p)
                }
                Source::Outcome => {
                    oi += 1;
                    score_outcome(&run, s, &outcomes[oi - 1][p])
                }
            };
            scored.push(sc);
        }
        let summary = summarize(&scored);
        out.push(PathScore {
            path: run.paths[p].clone(),
            series: scored,
            summary,
        });
    }
    Ok(Scores {
        run,
        observed_files: opts.observed.clone(),
        recorded,
        paths: out,
    })
}

/// Groups observations into series (in order of first appearance, each in month order) and
/// checks them against a run: `rec_cols` are the per-month columns (records.csv), `out_cols`
/// the outcomes known at the last month (runs.csv); `no_records`: the run recorded no months
/// (for the hint of an unknown series). Used by `trisim score` and `trisim calibrate`.
pub fn group_series(
    all: Vec<Observation>,
    rec_cols: &[&str],
    out_cols: &[&str],
    run: &RunInfo,
    no_records: bool,
) -> Result<Vec<Series>> {
    let mut series: Vec<Series> = Vec::new();
    for o in all {
        let parsed = observations::parse_series(&o.series)
            .map_err(|m| anyhow::anyhow!("{}: {m}", o.at()))?;
        let source = if rec_cols.contains(&parsed.column.as_str()) {
            Source::Records
        } else if out_cols.contains(&parsed.column.as_str()) {
            Source::Outcome
        } else {
            let hint = nearest(&parsed.column, rec_cols.iter().chain(out_cols).copied())
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            if no_records {
                bail!(
                    "{}: unknown series `{}`: {} has no records.csv, so only the outcomes of runs.csv can be scored{hint}; rerun with --record MONTHS (e.g. `trisim run SCENARIO --record monthly`) or set `[output] record_months` to record per-world values",
                    o.at(),
                    o.series,
                    run.dir.display()
                );
            }
            bail!(
                "{}: unknown series `{}`: not a column of records.csv nor an outcome of runs.csv{hint}",
                o.at(),
                o.series
            );
        };
        if parsed.threshold.is_some() {
            if o.value != 0.0 && o.value != 1.0 {
                bail!(
                    "{}: `{}` is a binary series (a threshold): its value must be 0 or 1, got {}",
                    o.at(),
                    o.series,
                    o.value
                );
            }
            if o.sd.is_some() {
                bail!(
                    "{}: `{}` is a binary series (a threshold): it takes no `sd`",
                    o.at(),
                    o.series
                );
            }
        }
        let t = run.offset(o.month);
        if !(0..run.horizon).contains(&t) {
            bail!(
                "{}: month {} is outside the run ({} to {})",
                o.at(),
                o.month,
                run.start,
                run.last()
            );
        }
        if source == Source::Outcome && o.month != run.last() {
            bail!(
                "{}: `{}` is an outcome of runs.csv, known only at the run's last month {}, not {}",
                o.at(),
                parsed.column,
                run.last(),
                o.month
            );
        }
        match series.iter_mut().find(|s| s.name == o.series) {
            Some(s) => {
                if let Some(d) = s.obs.iter().find(|d| d.month == o.month) {
                    bail!(
                        "{}: `{}` at {} is observed twice (also at {})",
                        o.at(),
                        o.series,
                        o.month,
                        d.at()
                    );
                }
                s.obs.push(o);
            }
            None => series.push(Series {
                name: o.series.clone(),
                parsed,
                source,
                obs: vec![o],
            }),
        }
    }
    for s in &mut series {
        s.obs.sort_by_key(|o| o.month);
    }
    Ok(series)
}

fn quantiles(xs: &[f64]) -> [f64; 7] {
    let mut q = [f64::NAN; 7];
    for (k, p) in FAN_QUANTILES.iter().enumerate() {
        q[k] = metrics::quantile(xs, *p);
    }
    q
}

fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        f64::NAN
    } else {
        xs.iter().sum::<f64>() / xs.len() as f64
    }
}

fn point(o: &Observation, sample: &[f64]) -> PointScore {
    let xs = metrics::sorted(sample);
    PointScore {
        month: o.month,
        value: o.value,
        sd: o.sd,
        source: o.source.clone(),
        n_worlds: xs.len(),
        pit: metrics::pit(&xs, o.value, o.sd),
        crps: metrics::crps(&xs, o.value, o.sd),
        crps_fair: metrics::crps_fair(&xs, o.value, o.sd),
        quantiles: quantiles(&xs),
        mean: mean(&xs),
    }
}

/// Scores series `s` on path `p` from the values of its column per recorded month (in memory:
/// `trisim score` reads them from records.csv, `trisim calibrate` from its simulations).
pub fn score_records(
    run: &RunInfo,
    s: &Series,
    values: &records::Values,
    recorded: &[i64],
    p: usize,
) -> SeriesScore {
    let points: Vec<PointScore> = s
        .obs
        .iter()
        .map(|o| point(o, &values[&run.offset(o.month)][p]))
        .collect();
    let fan = values
        .iter()
        .map(|(t, v)| {
            let xs = metrics::sorted(&v[p]);
            FanPoint {
                month: run.month(*t),
                quantiles: quantiles(&xs),
                mean: mean(&xs),
            }
        })
        .collect();
    let passage = s.binary().then(|| {
        let obs: Vec<f64> = s.obs.iter().map(|o| o.value).collect();
        let observed = metrics::observed_first_passage(&obs).map(|k| s.obs[k].month);
        let from = run.offset(s.obs[0].month);
        let months: Vec<i64> = recorded.iter().copied().filter(|t| *t >= from).collect();
        let per_world: Vec<Option<i64>> = (0..run.replications)
            .map(|r| {
                months
                    .iter()
                    .copied()
                    .find(|t| values.get(t).is_some_and(|v| v[p][r] == 1.0))
            })
            .collect();
        let (median, never) = metrics::passage_summary(&per_world);
        let simulated_median = median.map(|t| run.month(t));
        Passage {
            observed,
            simulated_median,
            error_months: match (simulated_median, observed) {
                (Some(sm), Some(ob)) => Some(ob.months_until(sm)),
                _ => None,
            },
            never_share: never,
        }
    });
    finish(s, points, fan, passage)
}

/// Scores an outcome series from its per-replication values (path already chosen).
pub fn score_outcome(run: &RunInfo, s: &Series, sample: &[f64]) -> SeriesScore {
    let points: Vec<PointScore> = s.obs.iter().map(|o| point(o, sample)).collect();
    let fan = points
        .iter()
        .map(|pt| FanPoint {
            month: run.last(),
            quantiles: pt.quantiles,
            mean: pt.mean,
        })
        .collect();
    finish(s, points, fan, None)
}

/// The series-level statistics from the scored points.
fn finish(
    s: &Series,
    points: Vec<PointScore>,
    fan: Vec<FanPoint>,
    passage: Option<Passage>,
) -> SeriesScore {
    let n = points.len();
    let mut coverage = [f64::NAN; 3];
    for (k, b) in BANDS.iter().enumerate() {
        coverage[k] = points
            .iter()
            .filter(|pt| metrics::covered(pt.pit, *b))
            .count() as f64
            / n as f64;
    }
    let obs: Vec<f64> = points.iter().map(|pt| pt.value).collect();
    let medians: Vec<f64> = points.iter().map(|pt| pt.median()).collect();
    // The no-change forecast: the earliest observation, carried forward.
    let x0 = obs[0];
    let later = &points[1..];
    let crps_skill = (!later.is_empty())
        .then(|| {
            let model = mean(&later.iter().map(|pt| pt.crps).collect::<Vec<_>>());
            let reference = mean(
                &later
                    .iter()
                    .map(|pt| metrics::crps_point(x0, pt.value, pt.sd))
                    .collect::<Vec<_>>(),
            );
            metrics::skill(model, reference)
        })
        .flatten();
    let (brier, brier_skill) = if s.binary() {
        let probs: Vec<f64> = points.iter().map(|pt| pt.mean).collect();
        let b = metrics::brier(&probs, &obs);
        let skill = (!later.is_empty())
            .then(|| {
                metrics::skill(
                    metrics::brier(&probs[1..], &obs[1..]),
                    metrics::brier(&vec![x0; later.len()], &obs[1..]),
                )
            })
            .flatten();
        (Some(b), skill)
    } else {
        (None, None)
    };
    SeriesScore {
        series: s.name.clone(),
        kind: s.kind(),
        binary: s.binary(),
        n,
        coverage,
        crps: mean(&points.iter().map(|pt| pt.crps).collect::<Vec<_>>()),
        crps_fair: mean(&points.iter().map(|pt| pt.crps_fair).collect::<Vec<_>>()),
        crps_skill,
        rmse_median: metrics::rmse(&medians, &obs),
        sign_agreement: metrics::sign_agreement(&obs, &medians),
        brier,
        brier_skill,
        passage,
        points,
        fan,
    }
}

fn summarize(series: &[SeriesScore]) -> PathSummary {
    let observations: usize = series.iter().map(|s| s.n).sum();
    let inside: usize = series
        .iter()
        .flat_map(|s| &s.points)
        .filter(|pt| metrics::covered(pt.pit, 0.8))
        .count();
    let skills: Vec<f64> = series.iter().filter_map(|s| s.brier_skill).collect();
    let timing: Vec<f64> = series
        .iter()
        .filter_map(|s| s.passage.as_ref().and_then(|p| p.error_months))
        .map(|e| e.abs() as f64)
        .collect();
    PathSummary {
        observations,
        coverage_80: inside as f64 / observations.max(1) as f64,
        mean_brier_skill: (!skills.is_empty()).then(|| mean(&skills)),
        mean_abs_timing_error: (!timing.is_empty()).then(|| mean(&timing)),
    }
}

/// Where the score goes by default: `RESULTS/score`.
pub fn default_out(results: &Path) -> PathBuf {
    results.join("score")
}
