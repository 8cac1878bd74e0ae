//! The scenario format: every table and key of a scenario file, with its default.
//!
//! A scenario file is merged key by key onto [`Scenario::default()`] (see `load.rs`), so every
//! struct here is complete: the effective scenario (`trisim show`) is this struct serialized.
//! Sources are cited by data file (`data/`), by essay in a short author–year form (`Chun 2022`,
//! `Cho 2019`, `Op-ed 2022`, `Madrid 2022`, `Embracing 2023`; the full references open
//! docs/model.md) and by section of docs/model.md (`docs/model.md §3.4`). `trisim explain` lists
//! the sources it finds in these forms (`explain.rs`, `sources_in`).
//!
//! The doc comments of the fields are the user-facing descriptions of the keys: `trisim schema`
//! (the JSON Schema editors show on hover), `trisim explain` and `trisim init` print them (see
//! `schema.rs`). Write them for analysts, cite their sources, and regenerate the committed
//! schema (`cargo run --release -- schema > scenarios/trisim.schema.json`) after a change.

use super::calendar::YearMonth;
use super::param::{Bound, Param, ParamVisitor, VisitParams};
use crate::visit_fields;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use Bound::{Any, NonNeg, Unit};

/// A whole scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub scenario: Meta,
    pub world: World,
    pub actors: Actors,
    pub relations: Relations,
    pub history: History,
    /// Cooperation tracks by key (docs/model.md §1.2, §3.3). Keys of the defaults can be overridden
    /// field by field; new keys add tracks (all fields required).
    pub tracks: IndexMap<String, TrackSpec>,
    /// Cooperation paths by name (docs/model.md §3.8). The bundled `gradual`, `hasty`, `hasty_open`, `parallel`,
    /// `history_first` and `status_quo` always exist; a new path starts from `base`.
    pub paths: IndexMap<String, PathSpec>,
    /// Scheduled events that replace the random draw in their month.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Optional experiment design for `trisim sweep` / `trisim sensitivity` (issue 3); ignored
    /// by `trisim run`. See [`super::sweep`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<super::sweep::Sweep>,
    /// What `trisim run` writes beyond the summaries: per-world records, the quantiles of
    /// `timeseries.csv` and first-passage outcomes. See [`Output`].
    #[serde(default, skip_serializing_if = "Output::is_default")]
    pub output: Output,
    /// Time-varying parameters (`[[series]]`): each sets one parameter address month by month
    /// from a CSV file or inline points, e.g. Korea's export exposure to China year by year.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub series: Vec<Series>,
    /// Data read from the files the scenario names (`world.nk.observed`, `series.file`) by the
    /// loader; not a key of the file.
    #[serde(skip)]
    #[schemars(skip)]
    pub observed: Observed,
}

/// `[output]`: per-world records (`records.csv`), the quantiles of `timeseries.csv`, and named
/// first-passage outcomes (`[[output.transitions]]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// Months at whose end every replication's state is written to `records.csv` (one row per
    /// path × replication × month): a list of "YYYY-MM" inside the run, or the string
    /// "monthly" for every month. Default: none (no records.csv). `trisim run --record`
    /// overrides it. The file is bounded like runs.csv (up to 100,000 rows × months without
    /// `--runs-csv`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_months: Option<RecordMonths>,
    /// Probabilities of the quantiles written to `timeseries.csv` (columns `p5`, `p10`, ...):
    /// each in (0, 1), strictly increasing. Default: 0.05, 0.10, 0.25, 0.5, 0.75, 0.90, 0.95.
    #[serde(default = "default_quantiles")]
    pub quantiles: Vec<f64>,
    /// Named conditions on the state at a month's end, each reported as an outcome
    /// `first.<name>`: the index of the first month (0 = the start month) at whose end the
    /// condition holds, horizon_months if never (censored, as `months_to_camp_david`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<Transition>,
}

/// `record_months`: a list of months or the word "monthly".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RecordMonths {
    /// "monthly": every month of the run.
    Keyword(String),
    /// Months "YYYY-MM" inside the run.
    List(Vec<YearMonth>),
}

/// `[[output.transitions]]`: a named first-passage condition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// Name of the outcome (`first.<name>`): letters, digits, `_` and `-`.
    pub name: String,
    /// Comparisons of numeric `records.csv` columns with numbers, joined by `and`, e.g.
    /// "rung.intelligence >= 2" or "rung.summitry >= 3 and f_kr > 0.4". Operators: `<`, `<=`,
    /// `>`, `>=`, `==`, `!=`.
    pub condition: String,
}

/// The default `[output].quantiles`.
pub fn default_quantiles() -> Vec<f64> {
    vec![0.05, 0.10, 0.25, 0.5, 0.75, 0.90, 0.95]
}

impl Default for Output {
    fn default() -> Self {
        Output {
            record_months: None,
            quantiles: default_quantiles(),
            transitions: Vec::new(),
        }
    }
}

impl Output {
    pub fn is_default(&self) -> bool {
        *self == Output::default()
    }
}

/// How a `[[series]]` fills the months between two points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interpolation {
    /// The value of the last point at or before the month.
    #[default]
    Step,
    /// Linear between the two points around the month.
    Linear,
}

/// `[[series]]`: a parameter that changes over time (docs/model.md §3.18). Before the first
/// point the parameter keeps its scenario value; from the last point on it keeps the last
/// value. Values must lie in the parameter's valid range. A `set` event on the same address
/// overrides the series from the event's month on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Series {
    /// Parameter address as for `--param` (e.g. `actors.seoul.china_exposure`,
    /// `world.china.us_china_tension`). Initial states (favourability, approval, trust, ...
    /// read only in the first month) cannot be scheduled: use a `set_state` event.
    pub address: String,
    /// CSV file, relative to the scenario file that names it, with a header: `month`
    /// ("YYYY-MM") or `year` (= January of that year), and `value`; other columns are ignored.
    /// Rows in increasing month order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Inline points instead of `file`: `[["2015-01", 0.25], ["2018-01", 0.268]]`, in
    /// increasing month order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Vec<(YearMonth, f64)>>,
    /// "step" (default: each value holds until the next point) or "linear" (interpolated
    /// month by month between points).
    #[serde(default, skip_serializing_if = "is_step")]
    pub interpolation: Interpolation,
}

fn is_step(i: &Interpolation) -> bool {
    *i == Interpolation::Step
}

/// One month of observed North Korean launches (`world.nk.observed`), as read by the loader.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NkObservedMonth {
    pub month: YearMonth,
    pub launches: u32,
    /// Long-range launches; `None`: split binomially.
    pub long_range: Option<u32>,
    /// Nuclear test; `None`: drawn as usual.
    pub nuclear_test: Option<bool>,
    /// Regime: from the file, else from the trailing 3-month total.
    pub regime: NkRegime,
}

/// Data the loader read from the files a scenario names: the model gets plain vectors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observed {
    /// Observed NK months (`world.nk.observed`), in month order; may extend before and after
    /// the run.
    pub nk: Vec<NkObservedMonth>,
    /// Per `[[series]]` entry with a `file`, its points (month, value) in month order
    /// (inline `points` are not copied here).
    pub series: Vec<Vec<(YearMonth, f64)>>,
}

/// `[scenario]`: what to run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Name of the scenario, shown in tables, charts and the report: any text of 1 to 100
    /// characters without control characters or bidirectional overrides. It also names the
    /// results folder (`results/<name>/`), with every character other than letters (of any
    /// script), digits, `-`, `_` and `.` replaced by `_`.
    #[schemars(length(min = 1, max = 100))]
    pub name: String,
    /// One or two sentences on the situation the scenario represents (shown in reports).
    pub description: String,
    /// First simulated month, "YYYY-MM".
    pub start: YearMonth,
    /// Number of monthly steps (months, 1 to 1200).
    #[schemars(range(min = 1, max = super::validate::MAX_HORIZON_MONTHS))]
    pub horizon_months: u32,
    /// Monte Carlo replications per path (`--replications` overrides it).
    #[schemars(range(min = 1))]
    pub replications: u64,
    /// Master seed of every random stream: same seed, same results (`--seed` overrides it).
    pub seed: u64,
    /// Path the others are compared with (paired differences).
    pub reference_path: String,
    /// Cooperation-index level that counts as durable success (with no crisis in the last 24
    /// months), in [0, 1].
    #[schemars(range(min = 0.0, max = 1.0))]
    pub target_ci: f64,
    /// Names of the paths to run (`[paths.*]`, e.g. ["gradual", "hasty"]); empty means every
    /// defined path. The reference path is always run.
    pub paths: Vec<String>,
    /// Optional weighted score over outcomes, reported as outcome `score`: weight per outcome
    /// name (e.g. `{ final_ci = 1.0, kr_crises = -0.05 }`; `trisim explain scenario.score`
    /// lists the outcomes).
    pub score: IndexMap<String, f64>,
    /// The path a Korean government of each camp follows when the compared path does not name
    /// its camp (`paths.<name>.camps`), e.g. `{ progressive = "history_first" }`: each
    /// government its own path. A camp left out keeps the compared path. Re-evaluated at the
    /// start and whenever the Korean camp changes (docs/model.md §3.8).
    #[serde(default, skip_serializing_if = "PathByCamp::is_empty")]
    pub path_by_camp: PathByCamp,
    /// Paths in force by date, e.g. `[{ from = "2017-05", path = "moon" }]`: from `from`
    /// (until `until`, if given) the Korean government follows `path`, whatever the compared
    /// path and `path_by_camp` say; `path` events still override it. Entries in increasing
    /// order of `from`; where two overlap, the later one applies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_schedule: Vec<PathPeriod>,
}

