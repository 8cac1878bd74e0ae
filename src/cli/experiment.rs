//! `trisim sweep`, `trisim sensitivity` and `trisim discover`.

use super::{load_for_run, print_result, progress, resume, CommonArgs, Loaded};
use anyhow::{anyhow, bail, Result};
use clap::{Args, ValueEnum};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Instant, SystemTime};
use trisim::engine::sensitivity::{self, check_outcome, run_sensitivity, SensitivityResults};
use trisim::engine::sweep::{run_sweep, Design, SweepResults};
use trisim::engine::{Overrides, RunPlan};
use trisim::experiment::analysis::{influence, prim};
use trisim::experiment::condition;
use trisim::model::Better;
use trisim::output::files::{self, write_json};
use trisim::output::{self, experiment_charts, sweep_files, Staging, Target as OutTarget};
use trisim::scenario::param::{num, short};
use trisim::scenario::sweep::{DesignKind, Sweep, SweepParam, SweepRange, DEFAULT_SOBOL_N};
use trisim::scenario::{self, validate, Scenario};

pub const SWEEP_ABOUT: &str = "\
Run a parameter sweep: every design point × path × replication, on common random numbers \
(replication r is the same world at every point and for every path, except for the swept \
values). The design comes from the scenario's [sweep] table, or from --param options (which \
replace the table's parameters).

--param forms:  ADDR=V1,V2,...        listed values (grid)
                ADDR=LOW..HIGH:STEPS  STEPS evenly spaced values (grid)
                ADDR=LOW..HIGH        a range (lhs, sobol)
ADDR is a parameter address: the dotted key of a numeric parameter, e.g. \
actors.seoul.favourability, world.nk.surge.mean, paths.hasty.transparency, \
history.issues.forced_labor.salience.

