//! Simulation state of one path in one replication (docs/model.md §1.2), its random streams and
//! the per-month buffer of random draws.

use super::compiled::{us_index, Compiled, PathC, JP, KR};
use super::exogenous::china::ChinaState;
use crate::rng::{stream, uniform, FastRng, Stream};
use crate::scenario::IssueStatus;

/// Index of the NK `surge` regime.
pub const SURGE: usize = 2;

/// Dynamic state of one history issue.
#[derive(Clone, Debug)]
pub struct IssueState {
    /// Current (effective) salience s_i; a settlement lowers it to s·(1 − quality).
    pub salience: f64,
    pub status: IssueStatus,
    pub quality: f64,
    pub court_pending: bool,
    /// Month of the settlement (negative when settled before the start).
    pub settled_at: i64,
    /// Korean camp that concluded the settlement.
    pub settled_camp: usize,
    /// Month of the last repudiation (an issue repudiated before the start counts as long
    /// past: it may be renegotiated at once).
    pub repudiated_at: i64,
}

/// Everything that changes during a simulation.
#[derive(Clone, Debug)]
pub struct State {
    pub rung: Vec<u8>,
    /// Lock-in stock Λ_k.
    pub lock: Vec<f64>,
    /// Month of the last move (either direction) per track, for the dwell rule.
    pub last_move: Vec<i64>,
    /// Month of the last upward move per track (for "most recent high-σ move").
    pub last_up: Vec<i64>,
    /// Upward rungs per track in the previous month (Δℓ⁺ for the China hazard).
    pub moved_prev: Vec<u8>,
    /// Upward rungs per track in the current month.
    pub moved_now: Vec<u8>,
    pub camp: [usize; 2],
    pub approval: [f64; 2],
    /// Approval baseline A⁰ of the governing camp.
    pub baseline: [f64; 2],
    pub backlash: [f64; 2],
    /// Approval loss attributable to Japan policy (decays like approval reverts).
    pub japan_drag: [f64; 2],
    pub fav: [f64; 2],
    pub grievance: [f64; 2],
    pub theta_nk: [f64; 2],
    /// China threat perception: KR, JP, US.
    pub theta_cn: [f64; 3],
    pub alpha: [f64; 2],
    pub eps: [f64; 2],
    pub low_approval: [u32; 2],
    pub in_crisis: [bool; 2],
    /// Crises during the current government's term (raise the opposition's chance).
    pub crises_term: [u32; 2],
    pub tau_jk: f64,
    pub tau_ku: f64,
    pub tau_ju: f64,
    /// Cha's friction term φ_JK of this month.
    pub phi: f64,
    pub us: usize,
    pub pending_us: Option<(i64, usize)>,
    pub next_us_election: i64,
    pub next_kr_election: i64,
    pub pending_kr: Option<usize>,
    pub pending_jp: Option<usize>,
    pub nk_regime: usize,
    pub launches: u32,
    /// Long-range launches among this month's `launches`.
    pub launches_long: u32,
    pub nuclear: bool,
    pub coercion_memory: f64,
    pub refractory: f64,
    /// China's coercion: per-target hazards, wedge shares and running episodes.
    pub china: ChinaState,
    pub issues: Vec<IssueState>,
    /// Ongoing settlement negotiation: (issue, progress in months).
    pub negotiation: Option<(usize, f64)>,
    pub any_settled: bool,
    pub ci: f64,
    /// CI gain of the previous month (visible cooperation gains).
    pub ci_gain_last: f64,
    pub crisis_last: [bool; 2],
    /// Backlash added this month per side.
    pub new_backlash: [f64; 2],
    // State set by replayed events (docs/model.md §3.18; `events.rs`): inert unless an event
    // sets it.
    /// Per side, the month an acting government ends (with a snap election).
    pub acting_until: [Option<i64>; 2],
    /// Per side, the last month of a crisis pinned by a crisis event (no exit before).
    pub crisis_until: [i64; 2],
    /// Per side, the month the current (or last) crisis started.
    pub crisis_start: [i64; 2],
    /// Per track, build quality Q_k of the rungs held (docs/model.md §3.3).
    pub quality: Vec<f64>,
    /// Per track, the month its scar was last set.
    pub scar_set: Vec<i64>,
    /// The month of the last North Korean nuclear test.
    pub last_nuclear: i64,
    /// G_KR of the month: Σ over its raises of w_k/(max_k·Σw)·q (the Korean public rewards
    /// consulted cooperation; docs/model.md §3.7).
    pub raised_quality: f64,
    /// The same, last month's.
    pub raised_quality_last: f64,
    /// Per track, rungs lost this month.
    pub fell_now: Vec<u8>,
    /// Per issue and side, the weight of the strongest act of the current month offending the
    /// side (0 if none): its deliberation test runs at the end of step 1's history
    /// (`linkage.rs`).
    pub strongest_act: Vec<[f64; 2]>,
    /// Per side, months in crisis during the current term.
    pub crisis_months_term: [u32; 2],
    /// Per side, a retaliation it has decided but not carried out.
    pub pending_retaliation: [Option<PendingRetaliation>; 2],
    /// Per side, its pending counter-threat.
    pub counter_threat: [Option<PendingThreat>; 2],
    /// Per side, the track it holds down after a retaliation, and the issue it is over.
    pub hold: [Option<Hold>; 2],
    /// Months each track stays scarred (no path proposes it).
    pub scar: Vec<u32>,
    /// Coercion memory C_S of a retaliation by the partner (lowers the favourability target).
    pub partner_coercion: [f64; 2],
    /// Japan's memory of Chinese coercion against Tokyo and its refractory months.
    pub coercion_memory_jp: f64,
    pub refractory_jp: f64,
    /// The path set by the last `path` event, in force whatever the schedule and camps say.
    pub path_event: Option<usize>,
    /// τ_JK at the path's last accepted move, or when it came into force (relative gates).
    pub gate_trust_ref: f64,
    /// Per side, the last month at whose end it was in crisis.
    pub last_crisis_month: [i64; 2],
    /// Per side, the last month it executed a retaliation or a counter-threat.
    pub last_retaliation: [i64; 2],
}

