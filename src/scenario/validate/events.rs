//! Validation of `[[events]]`: which keys each kind needs or accepts, and their values
//! (months inside the run, known tracks, issues and paths, rungs on the ladder, causes and
//! resolutions that fit the kind).

use super::{camp_name, names, one_of, unknown, Problem, Seg};
use crate::scenario::param::Bound;
use crate::scenario::types::*;
use crate::scenario::YearMonth;

/// Whether a kind needs a key (`Need`) or merely accepts it (`May`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Need,
    May,
}
use Use::{May, Need};

/// The keys (besides `month`, `kind` and `note`) each kind needs or accepts.
fn keys_of(kind: EventKind) -> &'static [(&'static str, Use)] {
    match kind {
        EventKind::KrElection | EventKind::JpTurnover => &[("camp", Need)],
        EventKind::UsType => &[("us_type", Need)],
        EventKind::CourtRuling => &[("issue", Need)],
        EventKind::FlareUp => &[("issue", Need), ("act", May), ("offends", May)],
        EventKind::NuclearTest => &[],
        EventKind::NkRegime => &[("regime", Need)],
        EventKind::Summit => &[("track", Need)],
        EventKind::ChinaCoercion => &[("target", May), ("months", May), ("cost", May)],
        EventKind::SetRung => &[
            ("track", Need),
            ("rung", Need),
            ("cause", May),
            ("backlash", May),
            ("cascade", May),
            ("scar", May),
            ("quality", May),
        ],
        EventKind::Settlement => &[
            ("issue", Need),
            ("quality", Need),
            ("camp", May),
            ("backlash", May),
        ],
        EventKind::Repudiation => &[("issue", Need), ("effects", May)],
        EventKind::Retaliation => &[
            ("by", Need),
            ("issue", Need),
            ("track", May),
            ("state", May),
            ("resolves", May),
            ("resolution", May),
        ],
        EventKind::CounterThreat => &[
            ("by", Need),
            ("track", May),
            ("resolves", Need),
            ("resolution", Need),
        ],
        EventKind::Restore => &[("by", Need), ("track", Need)],
        EventKind::KrCrisis | EventKind::JpCrisis => {
            &[("end", May), ("acting", May), ("cause", May)]
        }
        EventKind::Path => &[("path", Need)],
        EventKind::SetState => &[
            ("variable", Need),
            ("side", May),
            ("dyad", May),
            ("value", Need),
        ],
        EventKind::Set => &[("address", Need), ("value", Need)],
    }
}

/// Every event kind, in the order of [`EventKind`].
const ALL_KINDS: &[EventKind] = &[
    EventKind::KrElection,
    EventKind::JpTurnover,
    EventKind::UsType,
    EventKind::CourtRuling,
    EventKind::FlareUp,
    EventKind::NuclearTest,
    EventKind::NkRegime,
    EventKind::Summit,
    EventKind::ChinaCoercion,
    EventKind::SetRung,
    EventKind::Settlement,
    EventKind::Repudiation,
    EventKind::Retaliation,
    EventKind::CounterThreat,
    EventKind::Restore,
    EventKind::KrCrisis,
    EventKind::JpCrisis,
    EventKind::Path,
    EventKind::SetState,
    EventKind::Set,
];

/// Each event kind's name with the keys it needs and those it may also give (besides
/// `month`, `kind` and `note`), for `trisim explain events`.
pub fn kind_keys() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    ALL_KINDS
        .iter()
        .map(|&k| {
            let keys = keys_of(k);
            let with = |u: Use| keys.iter().filter(|x| x.1 == u).map(|x| x.0).collect();
            (kind_name(k), with(Need), with(May))
        })
        .collect()
}

/// Whether event `e` has key `k`.
fn has(e: &Event, k: &str) -> bool {
    match k {
        "camp" => e.camp.is_some(),
        "us_type" => e.us_type.is_some(),
        "issue" => e.issue.is_some(),
        "regime" => e.regime.is_some(),
        "track" => e.track.is_some(),
        "rung" => e.rung.is_some(),
        "cause" => e.cause.is_some(),
        "backlash" => e.backlash.is_some(),
        "cascade" => e.cascade.is_some(),
        "scar" => e.scar.is_some(),
        "quality" => e.quality.is_some(),
        "effects" => e.effects.is_some(),
        "by" => e.by.is_some(),
        "state" => e.state.is_some(),
        "resolves" => e.resolves.is_some(),
        "resolution" => e.resolution.is_some(),
        "end" => e.end.is_some(),
        "acting" => e.acting.is_some(),
        "path" => e.path.is_some(),
        "variable" => e.variable.is_some(),
        "side" => e.side.is_some(),
        "dyad" => e.dyad.is_some(),
        "address" => e.address.is_some(),
        "value" => e.value.is_some(),
        "act" => e.act.is_some(),
        "offends" => e.offends.is_some(),
        "target" => e.target.is_some(),
        "months" => e.months.is_some(),
        "cost" => e.cost.is_some(),
        _ => false,
    }
}

