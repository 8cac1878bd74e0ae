//! The bundled replay of 2015–19 (`scenarios/history/2015.toml`) end to end, as the README
//! shows it: `trisim run` writes per-world records in which the observed events hold in every
//! world, and `trisim score` against `scenarios/history/observed-2015-2019.csv` agrees with an
//! independent computation from `records.csv` (this file's own reading of the tidy CSV).

use serde_json::Value;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

fn trisim() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("trisim").unwrap()
}

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

/// Replications of the replay in this test (the scenario's 1000 take longer; 300 keep every
/// share below a multiple of 1/300).
const N: &str = "300";

/// records.csv as rows of column → text.
fn records(dir: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join("records.csv")).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|row| {
            let row = row.unwrap();
            h.iter()
                .cloned()
                .zip(row.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// The distinct values of `column` at `month`, sorted.
fn values(rows: &[HashMap<String, String>], month: &str, column: &str) -> Vec<String> {
    let mut v: Vec<String> = rows
        .iter()
        .filter(|r| r["month"] == month)
        .map(|r| r[column].clone())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Φ(z), Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): independent of the scorer's own.
fn phi(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

/// The value a series takes in one world's record: a metric column, or 1/0 for a threshold
/// (`col>=x`, `col<=x`) or a status (`col==word`).
fn series_value(series: &str, row: &HashMap<String, String>) -> f64 {
    for op in [">=", "<=", "=="] {
        if let Some((col, x)) = series.split_once(op) {
            let v = &row[col];
            let holds = match op {
                "==" => v == x,
                ">=" => v.parse::<f64>().unwrap() >= x.parse::<f64>().unwrap(),
                _ => v.parse::<f64>().unwrap() <= x.parse::<f64>().unwrap(),
            };
            return if holds { 1.0 } else { 0.0 };
        }
    }
    row[series].parse().unwrap()
}

#[test]
fn the_2015_replay_holds_its_events_and_scores_as_an_independent_harness_does() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("history-2015");
    trisim()
        .args(["run", "-q", "-n", N, "--out"])
        .arg(&out)
        .arg(repo("scenarios/history/2015.toml"))
        .assert()
        .success();
    let rows = records(&out);
    let worlds: usize = N.parse().unwrap();
    // 47 record months of the scenario's [output] (23 in 2015–19, 24 quarter ends in
    // 2020–25), one path.
    assert_eq!(rows.len(), worlds * 47);

    // Observed events hold in every world.
    let all = |month: &str, column: &str, expected: &str| {
        assert_eq!(
            values(&rows, month, column),
            [expected],
            "{column} at {month}"
        );
    };
    all("2015-12", "issue.comfort_women.status", "settled"); // the 2015-12 agreement
    all("2016-12", "path_in_force", "park");
    all("2017-03", "acting_kr", "1"); // Park impeached 2016-12, acting government to 2017-05
    all("2017-03", "us_type", "transactional"); // Trump from 2017-01
    all("2017-03", "nk_launches", "6"); // observed launches replace the draw (data row 2017-03)
    all("2017-06", "acting_kr", "0");
    all("2017-06", "camp_kr", "progressive"); // Moon elected 2017-05
    all("2017-06", "path_in_force", "moon"); // and his path in force
    all("2018-12", "issue.comfort_women.status", "repudiated"); // foundation dissolved 2018-11
    all("2019-09", "rung.economic_security", "0"); // Japan's export controls 2019-07
    all("2019-09", "hold_jp", "1");
    all("2019-09", "counter_threat_kr", "1"); // GSOMIA notice 2019-08 ...
    all("2019-12", "counter_threat_kr", "0"); // ... suspended 2019-11
    all("2019-12", "nuclear_tests", "3"); // the three pinned tests, no random one
                                          // The drivers of 2020–25.
    all("2020-12", "camp_jp", "hawkish"); // Suga 2020-09, Abe's camp
    all("2021-03", "us_type", "engaged"); // Biden from 2021-01
    all("2021-12", "camp_jp", "mainstream"); // Kishida 2021-10
    all("2022-06", "camp_kr", "conservative"); // Yoon from 2022-05 ...
    all("2022-06", "path_in_force", "yoon"); // ... and his path
    all("2023-03", "issue.forced_labor.status", "settled"); // the 2023-03 plan
    all("2023-03", "hold_jp", "0"); // Japan's controls lifted 2023-03
    all("2024-12", "acting_kr", "1"); // martial law and impeachment 2024-12
    all("2025-03", "us_type", "transactional"); // Trump from 2025-01
    all("2025-06", "camp_kr", "progressive"); // Lee elected 2025-06 ...
    all("2025-06", "path_in_force", "lee"); // ... and his path
    all("2025-06", "acting_kr", "0");
    all("2025-12", "camp_jp", "hawkish"); // Takaichi 2025-10
    all("2025-12", "nuclear_tests", "3"); // none after 2017
                                          // Falls are counted per track and reversals by cause: they add up to the totals.
    let tracks: Vec<String> = rows[0]
        .keys()
        .filter_map(|k| k.strip_prefix("rung."))
        .map(String::from)
        .collect();
    assert_eq!(tracks.len(), 9, "the nine default tracks");
    for r in &rows {
        let n = |c: &str| r[c].parse::<f64>().unwrap();
        for total in ["rollbacks", "lapses", "reversals"] {
            let per_track: f64 = tracks.iter().map(|k| n(&format!("{total}.{k}"))).sum();
            assert_eq!(per_track, n(total), "{total} at {}", r["month"]);
        }
        let by_cause: f64 = ["turnover", "retaliation", "counter_threat", "event"]
            .iter()
            .map(|c| n(&format!("reversals_{c}")))
            .sum();
        assert_eq!(
            by_cause,
            n("reversals"),
            "reversal causes at {}",
            r["month"]
        );
    }
    for r in rows.iter().filter(|r| r["month"] == "2019-12") {
        let n = |c: &str| r[c].parse::<f64>().unwrap();
        assert!(
            n("linkage_retaliations") >= 2.0,
            "Japan's and Korea's 2019 retaliations"
        );
        assert!(n("settlements") >= 1.0 && n("repudiations") >= 1.0);
        assert!(n("domestic_crises") >= 1.0 && n("china_coercion_events") >= 1.0);
    }

    // Score, then recompute each observation's mean and PIT from records.csv.
    let observed = repo("scenarios/history/observed-2015-2019.csv");
    trisim()
        .arg("score")
        .arg(&out)
        .arg("--observed")
        .arg(&observed)
        .assert()
        .success()
        .stdout(predicates::str::contains("170 observations"));
    let score: Value =
        serde_json::from_str(&fs::read_to_string(out.join("score/score.json")).unwrap()).unwrap();
    let path = &score["paths"][0];
    assert_eq!(path["path"], "park");
    assert_eq!(path["summary"]["observations"], 170);
    let series = path["series"].as_array().unwrap();
    let names: Vec<&str> = series
        .iter()
        .map(|s| s["series"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = csv::Reader::from_path(&observed)
        .unwrap()
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    expected.sort();
    expected.dedup();
    assert_eq!(names, expected);
    let mut checked = 0;
    for s in series {
        let name = s["series"].as_str().unwrap();
        let (mut brier, mut n) = (0.0, 0.0);
        for o in s["observations"].as_array().unwrap() {
            let month = o["month"].as_str().unwrap();
            let xs: Vec<f64> = rows
                .iter()
                .filter(|r| r["month"] == month)
                .map(|r| series_value(name, r))
                .collect();
            assert_eq!(xs.len(), worlds);
            let y = o["value"].as_f64().unwrap();
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            let pit = match o["sd"].as_f64() {
                Some(sd) if sd > 0.0 => {
                    xs.iter().map(|x| phi((y - x) / sd)).sum::<f64>() / xs.len() as f64
                }
                _ => {
                    let below = xs.iter().filter(|x| **x < y).count() as f64;
                    let ties = xs.iter().filter(|x| **x == y).count() as f64;
                    (below + 0.5 * ties) / xs.len() as f64
                }
            };
            let close = |a: f64, b: &Value, tol: f64, what: &str| {
                let b = b.as_f64().unwrap();
                assert!((a - b).abs() <= tol, "{name} {month} {what}: {a} vs {b}");
            };
            close(mean, &o["mean"], 1e-12, "mean");
            close(pit, &o["pit"], 1e-6, "PIT");
            brier += (mean - y).powi(2);
            n += 1.0;
            checked += 1;
        }
        if s["kind"] == "binary" {
            let b = s["brier"].as_f64().unwrap();
            assert!(
                (brier / n - b).abs() < 1e-12,
                "{name} Brier {} vs {b}",
                brier / n
            );
        }
    }
    assert_eq!(checked, 170);
    // A chart per series: the simulated fan with the observed points.
    for s in series {
        let chart = out.join("score").join(s["chart"].as_str().unwrap());
        for ext in ["svg", "png"] {
            let file = PathBuf::from(format!("{}.{ext}", chart.display()));
            assert!(file.exists(), "{}", file.display());
        }
    }
}

/// A replay is reproducible: the same records whatever the thread count.
#[test]
fn the_replay_records_do_not_depend_on_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |threads: &str| {
        let out = tmp.path().join(format!("t{threads}"));
        trisim()
            .args(["run", "-q", "-n", "64", "--threads", threads, "--out"])
            .arg(&out)
            .arg(repo("scenarios/history/2015.toml"))
            .assert()
            .success();
        fs::read(out.join("records.csv")).unwrap()
    };
    assert!(
        run("1") == run("2"),
        "records.csv differs between 1 and 2 threads"
    );
}
