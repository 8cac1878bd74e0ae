//! Checkpoints and `trisim run --resume`: a run saves its accumulators (and the length of its
//! runs.csv) after every chunk of blocks into its staging folder (atomically); after Ctrl-C, a
//! kill or a crash, `--resume DIR` loads the last checkpoint, cuts runs.csv back to it, and
//! finishes the missing blocks. The accumulators merge exactly, so the results are identical
//! to an uninterrupted run.

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;
use trisim::engine::{Partial, RunSink, Runner};
use trisim::output::files::{write_json, RunsCsv};
use trisim::output::Staging;

/// The checkpoint file in the staging folder.
pub const CHECKPOINT: &str = "checkpoint.json";
/// What the staging folder of a resumable run is for: its identity and destination.
pub const RESUME: &str = "resume.json";
/// Blocks of 256 replications between checkpoints (a few seconds of work on 2 cores).
pub const CHECKPOINT_BLOCKS: u64 = 64;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// `trisim run --watch`: Ctrl-C ends the watch (silently; the watch loop says so).
static WATCHING: AtomicBool = AtomicBool::new(false);
/// Work without checkpoints (sweeps, sensitivity studies, `--precision` runs, shards): Ctrl-C
/// stops it at the end of the current wave of blocks and discards it.
static DISCARDING: AtomicBool = AtomicBool::new(false);

/// The checkpoint file, written and read directly (no intermediate JSON tree, which would
/// cost far more memory than the accumulators themselves).
#[derive(serde::Serialize)]
struct CheckpointRef<'a> {
    run_key: &'a str,
    partial: &'a Partial,
    /// Bytes of runs.csv written for the checkpointed replications (if it is written).
    runs_csv_bytes: Option<u64>,
    /// Bytes of records.csv written for the checkpointed replications (if it is written).
    #[serde(skip_serializing_if = "Option::is_none")]
    records_csv_bytes: Option<u64>,
    /// The run's history up to this checkpoint (see [`Session`]).
    session: Session,
}

/// When an interrupted run started, how long it has worked (over every session up to the
/// checkpoint) and how many times it was resumed: its manifest counts the whole run.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Session {
    /// RFC 3339 start of the first session.
    pub started_at: String,
    /// Wall time of every session up to the checkpoint, in seconds.
    pub wall_time_seconds: f64,
    /// Times the run was resumed before this session.
    pub resumes: u32,
}

/// A checkpoint read back.
#[derive(serde::Deserialize)]
pub struct Checkpoint {
    run_key: String,
    pub partial: Partial,
    pub runs_csv_bytes: Option<u64>,
    #[serde(default)]
    pub records_csv_bytes: Option<u64>,
    #[serde(default)]
    pub session: Session,
}

/// Ctrl-C: the first press stops the run at its next checkpoint; a second one exits at once
/// (the last checkpoint stays valid). The message is printed above the progress bar.
pub fn install_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            if INTERRUPTED.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            if DISCARDING.load(Ordering::SeqCst) {
                super::progress::suspend(|| {
                    eprintln!(
                        "interrupted: stopping; this unfinished work is discarded (Ctrl-C again to quit at once)"
                    )
                });
            } else if !WATCHING.load(Ordering::SeqCst) {
                super::progress::suspend(|| {
                    eprintln!(
                        "interrupted: stopping at the next checkpoint (Ctrl-C again to quit at once)"
                    )
                });
            }
        });
    });
}

/// Installs the Ctrl-C handler for `--watch`: a press sets [`interrupted`], which stops the
/// current run within a few blocks and ends the watch.
pub fn install_watch_handler() {
    WATCHING.store(true, Ordering::SeqCst);
    install_handler();
}

/// Installs the Ctrl-C handler for work without checkpoints: a press makes the progress
/// callbacks return [`stop_now`]'s `Break`, the engine stops with [`engine::Interrupted`], and
/// the staging folder is removed as the error unwinds (nothing half-written is left).
pub fn install_discard_handler() {
    DISCARDING.store(true, Ordering::SeqCst);
    install_handler();
}

/// What a progress callback answers the engine: stop (`Break`) once Ctrl-C was pressed during
/// work without checkpoints (see [`install_discard_handler`]); checkpointed runs and `--watch`
/// previews stop between their chunks instead.
pub fn stop_now() -> ControlFlow<()> {
    if DISCARDING.load(Ordering::SeqCst) && interrupted() {
        ControlFlow::Break(())
    } else {
        ControlFlow::Continue(())
    }
}

/// Whether Ctrl-C was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Blocks of a chunk of [`run_interruptible`]: a fraction of a second of work.
const PREVIEW_CHUNK_BLOCKS: u64 = 8;

