//! Per-replication outcomes (docs/model.md §3.16) and per-month records (§2.10).

/// Which direction of an outcome is better for cooperation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// Neither (an exogenous quantity such as NK launches).
    Neither,
}

/// Definition of one outcome.
#[derive(Clone, Copy, Debug)]
pub struct OutcomeDef {
    pub key: &'static str,
    pub better: Better,
    pub description: &'static str,
}

macro_rules! outcomes {
    ($( $idx:ident = $key:literal, $better:ident, $desc:literal; )*) => {
        /// Index of each outcome in [`Outcomes::values`].
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(usize)]
        pub enum Outcome { $( $idx, )* }
        /// Every outcome, in reporting order.
        pub const OUTCOMES: &[OutcomeDef] = &[
            $( OutcomeDef { key: $key, better: Better::$better, description: $desc }, )*
        ];
    };
}

outcomes! {
    FinalCi = "final_ci", Higher, "Cooperation index in the last month (0–1).";
    PeakCi = "peak_ci", Higher, "Highest cooperation index reached (0–1).";
    MonthsToCampDavid = "months_to_camp_david", Lower, "Months until summitry = 3, missile_warning = 2 and exercises >= 2 first hold together: the index t of the first month (0 = the start month) at whose end they hold, 0 if they hold at the start, horizon_months if never (censored; reaching it in the last month gives horizon_months − 1).";
    KrCrises = "kr_crises", Lower, "Political crises in Seoul.";
    JpCrises = "jp_crises", Lower, "Political crises in Tokyo.";
    KrCrisisMonths = "kr_crisis_months", Lower, "Months Seoul spent in crisis (from its start until backlash and approval recover, at least crisis_min_months).";
    JpCrisisMonths = "jp_crisis_months", Lower, "Months Tokyo spent in crisis.";
    Rollbacks = "rollbacks", Lower, "Rungs rolled back in crises, including dependants dropped to rung 0 because a rolled-back track was their prerequisite.";
    Reversals = "reversals", Lower, "Rungs reversed by new governments or linkage retaliation, including dependants dropped to rung 0 because a reversed track was their prerequisite.";
    MaxDrawdown = "max_drawdown", Lower, "Largest fall of the cooperation index from a previous peak.";
    ChinaCoercionEvents = "china_coercion_events", Lower, "Chinese coercion events against Seoul.";
    ChinaCostGdpPct = "china_cost_gdp_pct", Lower, "Cumulative cost of Chinese coercion to Korea, % of GDP.";
    DurableSuccess = "durable_success", Higher, "1 if the final CI >= target_ci and no crisis in the last 24 months, else 0.";
    Settled = "settled", Higher, "Share of history issues settled (and not repudiated) at the end.";
    TurnoverSurvival = "turnover_survival", Higher, "Share of leader turnovers followed by no CI loss within 12 months (empty if no turnover).";
    NkLaunches = "nk_launches", Neither, "North Korean missiles launched over the horizon.";
    FinalTrustKrJp = "final_trust_kr_jp", Higher, "Seoul–Tokyo trust in the last month.";
    FinalTrustKrUs = "final_trust_kr_us", Higher, "Seoul–Washington trust in the last month.";
    FinalFavourabilityKr = "final_favourability_kr", Higher, "Korean public favourability toward Japan in the last month.";
    // Event counters (per replication, over the horizon): see [`COUNTERS`].
    LinkageRetaliations = "linkage_retaliations", Lower, "Linkage retaliations on economic_security over a history issue (counted whatever the rung).";
    LinkageEscalations = "linkage_escalations", Lower, "Counter-threats on intelligence carried out (not cancelled under US pressure; the rung falls when above 0).";
    LinkageCancellations = "linkage_cancellations", Neither, "Counter-threats on intelligence cancelled under US pressure (a threat was made, then withdrawn: neither direction is better).";
    Settlements = "settlements", Higher, "History-issue settlements concluded.";
    Repudiations = "repudiations", Lower, "Settlements repudiated by a later Korean government.";
    BacklashCrises = "backlash_crises", Lower, "Crises (Seoul and Tokyo) triggered by backlash over B_crit.";
    ApprovalCrises = "approval_crises", Lower, "Crises (Seoul and Tokyo) triggered by low approval led by Japan policy.";
    SidePayments = "side_payments", Neither, "Moves bridged by a US side payment (help to cooperation, at a cost to Washington: neither direction is better).";
    KrTurnovers = "kr_turnovers", Neither, "Changes of the Korean governing camp (elections and early turnovers).";
    EarlyTerminations = "early_terminations", Neither, "Korean presidencies ended early by the early-termination hazard (an acting government, then a snap election): an exogenous shock, not a result of the path.";
    JpTurnovers = "jp_turnovers", Neither, "Changes of the Japanese governing camp.";
    UsSwitches = "us_switches", Neither, "Changes of the US administration type.";
    FlareUps = "flare_ups", Lower, "History flare-ups, court rulings included.";
    NuclearTests = "nuclear_tests", Neither, "North Korean nuclear tests over the horizon.";
    Moves = "moves", Higher, "Upward rung moves made (path proposals accepted and summits).";
    WinsetRefusals = "winset_refusals", Lower, "Path proposals refused because they fell outside the win-set.";
    UtilityRefusals = "utility_refusals", Lower, "Path proposals refused on utility (after facilitation).";
    ChinaCoercionEventsJp = "china_coercion_events_jp", Lower, "Chinese coercion events against Tokyo.";
    LinkageDropped = "linkage_dropped", Neither, "Pending retaliations dropped before they were carried out (a threat made, then withdrawn: neither direction is better).";
    Lapses = "lapses", Lower, "Rungs lost to lapses (unvalued rungs left to expire).";
    DomesticCrises = "domestic_crises", Neither, "Crisis events (Seoul and Tokyo) with a domestic cause (impeachment, martial law), counted even when they prolong a crisis under way: observed shocks, not a result of the path.";
    ChinaCostJpGdpPct = "china_cost_jp_gdp_pct", Lower, "Cumulative cost of Chinese coercion to Japan, % of GDP.";
    SettlementQuality = "settlement_quality", Higher, "Mean quality of the history settlements concluded in the run (path or event; empty if none).";
    MonthsToRepudiation = "months_to_repudiation", Higher, "Mean months from a settlement concluded in the run to its repudiation, over the settlements repudiated (empty if none).";
    SettlementStalls = "settlement_stalls", Neither, "Months in which a concluded negotiation stalled because Japan's ceiling was below the path's settlement floor.";
    FinalFavourabilityJp = "final_favourability_jp", Higher, "Japanese public favourability toward Korea in the last month.";
    FinalGrievanceKr = "final_grievance_kr", Lower, "Korean history grievance H̄_KR in the last month.";
    FinalGrievanceJp = "final_grievance_jp", Lower, "Japanese history grievance H̄_JP in the last month.";
    FinalLockIn = "final_lock_in", Higher, "Institutionalised cooperation Λ̄_w in the last month: the w-weighted lock-in of the tracks held (0–1).";
    PostTurnoverDrawdown = "post_turnover_drawdown", Lower, "Mean fall of the cooperation index within the 24 months after each change of the Korean governing camp: CI at the change minus the lowest CI of the next 24 months (empty if no change).";
    RetaliationsOpened = "retaliations_opened", Lower, "Retaliation deliberations opened over a history act (executed, dropped or pending at the end).";
}

