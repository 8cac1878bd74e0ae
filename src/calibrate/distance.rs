//! The distance between simulated and observed series, from `trisim score`'s statistics.
//!
//! For each observed series s, with the simulated ensemble of the R replications of a
//! particle at each observation month:
//! - a numeric series: d_s = mean *fair* CRPS over its observations (with the observation's
//!   `sd` as noise, as `trisim score`; fair: the ensemble's spread term over distinct pairs of
//!   worlds, Ferro 2014, so that a particle's score does not depend on R and under-dispersed
//!   parameters are not favoured) / c_s, where c_s is the mean CRPS of the no-change forecast
//!   (the first observation carried forward) over the later observations; if that is not
//!   positive, the mean absolute deviation of the observations from their mean; else 1;
//! - a binary series (a threshold): d_s = fair Brier score (the fair CRPS of 0/1 values,
//!   (p − o)² − p(1 − p)/(R − 1)) / the no-change forecast's Brier score (0.25, a 50%
//!   forecast's, if that is 0);
//! - an outcome (runs.csv) at the last month: its fair CRPS / c_s with c_s = |value| (else 1).
//!
//! The distance is the mean of d_s over the series (each series counts once, whatever its
//! number of observations). It is +∞ if a series has no simulated value.

use crate::model::record::{columns, Cell};
use crate::scenario::Scenario;
use crate::score::metrics;
use crate::score::observations::{self, Observation};
use crate::score::records::{cell_value, RunInfo, Values, Wanted};
use crate::score::{self, SeriesScore, Source};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// The observations a calibration fits, resolved against the scenario.
#[derive(Clone, Debug)]
pub struct Target {
    pub run: RunInfo,
    pub series: Vec<score::Series>,
    /// For each series of `Source::Records`: its column index in [`columns`] and how to read
    /// a cell; for outcomes, the outcome index.
    pub reads: Vec<Read>,
    /// Per series: the scale c_s.
    pub scales: Vec<f64>,
    /// The months (offsets) observed by any records series, ascending.
    pub months: Vec<i64>,
    /// Names of the scenario's paths (for `path_in_force`).
    pub path_names: Vec<String>,
}

#[derive(Clone, Debug)]
pub enum Read {
    Column { index: usize, wanted: Wanted },
    Outcome(usize),
}

impl Target {
    /// Reads the observation files and resolves every series against the columns the model
    /// records for `s` (tracks `tracks`) and its outcomes.
    pub fn new(s: &Scenario, files: &[impl AsRef<Path>], tracks: &[String]) -> Result<Target> {
        let mut all: Vec<Observation> = Vec::new();
        for f in files {
            all.extend(observations::read_file(f.as_ref())?);
        }
        let issues: Vec<String> = s.history.issues.iter().map(|i| i.key.clone()).collect();
        let cols = columns(tracks, &issues);
        let rec_cols: Vec<&str> = cols.iter().map(String::as_str).collect();
        let out_cols: Vec<&str> = crate::model::OUTCOMES.iter().map(|o| o.key).collect();
        let run = RunInfo {
            dir: Default::default(),
            scenario_name: s.scenario.name.clone(),
            paths: vec![String::new()],
            replications: 0,
            start: s.scenario.start,
            horizon: s.scenario.horizon_months as i64,
        };
        let series = score::group_series(all, &rec_cols, &out_cols, &run, false)?;
        if series.is_empty() {
            anyhow::bail!("the observation files hold no observation");
        }
        let mut reads = Vec::new();
        let mut scales = Vec::new();
        let mut months = Vec::new();
        for sr in &series {
            reads.push(match sr.source {
                Source::Records => {
                    months.extend(sr.obs.iter().map(|o| run.offset(o.month)));
                    Read::Column {
                        index: cols
                            .iter()
                            .position(|c| *c == sr.parsed.column)
                            .context("unknown column")?,
                        wanted: Wanted {
                            column: sr.parsed.column.clone(),
                            threshold: sr.parsed.threshold.clone(),
                            months: None,
                        },
                    }
                }
                Source::Outcome => Read::Outcome(
                    crate::model::outcome_index(&sr.parsed.column).context("unknown outcome")?,
                ),
            });
            scales.push(scale(sr));
        }
        months.sort_unstable();
        months.dedup();
        Ok(Target {
            run,
            series,
            reads,
            scales,
            months,
            path_names: s.paths.keys().cloned().collect(),
        })
    }

