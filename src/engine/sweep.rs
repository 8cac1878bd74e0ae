//! Sweeps: every design point × path × replication, on common random numbers.
//!
//! A [`Design`] is a list of points, each giving values to the swept parameters (by address).
//! Replication *r* of every point and every path uses the same random streams: parameter draws
//! are keyed by (seed, replication, address), so the worlds differ only by the swept values.
//!
//! # Determinism and memory
//! Work is cut into tasks (point, block) in point-major order. Tasks are computed in parallel in
//! waves and folded **in task order**: a point's blocks are merged in block order exactly as
//! [`super::run`] merges them, so a point's statistics are bit-identical to a plain `run` of
//! the scenario with those values, whatever the number of threads. A point's accumulators are
//! dropped as soon as its last block is folded, leaving only its summary ([`PointResult`]):
//! memory grows with the number of points (about 1 KB per point × path × outcome... see
//! [`PointResult`]), never with the number of replications.

use super::{finish, run_block, Accum, Layout, PairedSummary, Part, Progress, RunPlan};
use crate::experiment::design::{grid, lhs, saltelli};
use crate::scenario::sweep::{DesignKind, Sweep, DEFAULT_LHS_N, DEFAULT_SOBOL_N};
use crate::scenario::{address, param::short, validate, Scenario};
use anyhow::{bail, Context, Result};
use rayon::prelude::*;

/// Tasks (point × block) per thread in one wave.
const TASKS_PER_THREAD: u64 = 4;

/// Points at which to run a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    pub kind: DesignKind,
    /// Swept parameter addresses.
    pub keys: Vec<String>,
    /// Lowest and highest value of each parameter (its range, or its listed values' extremes).
    pub bounds: Vec<(f64, f64)>,
    /// Grid levels of each parameter (grid designs only).
    pub levels: Vec<Vec<f64>>,
    /// `points[i][k]`: value of `keys[k]` at point i; NaN leaves the scenario's own value.
    pub points: Vec<Vec<f64>>,
    /// Base samples of a Sobol' design (0 otherwise).
    pub sobol_n: usize,
}

impl Design {
    /// The design of the scenario's `[sweep]` table. Each point's scenario is validated (so
    /// constraints between parameters, e.g. inauguration lag < US interval, hold at every point).
    pub fn from_sweep(s: &Scenario, sw: &Sweep, seed: u64) -> Result<Design> {
        let keys: Vec<String> = sw.parameters.keys().cloned().collect();
        if keys.is_empty() {
            bail!("the sweep has no parameters");
        }
        let bounds: Vec<(f64, f64)> = sw.parameters.values().map(|p| p.bounds()).collect();
        let d = keys.len();
        let scale = |unit: Vec<Vec<f64>>| -> Vec<Vec<f64>> {
            unit.into_iter()
                .map(|u| {
                    u.iter()
                        .zip(&bounds)
                        .map(|(u, (lo, hi))| lo + u * (hi - lo))
                        .collect()
                })
                .collect()
        };
        let mut levels = Vec::new();
        let mut sobol_n = 0;
        let points = match sw.design {
            DesignKind::Grid => {
                levels = sw.parameters.values().map(|p| p.levels()).collect();
                grid::grid(&levels).map_err(anyhow::Error::msg)?
            }
            DesignKind::Lhs => scale(lhs::lhs(sw.n.unwrap_or(DEFAULT_LHS_N) as usize, d, seed)),
            DesignKind::Sobol => {
                sobol_n = sw.n.unwrap_or(DEFAULT_SOBOL_N) as usize;
                let design = saltelli::saltelli(sobol_n, d, seed).map_err(anyhow::Error::msg)?;
                scale(design.points)
            }
        };
        // Whole-month parameters take whole values (as they are set), so the design records
        // what is run.
        let addresses = keys
            .iter()
            .map(|k| address::find(s, k).map_err(anyhow::Error::msg))
            .collect::<Result<Vec<_>>>()?;
        let points = points
            .into_iter()
            .map(|p| {
                p.iter()
                    .zip(&addresses)
                    .map(|(x, a)| address::effective_value(a, *x))
                    .collect()
            })
            .collect();
        let design = Design {
            kind: sw.design,
            keys,
            bounds,
            levels,
            points,
            sobol_n,
        };
        design.check(s)?;
        Ok(design)
    }

    /// Checks every address and every point's scenario (in parallel; the error reported is
    /// that of the first failing point).
    pub fn check(&self, s: &Scenario) -> Result<()> {
        for k in &self.keys {
            address::find(s, k).map_err(anyhow::Error::msg)?;
        }
        let first_bad = (0..self.points.len())
            .into_par_iter()
            .map(|i| {
                let sp = self.scenario(s, i);
                validate::check(
                    &sp,
                    &format!("design point {} ({})", i + 1, self.describe(i)),
                )
            })
            .find_first(|r| r.is_err());
        match first_bad {
            Some(Err(e)) => Err(anyhow::Error::new(e)),
            _ => Ok(()),
        }
    }

