//! The Saltelli cross-sampling design for first-order and total Sobol' indices.
//!
//! References: A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto, S. Tarantola (2010),
//! "Variance based sensitivity analysis of model output. Design and estimator for the total
//! sensitivity index", Computer Physics Communications 181(2), 259–270; SALib's
//! `SALib.sample.sobol.sample(..., calc_second_order=False)` as the reference implementation
//! of the layout. The analysis is [`crate::experiment::analysis::sobol`].
//!
//! Two base matrices `A` and `B` (`n × d`) are taken from one `2d`-dimensional Owen-scrambled
//! Sobol' sequence (Burley 2020, "Practical Hash-based Owen Scrambling", JCGT 9(4), via the
//! `sobol_burley` crate): `A` is dimensions `0..d`, `B` dimensions `d..2d` of the same points.
//! `AB^i` is `A` with its column `i` taken from `B`. Because the scrambled sequence is
//! randomised, no initial points are skipped (unlike SALib's unscrambled default), and `n`
//! need not be a power of two, although powers of two give the best balance.
//!
//! # Layout of [`Saltelli::points`]
//!
//! Base sample `j` (`0 <= j < n`) owns the `d + 2` consecutive rows starting at
//! `j * (d + 2)`:
//!
//! | row in block | point            |
//! |--------------|------------------|
//! | `0`          | `A_j`            |
//! | `1 + i`      | `AB^i_j`, `i < d`|
//! | `d + 1`      | `B_j`            |
//!
//! so `n (d + 2)` rows in all; [`Saltelli::a_row`], [`Saltelli::ab_row`] and
//! [`Saltelli::b_row`] give the row numbers. Model outputs must be passed to the analysis in
//! the same order.

use crate::rng::keyed_stream;
use rand::RngExt;

/// Purpose id (ASCII `"exp.sal"`) of the random stream that turns the 64-bit seed into the
/// 32-bit scrambling seed of the Sobol' sequence: `keyed_stream(seed, 0, SALTELLI_STREAM_PURPOSE)`,
/// first `u64`, low 32 bits. Part of the reproducibility promise: do not change.
pub const SALTELLI_STREAM_PURPOSE: u64 = u64::from_le_bytes(*b"exp.sal\0");

/// Largest supported number of parameters: the sequence has 256 dimensions and the design
/// uses `2d` of them.
pub const MAX_DIMENSIONS: usize = 128;

/// Largest supported number of base samples: the length of the `sobol_burley` sequence (2^16).
pub const MAX_BASE_SAMPLES: usize = 1 << 16;

/// A Saltelli design: `n` base samples of `d` parameters, `n (d + 2)` points in `[0, 1)^d`
/// laid out as described in the [module documentation](self).
#[derive(Clone, Debug, PartialEq)]
pub struct Saltelli {
    /// Number of base samples (rows of `A` and of `B`).
    pub n: usize,
    /// Number of parameters.
    pub d: usize,
    /// All points, `n * (d + 2)` rows of `d` coordinates in `[0, 1)`.
    pub points: Vec<Vec<f64>>,
}

impl Saltelli {
    /// Rows per base sample: `d + 2` (`A_j`, the `d` rows `AB^i_j`, `B_j`).
    pub fn rows_per_sample(&self) -> usize {
        self.d + 2
    }

    /// Row of `A_j`.
    pub fn a_row(&self, j: usize) -> usize {
        j * self.rows_per_sample()
    }

    /// Row of `AB^i_j` (`A_j` with coordinate `i` from `B_j`).
    pub fn ab_row(&self, j: usize, i: usize) -> usize {
        j * self.rows_per_sample() + 1 + i
    }

    /// Row of `B_j`.
    pub fn b_row(&self, j: usize) -> usize {
        j * self.rows_per_sample() + self.d + 1
    }
}

