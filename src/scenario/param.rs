//! Numeric parameters: a fixed number or a distribution sampled once per replication.
//!
//! In a scenario file every numeric parameter may be written either as a plain number
//! (`favourability = 0.3`) or as an inline table naming a distribution
//! (`favourability = { dist = "uniform", low = 0.2, high = 0.4 }`). Distributions are sampled
//! once per replication from the replication's `params` stream, and truncated to the
//! parameter's valid range ([`Bound`]).

use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// A distribution a parameter can be drawn from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum Dist {
    /// Uniform on `[low, high]`.
    Uniform { low: f64, high: f64 },
    /// Normal with `mean` and standard deviation `sd`.
    Normal { mean: f64, sd: f64 },
    /// Beta(`alpha`, `beta`) on [0, 1].
    Beta { alpha: f64, beta: f64 },
    /// Triangular on `[min, max]` with peak at `mode`.
    Triangular { min: f64, mode: f64, max: f64 },
    /// Log-normal: `exp(N(mu, sigma))`.
    Lognormal { mu: f64, sigma: f64 },
    /// Empirical: one of `values`, drawn with probability proportional to its weight in
    /// `weights` (same length, each ≥ 0, sum > 0; omitted: equal weights). `trisim calibrate`
    /// writes its posterior in this form.
    Empirical {
        values: Vec<f64>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        weights: Vec<f64>,
    },
}

