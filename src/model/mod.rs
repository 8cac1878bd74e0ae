//! The agent-based model of MODEL.md §1–§7. It knows nothing of files, terminals or threads:
//! it takes a scenario whose parameters have been sampled for one replication and simulates
//! one cooperation path on the streams of that replication.

pub mod outcomes;

pub use outcomes::*;

use crate::scenario::Scenario;

/// A scenario with every parameter sampled for one replication, compiled for simulation.
pub struct Model {
    // filled in by the model implementation
}

impl Model {
    /// Compiles a validated scenario whose parameters are all fixed (sampled).
    pub fn new(_scenario: &Scenario) -> Model {
        todo!("model implementation")
    }

    /// Simulates path number `path` (index into the scenario's `paths` map) for replication
    /// `replication` under master seed `seed`, calling `record` at the end of every month.
    pub fn simulate(
        &self,
        _path: usize,
        _seed: u64,
        _replication: u64,
        _record: &mut dyn FnMut(&MonthRecord),
    ) -> Outcomes {
        todo!("model implementation")
    }

    /// Track keys in the model's order (the order of `MonthRecord::rungs`).
    pub fn track_keys(&self) -> &[String] {
        todo!("model implementation")
    }
}
