//! `trisim run --watch`: re-runs when the scenario or a file of its `extends` chain changes
//! (the chain read again at every run), keeps watching through scenario errors, replaces only
//! its own results, and stops cleanly on Ctrl-C (SIGINT).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("trisim")
}

/// A running `trisim run --watch` whose stderr is collected.
struct Watch {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl Watch {
    fn start(dir: &Path, args: &[&str]) -> Watch {
        let mut child = Command::new(bin())
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Watch { child, stderr }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits (at most [`LIMIT`]) until `cond` holds; panics with the stderr so far otherwise.
    fn wait_for(&mut self, what: &str, mut cond: impl FnMut(&Watch) -> bool) {
        let start = Instant::now();
        while start.elapsed() < LIMIT {
            if cond(self) {
                return;
            }
            if let Some(st) = self.child.try_wait().unwrap() {
                panic!(
                    "trisim exited ({st}) while waiting for {what}:\n{}",
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("timed out waiting for {what}:\n{}", self.stderr());
    }

    /// Sends SIGINT (Ctrl-C) and returns the exit status.
    fn interrupt(mut self) -> (std::process::ExitStatus, String) {
        let st = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
        let start = Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                // Let the reader thread take the last lines.
                std::thread::sleep(Duration::from_millis(100));
                return (st, self.stderr());
            }
            if start.elapsed() > LIMIT {
                let _ = self.child.kill();
                panic!("trisim did not stop on SIGINT:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn manifest(dir: &Path) -> Option<serde_json::Value> {
    let text = fs::read_to_string(dir.join("manifest.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// The effective scenario's `horizon_months` and seed of the result in `dir`.
fn result_of(dir: &Path) -> Option<(u64, u64)> {
    let m = manifest(dir)?;
    let seed = m["seed"].as_u64()?;
    let eff = m["effective_scenario"].as_str()?;
    let h = eff
        .lines()
        .find_map(|l| l.strip_prefix("horizon_months = "))?
        .trim()
        .parse()
        .ok()?;
    Some((h, seed))
}

/// How many auto-refresh tags the report in `dir` has.
fn refreshes(dir: &Path) -> usize {
    fs::read_to_string(dir.join("report.html"))
        .unwrap()
        .matches("http-equiv=\"refresh\"")
        .count()
}

fn child_toml(parent: &str, seed: u64) -> String {
    format!("extends = \"{parent}\"\n\n[scenario]\nname = \"tiny\"\nseed = {seed}\n")
}

fn parent_toml(horizon: u64) -> String {
    format!(
        "[scenario]\nname = \"parent\"\nhorizon_months = {horizon}\nreplications = 60\npaths = [\"gradual\", \"hasty\"]\n"
    )
}

#[test]
fn watch_reruns_on_every_change_of_the_chain_and_survives_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::write(d.join("parent.toml"), parent_toml(30)).unwrap();
    fs::write(d.join("other.toml"), parent_toml(18)).unwrap();
    fs::write(d.join("tiny.toml"), child_toml("parent.toml", 1)).unwrap();
    let out = d.join("out");
    let mut w = Watch::start(
        d,
        &["run", "tiny.toml", "--watch", "-n", "20", "--out", "out"],
    );
    w.wait_for("the first run", |_| result_of(&out) == Some((30, 1)));
    assert!(w
        .stderr()
        .contains("watching tiny.toml and the 1 file(s) it extends"));
    assert_eq!(manifest(&out).unwrap()["watch"], true);
    assert_eq!(manifest(&out).unwrap()["replications"], 20);
    // While watching, the report reloads itself (a browser showing it follows the re-runs).
    assert_eq!(refreshes(&out), 1);

    // The scenario itself.
    fs::write(d.join("tiny.toml"), child_toml("parent.toml", 2)).unwrap();
    w.wait_for("the re-run after the seed changed", |_| {
        result_of(&out) == Some((30, 2))
    });
    assert!(w.stderr().contains("changed: tiny.toml"), "{}", w.stderr());

    // A file it extends.
    fs::write(d.join("parent.toml"), parent_toml(24)).unwrap();
    w.wait_for("the re-run after the parent changed", |_| {
        result_of(&out) == Some((24, 2))
    });
    assert!(
        w.stderr().contains("changed: parent.toml"),
        "{}",
        w.stderr()
    );

    // `extends` now names another file: that one is watched from then on.
    fs::write(d.join("tiny.toml"), child_toml("other.toml", 3)).unwrap();
    w.wait_for("the re-run on the new parent", |_| {
        result_of(&out) == Some((18, 3))
    });
    fs::write(d.join("other.toml"), parent_toml(12)).unwrap();
    w.wait_for("the re-run after the new parent changed", |_| {
        result_of(&out) == Some((12, 3))
    });
    // ... and the old one no longer. (The status line follows the result: wait for it.)
    let runs = |w: &Watch| w.stderr().matches("done in ").count();
    w.wait_for("the fifth status line", |w| runs(w) == 5);
    let before = runs(&w);
    fs::write(d.join("parent.toml"), parent_toml(36)).unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(runs(&w), before, "{}", w.stderr());

    // An invalid scenario: the error as usual, the watch goes on, the last result stays.
    fs::write(
        d.join("tiny.toml"),
        "extends = \"other.toml\"\n\n[scenario]\nname = \"tiny\"\nseed = \"three\"\n",
    )
    .unwrap();
    w.wait_for("the error", |w| w.stderr().contains("waiting for a change"));
    let err = w.stderr();
    assert!(err.contains("tiny.toml:5"), "{err}");
    assert!(err.contains("seed"), "{err}");
    assert!(
        w.child.try_wait().unwrap().is_none(),
        "the watch must go on"
    );
    assert_eq!(result_of(&out), Some((12, 3)));

    // Fixed: runs again.
    fs::write(d.join("tiny.toml"), child_toml("other.toml", 4)).unwrap();
    w.wait_for("the re-run after the fix", |_| {
        result_of(&out) == Some((12, 4))
    });

    // `extends` names a file that does not exist yet: creating it is the change awaited.
    fs::write(d.join("tiny.toml"), child_toml("new.toml", 5)).unwrap();
    w.wait_for("the error about new.toml", |w| {
        w.stderr().matches("waiting for a change").count() == 2
    });
    assert!(w.stderr().contains("new.toml"), "{}", w.stderr());
    fs::write(d.join("new.toml"), parent_toml(6)).unwrap();
    w.wait_for("the run once new.toml exists", |_| {
        result_of(&out) == Some((6, 5))
    });
    assert_eq!(refreshes(&out), 1);

    // Ctrl-C: exit status 0, nothing half-written left, and the report a static page again.
    let (st, err) = w.interrupt();
    assert_eq!(st.code(), Some(0), "{err}");
    assert!(err.trim_end().ends_with("stopped watching"), "{err}");
    assert_eq!(refreshes(&out), 0);
    assert_eq!(result_of(&out), Some((6, 5)));
    let hidden: Vec<_> = fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn watch_replaces_only_its_own_results() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::write(d.join("parent.toml"), parent_toml(12)).unwrap();
    fs::write(d.join("tiny.toml"), child_toml("parent.toml", 1)).unwrap();
    let bin = bin();

    // A folder with someone's file: refused at once, the file untouched.
    fs::create_dir(d.join("mine")).unwrap();
    fs::write(d.join("mine/notes.txt"), "keep me").unwrap();
    let out = Command::new(&bin)
        .args(["run", "tiny.toml", "--watch", "--out", "mine"])
        .current_dir(d)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("does not look like a trisim result folder"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(d.join("mine/notes.txt")).unwrap(),
        "keep me"
    );

    // A regular run's result: only with --force.
    let st = Command::new(&bin)
        .args(["run", "tiny.toml", "-n", "10", "--out", "kept", "-q"])
        .current_dir(d)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    let out = Command::new(&bin)
        .args(["run", "tiny.toml", "--watch", "--out", "kept"])
        .current_dir(d)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--watch did not write"), "{err}");
    assert_eq!(manifest(&d.join("kept")).unwrap()["replications"], 10);

    // With the default folder results/<name>-watch/, and a previous watch result there.
    let default = d.join("results/tiny-watch");
    for seed in [1, 2] {
        fs::write(d.join("tiny.toml"), child_toml("parent.toml", seed)).unwrap();
        let mut w = Watch::start(d, &["run", "tiny.toml", "--watch", "-n", "10"]);
        w.wait_for("the run into results/tiny-watch", |_| {
            result_of(&default) == Some((12, seed))
        });
        let (st, err) = w.interrupt();
        assert_eq!(st.code(), Some(0), "{err}");
    }

    // A scenario file that does not exist (a typo): exit 1 at once, as without --watch.
    let mut w = Watch::start(d, &["run", "tnyi.toml", "--watch", "-n", "10"]);
    let start = Instant::now();
    let st = loop {
        if let Some(st) = w.child.try_wait().unwrap() {
            break st;
        }
        assert!(
            start.elapsed() < LIMIT,
            "still running (watching?):\n{}",
            w.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(st.code(), Some(1));
    // Let the reader thread take the last lines.
    std::thread::sleep(Duration::from_millis(100));
    let err = w.stderr();
    assert!(err.contains("cannot read the scenario file"), "{err}");
    assert!(!err.contains("waiting for a change"), "{err}");

    // --watch does not combine with --shard, --resume or --precision.
    for extra in [
        &["--shard", "0/2"][..],
        &["--resume", "x"][..],
        &["--precision", "0.1"][..],
    ] {
        let out = Command::new(&bin)
            .args(["run", "tiny.toml", "--watch"])
            .args(extra)
            .current_dir(d)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("cannot be used with"), "{err}");
    }
}
