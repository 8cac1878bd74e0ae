//! Experiments through the library: sweeps (common random numbers, equality with plain runs,
//! thread independence), adaptive precision, sensitivity studies, and `[sweep]` validation.

use trisim::engine::precision;
use trisim::engine::sensitivity::{run_sensitivity, Target};
use trisim::engine::sweep::{run_sweep, Design, SweepResults};
use trisim::engine::{self, Overrides, RunPlan, Runner};
use trisim::scenario::sweep::{DesignKind, Sweep, SweepParam, SweepRange};
use trisim::scenario::{load_str, Scenario};

/// A small, fast scenario: 24 months, gradual and hasty.
fn small() -> Scenario {
    let mut s = Scenario::default();
    s.scenario.name = "exp".into();
    s.scenario.horizon_months = 24;
    s.scenario.replications = 40;
    s.scenario.paths = vec!["gradual".into(), "hasty".into()];
    s
}

fn plan(s: &Scenario, threads: usize, replications: u64) -> RunPlan {
    let mut p = RunPlan::new(
        s,
        &Overrides {
            replications: Some(replications),
            seed: Some(11),
            threads: Some(threads),
            paths: None,
        },
    )
    .unwrap();
    p.block_size = 16;
    p
}

fn values(v: &[f64]) -> SweepParam {
    SweepParam {
        values: Some(v.to_vec()),
        range: None,
    }
}

fn range(low: f64, high: f64) -> SweepParam {
    SweepParam {
        values: None,
        range: Some(SweepRange {
            low,
            high,
            steps: None,
        }),
    }
}

fn sweep(design: DesignKind, n: Option<u64>, params: &[(&str, SweepParam)]) -> Sweep {
    Sweep {
        design,
        n,
        replications: None,
        outcome: None,
        path_diff: None,
        parameters: params
            .iter()
            .map(|(k, p)| (k.to_string(), p.clone()))
            .collect(),
    }
}

fn run(s: &Scenario, d: &Design, p: &RunPlan) -> SweepResults {
    run_sweep(s, d, p, None).unwrap()
}

#[test]
fn a_sweep_point_equals_a_plain_run_with_the_value_fixed() {
    let s = small();
    let sw = sweep(
        DesignKind::Grid,
        None,
        &[
            ("actors.seoul.favourability", values(&[0.2, 0.5])),
            ("history.issues.forced_labor.salience", values(&[0.3, 0.9])),
        ],
    );
    let p = plan(&s, 2, 40);
    let d = Design::from_sweep(&s, &sw, p.seed).unwrap();
    assert_eq!(d.points.len(), 4);
    // First parameter varies slowest.
    assert_eq!(d.points[1], vec![0.2, 0.9]);
    let r = run(&s, &d, &p);
    for (i, pt) in r.points.iter().enumerate() {
        let plain = engine::run(&d.scenario(&s, i), &p, None, None).unwrap();
        for path in 0..2 {
            for o in 0..plain.outcomes[path].len() {
                let a = &plain.outcomes[path][o];
                let b = &pt.outcomes[path][o];
                assert_eq!(
                    (
                        a.n,
                        a.mean.to_bits(),
                        a.sd.to_bits(),
                        a.quantiles.map(f64::to_bits)
                    ),
                    (
                        b.n,
                        b.mean.to_bits(),
                        b.sd.to_bits(),
                        b.quantiles.map(f64::to_bits)
                    ),
                    "point {i} path {path} outcome {o}"
                );
                assert_eq!(
                    format!("{:?}", plain.paired[path][o]),
                    format!("{:?}", pt.paired[path][o])
                );
            }
        }
    }
    // The values differ between points, so results do too.
    assert_ne!(
        r.points[0].outcomes[1][0].mean,
        r.points[3].outcomes[1][0].mean
    );
}

#[test]
fn sweeps_are_identical_whatever_the_thread_count() {
    let s = small();
    let sw = sweep(
        DesignKind::Lhs,
        Some(7),
        &[
            ("actors.seoul.favourability", range(0.1, 0.6)),
            ("world.politics.b_crit", range(0.6, 1.4)),
        ],
    );
    let p1 = plan(&s, 1, 40);
    let d = Design::from_sweep(&s, &sw, p1.seed).unwrap();
    let a = run(&s, &d, &p1);
    let b = run(&s, &d, &plan(&s, 3, 40));
    // Debug text, not `==`: outcomes that are empty in every replication are NaN, and the
    // shortest round-trip text of a float is equal exactly when the values are.
    assert_eq!(format!("{:?}", a.points), format!("{:?}", b.points));
    assert_eq!(a.points.len(), 7);
}

