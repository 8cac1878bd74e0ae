//! Paired comparisons on common random numbers, shared by the statistical tests
//! (`expectations_v2.rs`, `expectations_v2_checks.rs`, `china.rs`): replication `r` of every scenario variant and path uses the
//! same seed and replication index. Not every test file uses every helper.
#![allow(dead_code)]

use trisim::model::{Diagnostics, Model, Outcome, Outcomes};
use trisim::scenario::sample::sample;
use trisim::scenario::Scenario;

/// Runs `path` for `n` replications of `seed`; outcomes and diagnostics per replication.
pub fn run_paths(s: &Scenario, path: &str, seed: u64, n: u64) -> Vec<(Outcomes, Diagnostics)> {
    let p = s.paths.get_index_of(path).expect("bundled path");
    (0..n)
        .map(|r| {
            let m = Model::new(&sample(s, seed, r));
            m.simulate_with_diagnostics(p, seed, r, &mut |_| {})
        })
        .collect()
}

/// Outcome `o` per replication.
pub fn outcome(v: &[(Outcomes, Diagnostics)], o: Outcome) -> Vec<f64> {
    v.iter().map(|x| x.0.get(o)).collect()
}

/// Mean and standard error of paired differences a − b.
pub fn paired(a: &[f64], b: &[f64]) -> (f64, f64) {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Required size of a mean paired difference, in standard errors.
pub const Z: f64 = 4.0;

/// Asserts that a mean paired difference `d` = (mean, standard error) is positive by more
/// than `Z` standard errors.
pub fn greater(d: (f64, f64), what: &str) {
    assert!(
        d.0 > Z * d.1 && d.0 > 0.0,
        "{what}: {:.4} (se {:.4}) should be > {Z} se",
        d.0,
        d.1
    );
}
