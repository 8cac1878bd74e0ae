//! Replications in parallel and streaming statistics.
//!
//! # Determinism
//! Replications are cut into fixed blocks of [`RunPlan::block_size`] (default 256). Each block
//! is simulated **sequentially in replication order** by one worker; blocks are computed in
//! parallel (rayon, in a local pool of `threads` threads) in waves of `2 × threads` blocks,
//! and their partials are folded into the totals in block order (while the next wave is
//! computed). Every accumulator merges **exactly** ([`stats`]: integer counts and fixed-point
//! sums), so the results do not depend on the number of threads, on which worker took which
//! block, nor on how the blocks are split into shards ([`Partial`], `trisim merge`) or
//! resumed chunks: they are bit-identical in every case. The monthly time series are added
//! into one [`Series`] per worker thread that lives for the whole run (no per-block copy of
//! the histograms), merged into the totals when results are read.

//! # Common random numbers
//! For replication *r*, the scenario is sampled once (`params` stream of *r*), one
//! [`Model`] is built, and every selected path is simulated on the streams of *r*: paths see
//! the same parameter draws and the same exogenous randomness.
//!
//! # Memory
//! Only streaming accumulators are kept ([`stats`], [`series`]): per path × outcome moments
//! and a quantile sketch; per path × outcome paired differences against the reference; per
//! path × month × metric an exact sum, min, max and fixed-bin histogram, in one flat,
//! month-major [`Series`] per worker thread (allocated on its first block; 11 MB for the
//! baseline's 6 paths × 120 months, linear in the horizon), plus a buffer of 2-byte bin codes
//! of [`SERIES_BATCH`] replications per worker. Block accumulators are recycled.
//! Per-replication outcomes are handed to a [`RunSink`] in replication order, one wave at a
//! time, and then dropped. Peak memory does not grow with the number of replications.
//!
//! The engine never prints: progress is reported through an optional callback.

pub mod precision;
pub mod sensitivity;
pub mod series;
pub mod stats;
pub mod sweep;

use crate::model::{Better, Model, MONTH_METRICS, OUTCOMES};
use crate::scenario::param::{Dist, Param};
use crate::scenario::sample::sample;
use crate::scenario::validate;
use crate::scenario::{Scenario, YearMonth};
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use series::{Series, SeriesShape};
use stats::{Bins, FixedSum, HistSpec, Moments, Paired, Sketch};

/// Default number of replications per block.
pub const DEFAULT_BLOCK_SIZE: u64 = 256;

/// Largest number of replications of one run (histogram bins count in u32).
pub const MAX_REPLICATIONS: u64 = u32::MAX as u64;

/// Largest number of worker threads.
pub const MAX_THREADS: usize = 1024;

/// Memory budget for the block partials of one wave; waves shrink (down to one block) for
/// very long horizons or many paths.
const WAVE_MEMORY_BUDGET: usize = 512 << 20;

/// Quantiles reported everywhere (p5, p25, p50, p75, p95).
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// What to run: resolved, validated settings.
#[derive(Clone, Debug, PartialEq)]
pub struct RunPlan {
    pub seed: u64,
    pub replications: u64,
    /// Indices into `scenario.paths` of the paths to simulate, in reporting order; always
    /// includes the reference path.
    pub paths: Vec<usize>,
    /// Position of the reference path in `paths`.
    pub reference: usize,
    pub threads: usize,
    pub block_size: u64,
}

/// Command-line style overrides of the scenario's `[scenario]` settings.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub replications: Option<u64>,
    pub seed: Option<u64>,
    pub threads: Option<usize>,
    /// Path names to run (the reference path is added first if missing).
    pub paths: Option<Vec<String>>,
}

impl RunPlan {
    /// Resolves the scenario's settings and the overrides into a plan, checking them: the
    /// scenario with the overrides applied is checked by [`validate::check`] (errors are
    /// reported against "command-line options"), plus the engine's own limits (threads,
    /// [`MAX_REPLICATIONS`]).
    pub fn new(s: &Scenario, o: &Overrides) -> Result<RunPlan> {
        let replications = o.replications.unwrap_or(s.scenario.replications);
        let seed = o.seed.unwrap_or(s.scenario.seed);
        let threads = match o.threads {
            Some(0) => bail!("the number of threads must be at least 1, got 0"),
            Some(t) if t > MAX_THREADS => {
                bail!("the number of threads must be at most {MAX_THREADS}, got {t}")
            }
            Some(t) => t,
            None => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
        };
        let mut names: Vec<String> = match &o.paths {
            Some(p) if p.is_empty() => bail!("no path selected in --paths"),
            Some(p) => p.iter().map(|n| n.trim().to_string()).collect(),
            None if !s.scenario.paths.is_empty() => s.scenario.paths.clone(),
            None => s.paths.keys().cloned().collect(),
        };
        let reference = &s.scenario.reference_path;
        if !names.contains(reference) {
            names.insert(0, reference.clone());
        }
        // One set of rules: the effective settings go through the scenario's validation.
        let mut effective = s.clone();
        effective.scenario.replications = replications;
        effective.scenario.seed = seed;
        effective.scenario.paths = names.clone();
        validate::check(&effective, "command-line options")?;
        if replications > MAX_REPLICATIONS {
            bail!(
                "the number of replications must be at most {MAX_REPLICATIONS}, got {replications}"
            );
        }
        let index = |n: &str| {
            s.paths
                .get_index_of(n)
                .with_context(|| format!("unknown path `{n}`"))
        };
        let paths = names
            .iter()
            .map(|n| index(n))
            .collect::<Result<Vec<usize>>>()?;
        let reference = index(reference)?;
        let reference = paths.iter().position(|p| *p == reference).unwrap_or(0);
        Ok(RunPlan {
            seed,
            replications,
            paths,
            reference,
            threads,
            block_size: DEFAULT_BLOCK_SIZE,
        })
    }

