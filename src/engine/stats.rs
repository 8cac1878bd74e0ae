//! Streaming, mergeable statistics.
//!
//! Every accumulator here has constant (or bounded) memory whatever the number of values, and a
//! `merge` that the engine applies in a fixed order (block by block), so results are
//! bit-identical whatever the number of threads:
//!
//! - [`Moments`]: count, mean and sum of squared deviations (Welford; Chan et al. to merge).
//!   The floating-point merge is exact only up to rounding, which is why the engine always
//!   merges in block order.
//! - [`Sketch`]: a quantile sketch with integer bin counts keyed by the value truncated to
//!   11 significant bits (see its docs). It merges **exactly** in any order.
//! - [`Histogram`]: fixed bins over a known range (unit bins for integer metrics). Integer
//!   counts: merges exactly in any order.
//! - [`Paired`]: paired differences between a path and the reference path.

use std::collections::BTreeMap;

/// Count, mean and M2 (sum of squared deviations from the mean) of a stream of values.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    pub n: u64,
    pub mean: f64,
    pub m2: f64,
}

impl Moments {
    /// Adds one value (Welford's update). NaN values are ignored.
    #[inline]
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Merges another accumulator into this one (Chan et al.'s parallel update).
    pub fn merge(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let n = self.n + o.n;
        let d = o.mean - self.mean;
        let mean = self.mean + d * (o.n as f64 / n as f64);
        let m2 = self.m2 + o.m2 + d * d * (self.n as f64 * o.n as f64 / n as f64);
        *self = Moments { n, mean, m2 };
    }

    /// Mean, or NaN without values.
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.mean
        }
    }

    /// Sample standard deviation (n − 1), NaN with fewer than two values.
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            (self.m2.max(0.0) / (self.n - 1) as f64).sqrt()
        }
    }

    /// 95% confidence interval of the mean (Student t with n − 1 degrees of freedom);
    /// NaN bounds with fewer than two values.
    pub fn ci95(&self) -> [f64; 2] {
        if self.n < 2 {
            return [f64::NAN, f64::NAN];
        }
        let half = t975(self.n - 1) * self.sd() / (self.n as f64).sqrt();
        [self.mean - half, self.mean + half]
    }
}

/// 0.975 quantile of Student's t distribution with `df` degrees of freedom.
///
/// Exact table values for df ≤ 30, then the Cornish–Fisher expansion around the normal
/// quantile (error below 1e-4 for df > 30).
pub fn t975(df: u64) -> f64 {
    const TABLE: [f64; 30] = [
        12.706204736,
        4.302652730,
        3.182446305,
        2.776445105,
        2.570581836,
        2.446911851,
        2.364624252,
        2.306004135,
        2.262157163,
        2.228138852,
        2.200985160,
        2.178812830,
        2.160368656,
        2.144786688,
        2.131449546,
        2.119905299,
        2.109815578,
        2.100922040,
        2.093024054,
        2.085963447,
        2.079613845,
        2.073873068,
        2.068657610,
        2.063898562,
        2.059538553,
        2.055529439,
        2.051830516,
        2.048407142,
        2.045229642,
        2.042272456,
    ];
    if df == 0 {
        return f64::NAN;
    }
    if df <= 30 {
        return TABLE[df as usize - 1];
    }
    let z: f64 = 1.959963984540054;
    let v = df as f64;
    let z3 = z * z * z;
    let z5 = z3 * z * z;
    let z7 = z5 * z * z;
    z + (z3 + z) / (4.0 * v)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * v * v * v)
}

/// Number of explicit mantissa bits a [`Sketch`] bin keeps.
pub const SKETCH_MANTISSA_BITS: u32 = 10;
const SKETCH_SHIFT: u32 = 52 - SKETCH_MANTISSA_BITS;

/// Largest relative error of a [`Sketch`] quantile: 2⁻¹⁰ ≈ 0.098%.
pub const SKETCH_RELATIVE_ERROR: f64 = 1.0 / (1u64 << SKETCH_MANTISSA_BITS) as f64;