/// Every optional key of an event, in the order of [`Event`]'s fields.
const ALL_KEYS: &[&str] = &[
    "camp",
    "us_type",
    "issue",
    "regime",
    "track",
    "rung",
    "cause",
    "backlash",
    "cascade",
    "scar",
    "quality",
    "effects",
    "by",
    "state",
    "resolves",
    "resolution",
    "end",
    "acting",
    "path",
    "variable",
    "side",
    "dyad",
    "address",
    "value",
    "act",
    "offends",
    "target",
    "months",
    "cost",
];

/// What each key holds, for "needs `key` (...)" messages.
fn what(k: &str, tracks: &[&str], issues: &[&str], paths: &[&str]) -> String {
    match k {
        "camp" => "a camp: \"conservative\", \"progressive\", \"mainstream\" or \"hawkish\"".into(),
        "us_type" => "\"engaged\" or \"transactional\"".into(),
        "issue" => format!("one of {}", one_of(issues)),
        "regime" => "\"engagement\", \"testing\" or \"surge\"".into(),
        "track" => format!("one of {}", one_of(tracks)),
        "rung" => "the rung the track is set to, 0 to its `rungs`".into(),
        "quality" => "a number from 0 to 1".into(),
        "by" => "the acting side, \"KR\" or \"JP\"".into(),
        "resolves" => "the month it resolves, \"YYYY-MM\", after `month`".into(),
        "resolution" => "\"cancelled\" or \"executed\"".into(),
        "path" => format!("one of {}", one_of(paths)),
        "variable" => "\"favourability\", \"approval\", \"backlash\", \"grievance\", \"threat_nk\", \"threat_cn\" or \"trust\"".into(),
        "address" => "a parameter address as for --param, e.g. \"actors.seoul.china_exposure\"".into(),
        "value" => "a number or a distribution table".into(),
        _ => "see `trisim explain events`".into(),
    }
}

pub(super) fn kind_name(k: EventKind) -> &'static str {
    match k {
        EventKind::KrElection => "kr_election",
        EventKind::JpTurnover => "jp_turnover",
        EventKind::UsType => "us_type",
        EventKind::CourtRuling => "court_ruling",
        EventKind::FlareUp => "flare_up",
        EventKind::NuclearTest => "nuclear_test",
        EventKind::NkRegime => "nk_regime",
        EventKind::Summit => "summit",
        EventKind::ChinaCoercion => "china_coercion",
        EventKind::SetRung => "set_rung",
        EventKind::Settlement => "settlement",
        EventKind::Repudiation => "repudiation",
        EventKind::Retaliation => "retaliation",
        EventKind::CounterThreat => "counter_threat",
        EventKind::Restore => "restore",
        EventKind::KrCrisis => "kr_crisis",
        EventKind::JpCrisis => "jp_crisis",
        EventKind::Path => "path",
        EventKind::SetState => "set_state",
        EventKind::Set => "set",
    }
}

fn cause_name(c: Cause) -> &'static str {
    match c {
        Cause::Policy => "policy",
        Cause::Rollback => "rollback",
        Cause::Reversal => "reversal",
        Cause::Retaliation => "retaliation",
        Cause::Lapse => "lapse",
        Cause::Domestic => "domestic",
        Cause::PartnerPolicy => "partner_policy",
    }
}

fn resolution_name(r: Resolution) -> &'static str {
    match r {
        Resolution::Executed => "executed",
        Resolution::Dropped => "dropped",
        Resolution::Cancelled => "cancelled",
    }
}

