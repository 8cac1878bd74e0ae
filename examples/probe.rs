use trisim::model::*;
use trisim::scenario::*;
use trisim::scenario::sample::sample;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = args.get(1).and_then(|x| x.parse().ok()).unwrap_or(500);
    let mut s = Scenario::default();
    s.world.nk.initial_regime = NkRegime::Surge;
    let names: Vec<String> = s.paths.keys().cloned().collect();
    let np = names.len();
    let mut sums = vec![vec![0.0; OUTCOME_COUNT]; np];
    let mut dsum = vec![[0.0f64; 12]; np];
    let t0 = Instant::now();
    let mut months = 0u64;
    for r in 0..n {
        let ss = sample(&s, 1, r);
        let m = Model::new(&ss);
        for p in 0..np {
            let (o, d) = m.simulate_with_diagnostics(p, 1, r, &mut |_| months += 1);
            for (i, v) in o.values.iter().enumerate() {
                if v.is_finite() { sums[p][i] += v; }
            }
            let dv = [d.moves, d.side_payments, d.winset_refusals, d.utility_refusals, d.flare_ups, d.linkage_retaliations, d.linkage_escalations, d.linkage_cancelled, d.settlements, d.repudiations, d.kr_turnovers, d.coercion_events];
            for i in 0..12 { dsum[p][i] += dv[i] as f64; }
        }
    }
    let el = t0.elapsed().as_secs_f64();
    eprintln!("{} path-months in {:.3}s = {:.2} M/s", months, el, months as f64 / el / 1e6);
    print!("{:<24}", "outcome");
    for nm in &names { print!("{:>12}", nm); }
    println!();
    for (i, od) in OUTCOMES.iter().enumerate() {
        print!("{:<24}", od.key);
        for p in 0..np { print!("{:>12.3}", sums[p][i] / n as f64); }
        println!();
    }
    let dn = ["moves","side_pay","winset_ref","util_ref","flares","linkage_ret","linkage_esc","linkage_canc","settlements","repud","kr_turnovers","coercion"];
    for i in 0..12 {
        print!("{:<24}", dn[i]);
        for p in 0..np { print!("{:>12.3}", dsum[p][i] / n as f64); }
        println!();
    }
}
