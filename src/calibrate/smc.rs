//! ABC-SMC (Toni et al. 2009; Beaumont et al. 2009): populations of weighted particles under
//! decreasing tolerances.
//!
//! - Generation 0 draws N particles from the prior (tolerance ∞, equal weights).
//! - Generation t ≥ 1: tolerance ε_t = the α-quantile of generation t−1's distances.
//!   Candidates are drawn one at a time: an ancestor θ_j with probability w_j, perturbed by a
//!   Gaussian kernel K = N(θ_j, Σ) with Σ = 2 × the weighted covariance of generation t−1
//!   (Beaumont et al. 2009), redrawn while outside the prior's support or invalid. Candidates
//!   are simulated in batches of N (in parallel) and accepted in candidate order while their
//!   distance is ≤ ε_t, until N are accepted. Weights w_i ∝ π(θ_i) / Σ_j w_j K(θ_i | θ_j).
//! - The effective sample size is 1 / Σ w_i² (weights normalised).
//! - It stops after the last generation, or when a generation's acceptance rate (accepted /
//!   candidates needed) falls below the minimum: a generation that would need more than N /
//!   min_acceptance candidates is abandoned, and the previous one is the posterior.
//!
//! Candidate k of generation t draws from its own stream keyed by (seed, t, k): the
//! populations depend only on the seed, not on threads, batches or interruptions.

use super::prior::Prior;
use crate::rng::{keyed_stream, stable_hash, std_normal, uniform, FastRng};
use crate::score::metrics;
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

/// Settings of the algorithm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub particles: usize,
    pub generations: usize,
    /// Quantile of the previous distances giving the next tolerance.
    pub alpha: f64,
    pub min_acceptance: f64,
    pub seed: u64,
}

/// One particle: parameter values, normalised weight, distance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Particle {
    pub theta: Vec<f64>,
    pub weight: f64,
    pub distance: f64,
}

/// One accepted population.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    pub index: usize,
    /// ε_t (∞ for generation 0; stored as its bits, as JSON has no ∞).
    #[serde(with = "bits")]
    pub tolerance: f64,
    /// Candidates simulated up to the N-th accepted one.
    pub candidates: u64,
    pub acceptance_rate: f64,
    pub ess: f64,
    pub particles: Vec<Particle>,
}

/// The state of a calibration (saved after every generation).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub generations: Vec<Generation>,
    /// Why it stopped early (None: not stopped, or ran every generation).
    pub stopped: Option<String>,
}

impl State {
    pub fn done(&self, s: &Settings) -> bool {
        self.stopped.is_some() || self.generations.len() >= s.generations
    }
}

/// What the algorithm needs from the model.
pub trait Model {
    /// Distances of candidates, in order.
    fn distances(&self, thetas: &[Vec<f64>]) -> Vec<f64>;
    /// Whether the scenario at `theta` is valid.
    fn valid(&self, theta: &[f64]) -> bool;
}

/// The stream of candidate `k` of generation `g`.
fn candidate_rng(seed: u64, g: usize, k: u64) -> FastRng {
    keyed_stream(
        seed,
        ((g as u64) << 40) | k,
        stable_hash("calibrate.candidate"),
    )
}

/// Most redraws of one candidate (outside the support or invalid) before giving up.
const MAX_REDRAWS: usize = 100_000;