#[test]
fn common_random_numbers_make_an_inert_parameter_change_nothing() {
    // `parallel` is not run: its transparency cannot matter, and with common random numbers
    // every point must give exactly the same numbers.
    let s = small();
    let sw = sweep(
        DesignKind::Grid,
        None,
        &[("paths.parallel.transparency", values(&[0.1, 0.5, 0.9]))],
    );
    let p = plan(&s, 2, 32);
    let d = Design::from_sweep(&s, &sw, p.seed).unwrap();
    let r = run(&s, &d, &p);
    let text = |i: usize| format!("{:?}", r.points[i].outcomes);
    assert_eq!(text(0), text(1));
    assert_eq!(text(0), text(2));
    assert_eq!(r.points[0].values, vec![0.1]);
}

#[test]
fn every_design_point_is_validated() {
    let mut s = small();
    s.world.us.interval_months = 48.0.into();
    // A lag of 48 months is not shorter than the 48-month interval.
    let sw = sweep(
        DesignKind::Grid,
        None,
        &[("world.us.inauguration_lag_months", values(&[1.0, 48.0]))],
    );
    let e = Design::from_sweep(&s, &sw, 1).unwrap_err().to_string();
    assert!(e.contains("design point 2"), "{e}");
    assert!(e.contains("world.us.inauguration_lag_months = 48"), "{e}");
}

#[test]
fn whole_month_parameters_are_rounded_in_lhs_designs() {
    let s = small();
    let sw = sweep(
        DesignKind::Lhs,
        Some(5),
        &[("paths.hasty.min_dwell_months", range(1.0, 9.0))],
    );
    let p = plan(&s, 2, 16);
    let d = Design::from_sweep(&s, &sw, p.seed).unwrap();
    let r = run(&s, &d, &p);
    for pt in &r.points {
        assert_eq!(pt.values[0].fract(), 0.0, "{:?}", pt.values);
    }
}

#[test]
fn a_run_advanced_in_steps_equals_one_run() {
    let s = small();
    let p = plan(&s, 2, 80);
    let whole = engine::run(&s, &p, None, None).unwrap();
    let mut r = Runner::new(&s, &p).unwrap();
    for to in [16, 48, 80] {
        r.advance(to, None, None).unwrap();
    }
    assert_eq!(r.done(), 80);
    assert_eq!(format!("{:?}", r.results()), format!("{whole:?}"));
}

#[test]
fn adaptive_precision_is_deterministic_and_equals_a_plain_run() {
    let s = small();
    let p = plan(&s, 2, 16);
    let go = |threads: usize| {
        let p = plan(&s, threads, 16);
        let mut r = Runner::new(&s, &p).unwrap();
        let mut quiet = |_: u64, _: u64| std::ops::ControlFlow::Continue(());
        let rep = precision::run(&mut r, 0.02, 16, 100_000, &mut None, &mut quiet).unwrap();
        (rep, format!("{:?}", r.results()))
    };
    let (a, ra) = go(1);
    let (b, rb) = go(2);
    assert_eq!(a, b);
    assert_eq!(ra, rb);
    assert!(a.met, "{a:?}");
    assert!(a.achieved <= 0.02);
    assert!(a.batches.len() >= 2, "{a:?}");
    assert!(a.replications() > 16 && a.replications() % 16 == 0);
    // The same numbers as a plain run of that many replications.
    let mut plain = p.clone();
    plain.replications = a.replications();
    let whole = engine::run(&s, &plain, None, None).unwrap();
    assert_eq!(ra, format!("{whole:?}"));
    // The previous batch was not precise enough (otherwise it would have stopped there).
    let mut before = p.clone();
    before.replications = a.batches[a.batches.len() - 2];
    let earlier = engine::run(&s, &before, None, None).unwrap();
    let o = precision::primary_outcome(&earlier).unwrap();
    let ci = earlier.paired[1][o].ci95;
    assert!(0.5 * (ci[1] - ci[0]) > 0.02);
}

#[test]
fn adaptive_precision_stops_at_the_cap() {
    let s = small();
    let p = plan(&s, 2, 16);
    let mut r = Runner::new(&s, &p).unwrap();
    let mut quiet = |_: u64, _: u64| std::ops::ControlFlow::Continue(());
    let rep = precision::run(&mut r, 1e-6, 16, 40, &mut None, &mut quiet).unwrap();
    assert!(!rep.met);
    assert_eq!(rep.replications(), 40);
    assert!(rep.message().contains("not reached"), "{}", rep.message());
}