Writes sweep.csv (one row per point × path: swept values, each outcome's mean, 95% CI, \
quantiles and the paired difference against the reference path), sweep.json (the design) and \
charts into a new folder results/<scenario-name>-sweep/<run-id>/ (or --out DIR).

Examples:
  trisim sweep scenarios/experiments/favourability-x-salience.toml
  trisim sweep scenarios/baseline.toml --paths gradual,hasty -n 500 \\
      --param actors.seoul.favourability=0.1..0.5:5 --param world.politics.b_crit=0.8,1,1.2";

pub const SENSITIVITY_ABOUT: &str = "\
Variance-based (Sobol') sensitivity of one outcome, or of a paired difference between two \
paths, to the swept parameters: first-order and total indices with bootstrap 95% CIs from \
Saltelli's design (n × (parameters + 2) points, each run with the given replications), plus a \
one-at-a-time tornado (each parameter at the low and high end of its range, the others as in \
the scenario).

Parameters and ranges come from the scenario's [sweep] table (listed values count as the \
range from their smallest to their largest) or from --param ADDR=LOW..HIGH.

Writes sensitivity.csv, sensitivity.json, the Saltelli points as sweep.csv / sweep.json (so \
`trisim discover` can run on them) and the charts sobol_indices and tornado.

Example:
  trisim sensitivity scenarios/experiments/sensitivity-hasty-gradual.toml \\
      --outcome final_ci --path-diff hasty:gradual";

pub const DISCOVER_ABOUT: &str = "\
Scenario discovery with PRIM (Friedman & Fisher 1999) over the points of a finished sweep: \
which box of parameter ranges holds the points where a condition on the paths' mean outcomes \
is true? Prints the peeling trajectory (coverage vs density) and the chosen box, and writes \
discovery.json, prim_trajectory.csv and the chart prim_trajectory into \
SWEEP_DIR/discoveries/<run-id>/ (or --out DIR).

A condition compares mean outcomes of paths at a point: PATH.OUTCOME, numbers, + - * /, \
comparisons (< <= > >= == !=), and/or/not, parentheses. Write spaces around a minus sign, and \
write --when=\"...\" when the condition itself starts with a minus sign.

Examples:
  trisim discover results/fav-x-salience-sweep/20261122T180000Z --when \"hasty.final_ci > gradual.final_ci\"
  trisim discover DIR --when \"hasty.final_ci - gradual.final_ci >= 0.05 and hasty.kr_crises <= gradual.kr_crises + 1\"";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DesignArg {
    Grid,
    Lhs,
    Sobol,
}

impl From<DesignArg> for DesignKind {
    fn from(d: DesignArg) -> DesignKind {
        match d {
            DesignArg::Grid => DesignKind::Grid,
            DesignArg::Lhs => DesignKind::Lhs,
            DesignArg::Sobol => DesignKind::Sobol,
        }
    }
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Comma-separated paths to run (overrides `scenario.paths`); the reference path is always
    /// added.
    #[arg(long, short = 'p', value_name = "a,b", value_delimiter = ',')]
    pub paths: Option<Vec<String>>,
    /// A swept parameter (repeatable; replaces the [sweep] table's parameters): ADDR=V1,V2,...
    /// or ADDR=LOW..HIGH:STEPS (grid), ADDR=LOW..HIGH (lhs, sobol).
    #[arg(long = "param", value_name = "ADDR=SPEC")]
    pub params: Vec<String>,
    /// Design (overrides `sweep.design`).
    #[arg(long, value_enum)]
    pub design: Option<DesignArg>,
    /// Points of an lhs design, base samples of a sobol design (overrides `sweep.n`).
    #[arg(long = "points", value_name = "N", value_parser = clap::value_parser!(u64).range(2..))]
    pub n: Option<u64>,
    /// Outcome of the charts and the printed summary (default: `score` if the scenario defines
    /// one, else `final_ci`).
    #[arg(long, value_name = "OUTCOME")]
    pub outcome: Option<String>,
    /// Run only shard I of N (0 <= I < N) of the design points and write a partial result for
    /// `trisim merge`; `auto/N` takes I from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or
    /// PARALLEL_SEQ − 1.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
}

#[derive(Debug, Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// A parameter and its range (repeatable; replaces the [sweep] table's parameters):
    /// ADDR=LOW..HIGH (listed values ADDR=V1,V2,... count as their smallest..largest).
    #[arg(long = "param", value_name = "ADDR=LOW..HIGH")]
    pub params: Vec<String>,
    /// Outcome analysed (overrides `sweep.outcome`; default `score` if the scenario defines
    /// one, else `final_ci`).
    #[arg(long, value_name = "OUTCOME")]
    pub outcome: Option<String>,
    /// Analyse the paired difference A − B of the outcome (overrides `sweep.path_diff`;
    /// default: the first other path − the reference path).
    #[arg(long, value_name = "A:B", conflicts_with = "path")]
    pub path_diff: Option<String>,
    /// Analyse one path's outcome instead of a difference.
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
    /// Base samples of the Saltelli design (overrides `sweep.n` of a sobol sweep; default 256).
    /// A power of two is best.
    #[arg(long = "samples", value_name = "N", value_parser = clap::value_parser!(u64).range(2..))]
    pub n: Option<u64>,
    /// Bootstrap resamples for the confidence intervals of the indices.
    #[arg(long, value_name = "B", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(100..=100_000))]
    pub bootstrap: u64,
}

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// A folder written by `trisim sweep` (or `trisim sensitivity`).
    #[arg(value_name = "SWEEP_DIR")]
    pub sweep_dir: PathBuf,
    /// The condition whose region is sought, e.g. "hasty.final_ci > gradual.final_ci".
    #[arg(long, value_name = "CONDITION")]
    pub when: String,
    /// Density a box must reach to be chosen (the first such box along the trajectory, i.e.
    /// the one with the largest coverage; without one, the densest box).
    #[arg(long, value_name = "D", default_value_t = 0.8, value_parser = parse_unit)]
    pub threshold: f64,
    /// Share of the points in the box peeled off at each step.
    #[arg(long, value_name = "A", default_value_t = 0.05, value_parser = parse_unit)]
    pub peel_alpha: f64,
    /// Smallest share of all points a box may hold.
    #[arg(long, value_name = "M", default_value_t = 0.05, value_parser = parse_unit)]
    pub mass_min: f64,
    /// Write exactly into DIR instead of SWEEP_DIR/discoveries/<run-id>/.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// With --out: replace a previous trisim result in DIR.
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Print nothing but errors: no progress bar, notes or summary table; standard output
    /// gets only the path of the results folder (for scripts: DIR=$(trisim … -q)).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

fn parse_unit(s: &str) -> std::result::Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        Ok(x) => Err(format!("expected a number in [0, 1], got {x}")),
        Err(_) => Err(format!("expected a number in [0, 1], got `{s}`")),
    }
}