/// Runs the next generation; `progress(accepted, needed)` after each batch, returning false
/// to stop (then `Ok(false)` is returned and the state is unchanged).
pub fn step(
    state: &mut State,
    priors: &[Prior],
    set: &Settings,
    model: &dyn Model,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<bool> {
    let g = state.generations.len();
    let n = set.particles;
    let d = priors.len();
    let prior_density =
        |th: &[f64]| -> f64 { priors.iter().zip(th).map(|(p, x)| p.density(*x)).product() };
    let in_support = |th: &[f64]| priors.iter().zip(th).all(|(p, x)| p.contains(*x));
    let prev = state.generations.last().cloned();
    let kernel = match &prev {
        Some(p) => Some(Kernel::new(p, priors)?),
        None => None,
    };
    let tolerance = match &prev {
        None => f64::INFINITY,
        Some(p) => {
            let ds = metrics::sorted(&p.particles.iter().map(|q| q.distance).collect::<Vec<_>>());
            metrics::quantile(&ds, set.alpha)
        }
    };
    let max_candidates = ((n as f64 / set.min_acceptance.max(1e-9)).ceil() as u64).max(n as u64);
    let propose = |k: u64| -> Result<Vec<f64>> {
        let mut rng = candidate_rng(set.seed, g, k);
        for _ in 0..MAX_REDRAWS {
            let th: Vec<f64> = match (&prev, &kernel) {
                (Some(p), Some(kern)) => {
                    let j = pick(&p.particles, &mut rng);
                    kern.perturb(&p.particles[j].theta, &mut rng)
                }
                _ => priors.iter().map(|p| p.draw(&mut rng)).collect(),
            };
            if in_support(&th) && model.valid(&th) {
                return Ok(th);
            }
        }
        bail!("generation {g}: no valid candidate in {MAX_REDRAWS} draws (are the priors compatible with the scenario's constraints?)")
    };
    let mut accepted: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n);
    let mut k = 0u64;
    let mut candidates = 0u64;
    while accepted.len() < n {
        if k >= max_candidates {
            state.stopped = Some(format!(
                "generation {g} needed more than {max_candidates} candidates (acceptance rate below {}); the posterior is generation {}",
                set.min_acceptance,
                g.saturating_sub(1)
            ));
            return Ok(true);
        }
        let batch: Vec<Vec<f64>> = (k..(k + n as u64).min(max_candidates))
            .map(&propose)
            .collect::<Result<_>>()?;
        let ds = model.distances(&batch);
        for (i, (th, dist)) in batch.into_iter().zip(ds).enumerate() {
            if accepted.len() < n && dist <= tolerance && dist.is_finite() {
                accepted.push((th, dist));
                candidates = k + i as u64 + 1;
            }
        }
        k += n as u64;
        if !progress(accepted.len(), n) {
            return Ok(false);
        }
    }
    // Importance weights.
    let raw: Vec<f64> = match (&prev, &kernel) {
        (Some(p), Some(kern)) => accepted
            .iter()
            .map(|(th, _)| {
                let q: f64 = p
                    .particles
                    .iter()
                    .map(|pj| pj.weight * kern.density(th, &pj.theta))
                    .sum();
                prior_density(th) / q
            })
            .collect(),
        _ => vec![1.0; n],
    };
    let total: f64 = raw.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        bail!("generation {g}: the importance weights do not sum to a positive number");
    }
    let particles: Vec<Particle> = accepted
        .into_iter()
        .zip(&raw)
        .map(|((theta, distance), w)| Particle {
            theta,
            weight: w / total,
            distance,
        })
        .collect();
    let ess = 1.0 / particles.iter().map(|p| p.weight * p.weight).sum::<f64>();
    let rate = n as f64 / candidates.max(1) as f64;
    let _ = d;
    state.generations.push(Generation {
        index: g,
        tolerance,
        candidates,
        acceptance_rate: rate,
        ess,
        particles,
    });
    if g > 0 && rate < set.min_acceptance {
        state.stopped = Some(format!(
            "the acceptance rate of generation {g} ({rate:.4}) fell below the minimum {}",
            set.min_acceptance
        ));
    }
    Ok(true)
}

/// A number saved as its IEEE-754 bits (exact, infinities included).
mod bits {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(x.to_bits())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        u64::deserialize(d).map(f64::from_bits)
    }
}

/// An index drawn with probability proportional to the particles' weights.
fn pick(ps: &[Particle], rng: &mut FastRng) -> usize {
    let u = uniform(rng);
    let mut acc = 0.0;
    for (i, p) in ps.iter().enumerate() {
        acc += p.weight;
        if u < acc {
            return i;
        }
    }
    ps.len() - 1
}

/// The Gaussian perturbation kernel N(0, Σ), Σ = 2 × weighted covariance (Cholesky factor).
struct Kernel {
    /// Lower-triangular L with L Lᵀ = Σ, row-major d × d.
    l: Vec<f64>,
    d: usize,
}

impl Kernel {
    fn new(g: &Generation, priors: &[Prior]) -> Result<Kernel> {
        let d = priors.len();
        let (mean, cov) = weighted_cov(&g.particles, d);
        let mut sigma: Vec<f64> = cov.iter().map(|c| 2.0 * c).collect();
        // A degenerate population (all particles equal): a tiny ridge on the diagonal,
        // relative to each prior's scale.
        for attempt in 0..8 {
            if let Some(l) = cholesky(&sigma, d) {
                return Ok(Kernel { l, d });
            }
            for i in 0..d {
                let scale = prior_scale(&priors[i], mean[i]);
                sigma[i * d + i] += (scale * 1e-6 * 10f64.powi(attempt)).powi(2);
            }
        }
        bail!("the perturbation kernel's covariance is not positive definite")
    }

