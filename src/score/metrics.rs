//! Scoring rules of `trisim score`: PIT and central-band coverage, CRPS (empirical, and the
//! closed form for a normal mixture when an observation has an error `sd`), the median and
//! its sign of change, Brier scores and first-passage months. Pure functions on samples (the
//! simulated values of one path at one month, one per world); formulas in `docs/score.md`.

/// Central bands whose coverage is reported (50%, 80%, 90%).
pub const BANDS: [f64; 3] = [0.5, 0.8, 0.9];

/// Quantiles of the fan charts (5–95, 10–90, 25–75 and the median).
pub const FAN_QUANTILES: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

const SQRT_2: f64 = std::f64::consts::SQRT_2;
const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_3;

/// The complementary error function, to about 1e-15 (absolute): a series without
/// cancellation below 3, a continued fraction above.
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 3.0 {
        // erf(x) = 2/√π e^{-x²} Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1))
        let mut term = x;
        let mut sum = x;
        let x2 = x * x;
        let mut n = 0.0;
        loop {
            n += 1.0;
            term *= 2.0 * x2 / (2.0 * n + 1.0);
            sum += term;
            if term <= sum * 1e-17 {
                break;
            }
        }
        1.0 - 2.0 * FRAC_1_SQRT_PI * (-x2).exp() * sum
    } else if x > 27.0 {
        0.0
    } else {
        // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), modified Lentz.
        let tiny = 1e-300;
        let mut f = x;
        let mut c = x;
        let mut d = 0.0;
        for k in 1..300 {
            let a = k as f64 / 2.0;
            d = x + a * d;
            if d.abs() < tiny {
                d = tiny;
            }
            c = x + a / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = c * d;
            f *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        FRAC_1_SQRT_PI * (-x * x).exp() / f
    }
}

/// Standard normal distribution function Φ.
pub fn norm_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / SQRT_2)
}

/// Standard normal density φ.
pub fn norm_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// E|Z| for Z ~ N(mu, s²) (s > 0).
fn abs_mean(mu: f64, s: f64) -> f64 {
    let z = mu / s;
    mu * (2.0 * norm_cdf(z) - 1.0) + 2.0 * s * norm_pdf(z)
}

/// The sample sorted ascending, undefined (NaN) values dropped.
pub fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Probability integral transform F(y) of the predictive distribution: the sample `xs`
/// (sorted) with mid-ranks for ties, (#{x < y} + ½ #{x = y}) / n; with an observation error
/// `sd` > 0, the sample plus N(0, sd²) noise: mean Φ((y − xᵢ)/sd). NaN for an empty sample.
pub fn pit(xs: &[f64], y: f64, sd: Option<f64>) -> f64 {
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    match sd {
        Some(s) if s > 0.0 => xs.iter().map(|x| norm_cdf((y - x) / s)).sum::<f64>() / n as f64,
        _ => {
            let below = xs.partition_point(|x| *x < y);
            let upto = xs.partition_point(|x| *x <= y);
            (below as f64 + 0.5 * (upto - below) as f64) / n as f64
        }
    }
}

/// Whether a PIT value falls in the central band of probability `p`: [(1−p)/2, (1+p)/2].
pub fn covered(pit: f64, p: f64) -> bool {
    pit >= (1.0 - p) / 2.0 && pit <= (1.0 + p) / 2.0
}

/// Continuous ranked probability score of the sample `xs` (sorted) for the observation `y`:
/// without `sd` the empirical form (1/n) Σ|xᵢ − y| − (1/n²) Σᵢ (2i − n − 1) x₍ᵢ₎; with
/// `sd` > 0, the closed form for the equal-weight mixture of N(xᵢ, sd²). NaN for an empty
/// sample.
pub fn crps(xs: &[f64], y: f64, sd: Option<f64>) -> f64 {
    crps_parts(xs, y, sd, false)
}

