//! Support of the rungs held (docs/model.md §1.3 step 9, §3.3): build quality, lock-in, lapses
//! and scars.
//!
//! - **Build quality** Q_k records how the rungs held were built. A path move raising track k
//!   has quality `q = ω_T·transparency + ω_L·legislate + ω_P·(1 − min(1, B_KR/B_crit)) +
//!   ω_X·1[V^opp_KR,k ≥ 0]` (V^opp: the value of keeping the rung to the Korean camp out of
//!   office, cross-camp consent), and `Q_k ← (Q_k·ℓ_k + q)/(ℓ_k + 1)`. The 2012 GSOMIA,
//!   approved in secret, did not survive the day; Camp David was built to outlast governments
//!   (Embracing 2023).
//! - **Lock-in** grows with how a rung was built and with public acceptance, and erodes where a
//!   government does not value the rung:
//!   `Λ_k += λ_k·Q_k·P·1[ℓ_k ≥ 1]·(1 − Λ_k) − d_Λ·1[V_KR,k < 0 ∨ V_JP,k < 0]·Λ_k`,
//!   `P = Π_S min(1, F_S/F_ref,S)·(1 − min(1, B_S/B_crit))`; a fall multiplies Λ_k by
//!   (1 − λ_loss).
//! - **Lapse**: a rung that a (non-acting) government does not value, V_S,k < 0, lapses one
//!   step with probability `h_lapse·(1 − Λ_k)·min(1, −V_S,k/v₀)` a month; Korea is tested
//!   first, at most one lapse per track a month (the trilateral drills that stopped 2018–21).
//! - **Scar**: a fall from domestic rejection (crisis rollback, lapse, turnover reversal, an
//!   executed counter-threat) scars the track for `scar_months`: no path proposes it meanwhile
//!   (the GSOMIA shelved in 2012 was signed 53 months later). A scar set in an earlier month
//!   heals by one month, or by two in a surge month or within 6 months of a nuclear test (the
//!   2016 tests preceded the 2016-11 GSOMIA).

use super::compiled::{JP, KR};
use super::exogenous::elections::other_camp;
use super::state::Sim;
use super::tracks::lock_in_step;

/// Public acceptance of cooperation, `P = Π_S min(1, F_S/F_ref,S)·(1 − min(1, B_S/B_crit,S))`.
#[inline]
pub fn acceptance(fav: [f64; 2], fav_ref: [f64; 2], backlash: [f64; 2], b_crit: [f64; 2]) -> f64 {
    let mut p = 1.0;
    for s in [KR, JP] {
        let f = if fav_ref[s] > 0.0 {
            (fav[s] / fav_ref[s]).min(1.0)
        } else {
            1.0
        };
        let calm = if b_crit[s] > 0.0 {
            1.0 - (backlash[s] / b_crit[s]).min(1.0)
        } else {
            0.0
        };
        p *= f * calm;
    }
    p
}

/// Build quality of a move from its four components and the weights (ω_T, ω_L, ω_P, ω_X).
#[inline]
pub fn build_quality(
    w: [f64; 4],
    transparency: f64,
    legislate: f64,
    calm: f64,
    consent: bool,
) -> f64 {
    w[0] * transparency + w[1] * legislate + w[2] * calm + w[3] * if consent { 1.0 } else { 0.0 }
}

/// Why a track fell: a crisis rollback, a lapse, or a reversal by a new government
/// (turnover), by a retaliation, by an executed counter-threat or by a `set_rung` event.
/// Rollbacks, lapses and reversals are counted per track; reversals also by cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fall {
    Rollback,
    Lapse,
    Turnover,
    Retaliation,
    CounterThreat,
    Event,
}

impl Fall {
    /// 0 for a rollback, 1 for a lapse, 2 for any reversal (the index in `Acc::track_falls`).
    pub fn kind(self) -> usize {
        match self {
            Fall::Rollback => 0,
            Fall::Lapse => 1,
            _ => 2,
        }
    }
}

