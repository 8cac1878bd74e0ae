//! Charts of experiments (PNG and SVG, 1200×800, like the run charts in [`super::charts`]).
//!
//! Sweeps ([`sweep_charts`]), for the primary outcome:
//! - `sweep_<outcome>` (one swept parameter): outcome mean vs the parameter value, one line per
//!   path with its 95% CI band; the reference path's line is thicker.
//! - `sweep_diff_<outcome>` (one swept parameter): paired mean difference (path − reference)
//!   with its 95% CI, one line per non-reference path, and a zero line.
//! - `heatmap_diff_<outcome>` (two swept parameters on a grid): one panel per non-reference
//!   path, cells coloured by the paired mean difference on a diverging scale centred on 0
//!   (symmetric limits shared by the panels; blue = the path does better, red = worse; for an
//!   outcome with no better direction, blue = higher), with the zero contour (marching squares
//!   on the cell centres, linear interpolation). Skipped if the points do not sit on the levels.
//! - `heatmap_pbetter_<outcome>` (same, outcomes with a better direction only): P(path better
//!   than the reference), centred on 0.5, contour at 0.5.
//! - `win_map_<outcome>` (two or more swept parameters, outcomes with a better direction only):
//!   the path with the best mean outcome at each point, on the two most influential parameters
//!   (cells for grid designs, split in stripes when several points share a cell; a scatter
//!   otherwise). Ties go to the reference path.
//!
//! Sensitivity: `sobol_indices` ([`sobol_chart`]) and `tornado` ([`tornado_chart`]). Scenario
//! discovery: `prim_trajectory` ([`prim_chart`]).

use super::charts::{color, write_chart, Chart, FONT};
use super::dir::Staging;
use crate::engine::sweep::SweepResults;
use crate::model::Better;
use crate::scenario::sweep::DesignKind;
use anyhow::{bail, Result};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Height of the header strip (title, subtitle, legend).
const HEADER: u32 = 92;

/// Grey of cells without data.
const NO_DATA: RGBColor = RGBColor(190, 190, 190);

/// Writes the sweep charts of outcome `outcome` (index into `res.layout.outcomes`) and
/// returns their stems. `influential` names the two most influential parameters (indices into
/// `res.design.keys`) for the win map; without it, the first two parameters are used.
pub fn sweep_charts(
    dir: &Staging,
    res: &SweepResults,
    outcome: usize,
    influential: Option<(usize, usize)>,
) -> Result<Vec<String>> {
    let l = &res.layout;
    if outcome >= l.outcomes.len() {
        bail!(
            "no outcome number {outcome} (the sweep has {})",
            l.outcomes.len()
        );
    }
    let nk = res.design.keys.len();
    for (k, i) in influential.iter().flat_map(|(a, b)| [a, b]).enumerate() {
        if *i >= nk {
            bail!(
                "influential parameter {} is number {i}, but the sweep has {nk} parameters",
                k + 1
            );
        }
    }
    let s = SweepData { res, outcome };
    let mut stems = Vec::new();
    let mut put = |c: &dyn ChartDyn| -> Result<()> {
        c.write(dir)?;
        stems.push(c.stem_dyn());
        Ok(())
    };
    if nk == 1 {
        put(&SweepLine { s: &s })?;
        put(&SweepDiff { s: &s })?;
    }
    if nk == 2 && res.design.kind == DesignKind::Grid && res.design.levels.len() == 2 {
        if let Some(g) = GridCells::new(res) {
            put(&Heatmap {
                s: &s,
                g: &g,
                kind: HeatKind::Diff,
            })?;
            if l.outcomes[outcome].better != Better::Neither {
                put(&Heatmap {
                    s: &s,
                    g: &g,
                    kind: HeatKind::PBetter,
                })?;
            }
        }
    }
    if nk >= 2 && l.outcomes[outcome].better != Better::Neither {
        let (a, b, chosen) = match influential {
            Some((a, b)) if a != b => (a, b, true),
            _ => (0, 1, false),
        };
        put(&WinMap {
            s: &s,
            a,
            b,
            chosen,
        })?;
    }
    Ok(stems)
}

/// Writes `sobol_indices`: first-order and total Sobol' indices per parameter with their 95%
/// CIs (`(estimate, [low, high])`, same order as `parameters`).
pub fn sobol_chart(
    dir: &Staging,
    parameters: &[String],
    first: &[(f64, [f64; 2])],
    total: &[(f64, [f64; 2])],
    title: &str,
) -> Result<Vec<String>> {
    if first.len() != parameters.len() || total.len() != parameters.len() {
        bail!(
            "Sobol' chart: {} parameters but {} first-order and {} total indices",
            parameters.len(),
            first.len(),
            total.len()
        );
    }
    let c = SobolChart {
        parameters,
        first,
        total,
        title,
    };
    write_chart(dir, &c)?;
    Ok(vec![c.stem()])
}

/// Writes `tornado`: per bar (label, outcome with the parameter at its low value, at its high
/// value), horizontal bars from `base`, first bar at the top.
pub fn tornado_chart(
    dir: &Staging,
    base: f64,
    bars: &[(String, f64, f64)],
    title: &str,
    x_label: &str,
) -> Result<Vec<String>> {
    let c = TornadoChart {
        base,
        bars,
        title,
        x_label,
    };
    write_chart(dir, &c)?;
    Ok(vec![c.stem()])
}

/// Writes `prim_trajectory`: density vs coverage of each box of a PRIM peeling trajectory
/// (`(coverage, density, restricted dimensions)` in peeling order), box `chosen` circled.
pub fn prim_chart(
    dir: &Staging,
    trajectory: &[(f64, f64, usize)],
    chosen: usize,
    title: &str,
) -> Result<Vec<String>> {
    if chosen >= trajectory.len() {
        bail!(
            "PRIM chart: chosen box {chosen} but the trajectory has {} boxes",
            trajectory.len()
        );
    }
    let c = PrimChart {
        trajectory,
        chosen,
        title,
    };
    write_chart(dir, &c)?;
    Ok(vec![c.stem()])
}

/// Object-safe view of a [`Chart`], so that `sweep_charts` can handle its charts uniformly.
trait ChartDyn {
    fn write(&self, dir: &Staging) -> Result<()>;
    fn stem_dyn(&self) -> String;
}

impl<T: Chart> ChartDyn for T {
    fn write(&self, dir: &Staging) -> Result<()> {
        write_chart(dir, self)
    }
    fn stem_dyn(&self) -> String {
        self.stem()
    }
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// A short number for labels: up to 4 significant digits, no trailing zeros.
fn short(x: f64) -> String {
    sig(x, 4)
}

/// `x` with up to `digits` significant digits, no trailing zeros (scientific notation outside
/// [0.001, 100000)).
fn sig(x: f64, digits: i32) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if !(1e-3..1e5).contains(&a) {
        return format!("{x:.2e}");
    }
    let decimals = (digits - 1 - a.log10().floor() as i32).clamp(0, 8) as usize;
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// Tick label formatter for an axis spanning `lo..hi`: values within 10⁻⁹ of the span from 0
/// (floating-point residue of tick positions) print as 0.
fn ticks(lo: f64, hi: f64) -> impl Fn(&f64) -> String {
    let eps = 1e-9 * (hi - lo).abs();
    move |x: &f64| {
        if x.abs() <= eps {
            "0".into()
        } else {
            short(*x)
        }
    }
}

/// A range covering `lo..hi` with `frac` padding each side; a single value is padded by 5% of
/// its magnitude (at least 0.05).
fn padded(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    if span <= 0.0 || span < 1e-12 * lo.abs().max(hi.abs()) {
        let pad = (0.05 * lo.abs()).max(0.05);
        return (lo - pad, hi + pad);
    }
    (lo - frac * span, hi + frac * span)
}

/// Smallest and largest finite value.
fn extent(xs: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    xs.into_iter()
        .filter(|x| x.is_finite())
        .fold(None, |acc, x| match acc {
            None => Some((x, x)),
            Some((lo, hi)) => Some((lo.min(x), hi.max(x))),
        })
}

/// Width (pixels) of a legend entry with a 16 px label.
fn entry_width(name: &str) -> i32 {
    40 + 8 * name.chars().count() as i32
}

/// Draws the title, subtitle and a legend (colour, label; wrapped over lines) in a strip at
/// the top of `root` and returns the area below it.
fn header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    entries: &[(RGBColor, String)],
) -> Result<DrawingArea<DB, Shift>>
where
    DB::ErrorType: 'static,
{
    let (w, _) = root.dim_in_pixel();
    let w = w as i32;
    // Legend positions, wrapped.
    let (mut x, mut y) = (20, 62);
    let mut placed = Vec::new();
    for (c, name) in entries {
        let width = entry_width(name);
        if x + width > w - 10 && x > 20 {
            x = 20;
            y += 24;
        }
        placed.push((x, y, *c, name.clone()));
        x += width;
    }
    let height = (y + 30).max(HEADER as i32) as u32;
    let (top, body) = root.split_vertically(height);
    let center =
        |size| TextStyle::from((FONT, size).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    top.draw(&Text::new(title.to_string(), (w / 2, 6), center(22)))?;
    top.draw(&Text::new(subtitle.to_string(), (w / 2, 34), center(16)))?;
    for (x, y, c, name) in placed {
        top.draw(&Rectangle::new([(x, y + 2), (x + 22, y + 12)], c.filled()))?;
        top.draw(&Text::new(name, (x + 28, y - 1), (FONT, 16)))?;
    }
    Ok(body)
}

/// Tick labels at the cell centres of a grid's axes (every k-th when they would overlap),
/// drawn on `root` (the whole chart) along `chart`'s bottom and left edges. The chart's own
/// mesh labels are off (`x_labels(0)`), since its round numbers would miss the cells.
fn cell_ticks<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    xs: &[f64],
    ys: &[f64],
    size: u32,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (bx, by) = root.get_base_pixel();
    let px = |x: f64, y: f64| {
        let (u, v) = chart.backend_coord(&(x, y));
        (u - bx, v - by)
    };
    let (x_lo, y_lo) = (xs.first().copied(), ys.first().copied());
    let (Some(x_lo), Some(y_lo)) = (x_lo, y_lo) else {
        return Ok(());
    };
    let (_, bottom) = px(x_lo, y_lo);
    let xr = chart.x_range();
    let yr = chart.y_range();
    let (left, _) = px(xr.start, y_lo);
    let bottom = bottom.max(px(xr.start, yr.start).1);
    let char_px = size as i32 * 6 / 10;
    let step = |n: usize, span_px: i32, width_px: i32| -> usize {
        let per = (span_px.abs() as f64 / n.max(1) as f64).max(1.0);
        ((width_px as f64 / per).ceil() as usize).max(1)
    };
    let width = xs.iter().map(|x| short(*x).len()).max().unwrap_or(1) as i32 * char_px + 12;
    let span_x = px(xr.end, y_lo).0 - left;
    let kx = step(xs.len(), span_x, width);
    let top_style =
        TextStyle::from((FONT, size).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    for x in xs.iter().step_by(kx) {
        let (u, _) = px(*x, y_lo);
        root.draw(&PathElement::new(vec![(u, bottom), (u, bottom + 5)], BLACK))?;
        root.draw(&Text::new(short(*x), (u, bottom + 8), top_style.clone()))?;
    }
    let span_y = px(xr.start, yr.end).1 - bottom;
    let ky = step(ys.len(), span_y, size as i32 + 6);
    let right_style =
        TextStyle::from((FONT, size).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
    for y in ys.iter().step_by(ky) {
        let (_, v) = px(xr.start, *y);
        root.draw(&PathElement::new(vec![(left - 5, v), (left, v)], BLACK))?;
        root.draw(&Text::new(short(*y), (left - 8, v), right_style.clone()))?;
    }
    Ok(())
}

/// "higher is better" etc.
fn direction(b: Better) -> &'static str {
    match b {
        Better::Higher => "higher is better",
        Better::Lower => "lower is better",
        Better::Neither => "no better direction",
    }
}

/// Splits a series at non-finite values into runs of finite points.
fn runs(pts: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for &(x, y) in pts {
        if x.is_finite() && y.is_finite() {
            if let Some(r) = out.last_mut() {
                r.push((x, y));
            }
        } else if out.last().is_some_and(|r| !r.is_empty()) {
            out.push(Vec::new());
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// A CI band between the series `lo` and `hi` (same x), in pieces where both ends are
/// finite; an isolated point gets a vertical bar.
fn band<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    lo: &[(f64, f64)],
    hi: &[(f64, f64)],
    c: RGBColor,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let keep = |v: &[(f64, f64)], w: &[(f64, f64)]| -> Vec<(f64, f64)> {
        v.iter()
            .zip(w)
            .map(|(a, b)| if b.1.is_finite() { *a } else { (a.0, f64::NAN) })
            .collect()
    };
    let (lo_ok, hi_ok) = (keep(lo, hi), keep(hi, lo));
    for (l_run, h_run) in runs(&lo_ok).into_iter().zip(runs(&hi_ok)) {
        if l_run.len() == 1 {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![l_run[0], h_run[0]],
                c.mix(0.35).stroke_width(8),
            )))?;
            continue;
        }
        let mut poly = h_run;
        poly.extend(l_run.into_iter().rev());
        chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(0.15).filled())))?;
    }
    Ok(())
}

