//! First-order and total Sobol' sensitivity indices from a Saltelli design, with bootstrap
//! confidence intervals.
//!
//! The design is [`crate::experiment::design::saltelli`]: base samples `j = 0..n`, each with
//! outputs `f(A_j)`, `f(AB^i_j)` for `i = 0..d`, `f(B_j)` in that order (`d + 2` values per
//! base sample). With `V` the variance of the `2n` outputs `f(A) ∪ f(B)`:
//!
//! - first-order index, Saltelli et al. (2010), Table 2 (b):
//!   `S_i = mean_j[ f(B_j) (f(AB^i_j) - f(A_j)) ] / V`;
//! - total index, Jansen (1999), as in Saltelli et al. (2010), Table 2 (f):
//!   `ST_i = mean_j[ (f(A_j) - f(AB^i_j))^2 ] / (2 V)`.
//!
//! These are the estimators (and the normalisation: outputs centred on the mean of all
//! `n (d + 2)` outputs, population variance of `f(A) ∪ f(B)`) of SALib's
//! `SALib.analyze.sobol.analyze(..., calc_second_order=False)`. Centring does not change the
//! expectation of the first-order estimator but removes a large-mean term from its variance.
//!
//! Confidence intervals are bootstrap percentile intervals: each replicate resamples the `n`
//! base samples with replacement (a base sample keeps its `d + 2` outputs together), recomputes
//! `V` and every index, and the interval is the 2.5% and 97.5% quantiles of the replicates
//! (linear interpolation between order statistics). SALib reports a normal-approximation
//! interval instead (`1.96 ×` the bootstrap standard deviation); the percentile interval is
//! asymmetric where the bootstrap distribution is. Both assume independent base samples, so
//! on a (quasi-random) Sobol' design they are conservative.
//!
//! References: A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto, S. Tarantola (2010),
//! "Variance based sensitivity analysis of model output. Design and estimator for the total
//! sensitivity index", Computer Physics Communications 181(2), 259–270. M. J. W. Jansen
//! (1999), "Analysis of variance designs for model output", Computer Physics Communications
//! 117, 35–43. B. Efron & R. Tibshirani (1993), "An Introduction to the Bootstrap", ch. 13.
//! J. Herman & W. Usher (2017), "SALib: An open-source Python library for Sensitivity
//! Analysis", JOSS 2(9).

use crate::rng::keyed_stream;
use rand::RngExt;

/// Purpose id (ASCII `"exp.boot"`) of the bootstrap streams: replicate `b` draws its `n`
/// base-sample indices from `keyed_stream(seed, b, SOBOL_BOOTSTRAP_STREAM_PURPOSE)`. Part of
/// the reproducibility promise: do not change.
pub const SOBOL_BOOTSTRAP_STREAM_PURPOSE: u64 = u64::from_le_bytes(*b"exp.boot");

/// An estimated index with its bootstrap 95% percentile interval `[low, high]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Index {
    /// Point estimate from all base samples.
    pub estimate: f64,
    /// 2.5% and 97.5% quantiles of the bootstrap replicates.
    pub ci95: [f64; 2],
}

/// Sobol' indices of every parameter (in parameter order).
#[derive(Clone, Debug, PartialEq)]
pub struct SobolIndices {
    /// First-order indices `S_i` (Saltelli 2010).
    pub first: Vec<Index>,
    /// Total indices `ST_i` (Jansen 1999).
    pub total: Vec<Index>,
    /// Output variance `V` (population variance of `f(A) ∪ f(B)`).
    pub variance: f64,
}