/// Parses `ADDR=V1,V2`, `ADDR=LOW..HIGH:STEPS` or `ADDR=LOW..HIGH`.
pub fn parse_param(text: &str) -> Result<(String, SweepParam)> {
    let bad = |why: &str| {
        anyhow!(
            "--param `{text}`: {why}; expected ADDR=V1,V2,... or ADDR=LOW..HIGH:STEPS (grid) or ADDR=LOW..HIGH (lhs, sobol)"
        )
    };
    let (addr, spec) = text.split_once('=').ok_or_else(|| bad("no `=`"))?;
    let addr = addr.trim();
    if addr.is_empty() {
        return Err(bad("no parameter address before `=`"));
    }
    let number = |s: &str| -> Result<f64> {
        let x: f64 = s
            .trim()
            .parse()
            .map_err(|_| bad(&format!("`{}` is not a number", s.trim())))?;
        if !x.is_finite() {
            return Err(bad(&format!("`{}` is not a finite number", s.trim())));
        }
        Ok(x)
    };
    let p = if let Some((low, rest)) = spec.split_once("..") {
        if rest.starts_with('.') {
            return Err(bad("write a range as LOW..HIGH with two dots"));
        }
        let (high, steps) = match rest.split_once(':') {
            Some((h, st)) => {
                let st: u64 = st
                    .trim()
                    .parse()
                    .map_err(|_| bad(&format!("steps `{}` is not a whole number", st.trim())))?;
                (h, Some(st))
            }
            None => (rest, None),
        };
        SweepParam {
            values: None,
            range: Some(SweepRange {
                low: number(low)?,
                high: number(high)?,
                steps,
            }),
        }
    } else {
        let values = spec.split(',').map(number).collect::<Result<Vec<f64>>>()?;
        SweepParam {
            values: Some(values),
            range: None,
        }
    };
    Ok((addr.to_string(), p))
}

/// Primary outcome: the option, or `score` if defined, else `final_ci`.
fn primary_outcome(res: &SweepResults, asked: Option<&str>) -> Result<usize> {
    let keys: Vec<&str> = res.layout.outcomes.iter().map(|o| o.key.as_str()).collect();
    match asked {
        Some(k) => res.outcome_index(k).ok_or_else(|| {
            let hint = validate::did_you_mean(k, keys.iter().copied())
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            anyhow!("unknown outcome `{k}`{hint}")
        }),
        None => res
            .outcome_index("score")
            .or_else(|| res.outcome_index("final_ci"))
            .ok_or_else(|| anyhow!("no final_ci outcome")),
    }
}

/// The scenario's sweep with the command-line changes applied and checked.
fn effective_sweep(
    s: &mut Scenario,
    params: &[String],
    design: Option<DesignKind>,
    n: Option<u64>,
) -> Result<Sweep> {
    let mut sw = s.sweep.clone().unwrap_or(Sweep {
        design: DesignKind::Grid,
        n: None,
        replications: None,
        outcome: None,
        path_diff: None,
        parameters: Default::default(),
    });
    let changed = !params.is_empty() || design.is_some() || n.is_some();
    if !params.is_empty() {
        sw.parameters.clear();
        for p in params {
            let (k, v) = parse_param(p)?;
            if sw.parameters.insert(k.clone(), v).is_some() {
                bail!("--param names `{k}` twice");
            }
        }
    }
    if let Some(d) = design {
        if d != sw.design && n.is_none() {
            sw.n = None;
        }
        sw.design = d;
    }
    if n.is_some() {
        sw.n = n;
    }
    if sw.parameters.is_empty() {
        bail!(
            "nothing to sweep: the scenario has no [sweep] table with parameters and no --param was given"
        );
    }
    if changed {
        s.sweep = Some(sw.clone());
        validate::check(s, "command-line options")?;
    }
    s.sweep = Some(sw.clone());
    Ok(sw)
}

#[allow(clippy::too_many_arguments)]
fn manifest(
    dir: &Staging,
    command: &str,
    c: &CommonArgs,
    bytes: &[u8],
    sources: &[(String, String)],
    s: &Scenario,
    plan: &RunPlan,
    path_names: &[String],
    started: SystemTime,
    clock: Instant,
    extra: Value,
) -> Result<()> {
    files::write_manifest(
        dir,
        &files::Manifest {
            command,
            scenario_file: &c.scenario.to_string_lossy(),
            scenario_sha256: files::sha256_hex(bytes),
            sources,
            effective_scenario_toml: scenario::to_toml(s),
            seed: plan.seed,
            replications: plan.replications,
            paths: path_names,
            reference_path: &path_names[plan.reference],
            threads: plan.threads,
            block_size: plan.block_size,
            runs_csv: false,
            started_at: output::dir::rfc3339(started),
            wall_time_seconds: clock.elapsed().as_secs_f64(),
            extra,
        },
    )
}

