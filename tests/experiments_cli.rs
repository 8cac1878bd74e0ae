//! The experiment commands end to end: `trisim sweep`, `sensitivity`, `discover`,
//! `run --precision`, and `show` / `validate` on experiment scenarios. Every command runs the
//! real binary into a temporary folder on small designs and short horizons.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn trisim() -> Command {
    Command::cargo_bin("trisim").unwrap()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled experiment scenario `scenarios/experiments/<name>`.
fn bundled(name: &str) -> String {
    root()
        .join("scenarios/experiments")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// A fixture of `tests/fixtures/experiments/`: `fast.toml` is the baseline over 24 months
/// with gradual and hasty only; `fast-lhs.toml` adds a 40-point Latin hypercube over three
/// parameters with 10 replications per point.
fn fixture(name: &str) -> String {
    root()
        .join("tests/fixtures/experiments")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `trisim ARGS`, asserts success, returns (stdout, stderr).
fn ok(args: &[&str]) -> (String, String) {
    let out = trisim().args(args).assert().success().get_output().clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs `trisim ARGS`, asserts exit code 1 and no panic, returns stderr.
fn fails(args: &[&str]) -> String {
    let out = trisim()
        .args(args)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("panicked").not())
        .get_output()
        .clone();
    String::from_utf8(out.stderr).unwrap()
}

/// Every file under `dir` (recursively) by its path relative to `dir`, with its bytes.
fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, d: &Path, acc: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, acc);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                acc.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    let mut acc = BTreeMap::new();
    walk(dir, dir, &mut acc);
    acc
}

fn json(p: &Path) -> Value {
    serde_json::from_slice(&fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))).unwrap()
}

fn csv_rows(p: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(p).unwrap();
    let h = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r.records().map(|x| x.unwrap()).collect();
    (h, rows)
}

fn col(h: &[String], name: &str) -> usize {
    h.iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name} in {h:?}"))
}

fn f(x: &str) -> f64 {
    x.parse()
        .unwrap_or_else(|_| panic!("`{x}` is not a number"))
}

/// The chart stems listed in `dir/manifest.json`, sorted.
fn listed_charts(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = json(&dir.join("manifest.json"))["charts"]
        .as_array()
        .expect("manifest lists its charts")
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// Every chart the manifest lists exists as a decodable, non-blank PNG of 1200 × 800 and an
/// SVG, `charts/` holds nothing else, and the stems are exactly `expected`.
fn assert_charts(dir: &Path, expected: &[&str]) {
    let listed = listed_charts(dir);
    let mut want: Vec<String> = expected.iter().map(|x| x.to_string()).collect();
    want.sort();
    assert_eq!(listed, want, "{}", dir.display());
    let mut on_disk: Vec<String> = fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut both: Vec<String> = listed
        .iter()
        .flat_map(|c| [format!("{c}.png"), format!("{c}.svg")])
        .collect();
    both.sort();
    assert_eq!(on_disk, both);
    for stem in &listed {
        let png_path = dir.join(format!("charts/{stem}.png"));
        let dec = png::Decoder::new(std::io::BufReader::new(fs::File::open(&png_path).unwrap()));
        let mut reader = dec.read_info().unwrap();
        let info = reader.info();
        assert_eq!((info.width, info.height), (1200, 800), "{stem}");
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buf).unwrap();
        let px = &buf[..frame.buffer_size()];
        let non_white = px.chunks(3).filter(|c| c.iter().any(|v| *v < 200)).count();
        assert!(non_white > 2_000, "{stem}: {non_white} non-white pixels");
        let svg = fs::read_to_string(dir.join(format!("charts/{stem}.svg"))).unwrap();
        assert!(svg.contains("<svg"), "{stem}");
    }
}

/// No hidden staging folder is left in `dir`.
fn assert_no_staging_folder(dir: &Path) {
    let leftovers: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// One design point of a sweep.csv: its swept values and its row for each path.
type Point = (Vec<f64>, BTreeMap<String, csv::StringRecord>);

/// sweep.csv by point (and the swept parameters' addresses, from sweep.json).
fn sweep_points(dir: &Path) -> (Vec<String>, Vec<Point>) {
    let (h, rows) = csv_rows(&dir.join("sweep.csv"));
    let params: Vec<String> = json(&dir.join("sweep.json"))["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["address"].as_str().unwrap().to_string())
        .collect();
    let pcols: Vec<usize> = params.iter().map(|p| col(&h, p)).collect();
    let (point, path) = (col(&h, "point"), col(&h, "path"));
    let mut out: Vec<Point> = Vec::new();
    for r in rows {
        let i: usize = r[point].parse().unwrap();
        let x: Vec<f64> = pcols.iter().map(|c| f(&r[*c])).collect();
        if i == out.len() + 1 {
            out.push((x.clone(), BTreeMap::new()));
        }
        assert_eq!(i, out.len(), "rows are grouped by point in order");
        assert_eq!(out[i - 1].0, x, "a point's rows carry the same values");
        out[i - 1].1.insert(r[path].to_string(), r);
    }
    (params, out)
}

fn assert_close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() < 1e-9, "{a:?} vs {b:?}");
    }
}

// ---------------------------------------------------------------------------------------
// 1. sweep determinism on the bundled 2-D grid
// ---------------------------------------------------------------------------------------

