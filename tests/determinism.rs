//! Determinism, common random numbers and accumulator merges (engine and exporters, no CLI).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use trisim::engine::stats::{HistSpec, Histogram, Moments, Paired, Sketch, SKETCH_RELATIVE_ERROR};
use trisim::engine::{self, Layout, Overrides, RunPlan, RunSink};
use trisim::output::{self, files, Report, Staging, Target};
use trisim::scenario::Scenario;

/// A small, fast scenario: 36 months.
fn small() -> Scenario {
    let mut s = Scenario::default();
    s.scenario.name = "det".into();
    s.scenario.horizon_months = 36;
    s.scenario.replications = 150;
    s
}

fn plan(s: &Scenario, seed: u64, threads: usize, paths: Option<&[&str]>) -> RunPlan {
    let mut p = RunPlan::new(
        s,
        &Overrides {
            replications: None,
            seed: Some(seed),
            threads: Some(threads),
            paths: paths.map(|v| v.iter().map(|x| x.to_string()).collect()),
        },
    )
    .unwrap();
    // Small blocks: many blocks and several waves even for a small run.
    p.block_size = 16;
    p
}

/// Keeps every run row in memory (tests only).
#[derive(Default)]
struct Rows {
    paths: Vec<String>,
    keys: Vec<String>,
    rows: Vec<(u64, String, Vec<f64>)>,
}

impl RunSink for Rows {
    fn begin(&mut self, layout: &Layout) -> anyhow::Result<()> {
        self.paths = layout.path_names.clone();
        self.keys = layout.outcomes.iter().map(|o| o.key.clone()).collect();
        Ok(())
    }
    fn run(&mut self, replication: u64, path: usize, values: &[f64]) -> anyhow::Result<()> {
        self.rows
            .push((replication, self.paths[path].clone(), values.to_vec()));
        Ok(())
    }
}

/// Runs and writes every file like `trisim run` does; returns the result folder.
fn run_to_dir(s: &Scenario, p: &RunPlan, dir: &Path) -> PathBuf {
    let staging = Staging::create(
        Target::Exact {
            dir: dir.to_path_buf(),
            force: false,
        },
        SystemTime::now(),
    )
    .unwrap();
    let mut runs = files::RunsCsv::create(&staging).unwrap();
    let res = engine::run(s, p, Some(&mut runs), None).unwrap();
    output::export_all(
        &Report {
            scenario_name: &s.scenario.name,
            results: &res,
        },
        &staging,
    )
    .unwrap();
    runs.finish().unwrap();
    staging.commit().unwrap()
}

fn read(dir: &Path, f: &str) -> Vec<u8> {
    std::fs::read(dir.join(f)).unwrap()
}

#[test]
fn same_seed_and_any_thread_count_give_identical_files() {
    let s = small();
    let tmp = tempfile::tempdir().unwrap();
    let a = run_to_dir(&s, &plan(&s, 7, 1, None), &tmp.path().join("a"));
    let b = run_to_dir(&s, &plan(&s, 7, 4, None), &tmp.path().join("b"));
    let c = run_to_dir(&s, &plan(&s, 7, 3, None), &tmp.path().join("c"));
    for f in ["summary.json", "summary.csv", "timeseries.csv", "runs.csv"] {
        assert!(
            read(&a, f) == read(&b, f),
            "{f} differs between 1 and 4 threads"
        );
        assert!(
            read(&a, f) == read(&c, f),
            "{f} differs between 1 and 3 threads"
        );
    }
    // Another seed gives other results.
    let d = run_to_dir(&s, &plan(&s, 8, 2, None), &tmp.path().join("d"));
    assert!(read(&a, "summary.json") != read(&d, "summary.json"));
    assert!(read(&a, "runs.csv") != read(&d, "runs.csv"));
}