/// A retaliation decided by a side over an issue, carried out (or dropped) at `resolves`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PendingRetaliation {
    pub issue: usize,
    pub track: usize,
    pub resolves: i64,
    pub execute: bool,
    /// A deliberation (not an event): the month it opened and the camp that opened it; it may
    /// be dropped from the next month.
    pub deliberation: Option<(i64, usize)>,
}

/// A counter-threat on a track, carried out (or cancelled) at `resolves`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PendingThreat {
    pub track: usize,
    /// The history issue of the retaliation it answers (its act effects when carried out);
    /// `None` for a threat set by an event with no partner hold in force.
    pub issue: Option<usize>,
    pub resolves: i64,
    pub execute: bool,
    /// An automatic threat (after an executed retaliation): the month it opens; the US may
    /// cancel it in each of its months.
    pub automatic: Option<i64>,
}

/// A retaliation hold: the side values raising `track` at −hold_value until `issue` is settled
/// anew, the track is restored or the side's camp changes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hold {
    pub issue: usize,
    pub track: usize,
}

/// Per-month random draws from the path-dependent streams, drawn up front so that every
/// stream advances by the same count each month whatever the state (common random numbers).
#[derive(Clone, Debug)]
pub struct Draws {
    /// One uniform per target of Chinese coercion (KR, JP).
    pub china: [f64; 2],
    /// Per issue: flare-up, court ruling, retaliation, cancellation, repudiation.
    pub hist: Vec<[f64; 5]>,
    pub kr_early: f64,
    pub kr_camp: f64,
    pub jp_turn: f64,
    pub jp_camp: f64,
    pub us_switch: f64,
    pub n_approval: [f64; 2],
    pub n_fav: [f64; 2],
    /// Per track: reversal draw for a KR and a JP turnover.
    pub reverse: Vec<[f64; 2]>,
    /// Rollback draws in a KR and a JP crisis.
    pub rollback: [f64; 2],
    /// Standard normals of the month's backlash misjudgement (KR, JP).
    pub misjudge: [f64; 2],
    /// Per track: lapse draws for KR and JP (`support` stream).
    pub lapse: Vec<[f64; 2]>,
    /// Per issue: deliberation draws for KR and JP (`linkage` stream).
    pub deliberate: Vec<[f64; 2]>,
    /// Per side: lag, drop and cancellation draws (`linkage` stream).
    pub linkage: [[f64; 3]; 2],
}

/// The random streams of a replication (docs/model.md §2.8).
pub struct Rngs {
    pub nk: FastRng,
    pub china: FastRng,
    pub history: FastRng,
    pub politics: FastRng,
    pub decisions: FastRng,
    pub support: FastRng,
    pub linkage: FastRng,
}