/// The *fair* CRPS of the sample `xs` (sorted) (Ferro 2014): the spread term averages over the
/// n(n − 1) pairs of distinct members instead of all n², so that its expectation over samples
/// of n worlds is the CRPS of the model's own distribution, whatever n. The plain form favours
/// small, under-dispersed ensembles; `trisim calibrate` compares particles simulated on a few
/// worlds each and uses this one. Equal to [`crps`] for n = 1 (no pair).
pub fn crps_fair(xs: &[f64], y: f64, sd: Option<f64>) -> f64 {
    crps_parts(xs, y, sd, xs.len() > 1)
}

fn crps_parts(xs: &[f64], y: f64, sd: Option<f64>, fair: bool) -> f64 {
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    let nf = n as f64;
    match sd {
        Some(s) if s > 0.0 => crps_mixture(xs, y, s, fair),
        _ => {
            let abs: f64 = xs.iter().map(|x| (x - y).abs()).sum::<f64>() / nf;
            // ½ E|X − X'| over all n² ordered pairs (the diagonal adds 0).
            let spread: f64 = xs
                .iter()
                .enumerate()
                .map(|(i, x)| (2.0 * (i as f64 + 1.0) - nf - 1.0) * x)
                .sum::<f64>()
                / (nf * nf);
            if fair {
                abs - spread * nf / (nf - 1.0)
            } else {
                abs - spread
            }
        }
    }
}

/// CRPS of the mixture (1/n) Σ N(xᵢ, s²) at `y`: E|Y − y| − ½ E|Y − Y'|, with
/// E|Y − y| = (1/n) Σ A(xᵢ − y, s) and E|Y − Y'| = (1/n²) Σᵢⱼ A(xᵢ − xⱼ, s√2) (fair: over i ≠ j only,
/// divided by n(n − 1)), where
/// A(μ, σ) = E|N(μ, σ²)| = μ(2Φ(μ/σ) − 1) + 2σφ(μ/σ). Pairs further apart than 12σ√2 use
/// A = |μ| (the difference is below 1e-30 of it), summed with prefix sums: O(n × pairs
/// within that distance) instead of O(n²).
fn crps_mixture(xs: &[f64], y: f64, s: f64, fair: bool) -> f64 {
    let n = xs.len();
    let nf = n as f64;
    let first: f64 = xs.iter().map(|x| abs_mean(x - y, s)).sum::<f64>() / nf;
    let s2 = s * SQRT_2;
    let far = 12.0 * s2;
    // prefix[k] = x₀ + … + x_{k−1}
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for x in xs {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + x);
    }
    // Σ over ordered pairs i ≠ j = 2 Σ_{i<j}; the diagonal adds A(0, s√2) each.
    let mut pairs = 0.0;
    for i in 0..n {
        let xi = xs[i];
        let end = xs.partition_point(|x| *x <= xi + far).max(i + 1);
        for xj in &xs[i + 1..end] {
            pairs += abs_mean(xj - xi, s2);
        }
        // j ≥ end: xⱼ − xᵢ > far, A = xⱼ − xᵢ.
        let m = (n - end) as f64;
        pairs += (prefix[n] - prefix[end]) - m * xi;
    }
    // Fair: distinct members only (a member is not an independent draw of itself).
    let second = if fair {
        2.0 * pairs / (nf * (nf - 1.0))
    } else {
        (2.0 * pairs + nf * abs_mean(0.0, s2)) / (nf * nf)
    };
    first - 0.5 * second
}

/// CRPS of a point forecast `x` (with an observation error `sd` > 0: of N(x, sd²)).
pub fn crps_point(x: f64, y: f64, sd: Option<f64>) -> f64 {
    crps(&[x], y, sd)
}

/// Linear-interpolation quantile (type 7) of a sorted sample; NaN if empty.
pub fn quantile(xs: &[f64], q: f64) -> f64 {
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    xs[lo] + (h - lo as f64) * (xs[hi] - xs[lo])
}