pub(super) fn check_events(s: &Scenario, out: &mut Vec<Problem>) {
    let start = s.scenario.start;
    let horizon = s.scenario.horizon_months;
    let end = start.plus(horizon as i64);
    let tracks = names(&s.tracks);
    let paths = names(&s.paths);
    let issues: Vec<&str> = s.history.issues.iter().map(|i| i.key.as_str()).collect();
    for (i, e) in s.events.iter().enumerate() {
        if horizon > 0 && (e.month < start || e.month >= end) {
            out.push(Problem::new(
                path!["events", i, "month"],
                format!(
                    "event month {} is outside the simulated months {start} to {} (start + horizon_months - 1)",
                    e.month,
                    end.plus(-1)
                ),
            ));
        }
        let kind = kind_name(e.kind);
        let keys = keys_of(e.kind);
        let at = |field: &str| path!["events", i, field];
        for &(k, u) in keys {
            if u == Need && !has(e, k) && !(k == "resolves" && retaliation_executed(e)) {
                out.push(Problem::new(
                    path!["events", i],
                    format!(
                        "a `{kind}` event needs `{k}` ({})",
                        what(k, &tracks, &issues, &paths)
                    ),
                ));
            }
        }
        for &k in ALL_KEYS {
            if has(e, k) && !keys.iter().any(|&(n, _)| n == k) {
                out.push(
                    Problem::new(at(k), format!("`{k}` has no meaning for a `{kind}` event"))
                        .on_key(),
                );
            }
        }
        check_names(e, i, &tracks, &issues, &paths, out);
        check_values(s, e, i, kind, out);
    }
}

fn retaliation_executed(e: &Event) -> bool {
    e.kind == EventKind::Retaliation && e.state == Some(PendingState::Executed)
}

/// Tracks, issues and paths named by an event exist.
fn check_names(
    e: &Event,
    i: usize,
    tracks: &[&str],
    issues: &[&str],
    paths: &[&str],
    out: &mut Vec<Problem>,
) {
    let uses = |k: &str| keys_of(e.kind).iter().any(|&(n, _)| n == k);
    if let Some(k) = e.issue.as_deref().filter(|_| uses("issue")) {
        if !issues.contains(&k) {
            out.push(unknown(
                path!["events", i, "issue"],
                "history issue",
                k,
                issues,
            ));
        }
    }
    if let Some(t) = e.track.as_deref().filter(|_| uses("track")) {
        if !tracks.contains(&t) {
            out.push(unknown(path!["events", i, "track"], "track", t, tracks));
        }
    }
    // Defaults of `track` that a scenario may have removed.
    let default_track = match e.kind {
        EventKind::Retaliation => Some("economic_security"),
        EventKind::CounterThreat => Some("intelligence"),
        _ => None,
    };
    if let (None, Some(d)) = (&e.track, default_track) {
        if !tracks.contains(&d) {
            out.push(Problem::new(
                path!["events", i],
                format!(
                    "this scenario has no `{d}` track, the default of a `{}` event: name its `track` ({})",
                    kind_name(e.kind),
                    one_of(tracks)
                ),
            ));
        }
    }
    if let Some(p) = e.path.as_deref().filter(|_| uses("path")) {
        if !paths.contains(&p) {
            out.push(unknown(path!["events", i, "path"], "path", p, paths));
        }
    }
}

