//! Experiments over scenarios: designs of experiments (which parameter values to run) and
//! analyses of their results (sensitivity indices, tornado, scenario discovery), one module per
//! method. Everything here is pure computation on numbers: no files, no scenarios.

pub mod analysis;
pub mod condition;
pub mod design;
