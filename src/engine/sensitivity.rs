//! Sensitivity studies: Sobol' indices from a Saltelli design and a one-at-a-time tornado, of
//! one path's mean outcome or of the paired difference between two paths.
//!
//! Each design point is run with the plan's replications on common random numbers; the model
//! output at a point is the mean over replications (of the outcome, or of the paired
//! difference path − minus). The indices are then computed from these point means by
//! [`crate::experiment::analysis::sobol`] (Saltelli et al. 2010 first order, Jansen 1999
//! total, bootstrap CIs), and the tornado by [`crate::experiment::analysis::tornado`].
//! Monte Carlo noise in the point means adds variance that no parameter explains; with common
//! random numbers and a paired difference it is small, and `--replications` shrinks it.

use super::sweep::{run_sweep, Design, SweepResults};
use super::{Overrides, Progress, RunPlan};
use crate::experiment::analysis::sobol::{self, SobolIndices};
use crate::experiment::analysis::tornado::{self, Tornado};
use crate::model::OUTCOMES;
use crate::scenario::sweep::DesignKind;
use crate::scenario::validate::did_you_mean;
use crate::scenario::Scenario;
use anyhow::{anyhow, bail, Result};

/// Checks that `key` is an outcome of scenario `s` (a model outcome, or `score` if the
/// scenario defines one); the error names the nearest one and lists them all.
pub fn check_outcome(s: &Scenario, key: &str) -> Result<()> {
    let mut valid: Vec<&str> = OUTCOMES.iter().map(|o| o.key).collect();
    if !s.scenario.score.is_empty() {
        valid.push("score");
    }
    if valid.contains(&key) {
        return Ok(());
    }
    let hint = did_you_mean(key, valid.iter().copied())
        .map(|h| format!("; {h}"))
        .unwrap_or_default();
    bail!(
        "unknown outcome `{key}`{hint} (outcomes: {})",
        valid.join(", ")
    )
}

/// What is analysed: the mean `outcome` of `path`, minus that of `minus` if any (a paired
/// difference).
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub outcome: String,
    pub path: String,
    pub minus: Option<String>,
}

impl Target {
    /// `hasty − gradual: final_ci` or `hasty: final_ci`.
    pub fn label(&self) -> String {
        match &self.minus {
            Some(b) => format!("{} − {}: {}", self.path, b, self.outcome),
            None => format!("{}: {}", self.path, self.outcome),
        }
    }

    /// Resolves the options against the scenario: `outcome` (default `score` if the scenario
    /// defines one, else `final_ci`), a single
    /// `path`, or `path_diff` "A:B" (default: the first path other than the reference − the
    /// reference). Unknown names are errors naming the nearest valid one.
    pub fn resolve(
        s: &Scenario,
        outcome: Option<String>,
        path: Option<String>,
        path_diff: Option<String>,
    ) -> Result<Target> {
        let outcome = outcome.unwrap_or_else(|| {
            if s.scenario.score.is_empty() {
                "final_ci".to_string()
            } else {
                "score".to_string()
            }
        });
        check_outcome(s, &outcome)?;
        let check = |p: &str| -> Result<String> {
            if s.paths.contains_key(p) {
                return Ok(p.to_string());
            }
            let hint = did_you_mean(p, s.paths.keys().map(String::as_str))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            bail!("unknown path `{p}`{hint}")
        };
        if let Some(p) = path {
            return Ok(Target {
                outcome,
                path: check(&p)?,
                minus: None,
            });
        }
        let reference = &s.scenario.reference_path;
        let pd = match path_diff {
            Some(pd) => pd,
            None => {
                let other = s
                    .scenario
                    .paths
                    .iter()
                    .chain(s.paths.keys())
                    .find(|p| *p != reference)
                    .ok_or_else(|| {
                        anyhow!("the scenario has a single path: name one with --path")
                    })?;
                format!("{other}:{reference}")
            }
        };
        let (a, b) = pd
            .split_once(':')
            .ok_or_else(|| anyhow!("a path difference is written A:B (A − B), got `{pd}`"))?;
        let (a, b) = (check(a.trim())?, check(b.trim())?);
        if a == b {
            bail!(
                "the path difference `{pd}` compares `{a}` with itself; name two different paths"
            );
        }
        Ok(Target {
            outcome,
            path: a,
            minus: Some(b),
        })
    }

