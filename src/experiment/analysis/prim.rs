//! Scenario discovery with PRIM, the Patient Rule Induction Method.
//!
//! PRIM (Friedman & Fisher 1999, "Bump hunting in high-dimensional data", *Statistics and
//! Computing* 9:123–143) looks for a box — one interval per input dimension — in which the
//! cases of interest (`y = true`) are concentrated. Used on the points of a sweep with `y` =
//! "hasty beats gradual", the box answers "under which parameter ranges does that happen"
//! (scenario discovery: Bryant & Lempert 2010, "Thinking inside the box", *Technological
//! Forecasting & Social Change* 77:34–49; Kwakkel 2017, "The Exploratory Modeling Workbench",
//! *Environmental Modelling & Software* 96:239–250, whose `prim` module this follows).
//!
//! Statistics of a box, in Bryant & Lempert's terms: **coverage** = share of all cases of
//! interest that fall in the box; **density** = share of the points in the box that are cases
//! of interest; **mass** = share of all points that fall in the box. A point is in the box when
//! `low <= x[d] <= high` for every dimension `d`.
//!
//! # Algorithm
//! * **Peeling.** Start from the box spanning the data. At each step, for every dimension and
//!   both ends, try removing the `peel_alpha` share of the points in the box with the lowest
//!   (or highest) values of that dimension, and keep the peel that leaves the highest density
//!   (Friedman & Fisher's basic criterion, the EMA Workbench's `original` objective). Ties are
//!   broken by the number of restricted dimensions (fewer first, as in the Workbench), then by
//!   lower dimension, then low end before high end. Every box is recorded on the peeling
//!   trajectory. A peel whose box would have a mass below `mass_min` is not admissible;
//!   peeling stops when no admissible peel remains or when the best one would leave no case of
//!   interest in the box. (The Workbench instead stops as soon as its best peel is too small;
//!   the two agree for continuous inputs, but with discrete inputs a large peel in one
//!   dimension must not end the search while smaller peels in others remain.)
//! * **Ties and discrete values.** Grid designs have few distinct values per dimension, so a
//!   peel always cuts *between* distinct values: it removes the `k = max(1, ⌊alpha·n⌋)`
//!   extreme points plus every point tied with the last of them. If that would empty the box
//!   (all remaining values tied with the cut), the peel removes everything except the points at
//!   the opposite extreme instead; a dimension whose values in the box are all equal cannot be
//!   peeled. The new limit is the midpoint between the last removed value and the next kept
//!   value (as the Workbench's `get_quantile`), so limits fall between grid values.
//! * **Choice.** The chosen box is the first box on the trajectory (the one with the largest
//!   coverage) whose density is at least `threshold`; if no box reaches it, the box of
//!   highest density (the earliest on ties).
//! * **Pasting** (Friedman & Fisher §5; skipped when `paste_alpha = 0`). The chosen box is then
//!   grown: for every dimension and end, try adding the `k = max(1, ⌊paste_alpha·n⌋)` points
//!   just outside that limit (within all other limits; ties with the last one included), and
//!   keep the paste giving the highest density, as long as that density is not lower than
//!   the box's (Friedman & Fisher and the Workbench require a strict increase; accepting equal
//!   density lets a pure box regain the points a peel overshot). A limit pasted past every
//!   point returns to the data range. Each paste adds a point, so pasting ends.
//!
//! Everything is deterministic: no randomness, and ties are broken by the fixed rules above.

/// Settings of [`prim`].
#[derive(Clone, Debug, PartialEq)]
pub struct PrimConfig {
    /// Share of the points in the box removed by one peel, in (0, 0.5]. Default 0.05.
    pub peel_alpha: f64,
    /// Smallest admissible mass (share of all points in the box), in [0, 1). Default 0.05.
    pub mass_min: f64,
    /// Density the chosen box must reach, in [0, 1]. Default 0.8.
    pub threshold: f64,
    /// Share of the points in the box added by one paste, in [0, 0.5]; 0 turns pasting off.
    /// Default 0.05.
    pub paste_alpha: f64,
}

