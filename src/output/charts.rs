//! Charts (PNG and SVG, 1200×800) drawn with plotters and the embedded DejaVu Sans font.
//!
//! - `fan_ci`: cooperation index over time per path: median line, 50% band (p25–p75, darker)
//!   and 90% band (p5–p95, lighter); the reference path's median is drawn last and thicker.
//! - `dist_final_ci`: share of replications per final-CI bin ([0.00, 0.05), ..., [0.95, 1.00];
//!   exact bin assignment, [`crate::engine::stats::Bins`]), bars grouped by path.
//! - `dist_kr_crises`: share of replications by number of Korean political crises, per path.
//! - `paired_diff`: per outcome, the paired mean difference (path − reference) with its 95% CI,
//!   in pooled standard deviations of the two paths' outcome, √((sd_path² + sd_ref²)/2) (an
//!   effect size, so outcomes with different units share one axis); each outcome label says
//!   whether higher or lower is better. Whiskers have caps and are drawn over hollow markers,
//!   at least 7 px either side of the mean (narrower CIs would be hidden by the marker).
//! - `rungs`: median rung of each track over time, one panel per track, one line per path;
//!   x ticks on January of each year (every second year beyond 12 years, ...).

use super::dir::Staging;
use super::{Exporter, Report};
use crate::engine::RunResults;
use crate::model::Better;
use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;
use std::sync::Once;

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 800;

/// Chart file stems (each written as `.png` and `.svg` under `charts/`).
pub const CHARTS: [&str; 5] = [
    "fan_ci",
    "dist_final_ci",
    "dist_kr_crises",
    "paired_diff",
    "rungs",
];

pub(crate) const FONT: &str = "sans-serif";

/// Radius-ish (pixels) of a paired-difference marker: intervals narrower than twice this get no
/// caps (they are drawn at their true width, under the marker).
const MIN_HALF_PX: f64 = 5.0;

/// Registers the embedded DejaVu Sans font (once per process) for every text in charts.
pub fn register_fonts() -> Result<()> {
    static ONCE: Once = Once::new();
    let mut res = Ok(());
    ONCE.call_once(|| {
        for (style, bytes) in [
            (FontStyle::Normal, dejavu::sans::regular()),
            (FontStyle::Bold, dejavu::sans::bold()),
        ] {
            if plotters::style::register_font(FONT, style, bytes).is_err() {
                res = Err(anyhow!("cannot load the embedded DejaVu Sans font"));
            }
        }
    });
    res
}

pub(crate) const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

pub(crate) fn color(i: usize) -> RGBColor {
    COLORS[i % COLORS.len()]
}

/// One chart: a file stem and a drawing on any backend (a white background is filled first).
pub(crate) trait Chart {
    /// File stem, written as `charts/<stem>.png` and `charts/<stem>.svg`.
    fn stem(&self) -> String;
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static;
}

/// Draws `chart` (WIDTH × HEIGHT, white background) and writes `charts/<stem>.png` and
/// `charts/<stem>.svg` into `dir`.
pub(crate) fn write_chart(dir: &Staging, chart: &impl Chart) -> Result<()> {
    register_fonts()?;
    let stem = chart.stem();
    let mut buf = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        chart.draw(&root)?;
        root.present()
            .map_err(|e| anyhow!("cannot draw chart {stem}: {e}"))?;
    }
    dir.write_file(&format!("charts/{stem}.png"), |w| {
        let mut enc = png::Encoder::new(w, WIDTH, HEIGHT);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut wr = enc.write_header()?;
        wr.write_image_data(&buf)?;
        wr.finish()?;
        Ok(())
    })?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        chart.draw(&root)?;
        root.present()
            .map_err(|e| anyhow!("cannot draw chart {stem}: {e}"))?;
    }
    dir.write_file(&format!("charts/{stem}.svg"), |w| {
        w.write_all(svg.as_bytes())?;
        Ok(())
    })?;
    Ok(())
}

pub struct Charts;

impl Exporter for Charts {
    fn name(&self) -> &'static str {
        "charts"
    }
    fn export(&self, r: &Report<'_>, dir: &Staging) -> Result<()> {
        for stem in CHARTS {
            write_chart(dir, &RunChart { stem, report: r })?;
        }
        Ok(())
    }
}

