//! (being written; temporary linspace for the lead's integration)
pub fn linspace(low: f64, high: f64, steps: usize) -> Vec<f64> {
    (0..steps)
        .map(|i| {
            if i + 1 == steps {
                high
            } else {
                low + (high - low) * i as f64 / (steps - 1) as f64
            }
        })
        .collect()
}
pub fn grid(levels: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut out = vec![vec![]];
    for l in levels {
        let mut next = Vec::new();
        for p in &out {
            for x in l {
                let mut q: Vec<f64> = p.clone();
                q.push(*x);
                next.push(q);
            }
        }
        out = next;
    }
    out
}