    /// Number of blocks.
    pub fn blocks(&self) -> u64 {
        self.replications.div_ceil(self.block_size)
    }

    /// The blocks of shard `index` of `count`: contiguous ranges of whole blocks, as equal as
    /// possible (shard i gets blocks ⌊i·B/N⌋..⌊(i+1)·B/N⌋ of B). Errors if `index ≥ count` or
    /// if there are fewer blocks than shards.
    pub fn shard_blocks(&self, index: u64, count: u64) -> Result<std::ops::Range<u64>> {
        let b = self.blocks();
        if count == 0 || index >= count {
            bail!(
                "shard {index}/{count}: the index must be between 0 and {}",
                count.saturating_sub(1)
            );
        }
        if count > b {
            bail!(
                "{count} shards for {} replications: shards hold whole blocks of {} replications, so there can be at most {b} shards",
                self.replications,
                self.block_size
            );
        }
        let cut = |i: u64| ((i as u128 * b as u128) / count as u128) as u64;
        Ok(cut(index)..cut(index + 1))
    }
}

/// Largest value a parameter can take: the fixed value, or the upper end of the distribution's
/// support (normal: mean + 4 sd; log-normal: exp(μ + 4σ), i.e. beyond the 99.99th percentile).
fn param_upper(p: &Param) -> f64 {
    match p {
        Param::Fixed(x) => *x,
        Param::Dist(d) => match *d {
            Dist::Uniform { high, .. } => high,
            Dist::Normal { mean, sd } => mean + 4.0 * sd,
            Dist::Beta { .. } => 1.0,
            Dist::Triangular { max, .. } => max,
            Dist::Lognormal { mu, sigma } => (mu + 4.0 * sigma).exp(),
            Dist::Empirical { .. } => d.empirical_range().map_or(f64::NAN, |r| r.1),
        },
    }
}

/// Width of the `b_kr` bins (absolute quantile error in `timeseries.csv`) while the range is at
/// most [`B_KR_MAX_BINS`] × this.
pub const B_KR_BIN_WIDTH: f64 = 0.005;
/// Most bins of the `b_kr` histogram (beyond, bins are wider than [`B_KR_BIN_WIDTH`]).
pub const B_KR_MAX_BINS: usize = 4000;

/// Histogram of the backlash stock B_KR: bins over [0, hi] with hi = 2 × the largest
/// `world.politics.b_crit` the scenario allows (at least 2), so the crisis range (B around and
/// above B_crit) is covered. Bins are [`B_KR_BIN_WIDTH`] wide (hi/[`B_KR_MAX_BINS`] if wider):
/// a quantile is within one bin width of the exact order statistic. Values above hi (rare:
/// crises discharge B) are interpolated between hi and the exact maximum.
pub fn b_kr_hist(s: &Scenario) -> HistSpec {
    let b = param_upper(&s.world.politics.b_crit);
    let hi = if b.is_finite() {
        (2.0 * b).clamp(2.0, 1e6)
    } else {
        2.0
    };
    let bins = ((hi / B_KR_BIN_WIDTH).ceil() as usize).clamp(1, B_KR_MAX_BINS);
    HistSpec::continuous(0.0, hi, bins)
}

/// Bins of the final-CI distribution (chart `dist_final_ci`): 20 bins 0.05 wide on [0, 1].
pub fn final_ci_bins() -> Bins {
    Bins::uniform(0.0, 1.0, 20)
}

/// One reported outcome: a model outcome or the weighted `score`.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeInfo {
    pub key: String,
    pub better: Better,
    pub description: String,
}

/// One per-month metric of the time series.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricInfo {
    /// `ci`, `tau_jk`, ..., `nk_launches`, then `rung.<track>`.
    pub key: String,
    pub hist: HistSpec,
}

/// Everything fixed about a run's shape: paths, outcomes, months, metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub path_names: Vec<String>,
    /// Every path of the scenario, as CSV fields (a record's `path_in_force`).
    pub all_path_fields: Vec<String>,
    pub reference: usize,
    pub outcomes: Vec<OutcomeInfo>,
    /// (model outcome index, weight) of the score, empty without a score.
    pub score: Vec<(usize, f64)>,
    pub start: YearMonth,
    pub months: u32,
    pub metrics: Vec<MetricInfo>,
    pub track_keys: Vec<String>,
    /// Index of `final_ci` in `outcomes`.
    pub final_ci: Option<usize>,
    /// History issue keys in the scenario's (and the model's) order.
    pub issue_keys: Vec<String>,
    /// Probabilities of the quantiles of `timeseries.csv` (`[output].quantiles`).
    pub quantiles: Vec<f64>,
    /// `[[output.transitions]]`: their outcomes `first.<name>` follow the model's outcomes.
    pub transitions: Vec<crate::model::record::Condition>,
    /// Month indices written to `records.csv` (`[output].record_months`), increasing.
    pub record_months: Vec<u32>,
    /// Columns of `records.csv` after `path,replication,month`.
    pub record_columns: Vec<String>,
}

