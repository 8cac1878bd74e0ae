//! Replication-months per second of the whole engine (model + streaming statistics) on
//! `scenarios/baseline.toml`, every path, all cores. Fails (panics) if the scenario cannot be
//! loaded: a figure measured on another scenario would be misleading.
//!
//! A second group times a 20 × 20 grid sweep (Korean favourability × forced-labour salience,
//! gradual and hasty, 120 months) with [`SWEEP_REPLICATIONS`] replications per point; the
//! issue's reference size is 1,000 replications per point (5× the work, same throughput).
//!
//! Run: `cargo bench --bench throughput -- --warm-up-time 1 --measurement-time 5`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::Path;
use trisim::engine::sweep::{run_sweep, Design};
use trisim::engine::{self, Overrides, RunPlan};
use trisim::scenario::sweep::{DesignKind, Sweep, SweepParam, SweepRange};
use trisim::scenario::{load_file, Scenario};

const REPLICATIONS: u64 = 2000;

const SCENARIO: &str = "scenarios/baseline.toml";

fn scenario() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SCENARIO);
    load_file(&path).unwrap_or_else(|e| {
        panic!(
            "the benchmark needs {}, which cannot be loaded:\n{e}",
            path.display()
        )
    })
}

fn throughput(c: &mut Criterion) {
    let s = scenario();
    let plan = RunPlan::new(
        &s,
        &Overrides {
            replications: Some(REPLICATIONS),
            ..Overrides::default()
        },
    )
    .expect("the bench scenario is valid");
    let months = s.scenario.horizon_months as u64;
    let elements = REPLICATIONS * plan.paths.len() as u64 * months;
    eprintln!(
        "{SCENARIO}: {} paths × {months} months × {REPLICATIONS} replications on {} threads",
        plan.paths.len(),
        plan.threads
    );
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    g.throughput(Throughput::Elements(elements));
    g.bench_function("replication_months", |b| {
        b.iter(|| black_box(engine::run(&s, &plan, None, None).expect("run")))
    });
    g.finish();
}

/// Replications per design point in the sweep benchmark.
const SWEEP_REPLICATIONS: u64 = 200;

fn sweep(c: &mut Criterion) {
    let s = scenario();
    let grid = |low: f64, high: f64| SweepParam {
        values: None,
        range: Some(SweepRange {
            low,
            high,
            steps: Some(20),
        }),
    };
    let sw = Sweep {
        design: DesignKind::Grid,
        n: None,
        replications: None,
        outcome: None,
        path_diff: None,
        parameters: [
            ("actors.seoul.favourability".to_string(), grid(0.05, 0.6)),
            (
                "history.issues.forced_labor.salience".to_string(),
                grid(0.05, 1.0),
            ),
        ]
        .into_iter()
        .collect(),
    };
    let plan = RunPlan::new(
        &s,
        &Overrides {
            replications: Some(SWEEP_REPLICATIONS),
            paths: Some(vec!["gradual".into(), "hasty".into()]),
            ..Overrides::default()
        },
    )
    .expect("the bench scenario is valid");
    let design = Design::from_sweep(&s, &sw, plan.seed).expect("the bench design is valid");
    let months = s.scenario.horizon_months as u64;
    let elements = design.points.len() as u64 * SWEEP_REPLICATIONS * 2 * months;
    eprintln!(
        "sweep: {} points × 2 paths × {SWEEP_REPLICATIONS} replications × {months} months on {} threads",
        design.points.len(),
        plan.threads
    );
    let mut g = c.benchmark_group("sweep");
    g.sample_size(10);
    g.throughput(Throughput::Elements(elements));
    g.bench_function("grid_20x20", |b| {
        b.iter(|| black_box(run_sweep(&s, &design, &plan, None).expect("sweep")))
    });
    g.finish();
}

criterion_group!(benches, throughput, sweep);
criterion_main!(benches);