#[test]
fn sensitivity_gives_zero_indices_to_an_inert_parameter() {
    let s = small();
    let target = Target::resolve(&s, None, None, Some("hasty:gradual".into())).unwrap();
    assert_eq!(target.label(), "hasty − gradual: final_ci");
    let sw = sweep(
        DesignKind::Sobol,
        Some(16),
        &[
            ("paths.hasty.transparency", range(0.0, 1.0)),
            ("paths.parallel.transparency", range(0.0, 1.0)),
            ("world.politics.b_crit", range(0.5, 1.5)),
        ],
    );
    let o = Overrides {
        replications: Some(24),
        threads: Some(2),
        ..Overrides::default()
    };
    let p = target.plan(&s, &o).unwrap();
    let d = Design::from_sweep(&s, &sw, p.seed).unwrap();
    assert_eq!(d.points.len(), 16 * 5);
    let r = run_sensitivity(&s, &d, &p, &target, 200, None).unwrap();
    let again = run_sensitivity(&s, &d, &p, &target, 200, None).unwrap();
    assert_eq!(r.indices, again.indices);
    // An inert parameter: f(AB_i) = f(A) exactly, so both indices are exactly 0.
    assert_eq!(r.indices.first[1].estimate, 0.0);
    assert_eq!(r.indices.total[1].estimate, 0.0);
    assert_eq!(r.tornado.bars.last().unwrap().parameter, 1);
    assert_eq!(r.tornado.bars.last().unwrap().swing, 0.0);
    // The hasty path's transparency (its backlash) matters for the difference.
    assert!(r.indices.total[0].estimate > 0.0);
    assert!(r.indices.variance > 0.0);
}

