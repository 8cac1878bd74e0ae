//! `trisim run SCENARIO --watch`: run, then run again whenever the scenario file or a file of
//! its `extends` chain changes, into one results folder replaced at each run.
//!
//! Changes are found by polling (std only): every [`POLL`] the watched files' modification
//! time, size and (for files up to 1 MiB, as scenarios are) content hash are compared with
//! those taken before the last run. Polling a handful of small files costs nothing, works the
//! same on every platform and file system (network folders, editors that replace a file by
//! renaming a new one over it, files that disappear for a moment), and needs no dependency;
//! an event API (the `notify` crate) would save at most [`POLL`] of latency. Editors write in
//! several steps, so a change counts once the files have stayed unchanged for [`SETTLE`].
//! The chain is read again before every run, since an edit may change `extends`.

use super::{progress, report_error, resume, run_once, CommonArgs, RunArgs, RunEnd};
use anyhow::{bail, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};
use trisim::output::{self, Target};
use trisim::scenario::{self, Scenario};

/// How often the files are checked.
const POLL: Duration = Duration::from_millis(250);
/// How long the files must stay unchanged before a run starts.
const SETTLE: Duration = Duration::from_millis(200);
/// Files up to this size are hashed (a change that keeps the size and the modification time,
/// e.g. within one tick of a coarse clock, is still seen).
const HASH_LIMIT: u64 = 1 << 20;

/// The results folder of a watch: `--out DIR`, else `results/<scenario-name>-watch/`.
pub struct Folder {
    out: Option<PathBuf>,
}

impl Folder {
    /// Where the run of scenario `s` goes: replacing the previous result there if it is a
    /// watch result (or any trisim result with `--force`); any other non-empty folder is
    /// refused as everywhere.
    pub fn target(&self, s: &Scenario, c: &CommonArgs) -> Target {
        let dir = match &self.out {
            Some(d) => d.clone(),
            None => PathBuf::from("results").join(format!(
                "{}-watch",
                output::dir::safe_name(&s.scenario.name)
            )),
        };
        let force = c.force || is_watch_result(&dir);
        Target::Exact { dir, force }
    }
}

/// Refuses, before watching, an `--out` folder that no run could replace: a non-empty folder
/// that is not a trisim result, or a trisim result not written by `--watch` (without
/// `--force`).
fn check_folder(dir: &Path, force: bool) -> Result<()> {
    let non_empty = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some());
    if !non_empty {
        if dir.exists() && !dir.is_dir() {
            bail!("output folder {} exists and is not a folder", dir.display());
        }
        return Ok(());
    }
    if let Some(why) = output::dir::not_a_result_folder(dir)? {
        bail!(
            "output folder {} is not empty and does not look like a trisim result folder ({why}); nothing was deleted: choose another folder for --watch",
            dir.display()
        );
    }
    if !force && !is_watch_result(dir) {
        bail!(
            "output folder {} holds a trisim result that --watch did not write; choose another folder, or pass --force to replace it at every run",
            dir.display()
        );
    }
    Ok(())
}

/// Whether `dir` holds a result written by `--watch` (its manifest says `"watch": true`).
fn is_watch_result(dir: &Path) -> bool {
    std::fs::read(dir.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|m| m["watch"] == serde_json::Value::Bool(true))
}

/// What is known of a file: None if it cannot be read.
type Stamp = Option<(SystemTime, u64, Option<[u8; 32]>)>;

fn stamp(p: &Path) -> Stamp {
    let m = std::fs::metadata(p).ok()?;
    let modified = m.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let hash = if m.len() <= HASH_LIMIT {
        use sha2::Digest;
        std::fs::read(p)
            .ok()
            .map(|b| sha2::Sha256::digest(&b).into())
    } else {
        None
    };
    Some((modified, m.len(), hash))
}

fn stamps(files: &[PathBuf]) -> Vec<Stamp> {
    files.iter().map(|f| stamp(f)).collect()
}

/// The files to watch: the scenario and its `extends` chain if it loads; else the scenario,
/// the files its `extends` chain names as far as they can be read (a file named there that
/// does not exist yet included: creating it is the change awaited), and the files watched so
/// far (an error in the chain may hide its later files).
fn watched_files(scenario: &Path, before: &[PathBuf]) -> Vec<PathBuf> {
    match scenario::load_file_with_sources(scenario) {
        Ok((_, files)) if !files.is_empty() => files,
        _ => {
            let mut v = named_chain(scenario);
            for f in before {
                if !v.contains(f) {
                    v.push(f.clone());
                }
            }
            v
        }
    }
}

