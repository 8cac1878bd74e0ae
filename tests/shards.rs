//! Sharded runs: shards run as separate processes and merged give the unsharded results byte
//! for byte; merge refuses gaps, duplicates and shards of other runs; `--shard auto/N` reads
//! the cluster schedulers' index variables.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("trisim")
}

fn fast() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/experiments/fast.toml")
        .to_string_lossy()
        .into_owned()
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(bin()).args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(
        o.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn fails(args: &[&str]) -> String {
    let o = run(args);
    assert_eq!(o.status.code(), Some(1), "{args:?} should fail");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every file of a result folder except the manifest (timings) and the report (which shows it).
fn results(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["", "charts"] {
        let d = dir.join(sub);
        let mut names: Vec<_> = fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            // report.html shows the manifest (command, times): it differs like manifest.json.
            .filter(|p| p.is_file() && !p.ends_with("manifest.json") && !p.ends_with("report.html"))
            .collect();
        names.sort();
        for p in names {
            out.push((
                p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            ));
        }
    }
    out
}

#[test]
fn shards_run_as_separate_processes_merge_to_the_unsharded_results() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fast();
    let whole = tmp.path().join("whole");
    // With per-world records: records.csv merges to the unsharded file too.
    let record = ["--record", "2023-06,2024-12"];
    ok(&[
        &["run", &f, "-n", "900", "--no-runs-csv", "--out", s(&whole)][..],
        &record[..],
    ]
    .concat());
    // Three shards at once, as three processes (like the tasks of a job array).
    let children: Vec<_> = (0..3)
        .map(|i| {
            std::process::Command::new(bin())
                .args([
                    "run",
                    &f,
                    "-n",
                    "900",
                    "--threads",
                    "1",
                    "--shard",
                    &format!("{i}/3"),
                    "--out",
                    s(&tmp.path().join(format!("shard{i}"))),
                ])
                .args(record)
                .output()
                .unwrap()
        })
        .collect();
    for c in &children {
        assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stderr));
    }
    let merged = tmp.path().join("merged");
    // Any order on the command line.
    let out = ok(&[
        "merge",
        s(&tmp.path().join("shard2")),
        s(&tmp.path().join("shard0")),
        s(&tmp.path().join("shard1")),
        "--out",
        s(&merged),
    ]);
    assert!(out.contains("Merged 3 shards"), "{out}");
    let (a, b) = (results(&whole), results(&merged));
    assert!(a.iter().any(|(n, _)| n == "records.csv"), "no records.csv");
    assert_eq!(
        a.iter().map(|x| &x.0).collect::<Vec<_>>(),
        b.iter().map(|x| &x.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            x == y,
            "{name} differs between the merged and the unsharded run"
        );
    }
    let m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(merged.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["command"], "merge");
    assert_eq!(m["shards"].as_array().unwrap().len(), 3);
    assert_eq!(m["replications"], 900);
}

#[test]
fn merge_refuses_gaps_duplicates_and_foreign_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fast();
    let shard = |i: u64, seed: &str| {
        let d = tmp.path().join(format!("s{i}-{seed}"));
        ok(&[
            "run",
            &f,
            "-n",
            "600",
            "--seed",
            seed,
            "--shard",
            &format!("{i}/2"),
            "--out",
            s(&d),
        ]);
        d
    };
    let (a0, a1, b1) = (shard(0, "1"), shard(1, "1"), shard(1, "2"));
    let out = tmp.path().join("m");
    let e = fails(&["merge", s(&a0), "--out", s(&out)]);
    assert!(e.contains("1 of 2 shards are missing: 1"), "{e}");
    let e = fails(&["merge", s(&a0), s(&a0), s(&a1), "--out", s(&out)]);
    assert!(e.contains("given twice"), "{e}");
    let e = fails(&["merge", s(&a0), s(&b1), "--out", s(&out)]);
    assert!(e.contains("different runs") && e.contains("seed"), "{e}");
    let e = fails(&["merge", s(&tmp.path().join("nowhere")), "--out", s(&out)]);
    assert!(e.contains("shard folder"), "{e}");
    assert!(!out.exists());
    ok(&["merge", s(&a0), s(&a1), "--out", s(&out)]);
}

