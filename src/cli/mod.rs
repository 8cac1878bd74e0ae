//! The command line: `trisim run`, `validate`, `show`, `sweep`, `sensitivity`, `discover`,
//! `merge`, `report`, `score`, `calibrate`, `schema`, `explain`, `init`, `completions`, `man`.

mod calibrate;
mod completions;
mod docs;
mod experiment;
mod progress;
mod report;
mod resume;
mod score;
mod shard;
mod style;
mod verify;
mod watch;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime};
use trisim::engine::{self, Overrides, RunPlan};
use trisim::output::{self, files, table, Report, Staging, Target};
use trisim::scenario::{self, Scenario, ScenarioError};

/// Rows (paths × replications) up to which `runs.csv` is written by default.
pub const RUNS_CSV_DEFAULT_LIMIT: u64 = 100_000;

const LONG_ABOUT: &str = "\
trisim simulates cooperation between Seoul, Tokyo and Washington month by month and compares \
ways of pursuing it (cooperation \"paths\" such as gradual or hasty) by Monte Carlo: every path \
is run on the same simulated worlds (common random numbers), so differences between paths are \
paired and precise.

A scenario is a TOML file; everything not written in it takes a documented default.

Examples:
  trisim run scenarios/baseline.toml
  trisim run scenarios/baseline.toml --replications 2000 --paths gradual,hasty --out my-run
  trisim validate scenarios/*.toml
  trisim show scenarios/baseline.toml > effective.toml
  trisim run scenarios/baseline.toml --precision 0.005
  trisim sweep scenarios/experiments/favourability-x-salience.toml
  trisim sensitivity scenarios/experiments/sensitivity-hasty-gradual.toml
  trisim discover results/where-gradual-wins-sweep/<run-id> --when \"gradual.score > hasty.score\"

Results are the same, bit for bit, for the same scenario and seed whatever the number of threads.";

/// Seoul–Tokyo–Washington cooperation simulator: compare gradual and hasty paths by Monte Carlo.
#[derive(Debug, Parser)]
#[command(name = "trisim", version, long_about = LONG_ABOUT)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write results, charts and a summary table.
    #[command(long_about = "\
Run a scenario: simulate every selected path on the same replications and write the results \
into a new folder results/<scenario-name>/<run-id>/ (never overwriting an earlier run), or \
exactly into --out DIR.

The folder holds manifest.json (what was run, with timings), summary.json and summary.csv \
(per path and outcome: mean, sd, 95% CI, quantiles; paired differences against the reference \
path), timeseries.csv (monthly quantiles), runs.csv (one row per path and replication) and \
charts/ (PNG and SVG), and report.html (one self-contained page with the tables, every chart \
and the effective scenario; open it in a browser). A summary table is printed at the end.

A progress bar (replications done, rate, ETA) is shown on stderr when it is a terminal; --quiet prints nothing but errors and the results folder's path.

Examples:
  trisim run scenarios/baseline.toml --replications 2000 --seed 7 --paths gradual,hasty
  trisim run my.toml --watch -n 500      (re-run on every save of my.toml or a file it extends)")]
    Run(RunArgs),
    /// Check scenario files and report every error (non-zero exit if any file fails).
    #[command(long_about = "\
Check one or more scenario files without running them. Every error of every file is \
reported with its file, line, column and key; good files get an \"ok\" line. The exit status \
is 1 if any file has an error.

Example:
  trisim validate scenarios/*.toml")]
    Validate {
        /// Scenario files (TOML) to check.
        #[arg(required = true, value_name = "SCENARIO")]
        scenarios: Vec<PathBuf>,
        /// Print only the errors (no `ok:` lines); the exit status says whether all files
        /// passed.
        #[arg(long, short = 'q')]
        quiet: bool,
    },
    /// Print the effective scenario as TOML (every default filled in).
    #[command(long_about = "\
Print the effective scenario as TOML: the file merged onto the defaults, so every parameter \
the model uses is visible. The output is itself a valid scenario file.

Example:
  trisim show scenarios/baseline.toml > effective.toml")]
    Show {
        /// Scenario file (TOML).
        #[arg(value_name = "SCENARIO")]
        scenario: PathBuf,
    },
    /// Run every point of a parameter sweep (grid, Latin hypercube or Sobol' design).
    #[command(long_about = experiment::SWEEP_ABOUT)]
    Sweep(experiment::SweepArgs),
    /// Sobol' sensitivity indices (with bootstrap CIs) and a tornado of one outcome or paired difference.
    #[command(long_about = experiment::SENSITIVITY_ABOUT)]
    Sensitivity(experiment::SensitivityArgs),
    /// Scenario discovery (PRIM): where in a sweep's parameter space does a condition hold?
    #[command(long_about = experiment::DISCOVER_ABOUT)]
    Discover(experiment::DiscoverArgs),
    /// Merge the shards of a run (`run --shard I/N`) into the results of the whole run.
    #[command(long_about = "\
Merge the shard folders written by `trisim run SCENARIO --shard I/N` (all N of them, in any \
order) into the results of the whole run: summary.json, summary.csv, timeseries.csv and the \
charts are byte-identical to those of the unsharded run (without runs.csv, which shards do not \
write), with a report.html as for a run. The shards must come from the same run: same effective scenario, seed, replications, \
paths, block size and trisim version; a missing or repeated shard is an error.

Example (4 shards, e.g. the tasks of a cluster job array):
  for i in 0 1 2 3; do trisim run scenarios/baseline.toml --shard $i/4 --out shards/$i; done
  trisim merge shards/0 shards/1 shards/2 shards/3 --out merged")]
    Merge(shard::MergeArgs),
    /// Rebuild report.html (one self-contained page) in a run result folder.
    #[command(long_about = report::REPORT_ABOUT)]
    Report(report::ReportArgs),
    /// Score a run against observations: band coverage, CRPS, Brier, timing; a chart per series.
    #[command(long_about = score::SCORE_ABOUT)]
    Score(score::ScoreArgs),
    /// Calibrate parameters against observed series (ABC-SMC); writes the posterior and an overlay scenario.
    #[command(long_about = calibrate::CALIBRATE_ABOUT)]
    Calibrate(calibrate::CalibrateArgs),
    /// Print the JSON Schema of scenario files (for editors: completion, hover help, checks).
    #[command(long_about = docs::SCHEMA_ABOUT)]
    Schema,
    /// Explain a scenario key: meaning, range, unit, default and sources (no KEY: list all).
    #[command(long_about = docs::EXPLAIN_ABOUT)]
    Explain(docs::ExplainArgs),
    /// Write a new, commented scenario file that runs as is (optionally from another one).
    #[command(long_about = docs::INIT_ABOUT)]
    Init(docs::InitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(long_about = completions::COMPLETIONS_ABOUT)]
    Completions(completions::CompletionsArgs),
    /// Print trisim's manual page (roff), or write one page per command into a folder.
    #[command(long_about = completions::MAN_ABOUT)]
    Man(completions::ManArgs),
}

impl Command {
    /// Whether `--quiet` was given (commands that have it).
    fn quiet(&self) -> bool {
        match self {
            Command::Run(a) => a.common.quiet,
            Command::Sweep(a) => a.common.quiet,
            Command::Sensitivity(a) => a.common.quiet,
            Command::Discover(a) => a.quiet,
            Command::Merge(a) => a.quiet,
            Command::Report(a) => a.quiet,
            Command::Score(a) => a.quiet,
            Command::Calibrate(a) => a.quiet,
            Command::Validate { quiet, .. } => *quiet,
            _ => false,
        }
    }
}

/// Options shared by `run`, `sweep` and `sensitivity`.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Scenario file (TOML).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// Monte Carlo replications per path (per design point for sweeps; overrides
    /// `scenario.replications` and `sweep.replications`).
    #[arg(long, short = 'n', value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub replications: Option<u64>,
    /// Master seed of all random streams (overrides `scenario.seed`). Same seed, same results.
    #[arg(long, short = 's', value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, short = 't', value_name = "T", value_parser = clap::value_parser!(u64).range(1..))]
    pub threads: Option<u64>,
    /// Write results exactly into DIR instead of a new folder under results/.
    /// DIR must not exist or be empty, unless --force (and it holds a previous trisim result).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// With --out: replace a previous trisim result in DIR (a folder with trisim's
    /// manifest.json and only trisim's files). Any other non-empty folder is refused, so
    /// nothing unrelated is ever deleted.
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Run even if the job is very large (more than 10^11 replication-months, hours of
    /// computing); without it such a job is refused with an estimate of its size.
    #[arg(long)]
    pub yes: bool,
    /// Print nothing but errors: no progress bar, notes or summary table; standard output
    /// gets only the path of the results folder (for scripts: DIR=$(trisim … -q)).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Where a command's results go: exactly `out` (replaced only with `force`), or a new folder
/// `results/<scenario-name><suffix>/<run-id>`.
pub fn results_target(out: Option<&PathBuf>, force: bool, s: &Scenario, suffix: &str) -> Target {
    match out {
        Some(dir) => Target::Exact {
            dir: dir.clone(),
            force,
        },
        None => Target::NewUnder(PathBuf::from("results").join(format!(
            "{}{suffix}",
            output::dir::safe_name(&s.scenario.name)
        ))),
    }
}

/// Replication-months above which a job needs `--yes` (about 5.5 hours at 5 million a second).
pub const LARGE_JOB_REPLICATION_MONTHS: f64 = 1e11;

impl CommonArgs {
    /// Refuses a job of `rep_months` replication-months above [`LARGE_JOB_REPLICATION_MONTHS`]
    /// unless `--yes`.
    fn check_size(&self, what: &str, rep_months: f64) -> Result<()> {
        if rep_months > LARGE_JOB_REPLICATION_MONTHS && !self.yes {
            anyhow::bail!(
                "{what} is {rep_months:.2e} replication-months, about {:.0} hours on 2 cores at 5 million a second; pass --yes to run it anyway (or use fewer replications, or shards on a cluster: --shard)",
                rep_months / 5e6 / 3600.0
            );
        }
        Ok(())
    }

    fn overrides(&self, paths: Option<Vec<String>>) -> Overrides {
        Overrides {
            replications: self.replications,
            seed: self.seed,
            threads: self.threads.map(|t| t as usize),
            paths,
        }
    }

    /// Where results go: `--out`, or a new folder `results/<scenario-name><suffix>/<run-id>`.
    fn target(&self, s: &Scenario, suffix: &str) -> Target {
        results_target(self.out.as_ref(), self.force, s, suffix)
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Comma-separated paths to run (overrides `scenario.paths`); the reference path is always
    /// added, as differences are measured against it.
    #[arg(long, short = 'p', value_name = "a,b", value_delimiter = ',')]
    pub paths: Option<Vec<String>>,
    /// Do not write runs.csv (one row per path × replication).
    #[arg(long, conflicts_with = "runs_csv")]
    pub no_runs_csv: bool,
    /// Write runs.csv even above 100,000 rows (by default it is written up to 100,000 rows,
    /// and a note on stderr says when it is skipped); the same for records.csv.
    #[arg(long)]
    pub runs_csv: bool,
    /// Write records.csv: every replication's state at the end of these months
    /// ("2016-06,2019-05", inside the run) or of every month ("monthly"). Overrides
    /// `[output].record_months`. Bounded like runs.csv (100,000 rows without --runs-csv).
    #[arg(long, value_name = "LIST|monthly")]
    pub record: Option<String>,
    /// Adaptive precision: keep adding replications (in whole blocks of 256) until the 95% CI
    /// half-width of every paired difference of the primary outcome (`score` if the scenario
    /// defines one, else `final_ci`) is at most H. Starts from --replications (or the
    /// scenario's); same seed, same stopping point and same numbers.
    #[arg(long, value_name = "H", value_parser = parse_positive)]
    pub precision: Option<f64>,
    /// Run only shard I of N (0 <= I < N) of the replications and write a partial result for
    /// `trisim merge`; `auto/N` takes I from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or
    /// PARALLEL_SEQ − 1 (cluster job arrays).
    #[arg(long, value_name = "I/N", conflicts_with_all = ["precision", "runs_csv"])]
    pub shard: Option<String>,
    /// Finish an interrupted run: DIR is the hidden staging folder it left
    /// (`.NAME.partial-PID`, printed when it was interrupted). Give the same scenario and
    /// options; the results are identical to an uninterrupted run.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["shard", "precision", "out"])]
    pub resume: Option<PathBuf>,
    /// With --precision: the most replications to run (default 1,000,000).
    #[arg(long, value_name = "N", requires = "precision", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_replications: Option<u64>,
    /// Run, then run again whenever the scenario file or a file of its `extends` chain changes
    /// (checked 4 times a second; a change counts once the files stay unchanged for 0.2 s),
    /// until Ctrl-C (exit status 0). Each run replaces the previous one in a single folder:
    /// --out DIR, else results/<scenario-name>-watch/ (a folder holding another trisim result
    /// is replaced only with --force, anything else never). A scenario error is printed and
    /// the watch goes on. Use -n for quick previews.
    #[arg(long, conflicts_with_all = ["shard", "resume", "precision"])]
    pub watch: bool,
}

fn parse_positive(s: &str) -> std::result::Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        Ok(x) => Err(format!("expected a positive number, got {x}")),
        Err(_) => Err(format!("expected a positive number, got `{s}`")),
    }
}

/// Parses the command line, runs the command and returns the exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    progress::set_quiet(cli.command.quiet());
    let res = match cli.command {
        Command::Run(a) => run(&a),
        Command::Sweep(a) => experiment::sweep(&a),
        Command::Sensitivity(a) => experiment::sensitivity(&a),
        Command::Discover(a) => experiment::discover(&a),
        Command::Merge(a) => shard::merge(&a),
        Command::Report(a) => report::report(&a),
        Command::Score(a) => score::score(&a),
        Command::Calibrate(a) => calibrate::calibrate(&a),
        Command::Validate { scenarios, .. } => validate(&scenarios),
        Command::Show { scenario } => show(&scenario),
        Command::Schema => docs::schema(),
        Command::Explain(a) => docs::explain(&a),
        Command::Init(a) => docs::init(&a),
        Command::Completions(a) => completions::completions(&a),
        Command::Man(a) => completions::man(&a),
    };
    match res {
        Ok(code) => code,
        Err(e) if e.downcast_ref::<engine::Interrupted>().is_some() => {
            // Ctrl-C during work without checkpoints: its staging folder was removed as the
            // error unwound.
            eprintln!("interrupted: nothing was written");
            ExitCode::from(130)
        }
        Err(e) => {
            report_error(&e);
            ExitCode::from(1)
        }
    }
}

/// Prints an error on stderr: a scenario error as a compiler would, anything else as
/// `error: …`.
fn report_error(e: &anyhow::Error) {
    if let Some(se) = e.downcast_ref::<ScenarioError>() {
        eprint_diagnostic(&se.to_string());
    } else {
        eprint_diagnostic(&format!("error: {e:#}"));
    }
}

/// Prints a diagnostic (and a newline) on stderr, in colour on a terminal.
fn eprint_diagnostic(text: &str) {
    if style::stderr_colours() {
        eprintln!("{}", style::paint(text));
    } else {
        eprintln!("{text}");
    }
}

/// Prints a command's closing output on stdout: `text` (the summary; may be empty), then
/// `LABEL DIR` (e.g. `Results written to DIR`); with `--quiet` only the folder's path, on one
/// line, for scripts.
fn print_result(text: &str, label: &str, dest: &Path) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if progress::is_quiet() {
        writeln!(out, "{}", dest.display())
    } else {
        writeln!(out, "{text}{label} {}", dest.display())
    }
    .context("cannot write to standard output")
}

/// Per-world counts (wins apart from ties, milestones never reached) from the committed run's
/// `runs.csv`, when it was written. A file that cannot be read only costs the summary its
/// tie counts (it then shows P(better) and says so).
fn counts_from_runs_csv(
    dest: &Path,
    results: &engine::RunResults,
) -> Option<output::worlds::WorldCounts> {
    let l = &results.layout;
    let outcomes: Vec<(String, trisim::model::Better)> = l
        .outcomes
        .iter()
        .map(|o| (o.key.clone(), o.better))
        .collect();
    output::worlds::from_runs_csv(
        &dest.join("runs.csv"),
        &l.path_names[l.reference],
        &outcomes,
        f64::from(l.months),
    )
    .ok()
    .flatten()
}

/// Points `results/<scenario-name><suffix>/latest` at `dest` when `dest` is a new folder
/// there (not an `--out` folder). A failure is only a note: the results are complete.
fn link_latest(dest: &Path, s: &Scenario, suffix: &str) {
    let root = PathBuf::from("results").join(format!(
        "{}{suffix}",
        output::dir::safe_name(&s.scenario.name)
    ));
    if dest.parent() != Some(root.as_path()) {
        return;
    }
    if let Err(e) = output::latest::update(dest) {
        progress::note(format_args!(
            "note: could not update {}: {e}",
            root.join(output::latest::LATEST).display()
        ));
    }
}

/// Names the report of a result folder, the file to open first, as the last line (not with
/// --quiet, whose output is only the folder's path).
fn print_report_path(dest: &Path) {
    let report = dest.join(output::report::REPORT_FILE);
    if progress::is_quiet() || !report.is_file() {
        return;
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "Open the report: {}", report.display());
}

/// Writes `report.html` into a run's staging folder, then commits the folder and returns where
/// it went. The report is a view of the results: if it cannot be written, the results are still
/// committed, with a warning (printed even with --quiet).
fn commit_with_report(staging: Staging, opts: &output::report::ReportOptions) -> Result<PathBuf> {
    let report_error = output::report::write_report(&staging, opts).err();
    let dest = staging.commit()?;
    if let Some(e) = report_error {
        progress::suspend(|| eprintln!("{}", output::report::not_written_warning(&dest, &e)));
    }
    Ok(dest)
}

fn load(path: &Path) -> Result<Scenario> {
    Ok(scenario::load_file(path)?)
}

/// A scenario file as loaded for a run: the scenario, the file's bytes and every file of its
/// `extends` chain with its SHA-256 (for the manifest).
struct Loaded {
    scenario: Scenario,
    bytes: Vec<u8>,
    sources: Vec<(String, String)>,
}

fn load_for_run(path: &Path) -> Result<Loaded> {
    // The loader first checks that the file is a regular file of sensible size.
    let (scenario, files) = scenario::load_file_with_sources(path)?;
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read scenario file {}", path.display()))?;
    let sources = files
        .iter()
        .map(|f| {
            let b = std::fs::read(f)
                .with_context(|| format!("cannot read scenario file {}", f.display()))?;
            Ok((f.to_string_lossy().into_owned(), files::sha256_hex(&b)))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Loaded {
        scenario,
        bytes,
        sources,
    })
}

fn show(path: &Path) -> Result<ExitCode> {
    let s = load(path)?;
    let text = scenario::to_toml(&s);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .context("cannot write to standard output")?;
    Ok(ExitCode::SUCCESS)
}

fn validate(paths: &[PathBuf]) -> Result<ExitCode> {
    let mut failed = 0;
    for p in paths {
        let checked = load(p).and_then(|s| {
            let plan = RunPlan::new(&s, &Overrides::default())?;
            if let Some(sw) = &s.sweep {
                // Every design point must be a valid scenario too.
                engine::sweep::Design::from_sweep(&s, sw, plan.seed)?;
            }
            Ok(s)
        });
        match checked {
            Ok(_) if progress::is_quiet() => {}
            Ok(s) => println!(
                "ok: {} (scenario `{}`, {} paths, {} months, {} replications{})",
                p.display(),
                s.scenario.name,
                if s.scenario.paths.is_empty() {
                    s.paths.len()
                } else {
                    s.scenario.paths.len()
                },
                s.scenario.horizon_months,
                s.scenario.replications,
                match &s.sweep {
                    Some(sw) => format!(
                        "; sweep: {} design, {} points × {} replications",
                        sw.design.name(),
                        sw.points(),
                        sw.replications.unwrap_or(s.scenario.replications)
                    ),
                    None => String::new(),
                }
            ),
            Err(e) => {
                failed += 1;
                if let Some(se) = e.downcast_ref::<ScenarioError>() {
                    eprint_diagnostic(&se.to_string());
                } else {
                    eprint_diagnostic(&format!("error: {}: {e:#}", p.display()));
                }
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {} scenario file(s) failed", paths.len());
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// Parses `--record`: "monthly" or comma-separated months "YYYY-MM".
fn parse_record(text: &str) -> Result<scenario::RecordMonths> {
    let t = text.trim();
    if t == "monthly" {
        return Ok(scenario::RecordMonths::Keyword(t.into()));
    }
    t.split(',')
        .map(|m| {
            m.trim().parse::<scenario::YearMonth>().map_err(|e| {
                anyhow::anyhow!(
                    "--record: `{}` is not a month \"YYYY-MM\" ({e}); expected \"monthly\" or a list such as 2016-06,2019-05",
                    m.trim()
                )
            })
        })
        .collect::<Result<Vec<_>>>()
        .map(scenario::RecordMonths::List)
}

/// Default cap of `--precision` runs.
pub const PRECISION_DEFAULT_MAX: u64 = 1_000_000;

fn run(a: &RunArgs) -> Result<ExitCode> {
    if a.watch {
        return watch::watch(a);
    }
    match run_once(a, None)? {
        RunEnd::Done(_) => Ok(ExitCode::SUCCESS),
        RunEnd::Exit(code) => Ok(code),
    }
}

/// How a run ended.
enum RunEnd {
    /// Results written into this folder.
    Done(PathBuf),
    /// Ended with this exit status (interrupted by Ctrl-C, or a shard, which prints its own
    /// lines).
    Exit(ExitCode),
}

/// One run. Under `--watch` (`watch` is its results folder), the results replace the previous
/// watch result, the manifest says `"watch": true`, no checkpoint is written, an interrupted
/// run is discarded, and the closing "Results written to" line is left to the watch loop.
fn run_once(a: &RunArgs, watch: Option<&watch::Folder>) -> Result<RunEnd> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let c = &a.common;
    let Loaded {
        scenario: mut s,
        bytes,
        sources,
    } = load_for_run(&c.scenario)?;
    if let Some(r) = &a.record {
        s.output.record_months = Some(parse_record(r)?);
    }
    let plan = RunPlan::new(&s, &c.overrides(a.paths.clone()))?;
    let months = s.scenario.horizon_months as f64;
    let planned = a
        .max_replications
        .filter(|_| a.precision.is_some())
        .unwrap_or(plan.replications);
    if a.shard.is_none() {
        // (A shard is a slice of a large job, on a cluster: no confirmation.)
        c.check_size(
            "this run",
            planned as f64 * plan.paths.len() as f64 * months,
        )?;
    }
    if a.precision.is_some() && plan.paths.len() < 2 {
        anyhow::bail!(
            "--precision needs at least two paths (it controls the paired differences against the reference path)"
        );
    }
    let path_names: Vec<String> = plan
        .paths
        .iter()
        .filter_map(|i| s.paths.get_index(*i).map(|(k, _)| k.clone()))
        .collect();
    let max_reps = match a.precision {
        Some(_) => {
            let max = a.max_replications.unwrap_or(PRECISION_DEFAULT_MAX);
            if max > engine::MAX_REPLICATIONS {
                anyhow::bail!(
                    "--max-replications must be at most {}, got {max}",
                    engine::MAX_REPLICATIONS
                );
            }
            if plan.replications > max {
                progress::note(format_args!(
                    "note: the first batch ({} replications) is above --max-replications {max}; running {max}",
                    plan.replications
                ));
            }
            max
        }
        None => plan.replications,
    };
    let rows = max_reps.saturating_mul(plan.paths.len() as u64);
    let write_runs =
        !a.no_runs_csv && (a.runs_csv || (a.precision.is_none() && rows <= RUNS_CSV_DEFAULT_LIMIT));
    let record_months = engine::Layout::new(&s, &plan, Vec::new())
        .record_months
        .len() as u64;
    let record_rows = rows.saturating_mul(record_months);
    let write_records = record_months > 0
        && (a.runs_csv || (a.precision.is_none() && record_rows <= RUNS_CSV_DEFAULT_LIMIT));
    if record_months > 0 && !write_records {
        if a.precision.is_some() {
            progress::note(
                "note: records.csv is not written with --precision (its size is not known in advance); pass --runs-csv to write it anyway",
            );
        } else {
            progress::note(format_args!(
                "note: records.csv not written ({record_rows} rows > {RUNS_CSV_DEFAULT_LIMIT}); pass --runs-csv to write it anyway"
            ));
        }
    }
    if !a.no_runs_csv && !write_runs {
        if a.precision.is_some() {
            progress::note(
                "note: runs.csv is not written with --precision (its size is not known in advance); pass --runs-csv to write it anyway",
            );
        } else {
            progress::note(format_args!(
                "note: runs.csv not written ({rows} rows > {RUNS_CSV_DEFAULT_LIMIT}); pass --runs-csv to write it anyway"
            ));
        }
    }

    if let Some(spec) = &a.shard {
        let sh = shard::parse_shard(spec, &|v| std::env::var(v).ok())?;
        s.scenario.seed = plan.seed;
        s.scenario.replications = plan.replications;
        s.scenario.paths = path_names.clone();
        let loaded = Loaded {
            scenario: s.clone(),
            bytes,
            sources,
        };
        let staging = Staging::create(
            c.target(&s, &format!("-shard-{}-of-{}", sh.index, sh.count)),
            started,
        )?;
        return shard::run_shard(
            &loaded,
            &s,
            &plan,
            &path_names,
            (sh, write_records),
            &c.scenario,
            staging,
            started,
        )
        .map(RunEnd::Exit);
    }
    // The run's identity, for checkpoints and --resume.
    let mut eff = s.clone();
    eff.scenario.seed = plan.seed;
    eff.scenario.replications = plan.replications;
    eff.scenario.paths = path_names.clone();
    let key = format!(
        "{}{}",
        shard::run_key(&scenario::to_toml(&eff), &plan, &path_names),
        if write_runs { "+runs.csv" } else { "" }
    ) + if write_records { "+records.csv" } else { "" };
    let (staging, resumed) = match (&a.resume, watch) {
        (Some(dir), _) => {
            let (st, cp) = resume::reopen(dir, &key, &s, &plan)?;
            (st, Some(cp))
        }
        (None, Some(w)) => (Staging::create(w.target(&s, c), started)?, None),
        (None, None) => (Staging::create(c.target(&s, ""), started)?, None),
    };
    let mut runs = match (write_runs || write_records, &resumed) {
        (false, _) => None,
        (true, None) => Some(files::RunsCsv::create_files(
            &staging,
            write_runs,
            write_records,
        )?),
        (true, Some(cp)) => Some(files::RunsCsv::reopen_files(
            &staging,
            if write_runs {
                Some(
                    cp.runs_csv_bytes
                        .context("the checkpoint does not record runs.csv")?,
                )
            } else {
                None
            },
            if write_records {
                Some(
                    cp.records_csv_bytes
                        .context("the checkpoint does not record records.csv")?,
                )
            } else {
                None
            },
            &path_names,
        )?),
    };

    let mut runner = engine::Runner::new(&s, &plan)?;
    let mut extra = serde_json::Value::Null;
    // Wall time of the sessions before this one (a resumed run counts them).
    let mut prior_wall = 0.0;
    match (a.precision, watch) {
        (None, None) => {
            // Checkpoints after every chunk of blocks; Ctrl-C stops at the next one.
            let session = match &resumed {
                Some(cp) => resume::Session {
                    resumes: cp.session.resumes + 1,
                    ..cp.session.clone()
                },
                None => resume::Session {
                    started_at: output::dir::rfc3339(started),
                    wall_time_seconds: 0.0,
                    resumes: 0,
                },
            };
            if session.resumes > 0 {
                extra = serde_json::json!({ "resumed": {
                    "times": session.resumes,
                    "first_started_at": session.started_at,
                    "previous_wall_time_seconds": session.wall_time_seconds,
                } });
                prior_wall = session.wall_time_seconds;
            }
            if let Some(cp) = &resumed {
                runner.absorb(&cp.partial).with_context(|| {
                    let dir = a.resume.as_deref().unwrap_or(Path::new("."));
                    format!("{}", dir.join(resume::CHECKPOINT).display())
                })?;
                progress::note(format_args!(
                    "resuming after {} of {} replications",
                    runner.done(),
                    plan.replications
                ));
            } else {
                resume::start(&staging, &key)?;
            }
            let mut bar = progress::Bar::replications("run", plan.replications, runner.done());
            let stopped = resume::run_chunks(
                &mut runner,
                &staging,
                (&key, &session, clock),
                runs.as_mut(),
                &mut bar.callback(),
            )?;
            drop(bar);
            if let Some(code) = stopped {
                let dir = staging.keep();
                eprintln!(
                    "{}",
                    resume::how_to_resume(&dir, runner.done(), plan.replications)
                );
                return Ok(RunEnd::Exit(code));
            }
            staging.remove_file(resume::CHECKPOINT)?;
            staging.remove_file(resume::RESUME)?;
        }
        (None, Some(_)) => {
            // A preview: no checkpoints; Ctrl-C discards the unfinished run (the staging
            // folder is removed when dropped).
            let mut bar = progress::Bar::replications("run", plan.replications, 0);
            if let Some(code) =
                resume::run_interruptible(&mut runner, runs.as_mut(), &mut bar.callback())?
            {
                return Ok(RunEnd::Exit(code));
            }
            extra = serde_json::json!({ "watch": true });
        }
        (Some(h), _) => {
            let mut sink: Option<&mut (dyn engine::RunSink + Send)> = runs
                .as_mut()
                .map(|r| r as &mut (dyn engine::RunSink + Send));
            resume::install_discard_handler();
            let mut bar = progress::Bar::adaptive("run", plan.replications, max_reps);
            let p = engine::precision::run(
                &mut runner,
                h,
                plan.replications,
                max_reps,
                &mut sink,
                &mut bar.callback(),
            )?;
            drop(bar);
            progress::note(p.message());
            extra = serde_json::json!({ "precision": p.to_json() });
        }
    }
    let results = runner.results();
    // The effective scenario, command-line overrides included.
    s.scenario.seed = plan.seed;
    s.scenario.replications = results.replications;
    s.scenario.paths = path_names.clone();
    let report = Report {
        scenario_name: &s.scenario.name,
        results: &results,
    };
    output::export_all(&report, &staging)?;
    if let Some(r) = runs {
        r.finish()?;
    }
    files::write_manifest(
        &staging,
        &files::Manifest {
            command: "run",
            scenario_file: &c.scenario.to_string_lossy(),
            scenario_sha256: files::sha256_hex(&bytes),
            sources: &sources,
            effective_scenario_toml: scenario::to_toml(&s),
            seed: plan.seed,
            replications: results.replications,
            paths: &path_names,
            reference_path: &path_names[plan.reference],
            threads: plan.threads,
            block_size: plan.block_size,
            runs_csv: write_runs,
            started_at: match extra["resumed"]["first_started_at"].as_str() {
                Some(first) => first.to_string(),
                None => output::dir::rfc3339(started),
            },
            wall_time_seconds: prior_wall + clock.elapsed().as_secs_f64(),
            extra,
        },
    )?;
    // Under --watch a browser showing the report reloads it every 2 s, and so follows the
    // re-runs.
    let dest = commit_with_report(
        staging,
        &output::report::ReportOptions {
            auto_refresh_seconds: watch.map(|_| 2),
        },
    )?;
    let counts = counts_from_runs_csv(&dest, &results);
    let text = table::render_for(
        &s.scenario.name,
        &results,
        counts.as_ref(),
        table::terminal_width(),
    );
    if watch.is_none() {
        link_latest(&dest, &s, "");
    }
    if watch.is_some() {
        // The watch loop prints where the results are.
        if !progress::is_quiet() {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{text}")
                .and_then(|_| out.flush())
                .context("cannot write to standard output")?;
        }
    } else {
        print_result(&format!("{text}\n"), "Results written to", &dest)?;
        print_report_path(&dest);
    }
    Ok(RunEnd::Done(dest))
}