/// The scenario and the files named by the `extends` of each file in turn, whatever else is
/// wrong with them, up to the first file that cannot be read or has no (string) `extends`.
fn named_chain(scenario: &Path) -> Vec<PathBuf> {
    let mut files = vec![scenario.to_path_buf()];
    while files.len() < scenario::load::MAX_EXTENDS_DEPTH {
        let current = &files[files.len() - 1];
        let Some(name) = std::fs::read_to_string(current)
            .ok()
            .and_then(|t| t.parse::<toml::Table>().ok())
            .and_then(|t| t.get("extends")?.as_str().map(PathBuf::from))
        else {
            break;
        };
        let next = match current.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.join(name),
            _ => name,
        };
        if files.contains(&next) {
            break;
        }
        files.push(next);
    }
    files
}

/// Sleeps `d` in short steps; false if Ctrl-C was pressed meanwhile.
fn sleep(d: Duration) -> bool {
    let end = Instant::now() + d;
    while Instant::now() < end {
        if resume::interrupted() {
            return false;
        }
        std::thread::sleep((end - Instant::now()).min(Duration::from_millis(50)));
    }
    !resume::interrupted()
}

/// Waits until a file of `files` differs from `last` and the files have settled; returns the
/// changed files, or None on Ctrl-C.
fn wait_for_change(files: &[PathBuf], last: &[Stamp]) -> Option<Vec<PathBuf>> {
    loop {
        if !sleep(POLL) {
            return None;
        }
        let mut now = stamps(files);
        if now == last {
            continue;
        }
        // Wait until the files stay unchanged for SETTLE.
        loop {
            if !sleep(SETTLE) {
                return None;
            }
            let again = stamps(files);
            if again == now {
                break;
            }
            now = again;
        }
        if now == last {
            // Changed and changed back (e.g. an editor's backup dance): nothing to do.
            continue;
        }
        return Some(
            files
                .iter()
                .zip(now.iter().zip(last))
                .filter(|(_, (a, b))| a != b)
                .map(|(f, _)| f.clone())
                .collect(),
        );
    }
}

/// `trisim run --watch`. Ends on Ctrl-C with exit status 0 (an unfinished run is discarded;
/// the folder keeps the last finished one).
pub fn watch(a: &RunArgs) -> Result<ExitCode> {
    let scenario = &a.common.scenario;
    // A scenario file that is not there (a typo in its name) ends the command at once, as
    // without --watch; problems inside a file that exists are waited out below.
    if !scenario.is_file() {
        scenario::load_file(scenario)?;
    }
    if let Some(dir) = &a.common.out {
        check_folder(dir, a.common.force)?;
    }
    resume::install_watch_handler();
    let folder = Folder {
        out: a.common.out.clone(),
    };
    let mut files = watched_files(scenario, &[]);
    // The folder of the last result of this watch.
    let mut written: Option<PathBuf> = None;
    progress::note(format_args!(
        "watching {}{} (Ctrl-C to stop)",
        scenario.display(),
        match files.len() {
            0 | 1 => String::new(),
            n => format!(" and the {} file(s) it extends", n - 1),
        }
    ));
    loop {
        let last = stamps(&files);
        let clock = Instant::now();
        match run_once(a, Some(&folder)) {
            Ok(RunEnd::Done(dest)) => {
                progress::note(format_args!(
                    "done in {:.1} s → {}",
                    clock.elapsed().as_secs_f64(),
                    dest.display()
                ));
                written = Some(dest);
            }
            Ok(RunEnd::Exit(_)) => {} // interrupted: the loop ends below
            Err(e) => {
                report_error(&e);
                progress::note("waiting for a change (Ctrl-C to stop)");
            }
        }
        if resume::interrupted() {
            break;
        }
        let Some(changed) = wait_for_change(&files, &last) else {
            break;
        };
        progress::note(format_args!(
            "changed: {} — re-running…",
            changed
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        files = watched_files(scenario, &files);
    }
    // The report reloaded itself while the watch ran: it is now a static page again (a
    // result to keep or send).
    if let Some(dir) = written {
        let plain = output::report::ReportOptions::default();
        if let Err(e) = output::report::rewrite_report(&dir, &plain) {
            eprintln!(
                "warning: {} still reloads itself every 2 s: {e:#}; `trisim report {}` rebuilds it",
                dir.join("report.html").display(),
                output::shell_quote(&dir.display().to_string())
            );
        }
    }
    progress::note("stopped watching");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_seen_once_settled_and_reported_by_file() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.toml"), dir.path().join("b.toml"));
        std::fs::write(&a, "x = 1\n").unwrap();
        std::fs::write(&b, "y = 1\n").unwrap();
        let files = vec![a.clone(), b.clone()];
        let last = stamps(&files);
        // Same size, same content length: the hash tells the difference.
        let writer = {
            let b = b.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                std::fs::write(&b, "y = 2\n").unwrap();
            })
        };
        let changed = wait_for_change(&files, &last).unwrap();
        writer.join().unwrap();
        assert_eq!(changed, vec![b]);
    }

    #[test]
    fn a_missing_file_is_a_stamp_too() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.toml");
        assert_eq!(stamp(&a), None);
        std::fs::write(&a, "x = 1\n").unwrap();
        assert!(stamp(&a).is_some());
    }
}