fn path_names(s: &Scenario, plan: &RunPlan) -> Vec<String> {
    plan.paths
        .iter()
        .filter_map(|i| s.paths.get_index(*i).map(|(k, _)| k.clone()))
        .collect()
}

/// The two most influential parameters on the paired differences of `outcome` (all
/// non-reference paths pooled by point: the difference of the first non-reference path).
fn most_influential(res: &SweepResults, outcome: usize) -> Option<(usize, usize)> {
    if res.design.keys.len() < 2 {
        return None;
    }
    let p = (0..res.layout.path_names.len()).find(|p| *p != res.layout.reference)?;
    let (xs, y): (Vec<Vec<f64>>, Vec<f64>) = res
        .points
        .iter()
        .filter(|pt| pt.paired[p][outcome].mean_diff.is_finite())
        .map(|pt| (pt.values.clone(), pt.paired[p][outcome].mean_diff))
        .unzip();
    if y.len() < 2 {
        return Some((0, 1));
    }
    let ranked = influence::rank_parameters(&xs, &y).ok()?;
    match ranked.as_slice() {
        [a, b, ..] => Some((a.0, b.0)),
        _ => Some((0, 1)),
    }
}

pub fn sweep(a: &SweepArgs) -> Result<ExitCode> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let c = &a.common;
    let Loaded {
        scenario: mut s,
        bytes,
        sources,
    } = load_for_run(&c.scenario)?;
    let sw = effective_sweep(&mut s, &a.params, a.design.map(Into::into), a.n)?;
    if let Some(o) = &a.outcome {
        check_outcome(&s, o)?;
    }
    let mut overrides: Overrides = c.overrides(a.paths.clone());
    overrides.replications = c.replications.or(sw.replications);
    let plan = RunPlan::new(&s, &overrides)?;
    let size_check = if a.shard.is_none() { 1.0 } else { 0.0 };
    c.check_size(
        "this sweep",
        size_check
            * sw.points() as f64
            * plan.replications as f64
            * plan.paths.len() as f64
            * s.scenario.horizon_months as f64,
    )?;
    let design = Design::from_sweep(&s, &sw, plan.seed)?;
    let names = path_names(&s, &plan);
    s.scenario.seed = plan.seed;
    s.scenario.paths = names.clone();
    if let Some(sw) = &mut s.sweep {
        sw.replications = Some(plan.replications);
    }
    if let Some(spec) = &a.shard {
        let sh = super::shard::parse_shard(spec, &|v| std::env::var(v).ok())?;
        let staging = Staging::create(
            c.target(&s, &format!("-sweep-shard-{}-of-{}", sh.index, sh.count)),
            started,
        )?;
        return super::shard::run_sweep_shard(
            &Loaded {
                scenario: s.clone(),
                bytes,
                sources,
            },
            &s,
            &design,
            &plan,
            &names,
            a.outcome.as_deref(),
            sh,
            &c.scenario,
            staging,
            started,
        );
    }
    let staging = Staging::create(c.target(&s, "-sweep"), started)?;
    resume::install_discard_handler();
    progress::note(format_args!(
        "sweep: {} design ({} point(s) × {} path(s) × {} replication(s))",
        design.kind.name(),
        design.points.len(),
        plan.paths.len(),
        plan.replications
    ));
    let mut bar = progress::Bar::points("sweep", design.points.len() as u64, plan.replications);
    let res = run_sweep(&s, &design, &plan, Some(&mut bar.callback()))?;
    drop(bar);
    let (outcome, influential, charts) =
        write_sweep_outputs(&staging, &res, a.outcome.as_deref(), &s.scenario.name)?;
    manifest(
        &staging,
        "sweep",
        c,
        &bytes,
        &sources,
        &s,
        &plan,
        &names,
        started,
        clock,
        json!({ "design": design.kind.name(), "points": design.points.len(), "charts": charts }),
    )?;
    let dest = staging.commit()?;
    super::link_latest(&dest, &s, "-sweep");
    let text = sweep_summary(&res, outcome, influential);
    print_result(&format!("{text}\n"), "Results written to", &dest)?;
    Ok(ExitCode::SUCCESS)
}

/// The primary outcome, the two most influential parameters and the chart stems of a sweep.
pub type SweepOutputs = (usize, Option<(usize, usize)>, Vec<String>);

