//! The monthly time series' accumulator: per path × month × metric, the count, exact sum,
//! minimum, maximum and fixed-bin histogram of the metric over the replications.
//!
//! # Layout and cost
//! A run pushes paths × months × metrics values per replication (6 × 120 × 22 = 15,840 on the
//! baseline), which made the series the engine's largest cost when each value went through
//! its own [`Histogram`] (a struct and a heap vector per cell, a float division and a cache
//! miss per value). Here the same statistics are kept in flat arrays in *month-major* order:
//!
//! - `sum`, `min`, `max`, `under`, `over`: one entry per cell `(path · months + month) ·
//!   metrics + metric`, so the metrics of one month are adjacent;
//! - `counts`: the bins of every metric of one (path, month) one after the other (a *group*,
//!   [`SeriesShape::stride`] counts), groups in (path, month) order.
//!
//! A value is *observed* when the model records its month ([`Series::observe`]): its exact
//! fixed-point sum, minimum and maximum are updated at once (adjacent cells, in cache), and its
//! bin is returned as a small integer code. For integer metrics (launches, rungs) the sum is
//! not even updated: it is the sum over the bins of count × bin value, computed once when the
//! results are read. The engine keeps the codes of a few replications
//! (2 bytes a value) and *counts* them group by group ([`Series::count`]): every count of one
//! (path, month) group is updated for all buffered replications while the group is in cache,
//! so the histograms (several MB) are streamed through once per batch instead of being touched
//! at random once per value. The memory is linear in the horizon and flat in replications.
//!
//! # Same results as a [`Histogram`] per cell
//! Bin assignment, under/overflow, min/max and the fixed-point sum follow [`Histogram::push`]
//! and [`FixedSum::add`] exactly, and quantiles are read through [`Histogram::from_parts`], so
//! `timeseries.csv` is bit-identical to one histogram per cell. Every part is an integer count,
//! an exact integer sum, a minimum or a maximum: merging is exact and order-independent, and
//! [`Series::merge`] checks every addition (an overflow is an error, never a wrap).

use super::stats::{exact, to_fixed, HistSpec, Histogram, FIXED_POINT_BITS};
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

/// Code of a NaN value (not counted).
pub(crate) const CODE_NAN: u16 = u16::MAX;
/// Code of a value below the histogram's range.
const CODE_UNDER: u16 = u16::MAX - 1;
/// Code of a value above the histogram's range.
const CODE_OVER: u16 = u16::MAX - 2;
/// Most bins of one metric's histogram (codes above are reserved).
pub const MAX_BINS: usize = (u16::MAX - 3) as usize;

/// The shape of a [`Series`]: paths, months and each metric's bins.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesShape {
    pub paths: usize,
    pub months: usize,
    pub specs: Vec<HistSpec>,
    /// Offset of each metric's bins inside a (path, month) group.
    offsets: Vec<usize>,
    /// Each metric's binning, ready for [`Series::observe_month`].
    binning: Vec<Binning>,
    /// Counts per (path, month) group.
    stride: usize,
}

impl SeriesShape {
    /// The shape for `paths` paths, `months` months and one histogram per metric. Bins are
    /// limited to [`MAX_BINS`] per metric (the engine's specs have at most 4,000).
    pub fn new(paths: usize, months: usize, specs: Vec<HistSpec>) -> SeriesShape {
        let mut offsets = Vec::with_capacity(specs.len());
        let mut stride = 0;
        for s in &specs {
            debug_assert!(s.bins >= 1 && s.bins <= MAX_BINS);
            offsets.push(stride);
            stride += s.bins;
        }
        let binning = specs.iter().map(Binning::new).collect();
        SeriesShape {
            paths,
            months,
            specs,
            offsets,
            binning,
            stride,
        }
    }

    /// Metrics per month.
    pub fn metrics(&self) -> usize {
        self.specs.len()
    }

    /// Cells (path × month × metric).
    pub fn cells(&self) -> usize {
        self.paths * self.months * self.specs.len()
    }

    /// Index of cell (path, month, metric).
    #[inline]
    pub fn cell(&self, path: usize, month: usize, metric: usize) -> usize {
        (path * self.months + month) * self.specs.len() + metric
    }

