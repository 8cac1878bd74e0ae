//! `trisim score RESULTS --observed FILE...`: scores a run against observations.

use anyhow::{bail, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;
use trisim::output::{Staging, Target};
use trisim::score::{self, files};

pub const SCORE_ABOUT: &str = "\
Score a run against observations: how well do the simulated worlds of each path bracket what \
actually happened? RESULTS is a `trisim run` results folder; per-month values come from its \
records.csv (written with `trisim run --record 2016-06,2019-05` or `--record monthly`, or \
`[output] record_months`), outcomes from its runs.csv.

An observation file is a CSV with the header `series,month,value[,sd][,source]` (any column \
order; other columns ignored). A series is a records.csv column (f_kr, rung.intelligence, \
settlements), a threshold on one (rung.intelligence>=2, issue.comfort_women.status==repudiated: \
a binary series, values 0/1), or an outcome of runs.csv (peak_ci) at the run's last month. \
`sd` is an observation error: the simulated values are then compared with N(0, sd²) noise \
added.

For each path and series: the number of observations; the share inside the simulated 50%, \
80% and 90% central bands (well calibrated: about 50/80/90%); the CRPS (lower is better) and \
its skill against a no-change forecast (the first observation carried forward; > 0 beats it); \
the RMSE of the simulated median; the share of month-to-month changes whose direction the \
median gets right; for binary series the Brier score and its skill against no change, and \
the first-passage month (simulated median − observed, share of worlds never passing). \
Then a summary per path. Formulas: docs/score.md.

Writes score.json, score.csv and one chart per series and path (charts/PATH--SERIES.png and \
.svg: the simulated fan with the observed points) into RESULTS/score/ or --out DIR; an \
existing score is replaced only with --force.

Example:
  trisim run scenarios/history/2015.toml --record monthly -o runs/h2015
  trisim score runs/h2015 --observed data/history/observations.csv";

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// A `trisim run` results folder (manifest.json, runs.csv, records.csv).
    #[arg(value_name = "RESULTS")]
    pub results: PathBuf,
    /// Observation file(s): CSV with header `series,month,value[,sd][,source]`. Repeat the
    /// option for several files.
    #[arg(long, value_name = "FILE", required = true)]
    pub observed: Vec<PathBuf>,
    /// Score only this path (default: every path of the run, each separately).
    #[arg(long, value_name = "NAME")]
    pub path: Option<String>,
    /// Write the score into DIR (default: RESULTS/score).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace an existing score folder (a folder holding anything else is never replaced).
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors; standard output gets only the path of the score folder.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn score(a: &ScoreArgs) -> Result<ExitCode> {
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| score::default_out(&a.results));
    if !a.force && out.is_dir() && std::fs::read_dir(&out)?.next().is_some() {
        bail!(
            "{} already holds a score (or other files); pass --force to replace a previous score, or --out DIR",
            out.display()
        );
    }
    let scores = score::score(&score::Options {
        results: a.results.clone(),
        observed: a.observed.clone(),
        path: a.path.clone(),
    })?;
    let staging = Staging::create(
        Target::Exact {
            dir: out,
            force: a.force,
        },
        SystemTime::now(),
    )?;
    files::write_all(&scores, &staging)?;
    let dest = staging.commit()?;
    super::print_result(
        &format!("{}\n", files::render(&scores)),
        "Score written to",
        &dest,
    )?;
    Ok(ExitCode::SUCCESS)
}
