//! Streaming, mergeable statistics.
//!
//! Every accumulator here has constant (or bounded) memory whatever the number of values, and an
//! exact, associative `merge`, so results are bit-identical whatever the number of threads and
//! however the replications are split (blocks, shards, resumed runs):
//!
//! - [`Moments`] and [`FixedSum`]: counts and sums in exact fixed-point integers (values
//!   rounded to multiples of 2⁻³²). They merge **exactly** in any order, so results do not
//!   depend on how replications are split into blocks, threads, shards or resumed chunks.
//! - [`Sketch`]: a quantile sketch with integer bin counts keyed by the value truncated to
//!   11 significant bits (see its docs). It merges **exactly** in any order.
//! - [`Histogram`]: fixed bins over a known range (unit bins for integer metrics). Integer
//!   counts: merges exactly in any order.
//! - [`Paired`]: paired differences between a path and the reference path.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Serde helpers for exact, portable partial results (shards, resumed chunks): numbers that
/// JSON cannot hold exactly (non-finite f64, 128- and 256-bit integers) as strings or bits.
pub(crate) mod exact {
    pub mod f64_bits {
        use serde::{Deserialize, Deserializer, Serializer};
        pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_u64(x.to_bits())
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
            Ok(f64::from_bits(u64::deserialize(d)?))
        }
    }
    pub mod i128_str {
        use serde::{de::Error, Deserialize, Deserializer, Serializer};
        pub fn serialize<S: Serializer>(x: &i128, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&x.to_string())
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
            String::deserialize(d)?.parse().map_err(D::Error::custom)
        }
    }
    pub mod i128_vec {
        use serde::{de::Error, Deserialize, Deserializer, Serializer};
        pub fn serialize<S: Serializer>(x: &[i128], s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(x.iter().map(|v| v.to_string()))
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i128>, D::Error> {
            Vec::<String>::deserialize(d)?
                .iter()
                .map(|v| v.parse().map_err(D::Error::custom))
                .collect()
        }
    }
    pub mod f64_vec {
        use serde::{Deserialize, Deserializer, Serializer};
        pub fn serialize<S: Serializer>(x: &[f64], s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(x.iter().map(|v| v.to_bits()))
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
            Ok(Vec::<u64>::deserialize(d)?
                .into_iter()
                .map(f64::from_bits)
                .collect())
        }
    }
    pub mod i256_str {
        use serde::{de::Error, Deserialize, Deserializer, Serializer};
        pub fn serialize<S: Serializer>(x: &ethnum::I256, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&x.to_string())
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ethnum::I256, D::Error> {
            String::deserialize(d)?
                .parse::<ethnum::I256>()
                .map_err(D::Error::custom)
        }
    }
}

/// Fixed-point scale of [`Moments`] and [`FixedSum`]: a value is rounded to the nearest
/// multiple of 2⁻³² (≈ 2.3 × 10⁻¹⁰) before it is added, so sums are integers and every merge
/// is exact, in any order.
pub const FIXED_POINT_BITS: i32 = 32;

/// Largest magnitude a fixed-point accumulator takes (2³⁰ ≈ 1.07 × 10⁹); larger values are
/// clamped to it (no outcome or metric of the model comes near it).
pub const FIXED_POINT_MAX: f64 = 1073741824.0;

/// A value as a fixed-point integer (multiples of 2⁻³²), clamped to ±[`FIXED_POINT_MAX`].
#[inline]
pub(crate) fn to_fixed(x: f64) -> i64 {
    let scale = (1u64 << FIXED_POINT_BITS) as f64;
    let y = x.clamp(-FIXED_POINT_MAX, FIXED_POINT_MAX) * scale;
    // `y.round()` (half away from zero) without the libm call: |y| ≤ 2⁶², so the truncation
    // is exact in i64, and for |y| < 2⁵² the fraction y − t is exact (above, y is integral).
    let t = y as i64;
    let frac = y - t as f64;
    // Branch-free (the fraction is random: a branch would be mispredicted half the time).
    t + (frac >= 0.5) as i64 - (frac <= -0.5) as i64
}

