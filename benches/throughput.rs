//! Replication-months per second of the whole engine (model + streaming statistics) on
//! `scenarios/baseline.toml`, every path, all cores. Fails (panics) if the scenario cannot be
//! loaded: a figure measured on another scenario would be misleading.
//!
//! Run: `cargo bench --bench throughput -- --warm-up-time 1 --measurement-time 5`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::Path;
use trisim::engine::{self, Overrides, RunPlan};
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

criterion_group!(benches, throughput);
criterion_main!(benches);