    fn perturb(&self, theta: &[f64], rng: &mut FastRng) -> Vec<f64> {
        let z: Vec<f64> = (0..self.d).map(|_| std_normal(rng)).collect();
        (0..self.d)
            .map(|i| theta[i] + (0..=i).map(|j| self.l[i * self.d + j] * z[j]).sum::<f64>())
            .collect()
    }

    /// The kernel density of `x` around `c`, up to a constant factor.
    fn density(&self, x: &[f64], c: &[f64]) -> f64 {
        // Solve L y = x − c; density ∝ exp(−|y|²/2).
        let d = self.d;
        let mut y = vec![0.0; d];
        for i in 0..d {
            let s: f64 = (0..i).map(|j| self.l[i * d + j] * y[j]).sum();
            y[i] = (x[i] - c[i] - s) / self.l[i * d + i];
        }
        (-0.5 * y.iter().map(|v| v * v).sum::<f64>()).exp()
    }
}

fn prior_scale(p: &Prior, at: f64) -> f64 {
    match p.dist {
        crate::scenario::param::Dist::Uniform { low, high } => high - low,
        _ => at.abs().max(1e-3),
    }
}

/// Weighted mean and covariance (row-major d × d) of a population.
pub fn weighted_cov(ps: &[Particle], d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut mean = vec![0.0; d];
    for p in ps {
        for (m, x) in mean.iter_mut().zip(&p.theta) {
            *m += p.weight * x;
        }
    }
    let mut cov = vec![0.0; d * d];
    for p in ps {
        for i in 0..d {
            for j in 0..d {
                cov[i * d + j] += p.weight * (p.theta[i] - mean[i]) * (p.theta[j] - mean[j]);
            }
        }
    }
    (mean, cov)
}

/// Cholesky factor of a symmetric positive definite matrix (None if not).
fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * d + k] * l[j * d + k]).sum();
            if i == j {
                let v = a[i * d + i] - s;
                if !(v > 0.0 && v.is_finite()) {
                    return None;
                }
                l[i * d + j] = v.sqrt();
            } else {
                l[i * d + j] = (a[i * d + j] - s) / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// Weighted quantile of values with normalised weights.
pub fn weighted_quantile(xs: &[f64], ws: &[f64], q: f64) -> f64 {
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    idx.sort_by(|a, b| xs[*a].total_cmp(&xs[*b]));
    let total: f64 = ws.iter().sum();
    let mut acc = 0.0;
    for i in &idx {
        acc += ws[*i] / total;
        if acc >= q {
            return xs[*i];
        }
    }
    idx.last().map_or(f64::NAN, |i| xs[*i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::param::{Bound, Dist};

    struct Toy;
    impl Model for Toy {
        fn distances(&self, thetas: &[Vec<f64>]) -> Vec<f64> {
            thetas.iter().map(|t| (t[0] - 0.3).abs()).collect()
        }
        fn valid(&self, _: &[f64]) -> bool {
            true
        }
    }

    #[test]
    fn a_toy_posterior_concentrates_on_the_truth() {
        let priors = vec![Prior {
            key: "x".into(),
            dist: Dist::Uniform {
                low: 0.0,
                high: 1.0,
            },
            bound: Bound::Unit,
            whole: false,
        }];
        let set = Settings {
            particles: 200,
            generations: 6,
            alpha: 0.5,
            min_acceptance: 0.01,
            seed: 4,
        };
        let mut st = State::default();
        while !st.done(&set) {
            step(&mut st, &priors, &set, &Toy, &mut |_, _| true).unwrap();
        }
        let last = st.generations.last().unwrap();
        let xs: Vec<f64> = last.particles.iter().map(|p| p.theta[0]).collect();
        let ws: Vec<f64> = last.particles.iter().map(|p| p.weight).collect();
        let (lo, hi) = (
            weighted_quantile(&xs, &ws, 0.1),
            weighted_quantile(&xs, &ws, 0.9),
        );
        assert!(lo < 0.3 && 0.3 < hi && hi - lo < 0.1, "{lo} {hi}");
        assert!(last.tolerance < 0.05);
        let s: f64 = ws.iter().sum();
        assert!((s - 1.0).abs() < 1e-9 && last.ess > 10.0);
    }
}
