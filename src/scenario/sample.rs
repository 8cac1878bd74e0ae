//! Per-replication sampling of distribution parameters from the `params` stream.
//!
//! Each distribution parameter draws from its own stream keyed by (seed, replication, address),
//! so adding, removing or fixing one parameter never changes the draws of another, and
//! replication *r* sees the same parameter values whichever path is simulated.

use super::param::{Bound, Dist, Param, ParamVisitor, VisitParams};
use super::types::Scenario;
use crate::rng::{keyed_stream, stable_hash, std_normal, uniform, FastRng, Stream};
use rand_distr::{Beta, Distribution};

/// A copy of `s` with every distribution parameter replaced by its draw for `replication`.
pub fn sample(s: &Scenario, seed: u64, replication: u64) -> Scenario {
    let mut out = s.clone();
    out.visit_params(&mut ParamVisitor::new(&mut |key, p, bound| {
        if let Param::Dist(d) = p {
            let purpose = (Stream::Params as u64) << 56 ^ stable_hash(key);
            let mut rng = keyed_stream(seed, replication, purpose);
            *p = Param::Fixed(draw_truncated(d, bound, &mut rng));
        }
    }));
    sample_set_events(&mut out, seed, replication);
    out
}

/// Samples the distribution values of `set` and `set_state` events, after every other
/// parameter, each from its own stream keyed by what it sets (the address, or the state
/// variable and whose), its month and its rank among the events setting the same thing in that
/// month: adding such an event changes no other draw. Truncated to the target's range.
fn sample_set_events(s: &mut Scenario, seed: u64, replication: u64) {
    use super::types::EventKind;
    let sampled = |e: &super::Event| {
        matches!(e.kind, EventKind::Set | EventKind::SetState)
            && matches!(e.value, Some(Param::Dist(_)))
    };
    if !s.events.iter().any(sampled) {
        return;
    }
    let bounds: Vec<(String, Bound)> = super::address::all(s)
        .into_iter()
        .map(|a| (a.key, a.bound))
        .collect();
    let mut seen: Vec<(String, super::calendar::YearMonth)> = Vec::new();
    for e in s.events.iter_mut() {
        let (key, bound) = match (e.kind, &e.address, e.variable) {
            (EventKind::Set, Some(key), _) => {
                let bound = bounds
                    .iter()
                    .find(|(k, _)| k == key)
                    .map_or(Bound::Any, |b| b.1);
                (format!("set.{key}"), bound)
            }
            (EventKind::SetState, _, Some(var)) => (
                format!("set_state.{var:?}.{:?}.{:?}", e.side, e.dyad),
                super::validate::state_bound(var),
            ),
            _ => continue,
        };
        let rank = seen
            .iter()
            .filter(|(k, m)| *k == key && *m == e.month)
            .count();
        seen.push((key.clone(), e.month));
        if let Some(Param::Dist(d)) = &e.value {
            // `set` events keep the stream key they were introduced with.
            let id = format!("events.{key}@{}#{rank}", e.month);
            let purpose = (Stream::Params as u64) << 56 ^ stable_hash(&id);
            let mut rng = keyed_stream(seed, replication, purpose);
            e.value = Some(Param::Fixed(draw_truncated(d, bound, &mut rng)));
        }
    }
}

/// Draws from `d` truncated to `bound` by rejection (at most 256 tries, then clamped).
pub fn draw_truncated(d: &Dist, bound: Bound, rng: &mut FastRng) -> f64 {
    let mut x = draw(d, rng);
    for _ in 0..256 {
        if bound.contains(x) {
            return x;
        }
        x = draw(d, rng);
    }
    bound.clamp(x)
}

fn draw(d: &Dist, rng: &mut FastRng) -> f64 {
    match *d {
        Dist::Uniform { low, high } => low + (high - low) * uniform(rng),
        Dist::Normal { mean, sd } => mean + sd * std_normal(rng),
        Dist::Beta { alpha, beta } => Beta::new(alpha, beta)
            .map(|b| b.sample(rng))
            .unwrap_or(alpha / (alpha + beta)),
        Dist::Triangular { min, mode, max } => {
            let u = uniform(rng);
            let f = (mode - min) / (max - min);
            if u < f {
                min + (u * (max - min) * (mode - min)).sqrt()
            } else {
                max - ((1.0 - u) * (max - min) * (max - mode)).sqrt()
            }
        }
        Dist::Lognormal { mu, sigma } => (mu + sigma * std_normal(rng)).exp(),
        Dist::Empirical {
            ref values,
            ref weights,
        } => draw_empirical(values, weights, rng),
    }
}