/// `scenario.path_by_camp`: the path of a Korean government of each camp (a key of `[paths]`),
/// where the compared path does not apply to that camp.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathByCamp {
    /// Path of a conservative government (Lee, Park, Yoon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conservative: Option<String>,
    /// Path of a progressive government (Moon, Lee Jae-myung).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progressive: Option<String>,
}

impl PathByCamp {
    pub fn is_empty(&self) -> bool {
        self.conservative.is_none() && self.progressive.is_none()
    }

    /// The path named for Korean camp `c` (None for a camp not named, or a Japanese camp).
    pub fn get(&self, c: Camp) -> Option<&str> {
        match c {
            Camp::Conservative => self.conservative.as_deref(),
            Camp::Progressive => self.progressive.as_deref(),
            _ => None,
        }
    }
}

/// One entry of `scenario.path_schedule`: the path in force from a month (until another).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathPeriod {
    /// First month the path is in force, "YYYY-MM" (a month before the start applies from the
    /// start).
    pub from: YearMonth,
    /// First month it is no longer in force, "YYYY-MM", after `from` (default: until the end
    /// of the run or the next entry); then the compared path or `path_by_camp` apply again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<YearMonth>,
    /// Name of the path in force (a key of `[paths]`).
    pub path: String,
}

/// `[world]`: exogenous processes and global coefficients.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// Quasi-alliance friction variant (Cha): "classic", "revised" or "off".
    pub cha: ChaVariant,
    pub nk: NorthKorea,
    pub china: China,
    pub us: UsCalendar,
    pub elections: Elections,
    pub camps: Camps,
    pub alliance: AllianceFears,
    pub friction: Friction,
    pub opinion: Opinion,
    pub politics: Politics,
    pub decisions: Decisions,
    pub negotiation: Negotiation,
}

/// `[world.negotiation]`: the history negotiation and Japan's win-set (docs/model.md §3.13).
/// A settlement needs Tokyo's consent: Japan's ceiling on the quality it will concede rises
/// with its threat perception and US mediation and falls with its grievance, more under a
/// hawkish prime minister (Embracing 2023: the 2023 plan came with no new apology; Kishida
/// acted "under pressure from conservatives in his party").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Negotiation {
    /// q₀: the quality Japan concedes with no threat, no US mediation and no grievance (the
    /// 2015 deal: JPY 1 bn and Abe's letter; Chun 2022).
    pub ceiling_base: Param,
    /// v_s: rise of Japan's ceiling per unit of its strongest threat perception,
    /// max(θ^NK_JP, θ^CN_JP).
    pub ceiling_threat: Param,
    /// u_h: rise of Japan's ceiling per unit of US history mediation m_hist (Cho 2019).
    pub ceiling_mediation: Param,
    /// κ_c under a mainstream LDP prime minister: fall of the ceiling per unit of Japanese
    /// grievance H̄_JP (Embracing 2023).
    pub ceiling_grievance_mainstream: Param,
    /// κ_c under a hawkish prime minister (Abe; Chun 2022).
    pub ceiling_grievance_hawkish: Param,
    /// g_dem: monthly rise of Japanese grievance per unit of the path's demanded quality ×
    /// the issue's salience while a negotiation progresses (Madrid 2022: Tokyo presses
    /// Seoul in turn).
    pub demand_grievance: Param,
    /// sb_JP: backlash in Tokyo of a settlement per unit of salience × quality conceded, ×
    /// (1 + hw_JP·H̄_JP) (Embracing 2023).
    pub backlash_jp: Param,
    /// Months after a repudiation before a path may negotiate that issue again (the 2015 deal
    /// repudiated 2018-11; the 2023-03 plan).
    pub renegotiate_after_months: Param,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChaVariant {
    Classic,
    Revised,
    Off,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NkRegime {
    Engagement,
    Testing,
    Surge,
}

impl NkRegime {
    pub fn index(self) -> usize {
        self as usize
    }
}

/// `[world.nk]`: North Korea as a regime-switching negative binomial (docs/model.md §3.4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NorthKorea {
    /// Regime in the first month.
    pub initial_regime: NkRegime,
    /// The engagement regime (2018 summitry: almost no launches).
    pub engagement: NkRegimeSpec,
    /// The testing regime (2014–2017, 2019).
    pub testing: NkRegimeSpec,
    /// The surge regime (2022–2024: record launch counts).
    pub surge: NkRegimeSpec,
    /// Monthly transition probabilities; each row (from-regime) lists
    /// [to engagement, to testing, to surge] and is renormalised to sum to 1.
    pub transition: NkTransition,
    /// Added to P(→ engagement) each month while the US is transactional (2018 summitry).
    pub transactional_engagement_boost: Param,
    /// Threat input per launched missile (before range weighting).
    pub w_launch: Param,
    /// Threat input of a nuclear test.
    pub w_nuclear: Param,
    /// Monthly smoothing δ of threat perceptions.
    pub threat_smoothing: Param,
    /// Share of launches that are long-range (ICBM/IRBM/SLV).
    pub long_range_share: Param,
    /// Weight of long-range launches in Korea's threat input.
    pub kr_long_range_weight: Param,
    /// Weight of short-range launches in Korea's threat input.
    pub kr_short_range_weight: Param,
    /// Weight of long-range launches in Japan's threat input.
    pub jp_long_range_weight: Param,
    /// Weight of short-range launches in Japan's threat input.
    pub jp_short_range_weight: Param,
    /// Monthly approval rally for KR and JP governments while NK is in `surge`.
    pub rally: Param,
    /// Extra desire on high-deterrence tracks during a surge, multiplied by the track's `b`
    /// (Embracing 2023).
    pub surge_desire: Param,
    /// Observed launches to replay instead of drawing them: a CSV file (relative to the
    /// scenario file that names it) with `month` ("YYYY-MM") and `launches` (or
    /// `missiles_launched`), optional `long_range` (else split binomially), `nuclear_test`
    /// (0/1) and `regime` (engagement|testing|surge; else `surge` if the trailing 3-month total
    /// is ≥ 9, `testing` if ≥ 1, else `engagement`); other columns are ignored. Months listed
    /// inside the run replace the draws (the random stream advances as if drawn); after the
    /// last listed month the regime chain resumes from the last regime. Rows must be
    /// consecutive months; rows outside the run are allowed (those before feed the totals),
    /// e.g. `observed = "../data/nk_missile_launches_monthly.csv"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<String>,
}

/// Launches and nuclear tests in one North Korean regime (fitted by eye to
/// data/nk_missile_launches_monthly.csv).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NkRegimeSpec {
    /// Mean missiles launched per month.
    pub mean: Param,
    /// Negative-binomial dispersion k (smaller = more over-dispersed; variance = μ + μ²/k).
    pub dispersion: Param,
    /// Monthly probability of a nuclear test.
    pub p_nuclear: Param,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NkTransition {
    /// From engagement: monthly probabilities [to engagement, to testing, to surge].
    pub engagement: [Param; 3],
    /// From testing: monthly probabilities [to engagement, to testing, to surge].
    pub testing: [Param; 3],
    /// From surge: monthly probabilities [to engagement, to testing, to surge].
    pub surge: [Param; 3],
}

