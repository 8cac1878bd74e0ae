//! (being written; temporary)
pub fn lhs(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| {
            (0..d)
                .map(|k| ((i * (k + 1) + seed as usize) % n) as f64 / n as f64)
                .collect()
        })
        .collect()
}
