//! Designs of experiments: which parameter values to run.
//!
//! - [`grid`]: full factorial over given levels (and [`grid::linspace`] to make levels);
//! - [`lhs`]: Latin hypercube sample in the unit hypercube (McKay, Beckman & Conover 1979);
//! - [`saltelli`]: the Saltelli (2010) cross-sampling design for Sobol' indices, built on an
//!   Owen-scrambled Sobol' sequence.
//!
//! `lhs` and `saltelli` return points in the unit hypercube `[0, 1)^d`; [`scale`] maps one onto
//! parameter ranges. All functions are pure and deterministic in their seed.

pub mod grid;
pub mod lhs;
pub mod saltelli;

/// Maps a point `u` of the unit hypercube onto the box `[low_i, high_i]` coordinate by
/// coordinate: `low_i + u_i (high_i - low_i)` (so `u_i = 0` gives exactly `low_i`).
///
/// Errors if the three slices have different lengths.
pub fn scale(u: &[f64], low: &[f64], high: &[f64]) -> Result<Vec<f64>, String> {
    if u.len() != low.len() || u.len() != high.len() {
        return Err(format!(
            "cannot scale a point of {} coordinates onto {} lower and {} upper bounds",
            u.len(),
            low.len(),
            high.len()
        ));
    }
    Ok(u.iter()
        .zip(low.iter().zip(high))
        .map(|(u, (lo, hi))| lo + u * (hi - lo))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_maps_unit_cube_onto_ranges() {
        let x = scale(&[0.0, 0.5, 0.25], &[1.0, -2.0, 10.0], &[3.0, 2.0, 14.0]).unwrap();
        assert_eq!(x, vec![1.0, 0.0, 11.0]);
        assert!(scale(&[0.0], &[1.0, 2.0], &[3.0, 4.0]).is_err());
    }
}