/// Sign of a change, with ties as "no change" (0).
pub fn sign(d: f64) -> i8 {
    if d > 0.0 {
        1
    } else if d < 0.0 {
        -1
    } else {
        0
    }
}

/// Share of consecutive pairs where the simulated medians move in the same direction as the
/// observations (up, down, or no change both); None with fewer than two points.
pub fn sign_agreement(obs: &[f64], medians: &[f64]) -> Option<f64> {
    if obs.len() < 2 || obs.len() != medians.len() {
        return None;
    }
    let pairs = obs.len() - 1;
    let same = (0..pairs)
        .filter(|&k| sign(obs[k + 1] - obs[k]) == sign(medians[k + 1] - medians[k]))
        .count();
    Some(same as f64 / pairs as f64)
}

/// Root mean square error of point forecasts; NaN if empty.
pub fn rmse(forecasts: &[f64], obs: &[f64]) -> f64 {
    if obs.is_empty() {
        return f64::NAN;
    }
    (forecasts
        .iter()
        .zip(obs)
        .map(|(f, y)| (f - y) * (f - y))
        .sum::<f64>()
        / obs.len() as f64)
        .sqrt()
}

/// Brier score of probabilities `p` for binary outcomes `y` (0/1); NaN if empty.
pub fn brier(p: &[f64], y: &[f64]) -> f64 {
    if y.is_empty() {
        return f64::NAN;
    }
    p.iter().zip(y).map(|(p, y)| (p - y) * (p - y)).sum::<f64>() / y.len() as f64
}

/// Skill 1 − score / reference score (lower scores better); None if the reference is 0 or
/// either is undefined.
pub fn skill(score: f64, reference: f64) -> Option<f64> {
    (score.is_finite() && reference.is_finite() && reference > 0.0).then(|| 1.0 - score / reference)
}

/// Observed first passage: the index of the first observation equal to 1 that follows an
/// observation equal to 0 (observations in month order); None if the series never turns 1
/// after a 0 (it starts at 1, or stays 0).
pub fn observed_first_passage(values: &[f64]) -> Option<usize> {
    let first_zero = values.iter().position(|v| *v == 0.0)?;
    values[first_zero..]
        .iter()
        .position(|v| *v == 1.0)
        .map(|k| first_zero + k)
}