#[test]
fn bundled_grid_sweep_is_identical_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = bundled("favourability-x-salience.toml");
    let run = |name: &str, extra: &[&str]| {
        let out = tmp.path().join(name);
        let mut args = vec!["sweep", &scen, "-n", "20", "--out", s(&out)];
        args.extend(extra);
        let (stdout, stderr) = ok(&args);
        assert!(stdout.contains("Sweep over actors.seoul.favourability, history.issues.forced_labor.salience (grid design, 99 points, 20 replications"), "{stdout}");
        assert!(stdout.contains("hasty − gradual"), "{stdout}");
        assert!(
            stderr.contains("99 point(s) × 2 path(s) × 20 replication(s)"),
            "{stderr}"
        );
        out
    };
    let a = run("a", &["--threads", "1"]);
    let b = run("b", &["--threads", "2"]);
    let c = run("c", &["--threads", "2", "--seed", "7"]);
    assert_no_staging_folder(tmp.path());

    let (fa, fb) = (files_under(&a), files_under(&b));
    let names: BTreeSet<&String> = fa.keys().collect();
    assert_eq!(names, fb.keys().collect::<BTreeSet<_>>());
    for need in ["sweep.csv", "sweep.json", "manifest.json"] {
        assert!(fa.contains_key(need), "{need} missing: {names:?}");
    }
    // The bundled scenario defines a score: the charts are the 2-D grid's, on the score.
    assert_charts(
        &a,
        &[
            "heatmap_diff_score",
            "heatmap_pbetter_score",
            "win_map_score",
        ],
    );
    for (name, bytes) in &fa {
        if name == "manifest.json" {
            continue;
        }
        assert!(*bytes == fb[name], "{name} differs between 1 and 2 threads");
    }
    // manifest.json differs only in timing and thread fields.
    let (mut ma, mut mb) = (
        json(&a.join("manifest.json")),
        json(&b.join("manifest.json")),
    );
    assert_eq!(ma["threads"], 1);
    assert_eq!(mb["threads"], 2);
    assert_eq!(ma["command"], "sweep");
    assert_eq!(ma["replications"], 20);
    assert_eq!(ma["points"], 99);
    // The extends chain is recorded: the experiment and the baseline it extends.
    let sources: Vec<String> = ma["scenario_sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sources.len(), 2, "{sources:?}");
    assert!(sources[0].ends_with("favourability-x-salience.toml"));
    assert!(sources[1].ends_with("baseline.toml"));
    for m in [&mut ma, &mut mb] {
        let o = m.as_object_mut().unwrap();
        for k in ["threads", "started_at", "wall_time_seconds"] {
            assert!(o.remove(k).is_some(), "manifest lacks {k}");
        }
    }
    assert_eq!(ma, mb);

    // The documented shape: 99 points × 2 paths, grid levels in sweep.json.
    let (h, rows) = csv_rows(&a.join("sweep.csv"));
    assert_eq!(rows.len(), 99 * 2);
    assert_eq!(
        &h[..4],
        [
            "point",
            "actors.seoul.favourability",
            "history.issues.forced_labor.salience",
            "path"
        ]
    );
    let j = json(&a.join("sweep.json"));
    assert_eq!(j["design"], "grid");
    assert_eq!(j["points"], 99);
    assert_eq!(j["replications_per_point"], 20);
    assert_eq!(j["paths"], serde_json::json!(["gradual", "hasty"]));
    assert_eq!(j["parameters"][0]["levels"].as_array().unwrap().len(), 11);
    assert_eq!(j["parameters"][1]["levels"].as_array().unwrap().len(), 9);

    // Another seed gives other numbers (so the comparison above can fail).
    assert!(fa["sweep.csv"] != files_under(&c)["sweep.csv"]);
}

// ---------------------------------------------------------------------------------------
// 2. --param forms: grid values, grid range with steps, lhs
// ---------------------------------------------------------------------------------------

#[test]
fn grid_values_on_the_command_line_give_every_combination_for_every_path() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("g");
    let fast = fixture("fast.toml");
    ok(&[
        "sweep",
        &fast,
        "-n",
        "8",
        "--paths",
        "gradual,hasty,parallel",
        "--param",
        "actors.seoul.favourability=0.1,0.3,0.5",
        "--param",
        "world.politics.b_crit=2.5,3.5",
        "--out",
        s(&out),
    ]);
    let (h, rows) = csv_rows(&out.join("sweep.csv"));
    assert_eq!(rows.len(), 6 * 3, "points × paths rows");
    assert_eq!(
        &h[..4],
        [
            "point",
            "actors.seoul.favourability",
            "world.politics.b_crit",
            "path"
        ]
    );
    let (params, points) = sweep_points(&out);
    assert_eq!(params.len(), 2);
    assert_eq!(points.len(), 6);
    let mut seen: Vec<(String, String)> = points
        .iter()
        .map(|(x, _)| (x[0].to_string(), x[1].to_string()))
        .collect();
    seen.sort();
    let mut want = Vec::new();
    for a in ["0.1", "0.3", "0.5"] {
        for b in ["2.5", "3.5"] {
            want.push((a.to_string(), b.to_string()));
        }
    }
    assert_eq!(seen, want);
    let (diff, pb, n) = (
        col(&h, "final_ci_diff"),
        col(&h, "final_ci_p_better"),
        col(&h, "final_ci_n"),
    );
    for (_, by_path) in &points {
        let names: Vec<&String> = by_path.keys().collect();
        assert_eq!(names, ["gradual", "hasty", "parallel"]);
        // The reference's difference with itself is 0 and has no P(better).
        assert_eq!(f(&by_path["gradual"][diff]), 0.0);
        assert_eq!(&by_path["gradual"][pb], "");
        let p = f(&by_path["hasty"][pb]);
        assert!((0.0..=1.0).contains(&p));
        assert_eq!(&by_path["hasty"][n], "8");
    }
    let m = json(&out.join("manifest.json"));
    assert_eq!(
        m["paths"],
        serde_json::json!(["gradual", "hasty", "parallel"])
    );
    let charts = listed_charts(&out);
    assert!(!charts.is_empty());
    let stems: Vec<&str> = charts.iter().map(|c| c.as_str()).collect();
    assert_charts(&out, &stems);
}