/// The values of an event fit its kind.
fn check_values(s: &Scenario, e: &Event, i: usize, kind: &str, out: &mut Vec<Problem>) {
    let at = |field: &str| path!["events", i, field];
    let after = |field: &str, m: Option<YearMonth>, out: &mut Vec<Problem>| {
        if let Some(m) = m {
            if m <= e.month {
                out.push(Problem::new(
                    at(field),
                    format!(
                        "`{field}` ({m}) must come after the event's month ({})",
                        e.month
                    ),
                ));
            }
        }
    };
    match e.kind {
        EventKind::KrElection | EventKind::Settlement => {
            if let Some(c) = e.camp.filter(|c| !c.is_korean()) {
                out.push(Problem::new(
                    at("camp"),
                    format!(
                        "a `{kind}` names a Korean camp (\"conservative\" or \"progressive\"), got \"{}\"",
                        camp_name(c)
                    ),
                ));
            }
        }
        EventKind::JpTurnover => {
            if let Some(c) = e.camp.filter(|c| c.is_korean()) {
                out.push(Problem::new(
                    at("camp"),
                    format!(
                        "a `jp_turnover` installs a Japanese camp (\"mainstream\" or \"hawkish\"), got \"{}\"",
                        camp_name(c)
                    ),
                ));
            }
        }
        _ => {}
    }
    if let (Some(r), Some(t)) = (e.rung, e.track.as_ref().and_then(|t| s.tracks.get(t))) {
        if e.kind == EventKind::SetRung && r > t.rungs {
            out.push(Problem::new(
                at("rung"),
                format!(
                    "rung {r} is above the top of the `{}` ladder (rungs = {})",
                    e.track.as_deref().unwrap_or_default(),
                    t.rungs
                ),
            ));
        }
    }
    if let Some(c) = e.cause {
        let ok: &[Cause] = match e.kind {
            EventKind::SetRung => &[
                Cause::Policy,
                Cause::Rollback,
                Cause::Reversal,
                Cause::Retaliation,
                Cause::Lapse,
            ],
            _ => &[Cause::Domestic, Cause::PartnerPolicy],
        };
        if !ok.contains(&c) {
            let names: Vec<&str> = ok.iter().map(|&c| cause_name(c)).collect();
            out.push(Problem::new(
                at("cause"),
                format!(
                    "the cause of a `{kind}` is {}, got \"{}\"",
                    one_of(&names),
                    cause_name(c)
                ),
            ));
        }
    }
    if let Some(q) = e.quality {
        if !(0.0..=1.0).contains(&q) {
            out.push(Problem::new(
                at("quality"),
                format!("a quality is from 0 to 1, got {q}"),
            ));
        }
    }
    after("resolves", e.resolves, out);
    after("end", e.end, out);
    match e.kind {
        EventKind::Retaliation => {
            if retaliation_executed(e) {
                for k in ["resolves", "resolution"] {
                    if has(e, k) {
                        out.push(
                            Problem::new(
                                at(k),
                                format!("`{k}` has no meaning for an executed retaliation (state = \"executed\" happens in its month; use state = \"pending\" to resolve later)"),
                            )
                            .on_key(),
                        );
                    }
                }
            } else if e.resolves.is_none() {
                out.push(Problem::new(
                    path!["events", i],
                    "a pending `retaliation` needs `resolves` (the month it is executed or dropped, \"YYYY-MM\"), or state = \"executed\"",
                ));
            }
            if let Some(r) = e.resolution.filter(|&r| r == Resolution::Cancelled) {
                out.push(Problem::new(
                    at("resolution"),
                    format!(
                        "a retaliation resolves \"executed\" or \"dropped\", got \"{}\" (a counter-threat is cancelled)",
                        resolution_name(r)
                    ),
                ));
            }
        }
        EventKind::CounterThreat => {
            if let Some(r) = e.resolution.filter(|&r| r == Resolution::Dropped) {
                out.push(Problem::new(
                    at("resolution"),
                    format!(
                        "a counter-threat resolves \"cancelled\" or \"executed\", got \"{}\"",
                        resolution_name(r)
                    ),
                ));
            }
        }
        EventKind::SetState => check_set_state(e, i, out),
        EventKind::ChinaCoercion => {
            if let Some(m) = e.months.filter(|m| !(1..=120).contains(m)) {
                out.push(Problem::new(
                    at("months"),
                    format!("an episode lasts 1 to 120 months, got {m}"),
                ));
            }
            if let Some(c) = e.cost.filter(|c| !(c.is_finite() && *c >= 0.0)) {
                out.push(Problem::new(
                    at("cost"),
                    format!("a cost is a non-negative number (% of GDP), got {c}"),
                ));
            }
        }
        _ => {}
    }
}

fn check_set_state(e: &Event, i: usize, out: &mut Vec<Problem>) {
    let at = |field: &str| path!["events", i, field];
    let Some(var) = e.variable else { return };
    let trust = var == StateVariable::Trust;
    if trust {
        if e.dyad.is_none() {
            out.push(Problem::new(
                path!["events", i],
                "a `set_state` of trust needs `dyad` (\"kr_jp\", \"kr_us\" or \"jp_us\")",
            ));
        }
        if e.side.is_some() {
            out.push(Problem::new(at("side"), "trust belongs to a `dyad`, not a `side`").on_key());
        }
    } else {
        if e.side.is_none() {
            out.push(Problem::new(
                path!["events", i],
                "a `set_state` needs `side` (\"KR\" or \"JP\") for this variable",
            ));
        }
        if e.dyad.is_some() {
            out.push(
                Problem::new(
                    at("dyad"),
                    "only trust has a `dyad`; this variable has a `side`",
                )
                .on_key(),
            );
        }
    }
    if let Some(Err(m)) = e.value.as_ref().map(|v| v.check(state_bound(var))) {
        out.push(Problem::new(
            at("value"),
            format!("invalid value for this state variable: {m}"),
        ));
    }
}

/// The range of a state variable set by `set_state`: backlash is a non-negative stock, the
/// others are shares from 0 to 1.
pub(crate) fn state_bound(var: StateVariable) -> Bound {
    if var == StateVariable::Backlash {
        Bound::NonNeg
    } else {
        Bound::Unit
    }
}