impl Layout {
    pub fn new(s: &Scenario, plan: &RunPlan, track_keys: Vec<String>) -> Layout {
        let mut outcomes: Vec<OutcomeInfo> = OUTCOMES
            .iter()
            .map(|o| OutcomeInfo {
                key: o.key.into(),
                better: o.better,
                description: o.description.into(),
            })
            .collect();
        let issue_keys: Vec<String> = s.history.issues.iter().map(|i| i.key.clone()).collect();
        let record_columns = crate::model::record::columns(&track_keys, &issue_keys);
        let mut transitions = Vec::new();
        for t in &s.output.transitions {
            // Validated when the scenario was loaded.
            if let Ok(c) = crate::model::record::Condition::parse(&t.condition, &record_columns) {
                transitions.push(c);
                outcomes.push(OutcomeInfo {
                    key: format!("first.{}", t.name),
                    better: Better::Neither,
                    description: format!(
                        "Index of the first month (0 = the start month) at whose end `{}` holds; horizon_months if never (censored).",
                        t.condition
                    ),
                });
            }
        }
        let months = s.scenario.horizon_months;
        let record_months: Vec<u32> = match &s.output.record_months {
            None => Vec::new(),
            Some(crate::scenario::RecordMonths::Keyword(_)) => (0..months).collect(),
            Some(crate::scenario::RecordMonths::List(l)) => {
                let mut v: Vec<u32> = l
                    .iter()
                    .map(|m| s.scenario.start.months_until(*m))
                    .filter(|t| *t >= 0 && *t < months as i64)
                    .map(|t| t as u32)
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            }
        };
        let score: Vec<(usize, f64)> = s
            .scenario
            .score
            .iter()
            .filter_map(|(k, w)| crate::model::outcome_index(k).map(|i| (i, *w)))
            .collect();
        if !score.is_empty() {
            outcomes.push(OutcomeInfo {
                key: "score".into(),
                better: Better::Higher,
                description: "Weighted score of `scenario.score` (sum of weight × outcome).".into(),
            });
        }
        let mut metrics: Vec<MetricInfo> = MONTH_METRICS
            .iter()
            .map(|k| MetricInfo {
                key: (*k).into(),
                hist: match *k {
                    // Exact counts up to 99 launches a month.
                    "nk_launches" => HistSpec::integer(99),
                    // Backlash stock B ≥ 0: see [`b_kr_hist`].
                    "b_kr" => b_kr_hist(s),
                    // Indices, trust, favourability, approval, threat: [0, 1], 0.005-wide bins.
                    _ => HistSpec::continuous(0.0, 1.0, 200),
                },
            })
            .collect();
        for k in &track_keys {
            // Rungs are recorded as u8.
            let max = s.tracks.get(k).map(|t| t.rungs).unwrap_or(10).min(255);
            metrics.push(MetricInfo {
                key: format!("rung.{k}"),
                hist: HistSpec::integer(max),
            });
        }
        Layout {
            all_path_fields: s
                .paths
                .keys()
                .map(|k| crate::output::files::csv_field(k))
                .collect(),
            path_names: plan
                .paths
                .iter()
                .map(|i| {
                    s.paths
                        .get_index(*i)
                        .map(|(k, _)| k.clone())
                        .unwrap_or_default()
                })
                .collect(),
            reference: plan.reference,
            score,
            start: s.scenario.start,
            months: s.scenario.horizon_months,
            final_ci: outcomes.iter().position(|o| o.key == "final_ci"),
            outcomes,
            metrics,
            track_keys,
            issue_keys,
            quantiles: s.output.quantiles.clone(),
            transitions,
            record_months,
            record_columns,
        }
    }

    /// The columns of `runs.csv` after the outcomes: `rung.<track>`, then
    /// `issue.<key>.status`.
    pub fn run_extra_columns(&self) -> Vec<String> {
        let mut c: Vec<String> = self
            .track_keys
            .iter()
            .map(|k| format!("rung.{k}"))
            .collect();
        c.extend(self.issue_keys.iter().map(|k| format!("issue.{k}.status")));
        c
    }

    /// The header of `records.csv` (with its newline).
    pub fn records_header(&self) -> String {
        let mut h = String::from("path,replication,month");
        for c in &self.record_columns {
            h.push(',');
            h.push_str(&crate::output::files::csv_field(c));
        }
        h.push('\n');
        h
    }

    /// The shape of the monthly series' accumulator ([`Series`]).
    pub fn series_shape(&self) -> SeriesShape {
        SeriesShape::new(
            self.path_names.len(),
            self.months as usize,
            self.metrics.iter().map(|m| m.hist).collect(),
        )
    }

    fn higher_is_better(&self, o: usize) -> Option<bool> {
        match self.outcomes[o].better {
            Better::Higher => Some(true),
            Better::Lower => Some(false),
            Better::Neither => None,
        }
    }
}

/// Streaming accumulators of one block (or of the whole run). Every part merges exactly, so
/// the accumulators of any set of blocks (a shard, a resumed chunk) can be saved
/// ([`Partial`]) and merged later to the same bits.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Accum {
    /// [path][outcome]
    moments: Vec<Vec<Moments>>,
    sketches: Vec<Vec<Sketch>>,
    paired: Vec<Vec<Paired>>,
    /// [path]: final CI in fixed bins.
    final_ci: Vec<Bins>,
    /// The monthly series: empty in block accumulators (workers keep them, see [`Runner`]) and
    /// until something is merged into the totals.
    series: Series,
}

impl Accum {
    fn new(l: &Layout) -> Accum {
        let p = l.path_names.len();
        let o = l.outcomes.len();
        Accum {
            moments: vec![vec![Moments::default(); o]; p],
            sketches: vec![vec![Sketch::default(); o]; p],
            paired: vec![vec![Paired::default(); o]; p],
            final_ci: vec![final_ci_bins(); p],
            series: Series::default(),
        }
    }

    /// Empties every accumulator, keeping the allocations (block accumulators are recycled).
    fn reset(&mut self) {
        for v in &mut self.moments {
            v.fill(Moments::default());
        }
        for v in &mut self.sketches {
            v.iter_mut().for_each(|s| *s = Sketch::default());
        }
        for v in &mut self.paired {
            v.fill(Paired::default());
        }
        self.final_ci.iter_mut().for_each(Bins::reset);
        self.series = Series::default();
    }