/// `[world.china]`: China's coercion of Seoul and Tokyo, each with its own monthly hazard and
/// episodes (docs/model.md §3.6):
/// `h_S = clamp₀¹[h0·assertiveness·(E_S/e_ref)·2a_S + a_S·(h_move·Σ_k χ_k·Δℓ⁺_k(t−1)
/// + h_reg·ℓ_regional/max) + h_role·R_S]`, 0 while an episode against S runs, with the wedge
/// share `a_S = (1 − θ^CN_S)/Σ_S′(1 − θ^CN_S′)` (½ when both θ^CN are 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct China {
    /// Multiplier on the base hazard.
    pub assertiveness: Param,
    /// Base monthly coercion hazard h₀, shared by the two targets in proportion to exposure and
    /// wedge share (at E_S = e_ref and a_S = ½ a target faces h₀·assertiveness).
    pub h0: Param,
    /// Reference export exposure E_ref of the base hazard: a target with exposure E_S faces
    /// it scaled by E_S/e_ref (Korea's 2017 exposure at THAAD, data/china_trade_dependence.csv).
    pub e_ref: Param,
    /// Hazard per unit χ of a one-rung move made in the previous month (the Σ χ_k·Δℓ_k term),
    /// shared between the targets by wedge share a_S.
    pub h_move: Param,
    /// Hazard at the top of the `regional` track (per unit ℓ_regional/max, shared by wedge
    /// share a_S; plausible 0–0.02). Replaces v1's `h_regional`, which was per rung and fell
    /// on Seoul alone: one episode 2012–25 and none after the 2023 Taiwan statement.
    pub h_reg: Param,
    /// Hazard per unit of a target's regional role R_S (`actors.<side>.regional_role`;
    /// plausible 0–0.02): China presses the ally with the larger regional military role
    /// (Madrid 2022: "political and military pressure on Japan"; the 2010 rare-earth halt,
    /// the 2023 seafood ban).
    pub h_role: Param,
    /// Length D of a coercion episode in months (plausible 3–18; THAAD tour ban 2017-03..12):
    /// the target bears the cost spread over it and faces no new draw while it runs.
    pub episode_months: Param,
    /// Cost to Korea of one coercion episode, % of GDP per unit of export exposure, spread
    /// evenly over the episode (THAAD 2017 ≈ 0.5% of GDP at E_KR ≈ 0.25,
    /// data/thaad_retaliation_2017.csv).
    pub cost_scale: Param,
    /// Months after an event during which the target's desire for high-χ tracks is lowered.
    pub refractory_months: Param,
    /// Size of the reduction of Korea's desire per unit χ during the refractory period
    /// (Seoul appeases: Embracing 2023, "a relatively appeasing approach").
    pub desire_penalty: Param,
    /// Cost to Japan of a coercion episode against Tokyo, % of GDP per unit of export exposure
    /// (plausible 0.4–2; Japan's exports are about 0.4× Korea's share of GDP; the 2010
    /// rare-earth halt and the 2023 seafood ban).
    pub cost_scale_jp: Param,
    /// Reduction of Japan's desire per unit χ after a coercion event against Tokyo (Tokyo
    /// appeases less than Seoul: Embracing 2023).
    pub desire_penalty_jp: Param,
    /// Monthly decay of each side's memory M_S of Chinese coercion against it, which drives its
    /// entrapment fear ε_S.
    pub memory_decay: Param,
    /// Rise of Korea's China threat perception θ^CN_KR when Seoul is coerced (0: Seoul does not
    /// harden; Cho 2019: cooperation with China "is not an option but a necessity").
    pub harden_kr: Param,
    /// Rise of Japan's China threat perception θ^CN_JP when Tokyo is coerced (Embracing 2023:
    /// Japan "aims to oppose China's attempts to alter the status quo").
    pub harden_jp: Param,
    /// Rise of θ^CN_KR when Tokyo is coerced (Korea as bystander).
    pub bystander_kr: Param,
    /// Rise of θ^CN_JP when Seoul is coerced (Japan as bystander).
    pub bystander_jp: Param,
    /// Rise of the US's China threat perception when either ally is coerced.
    pub bystander_us: Param,
    /// Monthly relaxation of every China threat perception toward its initial level
    /// (`actors.seoul.threat_cn`, `actors.tokyo.threat_cn`, `actors.washington.threat_cn`):
    /// `θ^CN_S += threat_decay·(θ^CN_S(0) − θ^CN_S)` each month, so the hardening after a
    /// coercion event fades without new events (0.03: half-life ≈ 23 months; a prior).
    pub threat_decay: Param,
    /// Background US–China tension in [0, 1].
    pub us_china_tension: Param,
}

/// What replaced a `[world.china]` key of China v1 (a hint for old scenario files).
pub fn retired_china_key(key: &str) -> Option<&'static str> {
    Some(match key {
        "h_regional" => "`h_regional` (per rung, Seoul only) was replaced by `h_reg`: the hazard at the top of the `regional` track, shared between Seoul and Tokyo (default 0.005; docs/model.md §3.6)",
        "jp_threat_shock" => "`jp_threat_shock` was split into `harden_jp` (Tokyo coerced) and `bystander_jp` (Seoul coerced)",
        "us_threat_shock" => "`us_threat_shock` was renamed `bystander_us`",
        _ => return None,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UsType {
    Engaged,
    Transactional,
}

/// `[world.us]`: the US administration type and its election calendar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsCalendar {
    /// Administration type in the first month.
    pub initial_type: UsType,
    /// Month of the next presidential election.
    pub next_election: YearMonth,
    /// Months between elections (whole months, 1 to 240; a distribution is rounded to the
    /// nearest integer after sampling).
    pub interval_months: Param,
    /// Months from election to inauguration, when the type changes (whole months, 0 to 24,
    /// shorter than `interval_months`; a distribution is rounded to the nearest integer after
    /// sampling).
    pub inauguration_lag_months: Param,
    /// Probability that an election switches the administration type.
    pub p_switch: Param,
}

/// `[world.elections]`: Korean and Japanese leader calendars (docs/model.md §3.14).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Elections {
    /// Month of the next Korean presidential election.
    pub kr_next_election: YearMonth,
    /// Korean single presidential term (whole months, 1 to 240; a distribution is rounded to
    /// the nearest integer after sampling).
    pub kr_term_months: Param,
    /// Monthly hazard of early termination (impeachment, 2017 and 2025).
    pub kr_early_termination_hazard: Param,
    /// Logistic intercept c₀ of P(incumbent camp wins).
    pub c0: Param,
    /// Weight c₁ of approval (A_KR − 0.5).
    pub c1: Param,
    /// Weight c₂ of the backlash stock B_KR.
    pub c2: Param,
    /// Penalty on the incumbent camp's logit per political crisis during the term (Korea: at
    /// the presidential election; Japan: on the successor's camp at a PM turnover).
    pub crisis_penalty: Param,
    /// Penalty γ_cm on the Korean incumbent camp's logit per 12 months of crisis in the term.
    pub crisis_months_penalty: Param,
    /// A Japanese crisis multiplies the PM-turnover hazard by (1 + jp_crisis_turnover).
    pub jp_crisis_turnover: Param,
    /// Monthly hazard of a Japanese PM turnover.
    pub jp_turnover_hazard: Param,
    /// Probability that a new Japanese PM comes from the hawkish camp (with no crisis during
    /// the outgoing PM's term; crises shift it toward the other camp by `crisis_penalty`).
    pub jp_p_hawkish: Param,
    /// Approval of a newly installed government.
    pub honeymoon_approval: Param,
    /// Months an acting government lasts after a `kr_crisis` / `jp_crisis` event with
    /// `acting = true` and no `end` (whole months, 1 to 24): Park suspended 2016-12 → Moon
    /// elected 2017-05; Yoon suspended 2024-12 → Lee elected 2025-06 (5 and 6 months).
    pub acting_months: Param,
}

/// `[world.camps]`: what each political camp brings (Op-ed 2022, Chun 2022, Cho 2019).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Camps {
    /// Korean conservative camp (Yoon; Op-ed 2022, Embracing 2023).
    pub conservative: CampSpec,
    /// Korean progressive camp (Moon; Chun 2022, Cho 2019).
    pub progressive: CampSpec,
    /// Japanese mainstream LDP camp (Kishida; Embracing 2023).
    pub mainstream: CampSpec,
    /// Japanese hawkish camp (Abe; Chun 2022, Cho 2019).
    pub hawkish: CampSpec,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampSpec {
    /// Baseline approval A⁰ toward which approval reverts.
    pub approval_baseline: Param,
    /// Multiplier on the history grievance in the government's valuation (history demands).
    pub history_weight: Param,
    /// Propensity to retaliate on history (linkage), in [0, 1].
    pub hawkishness: Param,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Camp {
    Conservative,
    Progressive,
    Mainstream,
    Hawkish,
}

impl Camp {
    pub fn is_korean(self) -> bool {
        matches!(self, Camp::Conservative | Camp::Progressive)
    }
    /// The other camp of the same country.
    pub fn other(self) -> Camp {
        match self {
            Camp::Conservative => Camp::Progressive,
            Camp::Progressive => Camp::Conservative,
            Camp::Mainstream => Camp::Hawkish,
            Camp::Hawkish => Camp::Mainstream,
        }
    }
}

/// `[world.alliance]`: Snyder's alliance security dilemma, α (abandonment) and ε (entrapment).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllianceFears {
    /// Intercept a₀ of the abandonment fear α_S = logistic(a₀ + a₁·ρ − a₂·κ·τ_{S,US})
    /// (engaged US: α ≈ 0.10; transactional: α ≈ 0.54 at τ_US = 0.75; a prior).
    pub a0: Param,
    /// Weight of US burden-sharing/tariff pressure ρ.
    pub a1: Param,
    /// Weight of US commitment credibility κ.
    pub a2: Param,
    /// Intercept e₀ of the entrapment fear ε_S = logistic(e₀ + e₁·E_S·memory_S + e₂·regional
    /// rung share + e₃·tension) (a fresh coercion event at E_KR = 0.2 lifts ε_KR from ≈ 0.18 to
    /// ≈ 0.43; a prior).
    pub e0: Param,
    /// Weight of China exposure × recent coercion.
    pub e1: Param,
    /// Weight of the `regional` rung.
    pub e2: Param,
    /// Weight of US–China tension.
    pub e3: Param,
}