    /// The run plan: `minus` first (the reference of the paired differences), then `path`.
    pub fn plan(&self, s: &Scenario, overrides: &Overrides) -> Result<RunPlan> {
        let mut plan = RunPlan::new(s, overrides)?;
        let index = |p: &str| {
            s.paths
                .get_index_of(p)
                .ok_or_else(|| anyhow!("unknown path `{p}`"))
        };
        plan.paths = match &self.minus {
            Some(b) => vec![index(b)?, index(&self.path)?],
            None => vec![index(&self.path)?],
        };
        plan.reference = 0;
        Ok(plan)
    }

    /// The analysed value at each point of a sweep run with [`Target::plan`].
    fn values(&self, r: &SweepResults) -> Result<Vec<f64>> {
        let o = r
            .outcome_index(&self.outcome)
            .ok_or_else(|| anyhow!("the run has no outcome `{}`", self.outcome))?;
        let p = r
            .path_index(&self.path)
            .ok_or_else(|| anyhow!("the run has no path `{}`", self.path))?;
        Ok(r.points
            .iter()
            .map(|pt| match self.minus {
                Some(_) => pt.paired[p][o].mean_diff,
                None => pt.outcomes[p][o].mean,
            })
            .collect())
    }
}

/// The tornado design of a design's parameters: point 0 leaves the scenario as it is, then
/// each parameter in turn at the low and at the high end of its range.
pub fn tornado_design(design: &Design) -> Design {
    let d = design.keys.len();
    let mut points = vec![vec![f64::NAN; d]];
    for k in 0..d {
        for x in [design.bounds[k].0, design.bounds[k].1] {
            let mut p = vec![f64::NAN; d];
            p[k] = x;
            points.push(p);
        }
    }
    Design {
        kind: DesignKind::Grid,
        keys: design.keys.clone(),
        bounds: design.bounds.clone(),
        levels: Vec::new(),
        points,
        sobol_n: 0,
    }
}

/// Everything a sensitivity study computed.
#[derive(Clone, Debug)]
pub struct SensitivityResults {
    pub target: Target,
    pub indices: SobolIndices,
    pub tornado: Tornado,
    pub bootstrap: usize,
    /// The Saltelli points and their statistics.
    pub saltelli: SweepResults,
    /// The tornado points and their statistics.
    pub tornado_runs: SweepResults,
}

/// Runs the Saltelli `design` (a Sobol' design) and its tornado with `plan` (from
/// [`Target::plan`]) and computes the indices with `bootstrap` resamples (seeded by the plan's
/// seed).
pub fn run_sensitivity(
    s: &Scenario,
    design: &Design,
    plan: &RunPlan,
    target: &Target,
    bootstrap: usize,
    progress: Option<Progress<'_>>,
) -> Result<SensitivityResults> {
    let mut quiet = |_: u64, _: u64| std::ops::ControlFlow::Continue(());
    let progress: &mut dyn FnMut(u64, u64) -> std::ops::ControlFlow<()> = match progress {
        Some(p) => p,
        None => &mut quiet,
    };
    if design.kind != DesignKind::Sobol || design.sobol_n == 0 {
        bail!("a sensitivity study needs a Sobol' (Saltelli) design");
    }
    let d = design.keys.len();
    let tor_design = tornado_design(design);
    tor_design.check(s)?;
    // One progress count over both designs.
    let first = design.points.len() as u64 * plan.replications;
    let total = first + tor_design.points.len() as u64 * plan.replications;
    let saltelli = run_sweep(
        s,
        design,
        plan,
        Some(&mut |done: u64, _: u64| progress(done, total)),
    )?;
    let tornado_runs = run_sweep(
        s,
        &tor_design,
        plan,
        Some(&mut |done: u64, _: u64| progress(first + done, total)),
    )?;
    let label = target.label();
    let y = target.values(&saltelli)?;
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        bail!(
            "{label} is undefined at design point {} ({}): no replication defines it there; choose another outcome (e.g. final_ci) or other ranges",
            i + 1,
            design.describe(i)
        );
    }
    let indices = sobol::sobol_indices(design.sobol_n, d, &y, bootstrap, plan.seed)
        .map_err(|e| anyhow!("cannot compute Sobol' indices of {label}: {e}"))?;
    let ty = target.values(&tornado_runs)?;
    if let Some(i) = ty.iter().position(|v| !v.is_finite()) {
        bail!(
            "{label} is undefined at tornado point {} ({})",
            i + 1,
            tor_design.describe(i)
        );
    }
    let tornado = tornado::tornado(&ty, d)
        .map_err(|e| anyhow!("cannot compute the tornado of {label}: {e}"))?;
    Ok(SensitivityResults {
        target: target.clone(),
        indices,
        tornado,
        bootstrap,
        saltelli,
        tornado_runs,
    })
}