/// A mergeable quantile sketch with integer bins ("truncated-float" histogram).
///
/// A value's bin is its IEEE-754 bit pattern with the low 42 mantissa bits dropped: the sign,
/// the exponent and the 10 leading mantissa bits. The bin's representative value is the value
/// truncated toward zero to 11 significant bits, so:
///
/// - **accuracy**: a reported quantile is the representative of the bin holding the
///   exact order statistic(s) it interpolates, hence within a relative error of 2⁻¹⁰
///   (≈ 0.1%, always toward zero) of the exact sample quantile computed by the same rule
///   (linear interpolation between order statistics, "type 7");
/// - **integers** with |k| < 2048 (crisis counts, months, 0/1 indicators) are exact;
/// - **memory** is bounded by the number of distinct bins (1024 per power of two actually hit),
///   never by the number of values; counts are integers, so merges are exact in any order.
///
/// The exact minimum and maximum are kept too, and quantiles are clamped to them (so a
/// constant outcome, p0 and p100 are exact).
///
/// Zero (±0) has its own bin; NaN values are ignored.
#[derive(Clone, Debug, PartialEq)]
pub struct Sketch {
    bins: BTreeMap<u64, u64>,
    n: u64,
    min: f64,
    max: f64,
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch {
            bins: BTreeMap::new(),
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

/// Maps an f64 to a u64 whose order is the order of the numbers.
#[inline]
fn ordered_bits(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

impl Sketch {
    #[inline]
    fn key(x: f64) -> u64 {
        let x = if x == 0.0 { 0.0 } else { x };
        let t = x.to_bits() >> SKETCH_SHIFT << SKETCH_SHIFT;
        ordered_bits(f64::from_bits(t))
    }

    fn value(key: u64) -> f64 {
        let b = if key >> 63 == 1 {
            key & !(1 << 63)
        } else {
            !key
        };
        f64::from_bits(b)
    }

    /// Adds one value; NaN is ignored.
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        let x = if x == 0.0 { 0.0 } else { x }; // one zero
        *self.bins.entry(Self::key(x)).or_insert(0) += 1;
        self.n += 1;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Adds every count of `o` (exact and order-independent).
    pub fn merge(&mut self, o: &Sketch) {
        for (k, c) in &o.bins {
            *self.bins.entry(*k).or_insert(0) += c;
        }
        self.n += o.n;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
    }

    /// Number of values.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// The representative of the value of rank `r` (0-based) in sorted order.
    fn rank(&self, r: u64) -> f64 {
        let mut seen = 0;
        for (k, c) in &self.bins {
            seen += c;
            if r < seen {
                return Self::value(*k);
            }
        }
        f64::NAN
    }

    /// Quantile `q` in [0, 1]: linear interpolation between order statistics (the "type 7"
    /// rule of R and NumPy's default) on bin representatives. NaN without values.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        let h = q.clamp(0.0, 1.0) * (self.n - 1) as f64;
        let lo = h.floor();
        let a = self.rank(lo as u64);
        let v = if h == lo {
            a
        } else {
            let b = self.rank(lo as u64 + 1);
            if a == b {
                a
            } else {
                a + (h - lo) * (b - a)
            }
        };
        v.clamp(self.min, self.max)
    }

    /// Counts per integer value (for integer outcomes such as crisis counts): (value, count).
    pub fn counts(&self) -> Vec<(f64, u64)> {
        self.bins
            .iter()
            .map(|(k, c)| (Self::value(*k), *c))
            .collect()
    }
}

/// Counts per interval `[edges[i], edges[i+1])` (the last interval closed) with **exact** bin
/// assignment: a value is compared with the edges themselves, so a value equal to an edge
/// (e.g. exactly 0.8 with edges 0, 0.05, ..., 1) lands in the bin starting at that edge. For
/// distribution charts. Values outside `[edges[0], last edge]` are counted apart. Integer counts:
/// merges exactly in any order.
#[derive(Clone, Debug, PartialEq)]
pub struct Bins {
    edges: Vec<f64>,
    counts: Vec<u64>,
    outside: u64,
}

impl Bins {
    /// `n` equal bins over `[lo, hi]`; edge i is `lo + (hi − lo) · (i / n)` (so on [0, 1] with
    /// 20 bins, edge 16 is the f64 nearest 0.8).
    pub fn uniform(lo: f64, hi: f64, n: usize) -> Bins {
        let n = n.max(1);
        Bins {
            edges: (0..=n)
                .map(|i| lo + (hi - lo) * (i as f64 / n as f64))
                .collect(),
            counts: vec![0; n],
            outside: 0,
        }
    }

    /// Adds one value; NaN is ignored.
    #[inline]
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        let last = self.edges[self.edges.len() - 1];
        if x < self.edges[0] || x > last {
            self.outside += 1;
            return;
        }
        let i = self.edges.partition_point(|e| *e <= x).saturating_sub(1);
        let i = i.min(self.counts.len() - 1);
        self.counts[i] += 1;
    }

    /// Adds every count of `o` (same edges).
    pub fn merge(&mut self, o: &Bins) {
        debug_assert_eq!(self.edges, o.edges);
        self.counts
            .iter_mut()
            .zip(&o.counts)
            .for_each(|(a, b)| *a += b);
        self.outside += o.outside;
    }

    /// The bin edges (one more than the bins).
    pub fn edges(&self) -> &[f64] {
        &self.edges
    }

    /// Count per bin.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Number of values, inside the bins or not.
    pub fn count(&self) -> u64 {
        self.outside + self.counts.iter().sum::<u64>()
    }
}

/// Fixed bins over a known range, for per-month metrics.
///
/// - Continuous metrics: `bins` equal bins over `[lo, hi]`; a quantile interpolates linearly
///   inside its bin, so its error is at most one bin width ((hi − lo) / bins). Values outside
///   the range go to under/overflow counts, interpolated between the exact min (max) and the
///   range bound.
/// - Integer metrics (`integer = true`): one bin per integer `lo, lo+1, ..`; quantiles are exact
///   order statistics (no interpolation) as long as values stay in range.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    spec: HistSpec,
    counts: Vec<u32>,
    under: u64,
    over: u64,
    min: f64,
    max: f64,
}