/// One of the run charts ([`CHARTS`]).
struct RunChart<'a, 'r> {
    stem: &'static str,
    report: &'a Report<'r>,
}

impl Chart for RunChart<'_, '_> {
    fn stem(&self) -> String {
        self.stem.to_string()
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let r = self.report;
        match self.stem {
            "fan_ci" => fan_ci(root, r),
            "dist_final_ci" => dist_final_ci(root, r),
            "dist_kr_crises" => dist_kr_crises(root, r),
            "paired_diff" => paired_diff(root, r),
            "rungs" => rungs(root, r),
            stem => Err(anyhow!("unknown chart {stem}")),
        }
    }
}

/// Calendar position of month index `t` (fractional year: 2024.0 = 2024-01), so that axis
/// key points fall on January of round years.
fn cal(res: &RunResults, t: f64) -> f64 {
    let s = res.layout.start;
    s.year as f64 + (s.month as f64 - 1.0 + t) / 12.0
}

/// "YYYY-MM" label of a calendar position.
fn month_label(x: f64) -> String {
    let m = (x * 12.0).round() as i64;
    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

/// Calendar range of the run's months.
fn cal_range(res: &RunResults) -> std::ops::Range<f64> {
    let last = (res.layout.months.max(2) - 1) as f64;
    cal(res, 0.0)..cal(res, last)
}

fn fan_ci<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report<'_>) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let res = r.results;
    let l = &res.layout;
    let ci = res
        .metric_index("ci")
        .ok_or_else(|| anyhow!("no CI series"))?;
    let (top, body) = root.split_vertically(70);
    let entries: Vec<(RGBColor, String)> = l
        .path_names
        .iter()
        .enumerate()
        .map(|(p, n)| {
            let label = if p == l.reference {
                format!("{n} (reference, thick line)")
            } else {
                n.clone()
            };
            (color(p), label)
        })
        .collect();
    title_strip(
        &top,
        &format!(
            "{}: cooperation index per path ({} replications)",
            r.scenario_name, res.replications
        ),
        &entries,
    )?;
    let mut chart = ChartBuilder::on(&body)
        .margin(20)
        .margin_top(5)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(cal_range(res), 0f64..1f64)?;
    let fmt = |x: &f64| month_label(*x);
    chart
        .configure_mesh()
        .x_desc("Month   (line: median; darker band: p25–p75; lighter band: p5–p95)")
        .y_desc("Cooperation index (0–1)")
        .x_labels(14)
        .x_label_formatter(&fmt)
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 18))
        .draw()?;
    let series = |p: usize, q: usize| -> Vec<(f64, f64)> {
        res.series[p]
            .iter()
            .enumerate()
            .map(|(t, pt)| (cal(res, t as f64), pt[ci].quantiles[q]))
            .filter(|(_, y)| y.is_finite())
            .collect()
    };
    // Bands of every path first, then every median on top (with a white halo).
    for p in 0..l.path_names.len() {
        let c = color(p);
        for (lo, hi, alpha) in [(0, 4, 0.08), (1, 3, 0.18)] {
            let mut pts = series(p, hi);
            pts.extend(series(p, lo).into_iter().rev());
            chart.draw_series(std::iter::once(Polygon::new(pts, c.mix(alpha).filled())))?;
        }
    }
    // The reference path's median last (on top of the others) and thicker.
    let order = (0..l.path_names.len())
        .filter(|p| *p != l.reference)
        .chain(std::iter::once(l.reference));
    for p in order {
        let c = color(p);
        let w = if p == l.reference { 6 } else { 3 };
        chart.draw_series(LineSeries::new(series(p, 2), WHITE.stroke_width(w + 3)))?;
        chart.draw_series(LineSeries::new(series(p, 2), c.stroke_width(w)))?;
    }
    Ok(())
}