/// `[world.friction]`: quasi-alliance friction φ_JK (Cha), see `world.cha`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Friction {
    /// Weight of the abandonment-fear gap |α_KR − α_JP|.
    pub c1: Param,
    /// Weight of the entrapment-fear gap.
    pub c2: Param,
    /// Weight of the NK threat-perception gap.
    pub c3: Param,
    /// Weight of the cohesion term g.
    pub c4: Param,
    /// Monthly trust loss per unit of friction (c_φ).
    pub c_phi: Param,
}

/// `[world.opinion]`: publics and trust (docs/model.md §1.3 step 1, §3.7).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Opinion {
    /// Monthly reversion a_F of favourability toward its target F*.
    pub a_f: Param,
    /// Favourability gain g_F from last month's cooperation, in a month without crisis:
    /// Korea's public rewards raises by their build quality, G_KR = Σ w_k/(max_k·Σw)·q (it
    /// opposed the top-down 2015 deal: Chun 2022); Japan's by the gain of the cooperation
    /// index.
    pub g_f: Param,
    /// Standard deviation of monthly favourability noise.
    pub f_noise: Param,
    /// Monthly trust growth r_τ per unit of institutionalised cooperation Λ̄_w (the
    /// w-weighted lock-in of the tracks held): trust grows with what lasts, not with speed.
    pub r_tau: Param,
    /// Monthly recovery of τ_KU and τ_JU toward 1, scaled by US credibility κ.
    pub r_us_trust: Param,
    /// Rise of the offended side's grievance H̄ per unit salience in a flare-up.
    pub flare_grievance: Param,
    /// Fall of the offended public's favourability per unit salience of a history act
    /// (publics react to the other government: r ≈ −0.37, data/genron_eai_mutual_impressions_2013_2019.csv).
    pub flare_favourability: Param,
    /// Fall of τ_JK per unit salience in a flare-up.
    pub flare_trust: Param,
    /// Monthly decay of grievance toward its salience-weighted base.
    pub grievance_decay: Param,
    /// Immediate fall of the target public's favourability when a retaliation against it is
    /// executed (a boycott-scale reaction, Korea 2019; prior to calibrate).
    pub f_ret: Param,
    /// Weight of coercion memory C_S in the favourability target: F_S relaxes toward
    /// F*_S − f_c·C_S, so a public that was coerced by its partner stays colder (Korean
    /// opinion of Japan after the 2019 export controls).
    pub f_c: Param,
    /// Monthly decay of coercion memory: C_S ×= 1 − d_c.
    pub d_c: Param,
}

/// `[world.politics]`: backlash, approval, crisis, rollback and reversal (docs/model.md §1.3
/// steps 5–8, §3.11).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Politics {
    /// Monthly approval reversion ζ toward the camp baseline.
    pub zeta: Param,
    /// Approval loss a_B per unit of new backlash.
    pub a_b: Param,
    /// Monthly decay ρ_B of the backlash stock.
    pub rho_b: Param,
    /// Backlash level B_crit,KR that triggers a political crisis in Seoul (and scales Seoul's
    /// win-set, public calm and the paths' backlash gate).
    pub b_crit: Param,
    /// Backlash level B_crit,JP that triggers a political crisis in Tokyo (the same roles on
    /// Tokyo's side).
    pub b_crit_jp: Param,
    /// Approval level A_crit below which 3 consecutive months trigger a crisis.
    pub a_crit: Param,
    /// Consecutive low-approval months that trigger a crisis.
    pub low_approval_months: Param,
    /// Overreach amplification η of backlash.
    pub eta: Param,
    /// Secrecy amplification π of backlash (1 − transparency).
    pub pi: Param,
    /// Probability of rolling back the most recent high-σ move in a crisis (× (1 − Λ)).
    pub p_rollback: Param,
    /// Probability a new government reverses a track one rung (× (1 − Λ)).
    pub p_reverse: Param,
    /// Share of the backlash stock discharged when a crisis starts.
    pub crisis_discharge: Param,
    /// Fall of τ_JK and of the side's trust in Washington when a crisis starts.
    pub crisis_trust_shock: Param,
    /// A crisis ends once B_S < crisis_exit·B_crit and A_S ≥ A_crit (after its minimum length).
    pub crisis_exit: Param,
    /// Minimum length of a crisis in months (whole, 1 to 24): a crisis persists (2016–17,
    /// 2024–25).
    pub crisis_min_months: Param,
    /// Approval a government loses each month in crisis (political capital spent).
    pub crisis_approval_cost: Param,
    /// Lame-duck secrecy premium π_L: secrecy costs ×(1 + π_L) more backlash within
    /// `lame_months` of the end of a Korean term or when approval is 0.1 below its baseline
    /// (the 2012 GSOMIA, pushed by Lee six months before the election).
    pub lame_duck: Param,
    /// Months before the end of a Korean term in which the government is a lame duck.
    pub lame_months: Param,
    /// Standard deviation of monthly approval noise.
    pub approval_noise: Param,
    /// Standard deviation of the log error with which governments foresee the backlash of a
    /// move: realized ΔB = expected ΔB·exp(s·z − s²/2), one z per side and month.
    pub backlash_noise: Param,
    /// Backlash of a history settlement per unit salience × (1 − quality) (2015 deal, Chun 2022).
    pub settlement_backlash: Param,
    /// Months after a settlement during which a later Korean government of the other camp may
    /// repudiate it.
    pub repudiation_window_months: Param,
    /// h_rep: monthly hazard that a Korean government of the camp that did not conclude a
    /// settlement repudiates it, × (1 − quality) × (1 + H̄_KR) (Moon in office 2017-05, the
    /// 2015 agreement's foundation dissolved 2018-11; Chun 2022).
    pub repudiation_hazard: Param,
    /// rep_τ: extra fall of Seoul–Tokyo trust τ_JK when a settlement is repudiated (beyond the
    /// act's own shock).
    pub repudiation_trust: Param,
    /// Months a track stays scarred after a fall from domestic rejection: no path proposes it
    /// meanwhile (whole months, 0 to 120; today set by `set_rung` events with `scar = true`).
    /// The 2012 GSOMIA, postponed 2012-06 after the backlash, was signed 2016-11 (53 months).
    pub scar_months: Param,
    /// Weight ω_T of the path's transparency in the build quality of a move (the four
    /// `quality_*` weights are used divided by their sum; 2012 GSOMIA approved in secret).
    pub quality_transparency: Param,
    /// Weight ω_L of the path's `legislate` share in the build quality of a move.
    pub quality_legislate: Param,
    /// Weight ω_P of public calm, 1 − min(1, B_KR/B_crit), in the build quality of a move.
    pub quality_public: Param,
    /// Weight ω_X of cross-camp consent (the Korean camp out of office values the rung) in
    /// the build quality of a move (Camp David's institutionalisation; Embracing 2023).
    pub quality_consent: Param,
    /// d_Λ: monthly erosion of lock-in on a track either government does not value.
    pub lock_decay: Param,
    /// λ_loss: share of a track's lock-in lost when it falls a rung.
    pub lock_loss: Param,
    /// h_lapse: monthly hazard that a rung a government does not value lapses, × (1 − Λ) ×
    /// min(1, −V/v₀) (no publicised trilateral drill 2018–21).
    pub lapse_hazard: Param,
    /// v₀: the shortfall of value at which the lapse hazard is full.
    pub lapse_scale: Param,
}