/// Sobol' first-order and total indices of `d` parameters from the outputs `y` of a Saltelli
/// design with `n` base samples, laid out as in
/// [`crate::experiment::design::saltelli`] (`y.len() == n * (d + 2)`), with `bootstrap`
/// bootstrap replicates for the 95% intervals, resampled deterministically from `seed`.
///
/// Estimates are not clipped to `[0, 1]`: sampling error can make a small index slightly
/// negative, which is informative. Bootstrap replicates whose resampled `f(A) ∪ f(B)` is
/// constant (possible only for tiny `n`) are left out of the intervals.
///
/// Errors if `d = 0`, `n < 2`, `bootstrap = 0`, the length of `y` is not `n (d + 2)`, an
/// output is not finite (NaN or infinite; its row is named), or the outputs `f(A) ∪ f(B)` are
/// all equal (zero variance: the indices are undefined).
pub fn sobol_indices(
    n: usize,
    d: usize,
    y: &[f64],
    bootstrap: usize,
    seed: u64,
) -> Result<SobolIndices, String> {
    if d == 0 {
        return Err("Sobol' indices need at least one parameter".to_string());
    }
    if n < 2 {
        return Err(format!(
            "Sobol' indices need at least 2 base samples, got n = {n}"
        ));
    }
    if bootstrap == 0 {
        return Err("Sobol' confidence intervals need at least 1 bootstrap replicate".to_string());
    }
    let rows = d + 2;
    let expected = n
        .checked_mul(rows)
        .ok_or("the Saltelli design is too large")?;
    if y.len() != expected {
        return Err(format!(
            "a Saltelli design with n = {n} base samples and {d} parameters has {expected} \
             outputs (n × (d + 2)), got {}",
            y.len()
        ));
    }
    if let Some(row) = y.iter().position(|v| !v.is_finite()) {
        return Err(format!(
            "output {row} of the Saltelli design (base sample {}, {}) is {}: Sobol' indices \
             need finite outputs",
            row / rows,
            match row % rows {
                0 => "row A".to_string(),
                k if k == rows - 1 => "row B".to_string(),
                k => format!("row AB of parameter {}", k - 1),
            },
            y[row]
        ));
    }
    let varies = {
        let first = y[0];
        (0..n).any(|j| y[j * rows] != first || y[j * rows + rows - 1] != first)
    };
    if !varies {
        return Err(format!(
            "the output is the same ({}) at every base point (A and B) of the Saltelli design: \
             it has zero variance, so Sobol' indices are undefined",
            y[0]
        ));
    }

    // Centre on the mean of all outputs (as SALib does).
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let c: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let design = Centred { d, c: &c };

    let all: Vec<usize> = (0..n).collect();
    let (first, total, variance) = design
        .estimate(&all)
        .ok_or("the output has zero variance over A and B: Sobol' indices are undefined")?;

    let mut boot_first = vec![Vec::with_capacity(bootstrap); d];
    let mut boot_total = vec![Vec::with_capacity(bootstrap); d];
    let mut sample = vec![0usize; n];
    for b in 0..bootstrap {
        let mut rng = keyed_stream(seed, b as u64, SOBOL_BOOTSTRAP_STREAM_PURPOSE);
        for j in sample.iter_mut() {
            let r: u64 = rng.random();
            *j = ((r as u128 * n as u128) >> 64) as usize;
        }
        if let Some((f, t, _)) = design.estimate(&sample) {
            for i in 0..d {
                boot_first[i].push(f[i]);
                boot_total[i].push(t[i]);
            }
        }
    }
    if boot_first[0].is_empty() {
        return Err(format!(
            "every bootstrap replicate of the {n} base samples had zero output variance: \
             too few base samples for confidence intervals"
        ));
    }
    let with_ci = |estimates: Vec<f64>, boot: Vec<Vec<f64>>| -> Vec<Index> {
        estimates
            .into_iter()
            .zip(boot)
            .map(|(estimate, mut reps)| {
                reps.sort_by(f64::total_cmp);
                Index {
                    estimate,
                    ci95: [quantile(&reps, 0.025), quantile(&reps, 0.975)],
                }
            })
            .collect()
    };
    Ok(SobolIndices {
        first: with_ci(first, boot_first),
        total: with_ci(total, boot_total),
        variance,
    })
}

/// Centred outputs of a Saltelli design.
struct Centred<'a> {
    d: usize,
    c: &'a [f64],
}

