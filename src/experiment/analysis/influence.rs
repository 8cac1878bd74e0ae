//! How much of an output's variance each parameter explains on its own, from any design
//! (grid, Latin hypercube, ...): the correlation ratio η² (Pearson 1903; Fisher's η²; in
//! sensitivity analysis the "given-data" or binned first-order index, cf. Plischke, Borgonovo &
//! Smith 2013, "Global sensitivity measures from given data", EJOR 226(3)).
//!
//! `η² = Σ_g n_g (ȳ_g − ȳ)² / Σ_k (y_k − ȳ)²` over groups `g` of points with similar `x`. It
//! is 1 when `y` is a function of `x` (on the groups), near 0 when `y` does not depend on `x`,
//! and, unlike a correlation coefficient, it sees non-monotone effects. With `k` groups of
//! independent noise its expectation is about `(k − 1)/(n − 1)`, so it is a ranking tool rather
//! than an exact index. [`rank_parameters`] uses it to pick, e.g., the two most influential
//! swept parameters for a "where does each path win" chart.

/// The correlation ratio η² of `y` on `x`: the share of the variance of `y` explained by the
/// group means of `y` within groups of `x`.
///
/// Groups: if `x` takes at most `bins` distinct values (e.g. a grid parameter), one group per
/// value; otherwise `bins` groups of (nearly) equal count by rank of `x`, where points with
/// equal `x` always share a group (the group of the first of them in sorted order, so a group
/// can grow or vanish at ties). The result does not depend on the order of the points beyond
/// floating-point rounding, and lies in `[0, 1]`. If `y` is constant it is 0 (nothing to
/// explain).
///
/// Errors if `x` and `y` differ in length or are empty, `bins = 0`, or a value is not finite.
pub fn eta_squared(x: &[f64], y: &[f64], bins: usize) -> Result<f64, String> {
    if x.len() != y.len() {
        return Err(format!(
            "η² needs one output per parameter value: {} values, {} outputs",
            x.len(),
            y.len()
        ));
    }
    if x.is_empty() {
        return Err("η² needs at least one point".to_string());
    }
    if bins == 0 {
        return Err("η² needs at least one bin".to_string());
    }
    if let Some(k) = x.iter().position(|v| !v.is_finite()) {
        return Err(format!(
            "parameter value {k} is {}: η² needs finite values",
            x[k]
        ));
    }
    if let Some(k) = y.iter().position(|v| !v.is_finite()) {
        return Err(format!("output {k} is {}: η² needs finite values", y[k]));
    }
    let n = x.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let distinct = 1 + order.windows(2).filter(|w| x[w[0]] != x[w[1]]).count();

    // Group of each point, in sorted order.
    let mut group = vec![0usize; n];
    let groups = if distinct <= bins {
        let mut g = 0;
        for p in 1..n {
            if x[order[p]] != x[order[p - 1]] {
                g += 1;
            }
            group[p] = g;
        }
        distinct
    } else {
        for p in 1..n {
            group[p] = if x[order[p]] == x[order[p - 1]] {
                group[p - 1]
            } else {
                p * bins / n
            };
        }
        bins
    };

    let mean = y.iter().sum::<f64>() / n as f64;
    let ss_total: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    if ss_total == 0.0 {
        return Ok(0.0);
    }
    let mut sums = vec![0.0; groups];
    let mut counts = vec![0usize; groups];
    for (p, &k) in order.iter().enumerate() {
        sums[group[p]] += y[k] - mean;
        counts[group[p]] += 1;
    }
    let ss_between: f64 = sums
        .iter()
        .zip(&counts)
        .filter(|(_, &c)| c > 0)
        .map(|(s, &c)| s * s / c as f64)
        .sum();
    Ok((ss_between / ss_total).clamp(0.0, 1.0))
}

/// The number of equal-count groups [`rank_parameters`] uses for a parameter with many
/// distinct values among `n` points: `round(√n)` clamped to `2..=20`.
pub fn default_bins(n: usize) -> usize {
    ((n as f64).sqrt().round() as usize).clamp(2, 20)
}