/// A sum of values in fixed point (see [`FIXED_POINT_BITS`]): exact and associative, so partial
/// sums merge to the same bits in any grouping or order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedSum(#[serde(with = "exact::i128_str")] pub i128);

impl FixedSum {
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.0 += to_fixed(x) as i128;
    }
    pub fn merge(&mut self, o: &FixedSum) {
        self.0 += o.0;
    }
    /// The sum as a number.
    pub fn value(&self) -> f64 {
        self.0 as f64 / (1u64 << FIXED_POINT_BITS) as f64
    }
}

impl std::ops::AddAssign<f64> for FixedSum {
    #[inline]
    fn add_assign(&mut self, x: f64) {
        self.add(x)
    }
}

/// Count, sum and sum of squares of a stream of values, in exact fixed-point integer
/// arithmetic (values rounded to multiples of 2⁻³², see [`FIXED_POINT_BITS`]): merging is
/// exact and associative, so any split of the values (blocks, threads, shards, resumed chunks)
/// gives the same bits. The mean and variance are computed from the exact sums at the end
/// (the variance from n·Σq² − (Σq)², exact in 256-bit integers, so a constant stream has a
/// variance of exactly 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moments {
    pub n: u64,
    /// Σq, q = round(x · 2³²).
    #[serde(with = "exact::i128_str")]
    pub sum: i128,
    /// Σq².
    #[serde(with = "exact::i256_str")]
    pub sumsq: ethnum::I256,
}