impl Dist {
    /// The distribution's mean (before truncation).
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Uniform { low, high } => 0.5 * (low + high),
            Dist::Normal { mean, .. } => mean,
            Dist::Beta { alpha, beta } => alpha / (alpha + beta),
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::Lognormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
            Dist::Empirical {
                ref values,
                ref weights,
            } => {
                let w = empirical_weights(values, weights);
                let total: f64 = w.iter().sum();
                values.iter().zip(&w).map(|(x, w)| x * w).sum::<f64>() / total
            }
        }
    }

    /// The smallest and largest values of an empirical distribution that have a positive
    /// weight (None for other distributions or when none has).
    pub fn empirical_range(&self) -> Option<(f64, f64)> {
        let Dist::Empirical { values, weights } = self else {
            return None;
        };
        let w = empirical_weights(values, weights);
        values.iter().zip(&w).filter(|(_, w)| **w > 0.0).fold(
            None,
            |acc: Option<(f64, f64)>, (x, _)| {
                Some(acc.map_or((*x, *x), |(a, b)| (a.min(*x), b.max(*x))))
            },
        )
    }

    /// Checks the distribution's own parameters and that its support meets `bound`.
    /// Returns a human-readable description of the problem.
    pub fn check(&self, bound: Bound) -> Result<(), String> {
        let finite = |name: &str, x: f64| {
            if x.is_finite() {
                Ok(())
            } else {
                Err(format!("`{name}` must be a finite number, got {}", num(x)))
            }
        };
        let (lo, hi) = match *self {
            Dist::Uniform { low, high } => {
                finite("low", low)?;
                finite("high", high)?;
                if low > high {
                    return Err(format!(
                        "uniform distribution needs low <= high, got low = {}, high = {}",
                        num(low),
                        num(high)
                    ));
                }
                (low, high)
            }
            Dist::Normal { mean, sd } => {
                finite("mean", mean)?;
                finite("sd", sd)?;
                if sd < 0.0 {
                    return Err(format!(
                        "normal distribution needs sd >= 0, got sd = {}",
                        num(sd)
                    ));
                }
                (f64::NEG_INFINITY, f64::INFINITY)
            }
            Dist::Beta { alpha, beta } => {
                finite("alpha", alpha)?;
                finite("beta", beta)?;
                if alpha <= 0.0 || beta <= 0.0 {
                    return Err(format!(
                        "beta distribution needs alpha > 0 and beta > 0, got alpha = {}, beta = {}",
                        num(alpha),
                        num(beta)
                    ));
                }
                (0.0, 1.0)
            }
            Dist::Triangular { min, mode, max } => {
                finite("min", min)?;
                finite("mode", mode)?;
                finite("max", max)?;
                if !(min <= mode && mode <= max) || min >= max {
                    return Err(format!(
                        "triangular distribution needs min <= mode <= max and min < max, got min = {}, mode = {}, max = {}",
                        num(min),
                        num(mode),
                        num(max)
                    ));
                }
                (min, max)
            }
            Dist::Lognormal { mu, sigma } => {
                finite("mu", mu)?;
                finite("sigma", sigma)?;
                if sigma < 0.0 {
                    return Err(format!(
                        "lognormal distribution needs sigma >= 0, got sigma = {}",
                        num(sigma)
                    ));
                }
                (0.0, f64::INFINITY)
            }
            Dist::Empirical {
                ref values,
                ref weights,
            } => {
                if values.is_empty() {
                    return Err(
                        "empirical distribution needs at least one value in `values`".into(),
                    );
                }
                if !weights.is_empty() && weights.len() != values.len() {
                    return Err(format!(
                        "empirical distribution needs as many `weights` as `values`, got {} weights for {} values",
                        weights.len(),
                        values.len()
                    ));
                }
                for (i, x) in values.iter().enumerate() {
                    if !bound.contains(*x) {
                        return Err(format!(
                            "empirical distribution: value {} (number {}) is outside the valid range {}",
                            num(*x),
                            i + 1,
                            bound.describe()
                        ));
                    }
                }
                for (i, w) in weights.iter().enumerate() {
                    if !w.is_finite() || *w < 0.0 {
                        return Err(format!(
                            "empirical distribution: weight {} (number {}) must be a finite number >= 0",
                            num(*w),
                            i + 1
                        ));
                    }
                }
                let total: f64 = empirical_weights(values, weights).iter().sum();
                if !(total > 0.0 && total.is_finite()) {
                    return Err(
                        "empirical distribution: the weights must have a positive, finite sum"
                            .into(),
                    );
                }
                return Ok(());
            }
        };
        let (blo, bhi) = bound.limits();
        if hi < blo || lo > bhi || (bound == Bound::Positive && hi <= 0.0) {
            return Err(format!(
                "the distribution's support [{}, {}] lies outside the valid range {}",
                num(lo),
                num(hi),
                bound.describe()
            ));
        }
        if let Dist::Normal { mean, sd } = *self {
            // Truncation by rejection needs a reasonable chance of landing in range.
            if (mean < blo && (blo - mean) > 4.0 * sd) || (mean > bhi && (mean - bhi) > 4.0 * sd) {
                return Err(format!(
                    "normal(mean = {}, sd = {}) has almost no mass in the valid range {}",
                    num(mean),
                    num(sd),
                    bound.describe()
                ));
            }
        }
        Ok(())
    }
}

/// The weights of an empirical distribution: `weights`, or equal weights when none are given.
pub fn empirical_weights(values: &[f64], weights: &[f64]) -> Vec<f64> {
    if weights.is_empty() {
        vec![1.0; values.len()]
    } else {
        weights.to_vec()
    }
}

/// The valid range of a parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// A probability or share: [0, 1].
    Unit,
    /// A non-negative quantity (rate, scale, weight): [0, ∞).
    NonNeg,
    /// A strictly positive quantity (e.g. a dispersion): (0, ∞).
    Positive,
    /// Any finite real number (utilities, logistic intercepts).
    Any,
    /// An explicit closed range (either end may be infinite).
    Range(f64, f64),
}

impl Bound {
    /// The closure of the range: lowest and highest valid values (for `Positive`, 0 itself is
    /// excluded; see [`Bound::contains`]).
    pub fn limits(self) -> (f64, f64) {
        match self {
            Bound::Unit => (0.0, 1.0),
            Bound::NonNeg | Bound::Positive => (0.0, f64::INFINITY),
            Bound::Any => (f64::NEG_INFINITY, f64::INFINITY),
            Bound::Range(lo, hi) => (lo, hi),
        }
    }

    pub fn contains(self, x: f64) -> bool {
        let (lo, hi) = self.limits();
        x.is_finite() && x >= lo && x <= hi && !(self == Bound::Positive && x <= 0.0)
    }

