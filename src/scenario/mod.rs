//! Scenario files: the format ([`types`]), its defaults, loading with precise error messages,
//! validation, and per-replication sampling of distribution parameters.

pub mod address;
pub mod calendar;
pub mod defaults;
pub mod error;
pub mod explain;
pub mod load;
pub mod param;
pub mod sample;
pub mod schema;
pub mod series;
pub mod sweep;
pub mod types;
pub mod untrusted;
pub mod validate;

pub use calendar::YearMonth;
pub use error::{Diagnostic, ScenarioError};
pub use load::{
    load_file, load_file_with_sources, load_str, load_str_with_base, to_toml, MAX_EXTENDS_DEPTH,
};
pub use param::{Bound, Dist, Param};
pub use types::*;