impl Centred<'_> {
    /// First-order and total indices and the variance over the base samples `js` (with
    /// repetitions, in any order), or `None` if `f(A) ∪ f(B)` has zero variance over them.
    fn estimate(&self, js: &[usize]) -> Option<(Vec<f64>, Vec<f64>, f64)> {
        let d = self.d;
        let rows = d + 2;
        let m = js.len() as f64;
        let a = |j: usize| self.c[j * rows];
        let b = |j: usize| self.c[j * rows + rows - 1];
        // Population variance of f(A) ∪ f(B), two-pass.
        let mu = js.iter().map(|&j| a(j) + b(j)).sum::<f64>() / (2.0 * m);
        let variance = js
            .iter()
            .map(|&j| (a(j) - mu).powi(2) + (b(j) - mu).powi(2))
            .sum::<f64>()
            / (2.0 * m);
        if variance <= 0.0 || !variance.is_finite() {
            return None;
        }
        let mut first = vec![0.0; d];
        let mut total = vec![0.0; d];
        for &j in js {
            let (fa, fb) = (a(j), b(j));
            for i in 0..d {
                let fab = self.c[j * rows + 1 + i];
                first[i] += fb * (fab - fa);
                total[i] += (fa - fab).powi(2);
            }
        }
        for i in 0..d {
            first[i] /= m * variance;
            total[i] /= 2.0 * m * variance;
        }
        Some((first, total, variance))
    }
}