/// `[world.decisions]`: valuation, win-set and US facilitation (docs/model.md §1.3 steps 3–4
/// and 7, §3.9, §3.10, §3.12).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decisions {
    /// Weight u of US security push in a government's valuation: `u·m_sec·τ_S,US` (a US
    /// push counts as far as the government trusts Washington; Cho 2019).
    pub u: Param,
    /// Readiness weight ψ: the value of a rung rises with ψ·σ_k·[(τ_JK − τ_ref) + (F_S −
    /// F_ref,S)] on every path (Chun 2022: distrust "must be fundamentally addressed before
    /// institutionalized military and security cooperation").
    pub readiness: Param,
    /// Trust level τ_ref at which readiness is neutral.
    pub readiness_trust: Param,
    /// Grievance level H₀ above which the history brake β_H,k applies.
    pub brake_threshold: Param,
    /// Weight of China's expected hazard in the valuation (χ·E·ĥ).
    pub china_weight: Param,
    /// Japan's public sensitivity Ξ_JP to moves with Korea (Ξ_KR = 1; Op-ed 2022).
    pub xi_jp: Param,
    /// Share of B_crit a government keeps as margin when respecting the win-set.
    pub winset_margin: Param,
    /// Minimum approval A_min for accepting a move under the win-set.
    pub a_min: Param,
    /// US bridges a gap when both ΔU_S > −facilitation·m_sec·τ_S,US (side payment).
    pub facilitation: Param,
    /// Monthly τ_KU loss per unit of expectation gap (f_US; Op-ed 2022).
    pub f_us: Param,
    /// τ_KU loss f_fall per unit of w-weighted rungs lost this month on tracks below the US
    /// expectation: a collapse costs at once (Op-ed 2022: both relations "may suffer").
    pub f_fall: Param,
    /// p_ret: probability scale of a retaliation deliberation after an act on a history issue,
    /// × the offended camp's hawkishness × the act's weight (ritual acts `ritual_weight`) ×
    /// o_i (1 if the issue is open or repudiated, 1 − quality if settled) (Chun 2022).
    pub p_retaliate: Param,
    /// Shortest lag in months from deliberation to execution (rulings 2018-10/11 → export
    /// controls 2019-07).
    pub lag_min: Param,
    /// Longest lag in months from deliberation to execution.
    pub lag_max: Param,
    /// d_m: a pending retaliation is dropped with probability 1 − exp(−d_m·m_hist) a month (US
    /// history mediation; Cho 2019).
    pub drop_rate: Param,
    /// N_c: months a counter-threat stays pending before it is carried out (GSOMIA notice
    /// 2019-08-23 → kept 2019-11-22).
    pub counter_months: Param,
    /// Weight of m_sec in cancelling a counter-move (GSOMIA saved, 2019-11).
    pub cancel_m_sec: Param,
    /// Weight of κ in cancelling a counter-move.
    pub cancel_kappa: Param,
    /// Share by which US history mediation m_hist damps flare-up shocks (Cho 2019 vs Chun 2022).
    pub m_hist_damping: Param,
    /// Value a government forgoes by raising a track on which it holds a retaliation (a hold
    /// lasts until the issue is settled anew, the track is restored or the camp changes):
    /// Japan's export controls of 2019-07 were lifted only after the 2023-03 plan.
    pub hold_value: Param,
    /// Weight of a ritual act (textbooks, Takeshima Day, Yasukuni) relative to a material
    /// one (a ruling, a repudiation) in the chance of retaliation, for `flare_up` events
    /// with `act = "ritual"`: no trade retaliation followed the seasonal rows of 2015–18.
    pub ritual_weight: Param,
}

/// `[actors]`: the governments and publics of Seoul, Tokyo and Washington at the start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Actors {
    pub seoul: StateActor,
    pub tokyo: StateActor,
    pub washington: Washington,
}

/// `[actors.seoul]` and `[actors.tokyo]`: government and public at the start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StateActor {
    /// Governing camp (KR: conservative/progressive; JP: mainstream/hawkish).
    pub camp: Camp,
    /// Government approval A at the start.
    pub approval: Param,
    /// Backlash stock B at the start.
    pub backlash: Param,
    /// Public favourability toward the partner F at the start (share of the public with a
    /// favourable view; Genron/EAI polls, data/genron_eai_mutual_impressions_2013_2019.csv).
    pub favourability: Param,
    /// Long-run favourability F* toward which F reverts.
    pub favourability_target: Param,
    /// Reference favourability F_ref: readiness is neutral at it, and public acceptance P of
    /// cooperation is full from it (Genron/EAI 2013–19 means: KR 22%, JP 25%).
    pub favourability_ref: Param,
    /// Threat perception of North Korea θ^NK at the start.
    pub threat_nk: Param,
    /// Threat perception of China θ^CN at the start.
    pub threat_cn: Param,
    /// Regional military role R_S in [0, 1]: how far the side commits beyond the peninsula
    /// (Taiwan, strike capabilities); raises China's coercion hazard against it by
    /// `world.china.h_role`·R_S. Embracing 2023: Japan "has been in support of Taiwan's
    /// security", aims at "long-range strike capabilities" (Tokyo 0.5); Seoul "has avoided
    /// direct commitments" (Seoul 0.1). A parameter: `[[series]]` and `set` events may change it.
    pub regional_role: Param,
    /// Export exposure to China E (share of exports; data/china_trade_dependence.csv).
    pub china_exposure: Param,
}

/// `[actors.washington]`: what each US administration type does, and what the US expects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Washington {
    pub engaged: UsProfile,
    pub transactional: UsProfile,
    /// The US wish list: the rung it expects on each track (`track = rung`); the gap between
    /// these and the rungs reached erodes Korea's trust in the US (Op-ed 2022: regional scope).
    pub expectations: IndexMap<String, u32>,
    /// US threat perception of China at the start.
    pub threat_cn: Param,
}

/// What an administration type does (Madrid 2022, Cho 2019, Chun 2022).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsProfile {
    /// Security push m_sec.
    pub m_sec: Param,
    /// History-mediation effort m_hist.
    pub m_hist: Param,
    /// Commitment credibility κ.
    pub kappa: Param,
    /// Burden-sharing / tariff pressure ρ.
    pub rho: Param,
}

/// `[relations]`: dyadic trust at the start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Relations {
    /// Korea–Japan trust τ_JK at the start (post-March-2023 summit thaw, Embracing 2023).
    pub trust_kr_jp: Param,
    /// Korea–US trust τ_KU at the start (Embracing 2023).
    pub trust_kr_us: Param,
    /// Japan–US trust τ_JU at the start (Embracing 2023).
    pub trust_jp_us: Param,
}

/// `[history]`: the history issues between Korea and Japan and their flare-ups (Chun 2022,
/// Cho 2019).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// Flare-up hazard multiplier in an issue's seasonal months.
    pub seasonal_multiplier: Param,
    /// Base of Japanese grievance H̄_JP toward which it relaxes, before the salience of
    /// repudiated settlements is added (Chun 2022; Embracing 2023: Tokyo's own history
    /// grievance, e.g. over reneged agreements).
    pub grievance_base_jp: Param,
    /// Open history issues; listing them replaces the defaults.
    pub issues: Vec<HistoryIssue>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IssueStatus {
    Open,
    Settled,
    Repudiated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Side {
    #[serde(rename = "KR")]
    Kr,
    #[serde(rename = "JP")]
    Jp,
}

/// `[[history.issues]]`: one history issue (docs/model.md §3.5).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoryIssue {
    /// Short identifier of the issue (used in addresses such as
    /// `history.issues.forced_labor.salience` and in events' `issue`).
    pub key: String,
    /// Name shown in reports.
    pub name: String,
    /// Salience s in [0, 1].
    pub salience: Param,
    /// "open", "settled" (see `settlement_quality`) or "repudiated".
    pub status: IssueStatus,
    /// Quality of an existing settlement (used when status = "settled").
    #[serde(default)]
    pub settlement_quality: Param,
    /// Base monthly flare-up hazard.
    pub hazard: Param,
    /// Calendar months (1–12) when the hazard is multiplied by `history.seasonal_multiplier`
    /// (Feb Takeshima Day, Mar textbooks, Aug anniversaries).
    #[schemars(inner(range(min = 1, max = 12)))]
    pub seasonal_months: Vec<u32>,
    /// Whether a court process is pending (rulings add flare-ups).
    pub court_pending: bool,
    /// Monthly probability of a court ruling while pending.
    pub court_hazard: Param,
    /// Which public is offended by a flare-up.
    pub offended: Side,
}

/// Minimum rung of another track required before moving this one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prerequisite {
    /// Key of the other track (`[tracks.<key>]`).
    pub track: String,
    /// Rung that track must have reached.
    #[schemars(range(max = super::validate::MAX_RUNGS))]
    pub rung: u32,
}

/// Per-camp prior value of one rung of a track.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampPriors {
    /// Prior value to a Korean conservative government (Op-ed 2022, Embracing 2023).
    pub conservative: Param,
    /// Prior value to a Korean progressive government (negative on military and regional
    /// tracks; Chun 2022, Cho 2019).
    pub progressive: Param,
    /// Prior value to a Japanese mainstream government (Embracing 2023).
    pub mainstream: Param,
    /// Prior value to a Japanese hawkish government (positive on military tracks; Cho 2019).
    pub hawkish: Param,
}

/// `[tracks.<key>]`: one cooperation ladder (docs/model.md §1.2, §3.3).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackSpec {
    /// Name shown in reports.
    pub name: String,
    /// Highest rung: the track's rungs are 0 to `rungs` (1 to 20).
    #[schemars(range(min = 1, max = super::validate::MAX_RUNGS))]
    pub rungs: u32,
    /// Rung at the start (0 to `rungs`).
    #[schemars(range(max = super::validate::MAX_RUNGS))]
    pub initial: u32,
    /// Korean domestic sensitivity σ of one rung.
    pub sigma: Param,
    /// China-provocation weight χ.
    pub chi: Param,
    /// Monthly lock-in gain λ once at rung ≥ 1.
    pub lambda: Param,
    /// Deterrence value b against North Korea.
    pub b: Param,
    /// Value b' against China.
    pub b_cn: Param,
    /// Weight w in the cooperation index.
    pub w: Param,
    /// Lock-in stock Λ at the start.
    pub lock_in: Param,
    /// History brake β_H: the value of the next rung falls by β_H·max(0, H̄_S − H₀) (no
    /// Park–Abe summit until 2015-11; no trilateral ministerial 2017-02 to 2022-02; Chun 2022).
    pub history_brake: Param,
    /// Build quality Q of the rungs held at the start, and of rungs raised by events that give
    /// none (0 top-down and secret, 1 consulted, legislated and backed across camps).
    pub quality: Param,
    /// Whether the track counts as military/regional for "high-σ" rollback and the `military_first` sequence.
    pub military: bool,
    /// Other tracks' rungs required before this track moves, e.g.
    /// `[{ track = "summitry", rung = 1 }]` (docs/model.md §1.2, §3.3).
    pub requires: Vec<Prerequisite>,
    /// Prior value of one rung to a government of each camp.
    pub prior: CampPriors,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SequenceName {
    LowSensitivityFirst,
    MilitaryFirst,
}