    /// Merges `b` (the next block in order) into `self`. Errors if the monthly series would
    /// overflow (corrupt or oversized partial results).
    fn merge(&mut self, b: &Accum) -> Result<()> {
        for (x, y) in self.moments.iter_mut().zip(&b.moments) {
            x.iter_mut().zip(y).for_each(|(x, y)| x.merge(y));
        }
        for (x, y) in self.sketches.iter_mut().zip(&b.sketches) {
            x.iter_mut().zip(y).for_each(|(x, y)| x.merge(y));
        }
        for (x, y) in self.paired.iter_mut().zip(&b.paired) {
            x.iter_mut().zip(y).for_each(|(x, y)| x.merge(y));
        }
        for (x, y) in self.final_ci.iter_mut().zip(&b.final_ci) {
            x.merge(y);
        }
        self.series.merge(&b.series)
    }
}

/// The saved accumulators of a range of blocks of a run: a shard (`--shard`), to be merged by
/// `trisim merge`. Merging is exact, so the merged result equals an unsharded run bit for bit.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Partial {
    /// Blocks covered (of [`RunPlan::block_size`] replications each).
    pub blocks: std::ops::Range<u64>,
    accum: Accum,
}

impl Accum {
    /// Checks that `self` has the shape of layout `l` (paths, outcomes, months, metrics):
    /// an error, not a panic, for a partial result of another run or a corrupt one.
    fn check(&self, l: &Layout) -> Result<()> {
        let (p, o) = (l.path_names.len(), l.outcomes.len());
        let ok = |n: usize, inner: &mut dyn Iterator<Item = usize>| {
            let v: Vec<usize> = inner.collect();
            v.len() == n && v.iter().all(|x| *x == o)
        };
        if !ok(p, &mut self.moments.iter().map(Vec::len))
            || !ok(p, &mut self.sketches.iter().map(Vec::len))
            || !ok(p, &mut self.paired.iter().map(Vec::len))
            || self.final_ci.len() != p
            || self.final_ci.iter().any(|b| {
                b.edges() != final_ci_bins().edges() || b.counts().len() + 1 != b.edges().len()
            })
        {
            bail!("the partial result does not have the shape of this run (paths, outcomes, months, metrics)");
        }
        self.series.check(&l.series_shape())
    }
}

/// A block's partial accumulators and (if wanted) its per-replication outcomes.
type Part = (Accum, Option<BlockRuns>);

/// Outcomes of one block, kept only when a [`RunSink`] wants them.
struct BlockRuns {
    first: u64,
    /// [replication in block][path][outcome]
    values: Vec<f64>,
    /// [replication in block][path]: the extra runs.csv cells (",<final rungs>,<statuses>").
    extra: Vec<String>,
    /// The block's records.csv rows, in order.
    records: String,
}

/// Receives every replication's outcomes, in replication order then path order (from a
/// worker thread, hence `Send`).
pub trait RunSink {
    /// Called once before the first replication with the run's layout (paths, outcomes).
    fn begin(&mut self, layout: &Layout) -> Result<()>;
    /// `values` are the outcomes in [`Layout::outcomes`] order (NaN = undefined).
    fn run(&mut self, replication: u64, path: usize, values: &[f64]) -> Result<()>;
    /// As [`RunSink::run`], with `extra`: the final rungs and issue statuses as CSV cells, each
    /// after a comma (see [`Layout::run_extra_columns`]). By default, calls `run`.
    fn run_row(
        &mut self,
        replication: u64,
        path: usize,
        values: &[f64],
        extra: &str,
    ) -> Result<()> {
        let _ = extra;
        self.run(replication, path, values)
    }
    /// The `records.csv` rows of consecutive replications (in order; called only when
    /// [`Layout::record_months`] is not empty and [`RunSink::wants_records`]).
    fn records(&mut self, rows: &str) -> Result<()> {
        let _ = rows;
        Ok(())
    }
    /// Whether this sink writes records (the engine formats them only then).
    fn wants_records(&self) -> bool {
        false
    }
}

/// Progress: (replications done, replications total), called after each wave. Returning
/// `ControlFlow::Break` stops the work at once with the error [`Interrupted`] (e.g. on Ctrl-C);
/// what was computed is dropped.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64) -> std::ops::ControlFlow<()>;

/// The error of work stopped by its [`Progress`] callback.
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

/// Block accumulators folded and ready to be reused.
type Recycled = std::sync::Mutex<Vec<Accum>>;

/// Per-worker time-series accumulators: each worker thread adds the monthly metrics of the
/// blocks it simulates into its own [`Series`], which lives for the whole run (merging is
/// exact, so which worker took which block does not matter); they are merged into the totals
/// when results are read. Allocated on a worker's first block.
type Workers = [std::sync::Mutex<Series>];

/// Replications whose monthly bin codes are buffered before they are counted (see
/// [`series`]): the buffer is `SERIES_BATCH × paths × months × metrics` codes of 2 bytes
/// (2 MB per worker on the baseline, linear in the horizon), so the histograms are streamed
/// through once per 64 replications at any horizon.
const SERIES_BATCH: usize = 64;