    /// The valid value nearest to `x` (a finite `x`; used as a last resort when truncating).
    pub fn clamp(self, x: f64) -> f64 {
        let (lo, hi) = self.limits();
        let y = x.clamp(lo, hi);
        if self == Bound::Positive && y <= 0.0 {
            f64::MIN_POSITIVE
        } else {
            y
        }
    }

    pub fn describe(self) -> String {
        match self {
            Bound::Unit => "[0, 1] (a probability or share)".to_string(),
            Bound::NonNeg => "[0, ∞) (a non-negative number)".to_string(),
            Bound::Positive => "(0, ∞) (a positive number)".to_string(),
            Bound::Any => "any finite number".to_string(),
            Bound::Range(lo, hi) => {
                // `f64::MAX` (or `MIN`) as a limit means "no limit".
                let lo = if lo <= f64::MIN {
                    f64::NEG_INFINITY
                } else {
                    lo
                };
                let hi = if hi >= f64::MAX { f64::INFINITY } else { hi };
                format!(
                    "{}{}, {}{}",
                    if lo.is_finite() { "[" } else { "(" },
                    num(lo),
                    num(hi),
                    if hi.is_finite() { "]" } else { ")" }
                )
            }
        }
    }
}

/// A number as written in messages: plain when of ordinary size, in scientific notation when
/// very large or very small (so that e.g. `f64::MAX` never prints as 309 digits), `∞` for
/// infinities.
pub fn num(x: f64) -> String {
    if x == f64::INFINITY {
        "∞".to_string()
    } else if x == f64::NEG_INFINITY {
        "-∞".to_string()
    } else if x != 0.0 && x.is_finite() && !(1e-6..1e15).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A number for reading in summaries: at most 4 decimals (none from 1000 up), trailing zeros
/// dropped.
pub fn short(x: f64) -> String {
    if !x.is_finite() {
        return num(x);
    }
    let t = if x.abs() >= 1000.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.4}")
    };
    let t = if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    };
    if t == "-0" {
        "0".into()
    } else {
        t
    }
}

/// A numeric scenario parameter: a fixed number or a distribution.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Fixed(f64),
    Dist(Dist),
}

impl Param {
    /// The value of a fixed parameter; for a distribution, its mean. After a replication's
    /// parameters have been sampled every parameter is fixed.
    #[inline]
    pub fn get(&self) -> f64 {
        match self {
            Param::Fixed(x) => *x,
            Param::Dist(d) => d.mean(),
        }
    }

    pub fn is_fixed(&self) -> bool {
        matches!(self, Param::Fixed(_))
    }

    /// Checks the parameter against its valid range.
    pub fn check(&self, bound: Bound) -> Result<(), String> {
        match self {
            Param::Fixed(x) => {
                if bound.contains(*x) {
                    Ok(())
                } else if !x.is_finite() {
                    Err(format!("expected a finite number, got {}", num(*x)))
                } else {
                    Err(format!(
                        "{} is outside the valid range {}",
                        num(*x),
                        bound.describe()
                    ))
                }
            }
            Param::Dist(d) => d.check(bound),
        }
    }
}

/// In the schema, a parameter is a number or a distribution table. The number's valid range
/// ([`Bound`]) is added per field by `schema.rs`, from the same visitor that validates it.
impl JsonSchema for Param {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Param".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let dist = generator.subschema_for::<Dist>();
        schemars::json_schema!({
            "anyOf": [{ "type": "number" }, dist]
        })
    }
}

impl From<f64> for Param {
    fn from(x: f64) -> Self {
        Param::Fixed(x)
    }
}

impl Default for Param {
    fn default() -> Self {
        Param::Fixed(0.0)
    }
}

/// Shorthand for a fixed parameter in default tables.
pub fn p(x: f64) -> Param {
    Param::Fixed(x)
}

/// A default calibrated on the 2015–19 replay (docs/model.md §4.8): triangular on `[min, max]`
/// peaking at `mode` (the posterior 90% interval and median; for parameters whose effects show
/// only after 2019, the reference range and value).
pub fn tri(min: f64, mode: f64, max: f64) -> Param {
    Param::Dist(Dist::Triangular { min, mode, max })
}