/// Grouped bars: `groups[i]` is the label of category i, `shares[p][i]` the share of path p.
#[allow(clippy::too_many_arguments)]
fn grouped_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &Report<'_>,
    title: &str,
    x_desc: &str,
    groups: &[String],
    shares: &[Vec<f64>],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let l = &r.results.layout;
    let ymax = shares
        .iter()
        .flatten()
        .cloned()
        .filter(|x| x.is_finite())
        .fold(0.0f64, f64::max)
        .max(1.0)
        // Headroom for the legend (upper right), one line per path, above the tallest bar.
        * (1.15 + 0.06 * shares.len() as f64);
    // Shares: never past 105%.
    let ymax = ymax.min(105.0);
    let n = groups.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 24))
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..n as f64, 0f64..ymax)?;
    let fmt = |x: &f64| {
        let i = x.floor() as usize;
        if (x - x.floor() - 0.5).abs() < 1e-6 && i < groups.len() {
            groups[i].clone()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc(x_desc)
        .y_desc("Share of replications (%)")
        .x_labels(n * 2 + 1)
        .x_label_formatter(&fmt)
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 18))
        .draw()?;
    let np = shares.len().max(1);
    let w = 0.8 / np as f64;
    for (p, s) in shares.iter().enumerate() {
        let c = color(p);
        chart
            .draw_series(
                s.iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_finite())
                    .map(|(i, v)| {
                        let x0 = i as f64 + 0.1 + p as f64 * w;
                        Rectangle::new([(x0, 0.0), (x0 + w, *v)], c.filled())
                    }),
            )?
            .label(l.path_names[p].clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], c.filled()));
    }
    chart
        .configure_series_labels()
        .label_font((FONT, 18))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    Ok(())
}

fn dist_final_ci<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report<'_>) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let res = r.results;
    if res.layout.final_ci.is_none() {
        return Err(anyhow!("no final_ci outcome"));
    }
    let edges = res
        .final_ci_bins
        .first()
        .map(|b| b.edges().to_vec())
        .unwrap_or_default();
    let groups: Vec<String> = edges
        .iter()
        .take(edges.len().saturating_sub(1))
        .map(|e| format!("{e:.2}"))
        .collect();
    let shares: Vec<Vec<f64>> = res
        .final_ci_bins
        .iter()
        .map(|b| {
            let n = b.count().max(1) as f64;
            b.counts().iter().map(|c| 100.0 * *c as f64 / n).collect()
        })
        .collect();
    grouped_bars(
        root,
        r,
        &format!(
            "{}: distribution of the final cooperation index per path",
            r.scenario_name
        ),
        "Final cooperation index (bins 0.05 wide, labelled by their lower edge)",
        &groups,
        &shares,
    )
}

fn dist_kr_crises<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report<'_>) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let res = r.results;
    let o = res
        .outcome_index("kr_crises")
        .ok_or_else(|| anyhow!("no kr_crises outcome"))?;
    // Categories 0..=cap, the last one "cap+" lumping the rest.
    let max = res
        .outcomes
        .iter()
        .flat_map(|os| os[o].sketch.counts())
        .map(|(v, _)| v)
        .fold(0.0f64, f64::max);
    let cap = (max.max(0.0).ceil() as usize).min(15);
    let groups: Vec<String> = (0..=cap)
        .map(|k| {
            if k == cap && max > cap as f64 {
                format!("{k}+")
            } else {
                k.to_string()
            }
        })
        .collect();
    let shares: Vec<Vec<f64>> = res
        .outcomes
        .iter()
        .map(|os| {
            let s = &os[o].sketch;
            let n = s.count().max(1) as f64;
            let mut v = vec![0.0; cap + 1];
            for (x, c) in s.counts() {
                let k = (x.max(0.0).round() as usize).min(cap);
                v[k] += 100.0 * c as f64 / n;
            }
            v
        })
        .collect();
    grouped_bars(
        root,
        r,
        &format!(
            "{}: Korean political crises per replication, per path",
            r.scenario_name
        ),
        "Number of crises in Seoul over the horizon",
        &groups,
        &shares,
    )
}

