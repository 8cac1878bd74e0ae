//! Designs of experiments: points in the unit hypercube (or on given levels).

pub mod grid;
pub mod lhs;
pub mod saltelli;