#[test]
fn block_size_changes_only_float_rounding_not_counts() {
    // Integer statistics (quantiles from exact counts) do not depend on the blocking.
    let s = small();
    let mut p1 = plan(&s, 3, 2, Some(&["gradual", "hasty"]));
    let mut p2 = p1.clone();
    p1.block_size = 7;
    p2.block_size = 64;
    let r1 = engine::run(&s, &p1, None, None).unwrap();
    let r2 = engine::run(&s, &p2, None, None).unwrap();
    for (a, b) in r1
        .outcomes
        .iter()
        .flatten()
        .zip(r2.outcomes.iter().flatten())
    {
        assert_eq!(a.n, b.n);
        assert_eq!(a.sketch, b.sketch);
        assert_eq!(a.quantiles.map(f64::to_bits), b.quantiles.map(f64::to_bits));
        assert!(
            (a.n == 0 && a.mean.is_nan() && b.mean.is_nan())
                || (a.mean - b.mean).abs() <= 1e-9 * a.mean.abs().max(1.0)
        );
    }
    for (a, b) in r1.paired.iter().flatten().zip(r2.paired.iter().flatten()) {
        assert_eq!(a.p_better, b.p_better);
    }
    assert_eq!(r1.final_ci_bins, r2.final_ci_bins);
}

#[test]
fn a_path_compared_with_itself_differs_by_exactly_zero() {
    let mut s = small();
    let g = s.paths["gradual"].clone();
    s.paths.insert("gradual_copy".into(), g);
    let p = plan(&s, 11, 2, Some(&["gradual", "gradual_copy", "hasty"]));
    let mut rows = Rows::default();
    let res = engine::run(&s, &p, Some(&mut rows), None).unwrap();
    let l = &res.layout;
    assert_eq!(l.path_names[l.reference], "gradual");
    for name in ["gradual", "gradual_copy"] {
        let pi = l.path_names.iter().position(|n| n == name).unwrap();
        for (o, d) in res.paired[pi].iter().enumerate() {
            let key = &l.outcomes[o].key;
            if d.n == 0 {
                continue; // undefined in every replication
            }
            assert_eq!(d.mean_diff, 0.0, "{name} {key}");
            assert_eq!(d.ci95, [0.0, 0.0], "{name} {key}");
            if let Some(pb) = d.p_better {
                assert_eq!(pb, 0.5, "{name} {key}: all ties");
            }
        }
    }
    // The copy has the very same outcomes in every replication.
    let by: HashMap<(u64, String), Vec<u64>> = rows
        .rows
        .iter()
        .map(|(r, p, v)| ((*r, p.clone()), v.iter().map(|x| x.to_bits()).collect()))
        .collect();
    for r in 0..p.replications {
        assert_eq!(by[&(r, "gradual".into())], by[&(r, "gradual_copy".into())]);
    }
    // And hasty really is different somewhere (the comparison can fail).
    let h = l.path_names.iter().position(|n| n == "hasty").unwrap();
    assert!(res.paired[h].iter().any(|d| d.mean_diff != 0.0));
}