    /// The value of series `k` in a month's record cells (NaN if undefined); None for an
    /// outcome series.
    pub fn cell(&self, k: usize, cells: &[Cell]) -> Option<f64> {
        let Read::Column { index, wanted } = &self.reads[k] else {
            return None;
        };
        let text = match cells.get(*index) {
            Some(Cell::Num(x)) if x.is_finite() => format!("{x}"),
            Some(Cell::Num(_)) | None => String::new(),
            Some(Cell::Text(t)) => (*t).to_string(),
            Some(Cell::Path(p)) => self.path_names.get(*p).cloned().unwrap_or_default(),
        };
        Some(cell_value(&text, wanted).unwrap_or(f64::NAN))
    }
}

/// The scale c_s of a series (see the module's documentation).
fn scale(s: &score::Series) -> f64 {
    let obs: Vec<f64> = s.obs.iter().map(|o| o.value).collect();
    let x0 = obs[0];
    let positive = |x: f64| (x.is_finite() && x > 0.0).then_some(x);
    if s.binary() {
        let later = &obs[1..];
        let r = (!later.is_empty()).then(|| metrics::brier(&vec![x0; later.len()], later));
        return r.and_then(positive).unwrap_or(0.25);
    }
    if s.source == Source::Outcome {
        return positive(x0.abs()).unwrap_or(1.0);
    }
    let later = &s.obs[1..];
    let reference = (!later.is_empty()).then(|| {
        later
            .iter()
            .map(|o| metrics::crps_point(x0, o.value, o.sd))
            .sum::<f64>()
            / later.len() as f64
    });
    let mean = obs.iter().sum::<f64>() / obs.len() as f64;
    let mad = obs.iter().map(|x| (x - mean).abs()).sum::<f64>() / obs.len() as f64;
    reference
        .and_then(positive)
        .or_else(|| positive(mad))
        .unwrap_or(1.0)
}

/// What the replications of one particle (or of the predictive check) produced: per series,
/// the values per month (records series) or per replication (outcomes).
#[derive(Clone, Debug, Default)]
pub struct Simulated {
    /// Per series: month offset → [path 0][replication].
    pub values: Vec<Values>,
    /// Per series: outcome value per replication (empty for records series).
    pub outcomes: Vec<Vec<f64>>,
    pub replications: usize,
}

impl Simulated {
    pub fn new(t: &Target, replications: usize) -> Simulated {
        Simulated {
            values: vec![BTreeMap::new(); t.series.len()],
            outcomes: vec![Vec::new(); t.series.len()],
            replications,
        }
    }
}

/// Every series scored as `trisim score` does (path 0 of the in-memory values).
pub fn score_all(t: &Target, sim: &Simulated) -> Vec<SeriesScore> {
    let mut run = t.run.clone();
    run.replications = sim.replications;
    t.series
        .iter()
        .enumerate()
        .map(|(k, s)| match s.source {
            Source::Records => {
                let recorded: Vec<i64> = sim.values[k].keys().copied().collect();
                score::score_records(&run, s, &sim.values[k], &recorded, 0)
            }
            Source::Outcome => score::score_outcome(&run, s, &sim.outcomes[k]),
        })
        .collect()
}

/// The distance of a particle's simulations to the observations, and each series' term d_s.
pub fn distance(t: &Target, sim: &Simulated) -> (f64, Vec<f64>) {
    let scores = score_all(t, sim);
    let terms: Vec<f64> = scores
        .iter()
        .zip(&t.scales)
        .map(|(sc, c)| {
            // The fair CRPS (Ferro 2014; for a 0/1 series the fair Brier score): each particle
            // is simulated on a few worlds, and the plain score would favour parameters that
            // make those few worlds alike rather than those that match the data.
            let raw = sc.crps_fair;
            if raw.is_finite() {
                raw / c
            } else {
                f64::INFINITY
            }
        })
        .collect();
    let d = terms.iter().sum::<f64>() / terms.len() as f64;
    (d, terms)
}