/// Simulates block `block` (replications `block × block_size ..` up to `limit`, exclusive) and
/// reduces it in replication order.
#[allow(clippy::too_many_arguments)]
fn run_block(
    s: &Scenario,
    plan: &RunPlan,
    l: &Layout,
    block: u64,
    limit: u64,
    (keep_runs, keep_records): (bool, bool),
    recycled: &Recycled,
    workers: &Workers,
) -> (Accum, Option<BlockRuns>) {
    let reused = recycled.lock().ok().and_then(|mut v| v.pop());
    let mut acc = match reused {
        Some(mut a) => {
            a.reset();
            a
        }
        None => Accum::new(l),
    };
    let first = block * plan.block_size;
    let end = (first + plan.block_size).min(limit);
    let np = plan.paths.len();
    let no = l.outcomes.len();
    let nm = l.metrics.len();
    let months = l.months as usize;
    // The worker's series, locked for the whole block (one block runs on one thread at a time).
    let shape = l.series_shape();
    let mut worker = (nm > 0 && !workers.is_empty()).then(|| {
        workers[rayon::current_thread_index().unwrap_or(0) % workers.len()]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    });
    if let Some(w) = worker.as_deref_mut() {
        if w.is_empty() {
            *w = Series::new(&shape);
        }
    }
    let mut runs = keep_runs.then(|| BlockRuns {
        first,
        values: Vec::with_capacity((end - first) as usize * np * no),
        extra: Vec::with_capacity((end - first) as usize * np),
        records: String::new(),
    });
    let nt = l.transitions.len();
    // First-passage months of the transitions of the current path (None = not yet).
    let mut first_pass: Vec<Option<u32>> = vec![None; nt];
    // Record values of the current month, when transitions or records need them.
    let mut rec_cells: Vec<crate::model::record::Cell> = Vec::new();
    let month_names: Vec<String> = if keep_records {
        l.record_months
            .iter()
            .map(|t| l.start.plus(*t as i64).to_string())
            .collect()
    } else {
        Vec::new()
    };
    let path_fields: Vec<String> = l
        .path_names
        .iter()
        .map(|p| crate::output::files::csv_field(p))
        .collect();
    let mut values = vec![0.0; np * no];
    // Bin codes of the monthly metrics: [path][replication in batch][month][metric], counted
    // every `batch` replications (the sums, minima and maxima are added as the months are
    // recorded).
    let per_rep = months * nm;
    let batch = SERIES_BATCH.min(plan.block_size as usize).max(1);
    let mut codes: Vec<u16> = if worker.is_some() {
        vec![0; np * batch * per_rep]
    } else {
        Vec::new()
    };
    let mut used = 0;
    let mut month_values = vec![f64::NAN; nm];
    let count = |w: &mut Series, codes: &[u16], used: usize| {
        for pi in 0..np {
            let path_codes = &codes[pi * batch * per_rep..];
            w.count(&shape, pi, path_codes, used);
        }
    };
    // One model for the block, recompiled for each replication (its buffers are reused).
    let mut model: Option<Model> = None;
    for r in first..end {
        let sampled = sample(s, plan.seed, r);
        let model: &Model = match model.as_mut() {
            Some(m) => {
                m.reset(&sampled);
                m
            }
            None => model.insert(Model::new(&sampled)),
        };
        for (pi, path) in plan.paths.iter().enumerate() {
            let row_start = (pi * batch + used) * per_rep;
            let mut row = codes.get_mut(row_start..row_start + per_rep);
            // Months the model does not record (none in practice) stay uncounted.
            if let Some(row) = row.as_deref_mut() {
                row.fill(series::CODE_NAN);
            }
            let mut ser = worker.as_deref_mut();
            first_pass.fill(None);
            let mut extra = String::new();
            let records = runs.as_mut().map(|r| &mut r.records);
            let mut records = records.filter(|_| keep_records);
            let mut record = |rec: &crate::model::MonthRecord| {
                let t = rec.t as usize;
                if nm == 0 || t >= months {
                    return;
                }
                if nt > 0 || keep_records || (keep_runs && t + 1 == months) {
                    month_extras(
                        l,
                        rec,
                        (&mut first_pass, &mut rec_cells, &mut extra),
                        records
                            .as_deref_mut()
                            .map(|w| (w, &path_fields[pi], r, &month_names[..])),
                        keep_runs,
                    );
                }
                if let (Some(ser), Some(row)) = (ser.as_deref_mut(), row.as_deref_mut()) {
                    // The metrics: the scalars, then the rungs (NaN if missing).
                    let scalars = rec.scalars();
                    let k = scalars.len().min(nm);
                    month_values[..k].copy_from_slice(&scalars[..k]);
                    month_values[k..].fill(f64::NAN);
                    for (y, r) in month_values[k..].iter_mut().zip(rec.rungs) {
                        *y = *r as f64;
                    }
                    let cell0 = shape.cell(pi, t, 0);
                    ser.observe_month(&shape, cell0, &month_values, &mut row[t * nm..(t + 1) * nm]);
                }
            };
            let out = model.simulate(*path, plan.seed, r, &mut record);
            let v = &mut values[pi * no..(pi + 1) * no];
            v[..out.values.len()].copy_from_slice(&out.values);
            for (i, f) in first_pass.iter().enumerate() {
                v[out.values.len() + i] = f.unwrap_or(l.months) as f64;
            }
            if let Some(runs) = &mut runs {
                runs.extra.push(extra);
            }
            if !l.score.is_empty() {
                v[no - 1] = l.score.iter().map(|(i, w)| w * out.values[*i]).sum();
            }
        }
        used += 1;
        if used == batch {
            if let Some(w) = worker.as_deref_mut() {
                count(w, &codes, used);
            }
            used = 0;
        }
        let reference = &values[l.reference * no..(l.reference + 1) * no];
        for pi in 0..np {
            let v = &values[pi * no..(pi + 1) * no];
            if let Some(f) = l.final_ci {
                acc.final_ci[pi].push(v[f]);
            }
            for o in 0..no {
                acc.moments[pi][o].push(v[o]);
                acc.sketches[pi][o].push(v[o]);
                acc.paired[pi][o].push(v[o], reference[o], l.higher_is_better(o));
            }
        }
        if let Some(runs) = &mut runs {
            runs.values.extend_from_slice(&values);
        }
    }
    if used > 0 {
        if let Some(w) = worker.as_deref_mut() {
            count(w, &codes, used);
        }
    }
    (acc, runs)
}