/// Shape of a [`Histogram`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HistSpec {
    pub lo: f64,
    pub hi: f64,
    pub bins: usize,
    pub integer: bool,
}

impl HistSpec {
    /// Continuous bins over [lo, hi].
    pub fn continuous(lo: f64, hi: f64, bins: usize) -> Self {
        HistSpec {
            lo,
            hi,
            bins,
            integer: false,
        }
    }
    /// One bin per integer 0..=max.
    pub fn integer(max: u32) -> Self {
        HistSpec {
            lo: 0.0,
            hi: max as f64 + 1.0,
            bins: max as usize + 1,
            integer: true,
        }
    }
}

impl Histogram {
    pub fn new(spec: HistSpec) -> Self {
        Histogram {
            spec,
            counts: vec![0; spec.bins],
            under: 0,
            over: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Adds one value; NaN is ignored. A bin holds at most u32::MAX values (the engine
    /// limits runs to u32::MAX replications).
    #[inline]
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        let s = &self.spec;
        if x < s.lo {
            self.under += 1;
        } else if s.integer {
            let i = (x - s.lo) as usize;
            if i < s.bins {
                self.counts[i] += 1;
            } else {
                self.over += 1;
            }
        } else if x > s.hi {
            self.over += 1;
        } else {
            let i = ((x - s.lo) / (s.hi - s.lo) * s.bins as f64) as usize;
            self.counts[i.min(s.bins - 1)] += 1;
        }
    }

    /// Adds every count of `o` (same spec).
    pub fn merge(&mut self, o: &Histogram) {
        debug_assert_eq!(self.spec, o.spec);
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        self.under += o.under;
        self.over += o.over;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
    }

    pub fn count(&self) -> u64 {
        self.under + self.over + self.counts.iter().map(|c| *c as u64).sum::<u64>()
    }

    /// Quantile `q` (see the type's docs for accuracy). NaN without values.
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.count();
        if n == 0 {
            return f64::NAN;
        }
        let s = &self.spec;
        // Continuous rank in [0, n]: the q-th fraction of the mass.
        let target = q.clamp(0.0, 1.0) * n as f64;
        if s.integer {
            // Exact order statistic of rank ceil(q·n) (at least 1), i.e. the lower
            // "inverse CDF" rule for discrete data.
            let r = (target.ceil() as u64).max(1);
            if r <= self.under {
                return self.min;
            }
            let mut seen = self.under;
            for (i, c) in self.counts.iter().enumerate() {
                seen += *c as u64;
                if r <= seen {
                    return s.lo + i as f64;
                }
            }
            return self.max;
        }
        let width = (s.hi - s.lo) / s.bins as f64;
        let under = self.under as f64;
        if target <= under && self.under > 0 {
            let f = target / under;
            return self.min + f * (s.lo - self.min);
        }
        let mut seen = under;
        for (i, c) in self.counts.iter().enumerate() {
            let c = *c as f64;
            if c > 0.0 && target <= seen + c {
                let f = (target - seen) / c;
                let lo = s.lo + i as f64 * width;
                let v = lo + f * width;
                return v.clamp(self.min, self.max);
            }
            seen += c;
        }
        let f = ((target - seen) / self.over.max(1) as f64).clamp(0.0, 1.0);
        (s.hi + f * (self.max - s.hi)).clamp(self.min, self.max)
    }
}

/// Paired comparison of one outcome between a path and the reference path, on the same
/// replications: moments of the difference (path − reference) and counts of replications where
/// the path is better, worse or tied. Pairs where either value is NaN are skipped.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Paired {
    pub diff: Moments,
    pub better: u64,
    pub worse: u64,
    pub ties: u64,
}