impl Default for PrimConfig {
    fn default() -> Self {
        PrimConfig {
            peel_alpha: 0.05,
            mass_min: 0.05,
            threshold: 0.8,
            paste_alpha: 0.05,
        }
    }
}

impl PrimConfig {
    /// Checks that every setting is in its range (NaN is out of every range).
    pub fn validate(&self) -> Result<(), String> {
        let check = |name: &str, v: f64, ok: bool, range: &str| {
            if ok {
                Ok(())
            } else {
                Err(format!(
                    "PRIM setting `{name}` = {v} is out of range: expected {range}"
                ))
            }
        };
        let a = self.peel_alpha;
        check("peel_alpha", a, a > 0.0 && a <= 0.5, "a share in (0, 0.5]")?;
        let m = self.mass_min;
        check("mass_min", m, (0.0..1.0).contains(&m), "a share in [0, 1)")?;
        let t = self.threshold;
        check(
            "threshold",
            t,
            (0.0..=1.0).contains(&t),
            "a density in [0, 1]",
        )?;
        let p = self.paste_alpha;
        check(
            "paste_alpha",
            p,
            (0.0..=0.5).contains(&p),
            "a share in [0, 0.5] (0: no pasting)",
        )
    }
}

/// One box: its limits and statistics over the whole data set.
#[derive(Clone, Debug, PartialEq)]
pub struct PrimBox {
    /// `(low, high)` per dimension, inclusive. Unrestricted dimensions span the data range.
    pub limits: Vec<(f64, f64)>,
    /// Share of all cases of interest that are in the box.
    pub coverage: f64,
    /// Share of the points in the box that are cases of interest (0 for an empty box).
    pub density: f64,
    /// Share of all points that are in the box.
    pub mass: f64,
    /// Number of points in the box.
    pub n: usize,
    /// Number of cases of interest in the box.
    pub n_true: usize,
    /// Dimensions whose limits are tighter than the data range, in increasing order.
    pub restricted: Vec<usize>,
}

impl PrimBox {
    /// Whether `point` lies in the box (`low <= x <= high` in every dimension).
    pub fn contains(&self, point: &[f64]) -> bool {
        point.len() == self.limits.len()
            && point
                .iter()
                .zip(&self.limits)
                .all(|(x, (lo, hi))| *lo <= *x && *x <= *hi)
    }
}

/// The result of [`prim`].
#[derive(Clone, Debug, PartialEq)]
pub struct Prim {
    /// The peeling trajectory: the box spanning the data, then one box per peel. Mass and
    /// coverage never increase along it.
    pub trajectory: Vec<PrimBox>,
    /// Index in `trajectory` of the chosen box (before pasting).
    pub chosen: usize,
    /// Whether the chosen box reaches the density threshold (otherwise it is the densest box).
    pub meets_threshold: bool,
    /// The chosen box after pasting (equal to `trajectory[chosen]` when pasting is off or
    /// no paste was accepted).
    pub final_box: PrimBox,
    /// Number of pastes accepted.
    pub pastes: usize,
    /// Share of cases of interest among all points: the density of the initial box.
    pub base_density: f64,
}

/// Which end of a dimension a peel or paste works on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    Low,
    High,
}

/// A candidate peel or paste: the box it leads to, as a limit change and counts.
#[derive(Clone, Copy, Debug)]
struct Move {
    dim: usize,
    end: End,
    limit: f64,
    n: usize,
    n_true: usize,
    restricted: usize,
}

impl Move {
    /// Whether `self` is strictly better than `other`: higher density (compared exactly by
    /// cross-multiplication), then fewer restricted dimensions. Earlier candidates win the
    /// remaining ties because candidates are visited in (dimension, low, high) order.
    fn better_than(&self, other: &Move) -> bool {
        let a = self.n_true as u128 * other.n as u128;
        let b = other.n_true as u128 * self.n as u128;
        a > b || (a == b && self.restricted < other.restricted)
    }
}

/// Number of points moved by one peel or paste of share `alpha` of `n` points (at least 1).
fn step_count(alpha: f64, n: usize) -> usize {
    // The small allowance keeps e.g. 0.05 × 2000 at 100 despite rounding.
    ((alpha * n as f64 + 1e-9).floor() as usize).max(1)
}