#[test]
fn nk_launches_are_identical_across_paths_in_every_replication() {
    let s = small();
    let p = plan(&s, 5, 2, None);
    let mut rows = Rows::default();
    engine::run(&s, &p, Some(&mut rows), None).unwrap();
    let k = rows.keys.iter().position(|k| k == "nk_launches").unwrap();
    assert_eq!(
        rows.rows.len() as u64,
        p.replications * p.paths.len() as u64
    );
    let mut by_rep: HashMap<u64, f64> = HashMap::new();
    let mut distinct = std::collections::BTreeSet::new();
    for (r, path, v) in &rows.rows {
        let x = v[k];
        distinct.insert(x.to_bits());
        let first = *by_rep.entry(*r).or_insert(x);
        assert_eq!(first.to_bits(), x.to_bits(), "replication {r}, path {path}");
    }
    // Replications differ from each other (otherwise the check above would be empty).
    assert!(distinct.len() > 3);
    // Rows come in replication order, then path order.
    let order: Vec<u64> = rows.rows.iter().map(|r| r.0).collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn paths_override_adds_the_reference_and_rejects_unknown_names() {
    let s = small();
    let p = plan(&s, 1, 1, Some(&["hasty"]));
    assert_eq!(p.paths.len(), 2);
    let err = RunPlan::new(
        &s,
        &Overrides {
            paths: Some(vec!["hsaty".into()]),
            ..Overrides::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("unknown path `hsaty`") && err.contains("hasty"),
        "{err}"
    );
    let err = RunPlan::new(
        &s,
        &Overrides {
            replications: Some(0),
            ..Overrides::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("at least 1"), "{err}");
    // Same rules and did-you-mean as the scenario file (one implementation: validate).
    for (paths, want) in [
        (vec!["hasty", "hasty"], "listed twice"),
        (vec!["hsaty"], "did you mean `hasty`?"),
    ] {
        let err = RunPlan::new(
            &s,
            &Overrides {
                paths: Some(paths.iter().map(|x| x.to_string()).collect()),
                ..Overrides::default()
            },
        )
        .unwrap_err();
        let se = err
            .downcast_ref::<trisim::scenario::ScenarioError>()
            .expect("a scenario error");
        assert!(se.to_string().contains(want), "{se}");
    }
}

fn lcg(state: &mut u64) -> f64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*state >> 11) as f64 / (1u64 << 53) as f64
}

#[test]
fn chunked_merges_equal_a_single_pass() {
    let mut st = 99;
    let xs: Vec<f64> = (0..10_000)
        .map(|i| {
            if i % 3 == 0 {
                (lcg(&mut st) * 12.0).floor()
            } else {
                lcg(&mut st) * 1.3 - 0.1
            }
        })
        .collect();
    let ys: Vec<f64> = xs.iter().map(|x| x + (lcg(&mut st) - 0.5) * 0.1).collect();
    let spec = HistSpec::continuous(0.0, 1.0, 200);
    let (mut s1, mut h1, mut m1, mut p1) = (
        Sketch::default(),
        Histogram::new(spec),
        Moments::default(),
        Paired::default(),
    );
    for (x, y) in xs.iter().zip(&ys) {
        s1.push(*x);
        h1.push(*x);
        m1.push(*x);
        p1.push(*x, *y, Some(true));
    }
    for chunk in [1usize, 7, 256, 3333] {
        let (mut s2, mut h2, mut m2, mut p2) = (
            Sketch::default(),
            Histogram::new(spec),
            Moments::default(),
            Paired::default(),
        );
        for (cx, cy) in xs.chunks(chunk).zip(ys.chunks(chunk)) {
            let (mut s, mut h, mut m, mut p) = (
                Sketch::default(),
                Histogram::new(spec),
                Moments::default(),
                Paired::default(),
            );
            for (x, y) in cx.iter().zip(cy) {
                s.push(*x);
                h.push(*x);
                m.push(*x);
                p.push(*x, *y, Some(true));
            }
            s2.merge(&s);
            h2.merge(&h);
            m2.merge(&m);
            p2.merge(&p);
        }
        // Every part is exactly equal.
        assert_eq!(s1, s2, "sketch, chunk {chunk}");
        assert_eq!(h1, h2, "histogram, chunk {chunk}");
        assert_eq!(
            (p1.better, p1.worse, p1.ties),
            (p2.better, p2.worse, p2.ties)
        );
        // Moments are exact fixed-point sums: equal bit for bit in any split.
        assert_eq!(m1, m2, "moments, chunk {chunk}");
        assert_eq!(p1.diff, p2.diff, "paired, chunk {chunk}");
        assert_eq!(m1.mean().to_bits(), m2.mean().to_bits());
        assert_eq!(m1.sd().to_bits(), m2.sd().to_bits());
    }
}

#[test]
fn quantiles_are_within_the_stated_accuracy() {
    let mut st = 1234;
    let xs: Vec<f64> = (0..20_001).map(|_| lcg(&mut st).powf(1.7)).collect();
    let mut sorted = xs.clone();
    sorted.sort_by(f64::total_cmp);
    let mut sk = Sketch::default();
    let mut hist = Histogram::new(HistSpec::continuous(0.0, 1.0, 200));
    xs.iter().for_each(|x| {
        sk.push(*x);
        hist.push(*x)
    });
    for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
        let h = q * (sorted.len() - 1) as f64;
        let (a, b) = (sorted[h.floor() as usize], sorted[h.ceil() as usize]);
        let exact = a + (h - h.floor()) * (b - a);
        let est = sk.quantile(q);
        assert!(
            (est - exact).abs() <= SKETCH_RELATIVE_ERROR * b.abs(),
            "sketch q={q}: {est} vs {exact}"
        );
        assert!(
            (hist.quantile(q) - exact).abs() <= 1.0 / 200.0,
            "histogram q={q}: {} vs {exact}",
            hist.quantile(q)
        );
    }
    // Integer data: exact.
    let ints: Vec<f64> = (0..1001).map(|_| (lcg(&mut st) * 20.0).floor()).collect();
    let mut si = Sketch::default();
    ints.iter().for_each(|x| si.push(*x));
    let mut sorted = ints.clone();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(si.quantile(0.5), sorted[500]);
    assert_eq!(si.quantile(0.25), sorted[250]);
}

