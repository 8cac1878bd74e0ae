//! The `trisim` command end to end on a small scenario in a temporary folder.

use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};
use trisim::model::OUTCOMES;

const TINY: &str = r#"
[scenario]
name = "tiny"
horizon_months = 30
replications = 60
seed = 5
"#;

fn trisim() -> Command {
    Command::cargo_bin("trisim").unwrap()
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("tiny.toml");
    fs::write(&f, TINY).unwrap();
    (tmp, f)
}

/// `trisim run FILE --out OUT EXTRA...`, asserted on.
fn run_into(file: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    trisim()
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args(extra)
        .assert()
}

/// No staging folder (a hidden one) is left behind in `dir`.
fn assert_no_staging_folder(dir: &Path) {
    let leftovers: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn csv_rows(p: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(p).unwrap();
    let h = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r.records().map(|x| x.unwrap()).collect();
    (h, rows)
}

#[test]
fn run_writes_every_file_in_the_documented_shape() {
    let (tmp, f) = setup();
    let out = tmp.path().join("out");
    run_into(&f, &out, &["--threads", "2"])
        .success()
        .stdout(predicate::str::contains(
            "Difference from `gradual` on the same worlds",
        ))
        .stdout(predicate::str::contains("hasty"));
    // No staging folder left behind.
    assert_no_staging_folder(tmp.path());

    // summary.json: exact keys.
    let v: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "scenario",
            "seed",
            "replications",
            "reference_path",
            "paths",
            "paired"
        ]
    );
    assert_eq!(v["scenario"], "tiny");
    assert_eq!(v["seed"], 5);
    assert_eq!(v["replications"], 60);
    assert_eq!(v["reference_path"], "gradual");
    let paths = v["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 6);
    for (name, outcomes) in paths {
        let o = outcomes.as_object().unwrap();
        let okeys: Vec<&str> = o.keys().map(|k| k.as_str()).collect();
        let expected: Vec<&str> = OUTCOMES.iter().map(|d| d.key).collect();
        assert_eq!(okeys, expected, "{name}");
        let fc = o["final_ci"].as_object().unwrap();
        let fkeys: Vec<&str> = fc.keys().map(|k| k.as_str()).collect();
        assert_eq!(
            fkeys,
            ["mean", "sd", "ci95", "p5", "p25", "p50", "p75", "p95"]
        );
        let m = fc["mean"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&m));
        let ci = fc["ci95"].as_array().unwrap();
        assert!(ci[0].as_f64().unwrap() <= m && m <= ci[1].as_f64().unwrap());
        let q: Vec<f64> = ["p5", "p25", "p50", "p75", "p95"]
            .iter()
            .map(|k| fc[*k].as_f64().unwrap())
            .collect();
        assert!(q.windows(2).all(|w| w[0] <= w[1]), "{q:?}");
        let p = &v["paired"][name]["kr_crises"];
        let pkeys: Vec<&str> = p.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(pkeys, ["mean_diff", "ci95", "p_better"]);
        assert!(v["paired"][name]["nk_launches"]["p_better"].is_null());
    }

    // CSVs parse with their headers.
    let (h, rows) = csv_rows(&out.join("summary.csv"));
    assert_eq!(&h[..3], ["path", "outcome", "better"]);
    assert_eq!(rows.len(), 6 * OUTCOMES.len());
    let (h, rows) = csv_rows(&out.join("timeseries.csv"));
    assert_eq!(
        h,
        ["path", "month", "metric", "mean", "p5", "p10", "p25", "p50", "p75", "p90", "p95"]
    );
    assert_eq!(&rows[0][1], "2023-04");
    assert!(rows
        .iter()
        .any(|r| &r[1] == "2025-09" && &r[2] == "rung.summitry"));
    assert!(
        !rows.iter().any(|r| &r[1] == "2025-10"),
        "30 months from 2023-04"
    );
    // P(rung >= r): the share in `mean`, the quantile columns empty.
    let ge = rows
        .iter()
        .find(|r| &r[1] == "2025-09" && &r[2] == "rung.summitry>=1")
        .expect("a rung.summitry>=1 row");
    let share: f64 = ge[3].parse().unwrap();
    assert!((0.0..=1.0).contains(&share), "{ge:?}");
    let (h, rows) = csv_rows(&out.join("runs.csv"));
    assert_eq!(&h[..2], ["path", "replication"]);
    // Outcomes, then the final rung of every track and the final status of every issue.
    assert_eq!(h.len(), 2 + OUTCOMES.len() + 9 + 4, "{h:?}");
    assert_eq!(h[2 + OUTCOMES.len()], "rung.summitry");
    assert!(h.last().unwrap().starts_with("issue."), "{h:?}");
    assert_eq!(rows.len(), 6 * 60);

    // manifest.json
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    for k in [
        "trisim_version",
        "scenario_file",
        "scenario_sha256",
        "effective_scenario",
        "seed",
        "replications",
        "paths",
        "threads",
        "started_at",
        "wall_time_seconds",
    ] {
        assert!(m.get(k).is_some(), "manifest lacks {k}");
    }
    assert_eq!(m["scenario_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(m["threads"], 2);

    // Charts: PNGs decode at 1200×800, SVGs exist.
    for stem in trisim::output::charts::CHARTS {
        let png_path = out.join(format!("charts/{stem}.png"));
        let dec = png::Decoder::new(std::io::BufReader::new(fs::File::open(&png_path).unwrap()));
        let mut reader = dec.read_info().unwrap();
        let info = reader.info();
        assert_eq!((info.width, info.height), (1200, 800), "{stem}");
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buf).unwrap();
        let px = &buf[..frame.buffer_size()];
        // Not blank: a real chart has plenty of non-white pixels and several colours.
        let non_white = px.chunks(3).filter(|c| c.iter().any(|v| *v < 200)).count();
        assert!(non_white > 5_000, "{stem}: {non_white} non-white pixels");
        let reds = px
            .chunks(3)
            .filter(|c| c[0] > 150 && c[1] < 100 && c[2] < 100)
            .count();
        assert!(reds > 50, "{stem}: no red (second path) pixels");
        let svg = fs::read_to_string(out.join(format!("charts/{stem}.svg"))).unwrap();
        assert!(svg.contains("<svg") && svg.contains("1200"), "{stem}");
    }

    // A second run into the same folder fails without --force...
    run_into(&f, &out, &[])
        .code(1)
        .stderr(predicate::str::contains("not empty"));
    // ... and succeeds with it.
    run_into(&f, &out, &["--force", "--no-runs-csv"]).success();
    assert!(out.join("summary.json").exists());
    assert!(!out.join("runs.csv").exists());
}

