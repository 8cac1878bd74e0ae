//! `trisim score` on small synthetic results folders (manifest.json, runs.csv, records.csv
//! written here, to the records.csv contract): outputs, values, errors with file:line, and
//! no overwrite without --force.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn trisim() -> Command {
    Command::cargo_bin("trisim").unwrap()
}

/// A results folder: paths a and b, 4 replications, 2015-01 for 12 months; records at
/// 2015-03, 2015-06 and 2015-12.
///
/// f_kr of replication r: path a 0.1(r+1) at 2015-03, 0.2(r+1) at 2015-06, 0.5 at 2015-12;
/// path b 0.5 everywhere. rung.intelligence of path a: r at 2015-06 and 2015-12, else 0;
/// path b: 0. camp_kr: "conservative" for even r, else "progressive". peak_ci: 0.1(r+1).
fn results(tmp: &Path, with_records: bool) -> PathBuf {
    let dir = tmp.join("run");
    fs::create_dir_all(&dir).unwrap();
    let manifest = serde_json::json!({
        "trisim_version": "0.1.0",
        "command": "run",
        "seed": 1,
        "replications": 4,
        "paths": ["a", "b"],
        "reference_path": "a",
        "runs_csv": true,
        "effective_scenario": "[scenario]\nname = \"synthetic\"\nstart = \"2015-01\"\nhorizon_months = 12\nreplications = 4\n",
    });
    fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    let mut runs = String::from("path,replication,final_ci,peak_ci\n");
    let mut rec = String::from("path,replication,month,f_kr,rung.intelligence,camp_kr,extra\n");
    for r in 0..4 {
        for p in ["a", "b"] {
            runs.push_str(&format!("{p},{r},0.5,{}\n", 0.1 * (r + 1) as f64));
            for (m, fa, rung) in [
                ("2015-03", 0.1 * (r + 1) as f64, 0),
                ("2015-06", 0.2 * (r + 1) as f64, r),
                ("2015-12", 0.5, r),
            ] {
                let (f, rung) = if p == "a" { (fa, rung) } else { (0.5, 0) };
                let camp = if r % 2 == 0 {
                    "conservative"
                } else {
                    "progressive"
                };
                rec.push_str(&format!("{p},{r},{m},{f},{rung},{camp},\n"));
            }
        }
    }
    fs::write(dir.join("runs.csv"), runs).unwrap();
    if with_records {
        fs::write(dir.join("records.csv"), rec).unwrap();
    }
    dir
}

const OBS: &str = "\
series,month,value,sd,source,note
f_kr,2015-03,0.25,,poll A,mid-sample
f_kr,2015-06,0.9,,poll B,above every world
rung.intelligence>=2,2015-03,0,,,
rung.intelligence>=2,2015-06,1,,,
camp_kr==progressive,2015-06,1,,,
peak_ci,2015-12,0.25,0.1,,
";

fn write(tmp: &Path, name: &str, text: &str) -> PathBuf {
    let f = tmp.join(name);
    fs::write(&f, text).unwrap();
    f
}

fn score(dir: &Path, obs: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    trisim()
        .arg("score")
        .arg(dir)
        .arg("--observed")
        .arg(obs)
        .args(extra)
        .assert()
}

fn close(a: &Value, b: f64) {
    let a = a.as_f64().unwrap_or_else(|| panic!("not a number: {a}"));
    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
}

