//! `trisim run --shard I/N` and `trisim merge`: a run split into shards (for cluster job
//! arrays), each writing a mergeable partial result, and the merge that turns them into the
//! results of the unsharded run, byte for byte.

use super::{progress, resume, verify, Loaded};
use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime};
use trisim::engine::sweep::{
    run_sweep, shard_points, sweep_layout, Design, PointBits, SweepResults,
};
use trisim::engine::{self, Partial, RunPlan, Runner};
use trisim::output::files::{self, write_json};
use trisim::output::{self, table, Report, Staging, Target};
use trisim::scenario::{self, Scenario};

/// Environment variables that hold a shard index, with their base (`PARALLEL_SEQ` counts
/// from 1).
pub const SHARD_INDEX_VARS: [(&str, u64); 3] = [
    ("SLURM_ARRAY_TASK_ID", 0),
    ("JOB_COMPLETION_INDEX", 0),
    ("PARALLEL_SEQ", 1),
];

/// A shard: index (0-based) of count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

/// Parses `I/N` or `auto/N` (index from [`SHARD_INDEX_VARS`]), with `env` reading a variable.
pub fn parse_shard(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Shard> {
    let bad = || anyhow!("--shard `{text}`: expected I/N (0 <= I < N) or auto/N");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let count: u64 = n.trim().parse().map_err(|_| bad())?;
    if count == 0 {
        bail!("--shard `{text}`: the number of shards must be at least 1");
    }
    let index = if i.trim() == "auto" {
        let mut found: Vec<(&str, u64)> = Vec::new();
        for (var, base) in SHARD_INDEX_VARS {
            if let Some(v) = env(var) {
                let k: u64 = v.trim().parse().map_err(|_| {
                    anyhow!("--shard auto/{count}: {var} = `{v}` is not a whole number")
                })?;
                if k < base {
                    bail!("--shard auto/{count}: {var} = {k}, but it counts from {base}");
                }
                found.push((var, k - base));
            }
        }
        match found.as_slice() {
            [] => bail!(
                "--shard auto/{count}: none of {} is set; run under a Slurm job array, a Kubernetes Indexed Job or GNU parallel, or give the index: --shard I/{count}",
                SHARD_INDEX_VARS.map(|v| v.0).join(", ")
            ),
            [(_, k), rest @ ..] if rest.iter().all(|(_, r)| r == k) => *k,
            _ => bail!(
                "--shard auto/{count}: the index variables disagree ({}); give the index explicitly: --shard I/{count}",
                found
                    .iter()
                    .map(|(v, k)| format!("{v} gives {k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    } else {
        i.trim().parse().map_err(|_| bad())?
    };
    if index >= count {
        bail!(
            "--shard {index}/{count}: the index must be between 0 and {}",
            count - 1
        );
    }
    Ok(Shard { index, count })
}

/// What identifies the run a shard belongs to: the effective scenario, seed, replications,
/// paths, block size and trisim version, hashed.
pub fn run_key(effective_toml: &str, plan: &RunPlan, paths: &[String]) -> String {
    files::sha256_hex(
        format!(
            "trisim {}\nseed {}\nreplications {}\nblock_size {}\npaths {}\n{}",
            env!("CARGO_PKG_VERSION"),
            plan.seed,
            plan.replications,
            plan.block_size,
            paths.join(","),
            effective_toml
        )
        .as_bytes(),
    )
}

/// Runs one shard of `plan` and writes `manifest.json` and `partial.json` into `staging`.
#[allow(clippy::too_many_arguments)]
pub fn run_shard(
    loaded: &Loaded,
    s: &Scenario,
    plan: &RunPlan,
    paths: &[String],
    (shard, write_records): (Shard, bool),
    scenario_file: &Path,
    staging: Staging,
    started: SystemTime,
) -> Result<ExitCode> {
    let clock = Instant::now();
    let blocks = plan.shard_blocks(shard.index, shard.count)?;
    let bs = plan.block_size;
    let reps = (blocks.start * bs).min(plan.replications)..(blocks.end * bs).min(plan.replications);
    let mut runner = Runner::new(s, plan)?;
    let mut bar = progress::Bar::replications(
        &format!("shard {}/{}", shard.index, shard.count),
        reps.end - reps.start,
        0,
    );
    resume::install_discard_handler();
    if write_records {
        // The shard's rows of records.csv (with the header); `trisim merge` concatenates them.
        let mut rec = trisim::output::files::RunsCsv::create_files(&staging, false, true)?;
        runner.run_blocks_with(blocks.clone(), &mut rec, Some(&mut bar.callback()))?;
        rec.finish()?;
    } else {
        runner.run_blocks(blocks.clone(), Some(&mut bar.callback()))?;
    }
    drop(bar);
    let partial =
        serde_json::to_vec(&runner.partial(blocks.clone())).context("cannot write partial.json")?;
    let mut digests = json!({ "partial.json": files::sha256_hex(&partial) });
    staging.write_file("partial.json", |w| {
        w.write_all(&partial).context("cannot write partial.json")?;
        Ok(())
    })?;
    drop(partial);
    if write_records {
        digests["records.csv"] = json!(files::sha256_file(&staging.path().join("records.csv"))?);
    }
    write_shard_manifest(
        &staging,
        "run-shard",
        json!({ "index": shard.index, "count": shard.count,
                "blocks": [blocks.start, blocks.end],
                "replications": [reps.start, reps.end],
                "sha256": digests }),
        Value::Null,
        &ShardOrigin {
            loaded,
            scenario_file,
            s,
            plan,
            paths,
            started,
            clock,
        },
    )?;
    commit_shard(
        staging,
        shard.count,
        &format!(
            "shard {}/{}: replications {}..{} of {}",
            shard.index, shard.count, reps.start, reps.end, plan.replications
        ),
    )
}

/// Commits a shard's folder and says where it is (with `--quiet`, only the folder) and how to
/// merge the shards; `what` names the shard's slice of the work.
fn commit_shard(staging: Staging, count: u64, what: &str) -> Result<ExitCode> {
    let dest = staging.commit()?;
    if progress::is_quiet() {
        println!("{}", dest.display());
    } else {
        println!(
            "{what} written to {}\nmerge all {count} shards with: trisim merge SHARD_DIR... --out DIR",
            dest.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The points of shard `sh` of `total` design points (contiguous, as equal as possible).
fn shard_points_range(total: usize, sh: Shard) -> Result<std::ops::Range<usize>> {
    let (i, n) = (sh.index as u128, sh.count as u128);
    if n > total as u128 {
        bail!(
            "{} shards for {total} design points: there can be at most {total} shards (one point each)",
            sh.count
        );
    }
    let cut = |k: u128| (k * total as u128 / n) as usize;
    Ok(cut(i)..cut(i + 1))
}

/// Runs shard `sh` of the design points of a sweep and writes `manifest.json` and
/// `partial.json` (the points' statistics, exactly).
#[allow(clippy::too_many_arguments)]
pub fn run_sweep_shard(
    loaded: &Loaded,
    s: &Scenario,
    design: &Design,
    plan: &RunPlan,
    paths: &[String],
    outcome: Option<&str>,
    sh: Shard,
    scenario_file: &Path,
    staging: Staging,
    started: SystemTime,
) -> Result<ExitCode> {
    let clock = Instant::now();
    let range = shard_points_range(design.points.len(), sh)?;
    let sub = shard_points(design, range.clone());
    let mut bar = progress::Bar::points(
        &format!("sweep shard {}/{}", sh.index, sh.count),
        sub.points.len() as u64,
        plan.replications,
    );
    resume::install_discard_handler();
    let res = run_sweep(s, &sub, plan, Some(&mut bar.callback()))?;
    drop(bar);
    let bits: Vec<PointBits> = res.points.iter().map(PointBits::from).collect();
    let partial =
        serde_json::to_vec(&json!({ "points": [range.start, range.end], "results": bits }))
            .context("cannot write partial.json")?;
    let digest = files::sha256_hex(&partial);
    staging.write_file("partial.json", |w| {
        w.write_all(&partial).context("cannot write partial.json")?;
        Ok(())
    })?;
    write_shard_manifest(
        &staging,
        "sweep-shard",
        json!({ "index": sh.index, "count": sh.count, "points": [range.start, range.end],
                "sha256": { "partial.json": digest } }),
        json!(outcome),
        &ShardOrigin {
            loaded,
            scenario_file,
            s,
            plan,
            paths,
            started,
            clock,
        },
    )?;
    commit_shard(
        staging,
        sh.count,
        &format!(
            "sweep shard {}/{}: design points {}..{} of {}",
            sh.index,
            sh.count,
            range.start + 1,
            range.end,
            design.points.len()
        ),
    )
}

/// What a shard's manifest records about the run it belongs to.
struct ShardOrigin<'a> {
    loaded: &'a Loaded,
    scenario_file: &'a Path,
    s: &'a Scenario,
    plan: &'a RunPlan,
    paths: &'a [String],
    started: SystemTime,
    clock: Instant,
}

/// Writes a shard's `manifest.json`: `command` (`run-shard` or `sweep-shard`), the shard
/// (`shard`), the sweep's chosen outcome (`outcome`, null for runs), and what `trisim merge`
/// checks and rebuilds the run from.
fn write_shard_manifest(
    staging: &Staging,
    command: &str,
    shard: Value,
    outcome: Value,
    o: &ShardOrigin<'_>,
) -> Result<()> {
    let effective = scenario::to_toml(o.s);
    let m = json!({
        "trisim_version": env!("CARGO_PKG_VERSION"),
        "command": command,
        "run_key": run_key(&effective, o.plan, o.paths),
        "shard": shard,
        "outcome": outcome,
        "scenario_file": o.scenario_file.to_string_lossy(),
        "scenario_sha256": files::sha256_hex(&o.loaded.bytes),
        "scenario_sources": o.loaded.sources.iter().map(|(f, h)| json!({ "file": f, "sha256": h })).collect::<Vec<_>>(),
        "seed": o.plan.seed,
        "replications": o.plan.replications,
        "paths": o.paths,
        "reference_path": o.paths[o.plan.reference],
        "threads": o.plan.threads,
        "block_size": o.plan.block_size,
        "started_at": output::dir::rfc3339(o.started),
        "wall_time_seconds": o.clock.elapsed().as_secs_f64(),
        "effective_scenario": effective,
    });
    staging.write_file("manifest.json", |w| write_json(w, &m))
}

/// Writes the `manifest.json` of a merge from the first shard's manifest `m`.
#[allow(clippy::too_many_arguments)]
fn write_merge_manifest(
    staging: &Staging,
    m: &Value,
    effective: &str,
    plan: &RunPlan,
    paths: &[String],
    started: SystemTime,
    clock: Instant,
    extra: Value,
) -> Result<()> {
    let sources: Vec<(String, String)> = m["scenario_sources"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|v| {
            (
                v["file"].as_str().unwrap_or_default().to_string(),
                v["sha256"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    files::write_manifest(
        staging,
        &files::Manifest {
            command: "merge",
            scenario_file: m["scenario_file"].as_str().unwrap_or_default(),
            scenario_sha256: m["scenario_sha256"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            sources: &sources,
            effective_scenario_toml: effective.to_string(),
            seed: plan.seed,
            replications: plan.replications,
            paths,
            reference_path: &paths[plan.reference],
            threads: plan.threads,
            block_size: plan.block_size,
            runs_csv: false,
            started_at: output::dir::rfc3339(started),
            wall_time_seconds: clock.elapsed().as_secs_f64(),
            extra,
        },
    )
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `trisim run --shard I/N` (all N of them, in any order).
    #[arg(required = true, value_name = "SHARD_DIR")]
    pub shards: Vec<PathBuf>,
    /// Write the merged results exactly into DIR.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: PathBuf,
    /// Replace a previous trisim result in DIR.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors: no progress bar, notes or summary table; standard output
    /// gets only the path of the results folder (for scripts: DIR=$(trisim … -q)).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

struct ShardFile {
    dir: PathBuf,
    manifest: Value,
    index: u64,
    count: u64,
}

impl ShardFile {
    /// The SHA-256 digest of the shard's file `name` recorded in its manifest.
    fn digest(&self, name: &str) -> Result<&str> {
        self.manifest["shard"]["sha256"][name]
            .as_str()
            .filter(|d| d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| {
                anyhow!(
                    "{}: the manifest records no SHA-256 digest of {name} (shard.sha256), so the shard cannot be verified; run it again with this trisim",
                    self.dir.join("manifest.json").display()
                )
            })
    }
}

fn read_manifest(dir: &Path) -> Result<ShardFile> {
    let path = dir.join("manifest.json");
    let text = files::read_bounded_string(&path, files::MAX_MANIFEST_BYTES).with_context(|| {
        format!(
            "cannot read {} (is {} a shard folder?)",
            path.display(),
            dir.display()
        )
    })?;
    let manifest: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    if !matches!(
        manifest.get("command").and_then(Value::as_str),
        Some("run-shard" | "sweep-shard")
    ) {
        bail!(
            "{} was not written by `trisim run --shard` or `trisim sweep --shard` (its manifest has no \"command\": \"run-shard\" or \"sweep-shard\")",
            dir.display()
        );
    }
    let num = |k: &str| {
        manifest["shard"][k]
            .as_u64()
            .ok_or_else(|| anyhow!("{}: shard.{k} is missing", path.display()))
    };
    Ok(ShardFile {
        dir: dir.to_path_buf(),
        index: num("index")?,
        count: num("count")?,
        manifest,
    })
}

/// Refuses an output folder that is one of the input shards or holds one (with `--force`, the
/// merge would replace its own input).
fn check_out_is_not_an_input(a: &MergeArgs) -> Result<()> {
    let Ok(out) = std::fs::canonicalize(&a.out) else {
        return Ok(()); // does not exist yet
    };
    for d in &a.shards {
        if let Ok(dir) = std::fs::canonicalize(d) {
            if dir.starts_with(&out) {
                bail!(
                    "--out {} is {} the shard folder {}, an input of this merge: write the merged results into another folder",
                    a.out.display(),
                    if dir == out { "the same folder as" } else { "a folder holding" },
                    d.display()
                );
            }
        }
    }
    Ok(())
}

pub fn merge(a: &MergeArgs) -> Result<ExitCode> {
    let started = SystemTime::now();
    let clock = Instant::now();
    check_out_is_not_an_input(a)?;
    let mut shards = a
        .shards
        .iter()
        .map(|d| read_manifest(d))
        .collect::<Result<Vec<_>>>()?;
    shards.sort_by_key(|s| s.index);
    let first = &shards[0];
    let count = first.count;
    let key = first.manifest["run_key"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for sh in &shards {
        if sh.manifest["command"] != first.manifest["command"] {
            bail!(
                "{} is a {} but {} is a {}: merge the shards of one run",
                sh.dir.display(),
                sh.manifest["command"],
                first.dir.display(),
                first.manifest["command"]
            );
        }
        if sh.count != count {
            bail!(
                "{} is shard {}/{}, but {} is shard {}/{}: the shards come from different splits",
                sh.dir.display(),
                sh.index,
                sh.count,
                first.dir.display(),
                first.index,
                count
            );
        }
        if sh.manifest["run_key"].as_str() != Some(key.as_str()) {
            let what = [
                "trisim_version",
                "seed",
                "replications",
                "paths",
                "block_size",
            ]
            .iter()
            .filter(|k| sh.manifest[**k] != first.manifest[**k])
            .map(|k| format!("{k} {} vs {}", sh.manifest[*k], first.manifest[*k]))
            .collect::<Vec<_>>();
            bail!(
                "{} and {} belong to different runs ({}); merge only the shards of one run",
                sh.dir.display(),
                first.dir.display(),
                if what.is_empty() {
                    "different effective scenarios".to_string()
                } else {
                    what.join(", ")
                }
            );
        }
    }
    for w in shards.windows(2) {
        if w[0].index == w[1].index {
            bail!(
                "shard {} is given twice ({} and {})",
                w[0].index,
                w[0].dir.display(),
                w[1].dir.display()
            );
        }
    }
    let have: Vec<u64> = shards.iter().map(|s| s.index).collect();
    let missing: Vec<String> = (0..count)
        .filter(|i| !have.contains(i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        bail!(
            "{} of {count} shards are missing: {}; run them (--shard I/{count}) and merge again",
            missing.len(),
            missing.join(", ")
        );
    }
    // The run, rebuilt from the effective scenario the shards recorded.
    let m = &first.manifest;
    let effective = m["effective_scenario"]
        .as_str()
        .ok_or_else(|| anyhow!("{}: no effective_scenario", first.dir.display()))?;
    let s = scenario::load_str(effective, "effective scenario of the shards")?;
    let paths: Vec<String> =
        serde_json::from_value(m["paths"].clone()).context("the shard manifest has no paths")?;
    let mut plan = RunPlan::new(
        &s,
        &engine::Overrides {
            replications: m["replications"].as_u64(),
            seed: m["seed"].as_u64(),
            threads: Some(1),
            paths: Some(paths.clone()),
        },
    )?;
    plan.block_size = m["block_size"]
        .as_u64()
        .unwrap_or(engine::DEFAULT_BLOCK_SIZE);
    if run_key(&scenario::to_toml(&s), &plan, &paths) != key {
        bail!("the shards' effective scenario does not load back to the same run (was it edited?)");
    }
    if m["command"] == "sweep-shard" {
        return merge_sweep(a, &shards, &s, &plan, &paths, effective, started, clock);
    }
    let mut runner = Runner::new(&s, &plan)?;
    let mut expected_block = 0;
    for sh in &shards {
        let path = sh.dir.join("partial.json");
        let partial: Partial =
            verify::read_partial(&path, sh.digest("partial.json")?, &runner, &plan)?;
        let want = plan.shard_blocks(sh.index, count)?;
        if partial.blocks != want {
            bail!(
                "{}: shard {}/{count} should cover blocks {}..{}, but it covers {}..{}",
                path.display(),
                sh.index,
                want.start,
                want.end,
                partial.blocks.start,
                partial.blocks.end
            );
        }
        if partial.blocks.start != expected_block {
            bail!(
                "{}: shard {} covers blocks {}..{}, expected to start at block {expected_block}",
                sh.dir.display(),
                sh.index,
                partial.blocks.start,
                partial.blocks.end
            );
        }
        expected_block = partial.blocks.end;
        runner
            .absorb(&partial)
            .with_context(|| format!("{}", sh.dir.join("partial.json").display()))?;
    }
    if expected_block != plan.blocks() {
        bail!(
            "the shards cover blocks 0..{expected_block} of {}",
            plan.blocks()
        );
    }
    let results = runner.results();
    let staging = Staging::create(
        Target::Exact {
            dir: a.out.clone(),
            force: a.force,
        },
        started,
    )?;
    let report = Report {
        scenario_name: &s.scenario.name,
        results: &results,
    };
    output::export_all(&report, &staging)?;
    merge_records(&shards, &staging)?;
    write_merge_manifest(
        &staging,
        m,
        effective,
        &plan,
        &paths,
        started,
        clock,
        json!({ "shards": shards.iter().map(|s| json!({
                "index": s.index,
                "dir": s.dir.to_string_lossy(),
                "replications": s.manifest["shard"]["replications"],
            })).collect::<Vec<_>>() }),
    )?;
    let dest = super::commit_with_report(staging, &output::report::ReportOptions::default())?;
    super::print_result(
        &format!("{}\n", table::render(&s.scenario.name, &results)),
        &format!("Merged {count} shards into"),
        &dest,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Concatenates the shards' records.csv (in shard order, the header once) into the merged
/// folder: byte-identical to the records.csv of the unsharded run. Either every shard has one
/// or none.
fn merge_records(shards: &[ShardFile], staging: &Staging) -> Result<()> {
    use std::io::BufRead;
    let have: Vec<bool> = shards
        .iter()
        .map(|s| s.dir.join("records.csv").is_file())
        .collect();
    if !have.iter().any(|h| *h) {
        return Ok(());
    }
    if let Some(i) = have.iter().position(|h| !*h) {
        bail!(
            "{} has no records.csv but other shards do: run every shard with the same --record",
            shards[i].dir.display()
        );
    }
    let mut out = staging.create_file("records.csv")?;
    for (i, sh) in shards.iter().enumerate() {
        let path = sh.dir.join("records.csv");
        let file = std::fs::File::open(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let want = sh.digest("records.csv")?;
        let mut hash = sha2::Sha256::default();
        let mut r = std::io::BufReader::new(file);
        let mut header = Vec::new();
        r.read_until(b'\n', &mut header)
            .with_context(|| format!("cannot read {}", path.display()))?;
        sha2::Digest::update(&mut hash, &header);
        let w = out.writer();
        if i == 0 {
            w.write_all(&header).context("cannot write records.csv")?;
        }
        std::io::copy(&mut r, &mut Tee(w, files::HashWriter(&mut hash)))
            .with_context(|| format!("cannot copy {} into records.csv", path.display()))?;
        let got: String = sha2::Digest::finalize(hash)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if got != want {
            bail!(
                "{} does not match the SHA-256 digest its writer recorded ({got} instead of {want}): it was edited or damaged; run the shard again",
                path.display()
            );
        }
    }
    out.finish()
}

/// A writer writing into two.
struct Tee<'a, 'b>(&'a mut dyn std::io::Write, files::HashWriter<'b>);

impl std::io::Write for Tee<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.0.write(buf)?;
        self.1.write_all(&buf[..n])?;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Merges the shards of a sweep: their points, in order, give the sweep's files.
#[allow(clippy::too_many_arguments)]
fn merge_sweep(
    a: &MergeArgs,
    shards: &[ShardFile],
    s: &Scenario,
    plan: &RunPlan,
    paths: &[String],
    effective: &str,
    started: SystemTime,
    clock: Instant,
) -> Result<ExitCode> {
    let sw = s
        .sweep
        .as_ref()
        .ok_or_else(|| anyhow!("the shards' effective scenario has no [sweep] table"))?;
    let design = Design::from_sweep(s, sw, plan.seed)?;
    let mut points = Vec::with_capacity(design.points.len());
    let layout = sweep_layout(s, plan);
    let shape = (
        design.keys.len(),
        layout.path_names.len(),
        layout.outcomes.len(),
    );
    for sh in shards {
        let path = sh.dir.join("partial.json");
        let want = shard_points_range(
            design.points.len(),
            Shard {
                index: sh.index,
                count: sh.count,
            },
        )?;
        let bits = verify::read_sweep_partial(
            &path,
            sh.digest("partial.json")?,
            want,
            shape,
            plan.replications,
        )?;
        points.extend(bits.iter().map(engine::sweep::PointResult::from));
    }
    if points.len() != design.points.len() {
        bail!(
            "the shards hold {} of the {} design points",
            points.len(),
            design.points.len()
        );
    }
    let res = SweepResults {
        layout: sweep_layout(s, plan),
        design: design.clone(),
        seed: plan.seed,
        replications: plan.replications,
        points,
    };
    let staging = Staging::create(
        Target::Exact {
            dir: a.out.clone(),
            force: a.force,
        },
        started,
    )?;
    let m = &shards[0].manifest;
    let (outcome, influential, charts) = super::experiment::write_sweep_outputs(
        &staging,
        &res,
        m["outcome"].as_str(),
        &s.scenario.name,
    )?;
    write_merge_manifest(
        &staging,
        m,
        effective,
        plan,
        paths,
        started,
        clock,
        json!({
            "design": design.kind.name(),
            "points": design.points.len(),
            "charts": charts,
            "shards": shards.iter().map(|s| json!({
                "index": s.index,
                "dir": s.dir.to_string_lossy(),
                "points": s.manifest["shard"]["points"],
            })).collect::<Vec<_>>(),
        }),
    )?;
    let dest = staging.commit()?;
    super::print_result(
        &format!(
            "{}\n",
            super::experiment::sweep_summary(&res, outcome, influential)
        ),
        &format!("Merged {} sweep shards into", shards.len()),
        &dest,
    )?;
    Ok(ExitCode::SUCCESS)
}