/// Writes sweep.csv, sweep.json and the charts of a sweep; returns the primary outcome, the
/// two most influential parameters and the chart stems.
pub fn write_sweep_outputs(
    staging: &Staging,
    res: &SweepResults,
    outcome: Option<&str>,
    scenario_name: &str,
) -> Result<SweepOutputs> {
    let outcome = primary_outcome(res, outcome)?;
    sweep_files::write_sweep_csv(staging, res)?;
    sweep_files::write_sweep_json(staging, res, scenario_name)?;
    let influential = most_influential(res, outcome);
    let charts = experiment_charts::sweep_charts(staging, res, outcome, influential)?;
    Ok((outcome, influential, charts))
}

/// Which path is best at each point (by the mean of `outcome`; ties → reference).
fn winners(res: &SweepResults, outcome: usize) -> Vec<usize> {
    let better = res.layout.outcomes[outcome].better;
    res.points
        .iter()
        .map(|pt| {
            let mut best = res.layout.reference;
            for p in 0..res.layout.path_names.len() {
                let x = pt.outcomes[p][outcome].mean;
                let b = pt.outcomes[best][outcome].mean;
                let wins = match better {
                    Better::Higher => x > b,
                    Better::Lower => x < b,
                    Better::Neither => false,
                };
                if wins {
                    best = p;
                }
            }
            best
        })
        .collect()
}

/// The terminal summary of a sweep.
pub fn sweep_summary(
    res: &SweepResults,
    outcome: usize,
    influential: Option<(usize, usize)>,
) -> String {
    let l = &res.layout;
    let o = &l.outcomes[outcome];
    let refname = &l.path_names[l.reference];
    let mut t = format!(
        "Sweep over {} ({} design, {} points, {} replications per point and path)\n",
        res.design.keys.join(", "),
        res.design.kind.name(),
        res.points.len(),
        res.replications
    );
    t.push_str(&format!(
        "Outcome {} ({} is better); paired differences against `{refname}`:\n",
        o.key,
        files::better_str(o.better)
    ));
    let n = res.points.len().max(1);
    for p in 0..l.path_names.len() {
        if p == l.reference {
            continue;
        }
        let diffs: Vec<(usize, f64, [f64; 2])> = res
            .points
            .iter()
            .enumerate()
            .map(|(i, pt)| {
                (
                    i,
                    pt.paired[p][outcome].mean_diff,
                    pt.paired[p][outcome].ci95,
                )
            })
            .filter(|(_, d, _)| d.is_finite())
            .collect();
        let (Some(lo), Some(hi)) = (
            diffs.iter().min_by(|a, b| a.1.total_cmp(&b.1)),
            diffs.iter().max_by(|a, b| a.1.total_cmp(&b.1)),
        ) else {
            continue;
        };
        let sign = |d: &(usize, f64, [f64; 2])| match o.better {
            Better::Lower => -d.1,
            _ => d.1,
        };
        let better = diffs.iter().filter(|d| sign(d) > 0.0).count();
        let sure = diffs
            .iter()
            .filter(|d| {
                let (a, b) = (d.2[0], d.2[1]);
                match o.better {
                    Better::Lower => b < 0.0,
                    _ => a > 0.0,
                }
            })
            .count();
        t.push_str(&format!(
            "  {} − {refname}: from {:+.4} (at {}) to {:+.4} (at {}); {} better at {better} of {n} points ({sure} with the 95% CI excluding 0)\n",
            l.path_names[p],
            lo.1,
            res.design.describe(lo.0),
            hi.1,
            res.design.describe(hi.0),
            l.path_names[p],
        ));
    }
    if o.better != Better::Neither && l.path_names.len() > 1 {
        let w = winners(res, outcome);
        let shares: Vec<String> = l
            .path_names
            .iter()
            .enumerate()
            .map(|(p, name)| {
                let k = w.iter().filter(|x| **x == p).count();
                format!("{name} {k}")
            })
            .collect();
        t.push_str(&format!(
            "Best mean {} at each point: {}\n",
            o.key,
            shares.join(", ")
        ));
    }
    if let Some((a, b)) = influential {
        t.push_str(&format!(
            "Most influential parameters on the difference: {}, {}\n",
            res.design.keys[a], res.design.keys[b]
        ));
    }
    t
}