impl Sim<'_> {
    /// Build quality of a path move raising track `k` now.
    pub fn move_quality(&self, k: usize) -> f64 {
        let c = &self.m.c;
        let calm = if c.b_crit > 0.0 {
            1.0 - (self.st.backlash[KR] / c.b_crit).min(1.0)
        } else {
            0.0
        };
        let consent = self.keep_value_for_camp(KR, k, other_camp(self.st.camp[KR])) >= 0.0;
        build_quality(
            c.quality_weights,
            self.path.transparency,
            self.path.legislate,
            calm,
            consent,
        )
    }

    /// Track `k` falls one rung (with its dependants, `State::move_down`); every track that
    /// fell loses the share λ_loss of its lock-in and is counted under `why`; `scar` marks a
    /// fall from domestic rejection, on every track that fell (a dependant dropped with its
    /// prerequisite carries the fall's cause and scar). Returns the rungs lost.
    pub fn fall(&mut self, k: usize, scar: bool, why: Fall) -> u32 {
        let t = self.t_now();
        let before = self.st.rung.clone();
        let lost = self.st.move_down(&self.m.tracks, k, t);
        let keep = 1.0 - self.m.c.lock_loss;
        for (j, &b) in before.iter().enumerate() {
            if self.st.rung[j] < b {
                self.st.lock[j] *= keep;
                self.count_fall(j, b - self.st.rung[j], why);
                if scar {
                    self.scar(j);
                }
            }
        }
        lost
    }

    /// Counts `rungs` lost by track `j` this month under `why`: the month's falls (for US
    /// friction), the replication's rollbacks, lapses or reversals, the track's own counter
    /// and, for reversals, their cause (docs/model.md §3.16).
    pub fn count_fall(&mut self, j: usize, rungs: u8, why: Fall) {
        let n = rungs as u32;
        self.st.fell_now[j] += rungs;
        self.acc.track_falls[j][why.kind()] += n;
        match why {
            Fall::Rollback => self.acc.rollbacks += n,
            Fall::Lapse => self.diag.lapses += n,
            _ => {
                self.acc.reversals += n;
                self.acc.reversal_causes[why as usize - Fall::Turnover as usize] += n;
            }
        }
    }

    /// Scars track `k` for `scar_months` from this month.
    pub fn scar(&mut self, k: usize) {
        self.st.scar[k] = self.m.c.scar_months;
        self.st.scar_set[k] = self.t_now();
    }

    /// Step 9: lapses, scars healing, lock-in.
    pub fn support_month(&mut self) {
        let m = self.m;
        let c = &m.c;
        let t = self.t_now();
        // Lapses of unvalued rungs (Korea first; one per track a month).
        for k in 0..m.tracks.len() {
            if self.st.rung[k] == 0 {
                continue;
            }
            for s in [KR, JP] {
                if self.acting(s) {
                    continue;
                }
                let v = self.keep_value(s, k);
                if v >= 0.0 {
                    continue;
                }
                let short = if c.lapse_scale > 0.0 {
                    (-v / c.lapse_scale).min(1.0)
                } else {
                    1.0
                };
                let p = c.lapse_hazard * (1.0 - self.st.lock[k]) * short;
                if self.draws.lapse[k][s] < p {
                    self.fall(k, true, Fall::Lapse);
                    break;
                }
            }
        }
        // Scars heal: by 2 in a surge month or within 6 months of a nuclear test.
        let fast = self.surge() || t - self.st.last_nuclear < 6;
        let heal = if fast { 2 } else { 1 };
        for k in 0..m.tracks.len() {
            if self.st.scar_set[k] < t {
                self.st.scar[k] = self.st.scar[k].saturating_sub(heal);
            }
        }
        // Lock-in.
        let p = acceptance(
            self.st.fav,
            c.fav_ref,
            self.st.backlash,
            [c.b_crit, c.b_crit_jp],
        );
        for k in 0..m.tracks.len() {
            let unvalued = self.keep_value(KR, k) < 0.0 || self.keep_value(JP, k) < 0.0;
            self.st.lock[k] = lock_in_step(
                self.st.lock[k],
                m.tracks[k].lambda * self.st.quality[k] * p,
                self.st.rung[k],
                if unvalued { c.lock_decay } else { 0.0 },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acceptance_is_full_above_the_reference_and_calm_publics() {
        assert_eq!(
            acceptance([0.3, 0.3], [0.22, 0.25], [0.0, 0.0], [3.0; 2]),
            1.0
        );
        let half = acceptance([0.11, 0.3], [0.22, 0.25], [0.0, 0.0], [3.0; 2]);
        assert!((half - 0.5).abs() < 1e-12);
        let agitated = acceptance([0.3, 0.3], [0.22, 0.25], [1.5, 0.0], [3.0; 2]);
        assert!((agitated - 0.5).abs() < 1e-12);
        assert_eq!(
            acceptance([0.3, 0.3], [0.22, 0.25], [0.0, 4.0], [3.0, 4.0]),
            0.0
        );
        // Each side's calm is measured against its own B_crit.
        let tokyo_half = acceptance([0.3, 0.3], [0.22, 0.25], [0.0, 3.0], [3.0, 6.0]);
        assert!((tokyo_half - 0.5).abs() < 1e-12, "{tokyo_half}");
    }

    #[test]
    fn build_quality_weighs_its_four_components() {
        let w = [0.3, 0.2, 0.3, 0.2];
        assert!((build_quality(w, 1.0, 1.0, 1.0, true) - 1.0).abs() < 1e-12);
        assert_eq!(build_quality(w, 0.0, 0.0, 0.0, false), 0.0);
        assert!((build_quality(w, 0.3, 0.1, 1.0, false) - (0.09 + 0.02 + 0.3)).abs() < 1e-12);
    }
}