/// Parameters ranked by influence on `y`: `(parameter index, η²)` for every parameter, sorted
/// by η² descending, ties by index. `xs` holds one row per point (`xs[k][i]` is parameter `i`
/// at point `k`), `y` the output at each point.
///
/// Groups as in [`eta_squared`]: a parameter with at most `min(20, n/2)` distinct values (a grid
/// parameter, at least two points per value on average) is grouped by value, which on a full
/// factorial makes η² the exact main-effect variance share; any other parameter (e.g. from a
/// Latin hypercube) is cut into [`default_bins`]`(n)` equal-count groups.
///
/// Errors if `xs` is empty, its rows differ in length or `xs` and `y` differ in length, or a
/// value is not finite.
pub fn rank_parameters(xs: &[Vec<f64>], y: &[f64]) -> Result<Vec<(usize, f64)>, String> {
    if xs.is_empty() {
        return Err("ranking parameters needs at least one point".to_string());
    }
    if xs.len() != y.len() {
        return Err(format!(
            "ranking parameters needs one output per point: {} points, {} outputs",
            xs.len(),
            y.len()
        ));
    }
    let d = xs[0].len();
    if let Some(k) = xs.iter().position(|p| p.len() != d) {
        return Err(format!(
            "point {k} has {} parameter values, point 0 has {d}",
            xs[k].len()
        ));
    }
    let n = xs.len();
    let mut ranked = (0..d)
        .map(|i| {
            let x: Vec<f64> = xs.iter().map(|p| p[i]).collect();
            let distinct = count_distinct(&x);
            let bins = if distinct <= (n / 2).min(20) {
                distinct
            } else {
                default_bins(n)
            };
            eta_squared(&x, y, bins)
                .map(|e| (i, e))
                .map_err(|e| format!("parameter {i}: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(ranked)
}

/// Number of distinct values (exact equality; NaN counts as distinct from everything).
fn count_distinct(x: &[f64]) -> usize {
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    sorted.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::design::lhs::lhs;

    #[test]
    fn eta_squared_is_one_for_a_function_of_discrete_x() {
        let x: Vec<f64> = (0..200).map(|k| (k % 5) as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| (v - 2.0).powi(2) + 0.3 * v).collect();
        let e = eta_squared(&x, &y, 10).unwrap();
        assert!((e - 1.0).abs() < 1e-12, "{e}");
        // Non-monotone: correlation would miss it, η² does not.
        let y2: Vec<f64> = x.iter().map(|v| (v - 2.0).powi(2)).collect();
        assert!((eta_squared(&x, &y2, 10).unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn eta_squared_is_near_zero_for_independent_noise() {
        let s = lhs(2000, 2, 17);
        let x: Vec<f64> = s.iter().map(|p| p[0]).collect();
        let y: Vec<f64> = s.iter().map(|p| p[1]).collect();
        let e = eta_squared(&x, &y, 10).unwrap();
        // Expectation ≈ (10 − 1)/(2000 − 1) ≈ 0.0045.
        assert!(e < 0.02, "{e}");
        // Discrete x, y independent of it.
        let xd: Vec<f64> = (0..2000).map(|k| (k % 4) as f64).collect();
        assert!(eta_squared(&xd, &y, 10).unwrap() < 0.02);
    }

    #[test]
    fn eta_squared_of_continuous_function_uses_equal_count_bins() {
        let s = lhs(1000, 1, 4);
        let x: Vec<f64> = s.iter().map(|p| p[0]).collect();
        let y: Vec<f64> = x.iter().map(|v| (6.0 * v).sin()).collect();
        let e = eta_squared(&x, &y, 20).unwrap();
        assert!(e > 0.98 && e <= 1.0, "{e}");
        // Only the ordering of the points changes nothing.
        let mut xr = x.clone();
        let mut yr = y.clone();
        xr.reverse();
        yr.reverse();
        assert!((eta_squared(&xr, &yr, 20).unwrap() - e).abs() < 1e-12);
    }

    #[test]
    fn eta_squared_keeps_ties_together() {
        // 12 distinct values > 3 bins, with heavy ties: points with equal x must share a group,
        // so y = g(x) is fully explained whatever the input order.
        let x: Vec<f64> = (0..120).map(|k| ((k * 7) % 12) as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| if *v < 4.0 { 0.0 } else { 1.0 }).collect();
        let e = eta_squared(&x, &y, 3).unwrap();
        assert!((e - 1.0).abs() < 1e-12, "{e}");
        // y constant: nothing to explain.
        assert_eq!(eta_squared(&x, &vec![2.0; 120], 3).unwrap(), 0.0);
    }

    #[test]
    fn eta_squared_rejects_bad_inputs() {
        assert!(eta_squared(&[1.0], &[1.0, 2.0], 2).is_err());
        assert!(eta_squared(&[], &[], 2).is_err());
        assert!(eta_squared(&[1.0], &[1.0], 0).is_err());
        assert!(eta_squared(&[f64::NAN], &[1.0], 2)
            .unwrap_err()
            .contains("NaN"));
        assert!(eta_squared(&[1.0], &[f64::INFINITY], 2).is_err());
    }

    #[test]
    fn rank_parameters_orders_by_influence() {
        let xs = lhs(500, 4, 8);
        let y: Vec<f64> = xs
            .iter()
            .map(|p| 3.0 * p[2] + (p[0] - 0.5).powi(2))
            .collect();
        let r = rank_parameters(&xs, &y).unwrap();
        let order: Vec<usize> = r.iter().map(|(i, _)| *i).collect();
        assert_eq!(&order[..2], &[2, 0]);
        assert!(r[0].1 > 0.9, "{r:?}");
        assert!(r[2].1 < 0.1 && r[3].1 < 0.1, "{r:?}");
        assert!(r.windows(2).all(|w| w[0].1 >= w[1].1));
        // A grid: by value.
        let grid =
            crate::experiment::design::grid::grid(&[vec![0.0, 1.0, 2.0], vec![0.0, 1.0, 2.0, 3.0]])
                .unwrap();
        let yg: Vec<f64> = grid.iter().map(|p| p[1] * 10.0 + p[0]).collect();
        let rg = rank_parameters(&grid, &yg).unwrap();
        assert_eq!(rg[0].0, 1);
        // Additive on a full grid: the η² are the exact variance shares.
        let total = 100.0 * 1.25 + 2.0 / 3.0;
        assert!((rg[0].1 - 125.0 / total).abs() < 1e-12, "{rg:?}");
        assert!((rg[1].1 - (2.0 / 3.0) / total).abs() < 1e-12, "{rg:?}");
        assert!(rank_parameters(&[], &[]).is_err());
        assert!(rank_parameters(&[vec![1.0], vec![1.0, 2.0]], &[1.0, 2.0]).is_err());
        assert!(rank_parameters(&[vec![1.0]], &[1.0, 2.0]).is_err());
    }

    #[test]
    fn default_bins_is_clamped_root() {
        assert_eq!(default_bins(1), 2);
        assert_eq!(count_distinct(&[1.0, 0.0, 1.0, 2.0, 0.0]), 3);
        assert_eq!(default_bins(100), 10);
        assert_eq!(default_bins(400), 20);
        assert_eq!(default_bins(1_000_000), 20);
    }
}