    /// Bytes of one [`Series`] of this shape.
    pub fn bytes(&self) -> usize {
        self.paths * self.months * (self.stride * 4 + self.specs.len() * 48)
    }
}

/// A [`HistSpec`] with the numbers [`Histogram::push`] computes per value precomputed (the same
/// operations on the same numbers, so the same bins).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Binning {
    lo: f64,
    hi: f64,
    /// hi − lo.
    width: f64,
    /// bins as f64.
    bins_f: f64,
    bins: usize,
    integer: bool,
}

impl Binning {
    fn new(s: &HistSpec) -> Binning {
        Binning {
            lo: s.lo,
            hi: s.hi,
            width: s.hi - s.lo,
            bins_f: s.bins as f64,
            bins: s.bins,
            integer: s.integer,
        }
    }
}

/// `y as usize` for y ≥ 0 (not NaN), through the cheaper signed conversion: values at or
/// above 2⁶³ saturate to 2⁶³ − 1 instead of 2⁶⁴ − 1, which is as far out of every range.
#[inline]
fn index(y: f64) -> usize {
    y as i64 as usize
}

/// Per-cell count, exact sum, min, max and histogram of the monthly metrics (see the module
/// docs). An empty series (no cells) stands for "nothing yet" and merges as zero.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// [path][month]: every metric's bins, one after the other.
    counts: Vec<u32>,
    /// [path][month][metric]: values below / above the histogram's range.
    under: Vec<u64>,
    over: Vec<u64>,
    /// [path][month][metric]: Σ round(x · 2³²).
    #[serde(with = "exact::i128_vec")]
    sum: Vec<i128>,
    #[serde(with = "exact::f64_vec")]
    min: Vec<f64>,
    #[serde(with = "exact::f64_vec")]
    max: Vec<f64>,
}

impl Series {
    /// An empty accumulator of shape `shape`.
    pub fn new(shape: &SeriesShape) -> Series {
        let cells = shape.cells();
        Series {
            counts: vec![0; shape.paths * shape.months * shape.stride],
            under: vec![0; cells],
            over: vec![0; cells],
            sum: vec![0; cells],
            min: vec![f64::INFINITY; cells],
            max: vec![f64::NEG_INFINITY; cells],
        }
    }

    /// Whether nothing was allocated yet (merges as zero).
    pub fn is_empty(&self) -> bool {
        self.sum.is_empty()
    }

    /// Checks that the arrays have the lengths of `shape` (e.g. after reading a saved partial
    /// result): an error, not a panic, if they do not.
    pub fn check(&self, shape: &SeriesShape) -> Result<()> {
        let all_empty = self.counts.is_empty()
            && self.under.is_empty()
            && self.over.is_empty()
            && self.sum.is_empty()
            && self.min.is_empty()
            && self.max.is_empty();
        if all_empty {
            return Ok(());
        }
        let cells = shape.cells();
        let lens = [
            self.under.len(),
            self.over.len(),
            self.sum.len(),
            self.min.len(),
            self.max.len(),
        ];
        if lens.iter().any(|l| *l != cells)
            || self.counts.len() != shape.paths * shape.months * shape.stride
        {
            bail!(
                "the monthly series do not have the shape of this run ({cells} cells, {} bins)",
                shape.paths * shape.months * shape.stride
            );
        }
        Ok(())
    }