impl Moments {
    /// Adds one value. NaN values are ignored.
    #[inline]
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        let q = to_fixed(x);
        self.n += 1;
        self.sum += q as i128;
        self.sumsq += ethnum::I256::from((q as i128) * (q as i128));
    }

    /// Merges another accumulator into this one (exact).
    pub fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.sum += o.sum;
        self.sumsq += o.sumsq;
    }

    /// Mean, or NaN without values.
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sum as f64 / self.n as f64 / (1u64 << FIXED_POINT_BITS) as f64
        }
    }

    /// Sample standard deviation (n − 1), NaN with fewer than two values.
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            return f64::NAN;
        }
        // n·Σq² − (Σq)² ≥ 0, exact; then one rounding to f64.
        let n = ethnum::I256::from(self.n);
        let s = ethnum::I256::from(self.sum);
        let d = n * self.sumsq - s * s;
        let scale = (1u64 << FIXED_POINT_BITS) as f64;
        let var = d.as_f64() / (self.n as f64 * (self.n - 1) as f64) / (scale * scale);
        var.max(0.0).sqrt()
    }

    /// 95% confidence interval of the mean (Student t with n − 1 degrees of freedom);
    /// NaN bounds with fewer than two values.
    pub fn ci95(&self) -> [f64; 2] {
        if self.n < 2 {
            return [f64::NAN, f64::NAN];
        }
        let half = t975(self.n - 1) * self.sd() / (self.n as f64).sqrt();
        let mean = self.mean();
        [mean - half, mean + half]
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

/// Distinct bins a [`Sketch`] keeps sparse before it switches to dense octaves.
pub const SKETCH_SPARSE_MAX: usize = 256;

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
///   Bins are kept sparse (a map) while there are at most [`SKETCH_SPARSE_MAX`] distinct ones,
///   then dense (1024 counts per power of two hit), so a sketch that has seen its ranges
///   stops growing: memory at 10⁶ values is that at 10⁴. The representation is a function of
///   the contents, never of the order of pushes and merges.
///
/// The exact minimum and maximum are kept too, and quantiles are clamped to them (so a
/// constant outcome, p0 and p100 are exact).
///
/// Zero (±0) has its own bin; NaN values are ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sketch {
    /// Sparse bins: bin key → count (while at most [`SKETCH_SPARSE_MAX`] distinct bins).
    bins: BTreeMap<u64, u64>,
    /// Dense bins: octave (bin key >> 10, after the shift) → 1024 counts.
    dense: BTreeMap<u64, Vec<u32>>,
    n: u64,
    #[serde(with = "exact::f64_bits")]
    min: f64,
    #[serde(with = "exact::f64_bits")]
    max: f64,
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch {
            bins: BTreeMap::new(),
            dense: BTreeMap::new(),
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

    /// Adds `c` to the bin of key `key`.
    #[inline]
    fn add(&mut self, key: u64, c: u64) {
        if self.dense.is_empty() {
            *self.bins.entry(key).or_insert(0) += c;
            if self.bins.len() > SKETCH_SPARSE_MAX {
                for (k, c) in std::mem::take(&mut self.bins) {
                    self.add_dense(k, c);
                }
            }
        } else {
            self.add_dense(key, c);
        }
    }

    #[inline]
    fn add_dense(&mut self, key: u64, c: u64) {
        let k = key >> SKETCH_SHIFT;
        let octave = self
            .dense
            .entry(k >> SKETCH_MANTISSA_BITS)
            .or_insert_with(|| vec![0; 1 << SKETCH_MANTISSA_BITS]);
        // Counts of one sketch never exceed the replications of a run (≤ u32::MAX).
        let slot = &mut octave[(k & ((1 << SKETCH_MANTISSA_BITS) - 1)) as usize];
        *slot = slot.saturating_add(c.min(u32::MAX as u64) as u32);
    }

    /// The bin key of dense octave `o`, slot `i` (low bits restored as [`Sketch::key`] has them).
    fn dense_key(o: u64, i: usize) -> u64 {
        let key = ((o << SKETCH_MANTISSA_BITS) | i as u64) << SKETCH_SHIFT;
        if key >> 63 == 0 {
            key | ((1u64 << SKETCH_SHIFT) - 1)
        } else {
            key
        }
    }

    /// Every (bin key, count) in increasing order.
    fn entries(&self) -> Box<dyn Iterator<Item = (u64, u64)> + '_> {
        if self.dense.is_empty() {
            Box::new(self.bins.iter().map(|(k, c)| (*k, *c)))
        } else {
            Box::new(self.dense.iter().flat_map(|(o, counts)| {
                counts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c > 0)
                    .map(move |(i, c)| (Self::dense_key(*o, i), *c as u64))
            }))
        }
    }

    /// Adds one value; NaN is ignored.
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        let x = if x == 0.0 { 0.0 } else { x }; // one zero
        self.add(Self::key(x), 1);
        self.n += 1;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Adds every count of `o` (exact and order-independent).
    pub fn merge(&mut self, o: &Sketch) {
        for (k, c) in o.entries() {
            self.add(k, c);
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
        for (k, c) in self.entries() {
            seen += c;
            if r < seen {
                return Self::value(k);
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
        self.entries().map(|(k, c)| (Self::value(k), c)).collect()
    }
}

/// Counts per interval `[edges[i], edges[i+1])` (the last interval closed) with **exact** bin
/// assignment: a value is compared with the edges themselves, so a value equal to an edge
/// (e.g. exactly 0.8 with edges 0, 0.05, ..., 1) lands in the bin starting at that edge. For
/// distribution charts. Values outside `[edges[0], last edge]` are counted apart. Integer counts:
/// merges exactly in any order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bins {
    edges: Vec<f64>,
    counts: Vec<u64>,
    outside: u64,
}

impl Bins {
    /// Empties the counts, keeping the edges.
    pub fn reset(&mut self) {
        self.counts.fill(0);
        self.outside = 0;
    }

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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    spec: HistSpec,
    counts: Vec<u32>,
    under: u64,
    over: u64,
    #[serde(with = "exact::f64_bits")]
    min: f64,
    #[serde(with = "exact::f64_bits")]
    max: f64,
}

/// Shape of a [`Histogram`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
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
    /// Empties the histogram, keeping its allocation.
    pub fn reset(&mut self) {
        self.counts.fill(0);
        self.under = 0;
        self.over = 0;
        self.min = f64::INFINITY;
        self.max = f64::NEG_INFINITY;
    }

    /// A histogram from its parts (as kept by [`super::series::Series`]): `counts` has
    /// `spec.bins` entries.
    pub fn from_parts(
        spec: HistSpec,
        counts: Vec<u32>,
        under: u64,
        over: u64,
        min: f64,
        max: f64,
    ) -> Self {
        debug_assert_eq!(counts.len(), spec.bins);
        Histogram {
            spec,
            counts,
            under,
            over,
            min,
            max,
        }
    }

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

    /// For an integer histogram over 0..=max: (values counted, [values ≥ 1, values ≥ 2, …,
    /// values ≥ max]), exact (values above max count as ≥ every r).
    pub fn at_least_counts(&self) -> (u64, Vec<u64>) {
        let n = self.count();
        let mut ge = Vec::with_capacity(self.counts.len().saturating_sub(1));
        let mut above = self.over;
        for c in self.counts.iter().skip(1).rev() {
            above += *c as u64;
            ge.push(above);
        }
        ge.reverse();
        (n, ge)
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
pub(crate) mod tests {
    use super::*;

    /// A small deterministic generator of uniforms in [0, 1) for tests.
    pub(crate) fn lcg(state: &mut u64) -> f64 {
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
        // Values are rounded to multiples of 2⁻³² ≈ 2.3e-10.
        assert!((m.mean() - mean).abs() < 2e-10, "{} vs {mean}", m.mean());
        assert!((m.sd() - var.sqrt()).abs() < 1e-9);
        let mut a = Moments::default();
        let mut b = Moments::default();
        xs[..300].iter().for_each(|x| a.push(*x));
        xs[300..].iter().for_each(|x| b.push(*x));
        a.merge(&b);
        assert_eq!(a, m, "merging is exact");
        // In any order.
        let mut c = b;
        let mut a2 = Moments::default();
        xs[..300].iter().for_each(|x| a2.push(*x));
        c.merge(&a2);
        assert_eq!(c, m);
    }

    #[test]
    fn fixed_point_rounding_is_round_half_away_from_zero() {
        let scale = (1u64 << FIXED_POINT_BITS) as f64;
        let mut st = 17;
        let mut xs: Vec<f64> = (0..100_000)
            .map(|_| (lcg(&mut st) - 0.5) * 2000.0)
            .collect();
        // Exact ties and edges.
        for k in [
            0.5,
            1.5,
            2.5,
            -0.5,
            -1.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
        ] {
            xs.push(k / scale);
        }
        xs.extend([0.0, -0.0, FIXED_POINT_MAX, -FIXED_POINT_MAX, 1e300, -1e300]);
        for x in xs {
            let expected = (x.clamp(-FIXED_POINT_MAX, FIXED_POINT_MAX) * scale).round() as i64;
            assert_eq!(to_fixed(x), expected, "{x}");
        }
    }

    #[test]
    fn fixed_point_is_exact_for_constants_and_clamps_huge_values() {
        let mut m = Moments::default();
        for _ in 0..1000 {
            m.push(120.0);
        }
        assert_eq!(m.mean(), 120.0);
        assert_eq!(m.sd(), 0.0);
        assert_eq!(m.ci95(), [120.0, 120.0]);
        let mut big = Moments::default();
        big.push(1e300);
        big.push(-1e300);
        assert_eq!(big.mean(), 0.0);
        let mut f = FixedSum::default();
        f += 0.5;
        f += 0.25;
        assert_eq!(f.value(), 0.75);
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