/// What a month's record gives beyond the time series: the transitions' first passages, the
/// runs.csv cells of the last month (`extra`), and the records.csv rows of recorded months.
fn month_extras(
    l: &Layout,
    rec: &crate::model::MonthRecord,
    (first_pass, cells, extra): (
        &mut [Option<u32>],
        &mut Vec<crate::model::record::Cell>,
        &mut String,
    ),
    records: Option<(&mut String, &String, u64, &[String])>,
    keep_runs: bool,
) {
    use crate::model::record::{status_name, Cell};
    use std::fmt::Write as _;
    let t = rec.t;
    let recorded = records
        .as_ref()
        .and_then(|_| l.record_months.binary_search(&t).ok());
    let pending = first_pass.iter().any(Option::is_none);
    if !(pending || recorded.is_some() || keep_runs && t + 1 == l.months) {
        return;
    }
    if pending || recorded.is_some() {
        cells.clear();
        rec.for_each_value(|c| cells.push(c));
    }
    if pending {
        for (f, c) in first_pass.iter_mut().zip(&l.transitions) {
            if f.is_none() && c.holds(cells) {
                *f = Some(t);
            }
        }
    }
    if let (Some(i), Some((w, path, r, names))) = (recorded, records) {
        let _ = write!(w, "{path},{r},{}", names[i]);
        for c in cells.iter() {
            w.push(',');
            match c {
                Cell::Num(x) if x.is_finite() => {
                    let _ = write!(w, "{x}");
                }
                Cell::Num(_) => {}
                Cell::Text(s) => w.push_str(s),
                Cell::Path(p) => w.push_str(&l.all_path_fields[*p]),
            }
        }
        w.push('\n');
    }
    if keep_runs && t + 1 == l.months {
        extra.clear();
        for k in rec.rungs {
            let _ = write!(extra, ",{k}");
        }
        for i in &rec.sim.st.issues {
            extra.push(',');
            extra.push_str(status_name(i.status));
        }
    }
}

/// Statistics of one outcome of one path.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeSummary {
    /// Replications where the outcome is defined (not NaN).
    pub n: u64,
    pub mean: f64,
    pub sd: f64,
    pub ci95: [f64; 2],
    /// p5, p25, p50, p75, p95 ([`QUANTILES`]).
    pub quantiles: [f64; 5],
    /// The quantile sketch, for distribution charts.
    pub sketch: Sketch,
}

/// Paired difference (path − reference) of one outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct PairedSummary {
    pub n: u64,
    pub mean_diff: f64,
    pub ci95: [f64; 2],
    /// P(path better than the reference); None for outcomes with no better direction.
    pub p_better: Option<f64>,
}

/// One cell of the time series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeriesPoint {
    pub mean: f64,
    pub quantiles: [f64; 5],
}

/// The parts of the time series that `[output]` configures: per path × month × metric, the
/// quantiles of [`Layout::quantiles`]; per path × month × rung metric, the replications with
/// rung ≥ r for r = 1..=max and the replications counted.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesExtra {
    /// [path][month][metric][quantile]
    pub quantiles: Vec<Vec<Vec<Vec<f64>>>>,
    /// [path][month][track]: (n, counts of rung ≥ 1, ≥ 2, ...).
    pub at_least: Vec<Vec<Vec<AtLeast>>>,
}

/// Replications counted and, for r = 1, 2, ..., those with rung ≥ r.
pub type AtLeast = (u64, Vec<u64>);

/// Aggregated results of a run.
#[derive(Clone, Debug)]
pub struct RunResults {
    pub layout: Layout,
    pub seed: u64,
    pub replications: u64,
    /// [path][outcome]
    pub outcomes: Vec<Vec<OutcomeSummary>>,
    /// [path][outcome] (the reference against itself included: zero difference)
    pub paired: Vec<Vec<PairedSummary>>,
    /// [path]: the final CI in fixed bins ([`final_ci_bins`]), for the distribution chart.
    pub final_ci_bins: Vec<Bins>,
    /// [path][month][metric]
    pub series: Vec<Vec<Vec<SeriesPoint>>>,
    /// Configured quantiles and P(rung ≥ r) counts of the time series.
    pub series_extra: SeriesExtra,
}

impl RunResults {
    pub fn outcome_index(&self, key: &str) -> Option<usize> {
        self.layout.outcomes.iter().position(|o| o.key == key)
    }
    pub fn metric_index(&self, key: &str) -> Option<usize> {
        self.layout.metrics.iter().position(|m| m.key == key)
    }
}

/// The track keys of the scenario in the model's order.
pub fn track_keys(s: &Scenario, seed: u64) -> Vec<String> {
    Model::new(&sample(s, seed, 0)).track_keys().to_vec()
}

/// Runs `plan` on scenario `s`, streaming each replication's outcomes to `sink` (if any) and
/// reporting progress to `progress` (if any).
pub fn run(
    s: &Scenario,
    plan: &RunPlan,
    sink: Option<&mut (dyn RunSink + Send)>,
    progress: Option<Progress<'_>>,
) -> Result<RunResults> {
    let mut runner = Runner::new(s, plan)?;
    runner.advance(plan.replications, sink, progress)?;
    Ok(runner.results())
}