    /// Checks that every cell holds at most `reps` values and that every sum is one that its
    /// values can produce (|Σ round(x · 2³²)| ≤ n · 2⁶²): a saved partial result of `reps`
    /// replications that fails this is corrupt. Assumes [`Series::check`] passed.
    pub fn check_counts(&self, shape: &SeriesShape, reps: u64) -> Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        let nm = shape.metrics();
        for g in 0..shape.paths * shape.months {
            let group = &self.counts[g * shape.stride..(g + 1) * shape.stride];
            for (m, spec) in shape.specs.iter().enumerate() {
                let c = g * nm + m;
                let o = shape.offsets[m];
                let n: u128 = group[o..o + spec.bins]
                    .iter()
                    .map(|x| *x as u128)
                    .sum::<u128>()
                    + self.under[c] as u128
                    + self.over[c] as u128;
                let bound = n << (FIXED_POINT_BITS as u32 + 30);
                if n > reps as u128 || self.sum[c].unsigned_abs() > bound {
                    bail!("the monthly series hold more values, or larger sums, than the partial result's {reps} replications can give: the file is corrupt");
                }
                // The mean of a cell lies between its minimum and maximum (up to the
                // fixed-point rounding of each value). Integer metrics keep no running sum
                // (it is computed from their bins).
                if n > 0 && !spec.integer {
                    let scale = (1u64 << FIXED_POINT_BITS) as f64;
                    let mean = self.sum[c] as f64 / n as f64 / scale;
                    let (lo, hi) = (self.min[c], self.max[c]);
                    let slack = 1e-9 * (1.0 + lo.abs().max(hi.abs()));
                    if !(lo <= hi && mean >= lo - slack && mean <= hi + slack) {
                        bail!("the monthly series hold a sum outside what their minimum and maximum allow (cell {c}): the file is corrupt");
                    }
                }
            }
        }
        Ok(())
    }

    /// Observes one month of one path: `values[m]` is metric `m`'s value and `cell0` the cell
    /// of metric 0 ([`SeriesShape::cell`]). Updates each cell's sum, min and max, and writes the
    /// code of each value's bin to `codes[m]` for [`Series::count`]. NaN values are ignored.
    #[inline]
    pub fn observe_month(
        &mut self,
        shape: &SeriesShape,
        cell0: usize,
        values: &[f64],
        codes: &mut [u16],
    ) {
        let nm = shape.metrics();
        let cells = cell0..cell0 + nm;
        let sums = &mut self.sum[cells.clone()];
        let mins = &mut self.min[cells.clone()];
        let maxs = &mut self.max[cells];
        let cols = values
            .iter()
            .zip(codes.iter_mut())
            .zip(&shape.binning)
            .zip(sums.iter_mut().zip(mins.iter_mut().zip(maxs.iter_mut())));
        for (((x, code), b), (sum, (min, max))) in cols {
            *code = observe(b, *x, sum, min, max);
        }
    }

    /// Counts the codes of `reps` replications of path `path`: `codes` holds, for each
    /// replication in turn, `months × metrics` codes from [`Series::observe`] in (month,
    /// metric) order. Every (path, month) group is updated for all the replications at once.
    pub fn count(&mut self, shape: &SeriesShape, path: usize, codes: &[u16], reps: usize) {
        let nm = shape.metrics();
        let per_rep = shape.months * nm;
        debug_assert!(codes.len() >= reps * per_rep);
        for t in 0..shape.months {
            let g = (path * shape.months + t) * shape.stride;
            let group = &mut self.counts[g..g + shape.stride];
            let c0 = shape.cell(path, t, 0);
            for r in 0..reps {
                let row = &codes[r * per_rep + t * nm..r * per_rep + (t + 1) * nm];
                for (m, code) in row.iter().enumerate() {
                    match *code {
                        CODE_NAN => {}
                        CODE_UNDER => self.under[c0 + m] += 1,
                        CODE_OVER => self.over[c0 + m] += 1,
                        i => group[shape.offsets[m] + i as usize] += 1,
                    }
                }
            }
        }
    }

    /// Adds every count and sum of `o` (exact and order-independent). Errors, without
    /// wrapping, if a count or a sum would overflow (then `self` is partly merged and must be
    /// dropped) or if the shapes differ.
    pub fn merge(&mut self, o: &Series) -> Result<()> {
        if o.is_empty() {
            return Ok(());
        }
        if self.is_empty() {
            *self = o.clone();
            return Ok(());
        }
        if self.counts.len() != o.counts.len() || self.sum.len() != o.sum.len() {
            bail!("cannot merge monthly series of different shapes");
        }
        let mut overflow = false;
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            let (s, f) = a.overflowing_add(*b);
            *a = s;
            overflow |= f;
        }
        for (a, b) in self
            .under
            .iter_mut()
            .zip(&o.under)
            .chain(self.over.iter_mut().zip(&o.over))
        {
            let (s, f) = a.overflowing_add(*b);
            *a = s;
            overflow |= f;
        }
        for (a, b) in self.sum.iter_mut().zip(&o.sum) {
            let (s, f) = a.overflowing_add(*b);
            *a = s;
            overflow |= f;
        }
        if overflow {
            bail!("a count or a sum of the monthly series overflows: the partial results are corrupt or too large to merge");
        }
        for (a, b) in self.min.iter_mut().zip(&o.min) {
            *a = a.min(*b);
        }
        for (a, b) in self.max.iter_mut().zip(&o.max) {
            *a = a.max(*b);
        }
        Ok(())
    }

    /// The histogram of cell (path, month, metric) and the exact sum of its values (fixed
    /// point, as [`super::stats::FixedSum`]); an empty histogram if nothing was observed.
    pub fn cell(
        &self,
        shape: &SeriesShape,
        path: usize,
        month: usize,
        metric: usize,
    ) -> (Histogram, i128) {
        let spec = shape.specs[metric];
        if self.is_empty() {
            return (Histogram::new(spec), 0);
        }
        let c = shape.cell(path, month, metric);
        let g = (path * shape.months + month) * shape.stride + shape.offsets[metric];
        let counts = &self.counts[g..g + spec.bins];
        let mut sum = self.sum[c];
        if spec.integer {
            // The in-range values' bin values (see `Series::observe`).
            for (i, n) in counts.iter().enumerate() {
                sum += *n as i128 * to_fixed(spec.lo + i as f64) as i128;
            }
        }
        let h = Histogram::from_parts(
            spec,
            counts.to_vec(),
            self.under[c],
            self.over[c],
            self.min[c],
            self.max[c],
        );
        (h, sum)
    }
}