/// Marker radius for a scatter of `n` points (small markers keep many points readable and
/// the SVG small).
fn marker_radius(n: usize) -> i32 {
    match n {
        0..=400 => 6,
        401..=2000 => 4,
        2001..=8000 => 3,
        _ => 2,
    }
}

// ---------------------------------------------------------------------------------------------
// Sweeps

struct SweepData<'a> {
    res: &'a SweepResults,
    outcome: usize,
}

impl SweepData<'_> {
    fn key(&self) -> &str {
        &self.res.layout.outcomes[self.outcome].key
    }
    fn better(&self) -> Better {
        self.res.layout.outcomes[self.outcome].better
    }
    /// "grid design, 20 points, 1000 replications per point".
    fn facts(&self) -> String {
        let n = self.res.points.len();
        format!(
            "{} design, {n} point{}, {} replications per point",
            self.res.design.kind.name(),
            if n == 1 { "" } else { "s" },
            self.res.replications
        )
    }
    fn path_name(&self, p: usize) -> &str {
        &self.res.layout.path_names[p]
    }
    fn reference(&self) -> usize {
        self.res.layout.reference
    }
    fn others(&self) -> Vec<usize> {
        let r = self.reference();
        (0..self.res.layout.path_names.len())
            .filter(|p| *p != r)
            .collect()
    }
    /// Point indices sorted by the (single) swept value, NaN values left out.
    fn sorted_points(&self) -> Vec<usize> {
        let pts = &self.res.points;
        let mut idx: Vec<usize> = (0..pts.len())
            .filter(|i| pts[*i].values.first().is_some_and(|x| x.is_finite()))
            .collect();
        idx.sort_by(|a, b| pts[*a].values[0].total_cmp(&pts[*b].values[0]));
        idx
    }
    /// The path with the best mean outcome at point i (ties to the reference), None if no
    /// path has a finite mean or the outcome has no better direction.
    fn winner(&self, i: usize) -> Option<usize> {
        let o = self.outcome;
        let pt = &self.res.points[i];
        let mean = |p: usize| pt.outcomes.get(p).map(|v| v[o].mean).unwrap_or(f64::NAN);
        let better = |a: f64, b: f64| match self.better() {
            Better::Higher => a > b,
            Better::Lower => a < b,
            Better::Neither => false,
        };
        if self.better() == Better::Neither {
            return None;
        }
        let np = self.res.layout.path_names.len();
        let r = self.reference();
        let mut best = if mean(r).is_finite() {
            Some(r)
        } else {
            (0..np).find(|p| mean(*p).is_finite())
        };
        for p in 0..np {
            if let Some(b) = best {
                if mean(p).is_finite() && better(mean(p), mean(b)) {
                    best = Some(p);
                }
            }
        }
        best
    }
    /// Whether the winner `w` at point i is resolved: against the reference, the 95% interval
    /// of the paired difference excludes 0 on the better side; against another path q, the
    /// two intervals of the differences from the reference do not overlap (a conservative
    /// check: the paired difference w − q is not stored).
    fn resolved(&self, i: usize, w: usize) -> bool {
        let o = self.outcome;
        let pt = &self.res.points[i];
        let r = self.reference();
        let ci = |p: usize| -> [f64; 2] {
            if p == r {
                [0.0, 0.0]
            } else {
                pt.paired.get(p).map(|v| v[o].ci95).unwrap_or([f64::NAN; 2])
            }
        };
        let mean = |p: usize| pt.outcomes.get(p).map(|v| v[o].mean).unwrap_or(f64::NAN);
        let cw = ci(w);
        (0..self.res.layout.path_names.len())
            .filter(|q| *q != w && mean(*q).is_finite())
            .all(|q| {
                let cq = ci(q);
                match self.better() {
                    // w's interval entirely above q's (for q = r: above 0).
                    Better::Higher => cw[0] > cq[1],
                    Better::Lower => cw[1] < cq[0],
                    Better::Neither => false,
                }
            })
    }
    /// Label of path p in legends.
    fn legend_name(&self, p: usize) -> String {
        if p == self.reference() {
            format!("{} (reference)", self.path_name(p))
        } else {
            self.path_name(p).to_string()
        }
    }
}

/// `sweep_<outcome>`.
struct SweepLine<'a> {
    s: &'a SweepData<'a>,
}

