//! Charts of a calibration (PNG and SVG under `charts/`, the embedded font as every trisim
//! chart): `marginal--ADDR` (prior vs posterior histogram of one parameter, shares per bin),
//! `pairs--A--B` (the posterior particles of two parameters, dot area ∝ weight). The
//! posterior-predictive fans reuse `trisim score`'s series chart.

use super::prior::Prior;
use super::smc::Generation;
use crate::output::charts::{color, write_chart, Chart, FONT};
use crate::output::dir::Staging;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

const BINS: usize = 30;

struct Marginal<'a> {
    prior: &'a Prior,
    prior_draws: &'a [f64],
    xs: Vec<f64>,
    ws: Vec<f64>,
}

/// Shares of weighted values in BINS bins over [lo, hi].
fn histogram(xs: &[f64], ws: &[f64], lo: f64, hi: f64) -> Vec<f64> {
    let mut h = vec![0.0; BINS];
    let total: f64 = ws.iter().sum();
    for (x, w) in xs.iter().zip(ws) {
        let b = (((x - lo) / (hi - lo)) * BINS as f64).floor();
        let b = (b.max(0.0) as usize).min(BINS - 1);
        h[b] += w / total;
    }
    h
}

fn range(xs: impl Iterator<Item = f64>) -> (f64, f64) {
    let (a, b) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    if a < b {
        (a, b)
    } else {
        (a - 0.5, a + 0.5)
    }
}

impl Chart for Marginal<'_> {
    fn stem(&self) -> String {
        format!("marginal--{}", self.prior.key)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (lo, hi) = range(self.prior_draws.iter().chain(&self.xs).copied());
        let ones = vec![1.0; self.prior_draws.len()];
        let hp = histogram(self.prior_draws, &ones, lo, hi);
        let hq = histogram(&self.xs, &self.ws, lo, hi);
        let top = hp.iter().chain(&hq).fold(0.0f64, |a, b| a.max(*b)) * 1.1;
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "{}: prior ({}) vs posterior",
                    self.prior.key,
                    self.prior.describe()
                ),
                (FONT, 22),
            )
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(lo..hi, 0.0..top.max(1e-9))?;
        chart
            .configure_mesh()
            .x_desc(format!(
                "{}   (grey: prior draws; blue: weighted posterior particles)",
                self.prior.key
            ))
            .y_desc("share per bin")
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 18))
            .draw()?;
        let w = (hi - lo) / BINS as f64;
        let grey = RGBColor(150, 150, 150);
        chart.draw_series(hp.iter().enumerate().map(|(i, h)| {
            let x = lo + i as f64 * w;
            Rectangle::new([(x, 0.0), (x + w, *h)], grey.mix(0.45).filled())
        }))?;
        let c = color(0);
        chart.draw_series(hq.iter().enumerate().map(|(i, h)| {
            let x = lo + i as f64 * w;
            Rectangle::new([(x, 0.0), (x + w, *h)], c.mix(0.55).filled())
        }))?;
        Ok(())
    }
}

struct Pair<'a> {
    a: &'a Prior,
    b: &'a Prior,
    pts: Vec<(f64, f64, f64)>,
}

impl Chart for Pair<'_> {
    fn stem(&self) -> String {
        format!("pairs--{}--{}", self.a.key, self.b.key)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (x0, x1) = range(self.pts.iter().map(|p| p.0));
        let (y0, y1) = range(self.pts.iter().map(|p| p.1));
        let (px, py) = ((x1 - x0) * 0.05, (y1 - y0) * 0.05);
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!("Posterior particles: {} vs {}", self.a.key, self.b.key),
                (FONT, 22),
            )
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d((x0 - px)..(x1 + px), (y0 - py)..(y1 + py))?;
        chart
            .configure_mesh()
            .x_desc(format!("{}   (dot area ∝ weight)", self.a.key))
            .y_desc(self.b.key.clone())
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 18))
            .draw()?;
        let wmax = self.pts.iter().fold(0.0f64, |a, p| a.max(p.2)).max(1e-300);
        let c = color(0);
        chart.draw_series(self.pts.iter().map(|(x, y, w)| {
            let r = (2.0 + 8.0 * (w / wmax).sqrt()).round() as i32;
            Circle::new((*x, *y), r, c.mix(0.5).filled())
        }))?;
        Ok(())
    }
}

/// Writes the marginal and pairwise charts of the last generation.
pub fn write(
    staging: &Staging,
    priors: &[Prior],
    prior_draws: &[Vec<f64>],
    g: &Generation,
) -> Result<()> {
    let ws: Vec<f64> = g.particles.iter().map(|p| p.weight).collect();
    let col = |i: usize| -> Vec<f64> { g.particles.iter().map(|p| p.theta[i]).collect() };
    for (i, p) in priors.iter().enumerate() {
        write_chart(
            staging,
            &Marginal {
                prior: p,
                prior_draws: &prior_draws[i],
                xs: col(i),
                ws: ws.clone(),
            },
        )?;
    }
    for i in 0..priors.len() {
        for j in i + 1..priors.len() {
            let pts = g
                .particles
                .iter()
                .map(|p| (p.theta[i], p.theta[j], p.weight))
                .collect();
            write_chart(
                staging,
                &Pair {
                    a: &priors[i],
                    b: &priors[j],
                    pts,
                },
            )?;
        }
    }
    Ok(())
}