#[test]
fn a_grid_range_with_steps_is_evenly_spaced_and_sweeps_without_out_go_under_results() {
    let tmp = tempfile::tempdir().unwrap();
    let fast = fixture("fast.toml");
    let out = trisim()
        .current_dir(tmp.path())
        .args([
            "sweep",
            &fast,
            "-n",
            "6",
            "--param",
            "actors.seoul.favourability=0.1..0.5:5",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("Results written to results"), "{stdout}");
    let root = tmp.path().join("results/fast-sweep");
    let ids: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.ends_with("latest"))
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let out = &ids[0];
    // results/<name>-sweep/latest points at it.
    #[cfg(unix)]
    assert_eq!(
        fs::read_link(root.join("latest")).unwrap(),
        out.file_name().unwrap()
    );
    let (h, rows) = csv_rows(&out.join("sweep.csv"));
    assert_eq!(rows.len(), 5 * 2);
    assert_eq!(&h[1], "actors.seoul.favourability");
    let (_, points) = sweep_points(out);
    let xs: Vec<f64> = points.iter().map(|(x, _)| x[0]).collect();
    assert_close(&xs, &[0.1, 0.2, 0.3, 0.4, 0.5]);
    let j = json(&out.join("sweep.json"));
    let levels: Vec<f64> = j["parameters"][0]["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_close(&levels, &[0.1, 0.2, 0.3, 0.4, 0.5]);
    assert_charts(out, &["sweep_final_ci", "sweep_diff_final_ci"]);
}

#[test]
fn an_lhs_design_stratifies_every_range_and_is_seeded() {
    let tmp = tempfile::tempdir().unwrap();
    let fast = fixture("fast.toml");
    let ranges = [
        ("actors.seoul.favourability", 0.1, 0.5),
        ("relations.trust_kr_jp", 0.2, 0.6),
        ("paths.hasty.legislate", 0.0, 1.0),
    ];
    let run = |name: &str, seed: &str| {
        let out = tmp.path().join(name);
        let mut args: Vec<String> = [
            "sweep", &fast, "-n", "6", "--seed", seed, "--design", "lhs", "--points", "6",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect();
        for (a, lo, hi) in ranges {
            args.push("--param".into());
            args.push(format!("{a}={lo}..{hi}"));
        }
        args.extend(["--out".to_string(), s(&out).to_string()]);
        let a: Vec<&str> = args.iter().map(|x| x.as_str()).collect();
        ok(&a);
        out
    };
    let a = run("a", "11");
    let (h, rows) = csv_rows(&a.join("sweep.csv"));
    assert_eq!(rows.len(), 6 * 2);
    let (params, points) = sweep_points(&a);
    assert_eq!(
        params,
        ranges.iter().map(|r| r.0.to_string()).collect::<Vec<_>>()
    );
    assert_eq!(&h[1..4], &params[..]);
    assert_eq!(points.len(), 6);
    // Latin hypercube: each of the 6 equal strata of each range holds exactly one point.
    for (k, (name, lo, hi)) in ranges.iter().enumerate() {
        let mut strata: Vec<usize> = points
            .iter()
            .map(|(x, _)| {
                assert!(*lo <= x[k] && x[k] <= *hi, "{name} = {} outside", x[k]);
                (((x[k] - lo) / (hi - lo) * 6.0).floor() as usize).min(5)
            })
            .collect();
        strata.sort();
        assert_eq!(strata, [0, 1, 2, 3, 4, 5], "{name}");
    }
    let j = json(&a.join("sweep.json"));
    assert_eq!(j["design"], "lhs");
    assert_eq!(j["points"], 6);
    assert_eq!(j["design_points"].as_array().unwrap().len(), 6);
    // Three parameters, not a grid: only the win map.
    assert_charts(&a, &["win_map_final_ci"]);
    // Same seed, same design and numbers; another seed, another design.
    let b = run("b", "11");
    assert!(fs::read(a.join("sweep.csv")).unwrap() == fs::read(b.join("sweep.csv")).unwrap());
    let c = run("c", "12");
    let (_, pc) = sweep_points(&c);
    assert!(points[0].0 != pc[0].0);
}

// ---------------------------------------------------------------------------------------
// 3. chart names follow the design and the outcome
// ---------------------------------------------------------------------------------------

#[test]
fn chart_names_follow_the_number_of_parameters_and_the_outcome() {
    let tmp = tempfile::tempdir().unwrap();
    let fast = fixture("fast.toml");
    let sweep = |name: &str, params: &[&str], outcome: Option<&str>| {
        let out = tmp.path().join(name);
        let mut args = vec!["sweep", &fast, "-n", "6", "--out", s(&out)];
        for p in params {
            args.extend(["--param", p]);
        }
        if let Some(o) = outcome {
            args.extend(["--outcome", o]);
        }
        let (stdout, _) = ok(&args);
        (out, stdout)
    };
    let one = ["actors.seoul.favourability=0.1,0.3,0.5"];
    let two = [
        "actors.seoul.favourability=0.1..0.5:3",
        "world.politics.b_crit=2,3",
    ];
    let (d, _) = sweep("one", &one, None);
    assert_charts(&d, &["sweep_final_ci", "sweep_diff_final_ci"]);
    let (d, stdout) = sweep("one-kr", &one, Some("kr_crises"));
    assert_charts(&d, &["sweep_kr_crises", "sweep_diff_kr_crises"]);
    assert!(
        stdout.contains("Outcome kr_crises (lower is better)"),
        "{stdout}"
    );
    let (d, _) = sweep("two", &two, None);
    assert_charts(
        &d,
        &[
            "heatmap_diff_final_ci",
            "heatmap_pbetter_final_ci",
            "win_map_final_ci",
        ],
    );
    let (d, stdout) = sweep("two-kr", &two, Some("kr_crises"));
    assert_charts(
        &d,
        &[
            "heatmap_diff_kr_crises",
            "heatmap_pbetter_kr_crises",
            "win_map_kr_crises",
        ],
    );
    assert!(
        stdout.contains("Best mean kr_crises at each point"),
        "{stdout}"
    );
    // An outcome with no better direction has no P(better) heatmap and no win map.
    let (d, _) = sweep("two-nk", &two, Some("nk_launches"));
    assert_charts(&d, &["heatmap_diff_nk_launches"]);
    // The outcome changes the charts only: sweep.csv holds every outcome either way.
    assert!(
        fs::read(tmp.path().join("two/sweep.csv")).unwrap()
            == fs::read(tmp.path().join("two-kr/sweep.csv")).unwrap()
    );
}

// ---------------------------------------------------------------------------------------
// 4. sensitivity
// ---------------------------------------------------------------------------------------

const SENS_PARAMS: [&str; 3] = [
    "actors.seoul.favourability=0.1..0.5",
    "relations.trust_kr_jp=0.2..0.6",
    // Only gradual and hasty run: the parallel path's transparency changes nothing.
    "paths.parallel.transparency=0..1",
];

fn sensitivity(out: &Path, threads: &str) -> String {
    let fast = fixture("fast.toml");
    let mut args = vec![
        "sensitivity",
        &fast,
        "--samples",
        "8",
        "-n",
        "10",
        "--bootstrap",
        "200",
        "--path-diff",
        "hasty:gradual",
        "--threads",
        threads,
        "--out",
        s(out),
    ];
    for p in SENS_PARAMS {
        args.extend(["--param", p]);
    }
    ok(&args).0
}

#[test]
fn sensitivity_is_deterministic_lists_every_parameter_and_zeroes_an_inert_one() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    let stdout = sensitivity(&a, "1");
    sensitivity(&b, "2");
    for file in [
        "sensitivity.csv",
        "sensitivity.json",
        "sweep.csv",
        "sweep.json",
        "charts/sobol_indices.png",
        "charts/sobol_indices.svg",
        "charts/tornado.png",
        "charts/tornado.svg",
    ] {
        assert!(
            fs::read(a.join(file)).unwrap() == fs::read(b.join(file)).unwrap(),
            "{file}"
        );
    }
    assert_charts(&a, &["sobol_indices", "tornado"]);
    assert!(
        stdout.contains("Sensitivity of hasty − gradual: final_ci (40 points × 10 replications"),
        "{stdout}"
    );
    for p in SENS_PARAMS {
        let addr = p.split('=').next().unwrap();
        assert!(
            stdout.lines().any(|l| l.starts_with(addr)),
            "{addr} not in the table:\n{stdout}"
        );
    }

    let (h, rows) = csv_rows(&a.join("sensitivity.csv"));
    assert_eq!(
        h,
        [
            "parameter",
            "low",
            "high",
            "s1",
            "s1_ci_low",
            "s1_ci_high",
            "st",
            "st_ci_low",
            "st_ci_high",
            "tornado_low",
            "tornado_high",
            "tornado_swing"
        ]
    );
    assert_eq!(rows.len(), 3);
    let row = |addr: &str| rows.iter().find(|r| &r[0] == addr).unwrap().clone();
    let inert = row("paths.parallel.transparency");
    for c in ["s1", "st", "tornado_swing"] {
        assert_eq!(
            f(&inert[col(&h, c)]),
            0.0,
            "inert {c} = {}",
            &inert[col(&h, c)]
        );
    }
    // The Seoul–Tokyo trust matters for the hasty − gradual gap on this fixture.
    let trust = row("relations.trust_kr_jp");
    assert!(f(&trust[col(&h, "st")]) > 0.1, "{trust:?}");
    for r in &rows {
        let (lo, st, hi) = (
            f(&r[col(&h, "st_ci_low")]),
            f(&r[col(&h, "st")]),
            f(&r[col(&h, "st_ci_high")]),
        );
        assert!(lo <= st && st <= hi, "{r:?}");
    }

    let j = json(&a.join("sensitivity.json"));
    assert_eq!(j["target"]["path"], "hasty");
    assert_eq!(j["target"]["minus_path"], "gradual");
    assert_eq!(j["target"]["outcome"], "final_ci");
    assert_eq!(j["base_samples"], 8);
    assert_eq!(j["points"], 40);
    assert_eq!(j["bootstrap"], 200);
    // The Saltelli points are a sweep: 8 × (3 + 2) points × 2 paths.
    let (_, srows) = csv_rows(&a.join("sweep.csv"));
    assert_eq!(srows.len(), 40 * 2);
    assert_eq!(json(&a.join("sweep.json"))["design"], "sobol");

    // Common random numbers across commands: the tornado's ends and base are exactly the
    // paired differences of a sweep at those values and of a plain run.
    let sw = tmp.path().join("sw");
    let fast = fixture("fast.toml");
    ok(&[
        "sweep",
        &fast,
        "-n",
        "10",
        "--param",
        "actors.seoul.favourability=0.1,0.3,0.5",
        "--out",
        s(&sw),
    ]);
    let (sh, _) = csv_rows(&sw.join("sweep.csv"));
    let (_, pts) = sweep_points(&sw);
    let diff_at = |i: usize| f(&pts[i].1["hasty"][col(&sh, "final_ci_diff")]);
    let fav = row("actors.seoul.favourability");
    assert_eq!(f(&fav[col(&h, "tornado_low")]), diff_at(0));
    assert_eq!(f(&fav[col(&h, "tornado_high")]), diff_at(2));
    // 0.3 is the baseline's favourability: the tornado base.
    let base = j["tornado"]["base"].as_f64().unwrap();
    assert_eq!(base, diff_at(1));
    let run = tmp.path().join("run");
    ok(&["run", &fast, "-n", "10", "--out", s(&run)]);
    let summary = json(&run.join("summary.json"));
    assert_eq!(
        summary["paired"]["hasty"]["final_ci"]["mean_diff"]
            .as_f64()
            .unwrap(),
        base
    );
    assert_eq!(f(&inert[col(&h, "tornado_low")]), base);

    // `discover` runs on a sensitivity folder too.
    ok(&[
        "discover",
        s(&a),
        "--when",
        "hasty.final_ci > gradual.final_ci",
    ]);
    assert_eq!(fs::read_dir(a.join("discoveries")).unwrap().count(), 1);
}

// ---------------------------------------------------------------------------------------
// 5. discover
// ---------------------------------------------------------------------------------------

/// Inclusive box test as PRIM reports it.
fn in_box(x: &[f64], limits: &Value) -> bool {
    x.iter()
        .zip(limits.as_array().unwrap())
        .all(|(v, l)| l["low"].as_f64().unwrap() <= *v && *v <= l["high"].as_f64().unwrap())
}

#[test]
fn discover_is_deterministic_and_its_boxes_match_the_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let sw = tmp.path().join("sw");
    ok(&[
        "sweep",
        &fixture("fast-lhs.toml"),
        "--threads",
        "2",
        "--out",
        s(&sw),
    ]);
    // The [sweep] table of a fixture that extends a fixture that extends the baseline.
    let m = json(&sw.join("manifest.json"));
    assert_eq!(m["replications"], 10);
    assert_eq!(m["points"], 40);
    assert_eq!(m["scenario_sources"].as_array().unwrap().len(), 3);

    // A threshold halfway between the two middle hasty − gradual gaps: true at half the points.
    let (h, _) = csv_rows(&sw.join("sweep.csv"));
    let (_, pts) = sweep_points(&sw);
    let mean = col(&h, "final_ci_mean");
    let gap =
        |p: &BTreeMap<String, csv::StringRecord>| f(&p["hasty"][mean]) - f(&p["gradual"][mean]);
    let mut gaps: Vec<f64> = pts.iter().map(|(_, p)| gap(p)).collect();
    gaps.sort_by(f64::total_cmp);
    let t = (gaps[19] + gaps[20]) / 2.0;
    assert!(gaps[19] < t && t < gaps[20], "{gaps:?}");
    let truth: Vec<bool> = pts.iter().map(|(_, p)| gap(p) > t).collect();
    assert_eq!(truth.iter().filter(|b| **b).count(), 20);
    let when = format!("hasty.final_ci - gradual.final_ci > {t}");

    let run = || {
        let (stdout, _) = ok(&["discover", s(&sw), "--when", &when]);
        assert!(stdout.contains("holds at 20 of 40 points"), "{stdout}");
        assert!(stdout.contains("Chosen box"), "{stdout}");
        let dest = stdout
            .lines()
            .find_map(|l| l.strip_prefix("Results written to "))
            .unwrap()
            .trim()
            .to_string();
        PathBuf::from(dest)
    };
    let d1 = run();
    let d2 = run();
    assert_ne!(d1, d2);
    for d in [&d1, &d2] {
        assert_eq!(d.parent().unwrap(), sw.join("discoveries"));
    }
    assert_eq!(fs::read_dir(sw.join("discoveries")).unwrap().count(), 2);
    for file in ["discovery.json", "prim_trajectory.csv"] {
        assert!(
            fs::read(d1.join(file)).unwrap() == fs::read(d2.join(file)).unwrap(),
            "{file}"
        );
    }
    assert_charts(&d1, &["prim_trajectory"]);
    assert_no_staging_folder(&sw.join("discoveries"));

    // Every box's points, density and coverage are those of the sweep's points.
    let j = json(&d1.join("discovery.json"));
    assert_eq!(j["points"], 40);
    assert_eq!(j["points_where_true"], 20);
    assert_eq!(j["base_density"], 0.5);
    let traj = j["trajectory"].as_array().unwrap();
    let (_, trows) = csv_rows(&d1.join("prim_trajectory.csv"));
    assert_eq!(trows.len(), traj.len());
    assert!(traj.len() > 2);
    assert_eq!(traj[0]["coverage"], 1.0);
    assert_eq!(traj[0]["points"], 40);
    let chosen = &j["box"];
    for b in traj.iter().chain([chosen]) {
        let inside: Vec<bool> = pts.iter().map(|(x, _)| in_box(x, &b["limits"])).collect();
        let n = inside.iter().filter(|i| **i).count();
        let hits = inside
            .iter()
            .zip(&truth)
            .filter(|(i, t)| **i && **t)
            .count();
        assert_eq!(b["points"].as_u64().unwrap() as usize, n, "{b}");
        let dens = b["density"].as_f64().unwrap();
        assert!((dens - hits as f64 / n as f64).abs() < 1e-12, "{b}");
        let cov = b["coverage"].as_f64().unwrap();
        assert!((cov - hits as f64 / 20.0).abs() < 1e-12, "{b}");
    }
    assert!(chosen["density"].as_f64().unwrap() > 0.5, "{chosen}");
    assert!(
        chosen["limits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["restricted"] == true),
        "{chosen}"
    );

    // --force replaces the sweep folder, discoveries/ (trisim's own results) included.
    let (_, stderr) = ok(&[
        "sweep",
        &fixture("fast-lhs.toml"),
        "--points",
        "4",
        "--out",
        s(&sw),
        "--force",
    ]);
    assert!(stderr.contains("4 point(s)"), "{stderr}");
    assert!(!sw.join("discoveries").exists());
    assert_eq!(json(&sw.join("sweep.json"))["points"], 4);
    // Without --force the sweep folder is kept.
    let e = fails(&["sweep", &fixture("fast-lhs.toml"), "--out", s(&sw)]);
    assert!(e.contains("not empty"), "{e}");
    assert_eq!(json(&sw.join("sweep.json"))["points"], 4);
}

/// `--force` must never delete what trisim did not write, inside `discoveries/` too.
#[test]
fn force_keeps_a_sweep_folder_with_foreign_files_in_discoveries() {
    let tmp = tempfile::tempdir().unwrap();
    let sw = tmp.path().join("sw");
    let scen = fixture("fast-lhs.toml");
    ok(&["sweep", &scen, "--points", "6", "--out", s(&sw)]);
    fs::create_dir(sw.join("discoveries")).unwrap();
    fs::write(sw.join("discoveries/notes.txt"), "mine").unwrap();
    let e = fails(&["sweep", &scen, "--points", "6", "--out", s(&sw), "--force"]);
    assert!(e.contains("notes.txt"), "{e}");
    assert_eq!(
        fs::read_to_string(sw.join("discoveries/notes.txt")).unwrap(),
        "mine"
    );
}

// ---------------------------------------------------------------------------------------
// 6. run --precision
// ---------------------------------------------------------------------------------------

#[test]
fn adaptive_precision_stops_deterministically_and_equals_a_plain_run() {
    let tmp = tempfile::tempdir().unwrap();
    let fast = fixture("fast.toml");
    let precise = |name: &str, threads: &str| {
        let out = tmp.path().join(name);
        let (_, stderr) = ok(&[
            "run",
            &fast,
            "-n",
            "64",
            "--precision",
            "0.008",
            "--threads",
            threads,
            "--out",
            s(&out),
        ]);
        (out, stderr)
    };
    let (a, stderr) = precise("a", "1");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("precision:"))
        .unwrap_or_else(|| panic!("no precision line: {stderr}"));
    assert!(line.contains("<= 0.008"), "{line}");
    let m = json(&a.join("manifest.json"));
    let p = &m["precision"];
    let n = p["replications"].as_u64().unwrap();
    assert!(line.contains(&format!("after {n} replications")), "{line}");
    assert_eq!(p["met"], true);
    assert_eq!(p["outcome"], "final_ci");
    assert!(p["achieved_half_width"].as_f64().unwrap() <= 0.008);
    let batches: Vec<u64> = p["batches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_u64().unwrap())
        .collect();
    assert!(
        batches.len() >= 2,
        "{batches:?}: the target needs a second batch"
    );
    assert!(batches.windows(2).all(|w| w[0] < w[1]), "{batches:?}");
    assert_eq!(*batches.last().unwrap(), n);
    let bs = m["block_size"].as_u64().unwrap();
    assert_eq!(n % bs, 0, "whole blocks");
    assert_eq!(m["replications"].as_u64().unwrap(), n);
    let summary = json(&a.join("summary.json"));
    assert_eq!(summary["replications"].as_u64().unwrap(), n);
    let hw = |v: &Value| {
        let ci = v["paired"]["hasty"]["final_ci"]["ci95"]
            .as_array()
            .unwrap()
            .clone();
        (ci[1].as_f64().unwrap() - ci[0].as_f64().unwrap()) / 2.0
    };
    assert!(hw(&summary) <= 0.008);

    // Same seed, other thread count: same stopping point, same bytes.
    let (b, _) = precise("b", "2");
    for file in ["summary.json", "summary.csv", "timeseries.csv"] {
        assert!(
            fs::read(a.join(file)).unwrap() == fs::read(b.join(file)).unwrap(),
            "{file}"
        );
    }
    assert_eq!(
        json(&b.join("manifest.json"))["precision"]["replications"],
        n
    );

    // A plain run of that many replications gives the same numbers.
    let plain = tmp.path().join("plain");
    ok(&["run", &fast, "-n", &n.to_string(), "--out", s(&plain)]);
    for file in ["summary.json", "summary.csv", "timeseries.csv"] {
        assert!(
            fs::read(a.join(file)).unwrap() == fs::read(plain.join(file)).unwrap(),
            "{file}"
        );
    }
    assert!(json(&plain.join("manifest.json"))
        .get("precision")
        .is_none());
}

#[test]
fn adaptive_precision_warns_and_stops_at_the_cap() {
    let tmp = tempfile::tempdir().unwrap();
    let fast = fixture("fast.toml");
    let out = tmp.path().join("cap");
    let (_, stderr) = ok(&[
        "run",
        &fast,
        "-n",
        "64",
        "--precision",
        "0.0001",
        "--max-replications",
        "128",
        "--out",
        s(&out),
    ]);
    assert!(stderr.contains("not reached"), "{stderr}");
    assert!(stderr.contains("128 replications"), "{stderr}");
    assert!(!stderr.contains("precision:"), "{stderr}");
    let p = &json(&out.join("manifest.json"))["precision"];
    assert_eq!(p["met"], false);
    assert_eq!(p["replications"], 128);
    assert_eq!(p["max_replications"], 128);
    assert!(p["achieved_half_width"].as_f64().unwrap() > 0.0001);
    assert_eq!(json(&out.join("summary.json"))["replications"], 128);
    // --max-replications needs --precision.
    trisim()
        .args(["run", &fast, "--max-replications", "128"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--precision"));
}

// ---------------------------------------------------------------------------------------
// 7. bad input
// ---------------------------------------------------------------------------------------

#[test]
fn bad_experiment_input_is_a_clear_error_and_leaves_no_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let fast = fixture("fast.toml");
    let out = tmp.path().join("out");
    let o = s(&out).to_string();
    let sweep_err = |params: &[&str], extra: &[&str]| {
        let mut args = vec!["sweep", &fast, "-n", "4", "--out", &o];
        for p in params {
            args.extend(["--param", p]);
        }
        args.extend(extra);
        let e = fails(&args);
        assert!(!out.exists(), "a result folder was left: {e}");
        e
    };
    let check = |e: &str, parts: &[&str]| {
        for p in parts {
            assert!(e.contains(p), "`{p}` not in:\n{e}");
        }
    };
    check(
        &sweep_err(&["actors.seoul.favorability=0.1,0.2"], &[]),
        &[
            "unknown parameter address `actors.seoul.favorability`",
            "did you mean `actors.seoul.favourability`",
        ],
    );
    check(
        &sweep_err(&["actors.seoul.favourability=0.5..0.5:3"], &[]),
        &["empty range", "actors.seoul.favourability"],
    );
    check(
        &sweep_err(&["actors.seoul.favourability=0.5..0.1:3"], &[]),
        &["empty range"],
    );
    check(
        &sweep_err(&["actors.seoul.favourability=0.1..0.5:1"], &[]),
        &["steps must be at least 2", "got 1"],
    );
    check(
        &sweep_err(&["actors.seoul.favourability"], &[]),
        &["--param `actors.seoul.favourability`", "no `=`", "ADDR="],
    );
    check(
        &sweep_err(&["actors.seoul.favourability=0.1,abc"], &[]),
        &["`abc` is not a number"],
    );
    check(
        &sweep_err(&["actors.seoul.favourability=0.1..0.5:x"], &[]),
        &["steps `x` is not a whole number"],
    );
    check(
        &sweep_err(&["actors.seoul.favourability=0.5,2"], &[]),
        &["2 is outside the valid range [0, 1]"],
    );
    check(
        &sweep_err(
            &["actors.seoul.favourability=0.1,0.2"],
            &["--outcome", "final_cii"],
        ),
        &["unknown outcome `final_cii`", "did you mean `final_ci`"],
    );
    check(
        &sweep_err(&[], &[]),
        &["nothing to sweep", "no [sweep] table", "--param"],
    );

    let e = fails(&[
        "sensitivity",
        &fast,
        "--param",
        "actors.seoul.favourability=0.1..0.5",
        "--path-diff",
        "hasty:gradul",
        "--out",
        &o,
    ]);
    check(&e, &["unknown path `gradul`", "did you mean `gradual`"]);
    assert!(!out.exists());
    let e = fails(&["sensitivity", &fast, "--out", &o]);
    check(&e, &["nothing to analyse"]);
    assert!(!out.exists());

    // discover: on a real sweep with bad conditions, and on folders that are not sweeps.
    let sw = tmp.path().join("sw");
    ok(&[
        "sweep",
        &fast,
        "-n",
        "4",
        "--param",
        "actors.seoul.favourability=0.1,0.3,0.5",
        "--out",
        s(&sw),
    ]);
    let e = fails(&["discover", s(&sw), "--when", "hasty.final_cii > 0"]);
    check(
        &e,
        &[
            "unknown outcome `final_cii` of path `hasty`",
            "column 7",
            "|       ^^^^^^^^^",
            "did you mean `final_ci`",
        ],
    );
    let e = fails(&["discover", s(&sw), "--when", "hastyy.final_ci > 0"]);
    check(&e, &["unknown path `hastyy`", "did you mean `hasty`"]);
    let e = fails(&["discover", s(&sw), "--when", "hasty.final_ci > 2"]);
    check(&e, &["holds at none of the 3 points"]);
    assert!(!sw.join("discoveries").exists());
    let e = fails(&[
        "discover",
        s(&sw),
        "--when",
        "hasty.final_ci > 2",
        "--out",
        &o,
    ]);
    check(&e, &["holds at none"]);
    assert!(!out.exists());
    // A `run` result folder is not a sweep.
    let run = tmp.path().join("run");
    ok(&["run", &fast, "-n", "4", "--out", s(&run)]);
    let e = fails(&["discover", s(&run), "--when", "hasty.final_ci > 0"]);
    check(&e, &["sweep.json", "a folder written by `trisim sweep`"]);
    assert!(!run.join("discoveries").exists());
    assert_no_staging_folder(tmp.path());
}

// ---------------------------------------------------------------------------------------
// 8. show and validate on experiment scenarios
// ---------------------------------------------------------------------------------------

#[test]
fn show_merges_the_experiment_and_validate_reports_its_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = bundled("favourability-x-salience.toml");
    let (text, _) = ok(&["show", &scen]);
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("extends")),
        "show prints the merged scenario, without `extends`"
    );
    assert!(text.contains("name = \"favourability-x-salience\""));
    // Inherited from the baseline.
    assert!(text.contains("[tracks.summitry]") && text.contains("[paths.gradual]"));
    let sweep: String = text
        .split("\n[sweep]\n")
        .nth(1)
        .expect("a [sweep] table")
        .to_string();
    for part in [
        "design = \"grid\"",
        "replications = 500",
        "[sweep.parameters.\"actors.seoul.favourability\".range]",
        "low = 0.05",
        "high = 0.55",
        "steps = 11",
        "[sweep.parameters.\"history.issues.forced_labor.salience\".range]",
        "steps = 9",
    ] {
        assert!(sweep.contains(part), "`{part}` not in [sweep]:\n{sweep}");
    }
    // The shown text is a scenario of its own that sweeps to the same numbers.
    let shown = tmp.path().join("shown.toml");
    fs::write(&shown, &text).unwrap();
    let (v, _) = ok(&["validate", s(&shown)]);
    assert!(v.contains("sweep: grid design, 99 points"), "{v}");
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    ok(&["sweep", &scen, "-n", "4", "--out", s(&a)]);
    ok(&["sweep", s(&shown), "-n", "4", "--out", s(&b)]);
    for file in ["sweep.csv", "sweep.json"] {
        assert!(
            fs::read(a.join(file)).unwrap() == fs::read(b.join(file)).unwrap(),
            "{file}"
        );
    }

    let files: Vec<String> = [
        "favourability-x-salience.toml",
        "sensitivity-hasty-gradual.toml",
        "where-gradual-wins.toml",
    ]
    .iter()
    .map(|n| bundled(n))
    .collect();
    let mut args = vec!["validate"];
    args.extend(files.iter().map(|f| f.as_str()));
    let (v, _) = ok(&args);
    assert_eq!(
        v.lines().filter(|l| l.starts_with("ok: ")).count(),
        3,
        "{v}"
    );
    for part in [
        "sweep: grid design, 99 points",
        "sweep: sobol design, 2048 points",
        "sweep: lhs design, 400 points",
    ] {
        assert!(v.contains(part), "`{part}` not in:\n{v}");
    }
    // Every bundled experiment is covered above.
    let bundled_count = fs::read_dir(root().join("scenarios/experiments"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "toml")
        })
        .count();
    assert_eq!(bundled_count, files.len());
}

