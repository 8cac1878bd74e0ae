//! The files of a calibration: `posterior.csv`, `particles.csv`, `generations.csv`,
//! `posterior.toml` (the overlay scenario) and the closing table.

use super::prior::Prior;
use super::smc::{weighted_cov, weighted_quantile, Generation, State};
use crate::output::dir::Staging;
use crate::output::files::csv_field;
use crate::scenario::param::short;
use anyhow::Result;
use std::fmt::Write as _;
use std::io::Write;

/// Posterior summary of one parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Marginal {
    pub key: String,
    pub mean: f64,
    pub sd: f64,
    /// 10% and 90% weighted quantiles (the central 80% interval).
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

/// The marginals of a population.
pub fn marginals(priors: &[Prior], g: &Generation) -> Vec<Marginal> {
    let d = priors.len();
    let (mean, cov) = weighted_cov(&g.particles, d);
    let ws: Vec<f64> = g.particles.iter().map(|p| p.weight).collect();
    priors
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let xs: Vec<f64> = g.particles.iter().map(|q| q.theta[i]).collect();
            Marginal {
                key: p.key.clone(),
                mean: mean[i],
                sd: cov[i * d + i].max(0.0).sqrt(),
                p10: weighted_quantile(&xs, &ws, 0.1),
                p50: weighted_quantile(&xs, &ws, 0.5),
                p90: weighted_quantile(&xs, &ws, 0.9),
            }
        })
        .collect()
}

/// A number written exactly (shortest representation that reads back to the same bits).
fn exact(x: f64) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else if x > 0.0 {
        "inf".into()
    } else {
        String::new()
    }
}

fn header(priors: &[Prior]) -> String {
    priors
        .iter()
        .map(|p| csv_field(&p.key))
        .collect::<Vec<_>>()
        .join(",")
}

fn particle_rows(out: &mut String, g: &Generation, prefix: &str) {
    for p in &g.particles {
        out.push_str(prefix);
        for x in &p.theta {
            let _ = write!(out, "{},", exact(*x));
        }
        let _ = writeln!(out, "{},{}", exact(p.weight), exact(p.distance));
    }
}

/// `posterior.csv`: the last generation's particles (one column per parameter, weight,
/// distance).
pub fn posterior_csv(priors: &[Prior], g: &Generation) -> String {
    let mut s = format!("{},weight,distance\n", header(priors));
    particle_rows(&mut s, g, "");
    s
}

/// `particles.csv`: every generation's particles.
pub fn particles_csv(priors: &[Prior], st: &State) -> String {
    let mut s = format!("generation,particle,{},weight,distance\n", header(priors));
    for g in &st.generations {
        for (i, p) in g.particles.iter().enumerate() {
            let _ = write!(s, "{},{i},", g.index);
            for x in &p.theta {
                let _ = write!(s, "{},", exact(*x));
            }
            let _ = writeln!(s, "{},{}", exact(p.weight), exact(p.distance));
        }
    }
    s
}

/// `generations.csv`: tolerance, acceptance rate, simulations and ESS per generation.
pub fn generations_csv(st: &State, replications: u64) -> String {
    let mut s = String::from(
        "generation,tolerance,acceptance_rate,candidates,simulations,ess,median_distance\n",
    );
    for g in &st.generations {
        let mut ds: Vec<f64> = g.particles.iter().map(|p| p.distance).collect();
        ds.sort_by(f64::total_cmp);
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{}",
            g.index,
            exact(g.tolerance),
            exact(g.acceptance_rate),
            g.candidates,
            g.candidates * replications,
            exact(g.ess),
            exact(crate::score::metrics::quantile(&ds, 0.5))
        );
    }
    s
}

/// The overlay scenario: `extends` the input and sets each calibrated parameter to its
/// empirical posterior (values and weights of the last generation).
pub fn overlay_toml(
    priors: &[Prior],
    g: &Generation,
    extends: &str,
    name: &str,
    note: &str,
) -> String {
    let q = |s: &str| toml_edit::Value::from(s).to_string();
    let mut s = String::new();
    for line in note.lines() {
        let _ = writeln!(s, "# {line}");
    }
    let _ = writeln!(s, "extends = {}", q(extends));
    for (i, p) in priors.iter().enumerate() {
        let key: Vec<String> = p.key.split('.').map(q).collect();
        let values: Vec<String> = g.particles.iter().map(|x| exact(x.theta[i])).collect();
        let weights: Vec<String> = g.particles.iter().map(|x| exact(x.weight)).collect();
        let _ = writeln!(
            s,
            "{} = {{ dist = \"empirical\", values = [{}], weights = [{}] }}",
            key.join("."),
            values.join(", "),
            weights.join(", ")
        );
    }
    let _ = writeln!(s, "\n[scenario]\nname = {}", q(name));
    s
}

/// The closing table.
pub fn render(priors: &[Prior], st: &State, replications: u64) -> String {
    let Some(last) = st.generations.last() else {
        return "no generation completed\n".into();
    };
    let ms = marginals(priors, last);
    let w = priors.iter().map(|p| p.key.len()).max().unwrap_or(9).max(9);
    let mut s = format!(
        "{:<w$}  {:>9}  {:>9}  {:>21}  prior\n",
        "parameter", "mean", "sd", "80% interval"
    );
    for (m, p) in ms.iter().zip(priors) {
        let _ = writeln!(
            s,
            "{:<w$}  {:>9}  {:>9}  {:>21}  {}",
            m.key,
            short(m.mean),
            short(m.sd),
            format!("[{}, {}]", short(m.p10), short(m.p90)),
            p.describe()
        );
    }
    let sims: u64 = st.generations.iter().map(|g| g.candidates).sum();
    let _ = writeln!(
        s,
        "generation {} of {}: tolerance {}, acceptance rate {}, ESS {:.1} of {} particles; {} simulated particles × {} replications",
        last.index,
        st.generations.len(),
        short(last.tolerance),
        short(last.acceptance_rate),
        last.ess,
        last.particles.len(),
        sims,
        replications
    );
    if let Some(why) = &st.stopped {
        let _ = writeln!(s, "stopped early: {why}");
    }
    s
}

/// Writes a text file into the staging folder.
pub fn write_text(staging: &Staging, rel: &str, text: &str) -> Result<()> {
    staging.write_file(rel, |w: &mut dyn Write| {
        w.write_all(text.as_bytes())?;
        Ok(())
    })
}
