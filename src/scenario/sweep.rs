//! The `[sweep]` table: which parameters an experiment varies, and how.
//!
//! ```toml
//! [sweep]
//! design = "grid"            # or "lhs" (with n = 200) or "sobol" (with n = 256)
//! replications = 500         # per design point (default: scenario.replications)
//! [sweep.parameters]
//! "actors.seoul.favourability" = { values = [0.15, 0.3, 0.45] }
//! "history.issues.forced_labor.salience" = { range = { low = 0.2, high = 0.8, steps = 4 } }
//! ```
//!
//! Parameters are named by address ([`super::address`]). A grid takes every combination of
//! the listed `values` or of `steps` evenly spaced values of a `range`; a Latin hypercube
//! (`lhs`) draws `n` points over the ranges; a Sobol' design (`sobol`) is Saltelli's scheme
//! for variance-based sensitivity with `n` base samples, i.e. `n × (parameters + 2)` points.
//! The table is validated with the rest of the scenario (`validate.rs`).

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Largest number of design points of a sweep (more is refused at load time). A point keeps
/// about 140 bytes per path × outcome (≈ 5 KB with 2 paths and 19 outcomes), so 100,000
/// points hold about 0.5 GB with 2 paths and 1.3 GB with all 5.
pub const MAX_POINTS: u64 = 100_000;

/// Default `n` of a Latin hypercube.
pub const DEFAULT_LHS_N: u64 = 100;
/// Default `n` (base samples) of a Sobol' (Saltelli) design.
pub const DEFAULT_SOBOL_N: u64 = 256;

/// How design points are chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DesignKind {
    /// Full factorial over `values` / `range` with `steps`.
    #[default]
    Grid,
    /// Latin hypercube of `n` points over the ranges (McKay et al. 1979), seeded.
    Lhs,
    /// Saltelli's design on a scrambled Sobol' sequence, `n` base samples (Saltelli et al. 2010).
    Sobol,
}

impl DesignKind {
    pub fn name(self) -> &'static str {
        match self {
            DesignKind::Grid => "grid",
            DesignKind::Lhs => "lhs",
            DesignKind::Sobol => "sobol",
        }
    }
}

/// `[sweep]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    #[serde(default)]
    pub design: DesignKind,
    /// Number of points (`lhs`, default 100) or of base samples (`sobol`, default 256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    /// Replications per design point and path (default: `scenario.replications`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replications: Option<u64>,
    /// Outcome analysed by `trisim sensitivity` (default `score` if the scenario defines one,
    /// else `final_ci`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Paired difference analysed by `trisim sensitivity`, `"a:b"` = path a − path b
    /// (default: the first other path − the reference path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_diff: Option<String>,
    /// Swept parameters by address, in order.
    #[serde(default)]
    pub parameters: IndexMap<String, SweepParam>,
}

/// How one parameter is swept: a list of `values` (grid only) or a `range`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepParam {
    /// The values taken (grid designs only), e.g. `[0.15, 0.3, 0.45]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<f64>>,
    /// The range swept, `{ low, high }` (and `steps` for a grid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<SweepRange>,
}

/// `range = { low, high, steps }`; `steps` (≥ 2, grid only) evenly spaced values including
/// both ends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepRange {
    /// Lowest value.
    pub low: f64,
    /// Highest value (at least `low`).
    pub high: f64,
    /// Number of evenly spaced values, both ends included (grid only; at least 2, default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<u64>,
}

impl SweepParam {
    /// Lowest and highest value swept.
    pub fn bounds(&self) -> (f64, f64) {
        match (&self.values, &self.range) {
            (Some(v), _) => (
                v.iter().copied().fold(f64::INFINITY, f64::min),
                v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
            (None, Some(r)) => (r.low, r.high),
            (None, None) => (f64::NAN, f64::NAN),
        }
    }

    /// The grid levels: the values, or `steps` evenly spaced values of the range (ends exact;
    /// empty for an invalid range, which validation reports).
    pub fn levels(&self) -> Vec<f64> {
        match (&self.values, &self.range) {
            (Some(v), _) => v.clone(),
            (None, Some(r)) => {
                let steps = r.steps.unwrap_or(2).max(2);
                crate::experiment::design::grid::linspace(r.low, r.high, steps as usize)
                    .unwrap_or_default()
            }
            (None, None) => Vec::new(),
        }
    }
}

impl Sweep {
    /// Number of design points (saturating; checked against [`MAX_POINTS`] at load time).
    pub fn points(&self) -> u64 {
        let d = self.parameters.len() as u64;
        match self.design {
            DesignKind::Grid => self
                .parameters
                .values()
                .map(|p| p.levels_count())
                .fold(1u64, |a, b| a.saturating_mul(b)),
            DesignKind::Lhs => self.n.unwrap_or(DEFAULT_LHS_N),
            DesignKind::Sobol => self
                .n
                .unwrap_or(DEFAULT_SOBOL_N)
                .saturating_mul(d.saturating_add(2)),
        }
    }
}

impl SweepParam {
    fn levels_count(&self) -> u64 {
        match (&self.values, &self.range) {
            (Some(v), _) => v.len() as u64,
            (None, Some(r)) => r.steps.unwrap_or(2),
            (None, None) => 0,
        }
    }
}