/// A limit strictly between `removed` and `kept` (distinct), at their midpoint when it is
/// representable strictly between them or equal to `kept`, else `kept` itself.
fn cut_between(removed: f64, kept: f64) -> f64 {
    let mid = removed + (kept - removed) / 2.0;
    if mid != removed && mid.is_finite() {
        mid
    } else {
        kept
    }
}

/// The limit a peel of `end` sets on sorted values `v` (of the points in the box), or `None`
/// when the dimension cannot be peeled (all values equal).
fn peel_limit(v: &[f64], k: usize, end: End) -> Option<f64> {
    let (first, last) = (*v.first()?, *v.last()?);
    if first == last {
        return None;
    }
    let k = k.min(v.len());
    match end {
        End::Low => {
            let mut cut = v[k - 1];
            if cut == last {
                // Keep only the points at the maximum.
                cut = v[v.partition_point(|a| *a < last) - 1];
            }
            let next = v[v.partition_point(|a| *a <= cut)];
            Some(cut_between(cut, next))
        }
        End::High => {
            let mut cut = v[v.len() - k];
            if cut == first {
                cut = v[v.partition_point(|a| *a <= first)];
            }
            let next = v[v.partition_point(|a| *a < cut) - 1];
            Some(cut_between(cut, next))
        }
    }
}

/// Statistics of a box given its limits and counts.
fn make_box(
    limits: &[(f64, f64)],
    init: &[(f64, f64)],
    n: usize,
    n_true: usize,
    total: usize,
    total_true: usize,
) -> PrimBox {
    PrimBox {
        limits: limits.to_vec(),
        coverage: n_true as f64 / total_true as f64,
        density: if n == 0 {
            0.0
        } else {
            n_true as f64 / n as f64
        },
        mass: n as f64 / total as f64,
        n,
        n_true,
        restricted: restricted_dims(limits, init),
    }
}

fn restricted_dims(limits: &[(f64, f64)], init: &[(f64, f64)]) -> Vec<usize> {
    (0..limits.len())
        .filter(|&d| limits[d].0 > init[d].0 || limits[d].1 < init[d].1)
        .collect()
}

fn count_restricted_with(
    limits: &[(f64, f64)],
    init: &[(f64, f64)],
    d: usize,
    l: (f64, f64),
) -> usize {
    (0..limits.len())
        .filter(|&e| {
            let (lo, hi) = if e == d { l } else { limits[e] };
            lo > init[e].0 || hi < init[e].1
        })
        .count()
}

fn set_limit(limits: &mut [(f64, f64)], m: &Move) {
    match m.end {
        End::Low => limits[m.dim].0 = m.limit,
        End::High => limits[m.dim].1 = m.limit,
    }
}

/// Checks the inputs of [`prim`]; returns the number of dimensions.
fn check_data(x: &[Vec<f64>], y: &[bool]) -> Result<usize, String> {
    if x.is_empty() {
        return Err("PRIM needs at least one point; the data set is empty".into());
    }
    if x.len() != y.len() {
        return Err(format!(
            "PRIM got {} points but {} outcomes; expected one outcome per point",
            x.len(),
            y.len()
        ));
    }
    let dims = x[0].len();
    for (i, p) in x.iter().enumerate() {
        if p.len() != dims {
            return Err(format!(
                "point {i} has {} values, expected {dims} like point 0",
                p.len()
            ));
        }
        if let Some(d) = p.iter().position(|v| !v.is_finite()) {
            return Err(format!(
                "point {i} has a non-finite value ({}) in dimension {d}; expected finite numbers",
                p[d]
            ));
        }
    }
    if !y.iter().any(|b| *b) {
        return Err(
            "no point satisfies the condition, so there is nothing for PRIM to find".into(),
        );
    }
    Ok(dims)
}

