//! Reading saved partial results (shards' `partial.json`, checkpoints) without trusting them:
//! the file must match the SHA-256 digest recorded when it was written, and its accumulators
//! must have the shape of the run (every array length, bin edge and histogram) and counts and
//! sums a real run can produce (counts at most the replications the file covers, sums within
//! the fixed-point range of their counts, means between the observed minimum and maximum). A
//! file that passes cannot make a merge overflow: every sum is bounded by its count, and the
//! counts of the merged files add up to at most the run's replications.

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use trisim::engine::stats::{Moments, Paired, FIXED_POINT_BITS, FIXED_POINT_MAX};
use trisim::engine::{Partial, RunPlan, Runner};
use trisim::output::files::{read_bounded, sha256_hex};

/// The largest fixed-point value a single replication adds (|q| ≤ 2⁶²).
const Q_MAX: i128 = (FIXED_POINT_MAX as i128) << FIXED_POINT_BITS;

/// A [`Partial`] as saved, with every field readable (the engine keeps them private).
#[derive(Deserialize)]
struct PartialView {
    blocks: Range<u64>,
    accum: AccumView,
}

#[derive(Deserialize)]
struct AccumView {
    moments: Vec<Vec<Moments>>,
    sketches: Vec<Vec<SketchView>>,
    paired: Vec<Vec<Paired>>,
    final_ci: Vec<BinsView>,
    /// The monthly series: checked by the engine when it absorbs the partial (shape against
    /// the run's layout, counts against the replications covered, sums against the counts,
    /// checked additions), so only its presence is required here.
    #[allow(dead_code)]
    series: serde::de::IgnoredAny,
}

#[derive(Deserialize)]
struct SketchView {
    bins: BTreeMap<u64, u64>,
    dense: BTreeMap<u64, Vec<u32>>,
    n: u64,
    min: u64,
    max: u64,
}

#[derive(Deserialize)]
struct BinsView {
    edges: Vec<f64>,
    counts: Vec<u64>,
    outside: u64,
}

/// Replications of blocks `b` of `plan`.
fn replications(plan: &RunPlan, b: &Range<u64>) -> u64 {
    let (bs, r) = (plan.block_size, plan.replications);
    b.end.saturating_mul(bs).min(r) - b.start.saturating_mul(bs).min(r)
}

/// Reads the partial result `path` of a run of `plan` (`runner` gives the shape), checking its
/// digest against `sha256` (as recorded by its writer) and its content against the run.
pub fn read_partial(
    path: &Path,
    sha256: &str,
    runner: &Runner<'_>,
    plan: &RunPlan,
) -> Result<Partial> {
    let bytes = read_bounded(path, max_partial_bytes(runner)?)?;
    check_digest(path, &bytes, sha256)?;
    let view: PartialView = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a valid partial result", path.display()))?;
    check_against(&view, runner, plan)
        .with_context(|| format!("{} is not a partial result of this run", path.display()))?;
    drop(view);
    serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a valid partial result", path.display()))
}

/// The largest saved partial result of `runner`'s run: a filled partial holds longer numbers
/// than an empty one, never more entries (a sparse sketch holds at most a few thousand bins).
pub fn max_partial_bytes(runner: &Runner<'_>) -> Result<u64> {
    let empty = serde_json::to_vec(&runner.partial(0..0)).context("empty partial")?;
    Ok(64 * empty.len() as u64 + (64 << 20))
}

/// Refuses `bytes` (the content of `path`) unless their SHA-256 digest is `sha256`.
pub fn check_digest(path: &Path, bytes: &[u8], sha256: &str) -> Result<()> {
    let digest = sha256_hex(bytes);
    if digest != sha256 {
        bail!(
            "{} does not match the SHA-256 digest its writer recorded ({digest} instead of {sha256}): it was edited or damaged",
            path.display()
        );
    }
    Ok(())
}

/// Checks the partial result in `json` (a checkpoint: its `partial` entry) against the run.
pub fn check_checkpoint(json: &[u8], runner: &Runner<'_>, plan: &RunPlan) -> Result<()> {
    #[derive(Deserialize)]
    struct Wrapper {
        partial: PartialView,
    }
    let w: Wrapper = serde_json::from_slice(json).context("it is not a valid checkpoint")?;
    check_against(&w.partial, runner, plan)
}

fn check_against(view: &PartialView, runner: &Runner<'_>, plan: &RunPlan) -> Result<()> {
    let reference = serde_json::to_vec(&runner.partial(0..0)).context("empty partial")?;
    let empty: PartialView = serde_json::from_slice(&reference).context("empty partial")?;
    check(view, &empty.accum, plan)
}