/// One value of one cell (see [`Series::observe_month`]): bins as [`Histogram::push`], the
/// sum as [`super::stats::FixedSum::add`].
#[inline(always)]
fn observe(b: &Binning, x: f64, sum: &mut i128, min: &mut f64, max: &mut f64) -> u16 {
    if x.is_nan() {
        return CODE_NAN;
    }
    *min = min.min(x);
    *max = max.max(x);
    if b.integer && x >= b.lo {
        let i = index(x - b.lo);
        if i < b.bins {
            // Integer bins: the sum of the bin values is added from the counts when the cell
            // is read (`Series::cell`); only a value's excess over its bin value is added here
            // (0 for the integers these metrics hold, so nothing is done).
            let v = b.lo + i as f64;
            if x != v {
                *sum += to_fixed(x) as i128 - to_fixed(v) as i128;
            }
            return i as u16;
        }
    }
    *sum += to_fixed(x) as i128;
    if x < b.lo {
        CODE_UNDER
    } else if b.integer || x > b.hi {
        // Integer bins: at or above lo + bins (smaller values returned above).
        CODE_OVER
    } else {
        // lo ≤ x ≤ hi: the index is in 0..=bins.
        let i = index((x - b.lo) / b.width * b.bins_f);
        i.min(b.bins - 1) as u16
    }
}

#[cfg(test)]
mod tests {
    use super::super::stats::tests::lcg;
    use super::*;

    fn shape() -> SeriesShape {
        SeriesShape::new(
            2,
            3,
            vec![
                HistSpec::continuous(0.0, 1.0, 200),
                HistSpec::integer(4),
                HistSpec::continuous(0.0, 6.0, 1200),
            ],
        )
    }

    /// Values of replication `r`, in (path, month, metric) order, with NaN, out-of-range and
    /// edge values.
    fn values(st: &mut u64, sh: &SeriesShape) -> Vec<f64> {
        (0..sh.cells())
            .map(|i| {
                let u = lcg(st);
                match (i % 3, (u * 40.0) as u32) {
                    (_, 0) => f64::NAN,
                    (_, 1) => -0.25,
                    (_, 2) => 7.5,
                    (0, 3) => 1.0,
                    (1, 4) => u * 6.0,
                    (1, _) => (u * 6.0).floor(),
                    (2, _) => u * 8.0,
                    _ => u,
                }
            })
            .collect()
    }