#[test]
fn shard_indices_come_from_the_scheduler_or_are_refused_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fast();
    let with_env = |vars: &[(&str, &str)], out: &str| {
        let mut c = Command::new(bin());
        c.args(["run", &f, "-n", "600", "--shard", "auto/2", "--out"])
            .arg(tmp.path().join(out));
        for v in [
            "SLURM_ARRAY_TASK_ID",
            "JOB_COMPLETION_INDEX",
            "PARALLEL_SEQ",
        ] {
            c.env_remove(v);
        }
        for (k, v) in vars {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    for (k, (vars, index)) in [
        (vec![("SLURM_ARRAY_TASK_ID", "1")], 1),
        (vec![("JOB_COMPLETION_INDEX", "0")], 0),
        (vec![("PARALLEL_SEQ", "2")], 1),
        (vec![("SLURM_ARRAY_TASK_ID", "1"), ("PARALLEL_SEQ", "2")], 1),
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("auto{k}");
        let o = with_env(&vars, &name);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let m: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(tmp.path().join(&name).join("manifest.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(m["shard"]["index"], index, "{vars:?}");
    }
    let e = String::from_utf8_lossy(&with_env(&[], "none").stderr).into_owned();
    assert!(e.contains("none of SLURM_ARRAY_TASK_ID"), "{e}");
    let e = String::from_utf8_lossy(
        &with_env(&[("SLURM_ARRAY_TASK_ID", "0"), ("PARALLEL_SEQ", "2")], "x").stderr,
    )
    .into_owned();
    assert!(e.contains("disagree"), "{e}");
    let e = fails(&[
        "run",
        &f,
        "-n",
        "300",
        "--shard",
        "0/3",
        "--out",
        s(&tmp.path().join("y")),
    ]);
    assert!(e.contains("at most 2 shards"), "{e}");
    let e = fails(&[
        "run",
        &f,
        "--shard",
        "3/3",
        "--out",
        s(&tmp.path().join("z")),
    ]);
    assert!(e.contains("between 0 and 2"), "{e}");
    let e = fails(&[
        "run",
        &f,
        "--shard",
        "a/b",
        "--out",
        s(&tmp.path().join("w")),
    ]);
    assert!(e.contains("expected I/N"), "{e}");
}

#[test]
fn sweep_shards_merge_to_the_unsharded_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let f = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/experiments/fast-lhs.toml")
        .to_string_lossy()
        .into_owned();
    let whole = tmp.path().join("whole");
    ok(&["sweep", &f, "--points", "9", "--out", s(&whole)]);
    let dirs: Vec<PathBuf> = (0..4)
        .map(|i| {
            let d = tmp.path().join(format!("s{i}"));
            ok(&[
                "sweep",
                &f,
                "--points",
                "9",
                "--shard",
                &format!("{i}/4"),
                "--out",
                s(&d),
            ]);
            d
        })
        .collect();
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge"];
    args.extend(dirs.iter().rev().map(|d| s(d)));
    args.extend(["--out", s(&merged)]);
    let out = ok(&args);
    assert!(out.contains("Merged 4 sweep shards"), "{out}");
    let (a, b) = (results(&whole), results(&merged));
    assert!(!a.is_empty());
    assert_eq!(a, b, "merged sweep differs from the unsharded sweep");
    // A run shard and a sweep shard do not merge; nor do shards of different splits.
    let r = tmp.path().join("r");
    ok(&[
        "run",
        &fast(),
        "-n",
        "600",
        "--shard",
        "0/2",
        "--out",
        s(&r),
    ]);
    let e = fails(&[
        "merge",
        s(&dirs[0]),
        s(&r),
        "--out",
        s(&tmp.path().join("x")),
    ]);
    assert!(e.contains("sweep-shard") && e.contains("run-shard"), "{e}");
    let e = fails(&[
        "sweep",
        &f,
        "--points",
        "9",
        "--shard",
        "0/10",
        "--out",
        s(&tmp.path().join("y")),
    ]);
    assert!(e.contains("at most 9 shards"), "{e}");
}

#[test]
fn very_large_jobs_need_yes() {
    let f = fast();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("big");
    // 10^10 replications × 2 paths × 24 months: refused before anything runs.
    let e = fails(&["run", &f, "-n", "4000000000", "--out", s(&out)]);
    assert!(e.contains("pass --yes"), "{e}");
    let e = fails(&["run", &f, "-n", "10000000000000", "--out", s(&out)]);
    assert!(e.contains("at most 4294967295"), "{e}");
    let e = fails(&[
        "sweep",
        &f,
        "-n",
        "100000000",
        "--param",
        "relations.trust_kr_jp=0..1:50",
        "--out",
        s(&out),
    ]);
    assert!(e.contains("pass --yes"), "{e}");
    let e = fails(&[
        "sweep",
        &f,
        "--param",
        "relations.trust_kr_jp=0..1:1000",
        "--param",
        "actors.seoul.favourability=0..1:1000",
        "--out",
        s(&out),
    ]);
    assert!(e.contains("more than the limit of 100000"), "{e}");
    assert!(!out.exists());
}
