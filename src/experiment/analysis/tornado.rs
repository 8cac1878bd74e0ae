//! One-at-a-time (tornado) sensitivity: each parameter moved alone to its low and high value
//! from a base point, the others held at base.
//!
//! This is the classic decision-analysis tornado diagram (e.g. Howard 1988, "Decision
//! analysis: practice and promise", Management Science 34(6); Eschenbach 1992, "Spiderplots
//! versus tornado diagrams for sensitivity analysis", Interfaces 22(6)). It shows local,
//! one-at-a-time effects only: interactions are invisible (use Sobol' indices for those).
//!
//! [`tornado_points`] builds the `1 + 2d` design points, the caller evaluates them in order,
//! and [`tornado`] turns the outputs into bars sorted by swing.

/// The one-at-a-time design around `base`: row 0 is `base`; rows `1 + 2i` and `2 + 2i` are
/// `base` with parameter `i` set to `low[i]` and to `high[i]`. `1 + 2d` rows in all.
///
/// Errors if the three slices have different lengths.
pub fn tornado_points(base: &[f64], low: &[f64], high: &[f64]) -> Result<Vec<Vec<f64>>, String> {
    if base.len() != low.len() || base.len() != high.len() {
        return Err(format!(
            "a tornado needs one low and one high value per parameter: {} parameters, \
             {} low and {} high values",
            base.len(),
            low.len(),
            high.len()
        ));
    }
    let mut points = Vec::with_capacity(1 + 2 * base.len());
    points.push(base.to_vec());
    for i in 0..base.len() {
        for value in [low[i], high[i]] {
            let mut p = base.to_vec();
            p[i] = value;
            points.push(p);
        }
    }
    Ok(points)
}

/// One parameter's bar: the output with the parameter at its low and at its high value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    /// Index of the parameter (its position in the `base`/`low`/`high` slices).
    pub parameter: usize,
    /// Output with the parameter at its low value (others at base).
    pub low: f64,
    /// Output with the parameter at its high value (others at base).
    pub high: f64,
    /// `high - low` (negative when raising the parameter lowers the output).
    pub swing: f64,
}

/// A tornado: the output at the base point and one bar per parameter, widest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Tornado {
    /// Output at the base point.
    pub base: f64,
    /// Bars sorted by `|swing|` descending, ties by parameter index ascending.
    pub bars: Vec<Bar>,
}

/// The tornado of `d` parameters from the outputs `y` of [`tornado_points`] (in its row order,
/// `y.len() == 1 + 2d`).
///
/// Errors if the length of `y` is wrong or an output is not finite.
pub fn tornado(y: &[f64], d: usize) -> Result<Tornado, String> {
    if y.len() != 1 + 2 * d {
        return Err(format!(
            "a tornado of {d} parameters has {} outputs (1 + 2d), got {}",
            1 + 2 * d,
            y.len()
        ));
    }
    if let Some(row) = y.iter().position(|v| !v.is_finite()) {
        let what = if row == 0 {
            "the base point".to_string()
        } else {
            format!(
                "parameter {} at its {} value",
                (row - 1) / 2,
                if row % 2 == 1 { "low" } else { "high" }
            )
        };
        return Err(format!(
            "the tornado output for {what} is {}: outputs must be finite",
            y[row]
        ));
    }
    let mut bars: Vec<Bar> = (0..d)
        .map(|i| {
            let (low, high) = (y[1 + 2 * i], y[2 + 2 * i]);
            Bar {
                parameter: i,
                low,
                high,
                swing: high - low,
            }
        })
        .collect();
    bars.sort_by(|a, b| {
        b.swing
            .abs()
            .total_cmp(&a.swing.abs())
            .then(a.parameter.cmp(&b.parameter))
    });
    Ok(Tornado { base: y[0], bars })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tornado_points_move_one_parameter_at_a_time() {
        let p = tornado_points(&[1.0, 2.0], &[0.0, 1.5], &[3.0, 4.0]).unwrap();
        assert_eq!(
            p,
            vec![
                vec![1.0, 2.0],
                vec![0.0, 2.0],
                vec![3.0, 2.0],
                vec![1.0, 1.5],
                vec![1.0, 4.0],
            ]
        );
        assert!(tornado_points(&[1.0], &[0.0, 1.0], &[2.0]).is_err());
        assert_eq!(
            tornado_points(&[], &[], &[]).unwrap(),
            vec![Vec::<f64>::new()]
        );
    }

    #[test]
    fn tornado_of_linear_model_has_exact_bars_in_swing_order() {
        // y = c + Σ a_i x_i: bar i spans a_i (low_i - base_i) .. a_i (high_i - base_i) around
        // the base output.
        let c = 0.5;
        let a = [1.0, -4.0, 0.25, 2.0];
        let base = [0.5, 0.5, 2.0, 1.0];
        let low = [0.0, 0.25, 0.0, 0.5];
        let high = [1.0, 1.0, 4.0, 1.5];
        let f = |x: &[f64]| c + x.iter().zip(&a).map(|(x, a)| a * x).sum::<f64>();
        let pts = tornado_points(&base, &low, &high).unwrap();
        let y: Vec<f64> = pts.iter().map(|p| f(p)).collect();
        let t = tornado(&y, 4).unwrap();
        assert_eq!(t.base, f(&base));
        // Swings: |1·1| = 1, |−4·0.75| = 3, |0.25·4| = 1, |2·1| = 2 → order 1, 3, then the tie
        // 0 and 2 by index.
        let order: Vec<usize> = t.bars.iter().map(|b| b.parameter).collect();
        assert_eq!(order, vec![1, 3, 0, 2]);
        for bar in &t.bars {
            let i = bar.parameter;
            assert!((bar.low - t.base - a[i] * (low[i] - base[i])).abs() < 1e-12);
            assert!((bar.high - t.base - a[i] * (high[i] - base[i])).abs() < 1e-12);
            assert!((bar.swing - a[i] * (high[i] - low[i])).abs() < 1e-12);
        }
        // Raising parameter 1 lowers the output: negative swing.
        assert!(t.bars[0].swing < 0.0);
    }

    #[test]
    fn tornado_rejects_bad_outputs() {
        assert!(tornado(&[1.0, 2.0], 1).unwrap_err().contains("1 + 2d"));
        let e = tornado(&[1.0, 2.0, f64::NAN, 3.0, 4.0], 2).unwrap_err();
        assert!(e.contains("parameter 0 at its high value"), "{e}");
        let t = tornado(&[7.0], 0).unwrap();
        assert_eq!((t.base, t.bars.len()), (7.0, 0));
    }
}
