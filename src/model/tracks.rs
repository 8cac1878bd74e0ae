//! Cooperation tracks: ordered ladders, the cooperation index and lock-in (docs/model.md §3.3).

use super::compiled::{Compiled, TrackC};
use super::state::State;

/// Cooperation index `CI = Σ_k w_k·ℓ_k/max_k / Σ_k w_k` in [0, 1] (docs/model.md §3.3).
pub fn cooperation_index(tracks: &[TrackC], rung: &[u8]) -> f64 {
    let mut num = 0.0;
    let mut den = 0.0;
    for (t, &l) in tracks.iter().zip(rung) {
        if t.max > 0 {
            num += t.w * l as f64 / t.max as f64;
        }
        den += t.w;
    }
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// One month of lock-in (institutionalisation; Camp David's annual summits and secretariat;
/// Embracing 2023): `Λ_k(t+1) = Λ_k + g·1[ℓ_k ≥ 1]·(1 − Λ_k) − d·Λ_k`, with the gain
/// `g = λ_k·Q_k·P` and the erosion `d` (d_Λ on a rung a government does not value, else 0;
/// `support.rs`).
#[inline]
pub fn lock_in_step(lock: f64, gain: f64, rung: u8, decay: f64) -> f64 {
    let grown = if rung >= 1 {
        lock + gain * (1.0 - lock)
    } else {
        lock
    };
    (grown - decay * lock).clamp(0.0, 1.0)
}

/// Whether the prerequisites of track `k` hold (docs/model.md §1.2, table of tracks).
#[inline]
pub fn prerequisites_met(tracks: &[TrackC], rung: &[u8], k: usize) -> bool {
    tracks[k].requires.iter().all(|&(j, r)| rung[j] >= r)
}

/// Camp-David-equivalent state: summitry = 3, missile_warning = 2, exercises ≥ 2
/// (docs/model.md §3.16).
pub fn camp_david(m: &Compiled, rung: &[u8]) -> bool {
    match (m.summitry, m.missile_warning, m.exercises) {
        (Some(s), Some(w), Some(e)) => {
            rung[s] >= 3.min(m.tracks[s].max)
                && rung[w] >= 2.min(m.tracks[w].max)
                && rung[e] >= 2.min(m.tracks[e].max)
        }
        _ => false,
    }
}

impl State {
    /// Moves track `k` one rung up at month `t`.
    pub fn move_up(&mut self, k: usize, t: i64) {
        self.rung[k] += 1;
        self.last_move[k] = t;
        self.last_up[k] = t;
        self.moved_now[k] += 1;
    }

    /// Moves track `k` one rung down at month `t` (rollback, reversal, linkage retaliation)
    /// and cascades to its dependants. Returns the number of rungs lost in total (0 if `k` was
    /// already at rung 0).
    ///
    /// Cascade (review S1): the prerequisites of the track table (docs/model.md §1.2) are per track
    /// — a track may stand at any rung ≥ 1 only while its prerequisites hold — so the highest rung
    /// a dependant is allowed once a prerequisite fails is 0. Every track whose prerequisites no
    /// longer hold therefore drops to rung 0, transitively (intelligence 1 → 0 takes
    /// missile_warning and exercises to 0, and with exercises extended_deterrence). Cascaded rungs
    /// count toward the same outcome as the move that caused them (`rollbacks` for a crisis
    /// rollback, `reversals` for a turnover reversal or linkage retaliation), since those outcomes
    /// count rungs lost. Lock-in stocks are kept (the institutions remain).
    pub fn move_down(&mut self, tracks: &[TrackC], k: usize, t: i64) -> u32 {
        if self.rung[k] == 0 {
            return 0;
        }
        self.rung[k] -= 1;
        self.last_move[k] = t;
        let mut lost = 1;
        // Fixed point: at most one pass per track (each pass zeroes at least one track).
        loop {
            let mut changed = false;
            for j in 0..tracks.len() {
                if self.rung[j] > 0 && !prerequisites_met(tracks, &self.rung, j) {
                    lost += self.rung[j] as u32;
                    self.rung[j] = 0;
                    self.last_move[j] = t;
                    changed = true;
                }
            }
            if !changed {
                return lost;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn lock_in_follows_the_recursion_and_only_above_rung_zero() {
        let mut l = 0.0;
        for n in 1..=24 {
            l = lock_in_step(l, 0.1, 1, 0.0);
            let closed = 1.0 - 0.9f64.powi(n);
            assert!((l - closed).abs() < 1e-12, "month {n}: {l} vs {closed}");
        }
        assert_eq!(lock_in_step(0.3, 0.1, 0, 0.0), 0.3);
        // Erosion: −d·Λ.
        assert!((lock_in_step(0.5, 0.0, 1, 0.1) - 0.45).abs() < 1e-12);
    }

    #[test]
    fn ci_is_the_weighted_share_of_rungs() {
        let m = Compiled::new(&Scenario::default());
        let n = m.tracks.len();
        assert_eq!(cooperation_index(&m.tracks, &vec![0; n]), 0.0);
        let top: Vec<u8> = m.tracks.iter().map(|t| t.max).collect();
        assert!((cooperation_index(&m.tracks, &top) - 1.0).abs() < 1e-12);
        // summitry (w = 1, 3 rungs) at 1, everything else at 0.
        let mut r = vec![0u8; n];
        r[m.summitry.unwrap()] = 1;
        let wsum: f64 = m.tracks.iter().map(|t| t.w).sum();
        assert!((cooperation_index(&m.tracks, &r) - (1.0 / 3.0) / wsum).abs() < 1e-12);
    }

    #[test]
    fn prerequisites_follow_the_table() {
        let m = Compiled::new(&Scenario::default());
        let mut r = vec![0u8; m.tracks.len()];
        let (s, i, w) = (
            m.summitry.unwrap(),
            m.intelligence.unwrap(),
            m.missile_warning.unwrap(),
        );
        assert!(!prerequisites_met(&m.tracks, &r, i));
        r[s] = 1;
        assert!(prerequisites_met(&m.tracks, &r, i));
        assert!(!prerequisites_met(&m.tracks, &r, w));
        r[i] = 1;
        assert!(prerequisites_met(&m.tracks, &r, w));
    }

    /// S1: moving a prerequisite down cascades to its dependants, transitively, and the
    /// returned count includes every rung lost.
    #[test]
    fn moving_down_cascades_to_dependants() {
        let m = Compiled::new(&Scenario::default());
        let idx = |key: &str| m.keys.iter().position(|k| k == key).unwrap();
        let mut st = State::new(&m);
        let top: Vec<u8> = m.tracks.iter().map(|t| t.max).collect();
        st.rung.clone_from(&top);
        let (intel, warn, ex, ed) = (
            idx("intelligence"),
            idx("missile_warning"),
            idx("exercises"),
            idx("extended_deterrence"),
        );
        // 2 -> 1: intelligence >= 1 still holds, nothing cascades.
        assert_eq!(st.move_down(&m.tracks, intel, 5), 1);
        assert_eq!(st.rung[warn], top[warn]);
        // 1 -> 0: missile_warning and exercises lose their prerequisite, and with exercises
        // extended_deterrence.
        let expected = 1 + top[warn] as u32 + top[ex] as u32 + top[ed] as u32;
        assert_eq!(st.move_down(&m.tracks, intel, 6), expected);
        for k in [intel, warn, ex, ed] {
            assert_eq!(st.rung[k], 0, "{}", m.keys[k]);
            assert_eq!(st.last_move[k], 6);
        }
        for k in 0..m.tracks.len() {
            assert!(st.rung[k] == 0 || prerequisites_met(&m.tracks, &st.rung, k));
        }
        // Summitry 3 -> 2 drops institutions (summitry >= 3) but keeps regional (>= 2).
        let (summ, inst, reg) = (idx("summitry"), idx("institutions"), idx("regional"));
        assert_eq!(st.move_down(&m.tracks, summ, 7), 1 + top[inst] as u32);
        assert_eq!((st.rung[inst], st.rung[reg]), (0, top[reg]));
        assert_eq!(st.move_down(&m.tracks, warn, 8), 0, "already at 0");
    }
}
