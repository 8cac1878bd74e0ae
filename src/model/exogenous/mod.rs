//! Exogenous processes (MODEL.md §4): North Korea, China, history shocks, elections and the US.

pub mod china;
pub mod elections;
pub mod history;
pub mod nk;