#[test]
fn weighted_score_is_reported_as_an_outcome() {
    let mut s = small();
    s.scenario.score.insert("final_ci".into(), 1.0);
    s.scenario.score.insert("kr_crises".into(), -0.05);
    let p = plan(&s, 2, 2, Some(&["gradual", "hasty"]));
    let mut rows = Rows::default();
    let res = engine::run(&s, &p, Some(&mut rows), None).unwrap();
    let o = res.outcome_index("score").unwrap();
    assert_eq!(o, rows.keys.len() - 1);
    let fc = rows.keys.iter().position(|k| k == "final_ci").unwrap();
    let kc = rows.keys.iter().position(|k| k == "kr_crises").unwrap();
    let mut sum = 0.0;
    for (_, _, v) in rows.rows.iter().filter(|r| r.1 == "hasty") {
        let expected = v[fc] - 0.05 * v[kc];
        assert!((v[o] - expected).abs() < 1e-12);
        sum += v[o];
    }
    let h = res
        .layout
        .path_names
        .iter()
        .position(|n| n == "hasty")
        .unwrap();
    let mean = sum / p.replications as f64;
    assert!((res.outcomes[h][o].mean - mean).abs() < 1e-9);
    // An unknown outcome in the score is an error naming the nearest key.
    s.scenario.score.insert("kr_crisis".into(), 1.0);
    let err = RunPlan::new(&s, &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("kr_crisis") && err.contains("did you mean"),
        "{err}"
    );
}