#[test]
fn discover_never_replaces_the_sweep_it_analyses() {
    let tmp = tempfile::tempdir().unwrap();
    let sw = tmp.path().join("sw");
    let scen = fixture("fast-lhs.toml");
    ok(&["sweep", &scen, "--points", "6", "--out", s(&sw)]);
    for out in [sw.clone(), tmp.path().to_path_buf()] {
        let e = fails(&[
            "discover",
            s(&sw),
            "--when",
            "hasty.final_ci > -1",
            "--out",
            s(&out),
            "--force",
        ]);
        assert!(e.contains("would replace the sweep folder"), "{e}");
        assert!(sw.join("sweep.csv").exists());
    }
}

#[test]
fn sensitivity_works_for_any_path_or_pair_of_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let fast = fixture("fast.toml");
    for (i, extra) in [["--path", "hasty"], ["--path-diff", "parallel:hasty"]]
        .iter()
        .enumerate()
    {
        let out = tmp.path().join(format!("s{i}"));
        let (stdout, _) = ok(&[
            "sensitivity",
            &fast,
            "-n",
            "4",
            "--samples",
            "4",
            "--bootstrap",
            "100",
            "--param",
            "relations.trust_kr_jp=0.2..0.6",
            "--param",
            "world.politics.b_crit=2..4",
            extra[0],
            extra[1],
            "--out",
            s(&out),
        ]);
        let label = if i == 0 {
            "hasty: final_ci"
        } else {
            "parallel − hasty: final_ci"
        };
        assert!(stdout.contains(label), "{stdout}");
        let j: Value =
            serde_json::from_str(&fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
        let expected: Vec<&str> = if i == 0 {
            vec!["hasty"]
        } else {
            vec!["hasty", "parallel"]
        };
        assert_eq!(j["paths"], serde_json::json!(expected));
    }
}