    /// `a = 0.3, b = 12` for point i (values to 4 decimals).
    pub fn describe(&self, i: usize) -> String {
        self.keys
            .iter()
            .zip(&self.points[i])
            .filter(|(_, x)| !x.is_nan())
            .map(|(k, x)| format!("{k} = {}", short(*x)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The scenario at point i (without its `[sweep]` table, which applies to the whole
    /// design).
    pub fn scenario(&self, s: &Scenario, i: usize) -> Scenario {
        let mut sp = s.clone();
        sp.sweep = None;
        for (k, x) in self.keys.iter().zip(&self.points[i]) {
            if !x.is_nan() {
                address::set(&mut sp, k, *x);
            }
        }
        sp
    }
}

/// Statistics of one outcome of one path at one point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PointStat {
    pub n: u64,
    pub mean: f64,
    pub sd: f64,
    pub ci95: [f64; 2],
    /// p5, p25, p50, p75, p95.
    pub quantiles: [f64; 5],
}

/// Results at one design point (about 100 bytes per path × outcome).
#[derive(Clone, Debug, PartialEq)]
pub struct PointResult {
    /// Values of the swept parameters (as set: whole-month parameters rounded).
    pub values: Vec<f64>,
    /// [path][outcome]
    pub outcomes: Vec<Vec<PointStat>>,
    /// [path][outcome]: paired difference against the reference path.
    pub paired: Vec<Vec<PairedSummary>>,
}

/// Results of a sweep.
#[derive(Clone, Debug)]
pub struct SweepResults {
    /// Paths, outcomes (no time series).
    pub layout: Layout,
    pub design: Design,
    pub seed: u64,
    /// Replications per point.
    pub replications: u64,
    pub points: Vec<PointResult>,
}

impl SweepResults {
    pub fn outcome_index(&self, key: &str) -> Option<usize> {
        self.layout.outcomes.iter().position(|o| o.key == key)
    }
    pub fn path_index(&self, name: &str) -> Option<usize> {
        self.layout.path_names.iter().position(|p| p == name)
    }
}

/// Runs `plan` (seed, replications per point, paths, threads) at every point of `design`.
/// `progress` gets (replications done, total) summed over points.
pub fn run_sweep(
    s: &Scenario,
    design: &Design,
    plan: &RunPlan,
    mut progress: Option<Progress<'_>>,
) -> Result<SweepResults> {
    let layout = sweep_layout(s, plan);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(plan.threads)
        .build()
        .context("cannot start the worker threads")?;
    let per_point = plan.blocks();
    let npoints = design.points.len() as u64;
    let tasks = npoints * per_point;
    let wave = TASKS_PER_THREAD * plan.threads as u64;
    let total_reps = npoints * plan.replications;
    let addresses = design
        .keys
        .iter()
        .map(|k| address::find(s, k).map_err(anyhow::Error::msg))
        .collect::<Result<Vec<_>>>()?;
    let values_at = |i: usize| -> Vec<f64> {
        addresses
            .iter()
            .zip(&design.points[i])
            .map(|(a, x)| {
                if x.is_nan() {
                    f64::NAN
                } else {
                    address::effective_value(a, *x)
                }
            })
            .collect()
    };
    let mut points: Vec<PointResult> = Vec::with_capacity(design.points.len());
    let mut current = Accum::new(&layout);
    let recycled = super::Recycled::default();
    let layout_ref = &layout;
    let mut pending: Option<(u64, Vec<Part>)> = None;
    let mut next = 0u64;
    loop {
        let range = next..(next + wave).min(tasks);
        let to_fold = pending.take();
        let points_ref = &mut points;
        let current_ref = &mut current;
        let (computed, folded) = pool.install(|| {
            rayon::join(
                || {
                    (!range.is_empty()).then(|| {
                        range
                            .clone()
                            .into_par_iter()
                            .map(|t| {
                                let (p, b) = ((t / per_point) as usize, t % per_point);
                                let sp = design.scenario(s, p);
                                run_block(
                                    &sp,
                                    plan,
                                    layout_ref,
                                    b,
                                    plan.replications,
                                    (false, false),
                                    &recycled,
                                    &[],
                                )
                            })
                            .collect::<Vec<Part>>()
                    })
                },
                || -> Result<Option<u64>> {
                    let Some((start, parts)) = to_fold else {
                        return Ok(None);
                    };
                    let end = start + parts.len() as u64;
                    for (i, (acc, _)) in parts.into_iter().enumerate() {
                        let t = start + i as u64;
                        current_ref.merge(&acc)?;
                        if let Ok(mut r) = recycled.lock() {
                            r.push(acc);
                        }
                        if t % per_point == per_point - 1 {
                            let done = std::mem::replace(current_ref, Accum::new(layout_ref));
                            let p = (t / per_point) as usize;
                            points_ref.push(summarise(layout_ref, plan, done, values_at(p)));
                        }
                    }
                    Ok(Some(end))
                },
            )
        });
        if let (Some(end), Some(p)) = (folded?, progress.as_deref_mut()) {
            let point_done = end / per_point;
            let reps = (point_done * plan.replications + (end % per_point) * plan.block_size)
                .min(total_reps);
            if p(reps, total_reps).is_break() {
                return Err(super::Interrupted.into());
            }
        }
        match computed {
            Some(parts) => pending = Some((range.start, parts)),
            None => break,
        }
        next = range.end;
    }
    Ok(SweepResults {
        layout,
        design: design.clone(),
        seed: plan.seed,
        replications: plan.replications,
        points,
    })
}

fn summarise(layout: &Layout, plan: &RunPlan, acc: Accum, values: Vec<f64>) -> PointResult {
    let r = finish(layout.clone(), plan.seed, plan.replications, acc);
    PointResult {
        values,
        outcomes: r
            .outcomes
            .iter()
            .map(|os| {
                os.iter()
                    .map(|o| PointStat {
                        n: o.n,
                        mean: o.mean,
                        sd: o.sd,
                        ci95: o.ci95,
                        quantiles: o.quantiles,
                    })
                    .collect()
            })
            .collect(),
        paired: r.paired,
    }
}

/// The layout of a sweep: paths and outcomes, no monthly series.
pub fn sweep_layout(s: &Scenario, plan: &RunPlan) -> Layout {
    let mut layout = Layout::new(s, plan, super::track_keys(s, plan.seed));
    layout.metrics.clear();
    layout
}

/// The points `range` of a design (a sweep shard): the same design restricted to them.
pub fn shard_points(d: &Design, range: std::ops::Range<usize>) -> Design {
    Design {
        points: d.points[range].to_vec(),
        ..d.clone()
    }
}

/// A [`PointResult`] with every number as its IEEE-754 bits, so that saving and loading it
/// (sweep shards) is exact, NaN included.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PointBits {
    values: Vec<u64>,
    /// [path][outcome]: n, mean, sd, ci low, ci high, p5..p95
    outcomes: Vec<Vec<[u64; 10]>>,
    /// [path][outcome]: n, mean diff, ci low, ci high, has P(better), P(better)
    paired: Vec<Vec<[u64; 6]>>,
}

impl From<&PointResult> for PointBits {
    fn from(p: &PointResult) -> PointBits {
        let b = |x: f64| x.to_bits();
        PointBits {
            values: p.values.iter().map(|x| b(*x)).collect(),
            outcomes: p
                .outcomes
                .iter()
                .map(|os| {
                    os.iter()
                        .map(|o| {
                            let q = o.quantiles;
                            [
                                o.n,
                                b(o.mean),
                                b(o.sd),
                                b(o.ci95[0]),
                                b(o.ci95[1]),
                                b(q[0]),
                                b(q[1]),
                                b(q[2]),
                                b(q[3]),
                                b(q[4]),
                            ]
                        })
                        .collect()
                })
                .collect(),
            paired: p
                .paired
                .iter()
                .map(|ps| {
                    ps.iter()
                        .map(|d| {
                            [
                                d.n,
                                b(d.mean_diff),
                                b(d.ci95[0]),
                                b(d.ci95[1]),
                                d.p_better.is_some() as u64,
                                b(d.p_better.unwrap_or(0.0)),
                            ]
                        })
                        .collect()
                })
                .collect(),
        }
    }
}

impl From<&PointBits> for PointResult {
    fn from(p: &PointBits) -> PointResult {
        let f = f64::from_bits;
        PointResult {
            values: p.values.iter().map(|x| f(*x)).collect(),
            outcomes: p
                .outcomes
                .iter()
                .map(|os| {
                    os.iter()
                        .map(|o| PointStat {
                            n: o[0],
                            mean: f(o[1]),
                            sd: f(o[2]),
                            ci95: [f(o[3]), f(o[4])],
                            quantiles: [f(o[5]), f(o[6]), f(o[7]), f(o[8]), f(o[9])],
                        })
                        .collect()
                })
                .collect(),
            paired: p
                .paired
                .iter()
                .map(|ps| {
                    ps.iter()
                        .map(|d| PairedSummary {
                            n: d[0],
                            mean_diff: f(d[1]),
                            ci95: [f(d[2]), f(d[3])],
                            p_better: (d[4] == 1).then(|| f(d[5])),
                        })
                        .collect()
                })
                .collect(),
        }
    }
}
