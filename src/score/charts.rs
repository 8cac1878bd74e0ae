//! One chart per series and path (`charts/<path>--<series>.png` and `.svg`, 1200×800, the
//! embedded DejaVu Sans font as every trisim chart): the simulated fan over the recorded
//! months — 5–95%, 10–90% and 25–75% bands and the median — with the observed points on it
//! (error bars ±1 sd where an `sd` is given). A binary series shows instead the simulated
//! probability that the condition holds, with the observed 0/1 points.

use super::{Scores, SeriesScore};
use crate::output::charts::{color, write_chart, Chart, FONT};
use crate::output::dir::Staging;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

struct SeriesChart<'a> {
    stem: String,
    title: String,
    s: &'a SeriesScore,
}

/// Calendar position (fractional year) of a month.
fn cal(m: crate::scenario::YearMonth) -> f64 {
    m.year as f64 + (m.month as f64 - 1.0) / 12.0
}

fn month_label(x: f64) -> String {
    let m = (x * 12.0).round() as i64;
    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

impl Chart for SeriesChart<'_> {
    fn stem(&self) -> String {
        self.stem.clone()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let s = self.s;
        let months = s
            .fan
            .iter()
            .map(|f| cal(f.month))
            .chain(s.points.iter().map(|p| cal(p.month)));
        let (lo, hi) = months.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
        let pad = ((hi - lo) * 0.03).max(0.5);
        let xr = (lo - pad)..(hi + pad);
        let (ylo, yhi) = if s.binary {
            (-0.05, 1.05)
        } else {
            let vals =
                s.fan
                    .iter()
                    .flat_map(|f| [f.quantiles[0], f.quantiles[6]])
                    .chain(s.points.iter().flat_map(|p| {
                        [p.value - p.sd.unwrap_or(0.0), p.value + p.sd.unwrap_or(0.0)]
                    }))
                    .filter(|v| v.is_finite());
            let (a, b) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(x), b.max(x))
            });
            if !a.is_finite() {
                (0.0, 1.0)
            } else {
                let m = ((b - a) * 0.08).max(1e-3 * (1.0 + a.abs().max(b.abs())));
                (a - m, b + m)
            }
        };
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (FONT, 22))
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(xr, ylo..yhi)?;
        let fmt = |x: &f64| month_label(*x);
        let (x_desc, y_desc) = if s.binary {
            (
                "Month   (line: simulated share of worlds where it holds; dots: observed 0/1)",
                format!("P({})", s.series),
            )
        } else {
            (
                "Month   (bands: 5–95%, 10–90%, 25–75%; line: median; dots: observed, bars ±1 sd)",
                s.series.clone(),
            )
        };
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_labels(12)
            .x_label_formatter(&fmt)
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 18))
            .draw()?;
        let c = color(0);
        let q = |k: usize| -> Vec<(f64, f64)> {
            s.fan
                .iter()
                .map(|f| (cal(f.month), f.quantiles[k]))
                .filter(|(_, y)| y.is_finite())
                .collect()
        };
        if s.binary {
            let pts: Vec<(f64, f64)> = s
                .fan
                .iter()
                .map(|f| (cal(f.month), f.mean))
                .filter(|(_, y)| y.is_finite())
                .collect();
            chart.draw_series(LineSeries::new(pts.clone(), c.stroke_width(3)))?;
            chart.draw_series(pts.iter().map(|p| Circle::new(*p, 3, c.filled())))?;
        } else {
            for (lo, hi, alpha) in [(0, 6, 0.12), (1, 5, 0.18), (2, 4, 0.28)] {
                let mut poly = q(hi);
                if poly.len() == 1 {
                    // One month (an outcome): a box a month wide.
                    let (x, y1) = poly[0];
                    let y0 = q(lo)[0].1;
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(x - 1.0 / 24.0, y0), (x + 1.0 / 24.0, y1)],
                        c.mix(alpha).filled(),
                    )))?;
                    continue;
                }
                poly.extend(q(lo).into_iter().rev());
                chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(alpha).filled())))?;
            }
            let med = q(3);
            chart.draw_series(LineSeries::new(med.clone(), c.stroke_width(3)))?;
            chart.draw_series(med.iter().map(|p| Circle::new(*p, 3, c.filled())))?;
        }
        let black = RGBColor(0, 0, 0);
        for p in &s.points {
            let x = cal(p.month);
            if let Some(sd) = p.sd {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, p.value - sd), (x, p.value + sd)],
                    black.stroke_width(2),
                )))?;
            }
        }
        chart.draw_series(
            s.points
                .iter()
                .map(|p| Circle::new((cal(p.month), p.value), 6, black.filled())),
        )?;
        Ok(())
    }
}

/// Writes the chart of series `s` on `path`.
pub fn write(
    staging: &Staging,
    stem: &str,
    path: &str,
    s: &SeriesScore,
    sc: &Scores,
) -> Result<()> {
    let title = format!(
        "{}: {} on path {} ({} worlds), {} observations",
        sc.run.scenario_name, s.series, path, sc.run.replications, s.n
    );
    write_chart(
        staging,
        &SeriesChart {
            stem: stem.to_string(),
            title,
            s,
        },
    )
}
