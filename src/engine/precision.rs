//! Adaptive precision: add replications until the paired differences are precise enough.
//!
//! The run proceeds in batches of whole blocks. After each batch, the widest 95% CI
//! half-width *w* among the paired differences (each path − reference) of the primary outcome
//! is compared with the target *H*. If *w > H*, the next batch size comes from the usual
//! √n law: the total is raised to ⌈n · (w/H)² · 1.1⌉ (10% margin), at least one more block,
//! rounded up to whole blocks and capped at the maximum. Every quantity involved is a
//! deterministic function of the seed, so the same seed stops at the same point with the same
//! numbers, and the results equal those of a plain run of that many replications (the
//! [`Runner`] folds blocks in the same order).

use super::{Progress, RunResults, RunSink, Runner};
use anyhow::{bail, Result};
use serde_json::{json, Value};

/// The primary outcome of adaptive precision: `score` if the run has one, else `final_ci`.
pub fn primary_outcome(r: &RunResults) -> Option<usize> {
    r.outcome_index("score")
        .or_else(|| r.outcome_index("final_ci"))
}

/// What adaptive precision did.
#[derive(Clone, Debug, PartialEq)]
pub struct PrecisionReport {
    pub target: f64,
    pub outcome: String,
    /// Replications after each batch.
    pub batches: Vec<u64>,
    /// Widest half-width after the last batch, and the path it belongs to.
    pub achieved: f64,
    pub widest_path: String,
    pub reference: String,
    pub met: bool,
    pub max_replications: u64,
}

impl PrecisionReport {
    pub fn replications(&self) -> u64 {
        self.batches.last().copied().unwrap_or(0)
    }

    /// A one-paragraph account for the terminal.
    pub fn message(&self) -> String {
        if self.met {
            format!(
                "precision: every paired difference of {} has a 95% CI half-width <= {} after {} replications in {} batch(es) (widest: {} - {}, ±{:.3e})",
                self.outcome,
                self.target,
                self.replications(),
                self.batches.len(),
                self.widest_path,
                self.reference,
                self.achieved
            )
        } else {
            format!(
                "warning: precision {} not reached: stopped at the cap of {} replications (--max-replications) with a widest 95% CI half-width of {:.3e} ({} - {} on {}); about {} replications would be needed",
                self.target,
                self.replications(),
                self.achieved,
                self.widest_path,
                self.reference,
                self.outcome,
                needed(self.replications(), self.achieved, self.target)
            )
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "outcome": self.outcome,
            "target_half_width": self.target,
            "achieved_half_width": self.achieved.is_finite().then_some(self.achieved),
            "widest": format!("{} - {}", self.widest_path, self.reference),
            "met": self.met,
            "batches": self.batches,
            "replications": self.replications(),
            "max_replications": self.max_replications,
        })
    }
}

/// Replications that would bring half-width `w` (at `n`) down to `h`, with a 10% margin.
fn needed(n: u64, w: f64, h: f64) -> u64 {
    if !w.is_finite() {
        return n.saturating_mul(2);
    }
    let x = (n as f64) * (w / h).powi(2) * 1.1;
    if x >= u64::MAX as f64 {
        u64::MAX
    } else {
        x.ceil() as u64
    }
}

/// Widest half-width among the paired differences of `outcome` (non-reference paths) and
/// its path; an undefined CI (fewer than two defined pairs) counts as infinitely wide.
fn widest(r: &RunResults, outcome: usize) -> (f64, usize) {
    let mut best = (f64::NEG_INFINITY, 0);
    for (p, ps) in r.paired.iter().enumerate() {
        if p == r.layout.reference {
            continue;
        }
        let ci = ps[outcome].ci95;
        let hw = if ci[0].is_finite() && ci[1].is_finite() {
            0.5 * (ci[1] - ci[0])
        } else {
            f64::INFINITY
        };
        if hw > best.0 {
            best = (hw, p);
        }
    }
    best
}

/// Runs `runner` from `start` replications until the target half-width `h` or `max`.
pub fn run<'s>(
    runner: &mut Runner<'_>,
    h: f64,
    start: u64,
    max: u64,
    sink: &mut Option<&mut (dyn RunSink + Send + 's)>,
    progress: Progress<'_>,
) -> Result<PrecisionReport> {
    if !(h.is_finite() && h > 0.0) {
        bail!("the precision target must be a positive number, got {h}");
    }
    if runner.layout().path_names.len() < 2 {
        bail!("adaptive precision needs at least two paths (it controls paired differences against the reference path)");
    }
    let bs = runner.plan.block_size;
    let round = |n: u64| n.div_ceil(bs).saturating_mul(bs).min(max);
    let mut target = round(start.max(1));
    let mut batches = Vec::new();
    loop {
        runner.advance(target, sink.as_deref_mut(), Some(&mut *progress))?;
        batches.push(target);
        let r = runner.results();
        let Some(o) = primary_outcome(&r) else {
            bail!("the run has no final_ci outcome to control");
        };
        let (w, p) = widest(&r, o);
        let met = w <= h;
        if met || target >= max {
            return Ok(PrecisionReport {
                target: h,
                outcome: r.layout.outcomes[o].key.clone(),
                batches,
                achieved: w,
                widest_path: r.layout.path_names[p].clone(),
                reference: r.layout.path_names[r.layout.reference].clone(),
                met,
                max_replications: max,
            });
        }
        target = round(needed(target, w, h).max(target + bs));
    }
}