/// A run that can be extended: replications are added in whole blocks, folded in block order
/// into the same totals, so a run advanced to *n* replications in several steps gives exactly
/// (bit for bit) the results of a run of *n* replications in one step. Used by adaptive
/// precision (`--precision`), which adds batches until the confidence intervals are narrow
/// enough.
pub struct Runner<'a> {
    s: &'a Scenario,
    plan: RunPlan,
    layout: Layout,
    pool: rayon::ThreadPool,
    total: Accum,
    /// Replications folded into `total` so far.
    done: u64,
    /// Block accumulators to reuse.
    recycled: Recycled,
    /// Time-series accumulators of the worker threads (one per thread, allocated on its
    /// first block).
    workers: Vec<std::sync::Mutex<Series>>,
}

impl<'a> Runner<'a> {
    pub fn new(s: &'a Scenario, plan: &RunPlan) -> Result<Runner<'a>> {
        let layout = Layout::new(s, plan, track_keys(s, plan.seed));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(plan.threads)
            .build()
            .context("cannot start the worker threads")?;
        let workers = (0..plan.threads)
            .map(|_| std::sync::Mutex::new(Series::default()))
            .collect();
        Ok(Runner {
            s,
            plan: plan.clone(),
            total: Accum::new(&layout),
            layout,
            pool,
            done: 0,
            recycled: Recycled::default(),
            workers,
        })
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Replications done so far.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// Replications of the whole run.
    pub fn replications(&self) -> u64 {
        self.plan.replications
    }

    /// Replications per block.
    pub fn block_size(&self) -> u64 {
        self.plan.block_size
    }

    /// Simulates replications `done()..to`. Unless `to` is the last step of the run, `to` must
    /// be a multiple of the block size (a partial block cannot be extended later). The sink,
    /// if any, gets `begin` on the first call and the new replications in order.
    pub fn advance<'s>(
        &mut self,
        to: u64,
        mut sink: Option<&mut (dyn RunSink + Send + 's)>,
        progress: Option<Progress<'_>>,
    ) -> Result<()> {
        let bs = self.plan.block_size;
        if !self.done.is_multiple_of(bs) {
            bail!("a run that ended on a partial block cannot be extended");
        }
        if to <= self.done {
            return Ok(());
        }
        if self.done == 0 {
            if let Some(sink) = sink.as_deref_mut() {
                sink.begin(&self.layout)?;
            }
        }
        let blocks = self.done / bs..to.div_ceil(bs);
        self.fold_blocks(blocks, to, sink, progress)?;
        self.done = to;
        Ok(())
    }

    /// Simulates the blocks `range` (replications up to `limit`, exclusive) and folds them
    /// into the totals, whatever was folded before (a shard, or a chunk of a resumed run).
    pub fn run_blocks(
        &mut self,
        range: std::ops::Range<u64>,
        progress: Option<Progress<'_>>,
    ) -> Result<()> {
        let limit = self.plan.replications;
        self.fold_blocks(range, limit, None, progress)
    }

    /// As [`Runner::run_blocks`], streaming the replications to `sink` (which gets `begin`
    /// first): a shard's records.csv.
    pub fn run_blocks_with<'s>(
        &mut self,
        range: std::ops::Range<u64>,
        sink: &mut (dyn RunSink + Send + 's),
        progress: Option<Progress<'_>>,
    ) -> Result<()> {
        let limit = self.plan.replications;
        sink.begin(&self.layout)?;
        self.fold_blocks(range, limit, Some(sink), progress)
    }

    /// The accumulators folded so far, for saving (see [`Partial`]).
    pub fn partial(&self, blocks: std::ops::Range<u64>) -> Partial {
        Partial {
            blocks,
            accum: self.combined(),
        }
    }

    /// The totals with the workers' time series merged in.
    fn combined(&self) -> Accum {
        let mut t = self.total.clone();
        for w in &self.workers {
            let w = w.lock().unwrap_or_else(|e| e.into_inner());
            // Cannot fail: every count of the totals and the workers is at most the run's
            // replications (≤ u32::MAX, checked by `absorb`) and every sum at most
            // replications × 2⁶² in magnitude (|round(x · 2³²)| ≤ 2⁶²), far below i128::MAX.
            t.series
                .merge(&w)
                .expect("the monthly series of one run cannot overflow (see Runner::absorb)");
        }
        t
    }

    /// Folds saved partial results into the totals (exact: the order does not matter) and
    /// counts their replications as done. Errors (without changing anything) if the partial
    /// result does not have this run's shape, covers more replications than the run has left,
    /// or holds counts or sums that its replications cannot produce.
    pub fn absorb(&mut self, p: &Partial) -> Result<()> {
        p.accum.check(&self.layout)?;
        let bs = self.plan.block_size;
        let n = self.plan.replications;
        let at = |b: u64| b.saturating_mul(bs).min(n);
        if p.blocks.start > p.blocks.end {
            bail!("the partial result covers an empty block range");
        }
        let reps = at(p.blocks.end) - at(p.blocks.start);
        if self.done.checked_add(reps).is_none_or(|d| d > n) {
            bail!(
                "the partial results cover more than the run's {n} replications (a shard or chunk merged twice?)"
            );
        }
        p.accum
            .series
            .check_counts(&self.layout.series_shape(), reps)?;
        // Cannot overflow now (counts ≤ replications, sums bounded by their counts), and is
        // checked anyway.
        self.total.merge(&p.accum)?;
        self.done += reps;
        Ok(())
    }

    fn fold_blocks<'s>(
        &mut self,
        range: std::ops::Range<u64>,
        to: u64,
        mut sink: Option<&mut (dyn RunSink + Send + 's)>,
        mut progress: Option<Progress<'_>>,
    ) -> Result<()> {
        let plan = &self.plan;
        let keep_runs = sink.is_some();
        let keep_records = !self.layout.record_months.is_empty()
            && sink.as_ref().is_some_and(|s| s.wants_records());
        let layout = &self.layout;
        let s = self.s;
        let first_block = range.start;
        let blocks = range.end;
        let start_reps = (first_block * plan.block_size).min(to);
        let end_reps = (blocks * plan.block_size).min(to);
        let accum_bytes: usize = layout
            .metrics
            .iter()
            .map(|m| m.hist.bins * 4 + 64)
            .sum::<usize>()
            * layout.months as usize
            * layout.path_names.len();
        let wave = (WAVE_MEMORY_BUDGET / accum_bytes.max(1)) as u64;
        let wave = wave.clamp(1, 2 * plan.threads as u64);
        let np = plan.paths.len();
        let no = layout.outcomes.len();
        // Wave k+1 is computed while wave k is folded (in block order) and streamed to the sink.
        let mut pending: Option<(u64, Vec<Part>)> = None;
        let mut next = first_block;
        loop {
            let range = next..(next + wave).min(blocks);
            let total_ref = &mut self.total;
            let recycled = &self.recycled;
            let workers = &self.workers[..];
            let sink_ref = &mut sink;
            let to_fold = pending.take();
            let (computed, folded) = self.pool.install(|| {
                rayon::join(
                    || {
                        (!range.is_empty()).then(|| {
                            range
                                .clone()
                                .into_par_iter()
                                .map(|b| {
                                    run_block(
                                        s,
                                        plan,
                                        layout,
                                        b,
                                        to,
                                        (keep_runs, keep_records),
                                        recycled,
                                        workers,
                                    )
                                })
                                .collect::<Vec<Part>>()
                        })
                    },
                    || -> Result<Option<u64>> {
                        let Some((end, parts)) = to_fold else {
                            return Ok(None);
                        };
                        for (acc, runs) in parts {
                            total_ref.merge(&acc)?;
                            if let Ok(mut r) = recycled.lock() {
                                r.push(acc);
                            }
                            if let (Some(sink), Some(runs)) = (sink_ref.as_deref_mut(), runs) {
                                for (i, rep) in runs.values.chunks(np * no).enumerate() {
                                    for (pi, v) in rep.chunks(no).enumerate() {
                                        let extra =
                                            runs.extra.get(i * np + pi).map_or("", String::as_str);
                                        sink.run_row(runs.first + i as u64, pi, v, extra)?;
                                    }
                                }
                                if !runs.records.is_empty() {
                                    sink.records(&runs.records)?;
                                }
                            }
                        }
                        Ok(Some(end))
                    },
                )
            });
            if let (Some(end), Some(p)) = (folded?, progress.as_deref_mut()) {
                // Replications of this call done, of this call's total.
                let done = (end * plan.block_size).min(to) - start_reps;
                if p(done, end_reps - start_reps).is_break() {
                    return Err(Interrupted.into());
                }
            }
            match computed {
                Some(parts) => pending = Some((range.end, parts)),
                None => break,
            }
            next = range.end;
        }
        Ok(())
    }

    /// The results of the replications done so far.
    pub fn results(&self) -> RunResults {
        finish(
            self.layout.clone(),
            self.plan.seed,
            self.done,
            self.combined(),
        )
    }
}

fn finish(layout: Layout, seed: u64, replications: u64, total: Accum) -> RunResults {
    let quant = |f: &dyn Fn(f64) -> f64| QUANTILES.map(f);
    let outcomes = total
        .moments
        .iter()
        .zip(&total.sketches)
        .map(|(ms, ss)| {
            ms.iter()
                .zip(ss)
                .map(|(m, s)| OutcomeSummary {
                    n: m.n,
                    mean: m.mean(),
                    sd: m.sd(),
                    ci95: m.ci95(),
                    quantiles: quant(&|q| s.quantile(q)),
                    sketch: s.clone(),
                })
                .collect()
        })
        .collect();
    let paired = total
        .paired
        .iter()
        .map(|ps| {
            ps.iter()
                .enumerate()
                .map(|(o, p)| PairedSummary {
                    n: p.diff.n,
                    mean_diff: p.diff.mean(),
                    ci95: if p.diff.n >= 2 {
                        p.diff.ci95()
                    } else {
                        [f64::NAN; 2]
                    },
                    p_better: match layout.outcomes[o].better {
                        Better::Neither => None,
                        _ => p.p_better(),
                    },
                })
                .collect()
        })
        .collect();
    let nm = layout.metrics.len();
    let months = layout.months as usize;
    let nk = layout.track_keys.len();
    let shape = layout.series_shape();
    let mut series = Vec::with_capacity(layout.path_names.len());
    let mut extra = SeriesExtra {
        quantiles: Vec::new(),
        at_least: Vec::new(),
    };
    for p in 0..layout.path_names.len() {
        let mut points = Vec::with_capacity(months);
        let mut qs = Vec::with_capacity(months);
        let mut ge = Vec::with_capacity(months);
        for t in 0..months {
            let mut pt = Vec::with_capacity(nm);
            let mut q = Vec::with_capacity(nm);
            let mut g = Vec::with_capacity(nk);
            for m in 0..nm {
                let (h, sum) = total.series.cell(&shape, p, t, m);
                let n = h.count();
                pt.push(SeriesPoint {
                    mean: if n == 0 {
                        f64::NAN
                    } else {
                        FixedSum(sum).value() / n as f64
                    },
                    quantiles: quant(&|q| h.quantile(q)),
                });
                q.push(layout.quantiles.iter().map(|x| h.quantile(*x)).collect());
                if m >= nm - nk {
                    g.push(h.at_least_counts());
                }
            }
            points.push(pt);
            qs.push(q);
            ge.push(g);
        }
        series.push(points);
        extra.quantiles.push(qs);
        extra.at_least.push(ge);
    }
    RunResults {
        layout,
        seed,
        replications,
        outcomes,
        paired,
        final_ci_bins: total.final_ci,
        series,
        series_extra: extra,
    }
}