/// The outcomes that count events (cumulative over the months, one column each in
/// `records.csv`, named as the outcome): the model's crisis, rollback, reversal and coercion
/// counts and every event counter of [`super::Diagnostics`].
pub const COUNTERS: &[Outcome] = &[
    Outcome::KrCrises,
    Outcome::JpCrises,
    Outcome::KrCrisisMonths,
    Outcome::JpCrisisMonths,
    Outcome::Rollbacks,
    Outcome::Reversals,
    Outcome::ChinaCoercionEvents,
    Outcome::LinkageRetaliations,
    Outcome::LinkageEscalations,
    Outcome::LinkageCancellations,
    Outcome::Settlements,
    Outcome::Repudiations,
    Outcome::BacklashCrises,
    Outcome::ApprovalCrises,
    Outcome::SidePayments,
    Outcome::KrTurnovers,
    Outcome::EarlyTerminations,
    Outcome::JpTurnovers,
    Outcome::UsSwitches,
    Outcome::FlareUps,
    Outcome::NuclearTests,
    Outcome::Moves,
    Outcome::WinsetRefusals,
    Outcome::UtilityRefusals,
    Outcome::ChinaCoercionEventsJp,
    Outcome::LinkageDropped,
    Outcome::Lapses,
    Outcome::DomesticCrises,
    Outcome::SettlementStalls,
    Outcome::RetaliationsOpened,
];

/// Number of model outcomes.
pub const OUTCOME_COUNT: usize = OUTCOMES.len();

/// The outcomes of one replication of one path. A value may be NaN when undefined (e.g.
/// `turnover_survival` with no turnover); statistics skip NaN values.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcomes {
    pub values: [f64; OUTCOME_COUNT],
}

impl Outcomes {
    pub fn get(&self, o: Outcome) -> f64 {
        self.values[o as usize]
    }
    pub fn set(&mut self, o: Outcome, x: f64) {
        self.values[o as usize] = x;
    }
}

impl Default for Outcomes {
    fn default() -> Self {
        Outcomes {
            values: [0.0; OUTCOME_COUNT],
        }
    }
}

/// Index of an outcome key, if it exists.
pub fn outcome_index(key: &str) -> Option<usize> {
    OUTCOMES.iter().position(|o| o.key == key)
}

/// State recorded at the end of each month (docs/model.md §2.10, "per month and path").
#[derive(Clone, Copy)]
pub struct MonthRecord<'a> {
    /// Month index from 0 (the scenario's start month) to horizon − 1.
    pub t: u32,
    pub ci: f64,
    /// Rung per track, in the model's track order.
    pub rungs: &'a [u8],
    pub tau_jk: f64,
    pub tau_ku: f64,
    pub f_kr: f64,
    pub f_jp: f64,
    pub a_kr: f64,
    pub b_kr: f64,
    pub theta_nk_kr: f64,
    pub theta_nk_jp: f64,
    pub nk_launches: u32,
    /// The whole simulation state at the end of the month, for [`super::record`]'s columns.
    pub sim: &'a super::state::Sim<'a>,
}

/// Scalar per-month metrics in reporting order (track rungs come after these, as `rung.<track>`).
pub const MONTH_METRICS: &[&str] = &[
    "ci",
    "tau_jk",
    "tau_ku",
    "f_kr",
    "f_jp",
    "a_kr",
    "b_kr",
    "theta_nk_kr",
    "theta_nk_jp",
    "nk_launches",
    "grievance_kr",
    "grievance_jp",
    "lock_weighted",
];

impl MonthRecord<'_> {
    /// Values of [`MONTH_METRICS`] in order.
    pub fn scalars(&self) -> [f64; 13] {
        [
            self.ci,
            self.tau_jk,
            self.tau_ku,
            self.f_kr,
            self.f_jp,
            self.a_kr,
            self.b_kr,
            self.theta_nk_kr,
            self.theta_nk_jp,
            self.nk_launches as f64,
            self.sim.st.grievance[super::compiled::KR],
            self.sim.st.grievance[super::compiled::JP],
            self.sim.lock_weighted(),
        ]
    }
}