pub fn sensitivity(a: &SensitivityArgs) -> Result<ExitCode> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let c = &a.common;
    let Loaded {
        scenario: mut s,
        bytes,
        sources,
    } = load_for_run(&c.scenario)?;
    // Parameters and ranges: --param, else the [sweep] table (listed values → their extremes).
    let base = s.sweep.clone();
    let params: Vec<String> = if a.params.is_empty() {
        let Some(sw) = &base else {
            bail!("nothing to analyse: the scenario has no [sweep] table and no --param was given");
        };
        sw.parameters
            .iter()
            .map(|(k, p)| {
                let (low, high) = p.bounds();
                format!("{k}={low}..{high}")
            })
            .collect()
    } else {
        // Listed values count as the range from their smallest to their largest.
        a.params
            .iter()
            .map(|p| {
                let (k, sp) = parse_param(p)?;
                Ok(match sp.values {
                    Some(_) => {
                        let (low, high) = sp.bounds();
                        format!("{k}={low}..{high}")
                    }
                    None => p.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?
    };
    let n = a.n.or(match &base {
        Some(sw) if sw.design == DesignKind::Sobol => sw.n,
        _ => None,
    });
    // The same table as a Sobol' design over the ranges.
    s.sweep = base.map(|mut sw| {
        sw.design = DesignKind::Sobol;
        sw.n = None;
        sw.parameters.clear();
        sw
    });
    let sw = effective_sweep(
        &mut s,
        &params,
        Some(DesignKind::Sobol),
        Some(n.unwrap_or(DEFAULT_SOBOL_N)),
    )?;
    let target = sensitivity::Target::resolve(
        &s,
        a.outcome.clone().or_else(|| sw.outcome.clone()),
        a.path.clone(),
        a.path_diff.clone().or_else(|| sw.path_diff.clone()),
    )?;
    let mut overrides = c.overrides(None);
    overrides.replications = c.replications.or(sw.replications);
    let plan = target.plan(&s, &overrides)?;
    c.check_size(
        "this sensitivity study",
        (sw.points() as f64 + 2.0 * sw.parameters.len() as f64 + 1.0)
            * plan.replications as f64
            * plan.paths.len() as f64
            * s.scenario.horizon_months as f64,
    )?;
    let names = path_names(&s, &plan);
    // The effective scenario runs the compared paths, the subtracted one as the reference.
    s.scenario.seed = plan.seed;
    s.scenario.paths = names.clone();
    s.scenario.reference_path = names[plan.reference].clone();
    let design = Design::from_sweep(&s, &sw, plan.seed)?;
    let d = design.keys.len();
    let label = target.label();
    let staging = Staging::create(c.target(&s, "-sensitivity"), started)?;
    resume::install_discard_handler();
    progress::note(format_args!(
        "sensitivity of {label}: Saltelli design {} × ({d} + 2) = {} points + {} tornado points, {} replication(s) each",
        design.sobol_n,
        design.points.len(),
        2 * d + 1,
        plan.replications
    ));
    let mut bar = progress::Bar::points(
        "sensitivity",
        (design.points.len() + 2 * d + 1) as u64,
        plan.replications,
    );
    let r = run_sensitivity(
        &s,
        &design,
        &plan,
        &target,
        a.bootstrap as usize,
        Some(&mut bar.callback()),
    )?;
    drop(bar);
    sweep_files::write_sensitivity(&staging, &r, &s.scenario.name)?;
    let idx = &r.indices;
    let first: Vec<(f64, [f64; 2])> = idx.first.iter().map(|i| (i.estimate, i.ci95)).collect();
    let total: Vec<(f64, [f64; 2])> = idx.total.iter().map(|i| (i.estimate, i.ci95)).collect();
    let mut charts = experiment_charts::sobol_chart(
        &staging,
        &design.keys,
        &first,
        &total,
        &format!(
            "Sobol' indices of {label} ({} base samples, {} replications per point)",
            design.sobol_n, plan.replications
        ),
    )?;
    let bars: Vec<(String, f64, f64)> = r
        .tornado
        .bars
        .iter()
        .map(|b| {
            let (lo, hi) = design.bounds[b.parameter];
            (
                format!("{} [{}, {}]", design.keys[b.parameter], num(lo), num(hi)),
                b.low,
                b.high,
            )
        })
        .collect();
    charts.extend(experiment_charts::tornado_chart(
        &staging,
        r.tornado.base,
        &bars,
        &format!("Tornado: {label}, each parameter at the ends of its range"),
        &label,
    )?);
    manifest(
        &staging,
        "sensitivity",
        c,
        &bytes,
        &sources,
        &s,
        &plan,
        &names,
        started,
        clock,
        json!({ "design": "sobol", "base_samples": design.sobol_n, "points": design.points.len(), "tornado_points": 2 * d + 1, "charts": charts }),
    )?;
    let dest = staging.commit()?;
    super::link_latest(&dest, &s, "-sensitivity");
    print_result(&sensitivity_table(&r, &design), "Results written to", &dest)?;
    Ok(ExitCode::SUCCESS)
}

/// The terminal table of a sensitivity study, parameters by decreasing total index.
pub fn sensitivity_table(r: &SensitivityResults, design: &Design) -> String {
    let idx = &r.indices;
    let mut t = format!(
        "Sensitivity of {} ({} points × {} replications; 95% bootstrap CIs from {} resamples)\n",
        r.target.label(),
        design.points.len(),
        r.saltelli.replications,
        r.bootstrap
    );
    t.push_str(&format!(
        "Variance of the point means: {:.3e}\n{:<44} {:>22} {:>22} {:>24}\n",
        idx.variance,
        "parameter",
        "first-order S1 [95% CI]",
        "total ST [95% CI]",
        "tornado: at low, at high"
    ));
    let mut order: Vec<usize> = (0..design.keys.len()).collect();
    order.sort_by(|x, y| idx.total[*y].estimate.total_cmp(&idx.total[*x].estimate));
    for k in order {
        let (f, tt) = (&idx.first[k], &idx.total[k]);
        let bar = r.tornado.bars.iter().find(|b| b.parameter == k);
        t.push_str(&format!(
            "{:<44} {:>6.3} [{:>6.3}, {:>6.3}] {:>6.3} [{:>6.3}, {:>6.3}] {:>+11.4}, {:>+11.4}\n",
            design.keys[k],
            f.estimate,
            f.ci95[0],
            f.ci95[1],
            tt.estimate,
            tt.ci95[0],
            tt.ci95[1],
            bar.map(|b| b.low).unwrap_or(f64::NAN),
            bar.map(|b| b.high).unwrap_or(f64::NAN),
        ));
    }
    t.push_str(&format!(
        "Tornado base (the scenario as written): {:+.4}\n",
        r.tornado.base
    ));
    t
}

pub fn discover(a: &DiscoverArgs) -> Result<ExitCode> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let data = sweep_files::read_sweep(&a.sweep_dir)?;
    let cond = condition::parse(&a.when, &data.paths, &data.outcomes)
        .map_err(|e| anyhow!("in --when:\n{e}"))?;
    let y: Vec<bool> = data
        .means
        .iter()
        .map(|m| cond.eval(&|p, o| m[p][o]))
        .collect();
    let hits = y.iter().filter(|b| **b).count();
    if hits == 0 {
        bail!(
            "the condition `{cond}` holds at none of the {} points of the sweep: there is nothing to discover (try the opposite condition)",
            y.len()
        );
    }
    let cfg = prim::PrimConfig {
        peel_alpha: a.peel_alpha,
        mass_min: a.mass_min,
        threshold: a.threshold,
        ..prim::PrimConfig::default()
    };
    let result = prim::prim(&data.x, &y, &cfg).map_err(|e| anyhow!("PRIM failed: {e}"))?;
    if let Some(out) = &a.out {
        let canon = |p: &std::path::Path| std::fs::canonicalize(p).ok();
        if let (Some(o), Some(sd)) = (canon(out), canon(&a.sweep_dir)) {
            if sd.starts_with(&o) {
                bail!(
                    "--out {} would replace the sweep folder {} being analysed; choose another folder",
                    out.display(),
                    a.sweep_dir.display()
                );
            }
        }
    }
    let target = match &a.out {
        Some(dir) => OutTarget::Exact {
            dir: dir.clone(),
            force: a.force,
        },
        None => OutTarget::NewUnder(a.sweep_dir.join("discoveries")),
    };
    let staging = Staging::create(target, started)?;
    // The chosen box after pasting (the trajectory holds the peeled boxes).
    let chosen = &result.final_box;
    let box_json = |b: &prim::PrimBox| {
        json!({
            "coverage": b.coverage,
            "density": b.density,
            "mass": b.mass,
            "points": b.n,
            "limits": data.parameters.iter().enumerate().map(|(k, name)| json!({
                "parameter": name,
                "low": b.limits[k].0,
                "high": b.limits[k].1,
                "restricted": b.restricted.contains(&k),
            })).collect::<Vec<_>>(),
        })
    };
    let v = json!({
        "condition": cond.to_string(),
        "points": y.len(),
        "points_where_true": hits,
        "base_density": result.base_density,
        "config": { "peel_alpha": cfg.peel_alpha, "mass_min": cfg.mass_min, "threshold": cfg.threshold, "paste_alpha": cfg.paste_alpha },
        "chosen_step": result.chosen,
        "meets_threshold": result.meets_threshold,
        "pastes": result.pastes,
        "box": box_json(chosen),
        "trajectory": result.trajectory.iter().map(box_json).collect::<Vec<_>>(),
    });
    staging.write_file("discovery.json", |w| write_json(w, &v))?;
    staging.write_file("prim_trajectory.csv", |w| {
        let mut head = vec![
            "step".to_string(),
            "coverage".into(),
            "density".into(),
            "mass".into(),
            "points".into(),
            "restricted".into(),
        ];
        for p in &data.parameters {
            head.push(files::csv_field(&format!("{p}_low")));
            head.push(files::csv_field(&format!("{p}_high")));
        }
        writeln!(w, "{}", head.join(","))?;
        for (i, b) in result.trajectory.iter().enumerate() {
            let mut row = vec![
                i.to_string(),
                output::csv_num(b.coverage),
                output::csv_num(b.density),
                output::csv_num(b.mass),
                b.n.to_string(),
                b.restricted.len().to_string(),
            ];
            for l in &b.limits {
                row.push(output::csv_num(l.0));
                row.push(output::csv_num(l.1));
            }
            writeln!(w, "{}", row.join(","))?;
        }
        Ok(())
    })?;
    let traj: Vec<(f64, f64, usize)> = result
        .trajectory
        .iter()
        .map(|b| (b.coverage, b.density, b.restricted.len()))
        .collect();
    let charts = experiment_charts::prim_chart(
        &staging,
        &traj,
        result.chosen,
        &format!("PRIM peeling trajectory: where {cond}"),
    )?;
    let m = json!({
        "trisim_version": env!("CARGO_PKG_VERSION"),
        "command": "discover",
        "sweep_dir": a.sweep_dir.to_string_lossy(),
        "condition": cond.to_string(),
        "charts": charts,
        "started_at": output::dir::rfc3339(started),
        "wall_time_seconds": clock.elapsed().as_secs_f64(),
    });
    staging.write_file("manifest.json", |w| write_json(w, &m))?;
    let dest = staging.commit()?;
    let mut t = format!(
        "Condition `{cond}` holds at {hits} of {} points (base density {:.3}).\n",
        y.len(),
        result.base_density
    );
    t.push_str("Peeling trajectory (step: coverage, density, restricted parameters):\n");
    let stride = (result.trajectory.len() / 12).max(1);
    for (i, b) in result.trajectory.iter().enumerate() {
        if i % stride == 0 || i == result.chosen || i + 1 == result.trajectory.len() {
            t.push_str(&format!(
                "  {:>3}{} coverage {:.3}  density {:.3}  mass {:.3}  restricts {}\n",
                i,
                if i == result.chosen { "*" } else { " " },
                b.coverage,
                b.density,
                b.mass,
                b.restricted.len()
            ));
        }
    }
    t.push_str(&format!(
        "Chosen box (step {}{}{}): coverage {:.3}, density {:.3}, {} of {} points{}\n",
        result.chosen,
        if result.pastes > 0 {
            format!(" and {} paste(s)", result.pastes)
        } else {
            String::new()
        },
        if result.meets_threshold {
            format!(", the first box with density >= {}", cfg.threshold)
        } else {
            format!(
                ", the densest box: none reached --threshold {}",
                cfg.threshold
            )
        },
        chosen.coverage,
        chosen.density,
        chosen.n,
        y.len(),
        ""
    ));
    if chosen.restricted.is_empty() {
        t.push_str("  (no restriction: the condition is spread over the whole space)\n");
    }
    for k in &chosen.restricted {
        let (lo, hi) = chosen.limits[*k];
        let (dlo, dhi) = data
            .x
            .iter()
            .map(|p| p[*k])
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(x), b.max(x))
            });
        let text = match (lo > dlo, hi < dhi) {
            (true, true) => format!("{} <= {} <= {}", short(lo), data.parameters[*k], short(hi)),
            (true, false) => format!("{} >= {}", data.parameters[*k], short(lo)),
            _ => format!("{} <= {}", data.parameters[*k], short(hi)),
        };
        t.push_str(&format!(
            "  {text}   (sweep range {} to {})\n",
            short(dlo),
            short(dhi)
        ));
    }
    print_result(&t, "Results written to", &dest)?;
    Ok(ExitCode::SUCCESS)
}