/// The Saltelli design with `n` base samples for `d` parameters, scrambled by `seed`
/// (deterministic in `seed`).
///
/// Errors if `d = 0`, `d > 128` ([`MAX_DIMENSIONS`]), `n = 0` or `n > 65536`
/// ([`MAX_BASE_SAMPLES`]).
pub fn saltelli(n: usize, d: usize, seed: u64) -> Result<Saltelli, String> {
    if d == 0 {
        return Err("a Sobol' (Saltelli) design needs at least one parameter".to_string());
    }
    if d > MAX_DIMENSIONS {
        return Err(format!(
            "a Sobol' (Saltelli) design supports at most {MAX_DIMENSIONS} parameters, got {d}"
        ));
    }
    if n == 0 {
        return Err("a Sobol' (Saltelli) design needs n >= 1 base samples".to_string());
    }
    if n > MAX_BASE_SAMPLES {
        return Err(format!(
            "a Sobol' (Saltelli) design supports at most n = {MAX_BASE_SAMPLES} base samples, got {n}"
        ));
    }
    let scramble = scramble_seed(seed);
    let mut points = Vec::with_capacity(n * (d + 2));
    for j in 0..n {
        let coord = |dim: usize| sobol_burley::sample(j as u32, dim as u32, scramble) as f64;
        let a: Vec<f64> = (0..d).map(coord).collect();
        let b: Vec<f64> = (d..2 * d).map(coord).collect();
        points.push(a.clone());
        for i in 0..d {
            let mut ab = a.clone();
            ab[i] = b[i];
            points.push(ab);
        }
        points.push(b);
    }
    Ok(Saltelli { n, d, points })
}

/// The 32-bit scrambling seed of the Sobol' sequence for a 64-bit design seed.
fn scramble_seed(seed: u64) -> u32 {
    let mut rng = keyed_stream(seed, 0, SALTELLI_STREAM_PURPOSE);
    rng.random::<u64>() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saltelli_layout_matches_salib_without_second_order() {
        let (n, d) = (16, 4);
        let s = saltelli(n, d, 5).unwrap();
        assert_eq!((s.n, s.d, s.rows_per_sample()), (n, d, d + 2));
        assert_eq!(s.points.len(), n * (d + 2));
        assert!(s.points.iter().all(|p| p.len() == d));
        assert!(s.points.iter().flatten().all(|&x| (0.0..1.0).contains(&x)));
        for j in 0..n {
            let a = &s.points[s.a_row(j)];
            let b = &s.points[s.b_row(j)];
            assert_eq!(s.a_row(j), j * (d + 2));
            assert_eq!(s.b_row(j), j * (d + 2) + d + 1);
            // A and B differ in every coordinate (independent dimensions).
            assert!(a.iter().zip(b).all(|(x, y)| x != y));
            for i in 0..d {
                let ab = &s.points[s.ab_row(j, i)];
                assert_eq!(s.ab_row(j, i), j * (d + 2) + 1 + i);
                for k in 0..d {
                    assert_eq!(ab[k], if k == i { b[k] } else { a[k] }, "j={j} i={i} k={k}");
                }
            }
        }
    }

    #[test]
    fn saltelli_base_matrices_are_stratified() {
        // The first 2^m points of a (scrambled) Sobol' sequence have one point in each
        // interval [k/2^m, (k+1)/2^m) of every coordinate, in A and in B.
        let (n, d) = (256, 3);
        let s = saltelli(n, d, 99).unwrap();
        for i in 0..d {
            for rows in [
                (0..n).map(|j| s.a_row(j)).collect::<Vec<_>>(),
                (0..n).map(|j| s.b_row(j)).collect::<Vec<_>>(),
            ] {
                let mut seen = vec![false; n];
                for r in rows {
                    let k = (s.points[r][i] * n as f64) as usize;
                    assert!(!seen[k], "two points in stratum {k} of column {i}");
                    seen[k] = true;
                }
            }
        }
    }

    #[test]
    fn saltelli_is_deterministic_in_seed() {
        let a = saltelli(32, 3, 1).unwrap();
        assert_eq!(a, saltelli(32, 3, 1).unwrap());
        assert_ne!(a.points, saltelli(32, 3, 2).unwrap().points);
    }

    #[test]
    fn saltelli_rejects_bad_sizes() {
        assert!(saltelli(8, 0, 1)
            .unwrap_err()
            .contains("at least one parameter"));
        assert!(saltelli(8, 129, 1).unwrap_err().contains("at most 128"));
        assert!(saltelli(0, 2, 1).unwrap_err().contains("n >= 1"));
        assert!(saltelli(MAX_BASE_SAMPLES + 1, 2, 1).is_err());
        assert!(saltelli(1, MAX_DIMENSIONS, 1).is_ok());
    }
}
