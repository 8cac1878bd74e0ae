//! Cooperation tracks: ordered ladders, the cooperation index and lock-in (MODEL.md §2).

use super::compiled::{Compiled, TrackC};
use super::state::{Sim, State};

/// Cooperation index `CI = Σ_k w_k·ℓ_k/max_k / Σ_k w_k` in [0, 1] (MODEL.md §2).
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

/// One month of lock-in (institutionalisation; Camp David's annual summits and secretariat, 003):
/// `Λ_k(t+1) = Λ_k + λ_k·1[ℓ_k ≥ 1]·(1 − Λ_k)`.
#[inline]
pub fn lock_in_step(lock: f64, lambda: f64, rung: u8) -> f64 {
    if rung >= 1 {
        lock + lambda * (1.0 - lock)
    } else {
        lock
    }
}

/// Whether the prerequisites of track `k` hold (MODEL.md §2 table).
#[inline]
pub fn prerequisites_met(tracks: &[TrackC], rung: &[u8], k: usize) -> bool {
    tracks[k].requires.iter().all(|&(j, r)| rung[j] >= r)
}

/// Camp-David-equivalent state: summitry = 3, missile_warning = 2, exercises ≥ 2 (MODEL.md §7).
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

    /// Moves track `k` one rung down at month `t` (rollback, reversal, retaliation).
    /// Returns false if the track is already at rung 0.
    pub fn move_down(&mut self, k: usize, t: i64) -> bool {
        if self.rung[k] == 0 {
            return false;
        }
        self.rung[k] -= 1;
        self.last_move[k] = t;
        true
    }
}

impl Sim<'_> {
    /// Applies one month of lock-in to every track.
    pub fn lock_in_month(&mut self) {
        for (k, t) in self.m.tracks.iter().enumerate() {
            self.st.lock[k] = lock_in_step(self.st.lock[k], t.lambda, self.st.rung[k]);
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
            l = lock_in_step(l, 0.1, 1);
            let closed = 1.0 - 0.9f64.powi(n);
            assert!((l - closed).abs() < 1e-12, "month {n}: {l} vs {closed}");
        }
        assert_eq!(lock_in_step(0.3, 0.1, 0), 0.3);
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
}