impl Chart for SweepLine<'_> {
    fn stem(&self) -> String {
        format!("sweep_{}", self.s.key())
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let s = self.s;
        let res = s.res;
        let o = s.outcome;
        let idx = s.sorted_points();
        let np = res.layout.path_names.len();
        let entries: Vec<(RGBColor, String)> = (0..np)
            .map(|p| {
                let name = if p == s.reference() {
                    format!("{} (reference, thick line)", s.path_name(p))
                } else {
                    s.path_name(p).to_string()
                };
                (color(p), name)
            })
            .collect();
        let body = header(
            root,
            &format!("Mean {} vs {} per path", s.key(), res.design.keys[0]),
            &format!(
                "{}; {}; bands: 95% CI of the mean",
                s.facts(),
                direction(s.better())
            ),
            &entries,
        )?;
        let xs = extent(idx.iter().map(|i| res.points[*i].values[0]));
        let ys = extent(idx.iter().flat_map(|i| {
            res.points[*i].outcomes.iter().flat_map(move |os| {
                let st = &os[o];
                [st.mean, st.ci95[0], st.ci95[1]]
            })
        }));
        let (x0, x1) = xs.map(|(a, b)| padded(a, b, 0.02)).unwrap_or((0.0, 1.0));
        let (y0, y1) = ys.map(|(a, b)| padded(a, b, 0.06)).unwrap_or((0.0, 1.0));
        let mut chart = ChartBuilder::on(&body)
            .margin(20)
            .margin_top(5)
            .x_label_area_size(55)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        let (xf, yf) = (ticks(x0, x1), ticks(y0, y1));
        chart
            .configure_mesh()
            .x_desc(format!("{} (swept parameter)", res.design.keys[0]))
            .y_desc(format!("Mean {}", s.key()))
            .x_label_formatter(&xf)
            .y_label_formatter(&yf)
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 18))
            .draw()?;
        let series = |p: usize, f: &dyn Fn(&crate::engine::sweep::PointStat) -> f64| {
            idx.iter()
                .map(|i| {
                    let pt = &res.points[*i];
                    let y = pt.outcomes.get(p).map(|v| f(&v[o])).unwrap_or(f64::NAN);
                    (pt.values[0], y)
                })
                .collect::<Vec<_>>()
        };
        for p in 0..np {
            let c = color(p);
            let lo = series(p, &|st| st.ci95[0]);
            let hi = series(p, &|st| st.ci95[1]);
            band(&mut chart, &lo, &hi, c)?;
        }
        let order = s.others().into_iter().chain(std::iter::once(s.reference()));
        let radius = if idx.len() > 60 { 0 } else { 4 };
        for p in order {
            let c = color(p);
            let w = if p == s.reference() { 5 } else { 2 };
            let mean = series(p, &|st| st.mean);
            for run in runs(&mean) {
                chart.draw_series(LineSeries::new(run.clone(), c.stroke_width(w)))?;
                if radius > 0 {
                    chart.draw_series(
                        run.into_iter()
                            .map(|pt| Circle::new(pt, radius, c.filled())),
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// `sweep_diff_<outcome>`.
struct SweepDiff<'a> {
    s: &'a SweepData<'a>,
}

impl Chart for SweepDiff<'_> {
    fn stem(&self) -> String {
        format!("sweep_diff_{}", self.s.key())
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let s = self.s;
        let res = s.res;
        let o = s.outcome;
        let idx = s.sorted_points();
        let others = s.others();
        let r = s.reference();
        let entries: Vec<(RGBColor, String)> = others
            .iter()
            .map(|p| {
                (
                    color(*p),
                    format!("{} − {}", s.path_name(*p), s.path_name(r)),
                )
            })
            .collect();
        let better = match s.better() {
            Better::Higher => format!(
                "above 0: the path does better than {} (higher {} is better)",
                s.path_name(r),
                s.key()
            ),
            Better::Lower => format!(
                "below 0: the path does better than {} (lower {} is better)",
                s.path_name(r),
                s.key()
            ),
            Better::Neither => format!("{} has no better direction", s.key()),
        };
        let body = header(
            root,
            &format!(
                "Paired difference in mean {} vs `{}` along {}",
                s.key(),
                s.path_name(r),
                res.design.keys[0]
            ),
            &format!("{}; {better}; bands: 95% CI", s.facts()),
            &entries,
        )?;
        let get = |p: usize, i: usize| res.points[i].paired.get(p).map(|v| &v[o]);
        let xs = extent(idx.iter().map(|i| res.points[*i].values[0]));
        let ys = extent(
            others
                .iter()
                .flat_map(|p| idx.iter().filter_map(move |i| get(*p, *i)))
                .flat_map(|d| [d.mean_diff, d.ci95[0], d.ci95[1]])
                .chain(std::iter::once(0.0)),
        );
        let (x0, x1) = xs.map(|(a, b)| padded(a, b, 0.02)).unwrap_or((0.0, 1.0));
        let (y0, y1) = ys.map(|(a, b)| padded(a, b, 0.06)).unwrap_or((-1.0, 1.0));
        let mut chart = ChartBuilder::on(&body)
            .margin(20)
            .margin_top(5)
            .x_label_area_size(55)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        let (xf, yf) = (ticks(x0, x1), ticks(y0, y1));
        chart
            .configure_mesh()
            .x_desc(format!("{} (swept parameter)", res.design.keys[0]))
            .y_desc(format!("{} (path − {}), mean", s.key(), s.path_name(r)))
            .x_label_formatter(&xf)
            .y_label_formatter(&yf)
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 18))
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x0, 0.0), (x1, 0.0)],
            BLACK.stroke_width(2),
        )))?;
        let series = |p: usize, f: &dyn Fn(&crate::engine::PairedSummary) -> f64| {
            idx.iter()
                .map(|i| {
                    (
                        res.points[*i].values[0],
                        get(p, *i).map(f).unwrap_or(f64::NAN),
                    )
                })
                .collect::<Vec<_>>()
        };
        let radius = if idx.len() > 60 { 0 } else { 4 };
        for &p in &others {
            let c = color(p);
            let lo = series(p, &|d| d.ci95[0]);
            let hi = series(p, &|d| d.ci95[1]);
            band(&mut chart, &lo, &hi, c)?;
            for run in runs(&series(p, &|d| d.mean_diff)) {
                chart.draw_series(LineSeries::new(run.clone(), c.stroke_width(3)))?;
                if radius > 0 {
                    chart.draw_series(
                        run.into_iter()
                            .map(|pt| Circle::new(pt, radius, c.filled())),
                    )?;
                }
            }
        }
        if others.is_empty() {
            body.draw(&Text::new(
                "Only the reference path was run: nothing to compare.",
                (400, 300),
                (FONT, 22),
            ))?;
        }
        Ok(())
    }
}

/// Cells of a two-parameter grid: sorted distinct levels per axis and each point's cell.
struct GridCells {
    /// Cell centres along x (first parameter) and y (second), increasing.
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// `cell[i] = (ix, iy)` of point i.
    cell: Vec<(usize, usize)>,
}

impl GridCells {
    /// None when the design's points do not sit on its levels.
    fn new(res: &SweepResults) -> Option<GridCells> {
        let d = &res.design;
        let axis = |k: usize| -> Vec<f64> {
            let mut v: Vec<f64> = d.levels[k]
                .iter()
                .copied()
                .filter(|x| x.is_finite())
                .collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            v
        };
        let (xs, ys) = (axis(0), axis(1));
        if xs.is_empty() || ys.is_empty() || d.points.len() != res.points.len() {
            return None;
        }
        let find = |v: &[f64], x: f64| v.iter().position(|l| *l == x);
        let cell = d
            .points
            .iter()
            .map(|p| Some((find(&xs, *p.first()?)?, find(&ys, *p.get(1)?)?)))
            .collect::<Option<Vec<_>>>()?;
        Some(GridCells { xs, ys, cell })
    }

    /// Cell edges around centres (midpoints; a single centre gets a padded range).
    fn edges(c: &[f64]) -> Vec<f64> {
        if c.len() == 1 {
            let (a, b) = padded(c[0], c[0], 0.0);
            return vec![a, b];
        }
        let mut e = Vec::with_capacity(c.len() + 1);
        e.push(c[0] - (c[1] - c[0]) / 2.0);
        for w in c.windows(2) {
            e.push((w[0] + w[1]) / 2.0);
        }
        let n = c.len();
        e.push(c[n - 1] + (c[n - 1] - c[n - 2]) / 2.0);
        e
    }

    /// `z[ix][iy]` from a value per point (the last point of a cell wins; NaN where none).
    fn values(&self, f: impl Fn(usize) -> f64) -> Vec<Vec<f64>> {
        let mut z = vec![vec![f64::NAN; self.ys.len()]; self.xs.len()];
        for (i, (ix, iy)) in self.cell.iter().enumerate() {
            z[*ix][*iy] = f(i);
        }
        z
    }
}