fn paired_diff<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report<'_>) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let res = r.results;
    let l = &res.layout;
    let refp = l.reference;
    let others: Vec<usize> = (0..l.path_names.len()).filter(|p| *p != refp).collect();
    let no = l.outcomes.len();
    // Standardized (mean, lo, hi) per other path and outcome.
    let mut pts: Vec<Vec<Option<(f64, f64, f64)>>> = Vec::new();
    for &p in &others {
        let mut v = Vec::new();
        for o in 0..no {
            let d = &res.paired[p][o];
            let sd = |x: f64| if x.is_finite() { x } else { 0.0 };
            let (sd_ref, sd_p) = (sd(res.outcomes[refp][o].sd), sd(res.outcomes[p][o].sd));
            let pooled = ((sd_ref * sd_ref + sd_p * sd_p) / 2.0).sqrt();
            let scale = if pooled > 0.0 { pooled } else { 1.0 };
            let m = d.mean_diff / scale;
            let lo = d.ci95[0] / scale;
            let hi = d.ci95[1] / scale;
            v.push(m.is_finite().then(|| {
                (
                    m,
                    if lo.is_finite() { lo } else { m },
                    if hi.is_finite() { hi } else { m },
                )
            }));
        }
        pts.push(v);
    }
    let ext = pts
        .iter()
        .flatten()
        .flatten()
        .flat_map(|(_, lo, hi)| [lo.abs(), hi.abs()])
        .fold(0.0f64, f64::max)
        .max(0.1)
        * 1.15;
    let (top, body) = root.split_vertically(70);
    let entries: Vec<(RGBColor, String)> = others
        .iter()
        .map(|p| {
            (
                color(*p),
                format!("{} − {}", l.path_names[*p], l.path_names[refp]),
            )
        })
        .collect();
    title_strip(
        &top,
        &format!(
            "{}: difference from {} on the same worlds (mean and 95% interval, in pooled SDs)",
            r.scenario_name, l.path_names[refp]
        ),
        &entries,
    )?;
    let mut chart = ChartBuilder::on(&body)
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(330)
        .build_cartesian_2d(-ext..ext, -0.5f64..(no as f64 - 0.5))?;
    let ylab = |y: &f64| {
        let i = y.round();
        if (y - i).abs() > 1e-6 || i < 0.0 || i as usize >= no {
            return String::new();
        }
        let info = &l.outcomes[no - 1 - i as usize];
        let dir = match info.better {
            Better::Higher => "higher better",
            Better::Lower => "lower better",
            Better::Neither => "no direction",
        };
        format!("{} ({dir})", info.key)
    };
    chart
        .configure_mesh()
        .y_labels(no)
        .y_label_formatter(&ylab)
        .x_desc(
            "(path − reference) / pooled SD; bar: 95% interval; filled dot: resolved (excludes 0), open: unresolved",
        )
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 18))
        .draw()?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.5), (0.0, no as f64 - 0.5)],
        BLACK.stroke_width(1),
    )))?;
    // Data units per pixel: caps only on intervals wider than the marker.
    let plot_px = chart.plotting_area().dim_in_pixel().0.max(1) as f64;
    let marker_half = MIN_HALF_PX * 2.0 * ext / plot_px;
    let k = others.len().max(1) as f64;
    for (j, &p) in others.iter().enumerate() {
        let c = color(p);
        let off = if k > 1.0 {
            0.3 - 0.6 * j as f64 / (k - 1.0)
        } else {
            0.0
        };
        let row = |o: usize| (no - 1 - o) as f64 + off;
        // The interval at its true width (hidden by the marker when narrower), then the
        // marker on top: filled where the interval excludes 0 (resolved), white with a
        // coloured ring where it includes 0 (unresolved).
        let cap = 0.1;
        chart.draw_series(pts[j].iter().enumerate().filter_map(|(o, v)| {
            v.map(|(_, lo, hi)| {
                let y = row(o);
                let mut line = vec![(lo, y), (hi, y)];
                if hi - lo > 2.0 * marker_half {
                    line = vec![
                        (lo, y - cap),
                        (lo, y + cap),
                        (lo, y),
                        (hi, y),
                        (hi, y - cap),
                        (hi, y + cap),
                    ];
                }
                PathElement::new(line, c.stroke_width(2))
            })
        }))?;
        chart.draw_series(pts[j].iter().enumerate().filter_map(|(o, v)| {
            v.map(|(m, lo, hi)| {
                let fill = if lo > 0.0 || hi < 0.0 { c } else { WHITE };
                Circle::new((m, row(o)), 4, fill.filled())
            })
        }))?;
        chart.draw_series(pts[j].iter().enumerate().filter_map(|(o, v)| {
            v.map(|(m, _, _)| Circle::new((m, row(o)), 4, c.stroke_width(2)))
        }))?;
    }
    if others.is_empty() {
        root.draw(&Text::new(
            "Only the reference path was run: nothing to compare.",
            (420, 400),
            (FONT, 22),
        ))?;
    }
    Ok(())
}

