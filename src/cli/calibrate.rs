//! `trisim calibrate SCENARIO --observed FILE --param ADDR=LOW..HIGH ...`: ABC-SMC.

use super::{load_for_run, print_result, progress, resume, Loaded};
use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime};
use trisim::calibrate::distance::{score_all, Target};
use trisim::calibrate::prior::{self, Prior};
use trisim::calibrate::simulate::Simulator;
use trisim::calibrate::smc::{self, Settings, State};
use trisim::calibrate::{charts, output as out};
use trisim::engine::{self, Overrides, RunPlan};
use trisim::output::files::{sha256_hex, write_json};
use trisim::output::{self, Staging};
use trisim::rng::{keyed_stream, stable_hash};
use trisim::scenario;
use trisim::scenario::param::{Dist, Param};
use trisim::score;

pub const CALIBRATE_ABOUT: &str = "\
Calibrate parameters of a scenario against observed series by approximate Bayesian \
computation with sequential Monte Carlo (ABC-SMC; Toni et al. 2009, Beaumont et al. 2009): \
populations of parameter values (particles) under decreasing tolerances, each particle \
simulated on R replications that share their random numbers with every other particle \
(common random numbers), and accepted when the distance between its simulated worlds and \
the observations is within the tolerance.

Priors: --param ADDR=LOW..HIGH is uniform on [LOW, HIGH]; --param ADDR alone takes the \
parameter's distribution as written in the scenario (e.g. `a_f = { dist = \"beta\", alpha = 2, \
beta = 5 }`); both are truncated to the parameter's valid range.

Observations: the CSV files of `trisim score` (series,month,value[,sd]); the distance is the \
mean over series of each series' CRPS (Brier score for thresholds) divided by that of the \
no-change forecast (docs/calibrate.md).

Writes into a new folder results/<scenario-name>-calibrate/<run-id>/ (or --out DIR): \
posterior.csv (the last generation: one column per parameter, weight, distance), \
particles.csv (every generation), generations.csv (tolerance, acceptance rate, simulations, \
effective sample size), posterior.toml (a scenario that extends the input with each \
calibrated parameter as an empirical distribution: run, sweep or sensitivity on it draw from \
the posterior), predictive.csv and charts/ (prior vs posterior marginals, pairwise posterior, \
posterior-predictive fan of each series with the observed points), manifest.json. A table \
of the posterior is printed at the end. Ctrl-C stops at the end of the current generation's \
batch and leaves a folder that --resume continues (same results as an uninterrupted run).

Example:
  trisim calibrate scenarios/history/2015.toml --observed scenarios/history/observed-2015-2019.csv \\
      --param world.opinion.a_f=0.01..0.3 --particles 100 --generations 4 --replications 20";

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Scenario file (TOML).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// Observation file(s), as for `trisim score`: CSV `series,month,value[,sd][,source]`.
    #[arg(long, value_name = "FILE", required = true)]
    pub observed: Vec<PathBuf>,
    /// A calibrated parameter: ADDR=LOW..HIGH (uniform prior) or ADDR (its distribution in
    /// the scenario). Repeat for several parameters.
    #[arg(long = "param", value_name = "ADDR[=LOW..HIGH]", required = true)]
    pub params: Vec<String>,
    /// Particles per generation.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(2..))]
    pub particles: u64,
    /// Most generations (generation 0 samples the prior).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub generations: u64,
    /// Replications per particle (the simulated ensemble a distance is computed on).
    #[arg(long, short = 'n', default_value_t = 30, value_parser = clap::value_parser!(u64).range(2..))]
    pub replications: u64,
    /// Next tolerance = this quantile of the previous generation's distances.
    #[arg(long, default_value_t = 0.5)]
    pub alpha: f64,
    /// Stop when a generation's acceptance rate falls below this.
    #[arg(long, default_value_t = 0.02)]
    pub min_acceptance: f64,
    /// Replications of the posterior-predictive check (drawn from the posterior).
    #[arg(long, default_value_t = 400, value_parser = clap::value_parser!(u64).range(2..))]
    pub predictive: u64,
    /// Path simulated (default: the scenario's reference path).
    #[arg(long, value_name = "NAME")]
    pub path: Option<String>,
    /// Master seed (overrides `scenario.seed`); it also drives every draw of the algorithm.
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, short = 't', value_parser = clap::value_parser!(u64).range(1..))]
    pub threads: Option<u64>,
    /// Write exactly into DIR (must not exist or be empty, unless --force).
    #[arg(long, short = 'o', value_name = "DIR", conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// With --out: replace a previous trisim result in DIR.
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Continue an interrupted calibration: DIR is the hidden folder it left (printed when it
    /// was interrupted). Give the same scenario and options.
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// Print nothing but errors; standard output gets only the results folder's path.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// (Testing) behave as if Ctrl-C were pressed after this many generations in all.
    #[arg(long, hide = true, value_name = "G")]
    pub stop_after: Option<usize>,
}

