//! North Korea (docs/model.md §3.4; Embracing 2023: "North Korean threats will perhaps keep
//! trilateral cooperation in place").
//!
//! A regime-switching negative binomial: regimes engagement / testing / surge follow a monthly
//! Markov chain (a transactional US adds `transactional_engagement_boost` to P(→ engagement),
//! 2018); launches `N_t | r ~ NegBin(μ_r, k_r)` drawn as a Gamma–Poisson mixture
//! (`λ ~ Gamma(k_r, μ_r/k_r)`, `N ~ Poisson(λ)`; variance μ + μ²/k); each month's launches
//! split into long-range `L_t ~ Binomial(N_t, long_range_share)` and short-range `N_t − L_t`;
//! a nuclear test is Bernoulli(p_nuc,r). The process uses only the `nk` stream and the US type
//! (itself drawn independently of the path), so it is identical across paths within a
//! replication.
//!
//! Fixed draw count (common random numbers, docs/model.md §2.8): every month takes exactly three
//! numbers from the `nk` stream whatever the regime, the US type or the scheduled events —
//! one `u64` that seeds a month-local Xoshiro256++ sub-generator (used for the Gamma, Poisson
//! and binomial draws, whose own draw counts vary), one uniform for the regime transition and
//! one for the nuclear test. Two scenarios that differ only from some month on therefore share
//! every NK draw before it, and the stream stays aligned after it.
//!
//! Threat update: `θ^NK_S(t+1) = (1−δ)·θ^NK_S + δ·x_S` with
//! `x_S = clamp(w_N·(w_long,S·L_t + w_short,S·(N_t − L_t)) + w_nuc·nuc_t, 0, 1)`: Japan weights long-range launches more, Korea short-range ones
//! (the 2019 divergence), so the two perceptions diverge in long-range-heavy or
//! short-range-heavy months.

use super::super::compiled::{Coefs, EventC};
use super::super::state::{Sim, SURGE};
use crate::rng::{uniform, FastRng};
use rand::{Rng, SeedableRng};
use rand_distr::{Binomial, Distribution, Gamma, Poisson};

/// Upper bound on the Poisson intensity (guards against extreme Gamma draws).
const MAX_INTENSITY: f64 = 1.0e6;

/// One negative-binomial draw with mean `mean` and dispersion `k` (Gamma–Poisson mixture).
/// The number of numbers drawn from `rng` varies: call it on a month-local sub-generator.
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

/// Number of long-range launches among `n`, each long-range with probability `share`.
pub fn long_range(rng: &mut FastRng, n: u32, share: f64) -> u32 {
    if n == 0 || share <= 0.0 {
        return 0;
    }
    if share >= 1.0 {
        return n;
    }
    match Binomial::new(n as u64, share) {
        Ok(b) => b.sample(rng).min(n as u64) as u32,
        Err(_) => 0,
    }
}

