//! Exogenous processes (docs/model.md §3.4–§3.6, §3.14): North Korea, China, history shocks,
//! elections and the US.

pub mod china;
pub mod elections;
pub mod history;
pub mod nk;