/// Checks a partial's blocks, shape and numbers against the run.
fn check(p: &PartialView, empty: &AccumView, plan: &RunPlan) -> Result<()> {
    let b = &p.blocks;
    if b.start > b.end || b.end > plan.blocks() {
        bail!(
            "it covers blocks {}..{}, but the run has blocks 0..{}",
            b.start,
            b.end,
            plan.blocks()
        );
    }
    let reps = replications(plan, b);
    let a = &p.accum;
    let len = |what: &str, have: usize, want: usize| -> Result<()> {
        if have != want {
            bail!("{what} has {have} entries; the run has {want}");
        }
        Ok(())
    };
    len("accum.moments", a.moments.len(), empty.moments.len())?;
    len("accum.sketches", a.sketches.len(), empty.sketches.len())?;
    len("accum.paired", a.paired.len(), empty.paired.len())?;
    len("accum.final_ci", a.final_ci.len(), empty.final_ci.len())?;
    for (pi, ((m, s), pd)) in a.moments.iter().zip(&a.sketches).zip(&a.paired).enumerate() {
        let outcomes = empty.moments[pi].len();
        len(&format!("accum.moments[{pi}]"), m.len(), outcomes)?;
        len(&format!("accum.sketches[{pi}]"), s.len(), outcomes)?;
        len(&format!("accum.paired[{pi}]"), pd.len(), outcomes)?;
        for o in 0..outcomes {
            let at = |what: &str| format!("accum.{what}[{pi}][{o}]");
            moments(&m[o], reps).with_context(|| at("moments"))?;
            sketch(&s[o], &m[o]).with_context(|| at("sketches"))?;
            let refs = &a.moments[plan.reference.min(a.moments.len() - 1)][o];
            paired(&pd[o], m[o].n.min(refs.n)).with_context(|| at("paired"))?;
        }
    }
    for (pi, (x, e)) in a.final_ci.iter().zip(&empty.final_ci).enumerate() {
        let total = x
            .counts
            .iter()
            .try_fold(x.outside, |t, c| t.checked_add(*c));
        if x.edges != e.edges || x.counts.len() != e.counts.len() {
            bail!("accum.final_ci[{pi}] has other bins than the run's");
        }
        if total.is_none_or(|t| t > reps) {
            bail!("accum.final_ci[{pi}] counts more values than the {reps} replications it covers");
        }
    }
    Ok(())
}

/// A [`Moments`] of at most `reps` values: its sums must be sums of `n` fixed-point values.
fn moments(m: &Moments, reps: u64) -> Result<()> {
    if m.n > reps {
        bail!(
            "{} values, more than the {reps} replications it covers",
            m.n
        );
    }
    let n = m.n as u128;
    if m.sum.unsigned_abs() > n * Q_MAX as u128 {
        bail!("the sum is out of range for {} values", m.n);
    }
    // 0 ≤ Σq² ≤ n·Q², and (Σq)² ≤ n·Σq² (Cauchy–Schwarz).
    let sumsq = m.sumsq;
    let q2 = ethnum::I256::from(Q_MAX) * ethnum::I256::from(Q_MAX);
    let n256 = ethnum::I256::from(m.n);
    if sumsq < 0 || sumsq > n256 * q2 {
        bail!("the sum of squares is out of range for {} values", m.n);
    }
    let s = ethnum::I256::from(m.sum);
    if s * s > n256 * sumsq {
        bail!("the sum and the sum of squares contradict each other");
    }
    Ok(())
}

/// A sketch of the same values as `m`: the same count, its bins adding up to it, and the mean
/// of `m` between its minimum and maximum.
fn sketch(s: &SketchView, m: &Moments) -> Result<()> {
    if s.n != m.n {
        bail!("{} values, but the moments count {}", s.n, m.n);
    }
    let mut total: u64 = 0;
    for c in s
        .bins
        .values()
        .copied()
        .chain(s.dense.values().flatten().map(|c| *c as u64))
    {
        total = total
            .checked_add(c)
            .ok_or_else(|| anyhow!("the bins count more than {} values", s.n))?;
    }
    if total != s.n {
        bail!("the bins count {total} values, not {}", s.n);
    }
    if s.n > 0 {
        mean_within(m.sum, m.n, f64::from_bits(s.min), f64::from_bits(s.max))
            .context("the moments' mean is not between the sketch's minimum and maximum")?;
    }
    Ok(())
}

/// Pairs of at most `pairs` replications (those where both values are defined).
fn paired(p: &Paired, pairs: u64) -> Result<()> {
    moments(&p.diff, pairs)?;
    if p.diff.n > pairs {
        bail!(
            "{} pairs, but the path and the reference have {pairs} values in common at most",
            p.diff.n
        );
    }
    let counted = p
        .better
        .checked_add(p.worse)
        .and_then(|x| x.checked_add(p.ties));
    if !(counted == Some(0) || counted == Some(p.diff.n)) {
        bail!(
            "better + worse + ties is not the {} pairs compared",
            p.diff.n
        );
    }
    Ok(())
}