/// Launches of a month (total, long-range) from the month's seed: a fresh sub-generator, so the
/// caller's stream advances by exactly one `u64` whatever the draw.
pub fn month_launches(seed: u64, mean: f64, k: f64, share: f64) -> (u32, u32) {
    let mut sub = FastRng::seed_from_u64(seed);
    let n = negbin(&mut sub, mean, k);
    (n, long_range(&mut sub, n, share))
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

/// Threat input of a month for side `s` given `long` long-range and `short` short-range launches.
#[inline]
pub fn threat_input(c: &Coefs, s: usize, long: u32, short: u32, nuclear: bool) -> f64 {
    let x = c.w_launch * (c.long_weight[s] * long as f64 + c.short_weight[s] * short as f64)
        + if nuclear { c.w_nuclear } else { 0.0 };
    x.clamp(0.0, 1.0)
}

impl Sim<'_> {
    /// Step 1 (NK): regime switch, launches and their range split, nuclear test, threat
    /// perceptions. Draws exactly three numbers from the `nk` stream (see module docs).
    pub fn nk_month(&mut self, events: &[(u32, EventC)]) {
        let m = self.m;
        let c = &m.c;
        let rng = &mut self.rng.nk;
        let month_seed = rng.next_u64();
        let u_regime = uniform(rng);
        let u_nuc = uniform(rng);
        let t = self.t as usize;
        // An observed month (`[world.nk] observed`) replaces the draws, which are still made.
        let observed = m.nk_observed.get(t).copied().flatten();
        let mut regime = match observed {
            Some(o) => o.regime,
            None => next_regime(c, self.st.nk_regime, self.st.us == 1, u_regime),
        };
        for (_, e) in events {
            if let EventC::NkRegime(r) = e {
                regime = *r;
            }
        }
        self.st.nk_regime = regime;
        // The launches depend only on (month seed, regime) and constants of the compiled
        // scenario: reuse them when another path of the replication computed them already.
        let (launches, long) = match (observed, self.memo.nk.get(t)) {
            (Some(o), _) => {
                let long = o.long_range.unwrap_or_else(|| {
                    long_range(
                        &mut FastRng::seed_from_u64(month_seed),
                        o.launches,
                        c.long_share,
                    )
                });
                if t == self.memo.nk.len() {
                    // Keeps the memo's months contiguous; never read for an observed month.
                    self.memo.nk.push((month_seed, regime, o.launches, long));
                }
                (o.launches, long)
            }
            (None, Some(&(s, r, n, l))) if s == month_seed && r == regime => (n, l),
            _ => {
                let (n, l) = month_launches(
                    month_seed,
                    c.nk_mean[regime],
                    c.nk_disp[regime],
                    c.long_share,
                );
                if t < self.memo.nk.len() {
                    self.memo.nk[t] = (month_seed, regime, n, l);
                } else if t == self.memo.nk.len() {
                    self.memo.nk.push((month_seed, regime, n, l));
                }
                (n, l)
            }
        };
        let nuclear = observed
            .and_then(|o| o.nuclear)
            .unwrap_or(u_nuc < c.nk_p_nuc[regime])
            || events.iter().any(|(_, e)| matches!(e, EventC::NuclearTest));
        self.st.launches = launches;
        self.st.launches_long = long;
        self.st.nuclear = nuclear;
        if nuclear {
            self.st.last_nuclear = self.t_now();
        }
        self.acc.nk_launches += launches as u64;
        if nuclear {
            self.diag.nuclear_tests += 1;
        }
        let d = c.threat_smoothing;
        for s in 0..2 {
            self.st.theta_nk[s] = (1.0 - d) * self.st.theta_nk[s]
                + d * threat_input(c, s, long, launches - long, nuclear);
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

    fn default_coefs() -> Coefs {
        super::super::super::compiled::Compiled::new(&crate::scenario::Scenario::default()).c
    }

    /// θ^NK of (KR, JP) after `months` months of `long` long-range and `short` short-range
    /// launches per month, from θ = 0.
    fn history(c: &Coefs, months: usize, long: u32, short: u32) -> [f64; 2] {
        let mut th = [0.0; 2];
        for _ in 0..months {
            for (s, x) in th.iter_mut().enumerate() {
                *x = (1.0 - c.threat_smoothing) * *x
                    + c.threat_smoothing * threat_input(c, s, long, short, false);
            }
        }
        th
    }

    /// M4 (the 2019 divergence): long-range-heavy months raise Japan's threat perception more
    /// than Korea's, short-range-heavy months the reverse.
    #[test]
    fn range_mix_drives_the_kr_jp_threat_divergence() {
        let c = default_coefs();
        let long = history(&c, 12, 3, 0);
        let short = history(&c, 12, 0, 3);
        assert!(long[1] > long[0] + 0.01, "long-range heavy: {long:?}");
        assert!(short[0] > short[1] + 0.01, "short-range heavy: {short:?}");
        // Same total launches: the gap flips sign with the mix, not with the count.
        assert!((long[1] - long[0]) * (short[1] - short[0]) < 0.0);
    }

    #[test]
    fn long_range_split_is_binomial_and_month_draws_are_seeded() {
        let c = default_coefs();
        let mut rng = stream(3, 0, Stream::Nk);
        let (mut n, mut l) = (0u64, 0u64);
        for _ in 0..20_000 {
            let (a, b) = month_launches(rng.next_u64(), 5.0, 0.9, c.long_share);
            assert!(b <= a);
            n += a as u64;
            l += b as u64;
        }
        let share = l as f64 / n as f64;
        assert!((share - c.long_share).abs() < 0.01, "{share}");
        // A month's draw is a pure function of its seed.
        assert_eq!(
            month_launches(42, 5.0, 0.9, 0.3),
            month_launches(42, 5.0, 0.9, 0.3)
        );
        assert_eq!(long_range(&mut rng, 0, 0.5), 0);
        assert_eq!(long_range(&mut rng, 7, 1.0), 7);
    }
}
