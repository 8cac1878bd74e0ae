//! `trisim calibrate`: approximate Bayesian computation by sequential Monte Carlo (ABC-SMC)
//! of scenario parameters against observed series.
//!
//! - [`prior`]: the priors (`--param ADDR=LOW..HIGH` or the scenario's distribution);
//! - [`distance`]: the observations and the distance, from `trisim score`'s statistics;
//! - [`simulate`]: particles simulated on common random numbers, in parallel;
//! - [`smc`]: the algorithm (adaptive tolerance, perturbation kernel, importance weights);
//! - [`output`]: the result files, the overlay scenario and the table; [`charts`]: charts.
//!
//! Documentation: `docs/calibrate.md`.

pub mod charts;
pub mod distance;
pub mod output;
pub mod prior;
pub mod simulate;
pub mod smc;
