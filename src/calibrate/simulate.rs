//! Simulating particles on common random numbers: replication r of every particle samples
//! the scenario's other distributions and draws every random event from the streams of
//! (seed, r), exactly as replication r of `trisim run` (the engine's machinery:
//! [`crate::scenario::sample::sample`], [`Model::simulate`]); only the calibrated parameters
//! differ. Particles are simulated in parallel on a pool of `threads` threads and collected
//! in particle order, so the results do not depend on the number of threads.

use super::distance::{distance, Simulated, Target};
use crate::model::record::Cell;
use crate::model::Model;
use crate::scenario::sample::sample;
use crate::scenario::{address, validate, Scenario};
use rayon::prelude::*;

/// Simulates particles of a scenario for a [`Target`].
pub struct Simulator<'a> {
    pub base: &'a Scenario,
    pub target: &'a Target,
    pub keys: Vec<String>,
    /// Path index (into the scenario's `[paths]`).
    pub path: usize,
    pub seed: u64,
    pub replications: u64,
    pub pool: rayon::ThreadPool,
}

impl Simulator<'_> {
    /// The scenario with the calibrated parameters fixed at `theta`.
    pub fn scenario(&self, theta: &[f64]) -> Scenario {
        let mut s = self.base.clone();
        address::set_all(&mut s, &self.keys, theta);
        s
    }

    /// Whether the scenario at `theta` is valid (constraints between parameters).
    pub fn valid(&self, theta: &[f64]) -> bool {
        validate::check(&self.scenario(theta), "calibration").is_ok()
    }

    /// Replications 0..R of scenario `s`, recording the observed months (or every month with
    /// `all_months`).
    pub fn run(&self, s: &Scenario, replications: u64, all_months: bool) -> Simulated {
        let t = self.target;
        let r_count = replications as usize;
        let mut out = Simulated::new(t, r_count);
        let horizon = t.run.horizon;
        let months: Vec<i64> = if all_months {
            (0..horizon).collect()
        } else {
            t.months.clone()
        };
        let records: Vec<usize> = (0..t.series.len())
            .filter(|k| t.cell(*k, &[]).is_some())
            .collect();
        for &k in &records {
            for m in &months {
                out.values[k].insert(*m, vec![vec![f64::NAN; r_count]]);
            }
        }
        let mut model: Option<Model> = None;
        let mut cells: Vec<Cell> = Vec::new();
        for r in 0..replications {
            let sampled = sample(s, self.seed, r);
            let model: &Model = match model.as_mut() {
                Some(m) => {
                    m.reset(&sampled);
                    m
                }
                None => model.insert(Model::new(&sampled)),
            };
            let values = &mut out.values;
            let mut record = |rec: &crate::model::MonthRecord| {
                let m = rec.t as i64;
                if months.binary_search(&m).is_err() {
                    return;
                }
                cells.clear();
                rec.for_each_value(|c| cells.push(c));
                for &k in &records {
                    if let (Some(x), Some(slot)) = (t.cell(k, &cells), values[k].get_mut(&m)) {
                        slot[0][r as usize] = x;
                    }
                }
            };
            let o = model.simulate(self.path, self.seed, r, &mut record);
            for (k, rd) in t.reads.iter().enumerate() {
                if let super::distance::Read::Outcome(i) = rd {
                    out.outcomes[k].push(o.values[*i]);
                }
            }
        }
        out
    }

    /// The distance of every particle (in order), simulated in parallel.
    pub fn distances(&self, thetas: &[Vec<f64>]) -> Vec<f64> {
        self.pool.install(|| {
            thetas
                .par_iter()
                .map(|th| {
                    let sim = self.run(&self.scenario(th), self.replications, false);
                    distance(self.target, &sim).0
                })
                .collect()
        })
    }
}