impl Paired {
    /// Adds one pair; `higher_is_better` says which direction is better (None: no direction,
    /// only the difference is tracked).
    #[inline]
    pub fn push(&mut self, path: f64, reference: f64, higher_is_better: Option<bool>) {
        if path.is_nan() || reference.is_nan() {
            return;
        }
        self.diff.push(path - reference);
        if let Some(h) = higher_is_better {
            if path == reference {
                self.ties += 1;
            } else if (path > reference) == h {
                self.better += 1;
            } else {
                self.worse += 1;
            }
        }
    }

    pub fn merge(&mut self, o: &Paired) {
        self.diff.merge(&o.diff);
        self.better += o.better;
        self.worse += o.worse;
        self.ties += o.ties;
    }

    /// P(path better) = (better + ties/2) / pairs; None without a direction or without pairs.
    pub fn p_better(&self) -> Option<f64> {
        let n = self.better + self.worse + self.ties;
        if n == 0 {
            None
        } else {
            Some((self.better as f64 + self.ties as f64 / 2.0) / n as f64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn moments_match_two_pass() {
        let mut s = 3;
        let xs: Vec<f64> = (0..1000).map(|_| lcg(&mut s) * 10.0 - 3.0).collect();
        let mut m = Moments::default();
        xs.iter().for_each(|x| m.push(*x));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
        assert!((m.mean() - mean).abs() < 1e-12);
        assert!((m.sd() - var.sqrt()).abs() < 1e-12);
        let mut a = Moments::default();
        let mut b = Moments::default();
        xs[..300].iter().for_each(|x| a.push(*x));
        xs[300..].iter().for_each(|x| b.push(*x));
        a.merge(&b);
        assert_eq!(a.n, 1000);
        assert!((a.mean() - mean).abs() < 1e-12);
        assert!((a.sd() - var.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn t_quantiles() {
        assert!((t975(1) - 12.706).abs() < 1e-3);
        assert!((t975(30) - 2.0423).abs() < 1e-4);
        assert!((t975(60) - 2.0003).abs() < 1e-4);
        assert!((t975(120) - 1.9799).abs() < 1e-4);
        assert!((t975(1_000_000) - 1.95997).abs() < 1e-4);
    }

    #[test]
    fn sketch_is_exact_for_small_integers_and_signs() {
        let mut s = Sketch::default();
        for x in [-3.0, -1.0, 0.0, -0.0, 1.0, 2.0, 2047.0, 5.0] {
            s.push(x);
        }
        s.push(f64::NAN);
        assert_eq!(s.count(), 8);
        assert_eq!(s.quantile(0.0), -3.0);
        assert_eq!(s.quantile(1.0), 2047.0);
        let c: Vec<f64> = s.counts().iter().map(|(v, _)| *v).collect();
        assert_eq!(c, vec![-3.0, -1.0, 0.0, 1.0, 2.0, 5.0, 2047.0]);
    }

    #[test]
    fn sketch_quantiles_within_stated_error() {
        let mut st = 11;
        let xs: Vec<f64> = (0..5000).map(|_| (lcg(&mut st) - 0.3) * 37.0).collect();
        let mut s = Sketch::default();
        xs.iter().for_each(|x| s.push(*x));
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0] {
            let h = q * (sorted.len() - 1) as f64;
            let (a, b) = (sorted[h.floor() as usize], sorted[h.ceil() as usize]);
            let exact = a + (h - h.floor()) * (b - a);
            let tol = SKETCH_RELATIVE_ERROR * a.abs().max(b.abs()) + 1e-12;
            assert!(
                (s.quantile(q) - exact).abs() <= tol,
                "q={q} {} vs {exact}",
                s.quantile(q)
            );
        }
    }

    #[test]
    fn histogram_integer_is_exact_and_continuous_within_a_bin() {
        let mut h = Histogram::new(HistSpec::integer(4));
        for x in [0.0, 1.0, 1.0, 2.0, 4.0, 4.0, 4.0] {
            h.push(x);
        }
        assert_eq!(h.quantile(0.5), 2.0);
        assert_eq!(h.quantile(0.05), 0.0);
        assert_eq!(h.quantile(0.95), 4.0);
        let mut st = 5;
        let xs: Vec<f64> = (0..4000).map(|_| lcg(&mut st).powi(2)).collect();
        let mut c = Histogram::new(HistSpec::continuous(0.0, 1.0, 200));
        xs.iter().for_each(|x| c.push(*x));
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let exact = sorted[(q * 4000.0) as usize];
            assert!((c.quantile(q) - exact).abs() <= 1.0 / 200.0, "{q}");
        }
    }
}
