//! The agent-based model of docs/model.md (Parts 1–3). It knows nothing of files, terminals or
//! threads: it takes a scenario whose parameters have been sampled for one replication and
//! simulates one cooperation path on the streams of that replication.
//!
//! Modules: [`compiled`] (the scenario resolved to indices), [`state`] (agents, streams, draws),
//! [`tracks`] (ladders, CI, lock-in), [`exogenous`] (NK, China, history, elections/US),
//! [`opinion`] (fears, Cha friction, favourability, trust), [`decisions`] (valuation, backlash,
//! win-set, joint move), [`path`] (proposals, history mode), [`policy`] (the path in force,
//! relative gates), [`politics`] (approval, crisis,
//! US friction, turnover), [`events`] (replayed events that set the state, docs/model.md §3.18),
//! [`cycle`] (the monthly order and the outcomes).
//!
//! Common random numbers: every call to [`Model::simulate`] creates fresh streams from
//! (seed, replication); each process draws a fixed count of numbers every month (the
//! path-dependent ones up front in [`state::Draws`]; the NK process takes one `u64` seeding a
//! month-local sub-generator plus two uniforms), and the NK process depends on nothing
//! path-specific, so replication *r* of every path sees the same exogenous randomness, and two
//! scenarios that differ only from some month on share every draw before it.

pub mod compiled;
pub mod cycle;
pub mod decisions;
pub mod events;
pub mod exogenous;
pub mod linkage;
pub mod opinion;
pub mod outcomes;
pub mod path;
pub mod policy;
pub mod politics;
pub mod record;
pub mod schedule;
pub mod settlement;
pub mod state;
pub mod support;
pub mod tracks;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_mechanisms;
#[cfg(test)]
mod tests_settlement;
#[cfg(test)]
mod tests_v2;

pub use outcomes::*;
pub use state::Diagnostics;

use crate::scenario::Scenario;
use compiled::Compiled;
use state::Sim;

/// A scenario with every parameter sampled for one replication, compiled for simulation.
pub struct Model {
    compiled: Compiled,
    /// The later segments of a time-varying scenario (`[[series]]`, `set` events): (first
    /// month, compiled), in month order; empty without a schedule (see [`schedule`]).
    later: Vec<(u32, Compiled)>,
    /// What the paths of a replication share (see [`state::Memo`]).
    memo: std::sync::Mutex<state::Memo>,
}

impl Model {
    /// Compiles a validated scenario whose parameters are all fixed (sampled).
    pub fn new(scenario: &Scenario) -> Model {
        let (compiled, later) = schedule::compile_segments(scenario);
        Model {
            compiled,
            later,
            memo: std::sync::Mutex::new(state::Memo::default()),
        }
    }

    /// Compiles another sampled scenario (e.g. the next replication's) into this model,
    /// keeping the buffers of the per-replication memo (no allocation per month): the same as
    /// `Model::new(scenario)`.
    pub fn reset(&mut self, scenario: &Scenario) {
        (self.compiled, self.later) = schedule::compile_segments(scenario);
        let memo = self.memo.get_mut().unwrap_or_else(|e| e.into_inner());
        // NK launches depend on the compiled NK parameters: forget them. The draws are keyed by
        // the stream states alone and stay valid.
        memo.nk.clear();
    }

    /// Simulates path number `path` (index into the scenario's `paths` map) for replication
    /// `replication` under master seed `seed`, calling `record` at the end of every month.
    pub fn simulate(
        &self,
        path: usize,
        seed: u64,
        replication: u64,
        record: &mut dyn FnMut(&MonthRecord),
    ) -> Outcomes {
        self.simulate_with_diagnostics(path, seed, replication, record)
            .0
    }

    /// As [`Model::simulate`], also returning [`Diagnostics`] (moves, side payments, linkage,
    /// turnovers, stream probes).
    pub fn simulate_with_diagnostics(
        &self,
        path: usize,
        seed: u64,
        replication: u64,
        record: &mut dyn FnMut(&MonthRecord),
    ) -> (Outcomes, Diagnostics) {
        let mut sim = Sim::new(&self.compiled, path, seed, replication);
        let memo = || self.memo.lock().unwrap_or_else(|e| e.into_inner());
        sim.memo = std::mem::take(&mut *memo());
        sim.run(record, &self.later);
        *memo() = std::mem::take(&mut sim.memo);
        let out = sim.outcomes();
        sim.diag.stream_probe = sim.probe_streams();
        (out, sim.diag)
    }

    /// Track keys in the model's order (the order of `MonthRecord::rungs`).
    pub fn track_keys(&self) -> &[String] {
        &self.compiled.keys
    }

    /// Number of paths.
    pub fn path_count(&self) -> usize {
        self.compiled.paths.len()
    }

    /// The compiled scenario (for tests and analysis).
    pub fn compiled(&self) -> &Compiled {
        &self.compiled
    }
}