impl Serialize for Param {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Param::Fixed(x) => s.serialize_f64(*x),
            Param::Dist(d) => d.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Param;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a number or a distribution table such as { dist = \"uniform\", low = 0.1, high = 0.3 }",
                )
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<Param, E> {
                Ok(Param::Fixed(x))
            }
            fn visit_i64<E: de::Error>(self, x: i64) -> Result<Param, E> {
                Ok(Param::Fixed(x as f64))
            }
            fn visit_u64<E: de::Error>(self, x: u64) -> Result<Param, E> {
                Ok(Param::Fixed(x as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Param, A::Error> {
                Dist::deserialize(de::value::MapAccessDeserializer::new(m)).map(Param::Dist)
            }
        }
        d.deserialize_any(V)
    }
}

/// Walks every numeric parameter of a scenario, with its dotted address and valid range.
pub struct ParamVisitor<'a> {
    path: String,
    f: &'a mut dyn FnMut(&str, &mut Param, Bound),
}

impl<'a> ParamVisitor<'a> {
    pub fn new(f: &'a mut dyn FnMut(&str, &mut Param, Bound)) -> Self {
        ParamVisitor {
            path: String::new(),
            f,
        }
    }

    /// Visits one parameter named `name` under the current path.
    pub fn param(&mut self, name: &str, p: &mut Param, bound: Bound) {
        let len = self.path.len();
        self.push(name);
        (self.f)(&self.path, p, bound);
        self.path.truncate(len);
    }

    /// Visits a nested table named `name`.
    pub fn nested(&mut self, name: &str, inner: impl FnOnce(&mut ParamVisitor<'a>)) {
        let len = self.path.len();
        self.push(name);
        inner(self);
        self.path.truncate(len);
    }

    fn push(&mut self, name: &str) {
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(name);
    }
}

/// Types whose numeric parameters can be visited (for validation and sampling).
pub trait VisitParams {
    fn visit_params(&mut self, v: &mut ParamVisitor<'_>);
}

/// Visits listed fields of `self` with their bounds.
#[macro_export]
macro_rules! visit_fields {
    ($v:expr, $s:expr; $($field:ident : $bound:expr),* $(,)?) => {
        { $( $v.param(stringify!($field), &mut $s.$field, $bound); )* }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_bound_excludes_zero_and_prints_readably() {
        let b = Bound::Positive;
        assert!(!b.contains(0.0) && !b.contains(-1.0) && !b.contains(f64::INFINITY));
        assert!(b.contains(1e-300) && b.contains(5.0));
        let e = Param::Fixed(0.0).check(b).unwrap_err();
        assert_eq!(e, "0 is outside the valid range (0, ∞) (a positive number)");
        let e = Param::Dist(Dist::Uniform {
            low: -1.0,
            high: 0.0,
        })
        .check(b)
        .unwrap_err();
        assert!(e.contains("outside the valid range (0, ∞)"), "{e}");
    }

    #[test]
    fn no_message_prints_hundreds_of_digits() {
        assert_eq!(Bound::Range(1e-6, f64::MAX).describe(), "[0.000001, ∞)");
        assert_eq!(Bound::Range(0.5, 2.0).describe(), "[0.5, 2]");
        assert_eq!(num(f64::MAX), "1.7976931348623157e308");
        assert_eq!(num(-1e20), "-1e20");
        assert_eq!(num(f64::NEG_INFINITY), "-∞");
        assert_eq!(num(-0.01), "-0.01");
        assert_eq!(num(f64::NAN), "NaN");
        let e = Param::Fixed(1e300).check(Bound::Unit).unwrap_err();
        assert!(e.len() < 80, "{e}");
        let e = Param::Dist(Dist::Uniform {
            low: 2.0,
            high: f64::MAX,
        })
        .check(Bound::Unit)
        .unwrap_err();
        assert!(e.len() < 120, "{e}");
    }
}
