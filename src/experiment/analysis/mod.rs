//! Analyses of experiment results.

pub mod influence;
pub mod prim;
pub mod sobol;
pub mod tornado;