#[test]
fn thread_count_does_not_change_results_and_seed_does() {
    let (tmp, f) = setup();
    let run = |name: &str, extra: &[&str]| {
        let out = tmp.path().join(name);
        run_into(&f, &out, extra).success();
        out
    };
    let a = run("a", &["--threads", "1", "--replications", "300"]);
    let b = run("b", &["--threads", "4", "--replications", "300"]);
    let c = run(
        "c",
        &["--threads", "2", "--replications", "300", "--seed", "6"],
    );
    for file in ["summary.json", "summary.csv", "timeseries.csv", "runs.csv"] {
        assert!(
            fs::read(a.join(file)).unwrap() == fs::read(b.join(file)).unwrap(),
            "{file}"
        );
    }
    assert!(fs::read(a.join("summary.json")).unwrap() != fs::read(c.join("summary.json")).unwrap());
}

#[test]
fn runs_without_out_get_new_folders_and_never_overwrite() {
    let (tmp, f) = setup();
    for _ in 0..2 {
        trisim()
            .current_dir(tmp.path())
            .args(["run", f.to_str().unwrap(), "-n", "20"])
            .assert()
            .success()
            .stdout(predicate::str::contains("results"));
    }
    let root = tmp.path().join("results/tiny");
    let mut ids: Vec<String> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "latest")
        .collect();
    ids.sort();
    assert_eq!(ids.len(), 2, "{ids:?}");
    // `latest` points at the second run.
    #[cfg(unix)]
    assert_eq!(
        fs::read_link(root.join("latest")).unwrap(),
        std::path::Path::new(&ids[1])
    );
    assert!(ids
        .iter()
        .all(|i| i.len() >= 16 && i.contains('T') && !i.starts_with('.')));
    for id in &ids {
        assert!(root.join(id).join("summary.json").exists());
    }
}

#[test]
fn unwritable_output_folder_is_a_clear_error() {
    let (tmp, f) = setup();
    let file = tmp.path().join("a_file");
    fs::write(&file, "x").unwrap();
    let out = file.join("sub");
    run_into(&f, &out, &[])
        .code(1)
        .stderr(predicate::str::contains("cannot create output folder"))
        .stderr(predicate::str::contains("is a file, not a folder"));
}

