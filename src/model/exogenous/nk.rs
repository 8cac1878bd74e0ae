//! North Korea (MODEL.md §4.1; 003: "North Korean threats keep trilateral cooperation in place").
//!
//! A regime-switching negative binomial: regimes engagement / testing / surge follow a monthly
//! Markov chain (a transactional US adds `transactional_engagement_boost` to P(→ engagement),
//! 2018); launches `N_t | r ~ NegBin(μ_r, k_r)` drawn as a Gamma–Poisson mixture
//! (`λ ~ Gamma(k_r, μ_r/k_r)`, `N ~ Poisson(λ)`; variance μ + μ²/k); a nuclear test is
//! Bernoulli(p_nuc,r). The process uses only the `nk` stream and the US type (itself drawn
//! independently of the path), so it is identical across paths within a replication.
//!
//! Threat update: `θ^NK_S(t+1) = (1−δ)·θ^NK_S + δ·clamp(w_N·ω_S·N_t + w_nuc·nuc_t, 0, 1)`
//! with ω_S = share_long·w_long,S + (1 − share_long)·w_short,S (Japan weights long-range
//! launches more, Korea short-range: the 2019 divergence).

use super::super::compiled::{Coefs, EventC};
use super::super::state::{Sim, SURGE};
use crate::rng::{uniform, FastRng};
use rand_distr::{Distribution, Gamma, Poisson};

/// Upper bound on the Poisson intensity (guards against extreme Gamma draws).
const MAX_INTENSITY: f64 = 1.0e6;

/// One negative-binomial draw with mean `mean` and dispersion `k` (Gamma–Poisson mixture).
pub fn negbin(rng: &mut FastRng, mean: f64, k: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    let lambda = match Gamma::new(k, mean / k) {
        Ok(g) => g.sample(rng).min(MAX_INTENSITY),
        Err(_) => mean,
    };
    if lambda <= 0.0 {
        return 0;
    }
    match Poisson::new(lambda) {
        Ok(p) => {
            let x: f64 = p.sample(rng);
            x.min(u32::MAX as f64) as u32
        }
        Err(_) => 0,
    }
}

/// Next regime from `from` given a uniform draw `u` (transition row, plus the boost toward
/// engagement under a transactional US, renormalised).
pub fn next_regime(c: &Coefs, from: usize, transactional: bool, u: f64) -> usize {
    let mut row = c.nk_trans[from];
    if transactional {
        row[0] += c.nk_trans_boost;
        let s: f64 = row.iter().sum();
        if s > 0.0 {
            for x in row.iter_mut() {
                *x /= s;
            }
        }
    }
    if u < row[0] {
        0
    } else if u < row[0] + row[1] {
        1
    } else {
        2
    }
}

/// Threat input of a month for side `s`.
#[inline]
pub fn threat_input(c: &Coefs, s: usize, launches: u32, nuclear: bool) -> f64 {
    let x =
        c.w_launch * c.launch_weight[s] * launches as f64 + if nuclear { c.w_nuclear } else { 0.0 };
    x.clamp(0.0, 1.0)
}

impl Sim<'_> {
    /// Step 1 (NK): regime switch, launches, nuclear test, threat perceptions.
    pub fn nk_month(&mut self, events: &[(u32, EventC)]) {
        let m = self.m;
        let c = &m.c;
        let rng = &mut self.rng.nk;
        let u_regime = uniform(rng);
        let mut regime = next_regime(c, self.st.nk_regime, self.st.us == 1, u_regime);
        for (_, e) in events {
            if let EventC::NkRegime(r) = e {
                regime = *r;
            }
        }
        self.st.nk_regime = regime;
        let launches = negbin(rng, c.nk_mean[regime], c.nk_disp[regime]);
        let u_nuc = uniform(rng);
        let nuclear = u_nuc < c.nk_p_nuc[regime]
            || events.iter().any(|(_, e)| matches!(e, EventC::NuclearTest));
        self.st.launches = launches;
        self.st.nuclear = nuclear;
        self.acc.nk_launches += launches as u64;
        if nuclear {
            self.diag.nuclear_tests += 1;
        }
        let d = c.threat_smoothing;
        for s in 0..2 {
            self.st.theta_nk[s] =
                (1.0 - d) * self.st.theta_nk[s] + d * threat_input(c, s, launches, nuclear);
        }
    }

    /// Whether NK is in the surge regime this month.
    #[inline]
    pub fn surge(&self) -> bool {
        self.st.nk_regime == SURGE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, Stream};

    #[test]
    fn negative_binomial_matches_mean_and_variance() {
        let mut rng = stream(11, 0, Stream::Nk);
        for &(mu, k) in &[(4.0, 0.9), (1.4, 0.35), (5.0, 3.0)] {
            let n = 200_000;
            let xs: Vec<f64> = (0..n).map(|_| negbin(&mut rng, mu, k) as f64).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let var_th = mu + mu * mu / k;
            // Standard error of the mean is sqrt(var/n); allow 5 of them.
            assert!(
                (mean - mu).abs() < 5.0 * (var_th / n as f64).sqrt(),
                "mean {mean} vs {mu}"
            );
            assert!(
                (var - var_th).abs() / var_th < 0.08,
                "variance {var} vs {var_th} (mu {mu}, k {k})"
            );
            // Over-dispersed: clearly above the Poisson variance.
            assert!(var > 1.5 * mu);
        }
    }

    #[test]
    fn transactional_us_raises_the_chance_of_engagement() {
        let c =
            super::super::super::compiled::Compiled::new(&crate::scenario::Scenario::default()).c;
        let share = |transactional: bool| {
            (0..10_000)
                .filter(|i| next_regime(&c, 1, transactional, (*i as f64 + 0.5) / 10_000.0) == 0)
                .count()
        };
        assert!(share(true) > share(false) + 100);
    }
}