    #[test]
    fn matches_one_histogram_per_cell_in_any_split() {
        let sh = shape();
        let mut st = 9;
        let reps: Vec<Vec<f64>> = (0..97).map(|_| values(&mut st, &sh)).collect();
        let mut hists: Vec<Histogram> = (0..sh.cells())
            .map(|c| Histogram::new(sh.specs[c % sh.metrics()]))
            .collect();
        let mut sums = vec![super::super::stats::FixedSum::default(); sh.cells()];
        for v in &reps {
            for (c, x) in v.iter().enumerate() {
                hists[c].push(*x);
                if !x.is_nan() {
                    sums[c] += *x;
                }
            }
        }
        // Observed and counted in batches of 5 replications, in two halves merged either way.
        let run = |reps: &[Vec<f64>]| {
            let mut s = Series::new(&sh);
            let per_rep = sh.months * sh.metrics();
            for batch in reps.chunks(5) {
                for p in 0..sh.paths {
                    let mut codes = vec![0; batch.len() * per_rep];
                    for (v, out) in batch.iter().zip(codes.chunks_mut(per_rep)) {
                        for t in 0..sh.months {
                            let c0 = sh.cell(p, t, 0);
                            let nm = sh.metrics();
                            let row = &mut out[t * nm..(t + 1) * nm];
                            s.observe_month(&sh, c0, &v[c0..c0 + nm], row);
                        }
                    }
                    s.count(&sh, p, &codes, batch.len());
                }
            }
            s
        };
        let whole = run(&reps);
        let (a, b) = (run(&reps[..40]), run(&reps[40..]));
        let mut ab = a.clone();
        ab.merge(&b).unwrap();
        let mut ba = Series::default();
        ba.merge(&b).unwrap();
        ba.merge(&a).unwrap();
        assert_eq!(ab, whole);
        assert_eq!(ba, whole);
        for p in 0..sh.paths {
            for t in 0..sh.months {
                for m in 0..sh.metrics() {
                    let c = sh.cell(p, t, m);
                    let (h, sum) = whole.cell(&sh, p, t, m);
                    assert_eq!(h, hists[c], "cell {c}");
                    assert_eq!(sum, sums[c].0, "cell {c}");
                }
            }
        }
    }

    #[test]
    fn merge_overflow_is_an_error_and_bad_shapes_are_rejected() {
        let sh = shape();
        let mut a = Series::new(&sh);
        a.sum[0] = i128::MAX - 1;
        let mut b = Series::new(&sh);
        b.sum[0] = 2;
        assert!(a.clone().merge(&b).is_err());
        let mut c = Series::new(&sh);
        c.counts[5] = u32::MAX;
        let mut d = Series::new(&sh);
        d.counts[5] = 1;
        assert!(c.merge(&d).is_err());
        let mut e = Series::new(&sh);
        e.over[2] = u64::MAX;
        let mut f = Series::new(&sh);
        f.over[2] = 1;
        assert!(e.merge(&f).is_err());
        assert!(a.check(&sh).is_ok());
        a.counts.pop();
        assert!(a.check(&sh).is_err());
        let mut g = Series::new(&sh);
        g.min.push(0.0);
        assert!(g.check(&sh).is_err());
        assert!(Series::default().check(&sh).is_ok());
        let other = SeriesShape::new(2, 4, sh.specs.clone());
        assert!(Series::new(&sh).merge(&Series::new(&other)).is_err());
    }

    #[test]
    fn serde_round_trip_is_exact() {
        let sh = shape();
        let mut s = Series::new(&sh);
        let mut st = 3;
        let v = values(&mut st, &sh);
        let per_rep = sh.months * sh.metrics();
        for p in 0..sh.paths {
            let mut codes = vec![0; per_rep];
            let nm = sh.metrics();
            for t in 0..sh.months {
                let c0 = sh.cell(p, t, 0);
                s.observe_month(&sh, c0, &v[c0..c0 + nm], &mut codes[t * nm..(t + 1) * nm]);
            }
            s.count(&sh, p, &codes, 1);
        }
        s.sum[1] = i128::MIN + 7;
        let j = serde_json::to_string(&s).unwrap();
        let back: Series = serde_json::from_str(&j).unwrap();
        assert_eq!(back, s);
    }
}