/// Order in which a path opens tracks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Sequence {
    Named(SequenceName),
    Explicit(Vec<String>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HistoryMode {
    HistoryFirst,
    Parallel,
    SecurityFirst,
}

/// A gate on a track, relative to the current state (docs/model.md §3.8): the path proposes a
/// move on the track only while every condition the gate states holds. A condition left out is
/// not checked; a track without a gate is ungated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gate {
    /// δ_τ: Korea–Japan trust may have fallen at most this much since the path's last accepted
    /// move (or, before any, since the path came into force): τ_JK ≥ τ_JK(t_last) − δ_τ. A
    /// gradual path moves only while the relationship holds up (Chun 2022: distrust "must be
    /// fundamentally addressed before institutionalized military and security cooperation").
    /// Absent: not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_drop: Option<Param>,
    /// δ_F: Korean favourability toward Japan may lie at most this far below its equilibrium
    /// F*_KR (`actors.seoul.favourability_target`): F_KR ≥ F*_KR − δ_F (Chun 2022: the 2015
    /// deal failed on "deteriorating public opinion"; a gradual approach reduces "expected
    /// domestic backlash"). Absent: not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub favourability_margin: Option<Param>,
    /// β_g: the backlash stock of each side must be at most this share of its crisis threshold,
    /// B_S ≤ β_g·B_crit on both sides (no new step while either public is still aroused).
    /// Absent: not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backlash_share: Option<Param>,
    /// m_calm: no political crisis and no executed retaliation or counter-threat on either
    /// side in the last m_calm months, the current one included (whole months, 0 to 120; 0 or
    /// absent: not checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calm_months: Option<Param>,
    /// Optional absolute floor: Korea–Japan trust τ_JK required before proposing a move on the
    /// track (0, the default: no floor).
    #[serde(default = "zero_param")]
    pub trust: Param,
    /// Optional absolute floor: Korean favourability toward Japan F_KR required before
    /// proposing a move on the track (0, the default: no floor).
    #[serde(default = "zero_param")]
    pub favourability: Param,
}

fn zero_param() -> Param {
    Param::Fixed(0.0)
}

/// `[paths.<name>]`: how willing governments pursue cooperation (docs/model.md §3.8).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathSpec {
    /// Bundled path a new path starts from (only read when the path is defined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// What the path stands for and where it comes from (shown in reports).
    pub description: String,
    /// Whether the path proposes moves at all (`status_quo`: false).
    pub proposes: bool,
    pub sequence: Sequence,
    /// Minimum months between two moves on one track (whole months, 0 to 120; a
    /// distribution is rounded to the nearest integer after sampling).
    pub min_dwell_months: Param,
    /// Maximum one-rung moves proposed per month (a whole number, 0 to 20; a distribution is
    /// rounded to the nearest integer after sampling).
    pub max_moves_per_month: Param,
    /// Korean camps ("conservative", "progressive") whose governments follow this path when
    /// it is the compared path; empty (the default): every camp. In a camp it does not name,
    /// the path in force is `scenario.path_by_camp`'s for that camp (docs/model.md §3.8).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub camps: Vec<Camp>,
    /// Gates per track, relative to the current state (`trust_drop`, `favourability_margin`,
    /// `backlash_share`, `calm_months`, optional absolute floors `trust` and `favourability`);
    /// a track without a gate is ungated.
    pub gates: IndexMap<String, Gate>,
    /// Governments decline moves that would breach their win-set.
    pub respect_winset: bool,
    /// Consultation with legislature and victims (1) vs top-down (0).
    pub transparency: Param,
    /// Ceiling rung per track; a track not listed may go to its top rung.
    pub targets: IndexMap<String, u32>,
    /// How history relates to security: "parallel" (Madrid 2022), "history_first"
    /// (security tracks capped at rung 1 until a settlement; Chun 2022) or "security_first".
    pub history_mode: HistoryMode,
    /// Settlement quality (victim-centred = high).
    pub settlement_quality: Param,
    /// Months a settlement takes.
    pub months_to_settle: Param,
    /// q_min: the lowest quality the path accepts; if Japan's ceiling is below it the
    /// negotiation stalls and is re-tested monthly (docs/model.md §3.13).
    pub settlement_floor: Param,
    /// Diplomacy that lowers the US expectation.
    pub expectation_management: Param,
    /// Share of moves formalised through the National Assembly or standing agreements (0 to
    /// 1); it raises the build quality Q of the rungs the path raises (docs/model.md §3.3).
    pub legislate: Param,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Korean presidential election (or early replacement) with winner `camp`.
    KrElection,
    /// Japanese PM turnover to `camp`.
    JpTurnover,
    /// US administration type becomes `us_type`.
    UsType,
    /// A court ruling on `issue` (a flare-up; the court process ends).
    CourtRuling,
    /// A flare-up of `issue` (optionally its `act` kind and the side it `offends`).
    FlareUp,
    /// A North Korean nuclear test.
    NuclearTest,
    /// North Korea switches to `regime`.
    NkRegime,
    /// A summit moves `track` up one rung (if its prerequisites hold).
    Summit,
    /// A Chinese coercion event (against `target`, for `months`, costing `cost`).
    ChinaCoercion,
    /// `track` is set to `rung` (an observed state: the 2016-11 GSOMIA, the 2023 Camp David
    /// summitry), counted under `cause`.
    SetRung,
    /// `issue` is settled at `quality` by `camp` (the 2015-12 "comfort women" agreement, the
    /// 2023-03 third-party plan).
    Settlement,
    /// A settled `issue` is repudiated (the 2018-11 dissolution of the 2015 foundation).
    Repudiation,
    /// Side `by` retaliates over `issue` on `track` (Japan's 2019-07 export controls): now
    /// (`state = "executed"`) or pending until `resolves` with `resolution`.
    Retaliation,
    /// Side `by` threatens `track` until `resolves`, when the threat is `cancelled` or
    /// `executed` (Korea's 2019-08 GSOMIA termination notice, suspended 2019-11).
    CounterThreat,
    /// Side `by` lifts its retaliation hold on `track` (export controls lifted 2023-03).
    Restore,
    /// A Korean political crisis from `month` to `end`, optionally with an `acting`
    /// government and then a snap election (impeachment 2016-12, martial law 2024-12).
    KrCrisis,
    /// A Japanese political crisis (as `kr_crisis`; a caretaker PM, then a turnover).
    JpCrisis,
    /// From this month the Korean government pursues path `path` (each government its own
    /// policy).
    Path,
    /// Sets a state variable once, at the start of the month: `variable` of `side` (or of
    /// `dyad` for trust) becomes `value`.
    SetState,
    /// From this month on, the parameter at `address` takes `value` (a time-varying input:
    /// export exposure, US–China tension, North Korean means).
    Set,
}

/// Why an event happens: `set_rung` moves are counted under their cause ("policy",
/// "rollback", "reversal", "retaliation", "lapse"); a `kr_crisis` / `jp_crisis` is
/// "domestic" or "partner_policy".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// A policy decision (a raise, or a fall counted among reversals).
    Policy,
    /// A crisis rollback (counted among rollbacks).
    Rollback,
    /// A new government's reversal (counted among reversals).
    Reversal,
    /// A retaliation (counted among reversals and linkage retaliations).
    Retaliation,
    /// A lapse of an unvalued rung (counted among lapses).
    Lapse,
    /// A domestic scandal or constitutional crisis (impeachment, martial law).
    Domestic,
    /// Backlash against the government's policy toward the partner.
    PartnerPolicy,
}

/// Kind of a history act (`flare_up`'s `act`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActKind {
    /// A ritual act (textbooks, Takeshima Day, anniversaries, Yasukuni): it rarely prompts
    /// retaliation (× `world.decisions.ritual_weight`).
    Ritual,
    /// A material act (a court ruling or asset order, a repudiation).
    Material,
}

/// State of a `retaliation` event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PendingState {
    /// Decided but not carried out until `resolves`.
    Pending,
    /// Carried out this month.
    Executed,
}