/// Quantile `q` of sorted, non-empty `sorted` by linear interpolation between order statistics
/// at position `q (len - 1)` (Hyndman & Fan type 7, numpy's default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let frac = pos - lo as f64;
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::design::saltelli::saltelli;
    use std::f64::consts::PI;

    /// Evaluates `f` on a Saltelli design of `n` base samples, each input mapped onto
    /// `[low_i, high_i]`.
    fn run(n: usize, ranges: &[(f64, f64)], seed: u64, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        let s = saltelli(n, ranges.len(), seed).unwrap();
        s.points
            .iter()
            .map(|u| {
                let x: Vec<f64> = u
                    .iter()
                    .zip(ranges)
                    .map(|(u, (lo, hi))| lo + u * (hi - lo))
                    .collect();
                f(&x)
            })
            .collect()
    }

    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
    }

    /// Analytic (S1, ST) of the Ishigami function (Ishigami & Homma 1990; Saltelli et al.
    /// 2008, "Global Sensitivity Analysis. The Primer", §4.9).
    fn ishigami_analytic() -> ([f64; 3], [f64; 3]) {
        let (a, b) = (7.0f64, 0.1f64);
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
        let v = v1 + v2 + v13;
        ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
    }

    #[test]
    fn ishigami_analytic_values_are_the_published_ones() {
        let (s1, st) = ishigami_analytic();
        let close = |x: f64, y: f64| (x - y).abs() < 5e-5;
        assert!(close(s1[0], 0.3139) && close(s1[1], 0.4424) && s1[2] == 0.0);
        assert!(close(st[0], 0.5576) && close(st[1], 0.4424) && close(st[2], 0.2437));
    }

    #[test]
    fn ishigami_indices_match_analytic_values() {
        let n = 8192;
        let ranges = [(-PI, PI); 3];
        let y = run(n, &ranges, 2024, ishigami);
        let s = sobol_indices(n, 3, &y, 500, 7).unwrap();
        let (s1, st) = ishigami_analytic();
        for i in 0..3 {
            for (what, idx, truth) in [("S1", s.first[i], s1[i]), ("ST", s.total[i], st[i])] {
                assert!(
                    (idx.estimate - truth).abs() < 0.01,
                    "{what}[{i}] = {} vs {truth}",
                    idx.estimate
                );
                assert!(
                    idx.ci95[0] <= truth && truth <= idx.ci95[1],
                    "{what}[{i}] CI {:?} misses {truth}",
                    idx.ci95
                );
                assert!(idx.ci95[0] <= idx.estimate && idx.estimate <= idx.ci95[1]);
                // Intervals are informative, not [-inf, inf].
                assert!(
                    idx.ci95[1] - idx.ci95[0] < 0.1,
                    "{what}[{i}] CI {:?}",
                    idx.ci95
                );
            }
        }
        // V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2 ≈ 13.845.
        let v = 49.0 / 8.0 + 0.1 * PI.powi(4) / 5.0 + 0.01 * PI.powi(8) / 18.0 + 0.5;
        assert!(
            (s.variance - v).abs() / v < 0.02,
            "V = {} vs {v}",
            s.variance
        );
    }

    #[test]
    fn additive_linear_model_has_equal_first_and_total_indices() {
        // y = Σ a_i x_i, x_i ~ U[lo_i, hi_i]: S_i = ST_i = a_i² var_i / Σ_k a_k² var_k.
        let a = [1.0, -2.0, 0.5, 0.0];
        let ranges = [(0.0, 1.0), (-1.0, 1.0), (2.0, 5.0), (0.0, 10.0)];
        let n = 4096;
        let y = run(n, &ranges, 3, |x| {
            x.iter().zip(&a).map(|(x, a)| a * x).sum()
        });
        let s = sobol_indices(n, 4, &y, 200, 1).unwrap();
        let parts: Vec<f64> = a
            .iter()
            .zip(&ranges)
            .map(|(a, (lo, hi))| a * a * (hi - lo) * (hi - lo) / 12.0)
            .collect();
        let total: f64 = parts.iter().sum();
        for (i, part) in parts.iter().enumerate() {
            let truth = part / total;
            assert!((s.first[i].estimate - truth).abs() < 0.01, "S1[{i}]");
            assert!((s.total[i].estimate - truth).abs() < 0.01, "ST[{i}]");
        }
        // A parameter the output does not depend on has exactly zero indices and intervals.
        assert_eq!(s.first[3].estimate, 0.0);
        assert_eq!(
            s.total[3],
            Index {
                estimate: 0.0,
                ci95: [0.0, 0.0]
            }
        );
        assert!((s.variance - total).abs() / total < 0.01);
    }

    #[test]
    fn indices_and_intervals_are_deterministic_in_seed() {
        let n = 256;
        let y = run(n, &[(-PI, PI); 3], 9, ishigami);
        let a = sobol_indices(n, 3, &y, 100, 5).unwrap();
        assert_eq!(a, sobol_indices(n, 3, &y, 100, 5).unwrap());
        let b = sobol_indices(n, 3, &y, 100, 6).unwrap();
        // Same estimates, different bootstrap draws.
        assert_eq!(a.first[0].estimate, b.first[0].estimate);
        assert_ne!(a.first[0].ci95, b.first[0].ci95);
        // A shift of the output leaves the indices unchanged (up to rounding).
        let shifted: Vec<f64> = y.iter().map(|v| v + 1000.0).collect();
        let c = sobol_indices(n, 3, &shifted, 100, 5).unwrap();
        for i in 0..3 {
            assert!((a.first[i].estimate - c.first[i].estimate).abs() < 1e-9);
            assert!((a.total[i].estimate - c.total[i].estimate).abs() < 1e-9);
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        let y = vec![1.0; 10];
        assert!(sobol_indices(2, 3, &y, 10, 1)
            .unwrap_err()
            .contains("zero variance"));
        let mut y: Vec<f64> = (0..10).map(|k| k as f64).collect();
        assert!(sobol_indices(2, 3, &y[..9], 10, 1)
            .unwrap_err()
            .contains("has 10 outputs"));
        assert!(sobol_indices(1, 3, &y[..5], 10, 1).is_err());
        assert!(sobol_indices(2, 0, &y[..4], 10, 1).is_err());
        assert!(sobol_indices(2, 3, &y, 0, 1).is_err());
        y[7] = f64::NAN;
        let e = sobol_indices(2, 3, &y, 10, 1).unwrap_err();
        assert!(
            e.contains("output 7") && e.contains("parameter 1") && e.contains("NaN"),
            "{e}"
        );
        y[7] = f64::INFINITY;
        assert!(sobol_indices(2, 3, &y, 10, 1).is_err());
    }

    #[test]
    fn quantile_interpolates_order_statistics() {
        let v = [0.0, 1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.0), 0.0);
        assert_eq!(quantile(&v, 1.0), 4.0);
        assert_eq!(quantile(&v, 0.5), 2.0);
        assert!((quantile(&v, 0.025) - 0.1).abs() < 1e-12);
        assert_eq!(quantile(&[3.0], 0.975), 3.0);
    }
}