/// Line segments of the contour `z = level` of values `z[ix][iy]` at cell centres
/// (`xs[ix]`, `ys[iy]`), by marching squares with linear interpolation along cell edges.
/// Values equal to the level count as above it; squares with a NaN corner are skipped;
/// saddles are resolved by the mean of the four corners.
pub(crate) fn contour_segments(
    xs: &[f64],
    ys: &[f64],
    z: &[Vec<f64>],
    level: f64,
) -> Vec<[(f64, f64); 2]> {
    let mut out = Vec::new();
    if xs.len() < 2 || ys.len() < 2 {
        return out;
    }
    for i in 0..xs.len() - 1 {
        for j in 0..ys.len() - 1 {
            // Corners counter-clockwise from the bottom left: a, b, c, d.
            let corners = [
                (xs[i], ys[j], z[i][j]),
                (xs[i + 1], ys[j], z[i + 1][j]),
                (xs[i + 1], ys[j + 1], z[i + 1][j + 1]),
                (xs[i], ys[j + 1], z[i][j + 1]),
            ];
            if corners.iter().any(|c| !c.2.is_finite()) {
                continue;
            }
            let above = corners.map(|c| c.2 >= level);
            // Edges: bottom (a-b), right (b-c), top (c-d), left (d-a).
            let cross = |e: usize| -> Option<(f64, f64)> {
                let (p, q) = (corners[e], corners[(e + 1) % 4]);
                if above[e] == above[(e + 1) % 4] {
                    return None;
                }
                let t = (level - p.2) / (q.2 - p.2);
                Some((p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1)))
            };
            let pts: Vec<(usize, (f64, f64))> =
                (0..4).filter_map(|e| cross(e).map(|p| (e, p))).collect();
            match pts.len() {
                2 => out.push([pts[0].1, pts[1].1]),
                4 => {
                    let centre = corners.iter().map(|c| c.2).sum::<f64>() / 4.0;
                    let e = |k: usize| pts[k].1;
                    if (centre >= level) == above[0] {
                        // a joins c through the centre: cut off b (bottom, right) and d (top, left).
                        out.push([e(0), e(1)]);
                        out.push([e(2), e(3)]);
                    } else {
                        // Cut off a (left, bottom) and c (right, top).
                        out.push([e(3), e(0)]);
                        out.push([e(1), e(2)]);
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Diverging colour of t in [−1, 1] (clamped): red (−1), near-white (0), blue (+1).
fn diverging(t: f64) -> RGBColor {
    const STOPS: [(f64, [f64; 3]); 5] = [
        (-1.0, [178.0, 24.0, 43.0]),
        (-0.5, [239.0, 138.0, 98.0]),
        (0.0, [247.0, 247.0, 247.0]),
        (0.5, [103.0, 169.0, 207.0]),
        (1.0, [33.0, 102.0, 172.0]),
    ];
    let t = if t.is_finite() {
        t.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let k = STOPS
        .windows(2)
        .position(|w| t <= w[1].0)
        .unwrap_or(STOPS.len() - 2);
    let (a, b) = (STOPS[k], STOPS[k + 1]);
    let u = (t - a.0) / (b.0 - a.0);
    let c = |i: usize| (a.1[i] + u * (b.1[i] - a.1[i])).round() as u8;
    RGBColor(c(0), c(1), c(2))
}

#[derive(Clone, Copy, PartialEq)]
enum HeatKind {
    Diff,
    PBetter,
}

/// `heatmap_diff_<outcome>` and `heatmap_pbetter_<outcome>`.
struct Heatmap<'a> {
    s: &'a SweepData<'a>,
    g: &'a GridCells,
    kind: HeatKind,
}

impl Heatmap<'_> {
    /// Value per cell for path p.
    fn z(&self, p: usize) -> Vec<Vec<f64>> {
        let res = self.s.res;
        let o = self.s.outcome;
        self.g.values(|i| {
            let d = res.points[i].paired.get(p).map(|v| &v[o]);
            match (self.kind, d) {
                (HeatKind::Diff, Some(d)) => d.mean_diff,
                (HeatKind::PBetter, Some(d)) => d.p_better.unwrap_or(f64::NAN),
                _ => f64::NAN,
            }
        })
    }
}

impl Chart for Heatmap<'_> {
    fn stem(&self) -> String {
        match self.kind {
            HeatKind::Diff => format!("heatmap_diff_{}", self.s.key()),
            HeatKind::PBetter => format!("heatmap_pbetter_{}", self.s.key()),
        }
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let s = self.s;
        let res = s.res;
        let keys = &res.design.keys;
        let r = s.reference();
        let others = s.others();
        let zs: Vec<Vec<Vec<f64>>> = others.iter().map(|p| self.z(*p)).collect();
        // Colour scale: value → t in [−1, 1], +1 = the path does better.
        let sign = if s.better() == Better::Lower {
            -1.0
        } else {
            1.0
        };
        let (lo, hi, level) = match self.kind {
            HeatKind::Diff => {
                let m = zs
                    .iter()
                    .flatten()
                    .flatten()
                    .filter(|v| v.is_finite())
                    .fold(0.0f64, |m, v| m.max(v.abs()));
                let m = if m > 0.0 { m } else { 1.0 };
                (-m, m, 0.0)
            }
            HeatKind::PBetter => (0.0, 1.0, 0.5),
        };
        let half = (hi - lo) / 2.0;
        let to_t = move |v: f64| match self.kind {
            HeatKind::Diff => sign * v / half,
            HeatKind::PBetter => (v - 0.5) / 0.5,
        };
        let (title, scale_desc, contour) = match self.kind {
            HeatKind::Diff => (
                format!(
                    "Paired difference in mean {} vs `{}`",
                    s.key(),
                    s.path_name(r)
                ),
                format!("{} (path − {})", s.key(), s.path_name(r)),
                "black line: zero contour",
            ),
            HeatKind::PBetter => (
                format!("P(path better than `{}`) on {}", s.path_name(r), s.key()),
                format!("P(path better than {})", s.path_name(r)),
                "black line: P = 0.5 contour",
            ),
        };
        let any_nan = zs.iter().flatten().flatten().any(|v| !v.is_finite());
        let body = header(
            root,
            &title,
            &format!(
                "{}; {}; {contour}{}",
                s.facts(),
                direction(s.better()),
                if any_nan { "; grey: no data" } else { "" }
            ),
            &if s.better() == Better::Neither {
                [
                    (
                        diverging(1.0),
                        format!("blue: the path is higher than {}", s.path_name(r)),
                    ),
                    (diverging(-1.0), "red: lower".to_string()),
                ]
            } else {
                [
                    (
                        diverging(1.0),
                        format!("blue: the path does better than {}", s.path_name(r)),
                    ),
                    (diverging(-1.0), "red: worse".to_string()),
                ]
            },
        )?;
        if others.is_empty() {
            body.draw(&Text::new(
                "Only the reference path was run: nothing to compare.",
                (400, 300),
                (FONT, 22),
            ))?;
            return Ok(());
        }
        let (panels_area, bar_area) = body.split_horizontally(body.dim_in_pixel().0 - 170);
        // Colour bar.
        {
            let mut cb = ChartBuilder::on(&bar_area)
                .margin(20)
                .margin_top(30)
                .margin_bottom(75)
                .y_label_area_size(70)
                .build_cartesian_2d(0f64..1f64, lo..hi)?;
            let fmt = ticks(lo, hi);
            cb.configure_mesh()
                .disable_x_mesh()
                .disable_y_mesh()
                .disable_x_axis()
                .y_labels(9)
                .y_label_formatter(&fmt)
                .y_desc(scale_desc)
                .label_style((FONT, 14))
                .axis_desc_style((FONT, 15))
                .draw()?;
            let steps = 100;
            cb.draw_series((0..steps).map(|k| {
                let a = lo + (hi - lo) * k as f64 / steps as f64;
                let b = lo + (hi - lo) * (k + 1) as f64 / steps as f64;
                let c = diverging(to_t((a + b) / 2.0));
                Rectangle::new([(0.0, a), (1.0, b)], c.filled())
            }))?;
            cb.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, level), (1.0, level)],
                BLACK.stroke_width(2),
            )))?;
        }
        let k = others.len();
        let cols = (k as f64).sqrt().ceil() as usize;
        let rows = k.div_ceil(cols);
        let panels = panels_area.split_evenly((rows, cols));
        let (xe, ye) = (GridCells::edges(&self.g.xs), GridCells::edges(&self.g.ys));
        let (x0, x1) = (xe[0], xe[xe.len() - 1]);
        let (y0, y1) = (ye[0], ye[ye.len() - 1]);
        let small = k > 1;
        for (j, &p) in others.iter().enumerate() {
            let z = &zs[j];
            let mut chart = ChartBuilder::on(&panels[j])
                .caption(
                    format!("{} − {}", s.path_name(p), s.path_name(r)),
                    (FONT, if small { 17 } else { 20 }),
                )
                .margin(12)
                .x_label_area_size(if small { 45 } else { 55 })
                .y_label_area_size(if small { 65 } else { 80 })
                .build_cartesian_2d(x0..x1, y0..y1)?;
            let label_size = if small { 13 } else { 16 };
            chart
                .configure_mesh()
                .disable_mesh()
                .x_desc(keys[0].as_str())
                .y_desc(keys[1].as_str())
                .x_labels(0)
                .y_labels(0)
                .label_style((FONT, label_size))
                .axis_desc_style((FONT, if small { 14 } else { 18 }))
                .draw()?;
            cell_ticks(root, &chart, &self.g.xs, &self.g.ys, label_size)?;
            let mut cells = Vec::new();
            for ix in 0..self.g.xs.len() {
                for iy in 0..self.g.ys.len() {
                    let v = z[ix][iy];
                    let c = if v.is_finite() {
                        diverging(to_t(v))
                    } else {
                        NO_DATA
                    };
                    cells.push(Rectangle::new(
                        [(xe[ix], ye[iy]), (xe[ix + 1], ye[iy + 1])],
                        c.filled(),
                    ));
                }
            }
            chart.draw_series(cells)?;
            let segs = contour_segments(&self.g.xs, &self.g.ys, z, level);
            chart.draw_series(
                segs.into_iter()
                    .map(|[a, b]| PathElement::new(vec![a, b], BLACK.stroke_width(3))),
            )?;
            // Values in the cells when they are large enough to hold them.
            let (pw, ph) = chart.plotting_area().dim_in_pixel();
            let cw = pw as f64 / self.g.xs.len() as f64;
            let chh = ph as f64 / self.g.ys.len() as f64;
            if cw >= 58.0 && chh >= 24.0 {
                let style = TextStyle::from((FONT, 14).into_font())
                    .pos(Pos::new(HPos::Center, VPos::Center));
                for (x, col) in self.g.xs.iter().zip(z) {
                    for (y, v) in self.g.ys.iter().zip(col) {
                        if v.is_finite() {
                            chart.draw_series(std::iter::once(Text::new(
                                sig(*v, 3),
                                (*x, *y),
                                style.clone(),
                            )))?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// The pale version of a path colour (unresolved wins): 70% of the way to white.
fn pale(c: RGBColor) -> RGBColor {
    let f = |v: u8| v + ((255 - v) as f64 * 0.7) as u8;
    RGBColor(f(c.0), f(c.1), f(c.2))
}

/// Diagonal hatching lines in colour `c` over the rectangle `xr` × `yr` (data coordinates),
/// 6 strokes across its width, clipped to it.
fn hatch(out: &mut Vec<PathElement<(f64, f64)>>, xr: (f64, f64), yr: (f64, f64), c: RGBColor) {
    let (w, h) = (xr.1 - xr.0, yr.1 - yr.0);
    if w <= 0.0 || h <= 0.0 {
        return;
    }
    // Parallel diagonals (each rising by h over a run of w), w/6 apart, clipped to the box.
    let step = w / 6.0;
    let mut t = -w;
    while t < w {
        // Segment from (xr.0 + t, yr.0) rising to (xr.0 + t + w, yr.1), clipped.
        let (mut ax, mut ay, mut bx, mut by) = (xr.0 + t, yr.0, xr.0 + t + w, yr.1);
        let slope = h / w;
        if ax < xr.0 {
            ay += (xr.0 - ax) * slope;
            ax = xr.0;
        }
        if bx > xr.1 {
            by -= (bx - xr.1) * slope;
            bx = xr.1;
        }
        if ax < bx && ay < by {
            out.push(PathElement::new(
                vec![(ax, ay), (bx, by)],
                c.mix(0.55).stroke_width(1),
            ));
        }
        t += step;
    }
}

/// `win_map_<outcome>`.
struct WinMap<'a> {
    s: &'a SweepData<'a>,
    a: usize,
    b: usize,
    /// Whether (a, b) are the most influential parameters (else the first two).
    chosen: bool,
}

impl Chart for WinMap<'_> {
    fn stem(&self) -> String {
        format!("win_map_{}", self.s.key())
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let s = self.s;
        let res = s.res;
        let (a, b) = (self.a, self.b);
        let keys = &res.design.keys;
        let np = res.layout.path_names.len();
        let n = res.points.len();
        let winners: Vec<Option<usize>> = (0..n).map(|i| s.winner(i)).collect();
        let resolved: Vec<bool> = winners
            .iter()
            .enumerate()
            .map(|(i, w)| w.is_some_and(|w| s.resolved(i, w)))
            .collect();
        let mut wins = vec![0usize; np];
        let mut sure = vec![0usize; np];
        for (i, p) in winners.iter().enumerate() {
            if let Some(p) = p {
                wins[*p] += 1;
                sure[*p] += usize::from(resolved[i]);
            }
        }
        let decided = wins.iter().sum::<usize>();
        let mut entries: Vec<(RGBColor, String)> = (0..np)
            .map(|p| {
                let share = if decided > 0 {
                    100.0 * wins[p] as f64 / decided as f64
                } else {
                    0.0
                };
                (
                    color(p),
                    format!(
                        "{}: best mean at {share:.0}% of points ({} of {} resolved)",
                        s.legend_name(p),
                        sure[p],
                        wins[p]
                    ),
                )
            })
            .collect();
        if decided < n {
            entries.push((
                NO_DATA,
                format!(
                    "no data: {} point{}",
                    n - decided,
                    if n - decided == 1 { "" } else { "s" }
                ),
            ));
        }
        let which = if self.chosen {
            "the two most influential parameters"
        } else {
            "the first two swept parameters"
        };
        // Cells for grids whose points sit on the levels of a and b, else a scatter.
        let grid = res.design.kind == DesignKind::Grid
            && res.design.levels.len() > a.max(b)
            && res.design.points.len() == n;
        let more = keys.len() > 2;
        let detail = if grid && more {
            "; each cell: share of the grid points over the other parameters won by each path"
        } else {
            ""
        };
        let body = header(
            root,
            &format!(
                "Where each path has the best mean {} ({}), on {which}",
                s.key(),
                direction(s.better())
            ),
            &format!(
                "{}; solid: resolved (95% intervals), pale and hatched: best mean but unresolved; ties go to the reference{detail}",
                s.facts()
            ),
            &entries,
        )?;
        if grid {
            let axis = |k: usize| -> Vec<f64> {
                let mut v: Vec<f64> = res.design.levels[k]
                    .iter()
                    .copied()
                    .filter(|x| x.is_finite())
                    .collect();
                v.sort_by(f64::total_cmp);
                v.dedup();
                v
            };
            let (xs, ys) = (axis(a), axis(b));
            let find = |v: &[f64], x: f64| v.iter().position(|l| *l == x);
            // counts[ix][iy][slot]: slot 2p resolved wins of path p, 2p + 1 unresolved ones,
            // 2np undecided points.
            let mut counts = vec![vec![vec![0usize; 2 * np + 1]; ys.len()]; xs.len()];
            for (i, w) in winners.iter().enumerate() {
                let pt = &res.design.points[i];
                let (Some(ix), Some(iy)) = (
                    pt.get(a).and_then(|x| find(&xs, *x)),
                    pt.get(b).and_then(|y| find(&ys, *y)),
                ) else {
                    continue;
                };
                let slot = match w {
                    Some(p) => 2 * p + usize::from(!resolved[i]),
                    None => 2 * np,
                };
                counts[ix][iy][slot] += 1;
            }
            let (xe, ye) = (GridCells::edges(&xs), GridCells::edges(&ys));
            let mut chart = ChartBuilder::on(&body)
                .margin(20)
                .margin_top(5)
                .x_label_area_size(55)
                .y_label_area_size(80)
                .build_cartesian_2d(xe[0]..xe[xe.len() - 1], ye[0]..ye[ye.len() - 1])?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_desc(keys[a].as_str())
                .y_desc(keys[b].as_str())
                .x_labels(0)
                .y_labels(0)
                .label_style((FONT, 16))
                .axis_desc_style((FONT, 18))
                .draw()?;
            cell_ticks(root, &chart, &xs, &ys, 16)?;
            let mut rects = Vec::new();
            let mut hatches = Vec::new();
            for ix in 0..xs.len() {
                for iy in 0..ys.len() {
                    let c = &counts[ix][iy];
                    let total = c.iter().sum::<usize>();
                    let (x0, x1, y0, y1) = (xe[ix], xe[ix + 1], ye[iy], ye[iy + 1]);
                    if total == 0 {
                        rects.push(Rectangle::new([(x0, y0), (x1, y1)], NO_DATA.filled()));
                        continue;
                    }
                    let mut x = x0;
                    for (slot, k) in c.iter().enumerate() {
                        if *k == 0 {
                            continue;
                        }
                        let w = (x1 - x0) * *k as f64 / total as f64;
                        let (p, sure) = (slot / 2, slot % 2 == 0);
                        let col = match (p < np, sure) {
                            (true, true) => color(p),
                            (true, false) => pale(color(p)),
                            _ => NO_DATA,
                        };
                        rects.push(Rectangle::new([(x, y0), (x + w, y1)], col.filled()));
                        if p < np && !sure {
                            hatch(&mut hatches, (x, x + w), (y0, y1), color(p));
                        }
                        x += w;
                    }
                }
            }
            chart.draw_series(rects)?;
            chart.draw_series(hatches)?;
            // Thin white cell borders.
            chart.draw_series(xe.iter().map(|x| {
                PathElement::new(
                    vec![(*x, ye[0]), (*x, ye[ye.len() - 1])],
                    WHITE.stroke_width(3),
                )
            }))?;
            chart.draw_series(ye.iter().map(|y| {
                PathElement::new(
                    vec![(xe[0], *y), (xe[xe.len() - 1], *y)],
                    WHITE.stroke_width(3),
                )
            }))?;
        } else {
            let val = |i: usize, k: usize| res.points[i].values.get(k).copied().unwrap_or(f64::NAN);
            let xr = extent((0..n).map(|i| val(i, a)))
                .or(res.design.bounds.get(a).copied())
                .unwrap_or((0.0, 1.0));
            let yr = extent((0..n).map(|i| val(i, b)))
                .or(res.design.bounds.get(b).copied())
                .unwrap_or((0.0, 1.0));
            let (x0, x1) = padded(xr.0, xr.1, 0.03);
            let (y0, y1) = padded(yr.0, yr.1, 0.03);
            let (xf, yf) = (ticks(x0, x1), ticks(y0, y1));
            let mut chart = ChartBuilder::on(&body)
                .margin(20)
                .margin_top(5)
                .x_label_area_size(55)
                .y_label_area_size(80)
                .build_cartesian_2d(x0..x1, y0..y1)?;
            chart
                .configure_mesh()
                .x_desc(keys[a].as_str())
                .y_desc(keys[b].as_str())
                .x_label_formatter(&xf)
                .y_label_formatter(&yf)
                .label_style((FONT, 16))
                .axis_desc_style((FONT, 18))
                .light_line_style(WHITE.mix(0.0))
                .draw()?;
            let radius = marker_radius(n);
            chart.draw_series((0..n).filter_map(|i| {
                let (x, y) = (val(i, a), val(i, b));
                if !x.is_finite() || !y.is_finite() {
                    return None;
                }
                let c = match winners[i] {
                    Some(p) if resolved[i] => color(p),
                    Some(p) => pale(color(p)),
                    None => NO_DATA,
                };
                Some(Circle::new((x, y), radius, c.filled()))
            }))?;
            // Unresolved points: a ring in the path's full colour around the pale fill.
            chart.draw_series((0..n).filter_map(|i| {
                let (x, y) = (val(i, a), val(i, b));
                match winners[i] {
                    Some(p) if !resolved[i] && x.is_finite() && y.is_finite() => {
                        Some(Circle::new((x, y), radius, color(p).stroke_width(2)))
                    }
                    _ => None,
                }
            }))?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Sensitivity and discovery

/// Row labels at integer positions `0..n` of a categorical axis drawn top to bottom.
fn row_label(labels: &[String], y: f64) -> String {
    let n = labels.len();
    let i = y.round();
    if (y - i).abs() > 1e-6 || i < 0.0 || i as usize >= n {
        return String::new();
    }
    labels[n - 1 - i as usize].clone()
}

/// Pixels of the y label area for labels of up to `chars` characters at 15 px.
fn label_area(labels: &[String]) -> u32 {
    let chars = labels.iter().map(|l| l.chars().count()).max().unwrap_or(4);
    (chars as u32 * 8 + 24).clamp(60, 460)
}

/// `sobol_indices`.
struct SobolChart<'a> {
    parameters: &'a [String],
    first: &'a [(f64, [f64; 2])],
    total: &'a [(f64, [f64; 2])],
    title: &'a str,
}

impl Chart for SobolChart<'_> {
    fn stem(&self) -> String {
        "sobol_indices".into()
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let n = self.parameters.len();
        let c_first = color(0);
        let c_total = color(3);
        let body = header(
            root,
            self.title,
            "bars: estimates; whiskers: bootstrap 95% CI; a small negative first-order estimate is sampling noise around 0",
            &[
                (c_first, "first-order index S1 (share of variance from the parameter alone)".into()),
                (c_total, "total index ST (including its interactions)".into()),
            ],
        )?;
        let all = self
            .first
            .iter()
            .chain(self.total)
            .flat_map(|(m, ci)| [*m, ci[0], ci[1]]);
        let (mn, mx) = extent(all).unwrap_or((0.0, 1.0));
        let lo = if mn < 0.0 {
            mn - 0.04 * (mx.max(1.0) - mn)
        } else {
            0.0
        };
        // Room on the right for the value labels.
        let hi = mx.max(1.0) * 1.1;
        let mut chart = ChartBuilder::on(&body)
            .margin(20)
            .margin_top(5)
            .x_label_area_size(55)
            .y_label_area_size(label_area(self.parameters))
            .build_cartesian_2d(lo..hi, -0.5f64..(n.max(1) as f64 - 0.5))?;
        let ylab = |y: &f64| row_label(self.parameters, *y);
        let xfmt = ticks(lo, hi);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n.max(1))
            .y_label_formatter(&ylab)
            .x_label_formatter(&xfmt)
            .x_desc("Sobol' index (share of the output variance)")
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 18))
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
            BLACK.stroke_width(1),
        )))?;
        let h = 0.17;
        let label_style =
            TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        for (set, c, off) in [(self.first, c_first, 0.2), (self.total, c_total, -0.2)] {
            for (i, (m, ci)) in set.iter().enumerate() {
                let y = (n - 1 - i) as f64 + off;
                if m.is_finite() {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(0.0, y - h), (*m, y + h)],
                        c.filled(),
                    )))?;
                }
                let (a, b) = (ci[0], ci[1]);
                if a.is_finite() && b.is_finite() {
                    let cap = 0.08;
                    chart.draw_series(
                        [
                            vec![(a, y), (b, y)],
                            vec![(a, y - cap), (a, y + cap)],
                            vec![(b, y - cap), (b, y + cap)],
                        ]
                        .into_iter()
                        .map(|v| PathElement::new(v, BLACK.stroke_width(2))),
                    )?;
                }
                let right = [*m, a, b]
                    .into_iter()
                    .filter(|v| v.is_finite())
                    .fold(0.0f64, f64::max);
                let text = if m.is_finite() {
                    format!("{m:.3}")
                } else {
                    "n/a".into()
                };
                chart.draw_series(std::iter::once(Text::new(
                    text,
                    (right + 0.01 * (hi - lo), y),
                    label_style.clone(),
                )))?;
            }
        }
        Ok(())
    }
}