/// Runs PRIM on points `x` (one `Vec` of dimension values per point) labelled by `y` (`true`
/// = case of interest). See the [module documentation](self) for the method.
///
/// Errors: no points, `x` and `y` of different lengths, points of different dimension,
/// non-finite values, no case of interest, settings out of range.
pub fn prim(x: &[Vec<f64>], y: &[bool], cfg: &PrimConfig) -> Result<Prim, String> {
    cfg.validate()?;
    let dims = check_data(x, y)?;
    let total = x.len();
    let total_true = y.iter().filter(|b| **b).count();
    let init: Vec<(f64, f64)> = (0..dims)
        .map(|d| {
            x.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                    (lo.min(p[d]), hi.max(p[d]))
                })
        })
        .collect();
    let stats = |limits: &[(f64, f64)], n: usize, n_true: usize| {
        make_box(limits, &init, n, n_true, total, total_true)
    };

    // Peeling.
    let mut limits = init.clone();
    let mut inside: Vec<usize> = (0..total).collect();
    let mut trajectory = vec![stats(&limits, total, total_true)];
    let mut values: Vec<f64> = Vec::with_capacity(total);
    loop {
        let k = step_count(cfg.peel_alpha, inside.len());
        let mut best: Option<Move> = None;
        for d in 0..dims {
            values.clear();
            values.extend(inside.iter().map(|&i| x[i][d]));
            values.sort_by(f64::total_cmp);
            for end in [End::Low, End::High] {
                let Some(limit) = peel_limit(&values, k, end) else {
                    continue;
                };
                let keep = |v: f64| match end {
                    End::Low => v >= limit,
                    End::High => v <= limit,
                };
                let (mut n, mut n_true) = (0, 0);
                for &i in &inside {
                    if keep(x[i][d]) {
                        n += 1;
                        n_true += usize::from(y[i]);
                    }
                }
                if (n as f64 / total as f64) < cfg.mass_min {
                    continue;
                }
                let l = match end {
                    End::Low => (limit, limits[d].1),
                    End::High => (limits[d].0, limit),
                };
                let m = Move {
                    dim: d,
                    end,
                    limit,
                    n,
                    n_true,
                    restricted: count_restricted_with(&limits, &init, d, l),
                };
                if best.as_ref().is_none_or(|b| m.better_than(b)) {
                    best = Some(m);
                }
            }
        }
        let Some(m) = best else { break };
        if m.n_true == 0 {
            break;
        }
        set_limit(&mut limits, &m);
        let (lo, hi) = limits[m.dim];
        inside.retain(|&i| lo <= x[i][m.dim] && x[i][m.dim] <= hi);
        trajectory.push(stats(&limits, m.n, m.n_true));
    }

    // Choice.
    let (chosen, meets_threshold) = match trajectory.iter().position(|b| b.density >= cfg.threshold)
    {
        Some(i) => (i, true),
        None => {
            let mut best = 0;
            for (i, b) in trajectory.iter().enumerate() {
                if b.density > trajectory[best].density {
                    best = i;
                }
            }
            (best, false)
        }
    };

    // Pasting.
    let mut final_box = trajectory[chosen].clone();
    let mut pastes = 0;
    if cfg.paste_alpha > 0.0 {
        let mut limits = final_box.limits.clone();
        loop {
            let current = &final_box;
            let k = step_count(cfg.paste_alpha, current.n);
            let mut best: Option<Move> = None;
            for d in 0..dims {
                for end in [End::Low, End::High] {
                    if let Some(m) = paste(x, y, &limits, &init, current, d, end, k) {
                        if best.as_ref().is_none_or(|b| m.better_than(b)) {
                            best = Some(m);
                        }
                    }
                }
            }
            let Some(m) = best else { break };
            // Accept when the density does not decrease (exact comparison).
            if (m.n_true as u128) * (current.n as u128) < (current.n_true as u128) * (m.n as u128) {
                break;
            }
            set_limit(&mut limits, &m);
            final_box = stats(&limits, m.n, m.n_true);
            pastes += 1;
        }
    }

    Ok(Prim {
        base_density: trajectory[0].density,
        trajectory,
        chosen,
        meets_threshold,
        final_box,
        pastes,
    })
}

