//! Counts over the simulated worlds that the summaries do not hold, read back from `runs.csv`
//! (one row per path and replication) when the run wrote it.
//!
//! `summary.json` gives per pair of paths `P(better)`, which counts a tie (the same value on
//! the same world, common for counts and 0/1 outcomes) as half a win. Shown as a share of
//! wins it is misread: "better in 54%" may mean "better in 10%, tied in 88%". This module
//! counts wins, ties and losses apart, and the worlds where a milestone (`months_to_*`, whose
//! value is the horizon when never reached) is never reached.

use crate::model::Better;
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::Path;

/// How the worlds split for one outcome between a path and the reference path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WinTieLoss {
    pub better: u64,
    pub tied: u64,
    pub worse: u64,
}

impl WinTieLoss {
    pub fn n(&self) -> u64 {
        self.better + self.tied + self.worse
    }

    /// Shares (better, tied, worse); None without pairs.
    pub fn shares(&self) -> Option<(f64, f64, f64)> {
        let n = self.n() as f64;
        (self.n() > 0).then(|| {
            (
                self.better as f64 / n,
                self.tied as f64 / n,
                self.worse as f64 / n,
            )
        })
    }
}

/// Per-world counts of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorldCounts {
    /// (path, outcome) → wins, ties and losses against the reference path.
    pairs: HashMap<(String, String), WinTieLoss>,
    /// (path, outcome) → (worlds where the milestone was never reached, worlds).
    never: HashMap<(String, String), (u64, u64)>,
}

impl WorldCounts {
    /// Wins, ties and losses of `path` against the reference for `outcome`.
    pub fn pair(&self, path: &str, outcome: &str) -> Option<WinTieLoss> {
        self.pairs
            .get(&(path.to_string(), outcome.to_string()))
            .copied()
    }

    /// Share of worlds where `path` never reached the milestone `outcome`.
    pub fn never_share(&self, path: &str, outcome: &str) -> Option<f64> {
        self.never
            .get(&(path.to_string(), outcome.to_string()))
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| *k as f64 / *n as f64)
    }
}

/// Whether an outcome is a milestone month (`months_to_*`): its value is the horizon when the
/// milestone is never reached.
pub fn is_milestone(key: &str) -> bool {
    key.starts_with("months_to_")
}

/// Largest `runs.csv` read back (a larger one, written with `--runs-csv`, is skipped: the
/// summaries then show P(better) and say that it counts ties as half).
pub const MAX_RUNS_CSV_BYTES: u64 = 256 << 20;

/// Reads `runs.csv` and counts, for every outcome with a better direction in `outcomes`, the
/// worlds where each path is better, tied or worse than `reference`, and for every milestone
/// outcome the worlds where it is never reached (value ≥ `horizon`). `Ok(None)` when the file
/// does not exist (runs.csv is optional) or is larger than [`MAX_RUNS_CSV_BYTES`]; an error when it exists but cannot be read.
pub fn from_runs_csv(
    file: &Path,
    reference: &str,
    outcomes: &[(String, Better)],
    horizon: f64,
) -> Result<Option<WorldCounts>> {
    match std::fs::metadata(file) {
        Ok(m) if m.is_file() && m.len() <= MAX_RUNS_CSV_BYTES => {}
        _ => return Ok(None),
    }
    let shown = file.display();
    let mut rd = csv::Reader::from_path(file).with_context(|| format!("cannot read {shown}"))?;
    let header = rd
        .headers()
        .with_context(|| format!("cannot read {shown}"))?
        .clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(path_col), Some(rep_col)) = (col("path"), col("replication")) else {
        anyhow::bail!("{shown} has no `path` and `replication` columns");
    };
    let cols: Vec<(usize, &String, Better)> = outcomes
        .iter()
        .filter_map(|(k, b)| col(k).map(|c| (c, k, *b)))
        .collect();
    // replication → path → values of `cols`.
    let mut rows: HashMap<String, HashMap<String, Vec<f64>>> = HashMap::new();
    for rec in rd.records() {
        let rec = rec.with_context(|| format!("cannot read {shown}"))?;
        let values = cols
            .iter()
            .map(|(c, _, _)| {
                rec.get(*c)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(f64::NAN)
            })
            .collect();
        rows.entry(rec.get(rep_col).unwrap_or_default().to_string())
            .or_default()
            .insert(rec.get(path_col).unwrap_or_default().to_string(), values);
    }
    let mut out = WorldCounts::default();
    for paths in rows.values() {
        for (path, values) in paths {
            for (i, (_, key, _)) in cols.iter().enumerate() {
                if is_milestone(key) && !values[i].is_nan() {
                    let e = out.never.entry((path.clone(), (*key).clone())).or_default();
                    e.0 += u64::from(values[i] >= horizon);
                    e.1 += 1;
                }
            }
        }
        let Some(refv) = paths.get(reference) else {
            continue;
        };
        for (path, values) in paths {
            if path == reference {
                continue;
            }
            for (i, (_, key, better)) in cols.iter().enumerate() {
                let (a, r) = (values[i], refv[i]);
                let higher = match better {
                    Better::Higher => true,
                    Better::Lower => false,
                    Better::Neither => continue,
                };
                if a.is_nan() || r.is_nan() {
                    continue;
                }
                let e = out.pairs.entry((path.clone(), (*key).clone())).or_default();
                if a == r {
                    e.tied += 1;
                } else if (a > r) == higher {
                    e.better += 1;
                } else {
                    e.worse += 1;
                }
            }
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wins_ties_and_never_are_counted_apart() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("runs.csv");
        std::fs::write(
            &f,
            "path,replication,final_ci,months_to_camp_david,nk_launches\n\
             a,0,0.5,120,3\nb,0,0.6,120,4\n\
             a,1,0.5,10,3\nb,1,0.5,20,5\n\
             b,2,0.1,3,1\na,2,0.2,120,1\n",
        )
        .unwrap();
        let outcomes = vec![
            ("final_ci".to_string(), Better::Higher),
            ("months_to_camp_david".to_string(), Better::Lower),
            ("nk_launches".to_string(), Better::Neither),
        ];
        let w = from_runs_csv(&f, "a", &outcomes, 120.0).unwrap().unwrap();
        assert_eq!(
            w.pair("b", "final_ci"),
            Some(WinTieLoss {
                better: 1,
                tied: 1,
                worse: 1
            })
        );
        assert_eq!(
            w.pair("b", "months_to_camp_david"),
            Some(WinTieLoss {
                better: 1,
                tied: 1,
                worse: 1
            })
        );
        assert_eq!(w.pair("b", "nk_launches"), None);
        assert_eq!(w.pair("a", "final_ci"), None);
        assert_eq!(w.never_share("a", "months_to_camp_david"), Some(2.0 / 3.0));
        assert_eq!(w.never_share("b", "months_to_camp_david"), Some(1.0 / 3.0));
        assert!(
            from_runs_csv(&dir.path().join("none.csv"), "a", &outcomes, 120.0)
                .unwrap()
                .is_none()
        );
    }
}