#[test]
fn writes_score_files_and_charts_with_the_expected_values() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = results(tmp.path(), true);
    let obs = write(tmp.path(), "obs.csv", OBS);
    score(&dir, &obs, &[])
        .success()
        .stdout(predicate::str::contains("Path `a`"))
        .stdout(predicate::str::contains("rung.intelligence>=2"))
        .stdout(predicate::str::contains("Score written to"));
    let out = dir.join("score");
    for f in ["score.json", "score.csv", "manifest.json"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    for ext in ["png", "svg"] {
        for stem in [
            "a--f_kr",
            "a--rung.intelligence_ge_2",
            "b--camp_kr_eq_progressive",
            "b--peak_ci",
        ] {
            assert!(
                out.join(format!("charts/{stem}.{ext}")).is_file(),
                "{stem}.{ext}"
            );
        }
    }
    let j: Value = serde_json::from_slice(&fs::read(out.join("score.json")).unwrap()).unwrap();
    let a = &j["paths"][0];
    assert_eq!(a["path"], "a");
    let f = &a["series"][0];
    assert_eq!(f["series"], "f_kr");
    assert_eq!(f["n"], 2);
    // 2015-03: sample {0.1, 0.2, 0.3, 0.4}, y = 0.25: PIT 0.5; CRPS 0.1 − 1/16 = 0.0375.
    close(&f["observations"][0]["pit"], 0.5);
    close(&f["observations"][0]["crps"], 0.0375);
    close(&f["observations"][0]["p50"], 0.25);
    // 2015-06: {0.2, 0.4, 0.6, 0.8}, y = 0.9: PIT 1, outside every band; CRPS 0.4 − 0.5/4.
    close(&f["observations"][1]["pit"], 1.0);
    close(&f["observations"][1]["crps"], 0.4 - 0.125);
    close(&f["coverage_80"], 0.5);
    // RMSE of the median: errors 0 and 0.4 → √0.08.
    close(&f["rmse_median"], 0.08f64.sqrt());
    // Both rise: the sign agrees.
    close(&f["sign_agreement"], 1.0);
    // No-change forecast 0.25 for 0.9: CRPS 0.65; model 0.275 → skill 1 − 0.275/0.65.
    close(&f["crps_skill"], 1.0 - 0.275 / 0.65);
    // rung ≥ 2 on path a: P = 0 at 2015-03, 2/4 at 2015-06.
    let r = &a["series"][1];
    assert_eq!(r["kind"], "binary");
    close(&r["brier"], (0.0 + 0.25) / 2.0);
    // No-change reference 0 for 1: Brier 1; model 0.25 → skill 0.75.
    close(&r["brier_skill"], 0.75);
    let fp = &r["first_passage"];
    assert_eq!(fp["observed"], "2015-06");
    // Worlds 2 and 3 pass at 2015-06, worlds 0 and 1 never.
    assert_eq!(fp["simulated_median"], "2015-06");
    assert_eq!(fp["error_months"], 0);
    close(&fp["never_share"], 0.5);
    // Path b: rung ≥ 2 never holds → Brier (0 + 1)/2, skill 1 − 1/1 = 0.
    let b = &j["paths"][1];
    close(&b["series"][1]["brier"], 0.5);
    close(&b["series"][1]["brier_skill"], 0.0);
    assert_eq!(
        b["series"][1]["first_passage"]["simulated_median"],
        Value::Null
    );
    close(&b["series"][1]["first_passage"]["never_share"], 1.0);
    // A text column through a threshold: half the worlds are progressive.
    close(&b["series"][2]["observations"][0]["mean"], 0.5);
    // An outcome with an sd: PIT = mean Φ((0.25 − xᵢ)/0.1) over {0.1, …, 0.4}, symmetric: ½.
    let pk = &b["series"][3];
    assert_eq!(pk["kind"], "outcome");
    close(&pk["observations"][0]["pit"], 0.5);
    // Summary of path a: 6 observations (2 + 2 + 1 + 1), of which the 80% band holds 5:
    // f_kr 1 of 2, rung 2 (all 0 at y = 0: mid-rank PIT ½; at 2015-06 two of four worlds are
    // 1: PIT ¾), camp 1 (PIT ¾), peak 1.
    assert_eq!(a["summary"]["observations"], 6);
    close(&a["summary"]["coverage_80"], 5.0 / 6.0);
    let csv = fs::read_to_string(out.join("score.csv")).unwrap();
    assert!(csv.starts_with("path,series,kind,n,coverage_50,coverage_80"));
    assert_eq!(csv.lines().count(), 1 + 2 * 4);
    assert!(csv.contains("a,rung.intelligence>=2,binary,2,"));
}

#[test]
fn never_overwrites_without_force_and_replaces_with_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = results(tmp.path(), true);
    let obs = write(tmp.path(), "obs.csv", OBS);
    let out = tmp.path().join("myscore");
    let o = out.to_str().unwrap();
    score(&dir, &obs, &["--out", o, "--path", "b", "-q"])
        .success()
        .stdout(format!("{o}\n"));
    let before = fs::read(out.join("score.json")).unwrap();
    score(&dir, &obs, &["--out", o])
        .failure()
        .stderr(predicate::str::contains("pass --force"));
    assert_eq!(fs::read(out.join("score.json")).unwrap(), before);
    score(&dir, &obs, &["--out", o, "--force"]).success();
    let j: Value = serde_json::from_slice(&fs::read(out.join("score.json")).unwrap()).unwrap();
    assert_eq!(j["paths"].as_array().unwrap().len(), 2);
    // The first score had only path b; the replacement has both.
    assert!(out.join("charts/a--f_kr.png").is_file());
    // A folder holding other files is never replaced, even with --force.
    let other = tmp.path().join("other");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join("notes.txt"), "mine").unwrap();
    score(&dir, &obs, &["--out", other.to_str().unwrap(), "--force"]).failure();
    assert_eq!(fs::read_to_string(other.join("notes.txt")).unwrap(), "mine");
}

