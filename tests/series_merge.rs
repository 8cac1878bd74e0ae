//! The monthly series' accumulator through the engine's public API: partial results of any
//! split of the blocks, merged in any order, give the one-run results bit for bit; and saved
//! partial results that are corrupt (overflowing sums, counts beyond their replications, wrong
//! lengths, the same blocks twice) are refused with an error, never a panic or a silent wrap.

use std::path::Path;
use trisim::engine::{Overrides, Partial, RunPlan, RunResults, Runner};
use trisim::scenario::{load_file, Scenario};

fn scenario() -> Scenario {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/experiments/fast.toml");
    load_file(&p).expect("fixture loads")
}

fn plan(s: &Scenario, threads: usize) -> RunPlan {
    let mut p = RunPlan::new(
        s,
        &Overrides {
            replications: Some(150),
            seed: Some(11),
            threads: Some(threads),
            ..Overrides::default()
        },
    )
    .expect("valid plan");
    p.block_size = 16;
    p
}

fn partial(s: &Scenario, plan: &RunPlan, blocks: std::ops::Range<u64>) -> Partial {
    let mut r = Runner::new(s, plan).unwrap();
    r.run_blocks(blocks.clone(), None).unwrap();
    r.partial(blocks)
}

fn series_bits(r: &RunResults) -> Vec<u64> {
    let mut v = Vec::new();
    for p in &r.series {
        for t in p {
            for c in t {
                v.push(c.mean.to_bits());
                v.extend(c.quantiles.iter().map(|q| q.to_bits()));
            }
        }
    }
    for p in &r.series_extra.quantiles {
        for t in p {
            for m in t {
                v.extend(m.iter().map(|q| q.to_bits()));
            }
        }
    }
    for p in &r.series_extra.at_least {
        for t in p {
            for (n, ge) in t {
                v.push(*n);
                v.extend(ge);
            }
        }
    }
    v
}

#[test]
fn shards_merged_in_any_order_equal_one_run() {
    let s = scenario();
    let one = trisim::engine::run(&s, &plan(&s, 1), None, None).unwrap();
    let two = trisim::engine::run(&s, &plan(&s, 2), None, None).unwrap();
    assert_eq!(series_bits(&one), series_bits(&two));
    let p = plan(&s, 2);
    let blocks = p.blocks();
    let parts = [
        partial(&s, &p, 0..3),
        partial(&s, &p, 3..4),
        partial(&s, &p, 4..blocks),
    ];
    for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
        let mut r = Runner::new(&s, &p).unwrap();
        for i in order {
            r.absorb(&parts[i]).unwrap();
        }
        assert_eq!(r.done(), 150);
        assert_eq!(series_bits(&r.results()), series_bits(&one), "{order:?}");
    }
}

/// `f` edits the JSON of a saved partial result; absorbing the edited result must fail.
fn refused(edit: impl Fn(&mut serde_json::Value)) -> String {
    let s = scenario();
    let p = plan(&s, 1);
    let part = partial(&s, &p, 0..2);
    let mut j = serde_json::to_value(&part).unwrap();
    edit(&mut j);
    let back: Partial = match serde_json::from_value(j) {
        Ok(b) => b,
        Err(e) => return e.to_string(),
    };
    let mut r = Runner::new(&s, &p).unwrap();
    let e = r
        .absorb(&back)
        .expect_err("a corrupt partial result is refused");
    format!("{e:#}")
}

#[test]
fn corrupt_partial_results_are_refused() {
    let series = |j: &mut serde_json::Value, k: &str| j["accum"]["series"][k].clone();
    // A sum near 2^127: would wrap if added unchecked.
    let e = refused(|j| {
        let mut sums = series(j, "sum");
        sums[0] = serde_json::Value::String(i128::MAX.to_string());
        j["accum"]["series"]["sum"] = sums;
    });
    assert!(e.contains("corrupt"), "{e}");
    // More values in a cell than the partial result's replications.
    let e = refused(|j| {
        let mut c = series(j, "counts");
        c[0] = serde_json::json!(u32::MAX);
        j["accum"]["series"]["counts"] = c;
    });
    assert!(e.contains("corrupt"), "{e}");
    // An array of the wrong length.
    let e = refused(|j| {
        let mut c = series(j, "over");
        c.as_array_mut().unwrap().pop();
        j["accum"]["series"]["over"] = c;
    });
    assert!(e.contains("shape"), "{e}");
    // The same blocks twice.
    let s = scenario();
    let p = plan(&s, 1);
    let part = partial(&s, &p, 0..p.blocks());
    let mut r = Runner::new(&s, &p).unwrap();
    r.absorb(&part).unwrap();
    let e = r
        .absorb(&part)
        .expect_err("the same blocks twice are refused");
    assert!(format!("{e}").contains("more than"), "{e}");
    // An inverted block range.
    let mut j = serde_json::to_value(&part).unwrap();
    j["blocks"] = serde_json::json!({"start": 5, "end": 2});
    let back: Partial = serde_json::from_value(j).unwrap();
    assert!(Runner::new(&s, &p).unwrap().absorb(&back).is_err());
}