/// One of `values`, with probability proportional to its weight (equal weights if `weights`
/// is empty): the first value whose cumulative weight exceeds a uniform draw × the total.
fn draw_empirical(values: &[f64], weights: &[f64], rng: &mut FastRng) -> f64 {
    let u = uniform(rng);
    if weights.is_empty() {
        let i = ((u * values.len() as f64) as usize).min(values.len().saturating_sub(1));
        return values.get(i).copied().unwrap_or(f64::NAN);
    }
    let total: f64 = weights.iter().sum();
    let target = u * total;
    let mut acc = 0.0;
    let mut last = f64::NAN;
    for (x, w) in values.iter().zip(weights) {
        if *w > 0.0 {
            acc += w;
            last = *x;
            if target < acc {
                return *x;
            }
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_is_deterministic_and_truncated() {
        let mut s = Scenario::default();
        s.actors.seoul.favourability = Param::Dist(Dist::Normal { mean: 0.9, sd: 0.5 });
        s.relations.trust_kr_jp = Param::Dist(Dist::Uniform {
            low: 0.2,
            high: 0.4,
        });
        let mut seen = Vec::new();
        for r in 0..200 {
            let a = sample(&s, 5, r);
            let b = sample(&s, 5, r);
            assert_eq!(a, b);
            let f = a.actors.seoul.favourability.get();
            assert!((0.0..=1.0).contains(&f));
            let t = a.relations.trust_kr_jp.get();
            assert!((0.2..=0.4).contains(&t));
            seen.push(t);
        }
        let mean = seen.iter().sum::<f64>() / seen.len() as f64;
        assert!((mean - 0.3).abs() < 0.02, "{mean}");
        // Every distribution of a sampled scenario is replaced by a fixed draw.
        let mut sampled = sample(&s, 5, 0);
        let mut dists = 0;
        sampled.visit_params(&mut ParamVisitor::new(&mut |_, p, _| {
            dists += usize::from(!p.is_fixed())
        }));
        assert_eq!(dists, 0);
    }

    #[test]
    fn one_parameter_does_not_shift_another() {
        let mut s = Scenario::default();
        s.relations.trust_kr_jp = Param::Dist(Dist::Uniform {
            low: 0.2,
            high: 0.4,
        });
        let before = sample(&s, 9, 3).relations.trust_kr_jp.get();
        s.actors.seoul.approval = Param::Dist(Dist::Beta {
            alpha: 2.0,
            beta: 3.0,
        });
        let after = sample(&s, 9, 3).relations.trust_kr_jp.get();
        assert_eq!(before, after);
    }

    #[test]
    fn positive_bound_excludes_zero() {
        let d = Dist::Uniform {
            low: -1.0,
            high: 0.5,
        };
        let mut rng = keyed_stream(2, 3, 4);
        for _ in 0..500 {
            let x = draw_truncated(&d, Bound::Positive, &mut rng);
            assert!(x > 0.0 && x <= 0.5, "{x}");
        }
        assert!(Bound::Positive.clamp(-3.0) > 0.0);
        assert_eq!(Bound::Positive.clamp(2.0), 2.0);
    }

    #[test]
    fn triangular_stays_in_support() {
        let d = Dist::Triangular {
            min: 1.0,
            mode: 2.0,
            max: 4.0,
        };
        let mut rng = keyed_stream(1, 1, 1);
        for _ in 0..1000 {
            let x = draw(&d, &mut rng);
            assert!((1.0..=4.0).contains(&x));
        }
    }

    #[test]
    fn empirical_draws_follow_the_weights() {
        let d = Dist::Empirical {
            values: vec![0.1, 0.2, 0.3],
            weights: vec![1.0, 0.0, 3.0],
        };
        assert!(d.check(Bound::Unit).is_ok());
        let mut rng = keyed_stream(3, 0, 7);
        let draws: Vec<f64> = (0..4000)
            .map(|_| draw_truncated(&d, Bound::Unit, &mut rng))
            .collect();
        assert!(draws.iter().all(|x| *x == 0.1 || *x == 0.3));
        let share = draws.iter().filter(|x| **x == 0.3).count() as f64 / 4000.0;
        assert!((share - 0.75).abs() < 0.03, "{share}");
        assert!((d.mean() - 0.25).abs() < 1e-12);
        let bad = Dist::Empirical {
            values: vec![0.1, 0.2],
            weights: vec![1.0],
        };
        assert!(bad.check(Bound::Unit).unwrap_err().contains("as many"));
        let zero = Dist::Empirical {
            values: vec![0.1],
            weights: vec![0.0],
        };
        assert!(zero.check(Bound::Unit).unwrap_err().contains("positive"));
        let neg = Dist::Empirical {
            values: vec![0.1],
            weights: vec![-1.0],
        };
        assert!(neg.check(Bound::Unit).unwrap_err().contains(">= 0"));
        let out = Dist::Empirical {
            values: vec![1.5],
            weights: vec![],
        };
        assert!(out.check(Bound::Unit).unwrap_err().contains("outside"));
    }
}