/// The paste of `end` of dimension `d` onto the box `current` (with `limits`): adds the `k`
/// points nearest outside that limit (and those tied with the last of them) among the points
/// within every other limit. `None` when there are no such points.
#[allow(clippy::too_many_arguments)]
fn paste(
    x: &[Vec<f64>],
    y: &[bool],
    limits: &[(f64, f64)],
    init: &[(f64, f64)],
    current: &PrimBox,
    d: usize,
    end: End,
    k: usize,
) -> Option<Move> {
    let (lo, hi) = limits[d];
    let within_others = |p: &[f64]| {
        p.iter()
            .zip(limits)
            .enumerate()
            .all(|(e, (v, (l, h)))| e == d || (*l <= *v && *v <= *h))
    };
    // Candidate values beyond the limit, nearest first.
    let mut cands: Vec<(f64, bool)> = x
        .iter()
        .zip(y)
        .filter(|(p, _)| {
            let v = p[d];
            (match end {
                End::Low => v < lo,
                End::High => v > hi,
            }) && within_others(p)
        })
        .map(|(p, t)| (p[d], *t))
        .collect();
    if cands.is_empty() {
        return None;
    }
    match end {
        End::Low => cands.sort_by(|a, b| b.0.total_cmp(&a.0)),
        End::High => cands.sort_by(|a, b| a.0.total_cmp(&b.0)),
    }
    let k = k.min(cands.len());
    let last = cands[k - 1].0;
    let taken = k + cands[k..].iter().take_while(|c| c.0 == last).count();
    let added_true = cands[..taken].iter().filter(|c| c.1).count();
    let limit = match cands.get(taken) {
        Some(next) => cut_between(next.0, last),
        None => match end {
            End::Low => init[d].0,
            End::High => init[d].1,
        },
    };
    let l = match end {
        End::Low => (limit, hi),
        End::High => (lo, limit),
    };
    Some(Move {
        dim: d,
        end,
        limit,
        n: current.n + taken,
        n_true: current.n_true + added_true,
        restricted: count_restricted_with(limits, init, d, l),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{keyed_stream, stable_hash, uniform};

    /// `n` points uniform in [0, 1)^dims and one more uniform per point (for label noise).
    fn uniform_points(seed: u64, n: usize, dims: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
        let mut rng = keyed_stream(seed, 0, stable_hash("prim tests"));
        let x: Vec<Vec<f64>> = (0..n)
            .map(|_| (0..dims).map(|_| uniform(&mut rng)).collect())
            .collect();
        let u = (0..n).map(|_| uniform(&mut rng)).collect();
        (x, u)
    }

    fn planted(p: &[f64]) -> bool {
        (0.2..=0.6).contains(&p[0]) && p[2] > 0.5
    }

    /// Recounts every box from its limits: the counts and statistics must match.
    fn assert_consistent(x: &[Vec<f64>], y: &[bool], r: &Prim) {
        let total_true = y.iter().filter(|b| **b).count();
        for b in r.trajectory.iter().chain([&r.final_box]) {
            let n = x.iter().filter(|p| b.contains(p)).count();
            let n_true = x
                .iter()
                .zip(y)
                .filter(|(p, t)| **t && b.contains(p))
                .count();
            assert_eq!((b.n, b.n_true), (n, n_true), "{b:?}");
            assert_eq!(b.mass, n as f64 / x.len() as f64);
            assert_eq!(b.coverage, n_true as f64 / total_true as f64);
            assert!(n > 0 && b.density == n_true as f64 / n as f64);
        }
        for w in r.trajectory.windows(2) {
            assert!(w[1].n < w[0].n, "a peel removes at least one point");
            assert!(w[1].n_true <= w[0].n_true);
            assert!(w[1].mass <= w[0].mass && w[1].coverage <= w[0].coverage);
            for (a, b) in w[1].limits.iter().zip(&w[0].limits) {
                assert!(a.0 >= b.0 && a.1 <= b.1, "limits only tighten");
            }
        }
        let chosen = &r.trajectory[r.chosen];
        assert!(r.final_box.density >= chosen.density && r.final_box.n >= chosen.n);
        assert_eq!(r.pastes == 0, r.final_box == *chosen);
    }

    /// Asserts that `b` restricts exactly `dims` with `(dim, low, high)` within `tol`.
    fn assert_limits(b: &PrimBox, dims: &[usize], expected: &[(usize, f64, f64)], tol: f64) {
        assert_eq!(b.restricted, dims, "{b:?}");
        for &(d, lo, hi) in expected {
            let (l, h) = b.limits[d];
            assert!(
                (l - lo).abs() <= tol && (h - hi).abs() <= tol,
                "dim {d}: {l}..{h}"
            );
        }
    }

    #[test]
    fn planted_box_is_found_in_five_dimensions() {
        // 2,000 uniform points in [0, 1]^5; cases of interest: x0 in [0.2, 0.6] and x2 > 0.5
        // (mass 0.2). Dimensions 1, 3 and 4 are irrelevant.
        let (x, _) = uniform_points(1, 2000, 5);
        let y: Vec<bool> = x.iter().map(|p| planted(p)).collect();
        let cfg = PrimConfig {
            threshold: 0.95,
            ..PrimConfig::default()
        };
        let r = prim(&x, &y, &cfg).unwrap();
        assert_consistent(&x, &y, &r);
        assert!((r.base_density - 0.2).abs() < 0.02, "{}", r.base_density);
        assert!(r.meets_threshold);
        let b = &r.final_box;
        assert_limits(b, &[0, 2], &[(0, 0.2, 0.6), (2, 0.5, 1.0)], 0.05);
        assert!(b.density >= 0.95 && b.coverage >= 0.95, "{b:?}");
        // Along the trajectory the density reaches 1 with the planted dimensions only.
        let pure = r.trajectory.iter().find(|b| b.density == 1.0).unwrap();
        assert_limits(pure, &[0, 2], &[(0, 0.2, 0.6), (2, 0.5, 1.0)], 0.02);
        assert!(pure.coverage >= 0.9, "{pure:?}");
    }

    #[test]
    fn planted_box_survives_label_noise() {
        // As above with 5% of the labels flipped: the best achievable density is about 0.95.
        let (x, u) = uniform_points(2, 2000, 5);
        let y: Vec<bool> = x
            .iter()
            .zip(&u)
            .map(|(p, u)| planted(p) ^ (*u < 0.05))
            .collect();
        let flipped = x.iter().zip(&y).filter(|(p, y)| planted(p) != **y).count();
        assert!((70..130).contains(&flipped), "{flipped}");
        let cfg = PrimConfig {
            threshold: 0.9,
            ..PrimConfig::default()
        };
        let r = prim(&x, &y, &cfg).unwrap();
        assert_consistent(&x, &y, &r);
        let b = &r.final_box;
        assert_limits(b, &[0, 2], &[(0, 0.2, 0.6), (2, 0.5, 1.0)], 0.05);
        assert!(b.density >= 0.9 && b.coverage >= 0.8, "{b:?}");
    }

    fn grid_20x20() -> (Vec<Vec<f64>>, Vec<bool>) {
        let x: Vec<Vec<f64>> = (0..20)
            .flat_map(|i| (0..20).map(move |j| vec![i as f64, j as f64]))
            .collect();
        let y = x
            .iter()
            .map(|p| (5.0..=12.0).contains(&p[0]) && (8.0..=15.0).contains(&p[1]))
            .collect();
        (x, y)
    }

    #[test]
    fn grid_design_recovers_planted_rectangle_exactly() {
        // A 20 × 20 grid (values 0..19, 20 points per value) with the rectangle
        // [5, 12] × [8, 15] planted: every peel removes whole grid lines and limits fall
        // halfway between grid values.
        let (x, y) = grid_20x20();
        let cfg = PrimConfig {
            threshold: 1.0,
            ..PrimConfig::default()
        };
        let r = prim(&x, &y, &cfg).unwrap();
        assert_consistent(&x, &y, &r);
        let b = &r.final_box;
        assert_eq!(b.limits, vec![(4.5, 12.5), (7.5, 15.5)]);
        assert_eq!((b.n, b.n_true, b.coverage, b.density), (64, 64, 1.0, 1.0));
        // Every limit is a grid extreme or halfway between grid values.
        for b in &r.trajectory {
            for l in b.limits.iter().flat_map(|(lo, hi)| [*lo, *hi]) {
                assert!(l == 0.0 || l == 19.0 || l.fract() == 0.5, "{b:?}");
            }
        }
        // The default threshold picks the first box with density >= 0.8: 80 points, 64 true.
        let r = prim(&x, &y, &PrimConfig::default()).unwrap();
        let c = &r.trajectory[r.chosen];
        assert_eq!((c.n, c.n_true), (80, 64));
        assert!(r.trajectory[..r.chosen].iter().all(|b| b.density < 0.8));
    }

    #[test]
    fn pasting_regains_what_peeling_overshot() {
        let (x, _) = uniform_points(1, 2000, 5);
        let y: Vec<bool> = x.iter().map(|p| planted(p)).collect();
        let cfg = PrimConfig {
            threshold: 1.0,
            paste_alpha: 0.01,
            ..PrimConfig::default()
        };
        let r = prim(&x, &y, &cfg).unwrap();
        assert_consistent(&x, &y, &r);
        let chosen = &r.trajectory[r.chosen];
        assert!(r.pastes > 0);
        assert_eq!(r.final_box.density, 1.0);
        assert!(r.final_box.coverage > chosen.coverage, "{:?}", r.final_box);
        assert_limits(&r.final_box, &[0, 2], &[(0, 0.2, 0.6), (2, 0.5, 1.0)], 0.02);
        // Without pasting, the chosen box is the result.
        let off = prim(
            &x,
            &y,
            &PrimConfig {
                paste_alpha: 0.0,
                ..cfg
            },
        )
        .unwrap();
        assert_eq!((off.pastes, &off.final_box), (0, chosen));
    }

    #[test]
    fn densest_box_is_chosen_when_none_reaches_the_threshold() {
        let (x, u) = uniform_points(3, 500, 3);
        let y: Vec<bool> = x
            .iter()
            .zip(&u)
            .map(|(p, u)| (p[1] > 0.7) ^ (*u < 0.1))
            .collect();
        let cfg = PrimConfig {
            threshold: 1.0,
            paste_alpha: 0.0,
            ..PrimConfig::default()
        };
        let r = prim(&x, &y, &cfg).unwrap();
        assert_consistent(&x, &y, &r);
        assert!(!r.meets_threshold);
        let max = r.trajectory.iter().map(|b| b.density).fold(0.0, f64::max);
        assert_eq!(r.trajectory[r.chosen].density, max);
        assert!(r.trajectory[..r.chosen].iter().all(|b| b.density < max));
    }

    #[test]
    fn results_are_deterministic_and_ignore_point_order() {
        let (x, u) = uniform_points(4, 600, 4);
        let y: Vec<bool> = x
            .iter()
            .zip(&u)
            .map(|(p, u)| p[0] + p[3] > 1.2 || *u < 0.03)
            .collect();
        let cfg = PrimConfig::default();
        let a = prim(&x, &y, &cfg).unwrap();
        assert_eq!(a, prim(&x, &y, &cfg).unwrap());
        // Reversing the points changes nothing: peels depend on values, not on order.
        let xr: Vec<Vec<f64>> = x.iter().rev().cloned().collect();
        let yr: Vec<bool> = y.iter().rev().copied().collect();
        assert_eq!(a, prim(&xr, &yr, &cfg).unwrap());
    }

    #[test]
    fn random_inputs_with_ties_keep_every_invariant() {
        // Small data sets with few distinct values (heavy ties), random labels and settings.
        let mut rng = keyed_stream(9, 0, stable_hash("prim random inputs"));
        for case in 0..300 {
            let n = 1 + (uniform(&mut rng) * 60.0) as usize;
            let dims = 1 + (uniform(&mut rng) * 4.0) as usize;
            let levels = 1.0 + (uniform(&mut rng) * 6.0).floor();
            let x: Vec<Vec<f64>> = (0..n)
                .map(|_| {
                    (0..dims)
                        .map(|_| (uniform(&mut rng) * levels).floor())
                        .collect()
                })
                .collect();
            let share = uniform(&mut rng);
            let mut y: Vec<bool> = (0..n).map(|_| uniform(&mut rng) < share).collect();
            y[case % n] = true;
            let cfg = PrimConfig {
                peel_alpha: 0.01 + 0.49 * uniform(&mut rng),
                mass_min: 0.5 * uniform(&mut rng),
                threshold: uniform(&mut rng),
                paste_alpha: if case % 3 == 0 {
                    0.0
                } else {
                    0.5 * uniform(&mut rng)
                },
            };
            let r = prim(&x, &y, &cfg).unwrap();
            assert_consistent(&x, &y, &r);
            assert!(r.trajectory.iter().skip(1).all(|b| b.mass >= cfg.mass_min));
        }
    }

    #[test]
    fn degenerate_data_give_a_single_box() {
        // One point; constant dimensions; all points of interest.
        let r = prim(&[vec![1.0, 2.0]], &[true], &PrimConfig::default()).unwrap();
        assert_eq!((r.trajectory.len(), r.chosen, r.final_box.n), (1, 0, 1));
        assert!(r.final_box.restricted.is_empty());
        let x = vec![vec![3.0]; 10];
        let y: Vec<bool> = (0..10).map(|i| i % 2 == 0).collect();
        let r = prim(&x, &y, &PrimConfig::default()).unwrap();
        assert_eq!(r.trajectory.len(), 1);
        assert_eq!(r.base_density, 0.5);
        let (x, _) = uniform_points(5, 100, 2);
        let r = prim(&x, &[true; 100], &PrimConfig::default()).unwrap();
        assert_eq!((r.chosen, r.final_box.coverage), (0, 1.0));
    }

    #[test]
    fn bad_inputs_are_errors() {
        let cfg = PrimConfig::default();
        let ok = vec![vec![0.0, 1.0], vec![1.0, 0.0]];
        let err = |x: &[Vec<f64>], y: &[bool], cfg: &PrimConfig| prim(x, y, cfg).unwrap_err();
        assert!(err(&[], &[], &cfg).contains("empty"));
        assert!(err(&ok, &[true], &cfg).contains("2 points but 1 outcomes"));
        assert!(err(&[vec![0.0, 1.0], vec![1.0]], &[true, false], &cfg).contains("point 1 has 1"));
        let nan = vec![vec![0.0, 1.0], vec![1.0, f64::NAN]];
        assert!(err(&nan, &[true, false], &cfg).contains("dimension 1"));
        let inf = vec![vec![f64::NEG_INFINITY, 1.0], vec![1.0, 0.0]];
        assert!(err(&inf, &[true, false], &cfg).contains("non-finite"));
        assert!(err(&ok, &[false, false], &cfg).contains("no point satisfies"));
        for (bad, name) in [
            (
                PrimConfig {
                    peel_alpha: 0.0,
                    ..cfg.clone()
                },
                "peel_alpha",
            ),
            (
                PrimConfig {
                    peel_alpha: 0.6,
                    ..cfg.clone()
                },
                "peel_alpha",
            ),
            (
                PrimConfig {
                    peel_alpha: f64::NAN,
                    ..cfg.clone()
                },
                "peel_alpha",
            ),
            (
                PrimConfig {
                    mass_min: 1.0,
                    ..cfg.clone()
                },
                "mass_min",
            ),
            (
                PrimConfig {
                    mass_min: -0.1,
                    ..cfg.clone()
                },
                "mass_min",
            ),
            (
                PrimConfig {
                    threshold: 1.5,
                    ..cfg.clone()
                },
                "threshold",
            ),
            (
                PrimConfig {
                    threshold: f64::NAN,
                    ..cfg.clone()
                },
                "threshold",
            ),
            (
                PrimConfig {
                    paste_alpha: -0.01,
                    ..cfg.clone()
                },
                "paste_alpha",
            ),
            (
                PrimConfig {
                    paste_alpha: 0.7,
                    ..cfg.clone()
                },
                "paste_alpha",
            ),
        ] {
            assert!(err(&ok, &[true, false], &bad).contains(name), "{bad:?}");
        }
    }
}
