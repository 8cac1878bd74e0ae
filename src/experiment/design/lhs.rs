//! Latin hypercube sampling (McKay, Beckman & Conover 1979, "A comparison of three methods for
//! selecting values of input variables in the analysis of output from a computer code",
//! Technometrics 21(2)).
//!
//! Each of the `d` coordinates is cut into `n` equal strata `[k/n, (k+1)/n)`; every column of
//! the sample has exactly one point in each stratum, at a uniformly random position inside it,
//! and the strata are matched across columns by independent uniformly random permutations.
//! This is the classic ("random", not "centered" or optimised) LHS, as in SALib's
//! `latin.sample` and the EMA Workbench's `LHSSampler`.

use crate::rng::{keyed_stream, uniform, FastRng};
use rand::RngExt;

/// Purpose id of the random streams of [`lhs`] (ASCII `"exp.lhs"`): column `i` draws from
/// `crate::rng::keyed_stream(seed, i, LHS_STREAM_PURPOSE)`, independent of every simulation
/// stream under the same seed. Part of the reproducibility promise: do not change.
pub const LHS_STREAM_PURPOSE: u64 = u64::from_le_bytes(*b"exp.lhs\0");

/// A Latin hypercube sample of `n` points in `[0, 1)^d`, one row per point.
///
/// Column `i` uses its own stream (see [`LHS_STREAM_PURPOSE`]): first a uniformly random
/// permutation `π` of `0..n` (Fisher–Yates, `n - 1` draws of 64-bit integers), then one uniform
/// `u_k` per point; point `k` gets `(π(k) + u_k) / n`, kept strictly below the stratum's upper
/// edge `(π(k) + 1) / n` against rounding. Deterministic in `seed`; the first `d'` columns of a
/// sample do not depend on `d >= d'`.
///
/// `n = 0` or `d = 0` give an empty sample (no rows, or rows of no coordinates).
pub fn lhs(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut points = vec![Vec::with_capacity(d); n];
    for i in 0..d {
        let mut rng = keyed_stream(seed, i as u64, LHS_STREAM_PURPOSE);
        let perm = permutation(n, &mut rng);
        for (point, &stratum) in points.iter_mut().zip(&perm) {
            point.push(in_stratum(stratum, n, uniform(&mut rng)));
        }
    }
    points
}

/// A uniformly random permutation of `0..n` (Fisher–Yates). The index draw uses Lemire's
/// multiply-shift on a 64-bit integer (bias below `n / 2^64`), so the result depends only on
/// the generator's specified output, not on a library's range-sampling algorithm.
fn permutation(n: usize, rng: &mut FastRng) -> Vec<usize> {
    let mut perm: Vec<usize> = (0..n).collect();
    for k in (1..n).rev() {
        let r: u64 = rng.random();
        let j = ((r as u128 * (k as u128 + 1)) >> 64) as usize;
        perm.swap(k, j);
    }
    perm
}

/// The point at relative position `u` in `[0, 1)` of stratum `k` of `n`, guaranteed to lie in
/// `[k/n, (k+1)/n)` as computed in floating point.
fn in_stratum(k: usize, n: usize, u: f64) -> f64 {
    let nf = n as f64;
    let x = (k as f64 + u) / nf;
    let upper = (k as f64 + 1.0) / nf;
    if x < upper {
        x
    } else {
        // `k + u` rounded up to `k + 1`: take the largest float below the upper edge.
        // (upper > 0, so decrementing the bit pattern steps down by one ulp.)
        f64::from_bits(upper.to_bits() - 1).max(k as f64 / nf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stratum_counts(points: &[Vec<f64>], column: usize) -> Vec<usize> {
        let n = points.len();
        let mut counts = vec![0usize; n];
        for p in points {
            let x = p[column];
            let k = (0..n)
                .find(|&k| k as f64 / n as f64 <= x && x < (k as f64 + 1.0) / n as f64)
                .unwrap_or_else(|| panic!("{x} is in no stratum of [0, 1)"));
            counts[k] += 1;
        }
        counts
    }

    #[test]
    fn lhs_has_one_point_per_stratum_in_every_column() {
        for (n, d) in [(1, 1), (7, 3), (100, 5), (257, 2)] {
            let s = lhs(n, d, 42);
            assert_eq!(s.len(), n);
            assert!(s.iter().all(|p| p.len() == d));
            for i in 0..d {
                assert_eq!(stratum_counts(&s, i), vec![1; n], "n={n} d={d} column {i}");
            }
        }
    }

    #[test]
    fn lhs_is_deterministic_in_seed_and_columns_are_independent() {
        let a = lhs(50, 4, 7);
        assert_eq!(a, lhs(50, 4, 7));
        assert_ne!(a, lhs(50, 4, 8));
        // Prefix property: more columns do not change the first ones.
        let b = lhs(50, 2, 7);
        assert!(a.iter().zip(&b).all(|(x, y)| x[..2] == y[..]));
        // Columns are not the same permutation.
        let strata =
            |i: usize| -> Vec<usize> { a.iter().map(|p| (p[i] * 50.0).floor() as usize).collect() };
        assert_ne!(strata(0), strata(1));
        // Rank correlation between two columns of a 400-point sample is near zero.
        let s = lhs(400, 2, 3);
        let m = 399.0 / 2.0;
        let r: f64 = s
            .iter()
            .map(|p| ((p[0] * 400.0).floor() - m) * ((p[1] * 400.0).floor() - m))
            .sum::<f64>()
            / s.iter()
                .map(|p| ((p[0] * 400.0).floor() - m).powi(2))
                .sum::<f64>();
        assert!(r.abs() < 0.15, "rank correlation {r}");
    }

    #[test]
    fn lhs_positions_within_strata_are_spread() {
        // The offsets inside the strata should look uniform: mean ≈ 1/2.
        let s = lhs(2000, 1, 11);
        let mean: f64 = s
            .iter()
            .map(|p| p[0] * 2000.0 - (p[0] * 2000.0).floor())
            .sum::<f64>()
            / 2000.0;
        assert!((mean - 0.5).abs() < 0.03, "mean offset {mean}");
    }

    #[test]
    fn in_stratum_stays_below_upper_edge() {
        let u = 1.0 - f64::EPSILON / 2.0; // the largest uniform below 1
        for n in [1usize, 2, 3, 10, 1000, 123_457] {
            for k in [0, n / 2, n - 1] {
                let x = in_stratum(k, n, u);
                assert!(x >= k as f64 / n as f64 && x < (k as f64 + 1.0) / n as f64);
                assert!(x < 1.0);
            }
        }
        assert!(lhs(0, 3, 1).is_empty());
        assert_eq!(lhs(3, 0, 1), vec![Vec::<f64>::new(); 3]);
    }
}