/// The mean of `n` values summing to `sum` (fixed point) lies in [min, max] (clamped to the
/// fixed-point range, with one unit of rounding).
fn mean_within(sum: i128, n: u64, min: f64, max: f64) -> Result<()> {
    if min.is_nan() || max.is_nan() || min > max {
        bail!("the minimum and maximum are invalid");
    }
    let scale = (1u64 << FIXED_POINT_BITS) as f64;
    let mean = sum as f64 / scale / n as f64;
    let lo = min.clamp(-FIXED_POINT_MAX, FIXED_POINT_MAX);
    let hi = max.clamp(-FIXED_POINT_MAX, FIXED_POINT_MAX);
    let slack = 1.0 / scale + 1e-12 * lo.abs().max(hi.abs());
    if mean < lo - slack || mean > hi + slack {
        bail!("the mean {mean} is outside the observed range [{min}, {max}]");
    }
    Ok(())
}

/// A sweep shard's `partial.json` as saved (see `trisim::engine::sweep::PointBits`).
#[derive(Deserialize)]
pub struct SweepPartialView {
    pub points: [usize; 2],
    results: Vec<PointBitsView>,
}

#[derive(Deserialize)]
struct PointBitsView {
    values: Vec<u64>,
    outcomes: Vec<Vec<[u64; 10]>>,
    paired: Vec<Vec<[u64; 6]>>,
}

/// Reads a sweep shard's `partial.json` (digest `sha256`), checking that it holds the design
/// points `want` with `keys` parameters, `paths` × `outcomes` statistics each and at most
/// `replications` values per statistic.
pub fn read_sweep_partial(
    path: &Path,
    sha256: &str,
    want: Range<usize>,
    (keys, paths, outcomes): (usize, usize, usize),
    replications: u64,
) -> Result<Vec<trisim::engine::sweep::PointBits>> {
    let per_point = 64 + 24 * (keys + paths * outcomes * 16) as u64;
    let max = per_point * want.len() as u64 * 2 + (1 << 20);
    let bytes = read_bounded(path, max)?;
    check_digest(path, &bytes, sha256)?;
    let v: SweepPartialView = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a valid partial sweep", path.display()))?;
    let bad = |why: String| anyhow!("{}: {why}", path.display());
    if v.points != [want.start, want.end] {
        return Err(bad(format!(
            "it holds design points {}..{}, but this shard's are {}..{}",
            v.points[0] + 1,
            v.points[1],
            want.start + 1,
            want.end
        )));
    }
    if v.results.len() != want.len() {
        return Err(bad(format!(
            "{} results for the {} points {}..{}",
            v.results.len(),
            want.len(),
            want.start + 1,
            want.end
        )));
    }
    for (i, r) in v.results.iter().enumerate() {
        let point = want.start + i + 1;
        let shape_ok = r.values.len() == keys
            && r.outcomes.len() == paths
            && r.paired.len() == paths
            && r.outcomes.iter().all(|o| o.len() == outcomes)
            && r.paired.iter().all(|o| o.len() == outcomes);
        if !shape_ok {
            return Err(bad(format!(
                "point {point} does not have the run's parameters, paths and outcomes"
            )));
        }
        let counts = r.outcomes.iter().flatten().map(|o| o[0]);
        let pairs = r.paired.iter().flatten().map(|o| o[0]);
        if counts.chain(pairs).any(|n| n > replications) {
            return Err(bad(format!(
                "point {point} counts more values than its {replications} replications"
            )));
        }
    }
    drop(v);
    #[derive(Deserialize)]
    struct Typed {
        results: Vec<trisim::engine::sweep::PointBits>,
    }
    let t: Typed = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a valid partial sweep", path.display()))?;
    Ok(t.results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_bounds() {
        let mut m = Moments::default();
        for x in [0.5, 0.75, 1.0] {
            m.push(x);
        }
        assert!(moments(&m, 3).is_ok());
        assert!(moments(&m, 2).is_err(), "more values than replications");
        let mut big = m;
        big.sum = i128::MAX - 5;
        assert!(moments(&big, 3).is_err(), "a sum near 2^127");
        let mut x50 = m;
        x50.sum *= 50;
        assert!(
            moments(&x50, 3).is_err(),
            "sum x50 contradicts the sum of squares"
        );
        let mut neg = m;
        neg.sumsq = -neg.sumsq;
        assert!(moments(&neg, 3).is_err());
        assert!(mean_within(m.sum, 3, 0.5, 1.0).is_ok());
        assert!(mean_within(m.sum * 2, 3, 0.5, 1.0).is_err());
    }
}