#[test]
fn sensitivity_targets_are_checked() {
    let s = small();
    let e = Target::resolve(&s, Some("final_cii".into()), None, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("did you mean `final_ci`"), "{e}");
    let e = Target::resolve(&s, None, None, Some("hasty:gradul".into()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown path `gradul`"), "{e}");
    let e = Target::resolve(&s, None, None, Some("hasty".into()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("A:B"), "{e}");
    let e = Target::resolve(&s, None, None, Some("hasty:hasty".into()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("itself"), "{e}");
}

/// A scenario text with a `[sweep]` table.
fn with_sweep(table: &str) -> String {
    format!("[scenario]\nname = \"t\"\n\n{table}")
}

fn load_err(text: &str) -> String {
    load_str(text, "exp.toml").unwrap_err().to_string()
}

#[test]
fn sweep_tables_load_and_show_their_design() {
    let s = load_str(
        &with_sweep(
            "[sweep]\ndesign = \"grid\"\n[sweep.parameters]\n\"actors.seoul.favourability\" = { values = [0.15, 0.3, 0.45] }\n\"history.issues.forced_labor.salience\" = { range = { low = 0.2, high = 0.8, steps = 4 } }\n",
        ),
        "exp.toml",
    )
    .unwrap();
    let sw = s.sweep.clone().unwrap();
    assert_eq!(sw.points(), 12);
    let d = Design::from_sweep(&s, &sw, 1).unwrap();
    assert_eq!(d.levels[1], vec![0.2, 0.4, 0.6, 0.8]);
    let text = trisim::scenario::to_toml(&s);
    assert!(text.contains("[sweep"), "{text}");
    assert_eq!(load_str(&text, "shown.toml").unwrap(), s);
}

#[test]
fn bad_sweep_tables_are_errors_with_locations() {
    let e = load_err(&with_sweep(
        "[sweep.parameters]\n\"actors.seoul.favorability\" = { values = [0.1] }\n",
    ));
    assert!(e.contains("exp.toml:5:1"), "{e}");
    assert!(
        e.contains("did you mean `actors.seoul.favourability`"),
        "{e}"
    );
    let e = load_err(&with_sweep(
        "[sweep.parameters]\n\"relations.trust_kr_jp\" = { range = { low = 0.5, high = 0.5, steps = 3 } }\n",
    ));
    assert!(e.contains("empty range"), "{e}");
    let e = load_err(&with_sweep(
        "[sweep.parameters]\n\"relations.trust_kr_jp\" = { range = { low = 0.1, high = 0.5, steps = 1 } }\n",
    ));
    assert!(e.contains("steps must be at least 2"), "{e}");
    let e = load_err(&with_sweep(
        "[sweep.parameters]\n\"relations.trust_kr_jp\" = { values = [0.1, 1.5] }\n",
    ));
    assert!(e.contains("outside the valid range [0, 1]"), "{e}");
    let e = load_err(&with_sweep(
        "[sweep]\ndesign = \"lhs\"\n[sweep.parameters]\n\"relations.trust_kr_jp\" = { values = [0.1, 0.5] }\n",
    ));
    assert!(e.contains("samples ranges"), "{e}");
    let e = load_err(&with_sweep(
        "[sweep]\ndesign = \"latin\"\n[sweep.parameters]\n\"relations.trust_kr_jp\" = { range = { low = 0.1, high = 0.5 } }\n",
    ));
    assert!(e.contains("design"), "{e}");
    let e = load_err(&with_sweep("[sweep]\noutcome = \"final_cii\"\n[sweep.parameters]\n\"relations.trust_kr_jp\" = { range = { low = 0.1, high = 0.5, steps = 2 } }\n"));
    assert!(e.contains("did you mean `final_ci`"), "{e}");
    let e = load_err(&with_sweep("[sweep]\npath_diff = \"hasty:gradul\"\n[sweep.parameters]\n\"relations.trust_kr_jp\" = { range = { low = 0.1, high = 0.5, steps = 2 } }\n"));
    assert!(e.contains("did you mean `gradual`"), "{e}");
    let e = load_err(&with_sweep("[sweep]\n"));
    assert!(e.contains("at least one parameter"), "{e}");
}

#[test]
fn a_child_sweep_replaces_its_parents_parameters_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("parent.toml");
    std::fs::write(
        &parent,
        "[scenario]\nname = \"p\"\n[sweep]\nreplications = 7\n[sweep.parameters]\n\"relations.trust_kr_jp\" = { range = { low = 0.1, high = 0.5, steps = 3 } }\n",
    )
    .unwrap();
    let child = dir.path().join("child.toml");
    std::fs::write(
        &child,
        "extends = \"parent.toml\"\n[scenario]\nname = \"c\"\n[sweep.parameters]\n\"actors.seoul.favourability\" = { values = [0.2, 0.4] }\n",
    )
    .unwrap();
    let s = trisim::scenario::load_file(&child).unwrap();
    let sw = s.sweep.unwrap();
    assert_eq!(sw.replications, Some(7));
    let keys: Vec<&String> = sw.parameters.keys().collect();
    assert_eq!(keys, ["actors.seoul.favourability"]);
    // Without parameters of its own, the child keeps the parent's.
    std::fs::write(
        &child,
        "extends = \"parent.toml\"\n[scenario]\nname = \"c\"\n[sweep]\nreplications = 9\n",
    )
    .unwrap();
    let sw = trisim::scenario::load_file(&child).unwrap().sweep.unwrap();
    assert_eq!(sw.replications, Some(9));
    assert_eq!(
        sw.parameters.keys().collect::<Vec<_>>(),
        ["relations.trust_kr_jp"]
    );
}

#[test]
fn a_progress_callback_that_breaks_stops_the_work_with_interrupted() {
    use std::ops::ControlFlow;
    let s = small();
    // Several waves of blocks, so there is work left after the first report.
    let p = plan(&s, 1, 16 * 64);
    let mut calls = 0;
    let mut stop_after_first = |_: u64, _: u64| {
        calls += 1;
        ControlFlow::Break(())
    };
    let err = engine::run(&s, &p, None, Some(&mut stop_after_first)).unwrap_err();
    assert!(
        err.downcast_ref::<engine::Interrupted>().is_some(),
        "{err:#}"
    );
    assert_eq!(calls, 1);

    let sw = sweep(
        DesignKind::Grid,
        None,
        &[("actors.seoul.favourability", values(&[0.2, 0.3, 0.4, 0.5]))],
    );
    let d = Design::from_sweep(&s, &sw, p.seed).unwrap();
    let mut reports = 0;
    let mut stop_after_two = |_: u64, _: u64| {
        reports += 1;
        if reports == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let err = run_sweep(&s, &d, &p, Some(&mut stop_after_two)).unwrap_err();
    assert!(
        err.downcast_ref::<engine::Interrupted>().is_some(),
        "{err:#}"
    );
    assert_eq!(reports, 2);
    // A callback that never breaks lets the same work finish.
    let mut go_on = |_: u64, _: u64| ControlFlow::Continue(());
    assert!(engine::run(&s, &p, None, Some(&mut go_on)).is_ok());
}
