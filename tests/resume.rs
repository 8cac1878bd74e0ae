//! Interrupted runs: after Ctrl-C (SIGINT) or a kill (SIGKILL), `--resume` finishes the run with
//! results identical to an uninterrupted one (runs.csv included), and nothing half-written is
//! left behind.

#![cfg(unix)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("trisim")
}

fn fast() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/experiments/fast.toml")
        .to_string_lossy()
        .into_owned()
}

const N: &str = "150000";

/// The hidden staging folder of a run writing into `parent/out`, once it holds a checkpoint.
fn wait_for_checkpoint(parent: &Path) -> PathBuf {
    let start = Instant::now();
    loop {
        if let Some(dir) = fs::read_dir(parent).unwrap().find_map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name.starts_with(".out.partial-") && p.join("checkpoint.json").exists()).then_some(p)
        }) {
            return dir;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no checkpoint appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn interrupt_and_resume(signal: &str, runs_csv: bool) {
    interrupt_and_resume_with(signal, runs_csv, &[], N);
}

/// As [`interrupt_and_resume`], with `extra` options on every run command and `n` replications.
fn interrupt_and_resume_with(signal: &str, runs_csv: bool, extra: &[&str], n: &str) {
    let runs = if runs_csv {
        "--runs-csv"
    } else {
        "--no-runs-csv"
    };
    let tmp = tempfile::tempdir().unwrap();
    let f = fast();
    let whole = tmp.path().join("whole");
    let o = Command::new(bin())
        .args(["run", &f, "-n", n, runs])
        .args(extra)
        .arg("--out")
        .arg(&whole)
        .output()
        .unwrap();
    assert!(o.status.success());
    let out = tmp.path().join("out");
    let child = Command::new(bin())
        .args(["run", &f, "-n", n, runs])
        .args(extra)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let staging = wait_for_checkpoint(tmp.path());
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    if o.status.success() {
        // The run finished before the signal arrived: nothing to resume (a very fast machine).
        eprintln!("run finished before {signal}; skipping the resume check");
        return;
    }
    if signal == "-INT" {
        assert_eq!(o.status.code(), Some(130), "{stderr}");
        assert!(stderr.contains("--resume"), "{stderr}");
    }
    assert!(!out.exists(), "an interrupted run must not look complete");
    // Only complete files in the staging folder.
    for e in fs::read_dir(&staging).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name == "checkpoint.json"
                || name == "resume.json"
                || name == ".runs.csv.part"
                || name == ".records.csv.part",
            "unexpected {name}"
        );
    }
    // A resume with other options is refused.
    let o = Command::new(bin())
        .args(["run", &f, "-n", "1000", runs, "--resume"])
        .arg(&staging)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("belongs to another run"));
    let o = Command::new(bin())
        .args(["run", &f, "-n", n, runs])
        .args(extra)
        .arg("--resume")
        .arg(&staging)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!staging.exists());
    let mut names = vec![
        "summary.json",
        "summary.csv",
        "timeseries.csv",
        "charts/fan_ci.svg",
    ];
    if runs_csv {
        names.push("runs.csv");
    }
    if extra.contains(&"--record") {
        names.push("records.csv");
    }
    for name in names {
        assert!(
            fs::read(whole.join(name)).unwrap() == fs::read(out.join(name)).unwrap(),
            "{name} differs after {signal} and --resume"
        );
    }
    assert!(!out.join("checkpoint.json").exists());
}

#[test]
fn ctrl_c_then_resume_gives_the_uninterrupted_results() {
    interrupt_and_resume("-INT", false);
}

#[test]
fn a_run_writing_runs_csv_resumes_it_exactly() {
    interrupt_and_resume("-INT", true);
}

/// records.csv (written while the run goes on, like runs.csv) resumes exactly too.
#[test]
fn a_run_writing_records_resumes_them_exactly() {
    interrupt_and_resume_with("-INT", true, &["--record", "2023-06,2024-06"], "40000");
}

#[test]
fn a_killed_run_resumes_from_its_last_checkpoint() {
    interrupt_and_resume("-KILL", false);
}

/// Work without checkpoints (here a sweep) stops on Ctrl-C, says so, exits with 130 and leaves
/// nothing behind: no results folder and no hidden staging folder.
#[test]
fn an_interrupted_sweep_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let child = Command::new(bin())
        .args([
            "sweep",
            &fast(),
            "-n",
            "4000",
            "--param",
            "actors.seoul.favourability=0.05..0.6:200",
            "--out",
        ])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The staging folder appears just before the Ctrl-C handler is installed; give it a moment.
    let start = Instant::now();
    while !fs::read_dir(tmp.path()).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".out.partial-")
    }) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no staging folder"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    if o.status.success() {
        eprintln!("the sweep finished before SIGINT; nothing to check");
        return;
    }
    assert_eq!(o.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted: nothing was written"),
        "{stderr}"
    );
    let left: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