#[test]
fn absurd_ranges_and_edited_sweep_files_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let fast = fixture("fast.toml");
    let e = fails(&[
        "sweep",
        &fast,
        "--param",
        "world.elections.c0=-1e308..1e308:3",
        "--out",
        s(&tmp.path().join("wide")),
    ]);
    assert!(e.contains("too wide"), "{e}");
    let e = fails(&[
        "sweep",
        &fast,
        "--param",
        "actors.seoul.favourability=0...1:3",
        "--out",
        s(&tmp.path().join("dots")),
    ]);
    assert!(e.contains("two dots"), "{e}");
    // A sweep whose sweep.csv is edited by hand: bad cells, missing and duplicate rows.
    let sw = tmp.path().join("sw");
    ok(&[
        "sweep",
        &fixture("fast-lhs.toml"),
        "--points",
        "4",
        "--out",
        s(&sw),
    ]);
    let csv = fs::read_to_string(sw.join("sweep.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    let discover = |text: &str| {
        fs::write(sw.join("sweep.csv"), text).unwrap();
        fails(&[
            "discover",
            s(&sw),
            "--when",
            "hasty.final_ci > gradual.final_ci",
            "--out",
            s(&tmp.path().join("d")),
        ])
    };
    // The first swept value of row 2 made unreadable.
    let mut cells: Vec<String> = lines[1].split(',').map(String::from).collect();
    cells[1] = "abc".into();
    let mut edited = lines.clone();
    let bad = cells.join(",");
    edited[1] = &bad;
    let e = discover(&edited.join("\n"));
    assert!(
        e.contains("row 2") && e.contains("not a finite number"),
        "{e}"
    );
    // A missing row.
    let mut edited = lines.clone();
    edited.remove(2);
    let e = discover(&edited.join("\n"));
    assert!(e.contains("has no row for path"), "{e}");
    // A duplicate row.
    let mut edited = lines.clone();
    edited[2] = lines[1];
    let e = discover(&edited.join("\n"));
    assert!(e.contains("two rows for path"), "{e}");
}

#[test]
fn a_child_may_switch_an_inherited_lhs_sweep_to_a_grid() {
    let tmp = tempfile::tempdir().unwrap();
    let child = tmp.path().join("child.toml");
    fs::write(
        &child,
        format!(
            "extends = {:?}\n[scenario]\nname = \"child\"\n[sweep]\ndesign = \"grid\"\n[sweep.parameters]\n\"relations.trust_kr_jp\" = {{ values = [0.2, 0.4] }}\n",
            fixture("fast-lhs.toml")
        ),
    )
    .unwrap();
    let (stdout, _) = ok(&["validate", s(&child)]);
    assert!(stdout.contains("grid design, 2 points"), "{stdout}");
}
