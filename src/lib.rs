//! trisim: a Monte Carlo agent-based simulator of Seoul–Tokyo–Washington cooperation that
//! compares ways of pursuing it (gradual, hasty, ...) on common random numbers.
//!
//! Layers: [`scenario`] (the input format, loading, validation, sampling), [`model`] (the
//! agent-based model, pure), [`engine`] (replications in parallel, streaming statistics),
//! [`experiment`] (designs of experiments and their analyses: Sobol', tornado, PRIM),
//! [`output`] (result files, charts, terminal table), [`score`] (a run scored against
//! observations).

pub mod calibrate;
pub mod engine;
pub mod experiment;
pub mod model;
pub mod output;
pub mod rng;
pub mod scenario;
pub mod score;