/// How a pending retaliation or counter-threat ends at its `resolves` month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Carried out: the track falls one rung.
    Executed,
    /// A retaliation that is dropped.
    Dropped,
    /// A counter-threat cancelled (under US pressure: GSOMIA kept, 2019-11-22).
    Cancelled,
}

/// State variable set by a `set_state` event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StateVariable {
    /// Public favourability toward the partner F_S (0–1).
    Favourability,
    /// Government approval A_S (0–1).
    Approval,
    /// Backlash stock B_S (≥ 0).
    Backlash,
    /// History grievance H̄_S (0–1).
    Grievance,
    /// North Korean threat perception θ^NK_S (0–1).
    ThreatNk,
    /// China threat perception θ^CN_S (0–1).
    ThreatCn,
    /// Trust of a `dyad` (0–1).
    Trust,
}

/// A pair of governments whose trust a `set_state` event sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dyad {
    KrJp,
    KrUs,
    JpUs,
}

/// `[[events]]`: a scheduled event that replaces the random draw in its month, or sets the
/// state (an observed event of a replayed period). Which other keys an event needs depends on
/// its `kind` (`trisim explain events` lists them; `trisim validate` says what is missing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Month of the event, "YYYY-MM", within the simulated months (the start month of a
    /// `kr_crisis` / `jp_crisis`).
    pub month: YearMonth,
    /// What happens (the other keys needed depend on it).
    pub kind: EventKind,
    /// Winning camp (`kr_election`, `jp_turnover`); the settling Korean camp (`settlement`,
    /// default the camp in office).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camp: Option<Camp>,
    /// New US administration type (`us_type`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub us_type: Option<UsType>,
    /// Key of the history issue (`court_ruling`, `flare_up`, `settlement`, `repudiation`,
    /// `retaliation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    /// New North Korean regime (`nk_regime`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regime: Option<NkRegime>,
    /// Key of the track (`summit`, `set_rung`, `retaliation` (default "economic_security"),
    /// `counter_threat` (default "intelligence"), `restore`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    /// Free text: what the event stands for and its source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Rung the track is set to (`set_rung`): 0 to the track's `rungs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rung: Option<u32>,
    /// Why it happens: `set_rung` "policy" (default), "rollback", "reversal", "retaliation"
    /// or "lapse" (a fall is counted under it); `kr_crisis` / `jp_crisis` "domestic" (default)
    /// or "partner_policy".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    /// Whether the event charges backlash: `set_rung` raises as a path move would (default
    /// false); `settlement` as a negotiated settlement would (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backlash: Option<bool>,
    /// `set_rung` falls: whether dependants whose prerequisite is lost fall to rung 0 (default
    /// true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cascade: Option<bool>,
    /// `set_rung` falls: whether the fall scars the track (no path proposes it for
    /// `world.politics.scar_months`; default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scar: Option<bool>,
    /// Quality of a `settlement` (0–1): victim-centred, consulted deals are high (2015: low);
    /// of a `set_rung` raise, the build quality of the rungs it adds (default the track's
    /// `quality`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<f64>,
    /// `repudiation`: whether the repudiation acts on Japan as a material act (grievance,
    /// favourability and trust shocks; default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effects: Option<bool>,
    /// Acting side, "KR" or "JP" (`retaliation`, `counter_threat`, `restore`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Side>,
    /// `retaliation`: "pending" (default; until `resolves`) or "executed" (this month).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<PendingState>,
    /// Month a pending `retaliation` or a `counter_threat` resolves, "YYYY-MM", after `month`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolves: Option<YearMonth>,
    /// How it resolves: a pending `retaliation` is "executed" (default) or "dropped"; a
    /// `counter_threat` is "cancelled" or "executed".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    /// Last month of a `kr_crisis` / `jp_crisis` ("YYYY-MM"): the crisis cannot end before it,
    /// and an acting government ends with it (a snap election). Without it a crisis ends by
    /// the usual rule and an acting government lasts `world.elections.acting_months`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<YearMonth>,
    /// `kr_crisis` / `jp_crisis`: an acting government (no moves, negotiation or repudiation),
    /// then a snap election for a full term (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acting: Option<bool>,
    /// Name of the path in force from this month (`path`): a key of `[paths]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `set_state`: the state variable set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variable: Option<StateVariable>,
    /// `set_state`: whose variable, "KR" or "JP" (every variable but trust).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    /// `set_state` of trust: "kr_jp", "kr_us" or "jp_us".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dyad: Option<Dyad>,
    /// Parameter address as for `--param` (`set`), e.g. `actors.seoul.china_exposure`.
    /// Initial states cannot be set this way: use a `set_state` event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The new value: of the parameter at `address` from this month on (`set`), or of the
    /// state variable (`set_state`). A number or a distribution table (sampled once per
    /// replication, after every other parameter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Param>,
    /// `flare_up`: "ritual" or "material" (default: as the random flare-ups, every act may
    /// prompt retaliation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<ActKind>,
    /// `flare_up`: the offended side (default the issue's `offended`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offends: Option<Side>,
    /// `china_coercion`: the target, "KR" (default) or "JP".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Side>,
    /// `china_coercion`: months the episode lasts (its cost is spread over them and no new
    /// episode is drawn against the target meanwhile; default `world.china.episode_months`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// `china_coercion`: its total cost to the target over the episode, % of GDP (default
    /// `world.china.cost_scale` (`cost_scale_jp` for Japan) × the target's exposure; THAAD
    /// 2017: 0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
}