impl Rngs {
    /// States of the streams of [`Draws::fill`].
    pub fn fill_streams(&self) -> FillStreams {
        [
            self.china.clone(),
            self.history.clone(),
            self.politics.clone(),
            self.decisions.clone(),
            self.support.clone(),
            self.linkage.clone(),
        ]
    }

    /// Whether the streams of [`Draws::fill`] are in states `s`.
    pub fn fill_streams_eq(&self, s: &FillStreams) -> bool {
        self.china == s[0]
            && self.history == s[1]
            && self.politics == s[2]
            && self.decisions == s[3]
            && self.support == s[4]
            && self.linkage == s[5]
    }

    /// Sets the streams of [`Draws::fill`] to states `s`.
    pub fn set_fill_streams(&mut self, s: &FillStreams) {
        self.china.clone_from(&s[0]);
        self.history.clone_from(&s[1]);
        self.politics.clone_from(&s[2]);
        self.decisions.clone_from(&s[3]);
        self.support.clone_from(&s[4]);
        self.linkage.clone_from(&s[5]);
    }

    pub fn new(seed: u64, replication: u64) -> Rngs {
        Rngs {
            nk: stream(seed, replication, Stream::Nk),
            china: stream(seed, replication, Stream::China),
            history: stream(seed, replication, Stream::History),
            politics: stream(seed, replication, Stream::Politics),
            decisions: stream(seed, replication, Stream::Decisions),
            support: stream(seed, replication, Stream::Support),
            linkage: stream(seed, replication, Stream::Linkage),
        }
    }
}

/// A standard normal from exactly one uniform, by inverting the normal CDF with Acklam's
/// rational approximation (relative error < 1.2e-9): cheaper than Box–Muller's `ln` and
/// `sin_cos`, and one draw per normal whatever the value (common random numbers).
#[inline]
pub fn inverse_normal(rng: &mut FastRng) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    const P_LOW: f64 = 0.02425;
    // A uniform in (0, 1): never exactly 0.
    let p = (uniform(rng) * (1u64 << 53) as f64 + 0.5) / (1u64 << 53) as f64;
    if p < P_LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

/// Two independent standard normals (two uniforms).
#[inline]
pub fn normal_pair(rng: &mut FastRng) -> [f64; 2] {
    [inverse_normal(rng), inverse_normal(rng)]
}

impl Draws {
    pub fn new(n_issues: usize, n_tracks: usize) -> Draws {
        Draws {
            china: [0.0; 2],
            hist: vec![[0.0; 5]; n_issues],
            kr_early: 0.0,
            kr_camp: 0.0,
            jp_turn: 0.0,
            jp_camp: 0.0,
            us_switch: 0.0,
            n_approval: [0.0; 2],
            n_fav: [0.0; 2],
            reverse: vec![[0.0; 2]; n_tracks],
            rollback: [0.0; 2],
            misjudge: [0.0; 2],
            lapse: vec![[0.0; 2]; n_tracks],
            deliberate: vec![[0.0; 2]; n_issues],
            linkage: [[0.0; 3]; 2],
        }
    }

    /// Whether `o` has as many issues and tracks.
    pub fn same_shape(&self, o: &Draws) -> bool {
        self.hist.len() == o.hist.len() && self.reverse.len() == o.reverse.len()
    }

    /// Copies `o` (of the same shape) into `self` without allocating.
    pub fn assign(&mut self, o: &Draws) {
        self.china = o.china;
        self.hist.copy_from_slice(&o.hist);
        self.kr_early = o.kr_early;
        self.kr_camp = o.kr_camp;
        self.jp_turn = o.jp_turn;
        self.jp_camp = o.jp_camp;
        self.us_switch = o.us_switch;
        self.n_approval = o.n_approval;
        self.n_fav = o.n_fav;
        self.reverse.copy_from_slice(&o.reverse);
        self.rollback = o.rollback;
        self.misjudge = o.misjudge;
        self.lapse.copy_from_slice(&o.lapse);
        self.deliberate.copy_from_slice(&o.deliberate);
        self.linkage = o.linkage;
    }