#[test]
fn bad_overrides_are_rejected() {
    let (_tmp, f) = setup();
    trisim()
        .args(["run", f.to_str().unwrap(), "--paths", "gradual,hsaty"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown path `hsaty`"))
        .stderr(predicate::str::contains("did you mean `hasty`"));
    trisim()
        .args(["run", f.to_str().unwrap(), "--replications", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--replications"));
    trisim().args(["run"]).assert().code(2);
}

#[test]
fn validate_reports_every_error_and_fails() {
    let (tmp, good) = setup();
    let bad = tmp.path().join("bad.toml");
    fs::write(
        &bad,
        "[scenario]\nname = \"bad\"\nrefernce_path = \"gradual\"\n\n[world.nk]\nw_launch = -1\n",
    )
    .unwrap();
    trisim()
        .args(["validate", good.to_str().unwrap(), bad.to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("ok:"))
        .stdout(predicate::str::contains("tiny.toml"))
        .stderr(predicate::str::contains("bad.toml:3"))
        .stderr(predicate::str::contains("reference_path"))
        .stderr(predicate::str::contains("bad.toml:6"))
        .stderr(predicate::str::contains("w_launch"));
    trisim()
        .args(["validate", good.to_str().unwrap()])
        .assert()
        .success();
}

#[test]
fn show_prints_a_scenario_that_validates() {
    let (tmp, f) = setup();
    let out = trisim()
        .args(["show", f.to_str().unwrap()])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("[paths.gradual]") && text.contains("horizon_months = 30"));
    let shown = tmp.path().join("shown.toml");
    fs::write(&shown, &text).unwrap();
    trisim()
        .args(["validate", shown.to_str().unwrap()])
        .assert()
        .success();
    // And it runs to the same results as the original file.
    let run = |file: &Path, name: &str| {
        let out = tmp.path().join(name);
        run_into(file, &out, &["-n", "30"]).success();
        fs::read(out.join("summary.json")).unwrap()
    };
    assert!(run(&f, "o1") == run(&shown, "o2"));
}

#[test]
fn help_explains_the_commands() {
    trisim()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples"))
        .stdout(predicate::str::contains("run"))
        .stdout(predicate::str::contains("validate"));
    trisim()
        .args(["run", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--no-runs-csv"))
        .stdout(predicate::str::contains("--force"));
}

#[test]
fn force_never_replaces_a_folder_that_is_not_a_trisim_result() {
    let (tmp, f) = setup();
    let run = |out: &Path| run_into(&f, out, &["--force", "--replications", "20"]);
    // An unrelated folder: refused even with --force, and left untouched.
    let other = tmp.path().join("thesis");
    fs::create_dir(&other).unwrap();
    fs::write(other.join("chapter1.tex"), "precious").unwrap();
    run(&other)
        .code(1)
        .stderr(predicate::str::contains(
            "does not look like a trisim result folder",
        ))
        .stderr(predicate::str::contains("nothing was deleted"));
    assert_eq!(
        fs::read_to_string(other.join("chapter1.tex")).unwrap(),
        "precious"
    );
    assert_eq!(fs::read_dir(&other).unwrap().count(), 1);
    // A manifest.json that trisim did not write does not make it a result folder.
    fs::write(other.join("manifest.json"), r#"{"name": "x"}"#).unwrap();
    run(&other)
        .code(1)
        .stderr(predicate::str::contains("trisim_version"));
    assert!(other.join("chapter1.tex").exists());

    // A previous result folder is replaced...
    let out = tmp.path().join("out");
    run(&out).success();
    run(&out).success();
    assert!(out.join("manifest.json").exists());
    // ... but not once someone has put their own file in it.
    fs::write(out.join("notes.txt"), "mine").unwrap();
    run(&out)
        .code(1)
        .stderr(predicate::str::contains("notes.txt"));
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    fs::remove_file(out.join("notes.txt")).unwrap();
    fs::write(out.join("charts/annotated.png"), "mine").unwrap();
    run(&out)
        .code(1)
        .stderr(predicate::str::contains("charts/annotated.png"));
    assert!(out.join("charts/annotated.png").exists());
    fs::remove_file(out.join("charts/annotated.png")).unwrap();
    run(&out).success();
    // No staging folder left behind.
    assert_no_staging_folder(tmp.path());
}

#[test]
fn skipping_a_large_runs_csv_is_announced() {
    let (tmp, f) = setup();
    // 20,001 replications × 5 paths = 100,005 rows > 100,000 (one month each: fast).
    let out = tmp.path().join("big");
    let base = [
        "run",
        f.to_str().unwrap(),
        "--replications",
        "20001",
        "--paths",
        "gradual,hasty,parallel,history_first,status_quo",
    ];
    let mut args: Vec<&str> = base.to_vec();
    args.extend(["--out", out.to_str().unwrap()]);
    let tiny_horizon = tmp.path().join("short.toml");
    fs::write(
        &tiny_horizon,
        TINY.replace("horizon_months = 30", "horizon_months = 1"),
    )
    .unwrap();
    args[1] = tiny_horizon.to_str().unwrap();
    trisim()
        .args(&args)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "runs.csv not written (100005 rows > 100000)",
        ))
        .stderr(predicate::str::contains("--runs-csv"));
    assert!(!out.join("runs.csv").exists());
    // Below the limit (or with --no-runs-csv): no note.
    let small = tmp.path().join("small");
    run_into(&tiny_horizon, &small, &["--replications", "10"])
        .success()
        .stderr(predicate::str::contains("runs.csv").not());
}