/// Runs the remaining blocks in small chunks without checkpoints (`--watch` previews);
/// returns an exit code if interrupted (Ctrl-C) before the end.
pub fn run_interruptible(
    runner: &mut Runner<'_>,
    mut runs: Option<&mut RunsCsv>,
    progress: &mut dyn FnMut(u64, u64) -> ControlFlow<()>,
) -> Result<Option<ExitCode>> {
    let (bs, total) = (runner.block_size(), runner.replications());
    while runner.done() < total {
        if interrupted() {
            return Ok(Some(ExitCode::from(130)));
        }
        let to = (runner.done() + PREVIEW_CHUNK_BLOCKS * bs).min(total);
        let before = runner.done();
        runner.advance(
            to,
            runs.as_deref_mut().map(|r| r as &mut (dyn RunSink + Send)),
            Some(&mut |d: u64, _: u64| progress(before + d, total)),
        )?;
    }
    Ok(None)
}

/// Records the run's identity and destination in a new staging folder.
pub fn start(staging: &Staging, key: &str) -> Result<()> {
    let v = json!({
        "trisim_version": env!("CARGO_PKG_VERSION"),
        "run_key": key,
        "destination": staging.destination().to_string_lossy(),
    });
    staging.write_file(RESUME, |w| write_json(w, &v))
}

/// Runs the remaining blocks in chunks, saving a checkpoint after each. Returns an exit code
/// if interrupted (Ctrl-C) before the end.
pub fn run_chunks(
    runner: &mut Runner<'_>,
    staging: &Staging,
    (key, session, clock): (&str, &Session, std::time::Instant),
    mut runs: Option<&mut RunsCsv>,
    progress: &mut dyn FnMut(u64, u64) -> ControlFlow<()>,
) -> Result<Option<ExitCode>> {
    install_handler();
    let (bs, total) = (runner.block_size(), runner.replications());
    while runner.done() < total {
        let to = (runner.done() + CHECKPOINT_BLOCKS * bs).min(total);
        let before = runner.done();
        runner.advance(
            to,
            runs.as_deref_mut().map(|r| r as &mut (dyn RunSink + Send)),
            Some(&mut |d: u64, _: u64| progress(before + d, total)),
        )?;
        if runner.done() >= total {
            break; // complete: no checkpoint needed
        }
        let runs_csv_bytes = match runs.as_deref_mut() {
            Some(r) if r.writes_runs() => Some(r.flushed_len()?),
            _ => None,
        };
        let records_csv_bytes = match runs.as_deref_mut() {
            Some(r) => r.records_flushed_len()?,
            None => None,
        };
        let partial = runner.partial(0..to.div_ceil(bs));
        let content = serde_json::to_vec(&CheckpointRef {
            run_key: key,
            partial: &partial,
            runs_csv_bytes,
            records_csv_bytes,
            session: Session {
                wall_time_seconds: session.wall_time_seconds + clock.elapsed().as_secs_f64(),
                ..session.clone()
            },
        })
        .context("cannot write the checkpoint")?;
        drop(partial);
        let digest = trisim::output::files::sha256_hex(&content);
        staging.write_file(CHECKPOINT, |w| {
            w.write_all(format!("{ENVELOPE_HEAD}{digest}{ENVELOPE_MID}").as_bytes())
                .and_then(|_| w.write_all(&content))
                .and_then(|_| w.write_all(b"}"))
                .context("cannot write the checkpoint")?;
            Ok(())
        })?;
        if INTERRUPTED.load(Ordering::SeqCst) && runner.done() < total {
            return Ok(Some(ExitCode::from(130)));
        }
    }
    Ok(None)
}

/// A checkpoint file is `{"sha256":"<digest>","checkpoint":<content>}`, the digest being the
/// SHA-256 of the content's bytes as written: a checkpoint verifies itself.
const ENVELOPE_HEAD: &str = "{\"sha256\":\"";
const ENVELOPE_MID: &str = "\",\"checkpoint\":";

/// The content of a checkpoint file, if its digest matches it.
fn open_envelope<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a [u8]> {
    let damaged = || {
        anyhow::anyhow!(
            "{} is damaged or was not written by this trisim (it is not {{\"sha256\": …, \"checkpoint\": …}}); run the whole run again without --resume",
            path.display()
        )
    };
    let rest = bytes
        .strip_prefix(ENVELOPE_HEAD.as_bytes())
        .ok_or_else(damaged)?;
    if rest.len() < 64 + ENVELOPE_MID.len() + 1 {
        return Err(damaged());
    }
    let (digest, rest) = rest.split_at(64);
    let digest = std::str::from_utf8(digest).map_err(|_| damaged())?;
    let content = rest
        .strip_prefix(ENVELOPE_MID.as_bytes())
        .and_then(|r| r.strip_suffix(b"}"))
        .ok_or_else(damaged)?;
    super::verify::check_digest(path, content, digest)
        .context("run the whole run again without --resume")?;
    Ok(content)
}