    /// Draws a fixed count of numbers from each path-dependent stream.
    pub fn fill(&mut self, r: &mut Rngs) {
        self.china = [uniform(&mut r.china), uniform(&mut r.china)];
        for h in self.hist.iter_mut() {
            for x in h.iter_mut() {
                *x = uniform(&mut r.history);
            }
        }
        let p = &mut r.politics;
        self.kr_early = uniform(p);
        self.kr_camp = uniform(p);
        self.jp_turn = uniform(p);
        self.jp_camp = uniform(p);
        self.us_switch = uniform(p);
        self.n_approval = normal_pair(p);
        self.n_fav = normal_pair(p);
        for x in self.reverse.iter_mut() {
            *x = [uniform(p), uniform(p)];
        }
        self.rollback = [uniform(&mut r.decisions), uniform(&mut r.decisions)];
        self.misjudge = normal_pair(&mut r.decisions);
        for x in self.lapse.iter_mut() {
            *x = [uniform(&mut r.support), uniform(&mut r.support)];
        }
        for x in self.deliberate.iter_mut() {
            *x = [uniform(&mut r.linkage), uniform(&mut r.linkage)];
        }
        for side in self.linkage.iter_mut() {
            for x in side.iter_mut() {
                *x = uniform(&mut r.linkage);
            }
        }
    }
}

impl State {
    pub fn new(m: &Compiled) -> State {
        let c = &m.c;
        let n = m.tracks.len();
        let issues: Vec<IssueState> = m
            .issues
            .iter()
            .map(|i| IssueState {
                salience: match i.status {
                    IssueStatus::Settled => i.salience * (1.0 - i.quality),
                    _ => i.salience,
                },
                status: i.status,
                quality: i.quality,
                court_pending: i.court_pending,
                settled_at: -(c.repudiation_window.ceil() as i64) - 1,
                settled_camp: c.camp0[KR],
                repudiated_at: -(c.renegotiate_after.ceil() as i64) - 1,
            })
            .collect();
        let any_settled = issues.iter().any(|i| i.status == IssueStatus::Settled);
        let mut st = State {
            rung: m.tracks.iter().map(|t| t.initial).collect(),
            lock: m.tracks.iter().map(|t| t.lock_in).collect(),
            last_move: vec![i64::MIN / 2; n],
            last_up: vec![i64::MIN / 2; n],
            moved_prev: vec![0; n],
            moved_now: vec![0; n],
            camp: c.camp0,
            approval: c.approval0,
            baseline: [c.camp_baseline[c.camp0[KR]], c.camp_baseline[c.camp0[JP]]],
            backlash: c.backlash0,
            japan_drag: [0.0; 2],
            fav: c.fav0,
            grievance: [0.0; 2],
            theta_nk: c.theta_nk0,
            theta_cn: [c.theta_cn0[KR], c.theta_cn0[JP], c.us_threat_cn],
            alpha: [0.0; 2],
            eps: [0.0; 2],
            low_approval: [0; 2],
            in_crisis: [false; 2],
            crises_term: [0; 2],
            tau_jk: c.trust_jk0,
            tau_ku: c.trust_ku0,
            tau_ju: c.trust_ju0,
            phi: 0.0,
            us: us_index(c.us_initial),
            pending_us: None,
            next_us_election: c.us_first_election,
            next_kr_election: c.kr_first_election,
            pending_kr: None,
            pending_jp: None,
            nk_regime: c.nk_initial,
            launches: 0,
            launches_long: 0,
            nuclear: false,
            coercion_memory: 0.0,
            refractory: 0.0,
            china: ChinaState::new(c),
            issues,
            negotiation: None,
            any_settled,
            ci: 0.0,
            ci_gain_last: 0.0,
            crisis_last: [false; 2],
            new_backlash: [0.0; 2],
            acting_until: [None; 2],
            crisis_until: [i64::MIN; 2],
            crisis_start: [i64::MIN; 2],
            quality: m.tracks.iter().map(|t| t.quality).collect(),
            scar_set: vec![i64::MIN; n],
            last_nuclear: i64::MIN / 2,
            raised_quality: 0.0,
            raised_quality_last: 0.0,
            fell_now: vec![0; n],
            strongest_act: vec![[0.0; 2]; m.issues.len()],
            crisis_months_term: [0; 2],
            pending_retaliation: [None; 2],
            counter_threat: [None; 2],
            hold: [None; 2],
            scar: vec![0; n],
            partner_coercion: [0.0; 2],
            coercion_memory_jp: 0.0,
            refractory_jp: 0.0,
            path_event: None,
            gate_trust_ref: c.trust_jk0,
            last_crisis_month: [i64::MIN / 2; 2],
            last_retaliation: [i64::MIN / 2; 2],
        };
        st.grievance = st.grievance_base(m);
        st.ci = super::tracks::cooperation_index(&m.tracks, &st.rung);
        st
    }
}