#[test]
fn summary_json_round_trips_every_float_bit_for_bit() {
    let s = small();
    let p = plan(&s, 21, 2, Some(&["gradual", "hasty"]));
    let res = engine::run(&s, &p, None, None).unwrap();
    let report = Report {
        scenario_name: "det",
        results: &res,
    };
    let text = serde_json::to_string(&files::summary_json(&report)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for (pi, name) in res.layout.path_names.iter().enumerate() {
        for (o, info) in res.layout.outcomes.iter().enumerate() {
            let st = &res.outcomes[pi][o];
            let j = &v["paths"][name][&info.key];
            for (x, key) in [(st.mean, "mean"), (st.sd, "sd"), (st.quantiles[2], "p50")] {
                if x.is_finite() {
                    assert_eq!(j[key].as_f64().unwrap().to_bits(), x.to_bits());
                    checked += 1;
                } else {
                    assert!(j[key].is_null());
                }
            }
            let d = &res.paired[pi][o];
            if d.mean_diff.is_finite() {
                let jd = &v["paired"][name][&info.key];
                assert_eq!(
                    jd["mean_diff"].as_f64().unwrap().to_bits(),
                    d.mean_diff.to_bits()
                );
            }
        }
    }
    assert!(checked > 50);
}

#[test]
fn runs_csv_has_identical_nk_launches_across_paths() {
    let s = small();
    let tmp = tempfile::tempdir().unwrap();
    let p = plan(&s, 13, 2, None);
    let dir = run_to_dir(&s, &p, &tmp.path().join("r"));
    let mut rd = csv::Reader::from_path(dir.join("runs.csv")).unwrap();
    let h = rd.headers().unwrap().clone();
    let k = h.iter().position(|x| x == "nk_launches").unwrap();
    let mut by_rep: HashMap<String, String> = HashMap::new();
    let mut n = 0;
    for rec in rd.records() {
        let rec = rec.unwrap();
        let first = by_rep
            .entry(rec[1].to_string())
            .or_insert_with(|| rec[k].to_string());
        assert_eq!(*first, rec[k], "replication {} path {}", &rec[1], &rec[0]);
        n += 1;
    }
    assert_eq!(n as u64, p.replications * p.paths.len() as u64);
    assert_eq!(by_rep.len() as u64, p.replications);
}

#[test]
fn b_kr_quantiles_cover_the_crisis_range() {
    use trisim::model::Model;
    use trisim::scenario::{param::p, sample::sample};
    let mut s = small();
    s.scenario.horizon_months = 24;
    s.scenario.replications = 120;
    // A high crisis threshold: the backlash stock climbs well above 2 before a crisis.
    s.world.politics.b_crit = p(6.0);
    let pl = plan(&s, 11, 2, Some(&["hasty"]));
    let spec = engine::b_kr_hist(&s);
    assert_eq!(spec.hi, 12.0);
    let width = (spec.hi - spec.lo) / spec.bins as f64;
    assert!(width <= engine::B_KR_BIN_WIDTH + 1e-12);
    let res = engine::run(&s, &pl, None, None).unwrap();
    let m = res.metric_index("b_kr").unwrap();
    let hasty = res
        .layout
        .path_names
        .iter()
        .position(|n| n == "hasty")
        .unwrap();
    let path = s.paths.get_index_of("hasty").unwrap();
    // Exact values per month, from the model directly.
    let months = s.scenario.horizon_months as usize;
    let mut exact: Vec<Vec<f64>> = vec![Vec::new(); months];
    for r in 0..s.scenario.replications {
        let model = Model::new(&sample(&s, pl.seed, r));
        model.simulate(path, pl.seed, r, &mut |rec| {
            exact[rec.t as usize].push(rec.b_kr)
        });
    }
    let mut above_two = 0;
    for (t, xs) in exact.iter_mut().enumerate() {
        xs.sort_by(f64::total_cmp);
        let n = xs.len() as f64;
        for (i, q) in engine::QUANTILES.iter().enumerate() {
            // The histogram's rule: the order statistic of rank ceil(q·n), within one bin.
            let rank = ((q * n).ceil() as usize).max(1);
            let want = xs[rank - 1];
            let got = res.series[hasty][t][m].quantiles[i];
            if want > 2.0 {
                above_two += 1;
            }
            assert!(
                (got - want).abs() <= width + 1e-9,
                "month {t} q={q}: {got} vs exact {want}"
            );
        }
    }
    assert!(
        above_two > 0,
        "B_KR never exceeded 2: the test is not exercising the range"
    );
}

#[test]
fn final_ci_bins_assign_edge_values_exactly() {
    use trisim::engine::stats::Bins;
    let mut b = Bins::uniform(0.0, 1.0, 20);
    for x in [0.8, 0.05, 0.0, 1.0, 0.849_999, 0.35, 0.7, 0.55] {
        b.push(x);
    }
    b.push(1.5);
    b.push(f64::NAN);
    let c = b.counts();
    assert_eq!(b.edges()[16], 0.8);
    assert_eq!(c[16], 2, "0.8 and 0.849999 in [0.80, 0.85)");
    assert_eq!(c[15], 0, "nothing in [0.75, 0.80)");
    assert_eq!((c[0], c[1], c[7], c[14], c[11], c[19]), (1, 1, 1, 1, 1, 1));
    assert_eq!(b.count(), 9);
    // The sketch's representative of 0.8 is truncated below 0.8: why charts use Bins.
    let mut sk = Sketch::default();
    sk.push(0.8);
    assert!(sk.counts()[0].0 < 0.8);

    // The engine's bins agree with the per-replication outcomes.
    let s = small();
    let p = plan(&s, 3, 2, None);
    let mut rows = Rows::default();
    let res = engine::run(&s, &p, Some(&mut rows), None).unwrap();
    let f = rows.keys.iter().position(|k| k == "final_ci").unwrap();
    for (pi, name) in res.layout.path_names.iter().enumerate() {
        let mut want = Bins::uniform(0.0, 1.0, 20);
        rows.rows
            .iter()
            .filter(|r| &r.1 == name)
            .for_each(|r| want.push(r.2[f]));
        assert_eq!(res.final_ci_bins[pi], want, "{name}");
        assert_eq!(want.count(), s.scenario.replications);
    }
}