const CHECKPOINT: &str = "calibrate-checkpoint.json";

pub fn calibrate(a: &CalibrateArgs) -> Result<ExitCode> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let Loaded {
        scenario: s,
        bytes,
        sources,
    } = load_for_run(&a.scenario)?;
    if !(a.alpha > 0.0 && a.alpha < 1.0) {
        bail!(
            "--alpha must be between 0 and 1 (exclusive), got {}",
            a.alpha
        );
    }
    if !(0.0..1.0).contains(&a.min_acceptance) {
        bail!(
            "--min-acceptance must be in [0, 1), got {}",
            a.min_acceptance
        );
    }
    let plan = RunPlan::new(
        &s,
        &Overrides {
            seed: a.seed,
            threads: a.threads.map(|t| t as usize),
            ..Default::default()
        },
    )?;
    let path_name = a
        .path
        .clone()
        .unwrap_or_else(|| s.scenario.reference_path.clone());
    let path = s.paths.get_index_of(&path_name).with_context(|| {
        format!(
            "--path {path_name}: no such path{}",
            scenario::validate::did_you_mean(&path_name, s.paths.keys().map(String::as_str))
                .map(|h| format!("; {h}"))
                .unwrap_or_default()
        )
    })?;
    let mut priors: Vec<Prior> = Vec::new();
    for p in &a.params {
        let (key, range) = prior::parse_param(p)?;
        if priors.iter().any(|q| q.key == key) {
            bail!("--param names `{key}` twice");
        }
        priors.push(prior::prior(&s, &key, range)?);
    }
    let tracks = engine::track_keys(&s, plan.seed);
    let target = Target::new(&s, &a.observed, &tracks)?;
    let set = Settings {
        particles: a.particles as usize,
        generations: a.generations as usize,
        alpha: a.alpha,
        min_acceptance: a.min_acceptance,
        seed: plan.seed,
    };
    let sim = Simulator {
        base: &s,
        target: &target,
        keys: priors.iter().map(|p| p.key.clone()).collect(),
        path,
        seed: plan.seed,
        replications: a.replications,
        pool: rayon::ThreadPoolBuilder::new()
            .num_threads(plan.threads)
            .build()
            .context("cannot start the worker threads")?,
    };
    // The calibration's identity, for --resume.
    let mut observed_hash = String::new();
    for f in &a.observed {
        observed_hash.push_str(&sha256_hex(&std::fs::read(f)?));
    }
    let key = sha256_hex(
        format!(
            "{}|{:?}|{}|{path_name}|{observed_hash}|{}",
            scenario::to_toml(&s),
            priors,
            a.replications,
            serde_json::to_string(&set)?
        )
        .as_bytes(),
    );
    let (staging, mut state) = match &a.resume {
        Some(dir) => {
            let st = resume::reopen_staging(dir, &key)?;
            let text = std::fs::read_to_string(dir.join(CHECKPOINT)).with_context(|| {
                format!("{} has no checkpoint (it stopped before its first generation): run it again without --resume", dir.display())
            })?;
            let state: State = serde_json::from_str(&text)
                .with_context(|| format!("the checkpoint in {} is damaged", dir.display()))?;
            progress::note(format_args!(
                "resuming after {} generation(s)",
                state.generations.len()
            ));
            (st, state)
        }
        None => {
            let dest = super::results_target(a.out.as_ref(), a.force, &s, "-calibrate");
            let st = Staging::create(dest, started)?;
            resume::start(&st, &key)?;
            (st, State::default())
        }
    };
    resume::install_handler();
    while !state.done(&set) {
        let g = state.generations.len();
        let mut bar =
            progress::Bar::replications(&format!("generation {g}"), set.particles as u64, 0);
        let finished = smc::step(&mut state, &priors, &set, &Model(&sim), &mut |done, n| {
            bar.update(done as u64, n as u64);
            !resume::interrupted()
        })?;
        drop(bar);
        if finished {
            let text = serde_json::to_string(&state)?;
            out::write_text(&staging, CHECKPOINT, &text)?;
            if let Some(last) = state.generations.last().filter(|l| l.index == g) {
                progress::note(format_args!(
                    "generation {g}: tolerance {}, acceptance rate {:.3}, ESS {:.1}",
                    trisim::scenario::param::short(last.tolerance),
                    last.acceptance_rate,
                    last.ess
                ));
            }
        }
        let stop =
            resume::interrupted() || a.stop_after.is_some_and(|k| state.generations.len() >= k);
        if stop && !state.done(&set) {
            let dir = staging.keep();
            eprintln!(
                "stopped after {} of {} generations; they are saved in {}.\nTo finish the calibration (same results as an uninterrupted one):\n  {}",
                state.generations.len(),
                set.generations,
                dir.display(),
                resume::resume_command(&dir)
            );
            return Ok(ExitCode::from(130));
        }
    }
    let Some(last) = state.generations.last().cloned() else {
        bail!(
            "no generation completed: {}",
            state.stopped.clone().unwrap_or_default()
        );
    };

    // Files.
    out::write_text(
        &staging,
        "posterior.csv",
        &out::posterior_csv(&priors, &last),
    )?;
    out::write_text(
        &staging,
        "particles.csv",
        &out::particles_csv(&priors, &state),
    )?;
    out::write_text(
        &staging,
        "generations.csv",
        &out::generations_csv(&state, a.replications),
    )?;
    let extends = relative_to(&a.scenario, staging.destination())?;
    let note = format!(
        "Posterior of `trisim calibrate` (generation {}, {} particles, tolerance {}): each calibrated\nparameter is drawn once per replication from its weighted particles.",
        last.index,
        last.particles.len(),
        trisim::scenario::param::short(last.tolerance)
    );
    let overlay_text = out::overlay_toml(
        &priors,
        &last,
        &extends,
        &format!("{}-posterior", s.scenario.name),
        &note,
    );
    out::write_text(&staging, "posterior.toml", &overlay_text)?;

    // Posterior-predictive check: the scenario with the posterior as empirical distributions.
    let mut overlay = s.clone();
    for (i, p) in priors.iter().enumerate() {
        let d = Param::Dist(Dist::Empirical {
            values: last.particles.iter().map(|q| q.theta[i]).collect(),
            weights: last.particles.iter().map(|q| q.weight).collect(),
        });
        let mut set_it = |k: &str, par: &mut Param, _| {
            if k == p.key {
                *par = d.clone();
            }
        };
        use trisim::scenario::param::VisitParams;
        overlay.visit_params(&mut scenario::param::ParamVisitor::new(&mut set_it));
    }
    let predicted = sim.run(&overlay, a.predictive, true);
    let scored = score_all(&target, &predicted);
    let mut run = target.run.clone();
    run.replications = a.predictive as usize;
    run.paths = vec![path_name.clone()];
    let scores = score::Scores {
        run,
        observed_files: a.observed.clone(),
        recorded: Vec::new(),
        paths: vec![],
    };
    let mut stems = Vec::new();
    let mut pred_csv = String::from("series,month,observed,p10,p50,p90,crps\n");
    for sc in &scored {
        let stem = format!("predictive--{}", output::dir::safe_name(&sc.series));
        score::charts::write(&staging, &stem, &path_name, sc, &scores)?;
        stems.push(stem);
        for p in &sc.points {
            pred_csv.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                trisim::output::files::csv_field(&sc.series),
                p.month,
                p.value,
                p.quantiles[1],
                p.quantiles[3],
                p.quantiles[5],
                p.crps
            ));
        }
    }
    out::write_text(&staging, "predictive.csv", &pred_csv)?;
    let mut draws = vec![Vec::new(); priors.len()];
    let mut rng = keyed_stream(plan.seed, 0, stable_hash("calibrate.prior_chart"));
    for _ in 0..4000 {
        for (i, p) in priors.iter().enumerate() {
            draws[i].push(p.draw(&mut rng));
        }
    }
    charts::write(&staging, &priors, &draws, &last)?;
    for (i, p) in priors.iter().enumerate() {
        stems.push(format!("marginal--{}", p.key));
        for q in &priors[i + 1..] {
            stems.push(format!("pairs--{}--{}", p.key, q.key));
        }
    }
    let marg = out::marginals(&priors, &last);
    let manifest = json!({
        "trisim_version": env!("CARGO_PKG_VERSION"),
        "command": "calibrate",
        "scenario_file": a.scenario.to_string_lossy(),
        "scenario_sha256": sha256_hex(&bytes),
        "scenario_sources": sources.iter().map(|(f, h)| json!({ "file": f, "sha256": h })).collect::<Vec<_>>(),
        "observed": a.observed.iter().map(|f| f.to_string_lossy()).collect::<Vec<_>>(),
        "seed": plan.seed,
        "path": path_name,
        "threads": plan.threads,
        "particles": set.particles,
        "generations": set.generations,
        "generations_run": state.generations.len(),
        "replications_per_particle": a.replications,
        "alpha": set.alpha,
        "min_acceptance": set.min_acceptance,
        "predictive_replications": a.predictive,
        "stopped_early": state.stopped,
        "priors": priors.iter().map(|p| json!({ "address": p.key, "prior": p.describe() })).collect::<Vec<_>>(),
        "posterior": marg.iter().map(|m| json!({ "address": m.key, "mean": m.mean, "sd": m.sd, "p10": m.p10, "p50": m.p50, "p90": m.p90 })).collect::<Vec<_>>(),
        "final_tolerance": last.tolerance,
        "ess": last.ess,
        "charts": stems,
        "started_at": output::dir::rfc3339(started),
        "wall_time_seconds": clock.elapsed().as_secs_f64(),
        "effective_scenario": scenario::to_toml(&s),
    });
    staging.write_file("manifest.json", |w| write_json(w, &manifest))?;
    staging.remove_file(CHECKPOINT)?;
    staging.remove_file(resume::RESUME)?;
    let dest = staging.commit()?;
    print_result(
        &format!("{}\n", out::render(&priors, &state, a.replications)),
        "Calibration written to",
        &dest,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The simulator as the algorithm's model.
struct Model<'a, 'b>(&'a Simulator<'b>);

impl smc::Model for Model<'_, '_> {
    fn distances(&self, thetas: &[Vec<f64>]) -> Vec<f64> {
        self.0.distances(thetas)
    }
    fn valid(&self, theta: &[f64]) -> bool {
        self.0.valid(theta)
    }
}

/// `file` as a path relative to folder `dir` (which need not exist yet; its parent does).
fn relative_to(file: &Path, dir: &Path) -> Result<String> {
    let file = std::fs::canonicalize(file)
        .with_context(|| format!("cannot resolve {}", file.display()))?;
    let parent = dir.parent().unwrap_or(Path::new("."));
    let parent = std::fs::canonicalize(if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    })?;
    let dir = parent.join(dir.file_name().unwrap_or_default());
    let a: Vec<_> = file.components().collect();
    let b: Vec<_> = dir.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut rel = PathBuf::new();
    for _ in common..b.len() {
        rel.push("..");
    }
    for c in &a[common..] {
        rel.push(c);
    }
    Ok(rel.to_string_lossy().into_owned())
}
