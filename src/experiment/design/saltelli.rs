//! (being written; temporary)
pub struct Saltelli {
    pub n: usize,
    pub d: usize,
    pub points: Vec<Vec<f64>>,
}
pub fn saltelli(n: usize, d: usize, seed: u64) -> Result<Saltelli, String> {
    let mut points = Vec::new();
    for j in 0..n {
        let a: Vec<f64> = (0..d)
            .map(|k| sobol_burley::sample(j as u32, k as u32, seed as u32) as f64)
            .collect();
        let b: Vec<f64> = (0..d)
            .map(|k| sobol_burley::sample(j as u32, (d + k) as u32, seed as u32) as f64)
            .collect();
        points.push(a.clone());
        for i in 0..d {
            let mut x = a.clone();
            x[i] = b[i];
            points.push(x);
        }
        points.push(b);
    }
    Ok(Saltelli { n, d, points })
}