/// Scores `obs` (text) and returns stderr; the command must fail and write nothing.
fn error_of(dir: &Path, tmp: &Path, obs: &str) -> String {
    let f = write(tmp, "bad.csv", obs);
    let out = score(dir, &f, &[]).failure();
    assert!(!dir.join("score").exists());
    String::from_utf8(out.get_output().stderr.clone()).unwrap()
}

#[test]
fn errors_name_the_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = results(tmp.path(), true);
    let h = "series,month,value\n";
    let e = error_of(
        &dir,
        tmp.path(),
        &format!("{h}f_kr,2015-03,0.2\nf_rk,2015-03,0.2\n"),
    );
    assert!(e.contains("bad.csv:3: unknown series `f_rk`"), "{e}");
    assert!(e.contains("did you mean `f_kr`?"), "{e}");
    let e = error_of(&dir, tmp.path(), &format!("{h}f_kr,2015-04,0.2\n"));
    assert!(
        e.contains("bad.csv:2: month 2015-04 is not recorded"),
        "{e}"
    );
    assert!(e.contains("2015-03, 2015-06, 2015-12"), "{e}");
    assert!(e.contains("--record") && e.contains("record_months"), "{e}");
    let e = error_of(&dir, tmp.path(), &format!("{h}f_kr,2016-01,0.2\n"));
    assert!(
        e.contains("bad.csv:2: month 2016-01 is outside the run (2015-01 to 2015-12)"),
        "{e}"
    );
    // An unquoted comma in the last field would silently cut it: an error.
    let e = error_of(
        &dir,
        tmp.path(),
        "series,month,value,note\nf_kr,2015-03,0.2,fine\nf_kr,2015-06,0.2,a, b\n",
    );
    assert!(
        e.contains("bad.csv:3: 5 fields, but the header has 4") && e.contains("quoted"),
        "{e}"
    );
    let e = error_of(&dir, tmp.path(), &format!("{h}f_kr,2015-03,zero\n"));
    assert!(
        e.contains("bad.csv:2: `value`: expected a number, got `zero`"),
        "{e}"
    );
    let e = error_of(
        &dir,
        tmp.path(),
        "series,month,value,sd\nf_kr,2015-03,0.2,-1\n",
    );
    assert!(e.contains("bad.csv:2: `sd`"), "{e}");
    let e = error_of(
        &dir,
        tmp.path(),
        &format!("{h}rung.intelligence>=2,2015-03,2\n"),
    );
    assert!(
        e.contains("bad.csv:2:") && e.contains("must be 0 or 1"),
        "{e}"
    );
    let e = error_of(&dir, tmp.path(), &format!("{h}peak_ci,2015-06,0.2\n"));
    assert!(
        e.contains("bad.csv:2:") && e.contains("last month 2015-12"),
        "{e}"
    );
    let e = error_of(&dir, tmp.path(), &format!("{h}camp_kr,2015-03,1\n"));
    assert!(
        e.contains("records.csv:") && e.contains("camp_kr==conservative"),
        "{e}"
    );
    let e = error_of(&dir, tmp.path(), "");
    assert!(e.contains("bad.csv: the file is empty"), "{e}");
    let e = error_of(&dir, tmp.path(), h);
    assert!(e.contains("bad.csv: no observations"), "{e}");
    let e = error_of(
        &dir,
        tmp.path(),
        &format!("{h}f_kr,2015-03,0.2\nf_kr,2015-03,0.3\n"),
    );
    assert!(
        e.contains("bad.csv:3:") && e.contains("observed twice"),
        "{e}"
    );
    // --path must be one of the run's paths.
    let f = write(tmp.path(), "ok.csv", &format!("{h}f_kr,2015-03,0.2\n"));
    score(&dir, &f, &["--path", "aa"])
        .failure()
        .stderr(predicate::str::contains("its paths: a, b"));
}

#[test]
fn without_records_only_outcomes_can_be_scored() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = results(tmp.path(), false);
    let e = error_of(&dir, tmp.path(), "series,month,value\nf_kr,2015-03,0.2\n");
    assert!(e.contains("bad.csv:2: unknown series `f_kr`"), "{e}");
    assert!(
        e.contains("has no records.csv") && e.contains("--record"),
        "{e}"
    );
    let f = write(
        tmp.path(),
        "ok.csv",
        "series,month,value\npeak_ci,2015-12,0.3\n",
    );
    score(&dir, &f, &[]).success();
    assert!(dir.join("score/score.json").is_file());
}
