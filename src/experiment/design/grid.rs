//! Full factorial (grid) designs.
//!
//! [`grid`] enumerates every combination of the given levels, the first parameter varying
//! slowest (row-major / "odometer" order, like nested `for` loops with the first parameter
//! outermost). [`linspace`] makes evenly spaced levels with exact endpoints.

/// The number of points of the full factorial over `levels` (the product of the level counts),
/// or `None` if it overflows `usize`. An empty `levels` has one point (the empty point).
pub fn grid_size(levels: &[Vec<f64>]) -> Option<usize> {
    levels
        .iter()
        .try_fold(1usize, |acc, l| acc.checked_mul(l.len()))
}

/// The full factorial design over `levels[i]` (the values of parameter `i`).
///
/// Returns one row per point, `levels.len()` values per row. Point `k` has, for parameter `i`,
/// the level `levels[i][(k / stride_i) % levels[i].len()]` where `stride_i` is the product of
/// the level counts of parameters `i+1..`: the first parameter varies slowest, the last
/// fastest. For `levels = [[1, 2], [10, 20, 30]]` the rows are
/// `[1,10], [1,20], [1,30], [2,10], [2,20], [2,30]`.
///
/// Errors if a parameter has no levels, or if the number of points overflows `usize`. With
/// no parameters at all the design has one (empty) point.
pub fn grid(levels: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, String> {
    if let Some(i) = levels.iter().position(|l| l.is_empty()) {
        return Err(format!("parameter {i} of the grid has no levels"));
    }
    let size = grid_size(levels).ok_or_else(|| {
        "the grid has too many points (the product of the level counts overflows)".to_string()
    })?;
    let mut points = Vec::with_capacity(size);
    let mut index = vec![0usize; levels.len()];
    for _ in 0..size {
        points.push(index.iter().zip(levels).map(|(&k, l)| l[k]).collect());
        // Odometer increment: last parameter fastest.
        for i in (0..levels.len()).rev() {
            index[i] += 1;
            if index[i] < levels[i].len() {
                break;
            }
            index[i] = 0;
        }
    }
    Ok(points)
}

/// `steps` evenly spaced values from `low` to `high`, both included exactly:
/// value `k` is `(low (n - k) + high k) / n` with `n = steps - 1`, rounded to 15 significant
/// digits (so decimal steps come out as written).
///
/// Errors if `steps < 2`, if a bound is not finite, or if `low >= high` (an empty range).
pub fn linspace(low: f64, high: f64, steps: usize) -> Result<Vec<f64>, String> {
    if steps < 2 {
        return Err(format!(
            "a range needs at least 2 steps (its two ends), got {steps}"
        ));
    }
    if !low.is_finite() || !high.is_finite() {
        return Err(format!(
            "range bounds must be finite numbers, got low = {low}, high = {high}"
        ));
    }
    if low >= high {
        return Err(format!(
            "empty range: low ({low}) must be less than high ({high})"
        ));
    }
    let last = (steps - 1) as f64;
    Ok((0..steps)
        .map(|k| {
            if k == 0 {
                low
            } else if k == steps - 1 {
                high
            } else {
                // Rounded to 15 significant digits, so steps of decimal ranges come out as
                // the decimals one would write (0.05..0.55 in 6 steps gives 0.15 and 0.35,
                // not 0.15000000000000002 and 0.35000000000000003).
                let x = (low * (last - k as f64) + high * k as f64) / last;
                format!("{x:.14e}").parse().unwrap_or(x)
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_orders_first_parameter_slowest() {
        let g = grid(&[vec![1.0, 2.0], vec![10.0, 20.0, 30.0]]).unwrap();
        assert_eq!(
            g,
            vec![
                vec![1.0, 10.0],
                vec![1.0, 20.0],
                vec![1.0, 30.0],
                vec![2.0, 10.0],
                vec![2.0, 20.0],
                vec![2.0, 30.0],
            ]
        );
    }

    #[test]
    fn grid_size_is_product_and_every_combination_appears_once() {
        let levels = vec![
            vec![0.0, 1.0, 2.0],
            vec![0.0, 1.0],
            vec![0.0, 1.0, 2.0, 3.0],
        ];
        assert_eq!(grid_size(&levels), Some(24));
        let g = grid(&levels).unwrap();
        assert_eq!(g.len(), 24);
        let mut codes: Vec<u32> = g
            .iter()
            .map(|p| (p[0] * 100.0 + p[1] * 10.0 + p[2]) as u32)
            .collect();
        // Row-major order means the codes are already sorted.
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
        codes.dedup();
        assert_eq!(codes.len(), 24);
        // Single parameter: the levels themselves, in order.
        assert_eq!(grid(&[vec![3.0, 1.0]]).unwrap(), vec![vec![3.0], vec![1.0]]);
        // No parameters: one empty point.
        assert_eq!(grid(&[]).unwrap(), vec![Vec::<f64>::new()]);
    }

    #[test]
    fn grid_rejects_empty_levels_and_overflow() {
        assert!(grid(&[vec![1.0], vec![]])
            .unwrap_err()
            .contains("parameter 1"));
        let huge = vec![vec![0.0; 1 << 16]; 5];
        assert_eq!(grid_size(&huge), None);
        assert!(grid(&huge).is_err());
    }

    #[test]
    fn linspace_has_exact_endpoints_and_even_steps() {
        let v = linspace(0.2, 0.8, 4).unwrap();
        assert_eq!(v.len(), 4);
        assert_eq!(v[0], 0.2);
        assert_eq!(v[3], 0.8);
        assert!((v[1] - 0.4).abs() < 1e-15 && (v[2] - 0.6).abs() < 1e-15);
        assert_eq!(linspace(-1.0, 1.0, 3).unwrap(), vec![-1.0, 0.0, 1.0]);
        assert_eq!(linspace(0.15, 0.45, 2).unwrap(), vec![0.15, 0.45]);
        assert_eq!(
            linspace(0.05, 0.55, 6).unwrap(),
            vec![0.05, 0.15, 0.25, 0.35, 0.45, 0.55]
        );
        assert_eq!(linspace(0.2, 0.8, 4).unwrap(), vec![0.2, 0.4, 0.6, 0.8]);
        let w = linspace(0.1, 0.7, 97).unwrap();
        assert_eq!((w[0], w[96]), (0.1, 0.7));
        assert!(w.windows(2).all(|p| p[1] > p[0]));
    }

    #[test]
    fn linspace_rejects_bad_ranges() {
        assert!(linspace(0.0, 1.0, 1).unwrap_err().contains("at least 2"));
        assert!(linspace(0.0, 1.0, 0).is_err());
        assert!(linspace(1.0, 1.0, 3).unwrap_err().contains("empty range"));
        assert!(linspace(2.0, 1.0, 3).is_err());
        assert!(linspace(f64::NAN, 1.0, 3).is_err());
        assert!(linspace(0.0, f64::INFINITY, 3).is_err());
    }
}