/// Running per-replication outcome accumulators.
#[derive(Clone, Debug, Default)]
pub struct Acc {
    pub peak: f64,
    pub max_drawdown: f64,
    pub kr_crises: u32,
    pub jp_crises: u32,
    pub kr_crisis_months: u32,
    pub rollbacks: u32,
    pub reversals: u32,
    pub coercion_events: u32,
    pub coercion_cost: f64,
    pub camp_david: Option<u32>,
    /// Leader turnovers: (month, CI before, CI fell within 12 months).
    pub turnovers: Vec<(u32, f64, bool)>,
    /// Changes of the Korean governing camp: (month, CI at the change, lowest CI within the
    /// next 24 months).
    pub kr_camp_changes: Vec<(u32, f64, f64)>,
    pub last_crisis: Option<u32>,
    pub nk_launches: u64,
    /// Per track, the rungs lost to [rollbacks, lapses, reversals] (`support::Fall::kind`).
    pub track_falls: Vec<[u32; 3]>,
    /// Rungs reversed, by cause: turnover, retaliation, counter-threat, `set_rung` event (the
    /// order of `support::Fall` from `Turnover` on); they sum to `reversals`.
    pub reversal_causes: [u32; 4],
}

/// Extra per-replication diagnostics beyond the reported outcomes (for tests and analysis).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostics {
    /// Upward moves made (path proposals and summits).
    pub moves: u32,
    /// Moves bridged by a US side payment.
    pub side_payments: u32,
    /// Proposals refused because of the win-set.
    pub winset_refusals: u32,
    /// Proposals refused on utility (after facilitation).
    pub utility_refusals: u32,
    /// History flare-ups (incl. court rulings).
    pub flare_ups: u32,
    /// Linkage retaliations on economic_security (whatever the rung).
    pub linkage_retaliations: u32,
    /// Counter-threats on intelligence carried out (not cancelled by the US; the rung falls
    /// when above 0).
    pub linkage_escalations: u32,
    /// Counter-threats cancelled under US pressure.
    pub linkage_cancelled: u32,
    pub settlements: u32,
    /// Sum of the qualities of the settlements concluded.
    pub settlement_quality_sum: f64,
    /// Months in which a concluded negotiation stalled below the path's floor.
    pub settlement_stalls: u32,
    pub repudiations: u32,
    /// Repudiations of settlements made within the run, and the sum of their months from
    /// settlement to repudiation.
    pub timed_repudiations: u32,
    pub months_to_repudiation_sum: f64,
    pub kr_turnovers: u32,
    /// Korean presidencies ended early by the hazard (acting government, snap election).
    pub early_terminations: u32,
    /// Months Tokyo spent in crisis.
    pub jp_crisis_months: u32,
    pub jp_turnovers: u32,
    pub us_switches: u32,
    pub nuclear_tests: u32,
    /// Crises (KR and JP) triggered by backlash over B_crit.
    pub backlash_crises: u32,
    /// Crises (KR and JP) triggered by low approval led by Japan policy.
    pub approval_crises: u32,
    /// China coercion events (same as the outcome).
    pub coercion_events: u32,
    /// Chinese coercion events against Tokyo.
    pub coercion_events_jp: u32,
    /// Their cost to Japan, % of GDP.
    pub coercion_cost_jp: f64,
    /// Pending retaliations dropped before execution.
    pub linkage_dropped: u32,
    /// Retaliation deliberations opened.
    pub retaliations_opened: u32,
    /// Rungs lost to lapses (of unvalued rungs).
    pub lapses: u32,
    /// Crisis events with a domestic cause (impeachment, martial law), both sides, counted
    /// even when they prolong a crisis already under way.
    pub domestic_crises: u32,
    /// One value drawn from each stream after the last month: equal across paths iff every
    /// stream advanced by the same count (common random numbers).
    pub stream_probe: [u64; 5],
}

/// The launches of one month as computed by [`super::exogenous::nk::month_launches`] from the
/// month's seed and regime: (month seed, regime, launches, long-range launches).
pub type NkMonth = (u64, usize, u32, u32);

/// States of the streams [`Draws::fill`] draws from: china, history, politics, decisions.
pub type FillStreams = [FastRng; 6];

/// The draws of one month's [`Draws::fill`] with the states of its streams before and after.
#[derive(Clone, Debug)]
pub struct DrawsMonth {
    pub before: FillStreams,
    pub after: FillStreams,
    pub draws: Draws,
}