impl Event {
    /// An event of `kind` in `month` with every optional key unset (the keys a kind needs are
    /// then filled in with struct update syntax).
    pub fn new(month: YearMonth, kind: EventKind) -> Self {
        Event {
            month,
            kind,
            camp: None,
            us_type: None,
            issue: None,
            regime: None,
            track: None,
            note: None,
            rung: None,
            cause: None,
            backlash: None,
            cascade: None,
            scar: None,
            quality: None,
            effects: None,
            by: None,
            state: None,
            resolves: None,
            resolution: None,
            end: None,
            acting: None,
            path: None,
            variable: None,
            side: None,
            dyad: None,
            address: None,
            value: None,
            act: None,
            offends: None,
            target: None,
            months: None,
            cost: None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parameter visiting (validation and per-replication sampling)
// ---------------------------------------------------------------------------------------------

/// Valid range of `paths.<name>.min_dwell_months` (whole months).
pub const MIN_DWELL_MONTHS: Bound = Bound::Range(0.0, 120.0);
/// Valid range of `paths.<name>.max_moves_per_month`.
pub const MAX_MOVES_PER_MONTH: Bound = Bound::Range(0.0, 20.0);
/// Valid range of `paths.<name>.gates.<track>.calm_months` (whole months).
pub const GATE_CALM_MONTHS: Bound = Bound::Range(0.0, 120.0);
/// Valid range of `world.us.interval_months` (whole months).
pub const INTERVAL_MONTHS: Bound = Bound::Range(1.0, 240.0);
/// Valid range of `world.us.inauguration_lag_months` (whole months).
pub const INAUGURATION_LAG_MONTHS: Bound = Bound::Range(0.0, 24.0);
/// Valid range of `world.decisions.lag_min` and `lag_max` (whole months).
pub const LAG_MONTHS: Bound = Bound::Range(0.0, 60.0);
/// Valid range of `world.decisions.counter_months` (whole months).
pub const COUNTER_MONTHS: Bound = Bound::Range(1.0, 24.0);
/// Valid range of `world.politics.crisis_min_months` (whole months).
pub const CRISIS_MIN_MONTHS: Bound = Bound::Range(1.0, 24.0);
/// Valid range of `world.elections.acting_months` (whole months).
pub const ACTING_MONTHS: Bound = Bound::Range(1.0, 24.0);
/// Valid range of `world.politics.scar_months` (whole months).
pub const SCAR_MONTHS: Bound = Bound::Range(0.0, 120.0);
/// Valid range of `world.china.episode_months` (whole months, as a `china_coercion` event's).
pub const EPISODE_MONTHS: Bound = Bound::Range(1.0, 120.0);
/// Valid range of `world.elections.kr_term_months` (whole months).
pub const KR_TERM_MONTHS: Bound = Bound::Range(1.0, 240.0);

impl VisitParams for Scenario {
    fn visit_params(&mut self, v: &mut ParamVisitor<'_>) {
        v.nested("world", |v| self.world.visit_params(v));
        v.nested("actors", |v| {
            v.nested("seoul", |v| self.actors.seoul.visit_params(v));
            v.nested("tokyo", |v| self.actors.tokyo.visit_params(v));
            v.nested("washington", |v| self.actors.washington.visit_params(v));
        });
        v.nested("relations", |v| {
            visit_fields!(v, self.relations; trust_kr_jp: Unit, trust_kr_us: Unit, trust_jp_us: Unit)
        });
        v.nested("history", |v| {
            visit_fields!(v, self.history; seasonal_multiplier: NonNeg, grievance_base_jp: Unit);
            v.nested("issues", |v| {
                for issue in &mut self.history.issues {
                    let key = issue.key.clone();
                    v.nested(&key, |v| {
                        visit_fields!(v, issue; salience: Unit, settlement_quality: Unit,
                            hazard: Unit, court_hazard: Unit)
                    });
                }
            });
        });
        v.nested("tracks", |v| {
            for (key, t) in &mut self.tracks {
                v.nested(key, |v| {
                    visit_fields!(v, t; sigma: NonNeg, chi: NonNeg, lambda: Unit, b: NonNeg,
                        b_cn: NonNeg, w: NonNeg, lock_in: Unit, history_brake: NonNeg,
                        quality: Unit);
                    v.nested("prior", |v| {
                        visit_fields!(v, t.prior; conservative: Any, progressive: Any,
                            mainstream: Any, hawkish: Any)
                    });
                });
            }
        });
        v.nested("paths", |v| {
            for (key, path) in &mut self.paths {
                v.nested(key, |v| {
                    visit_fields!(v, path; min_dwell_months: MIN_DWELL_MONTHS,
                        max_moves_per_month: MAX_MOVES_PER_MONTH, transparency: Unit,
                        settlement_quality: Unit, settlement_floor: Unit,
                        months_to_settle: NonNeg, expectation_management: Unit, legislate: Unit);
                    v.nested("gates", |v| {
                        for (track, g) in &mut path.gates {
                            v.nested(track, |v| {
                                for (name, x, bound) in [
                                    ("trust_drop", &mut g.trust_drop, Unit),
                                    ("favourability_margin", &mut g.favourability_margin, Unit),
                                    ("backlash_share", &mut g.backlash_share, NonNeg),
                                    ("calm_months", &mut g.calm_months, GATE_CALM_MONTHS),
                                ] {
                                    if let Some(x) = x {
                                        v.param(name, x, bound);
                                    }
                                }
                                visit_fields!(v, g; trust: Unit, favourability: Unit)
                            });
                        }
                    });
                });
            }
        });
    }
}

impl VisitParams for World {
    fn visit_params(&mut self, v: &mut ParamVisitor<'_>) {
        v.nested("nk", |v| {
            let nk = &mut self.nk;
            for (name, r) in [
                ("engagement", &mut nk.engagement),
                ("testing", &mut nk.testing),
                ("surge", &mut nk.surge),
            ] {
                v.nested(name, |v| {
                    visit_fields!(v, r; mean: NonNeg, dispersion: Bound::Positive,
                        p_nuclear: Unit)
                });
            }
            v.nested("transition", |v| {
                for (name, row) in [
                    ("engagement", &mut nk.transition.engagement),
                    ("testing", &mut nk.transition.testing),
                    ("surge", &mut nk.transition.surge),
                ] {
                    v.nested(name, |v| {
                        for (i, x) in row.iter_mut().enumerate() {
                            v.param(&i.to_string(), x, Unit);
                        }
                    });
                }
            });
            visit_fields!(v, nk; transactional_engagement_boost: Unit, w_launch: NonNeg,
                w_nuclear: NonNeg, threat_smoothing: Unit, long_range_share: Unit,
                kr_long_range_weight: NonNeg, kr_short_range_weight: NonNeg,
                jp_long_range_weight: NonNeg, jp_short_range_weight: NonNeg, rally: Unit,
                surge_desire: NonNeg);
        });
        v.nested("china", |v| {
            visit_fields!(v, self.china; assertiveness: NonNeg, h0: Unit, e_ref: Bound::Positive,
                h_move: Unit, h_reg: Unit, h_role: Unit, episode_months: EPISODE_MONTHS,
                cost_scale: NonNeg, refractory_months: NonNeg, desire_penalty: NonNeg,
                cost_scale_jp: NonNeg, desire_penalty_jp: NonNeg,
                memory_decay: Unit, harden_kr: Unit, harden_jp: Unit, bystander_kr: Unit,
                bystander_jp: Unit, bystander_us: Unit, threat_decay: Unit,
                us_china_tension: Unit)
        });
        v.nested("us", |v| {
            visit_fields!(v, self.us; interval_months: INTERVAL_MONTHS,
                inauguration_lag_months: INAUGURATION_LAG_MONTHS, p_switch: Unit)
        });
        v.nested("elections", |v| {
            visit_fields!(v, self.elections; kr_term_months: KR_TERM_MONTHS,
                kr_early_termination_hazard: Unit, c0: Any,
                c1: Any, c2: Any, crisis_penalty: NonNeg, crisis_months_penalty: NonNeg,
                jp_crisis_turnover: NonNeg, jp_turnover_hazard: Unit,
                jp_p_hawkish: Unit, honeymoon_approval: Unit, acting_months: ACTING_MONTHS)
        });
        v.nested("camps", |v| {
            let c = &mut self.camps;
            for (name, camp) in [
                ("conservative", &mut c.conservative),
                ("progressive", &mut c.progressive),
                ("mainstream", &mut c.mainstream),
                ("hawkish", &mut c.hawkish),
            ] {
                v.nested(name, |v| {
                    visit_fields!(v, camp; approval_baseline: Unit, history_weight: NonNeg,
                        hawkishness: Unit)
                });
            }
        });
        v.nested("alliance", |v| {
            visit_fields!(v, self.alliance; a0: Any, a1: Any, a2: Any, e0: Any, e1: Any,
                e2: Any, e3: Any)
        });
        v.nested("friction", |v| {
            visit_fields!(v, self.friction; c1: NonNeg, c2: NonNeg, c3: NonNeg, c4: NonNeg,
                c_phi: NonNeg)
        });
        v.nested("opinion", |v| {
            visit_fields!(v, self.opinion; a_f: Unit, g_f: NonNeg, f_noise: NonNeg,
                r_tau: Unit, r_us_trust: Unit, flare_grievance: NonNeg,
                flare_favourability: NonNeg, flare_trust: NonNeg, grievance_decay: Unit,
                f_ret: Unit, f_c: Unit, d_c: Unit)
        });
        v.nested("politics", |v| {
            visit_fields!(v, self.politics; zeta: Unit, a_b: NonNeg, rho_b: Unit,
                b_crit: NonNeg, b_crit_jp: NonNeg, a_crit: Unit, low_approval_months: NonNeg, eta: NonNeg,
                pi: NonNeg, p_rollback: Unit, p_reverse: Unit, crisis_discharge: Unit,
                crisis_trust_shock: Unit, crisis_exit: Unit, crisis_min_months: CRISIS_MIN_MONTHS,
                crisis_approval_cost: Unit, lame_duck: NonNeg, lame_months: NonNeg,
                approval_noise: NonNeg, backlash_noise: NonNeg,
                settlement_backlash: NonNeg, repudiation_window_months: NonNeg,
                repudiation_hazard: Unit, repudiation_trust: Unit, scar_months: SCAR_MONTHS,
                quality_transparency: NonNeg, quality_legislate: NonNeg, quality_public: NonNeg,
                quality_consent: NonNeg, lock_decay: Unit, lock_loss: Unit, lapse_hazard: Unit,
                lapse_scale: Bound::Positive)
        });
        v.nested("decisions", |v| {
            visit_fields!(v, self.decisions; u: NonNeg, readiness: NonNeg,
                readiness_trust: Unit, brake_threshold: Unit, china_weight: NonNeg, xi_jp: NonNeg,
                winset_margin: Unit, a_min: Unit, facilitation: NonNeg, f_us: NonNeg, f_fall: NonNeg,
                p_retaliate: Unit, lag_min: LAG_MONTHS, lag_max: LAG_MONTHS, drop_rate: NonNeg,
                counter_months: COUNTER_MONTHS, cancel_m_sec: NonNeg, cancel_kappa: NonNeg,
                m_hist_damping: Unit, hold_value: NonNeg, ritual_weight: Unit)
        });
        v.nested("negotiation", |v| {
            visit_fields!(v, self.negotiation; ceiling_base: Unit, ceiling_threat: NonNeg,
                ceiling_mediation: NonNeg, ceiling_grievance_mainstream: NonNeg,
                ceiling_grievance_hawkish: NonNeg, demand_grievance: Unit, backlash_jp: NonNeg,
                renegotiate_after_months: NonNeg)
        });
    }
}

impl VisitParams for StateActor {
    fn visit_params(&mut self, v: &mut ParamVisitor<'_>) {
        visit_fields!(v, self; regional_role: Unit);
        visit_fields!(v, self; approval: Unit, backlash: NonNeg, favourability: Unit,
            favourability_target: Unit, favourability_ref: Unit, threat_nk: Unit, threat_cn: Unit, china_exposure: Unit);
    }
}

impl VisitParams for Washington {
    fn visit_params(&mut self, v: &mut ParamVisitor<'_>) {
        for (name, prof) in [
            ("engaged", &mut self.engaged),
            ("transactional", &mut self.transactional),
        ] {
            v.nested(
                name,
                |v| visit_fields!(v, prof; m_sec: Unit, m_hist: Unit, kappa: Unit, rho: Unit),
            );
        }
        visit_fields!(v, self; threat_cn: Unit);
    }
}
