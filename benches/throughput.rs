//! Replication-months per second of the whole engine (model + streaming statistics) on
//! `scenarios/baseline.toml` (or the default scenario if the file cannot be loaded), every
//! path, all cores.
//!
//! Run: `cargo bench --bench throughput -- --warm-up-time 1 --measurement-time 5`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::Path;
use trisim::engine::{self, Overrides, RunPlan};
use trisim::scenario::{load_file, Scenario};

const REPLICATIONS: u64 = 2000;

fn scenario() -> (Scenario, &'static str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    if path.exists() {
        match load_file(&path) {
            Ok(s) => return (s, "scenarios/baseline.toml"),
            Err(e) => eprintln!(
                "cannot load {}: {e}; using the default scenario",
                path.display()
            ),
        }
    }
    (Scenario::default(), "default scenario")
}

fn throughput(c: &mut Criterion) {
    let (s, name) = scenario();
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
        "{name}: {} paths × {months} months × {REPLICATIONS} replications on {} threads",
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