/// Reopens the staging folder `dir` of an interrupted run with identity `key` of scenario `s`
/// run with `plan`: the staging folder and the last checkpoint, verified (its digest, and its
/// accumulators against the run: see [`super::verify`]).
pub fn reopen(
    dir: &Path,
    key: &str,
    s: &trisim::scenario::Scenario,
    plan: &trisim::engine::RunPlan,
) -> Result<(Staging, Checkpoint)> {
    // Everything is checked before the staging folder is reopened: a refused checkpoint leaves
    // the folder as it is.
    let dest = destination(dir, key)?;
    let path = dir.join(CHECKPOINT);
    if std::fs::symlink_metadata(&path).is_err() {
        bail!(
            "cannot read {} (the run stopped before its first checkpoint: run it again without --resume)",
            path.display()
        );
    }
    let mut runner = Runner::new(s, plan)?;
    let bytes =
        trisim::output::files::read_bounded(&path, super::verify::max_partial_bytes(&runner)?)?;
    let content = open_envelope(&path, &bytes)?;
    let cp: Checkpoint = serde_json::from_slice(content)
        .with_context(|| format!("{} is damaged: not a valid checkpoint", path.display()))?;
    if cp.run_key != key {
        bail!("the checkpoint in {} belongs to another run", dir.display());
    }
    super::verify::check_checkpoint(content, &runner, plan)
        .with_context(|| format!("{} is not a checkpoint of this run", path.display()))?;
    let b = &cp.partial.blocks;
    if b.start != 0 || b.end == 0 || b.end >= plan.blocks() {
        bail!(
            "{}: the checkpoint covers blocks {}..{}; a checkpoint of this run covers blocks 0..k, 0 < k < {}",
            path.display(),
            b.start,
            b.end,
            plan.blocks()
        );
    }
    // The engine's own checks (the monthly series' shape, counts and sums), on a runner used
    // for nothing else, before the folder is touched.
    runner
        .absorb(&cp.partial)
        .with_context(|| format!("{} is not a checkpoint of this run", path.display()))?;
    Ok((Staging::reopen(dir.to_path_buf(), dest, false)?, cp))
}

/// Reopens the staging folder `dir` of interrupted work with identity `key` (its checkpoint
/// is read by the caller).
pub fn reopen_staging(dir: &Path, key: &str) -> Result<Staging> {
    let dest = destination(dir, key)?;
    Staging::reopen(dir.to_path_buf(), dest, false)
}

/// The destination recorded in the staging folder `dir` of interrupted work with identity
/// `key`.
fn destination(dir: &Path, key: &str) -> Result<PathBuf> {
    let read = |name: &str| -> Result<Value> {
        let p = dir.join(name);
        let text = trisim::output::files::read_bounded_string(&p, 1 << 20).with_context(|| {
            format!(
                "cannot read {} ({} is not the folder of an interrupted run, or it stopped before its first checkpoint)",
                p.display(),
                dir.display()
            )
        })?;
        serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", p.display()))
    };
    let info = read(RESUME)?;
    if info["run_key"].as_str() != Some(key) {
        bail!(
            "{} belongs to another run: give the same scenario file (unchanged) and the same options (--replications, --seed, --paths) as the interrupted run",
            dir.display()
        );
    }
    let dest = PathBuf::from(info["destination"].as_str().unwrap_or_default());
    if dest.as_os_str().is_empty() {
        bail!("{}: no destination recorded", dir.display());
    }
    Ok(dest)
}

/// The message printed when a run stops early.
pub fn how_to_resume(dir: &Path, done: u64, total: u64) -> String {
    format!(
        "stopped after {done} of {total} replications; the finished ones are saved in {}.\nTo finish the run (same results as an uninterrupted one):\n  {}",
        dir.display(),
        resume_command(dir)
    )
}

/// The command line that resumes the interrupted work in `dir`: this one without
/// `--resume`, `--out` and `--force`, plus `--resume DIR`.
pub fn resume_command(dir: &Path) -> String {
    let mut args: Vec<String> = Vec::new();
    let mut skip = false;
    for a in std::env::args() {
        if skip {
            skip = false;
            continue;
        }
        if a == "--resume" || a == "--out" || a == "-o" || a == "--force" {
            skip = a != "--force";
            continue;
        }
        if a.starts_with("--resume=") || a.starts_with("--out=") {
            continue;
        }
        args.push(trisim::output::shell_quote(&a).into_owned());
    }
    format!(
        "{} --resume {}",
        args.join(" "),
        trisim::output::shell_quote(&dir.to_string_lossy())
    )
}