/// `tornado`.
struct TornadoChart<'a> {
    base: f64,
    bars: &'a [(String, f64, f64)],
    title: &'a str,
    x_label: &'a str,
}

impl Chart for TornadoChart<'_> {
    fn stem(&self) -> String {
        "tornado".into()
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let n = self.bars.len();
        let (c_low, c_high) = (color(0), color(3));
        let body = header(
            root,
            self.title,
            &format!(
                "one parameter at a time, the others at their base values; vertical line: base = {}",
                short(self.base)
            ),
            &[
                (c_low, "parameter at its low value".into()),
                (c_high, "parameter at its high value".into()),
            ],
        )?;
        let (mn, mx) = extent(
            self.bars
                .iter()
                .flat_map(|(_, a, b)| [*a, *b])
                .chain(std::iter::once(self.base)),
        )
        .unwrap_or((0.0, 1.0));
        // Extra room on both sides for value labels.
        let (x0, x1) = padded(mn, mx, 0.12);
        let labels: Vec<String> = self.bars.iter().map(|b| b.0.clone()).collect();
        let mut chart = ChartBuilder::on(&body)
            .margin(20)
            .margin_top(5)
            .x_label_area_size(55)
            .y_label_area_size(label_area(&labels))
            .build_cartesian_2d(x0..x1, -0.5f64..(n.max(1) as f64 - 0.5))?;
        let ylab = |y: &f64| row_label(&labels, *y);
        let xfmt = ticks(x0, x1);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n.max(1))
            .y_label_formatter(&ylab)
            .x_label_formatter(&xfmt)
            .x_desc(self.x_label)
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 18))
            .draw()?;
        let h = 0.32;
        let pad = 0.01 * (x1 - x0);
        for (i, (_, low, high)) in self.bars.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            // The longer bar first, so that the shorter one stays visible on the same side.
            let mut sides = [(*low, c_low), (*high, c_high)];
            sides.sort_by(|p, q| (q.0 - self.base).abs().total_cmp(&(p.0 - self.base).abs()));
            for (v, c) in sides {
                if !v.is_finite() {
                    continue;
                }
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(self.base, y - h), (v, y + h)],
                    c.filled(),
                )))?;
                let (x, hpos) = if v >= self.base {
                    (v + pad, HPos::Left)
                } else {
                    (v - pad, HPos::Right)
                };
                let style =
                    TextStyle::from((FONT, 14).into_font()).pos(Pos::new(hpos, VPos::Center));
                chart.draw_series(std::iter::once(Text::new(short(v), (x, y), style)))?;
            }
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(self.base, -0.5), (self.base, n as f64 - 0.5)],
            BLACK.stroke_width(2),
        )))?;
        Ok(())
    }
}