/// A title and a one-line legend (colour, label) in a strip at the top of a chart.
pub(crate) fn title_strip<DB: DrawingBackend>(
    top: &DrawingArea<DB, Shift>,
    title: &str,
    entries: &[(RGBColor, String)],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (w, _) = top.dim_in_pixel();
    let style = TextStyle::from((FONT, 24).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    top.draw(&Text::new(title.to_string(), (w as i32 / 2, 8), style))?;
    let mut x = 20;
    for (c, name) in entries {
        top.draw(&Rectangle::new([(x, 44), (x + 24, 50)], c.filled()))?;
        top.draw(&Text::new(name.clone(), (x + 30, 38), (FONT, 17)))?;
        x += 45 + 10 * name.chars().count() as i32;
    }
    Ok(())
}

fn rungs<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report<'_>) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let res = r.results;
    let l = &res.layout;
    let (top, body) = root.split_vertically(70);
    let entries: Vec<(RGBColor, String)> = l
        .path_names
        .iter()
        .enumerate()
        .map(|(p, n)| (color(p), n.clone()))
        .collect();
    title_strip(
        &top,
        &format!(
            "{}: median rung of each track over time, per path (coinciding lines nest)",
            r.scenario_name
        ),
        &entries,
    )?;
    let nt = l.track_keys.len().max(1);
    let cols = (nt as f64).sqrt().ceil() as usize;
    let rows = nt.div_ceil(cols);
    let panels = body.split_evenly((rows, cols));
    let last = (l.months.max(2) - 1) as f64;
    let np = l.path_names.len() as f64;
    let xr = cal_range(res);
    // One tick per year (every second year beyond 12 years, and so on).
    let span = (xr.end - xr.start).max(1.0);
    let step = (span / 12.0).ceil().max(1.0);
    let years = (span / step).ceil() as usize;
    let year_label = move |x: &f64| {
        let m = (x * 12.0).round() as i64;
        let y = m.div_euclid(12);
        if m.rem_euclid(12) == 0 && (y as f64 % step) == 0.0 {
            y.to_string()
        } else {
            String::new()
        }
    };
    for (ti, key) in l.track_keys.iter().enumerate() {
        let Some(m) = res.metric_index(&format!("rung.{key}")) else {
            continue;
        };
        let max_rung = l.metrics[m].hist.bins.saturating_sub(1).max(1) as f64;
        let area = &panels[ti];
        let mut chart = ChartBuilder::on(area)
            .caption(key, (FONT, 17))
            .margin(8)
            .x_label_area_size(24)
            .y_label_area_size(44)
            .build_cartesian_2d(xr.clone(), -0.2f64..max_rung + 0.2)?;
        let yfmt = |y: &f64| format!("{y:.0}");
        chart
            .configure_mesh()
            .x_labels(years + 1)
            .y_labels(max_rung as usize + 1)
            .x_label_formatter(&year_label)
            .y_label_formatter(&yfmt)
            .y_desc("median rung")
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .disable_x_mesh()
            .draw()?;
        for p in 0..l.path_names.len() {
            let c = color(p);
            // Drawn at their values: the first paths wider, underneath, so that lines that
            // coincide show as nested bands rather than hiding each other.
            let width = 2 + 2 * (np as u32 - 1 - p as u32).min(4);
            let mut pts = Vec::new();
            for (t, pt) in res.series[p].iter().enumerate() {
                let v = pt[m].quantiles[2];
                if !v.is_finite() {
                    continue;
                }
                pts.push((cal(res, t as f64), v));
                pts.push((cal(res, (t as f64 + 1.0).min(last)), v));
            }
            chart.draw_series(LineSeries::new(pts, c.stroke_width(width)))?;
        }
    }
    Ok(())
}
