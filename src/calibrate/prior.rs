//! Priors of `trisim calibrate`: uniform on a range given on the command line
//! (`--param ADDR=LOW..HIGH`), or the parameter's own distribution in the scenario (`--param
//! ADDR`), truncated to the parameter's valid range in both cases.

use crate::rng::FastRng;
use crate::scenario::address::{self, Address};
use crate::scenario::param::{num, Bound, Dist, Param};
use crate::scenario::sample::draw_truncated;
use crate::scenario::Scenario;
use anyhow::{anyhow, bail, Result};

/// The prior of one calibrated parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Prior {
    /// Parameter address, e.g. `world.opinion.a_f`.
    pub key: String,
    /// The distribution (uniform for a range), truncated to `bound`.
    pub dist: Dist,
    pub bound: Bound,
    /// Whole-month parameter (its values are rounded when set).
    pub whole: bool,
}

impl Prior {
    /// `true` if `x` has positive prior density.
    pub fn contains(&self, x: f64) -> bool {
        if !self.bound.contains(x) {
            return false;
        }
        match self.dist {
            Dist::Uniform { low, high } => (low..=high).contains(&x),
            Dist::Beta { .. } => (0.0..=1.0).contains(&x),
            Dist::Triangular { min, max, .. } => (min..=max).contains(&x),
            Dist::Lognormal { .. } => x > 0.0,
            Dist::Normal { .. } => true,
            Dist::Empirical { .. } => false,
        }
    }

    /// The prior density at `x`, up to a constant factor (which cancels in the importance
    /// weights).
    pub fn density(&self, x: f64) -> f64 {
        if !self.contains(x) {
            return 0.0;
        }
        match self.dist {
            Dist::Uniform { low, high } => 1.0 / (high - low),
            Dist::Normal { mean, sd } => (-0.5 * ((x - mean) / sd).powi(2)).exp() / sd,
            Dist::Beta { alpha, beta } => x.powf(alpha - 1.0) * (1.0 - x).powf(beta - 1.0),
            Dist::Triangular { min, mode, max } => {
                if x <= mode && mode > min {
                    2.0 * (x - min) / ((max - min) * (mode - min))
                } else if x > mode && max > mode {
                    2.0 * (max - x) / ((max - min) * (max - mode))
                } else {
                    2.0 / (max - min)
                }
            }
            Dist::Lognormal { mu, sigma } => {
                (-0.5 * ((x.ln() - mu) / sigma).powi(2)).exp() / (x * sigma)
            }
            Dist::Empirical { .. } => 0.0,
        }
    }

    /// One draw from the prior.
    pub fn draw(&self, rng: &mut FastRng) -> f64 {
        loop {
            let x = draw_truncated(&self.dist, self.bound, rng);
            if self.contains(x) {
                return x;
            }
        }
    }

    /// `uniform [0.1, 0.9]`, `normal(mean = 0.3, sd = 0.1)`, … for tables.
    pub fn describe(&self) -> String {
        match self.dist {
            Dist::Uniform { low, high } => format!("uniform [{}, {}]", num(low), num(high)),
            Dist::Normal { mean, sd } => format!("normal(mean = {}, sd = {})", num(mean), num(sd)),
            Dist::Beta { alpha, beta } => format!("beta({}, {})", num(alpha), num(beta)),
            Dist::Triangular { min, mode, max } => {
                format!("triangular({}, {}, {})", num(min), num(mode), num(max))
            }
            Dist::Lognormal { mu, sigma } => {
                format!("lognormal(mu = {}, sigma = {})", num(mu), num(sigma))
            }
            Dist::Empirical { .. } => "empirical".into(),
        }
    }
}

/// Parses one `--param` value: `ADDR=LOW..HIGH` (uniform prior) or `ADDR` (the scenario's own
/// distribution of the parameter).
pub fn parse_param(text: &str) -> Result<(String, Option<(f64, f64)>)> {
    let bad = |why: &str| {
        anyhow!("--param `{text}`: {why}; expected ADDR=LOW..HIGH (a uniform prior) or ADDR (the parameter's distribution in the scenario)")
    };
    let Some((addr, spec)) = text.split_once('=') else {
        let addr = text.trim();
        if addr.is_empty() {
            return Err(bad("no parameter address"));
        }
        return Ok((addr.to_string(), None));
    };
    let addr = addr.trim();
    if addr.is_empty() {
        return Err(bad("no parameter address before `=`"));
    }
    let (lo, hi) = spec
        .split_once("..")
        .ok_or_else(|| bad("write the range as LOW..HIGH"))?;
    let number = |s: &str| -> Result<f64> {
        match s.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(bad(&format!("`{}` is not a finite number", s.trim()))),
        }
    };
    Ok((addr.to_string(), Some((number(lo)?, number(hi)?))))
}

/// The prior of parameter `key` of `s`: uniform on `range`, or the scenario's distribution.
pub fn prior(s: &Scenario, key: &str, range: Option<(f64, f64)>) -> Result<Prior> {
    let a: Address = address::find(s, key).map_err(|m| anyhow!("--param {key}: {m}"))?;
    if key.starts_with("history.issues.") {
        bail!("--param {key}: parameters of history.issues cannot be calibrated yet (the overlay scenario could not override one issue of the list)");
    }
    let dist = match (range, &a.value) {
        (Some((low, high)), _) => {
            if low >= high {
                bail!(
                    "--param {key}={}..{}: empty range, LOW must be below HIGH",
                    num(low),
                    num(high)
                );
            }
            for x in [low, high] {
                if !a.bound.contains(x) {
                    bail!(
                        "--param {key}={}..{}: {} is outside the parameter's valid range {}",
                        num(low),
                        num(high),
                        num(x),
                        a.bound.describe()
                    );
                }
            }
            Dist::Uniform { low, high }
        }
        (None, Param::Dist(Dist::Empirical { .. })) => bail!(
            "--param {key}: its distribution in the scenario is empirical (a posterior?), which has no density to use as a prior; give a range: --param {key}=LOW..HIGH"
        ),
        (None, Param::Dist(d)) => d.clone(),
        (None, Param::Fixed(x)) => bail!(
            "--param {key}: the scenario fixes it at {}; give a prior range, e.g. --param {key}=LOW..HIGH, or write a distribution for it in the scenario",
            num(*x)
        ),
    };
    Ok(Prior {
        key: key.to_string(),
        dist,
        bound: a.bound,
        whole: a.whole,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges_and_bare_addresses() {
        assert_eq!(
            parse_param("world.opinion.a_f=0.1..0.5").unwrap(),
            ("world.opinion.a_f".into(), Some((0.1, 0.5)))
        );
        assert_eq!(parse_param("x.y").unwrap(), ("x.y".into(), None));
        assert!(parse_param("x=1").is_err());
        assert!(parse_param("x=a..2").is_err());
    }

    #[test]
    fn priors_check_their_ranges() {
        let s = Scenario::default();
        let p = prior(&s, "world.opinion.a_f", Some((0.1, 0.5))).unwrap();
        assert!(p.contains(0.3) && !p.contains(0.6));
        assert!((p.density(0.2) - 2.5).abs() < 1e-12);
        let e = prior(&s, "world.opinion.a_f", Some((0.5, 0.1))).unwrap_err();
        assert!(e.to_string().contains("LOW must be below HIGH"), "{e}");
        let e = prior(&s, "world.opinion.af", Some((0.1, 0.5))).unwrap_err();
        assert!(
            e.to_string().contains("did you mean `world.opinion.a_f`"),
            "{e}"
        );
    }
}
