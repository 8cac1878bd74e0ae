//! Replication-months per second of the whole engine (model + streaming statistics) on
//! `scenarios/baseline.toml`, every path, on 1 and 2 threads (`engine/threads_1`,
//! `engine/threads_2`), next to a bare loop that only draws the model's per-month random
//! numbers with the same generators and stream keys (`engine/bare_draws`: per replication and
//! path, the streams of `Rngs::new` and, per month, one `Draws::fill`), so the ratio engine /
//! bare loop is visible in one run. One replication-month is one path × one month of one
//! replication. Fails (panics) if the scenario cannot be loaded: a figure measured on another
//! scenario would be misleading.
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
use trisim::model::state::{Draws, Rngs};
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
    let plan_for = |threads: usize| {
        RunPlan::new(
            &s,
            &Overrides {
                replications: Some(REPLICATIONS),
                threads: Some(threads),
                ..Overrides::default()
            },
        )
        .expect("the bench scenario is valid")
    };
    let plan = plan_for(1);
    let months = s.scenario.horizon_months as u64;
    let paths = plan.paths.len() as u64;
    let elements = REPLICATIONS * paths * months;
    eprintln!("{SCENARIO}: {paths} paths × {months} months × {REPLICATIONS} replications");
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    g.throughput(Throughput::Elements(elements));
    for threads in [1, 2] {
        let plan = plan_for(threads);
        g.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| black_box(engine::run(&s, &plan, None, None).expect("run")))
        });
    }
    // The same replication-months, drawing only the model's monthly random numbers (one
    // thread).
    let (issues, tracks) = (s.history.issues.len(), s.tracks.len());
    g.bench_function("bare_draws", |b| {
        b.iter(|| {
            let mut draws = Draws::new(issues, tracks);
            let mut acc = 0.0;
            for r in 0..REPLICATIONS {
                for _ in 0..paths {
                    let mut rngs = Rngs::new(plan.seed, r);
                    for _ in 0..months {
                        draws.fill(&mut rngs);
                        acc += draws.china[0];
                    }
                }
            }
            black_box(acc)
        })
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