/// `prim_trajectory`.
struct PrimChart<'a> {
    trajectory: &'a [(f64, f64, usize)],
    chosen: usize,
    title: &'a str,
}

impl Chart for PrimChart<'_> {
    fn stem(&self) -> String {
        "prim_trajectory".into()
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let t = self.trajectory;
        let mut dims: Vec<usize> = t.iter().map(|p| p.2).collect();
        dims.sort_unstable();
        dims.dedup();
        let entries: Vec<(RGBColor, String)> = dims
            .iter()
            .map(|d| {
                (
                    color(*d),
                    format!("{d} restricted dimension{}", if *d == 1 { "" } else { "s" }),
                )
            })
            .collect();
        let body = header(
            root,
            self.title,
            &format!(
                "PRIM peeling trajectory: {} boxes from the whole space (right) to the smallest (left); circled: the chosen box",
                t.len()
            ),
            &entries,
        )?;
        let mut chart = ChartBuilder::on(&body)
            .margin(20)
            .margin_top(5)
            .x_label_area_size(55)
            .y_label_area_size(80)
            .build_cartesian_2d(-0.02f64..1.02f64, -0.02f64..1.05f64)?;
        let fmt = ticks(0.0, 1.0);
        chart
            .configure_mesh()
            .x_desc("Coverage: share of all cases of interest that fall in the box")
            .y_desc("Density: share of the box's points that are cases")
            .x_label_formatter(&fmt)
            .y_label_formatter(&fmt)
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 18))
            .draw()?;
        let ok = |p: &(f64, f64, usize)| p.0.is_finite() && p.1.is_finite();
        chart.draw_series(LineSeries::new(
            t.iter().filter(|p| ok(p)).map(|p| (p.0, p.1)),
            RGBColor(120, 120, 120).stroke_width(2),
        ))?;
        let radius = if t.len() > 200 { 3 } else { 6 };
        chart.draw_series(
            t.iter()
                .filter(|p| ok(p))
                .map(|p| Circle::new((p.0, p.1), radius, color(p.2).filled())),
        )?;
        let (cx, cy, cd) = t[self.chosen];
        if cx.is_finite() && cy.is_finite() {
            chart.draw_series(std::iter::once(Circle::new(
                (cx, cy),
                16,
                BLACK.stroke_width(3),
            )))?;
            let text = format!(
                "chosen box (#{}): coverage {cx:.2}, density {cy:.2}, {cd} dim.",
                self.chosen
            );
            // Below the point, on the side with more room.
            let (x, hpos) = if cx > 0.5 {
                (cx - 0.02, HPos::Right)
            } else {
                (cx + 0.02, HPos::Left)
            };
            let y = if cy > 0.15 { cy - 0.06 } else { cy + 0.06 };
            let style = TextStyle::from((FONT, 18).into_font()).pos(Pos::new(hpos, VPos::Center));
            chart.draw_series(std::iter::once(Text::new(text, (x, y), style)))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::sweep::{Design, PointResult, PointStat};
    use crate::engine::{Layout, OutcomeInfo, PairedSummary};
    use crate::output::Target;
    use crate::scenario::YearMonth;
    use std::path::{Path, PathBuf};
    use std::time::SystemTime;

    static COPIES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    const PATHS: [&str; 3] = ["gradual", "hasty", "mixed"];

    fn layout() -> Layout {
        let info = |key: &str, better| OutcomeInfo {
            key: key.into(),
            better,
            description: String::new(),
        };
        Layout {
            path_names: PATHS.iter().map(|s| s.to_string()).collect(),
            reference: 0,
            outcomes: vec![
                info("final_ci", Better::Higher),
                info("kr_crises", Better::Lower),
                info("nk_launches", Better::Neither),
            ],
            score: vec![],
            start: YearMonth {
                year: 2024,
                month: 1,
            },
            months: 120,
            metrics: vec![],
            track_keys: vec![],
            final_ci: Some(0),
            all_path_fields: vec![],
            issue_keys: vec![],
            quantiles: crate::scenario::default_quantiles(),
            transitions: vec![],
            record_months: vec![],
            record_columns: vec![],
        }
    }

    /// Mean of outcome 0 (final_ci) of path p at parameter values x; other outcomes derive
    /// from it. Hasty beats gradual when x0 > 0.5 + 0.3 (x1 − 0.5).
    fn model(x: &[f64], p: usize) -> f64 {
        let x0 = x[0];
        let x1 = x.get(1).copied().unwrap_or(0.5);
        let base = 0.4 + 0.2 * x0;
        match p {
            0 => base,
            1 => base + 0.3 * (x0 - 0.5) - 0.09 * (x1 - 0.5),
            _ => base - 0.05 + 0.02 * (6.0 * x1).sin(),
        }
    }

    fn point(values: Vec<f64>) -> PointResult {
        let mean = |p: usize, o: usize| {
            let m = model(&values, p);
            match o {
                0 => m,
                1 => 3.0 - 2.0 * m,
                _ => 5.0,
            }
        };
        let stat = |m: f64| PointStat {
            n: 500,
            mean: m,
            sd: 0.2,
            ci95: [m - 0.02, m + 0.02],
            quantiles: [m - 0.3, m - 0.1, m, m + 0.1, m + 0.3],
        };
        let outcomes = (0..3)
            .map(|p| (0..3).map(|o| stat(mean(p, o))).collect())
            .collect();
        let paired = (0..3)
            .map(|p| {
                (0..3)
                    .map(|o| {
                        let d = mean(p, o) - mean(0, o);
                        let good = if o == 1 { -d } else { d };
                        PairedSummary {
                            n: 500,
                            mean_diff: d,
                            ci95: [d - 0.01, d + 0.01],
                            p_better: (o != 2).then(|| 1.0 / (1.0 + (-good / 0.03).exp())),
                        }
                    })
                    .collect()
            })
            .collect();
        PointResult {
            values,
            outcomes,
            paired,
        }
    }

    fn sweep(
        kind: DesignKind,
        keys: &[&str],
        levels: Vec<Vec<f64>>,
        points: Vec<Vec<f64>>,
    ) -> SweepResults {
        let d = keys.len();
        let bounds = (0..d)
            .map(|k| extent(points.iter().map(|p| p[k])).unwrap_or((0.0, 1.0)))
            .collect();
        SweepResults {
            layout: layout(),
            design: Design {
                kind,
                keys: keys.iter().map(|s| s.to_string()).collect(),
                bounds,
                levels,
                points: points.clone(),
                sobol_n: 0,
            },
            seed: 7,
            replications: 500,
            points: points.into_iter().map(point).collect(),
        }
    }

    fn grid2(nx: usize, ny: usize) -> SweepResults {
        let lx: Vec<f64> = (0..nx).map(|i| i as f64 / (nx - 1) as f64).collect();
        let ly: Vec<f64> = (0..ny)
            .map(|i| 0.2 + 0.6 * i as f64 / (ny - 1) as f64)
            .collect();
        let pts = crate::experiment::design::grid::grid(&[lx.clone(), ly.clone()]).unwrap();
        sweep(
            DesignKind::Grid,
            &[
                "actors.seoul.favourability",
                "history.issues.forced_labor.salience",
            ],
            vec![lx, ly],
            pts,
        )
    }

    /// Deterministic pseudo-random points in [0, 1]^d.
    fn scatter(n: usize, d: usize) -> Vec<Vec<f64>> {
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        (0..n)
            .map(|_| {
                (0..d)
                    .map(|_| {
                        s = s
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        (s >> 11) as f64 / (1u64 << 53) as f64
                    })
                    .collect()
            })
            .collect()
    }

    /// Renders into a new result folder and returns it.
    fn render(
        f: impl FnOnce(&Staging) -> Result<Vec<String>>,
    ) -> (tempfile::TempDir, PathBuf, Vec<String>) {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let st = Staging::create(
            Target::Exact {
                dir: out.clone(),
                force: false,
            },
            SystemTime::now(),
        )
        .unwrap();
        let stems = f(&st).unwrap();
        let dir = st.commit().unwrap();
        // To look at the charts: TRISIM_CHART_PREVIEW=/some/folder cargo test ... experiment_charts
        if let Some(keep) = std::env::var_os("TRISIM_CHART_PREVIEW") {
            let keep = PathBuf::from(keep);
            std::fs::create_dir_all(&keep).unwrap();
            for s in &stems {
                for ext in ["png", "svg"] {
                    let name = format!("{s}.{ext}");
                    let n = COPIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let _ = std::fs::copy(
                        dir.join("charts").join(&name),
                        keep.join(format!("{n:03}_{name}")),
                    );
                }
            }
        }
        (tmp, dir, stems)
    }

    /// Checks that `charts/<stem>.png` decodes at 1200×800 with several colours and that the
    /// SVG contains every label in `labels`.
    fn check(dir: &Path, stem: &str, labels: &[&str]) -> String {
        let png_path = dir.join(format!("charts/{stem}.png"));
        let dec = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(&png_path).unwrap_or_else(|e| panic!("{stem}.png: {e}")),
        ));
        let mut reader = dec.read_info().unwrap();
        let info = reader.info();
        assert_eq!((info.width, info.height), (1200, 800), "{stem}");
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buf).unwrap();
        let px = &buf[..frame.buffer_size()];
        let mut colours: Vec<&[u8]> = px.chunks(3).collect();
        colours.sort_unstable();
        colours.dedup();
        assert!(colours.len() > 20, "{stem}: only {} colours", colours.len());
        let non_white = px.chunks(3).filter(|c| c.iter().any(|v| *v < 200)).count();
        assert!(non_white > 5_000, "{stem}: {non_white} non-white pixels");
        let svg = std::fs::read_to_string(dir.join(format!("charts/{stem}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("1200"), "{stem}");
        for l in labels {
            assert!(svg.contains(l), "{stem}.svg lacks `{l}`");
        }
        svg
    }

    #[test]
    fn one_parameter_sweep() {
        let xs: Vec<f64> = (0..9).map(|i| i as f64 / 8.0).collect();
        let res = sweep(
            DesignKind::Grid,
            &["actors.seoul.favourability"],
            vec![xs.clone()],
            xs.iter().map(|x| vec![*x]).collect(),
        );
        let (_t, dir, stems) = render(|st| sweep_charts(st, &res, 0, None));
        assert_eq!(stems, ["sweep_final_ci", "sweep_diff_final_ci"]);
        for s in &stems {
            check(
                &dir,
                s,
                &[
                    "actors.seoul.favourability",
                    "gradual",
                    "hasty",
                    "mixed",
                    "500 replications per point",
                    "grid design",
                ],
            );
        }
        let svg = std::fs::read_to_string(dir.join("charts/sweep_diff_final_ci.svg")).unwrap();
        assert!(svg.contains("above 0: the path does better"));
        // Lower is better: the label says so.
        let (_t, dir, stems) = render(|st| sweep_charts(st, &res, 1, None));
        assert_eq!(stems, ["sweep_kr_crises", "sweep_diff_kr_crises"]);
        let svg = check(&dir, "sweep_diff_kr_crises", &["kr_crises"]);
        assert!(svg.contains("below 0: the path does better"));
        // A single point: the axis is padded around its value.
        let res = sweep(
            DesignKind::Lhs,
            &["actors.seoul.favourability"],
            vec![],
            vec![vec![0.3]],
        );
        let (_t, dir, stems) = render(|st| sweep_charts(st, &res, 0, None));
        assert_eq!(stems.len(), 2);
        check(&dir, "sweep_final_ci", &["1 point,"]);
    }

    #[test]
    fn two_parameter_grid_sweep() {
        let res = grid2(6, 5);
        let (_t, dir, stems) = render(|st| sweep_charts(st, &res, 0, Some((0, 1))));
        assert_eq!(
            stems,
            [
                "heatmap_diff_final_ci",
                "heatmap_pbetter_final_ci",
                "win_map_final_ci"
            ]
        );
        for s in &stems {
            check(
                &dir,
                s,
                &[
                    "actors.seoul.favourability",
                    "history.issues.forced_labor.salience",
                    "hasty",
                    "gradual",
                ],
            );
        }
        let svg = std::fs::read_to_string(dir.join("charts/win_map_final_ci.svg")).unwrap();
        assert!(svg.contains("most influential"));
        // No better direction: only the difference heatmap.
        let (_t, dir, stems) = render(|st| sweep_charts(st, &res, 2, Some((0, 1))));
        assert_eq!(stems, ["heatmap_diff_nk_launches"]);
        check(
            &dir,
            &stems[0],
            &["nk_launches", "the path is higher than gradual"],
        );
        // A single level on an axis is padded, not an error.
        let res = sweep(
            DesignKind::Grid,
            &["a.b", "c.d"],
            vec![vec![0.3], vec![0.1, 0.9]],
            vec![vec![0.3, 0.1], vec![0.3, 0.9]],
        );
        let (_t, dir, stems) = render(|st| sweep_charts(st, &res, 0, Some((0, 1))));
        assert_eq!(stems.len(), 3);
        check(&dir, "heatmap_diff_final_ci", &["a.b", "c.d"]);
    }

    #[test]
    fn three_parameter_lhs_sweep() {
        let res = sweep(
            DesignKind::Lhs,
            &[
                "world.nk.surge_mean",
                "actors.seoul.favourability",
                "paths.hasty.transparency",
            ],
            vec![],
            scatter(200, 3),
        );
        let (_t, dir, stems) = render(|st| sweep_charts(st, &res, 0, Some((1, 0))));
        assert_eq!(stems, ["win_map_final_ci"]);
        let svg = check(
            &dir,
            &stems[0],
            &[
                "actors.seoul.favourability",
                "world.nk.surge_mean",
                "lhs design",
                "% of points",
            ],
        );
        assert!(!svg.contains("paths.hasty.transparency"));
        // A 3-parameter grid: cells split by the share of points won.
        let l = vec![vec![0.0, 0.5, 1.0]; 3];
        let res = sweep(
            DesignKind::Grid,
            &["a.x", "a.y", "a.z"],
            l.clone(),
            crate::experiment::design::grid::grid(&l).unwrap(),
        );
        let (_t, dir, stems) = render(|st| sweep_charts(st, &res, 0, Some((0, 2))));
        assert_eq!(stems, ["win_map_final_ci"]);
        check(&dir, &stems[0], &["a.x", "a.z", "share of the grid points"]);
    }

    #[test]
    fn many_points_keep_the_svg_small() {
        let res = sweep(
            DesignKind::Sobol,
            &["p.a", "p.b"],
            vec![],
            scatter(10_000, 2),
        );
        let (_t, dir, stems) = render(|st| sweep_charts(st, &res, 0, Some((0, 1))));
        assert_eq!(stems, ["win_map_final_ci"]);
        let svg = check(&dir, &stems[0], &["p.a", "p.b"]);
        assert!(svg.len() < 3_000_000, "SVG of {} bytes", svg.len());
    }

    #[test]
    fn nan_points_are_skipped() {
        let xs: Vec<f64> = (0..6).map(|i| i as f64 / 5.0).collect();
        let mut res = sweep(
            DesignKind::Grid,
            &["actors.seoul.favourability"],
            vec![xs.clone()],
            xs.iter().map(|x| vec![*x]).collect(),
        );
        let blank = |p: &mut PointResult| {
            for os in p.outcomes.iter_mut() {
                os[0].mean = f64::NAN;
                os[0].ci95 = [f64::NAN; 2];
            }
            for ds in p.paired.iter_mut() {
                ds[0].mean_diff = f64::NAN;
                ds[0].ci95 = [f64::NAN; 2];
                ds[0].p_better = None;
            }
        };
        blank(&mut res.points[2]);
        let (_t, dir, stems) = render(|st| sweep_charts(st, &res, 0, None));
        for s in &stems {
            check(&dir, s, &["gradual"]);
        }
        let mut res = grid2(4, 4);
        blank(&mut res.points[5]);
        let (_t, dir, stems) = render(|st| sweep_charts(st, &res, 0, Some((0, 1))));
        assert_eq!(stems.len(), 3);
        let svg = check(&dir, "heatmap_diff_final_ci", &[]);
        assert!(svg.contains("grey: no data"));
        check(&dir, "win_map_final_ci", &["no data: 1 point"]);
    }

    #[test]
    fn win_map_tells_resolved_from_unresolved_winners() {
        let res = grid2(21, 5);
        let s = SweepData {
            res: &res,
            outcome: 0,
        };
        // Paired intervals are ±0.01 (against the reference) in the fixture: a winner whose
        // lead over the reference is under 0.01 is unresolved, one well ahead is resolved.
        let mut seen = (0, 0);
        for i in 0..res.points.len() {
            let Some(w) = s.winner(i) else { continue };
            let lead = |p: usize| res.points[i].paired[p][0].mean_diff;
            let (hasty, third) = (lead(1), lead(2));
            let margin = match w {
                0 => -(hasty.max(third)),
                1 => hasty.min(hasty - third),
                _ => third.min(third - hasty),
            };
            // Against the reference the interval is ±0.01; between two others ±0.01 each.
            let needed = if w == 0 { 0.01 } else { 0.02 };
            if margin > needed + 1e-9 {
                assert!(s.resolved(i, w), "point {i}: lead {margin} is resolved");
                seen.0 += 1;
            } else if margin < 0.01 - 1e-9 {
                assert!(
                    !s.resolved(i, w),
                    "point {i}: lead {margin} is not resolved"
                );
                seen.1 += 1;
            }
        }
        assert!(seen.0 > 10 && seen.1 > 0, "{seen:?}");
        // The chart says which is which.
        let (_t, dir, _) = render(|st| sweep_charts(st, &res, 0, Some((0, 1))));
        let svg = check(
            &dir,
            "win_map_final_ci",
            &["pale and hatched: best mean but unresolved", "resolved)"],
        );
        assert!(
            svg.contains(" of "),
            "counts of resolved points in the legend"
        );
    }

    #[test]
    fn winner_follows_the_better_direction_and_ties_go_to_the_reference() {
        let mut res = grid2(3, 3);
        // x0 = 0: gradual best; x0 = 1: hasty best (final_ci, higher is better).
        let s = SweepData {
            res: &res,
            outcome: 0,
        };
        assert_eq!(s.winner(0), Some(0));
        assert_eq!(s.winner(8), Some(1));
        // kr_crises = 3 − 2 final_ci: lower is better, same winners.
        let s = SweepData {
            res: &res,
            outcome: 1,
        };
        assert_eq!((s.winner(0), s.winner(8)), (Some(0), Some(1)));
        // No direction: no winner.
        let s = SweepData {
            res: &res,
            outcome: 2,
        };
        assert_eq!(s.winner(0), None);
        // Ties go to the reference, even when it is not the first path.
        for os in res.points[4].outcomes.iter_mut() {
            os[0].mean = 0.5;
        }
        res.points[4].outcomes[0][0].mean = f64::NAN;
        res.layout.reference = 2;
        let s = SweepData {
            res: &res,
            outcome: 0,
        };
        assert_eq!(s.winner(4), Some(2));
        // A NaN reference mean: the best finite path.
        res.points[4].outcomes[2][0].mean = f64::NAN;
        res.points[4].outcomes[1][0].mean = 0.4;
        let s = SweepData {
            res: &res,
            outcome: 0,
        };
        assert_eq!(s.winner(4), Some(1));
        for os in res.points[4].outcomes.iter_mut() {
            os[0].mean = f64::NAN;
        }
        let s = SweepData {
            res: &res,
            outcome: 0,
        };
        assert_eq!(s.winner(4), None);
    }

    #[test]
    fn marching_squares_plane() {
        let xs: Vec<f64> = (0..6).map(|i| i as f64 / 5.0).collect();
        let ys: Vec<f64> = (0..4).map(|i| i as f64 / 3.0).collect();
        let z: Vec<Vec<f64>> = xs
            .iter()
            .map(|x| ys.iter().map(|_| x - 0.5).collect())
            .collect();
        let segs = contour_segments(&xs, &ys, &z, 0.0);
        // One vertical segment per row of squares, at x = 0.5, spanning y = 0..1.
        assert_eq!(segs.len(), ys.len() - 1);
        for [a, b] in &segs {
            assert!(
                (a.0 - 0.5).abs() < 1e-12 && (b.0 - 0.5).abs() < 1e-12,
                "{a:?} {b:?}"
            );
        }
        let mut yy: Vec<f64> = segs.iter().flat_map(|[a, b]| [a.1, b.1]).collect();
        yy.sort_by(f64::total_cmp);
        assert_eq!((yy[0], yy[yy.len() - 1]), (0.0, 1.0));
        // A diagonal plane z = x + y − 1 on the unit square's 3×3 grid crosses at x + y = 1.
        let g = [0.0, 0.5, 1.0];
        let z: Vec<Vec<f64>> = g
            .iter()
            .map(|x| g.iter().map(|y| x + y - 0.9).collect())
            .collect();
        let segs = contour_segments(&g, &g, &z, 0.0);
        assert!(!segs.is_empty());
        for p in segs.iter().flatten() {
            assert!((p.0 + p.1 - 0.9).abs() < 1e-12, "{p:?}");
        }
        // A NaN corner removes its squares only; no contour where all values are above.
        let mut z2 = z.clone();
        z2[0][0] = f64::NAN;
        assert!(contour_segments(&g, &g, &z2, 0.0).len() < segs.len() + 1);
        assert!(contour_segments(&g, &g, &z, -5.0).is_empty());
        // Saddle: the two segments do not cross the centre's side.
        let z = vec![vec![1.0, -1.0], vec![-1.0, 1.0]];
        let s = contour_segments(&[0.0, 1.0], &[0.0, 1.0], &z, 0.0);
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn sobol_tornado_prim_charts() {
        let params: Vec<String> = [
            "actors.seoul.favourability",
            "world.nk.surge_mean",
            "history.issues.forced_labor.salience",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let first = [
            (0.55, [0.48, 0.62]),
            (-0.02, [-0.06, 0.03]),
            (0.2, [0.15, 0.26]),
        ];
        let total = [
            (0.7, [0.63, 0.78]),
            (0.01, [0.0, 0.03]),
            (0.3, [0.24, 0.37]),
        ];
        let (_t, dir, stems) = render(|st| {
            sobol_chart(
                st,
                &params,
                &first,
                &total,
                "Sobol' indices of hasty − gradual final_ci",
            )
        });
        assert_eq!(stems, ["sobol_indices"]);
        check(
            &dir,
            "sobol_indices",
            &["world.nk.surge_mean", "-0.020", "first-order", "total"],
        );
        assert!(render_err(|st| sobol_chart(
            st,
            &params,
            &first[..2],
            &total,
            "x"
        )));

        let bars = vec![
            (
                "actors.seoul.favourability (0.15 / 0.45)".to_string(),
                0.31,
                0.52,
            ),
            ("world.nk.surge_mean (1 / 4)".to_string(), 0.45, 0.38),
            (
                "paths.hasty.transparency (0.2 / 0.8)".to_string(),
                0.40,
                f64::NAN,
            ),
        ];
        let (_t, dir, stems) =
            render(|st| tornado_chart(st, 0.42, &bars, "Tornado of final_ci", "Mean final_ci"));
        assert_eq!(stems, ["tornado"]);
        check(
            &dir,
            "tornado",
            &[
                "world.nk.surge_mean (1 / 4)",
                "at its low value",
                "0.42",
                "Mean final_ci",
            ],
        );

        let traj: Vec<(f64, f64, usize)> = (0..15)
            .map(|k| {
                (
                    1.0 - k as f64 * 0.05,
                    0.3 + k as f64 * 0.045,
                    (k / 4).min(3),
                )
            })
            .collect();
        let (_t, dir, stems) =
            render(|st| prim_chart(st, &traj, 9, "PRIM: hasty.final_ci > gradual.final_ci"));
        assert_eq!(stems, ["prim_trajectory"]);
        check(
            &dir,
            "prim_trajectory",
            &["chosen box (#9)", "2 restricted dimensions", "Coverage"],
        );
        assert!(render_err(|st| prim_chart(st, &traj, 15, "x")));
    }

    /// Whether rendering fails (the staging folder is dropped).
    fn render_err(f: impl FnOnce(&Staging) -> Result<Vec<String>>) -> bool {
        let tmp = tempfile::tempdir().unwrap();
        let st = Staging::create(
            Target::Exact {
                dir: tmp.path().join("out"),
                force: false,
            },
            SystemTime::now(),
        )
        .unwrap();
        f(&st).is_err()
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short(0.5), "0.5");
        assert_eq!(short(0.123456), "0.1235");
        assert_eq!(short(12.0), "12");
        assert_eq!(short(-0.0001), "-1.00e-4");
        assert_eq!(short(1234.6), "1235");
        assert_eq!(short(f64::NAN), "–");
    }
}