/// What the paths of a replication share: per month, the NK launches and the draws last
/// computed. Both are pure functions of what they are keyed by (the NK month seed and regime;
/// the states of the streams before the month's draws), so reusing them gives exactly the
/// numbers that computing them again would (the NK process and the streams behind [`Draws`]
/// do not depend on the path).
#[derive(Clone, Debug, Default)]
pub struct Memo {
    pub nk: Vec<NkMonth>,
    pub draws: Vec<DrawsMonth>,
}

/// One path being simulated.
pub struct Sim<'m> {
    pub m: &'m Compiled,
    /// The path in force (the compared path, or the one `path_by_camp`, `path_schedule` or a
    /// `path` event put in force; see `policy.rs`).
    pub path: &'m PathC,
    /// Its index in `m.paths` (to follow it across the segments of a schedule).
    pub path_index: usize,
    /// Index of the compared path (the one simulated).
    pub compared: usize,
    pub st: State,
    pub rng: Rngs,
    pub draws: Draws,
    pub acc: Acc,
    pub diag: Diagnostics,
    /// Current month.
    pub t: u32,
    /// Per month, the NK launches and the draws last computed (by this or another path of the
    /// replication), reused when their keys match (see [`Memo`]).
    pub memo: Memo,
}

impl<'m> Sim<'m> {
    pub fn new(m: &'m Compiled, path: usize, seed: u64, replication: u64) -> Sim<'m> {
        let st = State::new(m);
        let acc = Acc {
            peak: st.ci,
            camp_david: super::tracks::camp_david(m, &st.rung).then_some(0),
            turnovers: Vec::with_capacity(16),
            track_falls: vec![[0; 3]; m.tracks.len()],
            ..Acc::default()
        };
        let mut sim = Sim {
            m,
            path: &m.paths[path],
            path_index: path,
            compared: path,
            st,
            rng: Rngs::new(seed, replication),
            draws: Draws::new(m.issues.len(), m.tracks.len()),
            acc,
            diag: Diagnostics::default(),
            t: 0,
            memo: Memo::default(),
        };
        // The path in force at the start (the compared path, or its camp's or schedule's).
        sim.refresh_path();
        sim
    }

    /// The month's draws ([`Draws::fill`]), taken from the memo when it holds the draws of the
    /// current stream states (then the streams are set to their states after those draws).
    pub fn fill_draws(&mut self) {
        let t = self.t as usize;
        if let Some(e) = self.memo.draws.get(t) {
            if self.rng.fill_streams_eq(&e.before) && self.draws.same_shape(&e.draws) {
                self.draws.assign(&e.draws);
                self.rng.set_fill_streams(&e.after);
                return;
            }
        }
        let before = self.rng.fill_streams();
        self.draws.fill(&mut self.rng);
        let after = self.rng.fill_streams();
        let len = self.memo.draws.len();
        match self.memo.draws.get_mut(t) {
            Some(e) if e.draws.same_shape(&self.draws) => {
                e.before = before;
                e.after = after;
                e.draws.assign(&self.draws);
            }
            Some(e) => {
                *e = DrawsMonth {
                    before,
                    after,
                    draws: self.draws.clone(),
                }
            }
            None if t == len => self.memo.draws.push(DrawsMonth {
                before,
                after,
                draws: self.draws.clone(),
            }),
            None => {}
        }
    }

    /// The US security push m_sec of the administration in office (the same on every path).
    #[inline]
    pub fn m_sec(&self) -> f64 {
        self.m.c.us_profiles[self.st.us].m_sec
    }
    /// Side `s`'s trust in Washington, τ_KU or τ_JU.
    #[inline]
    pub fn tau_us(&self, s: usize) -> f64 {
        if s == KR {
            self.st.tau_ku
        } else {
            self.st.tau_ju
        }
    }
    #[inline]
    pub fn kappa(&self) -> f64 {
        self.m.c.us_profiles[self.st.us].kappa
    }
    #[inline]
    pub fn m_hist(&self) -> f64 {
        self.m.c.us_profiles[self.st.us].m_hist
    }
    #[inline]
    pub fn rho(&self) -> f64 {
        self.m.c.us_profiles[self.st.us].rho
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_normal_has_standard_moments_and_tails() {
        let mut rng = stream(5, 0, Stream::Politics);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| inverse_normal(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!(mean.abs() < 0.015, "{mean}");
        assert!((var - 1.0).abs() < 0.015, "{var}");
        let tail = xs.iter().filter(|x| x.abs() > 1.959_964).count() as f64 / n as f64;
        assert!((tail - 0.05).abs() < 0.003, "{tail}");
        assert!(xs.iter().all(|x| x.is_finite()));
    }
}