/// Summary of simulated first-passage months (offsets from the run's start, one per world,
/// None = never): the median over the worlds that pass (lower median for even counts: a
/// month that some world actually reached) and the share of worlds that never pass.
pub fn passage_summary(months: &[Option<i64>]) -> (Option<i64>, f64) {
    if months.is_empty() {
        return (None, f64::NAN);
    }
    let mut passed: Vec<i64> = months.iter().flatten().copied().collect();
    passed.sort_unstable();
    let never = (months.len() - passed.len()) as f64 / months.len() as f64;
    let median = if passed.is_empty() {
        None
    } else {
        Some(passed[(passed.len() - 1) / 2])
    };
    (median, never)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} vs {b}");
    }

    #[test]
    fn normal_distribution_function() {
        close(norm_cdf(0.0), 0.5, 1e-16);
        close(norm_cdf(-1.0), 0.158_655_253_931_457_05, 1e-15);
        close(norm_cdf(1.959_963_984_540_054), 0.975, 1e-15);
        close(norm_cdf(-5.0), 2.866_515_718_791_939e-7, 1e-20);
        close(norm_cdf(3.5), 0.999_767_370_920_964_1, 1e-15);
        close(erfc(0.5), 0.479_500_122_186_953_5, 1e-15);
        close(erfc(4.0), 1.541_725_790_028_002e-8, 1e-22);
        assert_eq!(norm_cdf(-40.0), 0.0);
        assert_eq!(norm_cdf(40.0), 1.0);
    }

    #[test]
    fn pit_uses_mid_ranks_for_ties() {
        let xs = sorted(&[1.0, 2.0, 2.0, 2.0, 3.0]);
        // below 1, equal 3: (1 + 1.5) / 5
        close(pit(&xs, 2.0, None), 0.5, 1e-15);
        close(pit(&xs, 0.0, None), 0.0, 0.0);
        close(pit(&xs, 3.0, None), 0.9, 1e-15);
        close(pit(&xs, 2.5, None), 0.8, 1e-15);
        // All equal (a rung, a 0/1 series): the observation at the mass is central.
        let same = [1.0; 10];
        close(pit(&same, 1.0, None), 0.5, 0.0);
        assert!(covered(0.5, 0.5));
        // 0.9 is inside the 80% band's upper edge, outside the 50% band.
        assert!(covered(0.9, 0.8) && !covered(0.9, 0.5) && covered(0.9, 0.9));
        assert!(!covered(0.95 + 1e-9, 0.9));
        // With an observation error: mean of Φ((y − xᵢ)/sd).
        let p = pit(&[0.0, 1.0], 1.0, Some(1.0));
        close(p, (norm_cdf(1.0) + 0.5) / 2.0, 1e-15);
        assert!(pit(&[], 1.0, None).is_nan());
    }

    #[test]
    fn empirical_crps_of_known_samples() {
        // One point: |x − y|.
        close(crps(&[2.0], 5.0, None), 3.0, 1e-15);
        // {0, 1} at y = 0: E|X − y| = 0.5, E|X − X'| = 0.5 → 0.5 − 0.25.
        close(crps(&[0.0, 1.0], 0.0, None), 0.25, 1e-15);
        // {1, 2, 3, 4} at y = 2.5: E|X−y| = 1, E|X−X'| = (2/16)(1·3 + 2·2 + 3·1) = 1.25.
        close(crps(&[1.0, 2.0, 3.0, 4.0], 2.5, None), 1.0 - 0.625, 1e-15);
        // Brute force on an irregular sample.
        let xs = sorted(&[0.3, -1.2, 4.0, 0.3, 2.2, 7.5, -0.1]);
        let n = xs.len() as f64;
        let y = 1.1;
        let a: f64 = xs.iter().map(|x| (x - y).abs()).sum::<f64>() / n;
        let b: f64 = xs
            .iter()
            .flat_map(|x| xs.iter().map(move |z| (x - z).abs()))
            .sum::<f64>()
            / (n * n);
        close(crps(&xs, y, None), a - 0.5 * b, 1e-14);
    }

    #[test]
    fn mixture_crps_closed_form() {
        // One normal component: the textbook CRPS of N(μ, σ²).
        let (mu, s, y) = (1.0, 2.0, 2.5);
        let z = (y - mu) / s;
        let exact = s * (z * (2.0 * norm_cdf(z) - 1.0) + 2.0 * norm_pdf(z) - FRAC_1_SQRT_PI);
        close(crps(&[mu], y, Some(s)), exact, 1e-14);
        // Against a brute-force double sum, with pairs both near and far (beyond 12σ√2).
        let xs = sorted(&[0.0, 0.1, 0.5, 3.0, 40.0, 41.0, 100.0]);
        let sd = 0.7;
        let n = xs.len() as f64;
        let first: f64 = xs.iter().map(|x| abs_mean(x - y, sd)).sum::<f64>() / n;
        let second: f64 = xs
            .iter()
            .flat_map(|x| xs.iter().map(move |z| abs_mean(x - z, sd * SQRT_2)))
            .sum::<f64>()
            / (n * n);
        close(crps(&xs, y, Some(sd)), first - 0.5 * second, 1e-12);
        // A tiny sd approaches the empirical CRPS.
        close(crps(&xs, y, Some(1e-9)), crps(&xs, y, None), 1e-8);
    }

    #[test]
    fn fair_crps_averages_over_distinct_pairs() {
        // {0, 1} at y = 0: E|X − y| = 0.5, E|X − X'| over the two distinct pairs = 1 → 0.
        close(crps_fair(&[0.0, 1.0], 0.0, None), 0.0, 1e-15);
        // One member: no pair, the plain score.
        close(crps_fair(&[2.0], 5.0, None), 3.0, 1e-15);
        // Brute force, empirical and mixture forms.
        let xs = sorted(&[0.3, -1.2, 4.0, 0.3, 2.2, 7.5, -0.1]);
        let (n, y, sd) = (xs.len() as f64, 1.1, 0.7);
        let pairs = |f: &dyn Fn(f64) -> f64| -> f64 {
            let mut s = 0.0;
            for (i, x) in xs.iter().enumerate() {
                for (j, z) in xs.iter().enumerate() {
                    if i != j {
                        s += f(x - z);
                    }
                }
            }
            s / (n * (n - 1.0))
        };
        let a: f64 = xs.iter().map(|x| (x - y).abs()).sum::<f64>() / n;
        close(
            crps_fair(&xs, y, None),
            a - 0.5 * pairs(&|d| d.abs()),
            1e-14,
        );
        let first: f64 = xs.iter().map(|x| abs_mean(x - y, sd)).sum::<f64>() / n;
        let second = pairs(&|d| abs_mean(d, sd * SQRT_2));
        close(crps_fair(&xs, y, Some(sd)), first - 0.5 * second, 1e-12);
        // 0/1 members: the fair Brier score (p − o)² − p(1 − p)/(n − 1).
        let b = sorted(&[0.0, 0.0, 1.0, 1.0, 1.0]);
        let p = 0.6;
        close(
            crps_fair(&b, 1.0, None),
            (p - 1.0f64).powi(2) - p * (1.0 - p) / 4.0,
            1e-15,
        );
    }

    #[test]
    fn medians_signs_rmse() {
        close(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5, 0.0);
        close(quantile(&[1.0, 2.0, 3.0], 0.5), 2.0, 0.0);
        close(quantile(&[0.0, 10.0], 0.05), 0.5, 1e-15);
        // obs: up, flat, down; sims: up, flat, up → 2 of 3.
        let s = sign_agreement(&[1.0, 2.0, 2.0, 1.0], &[0.0, 0.5, 0.5, 0.7]).unwrap();
        close(s, 2.0 / 3.0, 1e-15);
        assert_eq!(sign_agreement(&[1.0], &[1.0]), None);
        close(rmse(&[1.0, 3.0], &[2.0, 2.0]), 1.0, 0.0);
    }

    #[test]
    fn brier_and_skill() {
        // Forecasts 0.8 and 0.3 for outcomes 1 and 0: (0.04 + 0.09) / 2.
        close(brier(&[0.8, 0.3], &[1.0, 0.0]), 0.065, 1e-15);
        // No-change reference 0 for outcomes 1, 1, 0: 2/3; model 0.2 → skill 1 − 0.2/(2/3).
        let r = brier(&[0.0, 0.0, 0.0], &[1.0, 1.0, 0.0]);
        close(r, 2.0 / 3.0, 1e-15);
        close(skill(0.2, r).unwrap(), 0.7, 1e-15);
        assert_eq!(skill(0.1, 0.0), None);
    }

    #[test]
    fn first_passages() {
        assert_eq!(observed_first_passage(&[0.0, 0.0, 1.0, 0.0, 1.0]), Some(2));
        assert_eq!(observed_first_passage(&[1.0, 0.0, 1.0]), Some(2));
        assert_eq!(observed_first_passage(&[1.0, 1.0]), None);
        assert_eq!(observed_first_passage(&[0.0, 0.0]), None);
        let (m, never) = passage_summary(&[Some(5), None, Some(3), Some(9), None]);
        assert_eq!(m, Some(5));
        close(never, 0.4, 1e-15);
        assert_eq!(passage_summary(&[None, None]), (None, 1.0));
        // Even count: the lower middle.
        assert_eq!(passage_summary(&[Some(1), Some(4)]).0, Some(1));
    }
}
