//! Semantic validation of a deserialized scenario.
//!
//! [`validate`] checks everything serde cannot: numeric ranges of every parameter (and the
//! parameters of distributions), counts, calendar months, and every cross reference between
//! tables (paths, tracks, issues, outcomes), and returns **every** problem it finds, each with
//! the dotted key of the offending value, a message saying what was expected, and a
//! nearest-name hint where a name is wrong. `load.rs` maps the keys to file locations.

use super::calendar::YearMonth;
use super::error::{Diagnostic, ScenarioError};
use super::param::{num, Bound, Dist, Param, ParamVisitor, VisitParams};
use super::types::*;
use crate::model::outcomes::OUTCOMES;
use indexmap::IndexMap;
use std::collections::HashSet;
use std::fmt;

/// Longest horizon accepted (100 years), so a typo cannot exhaust memory.
pub const MAX_HORIZON_MONTHS: u32 = 1200;

/// Highest top rung a track may have (`rungs`), and so the highest rung any `initial`,
/// prerequisite, path target or US expectation may name. The default ladders
/// (docs/model.md §1.2) have 1 to 3 rungs; 20 leaves ample room while keeping rungs well
/// inside the model's 8-bit rung counters.
pub const MAX_RUNGS: u32 = 20;

/// One segment of a key path: a table key or an array index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(s: &str) -> Self {
        Seg::Key(s.to_string())
    }
}

impl From<String> for Seg {
    fn from(s: String) -> Self {
        Seg::Key(s)
    }
}

impl From<&String> for Seg {
    fn from(s: &String) -> Self {
        Seg::Key(s.clone())
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Self {
        Seg::Index(i)
    }
}

/// Builds a key path from segments: `path!["tracks", name, "requires", 0]`.
macro_rules! path {
    ($($s:expr),* $(,)?) => { vec![$(Seg::from($s)),*] };
}

/// Whether `k` can be written as a bare TOML key.
fn is_bare(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A key path as written in messages: `history.issues[0].salience`, `paths."my path".gates`.
pub fn format_key(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                if is_bare(k) {
                    s.push_str(k);
                } else {
                    s.push_str(&format!("{k:?}"));
                }
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// The nearest name to `word` among `candidates`, if one is close enough to be a likely typo.
///
/// This is trisim's one did-you-mean matcher: the loader, the validator and every other module
/// (engine, command line) should call it — or [`did_you_mean`] for the ready-made hint — rather
/// than keep their own, so that suggestions are the same everywhere. Matching ignores case and
/// accepts a small edit distance (Damerau–Levenshtein up to a third of the length), a high
/// Jaro–Winkler similarity, or a candidate containing `word`; an exact match is skipped (it is
/// no typo).
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let mut best: Option<(&str, usize, f64)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let cl = c.to_lowercase();
        let (wn, cn) = (lower.chars().count(), cl.chars().count());
        let short = wn <= 2;
        // With lengths this different the edit distance (at least 3 × the shorter length) and
        // the Jaro–Winkler similarity (below 0.85) are far from close: only containment can
        // match, so the O(n × m) metrics are skipped (a name of a million characters would
        // otherwise take seconds and hundreds of megabytes per candidate).
        if wn.max(cn) > 4 * wn.min(cn) + 8 {
            let contained = if short {
                cl.starts_with(&lower)
            } else {
                cl.contains(&lower)
            };
            if !contained {
                continue;
            }
        }
        let d = strsim::damerau_levenshtein(&lower, &cl);
        let jw = strsim::jaro_winkler(&lower, &cl);
        let len = wn.min(cn);
        let close = (!short && (d <= (len / 3).max(1) || jw >= 0.88 || cl.contains(&lower)))
            || (short && cl.starts_with(&lower))
            || d == 0;
        if !close {
            continue;
        }
        let better = match best {
            None => true,
            Some((_, bd, bjw)) => d < bd || (d == bd && jw > bjw),
        };
        if better {
            best = Some((c, d, jw));
        }
    }
    best.map(|b| b.0)
}

/// "did you mean `x`?" for the [`nearest`] candidate, if any: the hint to attach to any
/// message about an unknown name (public so that every module reuses it).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    nearest(word, candidates).map(|n| format!("did you mean `{n}`?"))
}

/// "`a`, `b` or `c`".
pub fn one_of<S: AsRef<str>>(names: &[S]) -> String {
    match names {
        [] => "(none)".to_string(),
        [a] => format!("`{}`", a.as_ref()),
        _ => {
            let (last, rest) = names.split_last().expect("non-empty");
            let rest: Vec<String> = rest.iter().map(|n| format!("`{}`", n.as_ref())).collect();
            format!("{} or `{}`", rest.join(", "), last.as_ref())
        }
    }
}

/// One semantic problem of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Key path of the offending value.
    pub path: Vec<Seg>,
    /// What is wrong and what was expected.
    pub message: String,
    /// Nearest valid name, when a name is wrong.
    pub hint: Option<String>,
    /// Whether the problem is the key itself (a name) rather than its value.
    pub on_key: bool,
    /// The other value of a conflict (e.g. the `rungs` a prerequisite exceeds), used for the
    /// location when `path` is a default not written in the file, and to skip the problem when
    /// that value is a placeholder put in by the loader for a broken or missing one.
    pub related: Option<Vec<Seg>>,
}

impl Problem {
    fn new(path: Vec<Seg>, message: impl Into<String>) -> Self {
        Problem {
            path,
            message: message.into(),
            hint: None,
            on_key: false,
            related: None,
        }
    }

    fn hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    fn related(mut self, path: Vec<Seg>) -> Self {
        self.related = Some(path);
        self
    }

    fn on_key(mut self) -> Self {
        self.on_key = true;
        self
    }

    /// The dotted key, e.g. `history.issues[0].salience`.
    pub fn key(&self) -> String {
        format_key(&self.path)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key(), self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

/// Checks a deserialized scenario; returns every problem (empty when valid).
pub fn validate(s: &Scenario) -> Vec<Problem> {
    let mut out = Vec::new();
    check_params(s, &mut out);
    check_meta(s, &mut out);
    check_world(s, &mut out);
    check_actors(s, &mut out);
    check_history(s, &mut out);
    check_tracks(s, &mut out);
    check_paths(s, &mut out);
    check_events(s, &mut out);
    check_schedules(s, &mut out);
    check_sweep(s, &mut out);
    check_output(s, &mut out);
    out
}

/// [`validate`] as a `Result`, for scenarios built or changed in code (e.g. command-line
/// overrides): each problem becomes a diagnostic named `origin`, without a file location.
pub fn check(s: &Scenario, origin: &str) -> Result<(), ScenarioError> {
    let problems = validate(s);
    if problems.is_empty() {
        return Ok(());
    }
    Err(ScenarioError::new(
        problems
            .into_iter()
            .map(|p| {
                Diagnostic::new(origin, p.message.clone())
                    .with_key(p.key())
                    .with_hint(p.hint)
            })
            .collect(),
    ))
}

fn names(m: &IndexMap<String, impl Sized>) -> Vec<&str> {
    m.keys().map(String::as_str).collect()
}

/// A reference to an unknown name: message listing the valid names plus a nearest-name hint.
fn unknown(path: Vec<Seg>, what: &str, name: &str, valid: &[&str]) -> Problem {
    Problem::new(
        path,
        format!("unknown {what} `{name}`; expected one of {}", one_of(valid)),
    )
    .hint(did_you_mean(name, valid.iter().copied()))
}

// ---------------------------------------------------------------------------------------------
// Numeric parameters
// ---------------------------------------------------------------------------------------------

/// Every numeric parameter against its bound. The visitor reports dotted addresses; to map them
/// back to key paths even when names contain dots, tracks, paths, gates and issues are renamed
/// to their index in a scratch copy first.
fn check_params(s: &Scenario, out: &mut Vec<Problem>) {
    let mut scratch = s.clone();
    scratch.tracks = scratch
        .tracks
        .into_values()
        .enumerate()
        .map(|(i, t)| (i.to_string(), t))
        .collect();
    scratch.paths = scratch
        .paths
        .into_values()
        .enumerate()
        .map(|(i, mut p)| {
            p.gates = std::mem::take(&mut p.gates)
                .into_values()
                .enumerate()
                .map(|(j, g)| (j.to_string(), g))
                .collect();
            (i.to_string(), p)
        })
        .collect();
    for (i, issue) in scratch.history.issues.iter_mut().enumerate() {
        issue.key = i.to_string();
    }
    let mut found: Vec<(String, String)> = Vec::new();
    scratch.visit_params(&mut ParamVisitor::new(&mut |addr, p, bound| {
        if let Err(e) = p.check(bound) {
            found.push((addr.to_string(), e));
        } else if let Some(e) = overflowing_draws(p) {
            found.push((addr.to_string(), e));
        } else if let Param::Dist(d) = p {
            let mass = mass_in(d, bound);
            if mass < MIN_MASS_IN_RANGE {
                found.push((
                    addr.to_string(),
                    format!(
                        "only {:.1}% of this distribution lies in the valid range {}; draws are truncated to that range, so the distribution would be badly distorted (move or narrow it)",
                        100.0 * mass,
                        bound.describe()
                    ),
                ));
            }
        }
    }));
    for (addr, msg) in found {
        let path = address_to_path(s, &addr);
        let field = addr.rsplit('.').next().unwrap_or(&addr).to_string();
        out.push(Problem::new(path, format!("invalid `{field}`: {msg}")));
    }
}

/// Maps a visitor address of the renamed scratch copy to the key path in the real scenario.
fn address_to_path(s: &Scenario, addr: &str) -> Vec<Seg> {
    let parts: Vec<&str> = addr.split('.').collect();
    let idx = |i: usize| parts.get(i).and_then(|p| p.parse::<usize>().ok());
    let mut path: Vec<Seg> = parts.iter().map(|p| Seg::from(*p)).collect();
    match parts.first().copied() {
        Some("tracks") => {
            if let Some((name, _)) = idx(1).and_then(|i| s.tracks.get_index(i)) {
                path[1] = Seg::from(name);
            }
        }
        Some("paths") => {
            if let Some((name, p)) = idx(1).and_then(|i| s.paths.get_index(i)) {
                path[1] = Seg::from(name);
                if parts.get(2) == Some(&"gates") {
                    if let Some((g, _)) = idx(3).and_then(|j| p.gates.get_index(j)) {
                        path[3] = Seg::from(g);
                    }
                }
            }
        }
        Some("history") if parts.get(1) == Some(&"issues") => {
            if let Some(i) = idx(2) {
                path[2] = Seg::Index(i);
            }
        }
        Some("world") if parts.get(2) == Some(&"transition") => {
            if let Some(i) = idx(4) {
                path[4] = Seg::Index(i);
            }
        }
        _ => {}
    }
    path
}

/// Largest |z| of a standard normal draw: Box–Muller from uniforms on a 2⁻⁵³ grid gives at most
/// √(−2 ln 2⁻⁵³) ≈ 8.6.
const MAX_Z: f64 = 9.0;

/// Largest `mu + 9 sigma` of a lognormal distribution: `exp` of more than ln(f64::MAX) ≈ 709.8
/// is infinite.
const MAX_LOG: f64 = 709.0;

/// A distribution whose parameters are finite but so large that a draw overflows (to ∞, or to
/// NaN) would put a non-finite number into the model: truncation cannot repair such a draw.
fn overflowing_draws(p: &Param) -> Option<String> {
    let Param::Dist(d) = p else { return None };
    match *d {
        Dist::Uniform { low, high } if !(high - low).is_finite() => Some(format!(
            "uniform distribution from {} to {} is too wide to draw from (high − low overflows)",
            num(low),
            num(high)
        )),
        Dist::Normal { mean, sd } if !(mean.abs() + MAX_Z * sd).is_finite() => Some(format!(
            "normal(mean = {}, sd = {}) is too large to draw from: |mean| + 9 sd overflows",
            num(mean),
            num(sd)
        )),
        Dist::Beta { alpha, beta } if !(alpha + beta).is_finite() => Some(format!(
            "beta(alpha = {}, beta = {}) is too large to draw from: alpha + beta overflows",
            num(alpha),
            num(beta)
        )),
        Dist::Triangular { min, max, .. } if !((max - min) * (max - min)).is_finite() => {
            Some(format!(
                "triangular distribution from {} to {} is too wide to draw from (max − min must be below 1e154)",
                num(min),
                num(max)
            ))
        }
        Dist::Lognormal { mu, sigma } if mu + MAX_Z * sigma > MAX_LOG => Some(format!(
            "lognormal(mu = {}, sigma = {}) draws exp(mu + sigma z), which overflows to infinity: mu + 9 sigma must be at most {}",
            num(mu),
            num(sigma),
            num(MAX_LOG)
        )),
        _ => None,
    }
}

/// Smallest share of a distribution that must lie in its parameter's valid range.
pub const MIN_MASS_IN_RANGE: f64 = 0.05;

/// Standard normal CDF (Abramowitz–Stegun 7.1.26, absolute error < 1.5e-7).
fn std_normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.3275911 * z);
    let poly = t
        * (0.254829592
            + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    let erfc = poly * (-z * z).exp();
    if x >= 0.0 {
        1.0 - 0.5 * erfc
    } else {
        0.5 * erfc
    }
}

/// Probability that a draw of `d` (before truncation) lies within `bound`.
fn mass_in(d: &Dist, bound: Bound) -> f64 {
    let (lo, hi) = bound.limits();
    let point = |x: f64| if x >= lo && x <= hi { 1.0 } else { 0.0 };
    let m = match *d {
        Dist::Uniform { low, high } => {
            if high > low {
                (high.min(hi) - low.max(lo)).max(0.0) / (high - low)
            } else {
                point(low)
            }
        }
        Dist::Normal { mean, sd } => {
            if sd > 0.0 {
                std_normal_cdf((hi - mean) / sd) - std_normal_cdf((lo - mean) / sd)
            } else {
                point(mean)
            }
        }
        // Support [0, 1]; every bound in use contains (almost) all of it.
        Dist::Beta { .. } => 1.0,
        Dist::Triangular { min, mode, max } => {
            let cdf = |x: f64| {
                if x <= min {
                    0.0
                } else if x >= max {
                    1.0
                } else if x <= mode {
                    (x - min).powi(2) / ((max - min) * (mode - min))
                } else {
                    1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
                }
            };
            cdf(hi) - cdf(lo)
        }
        Dist::Lognormal { mu, sigma } => {
            let ln = |x: f64| if x <= 0.0 { f64::NEG_INFINITY } else { x.ln() };
            if sigma > 0.0 {
                std_normal_cdf((ln(hi) - mu) / sigma) - std_normal_cdf((ln(lo) - mu) / sigma)
            } else {
                point(mu.exp())
            }
        }
        // Every value must lie in range (checked with the distribution).
        Dist::Empirical { .. } => 1.0,
    };
    if m.is_nan() {
        0.0
    } else {
        m
    }
}

/// The largest value a parameter can take within `bound` (used to tell whether a set of
/// weights can all be zero).
fn upper_support(p: &Param, bound: Bound) -> f64 {
    let (lo, hi) = bound.limits();
    let clamp = |x: f64| x.clamp(lo, hi);
    match p {
        Param::Fixed(x) => *x,
        Param::Dist(d) => match *d {
            Dist::Uniform { high, .. } => clamp(high),
            Dist::Normal { mean, sd } => {
                if sd > 0.0 {
                    hi
                } else {
                    clamp(mean)
                }
            }
            Dist::Beta { .. } => clamp(1.0),
            Dist::Triangular { max, .. } => clamp(max),
            Dist::Lognormal { mu, sigma } => {
                if sigma > 0.0 {
                    hi
                } else {
                    clamp(mu.exp())
                }
            }
            Dist::Empirical { .. } => clamp(d.empirical_range().map_or(lo, |r| r.1)),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// [scenario]
// ---------------------------------------------------------------------------------------------

/// Unicode's bidirectional formatting characters (marks, embeddings, overrides, isolates): in a
/// name they would reorder the text printed after it in tables, charts and the report.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn check_meta(s: &Scenario, out: &mut Vec<Problem>) {
    let m = &s.scenario;
    // The name is shown in tables, charts and the report (escaped there) and names the
    // results folder only through `output::dir::safe_name`, so any printable text is fine.
    let name_ok = !m.name.trim().is_empty()
        && m.name.chars().count() <= 100
        && !m.name.chars().any(|c| c.is_control() || is_bidi_control(c));
    if !name_ok {
        out.push(Problem::new(
            path!["scenario", "name"],
            format!(
                "invalid scenario name {:?}: it must be 1 to 100 characters, not blank, with no control characters (tabs, newlines, or bidirectional overrides, which would reverse the text shown after them)",
                m.name
            ),
        ));
    }
    if m.horizon_months == 0 {
        out.push(Problem::new(
            path!["scenario", "horizon_months"],
            "horizon_months must be at least 1 (the number of simulated months), got 0",
        ));
    } else if m.horizon_months > MAX_HORIZON_MONTHS {
        out.push(Problem::new(
            path!["scenario", "horizon_months"],
            format!(
                "horizon_months must be at most {MAX_HORIZON_MONTHS} (100 years), got {}",
                m.horizon_months
            ),
        ));
    }
    if m.replications == 0 {
        out.push(Problem::new(
            path!["scenario", "replications"],
            "replications must be at least 1, got 0",
        ));
    } else if m.replications > i64::MAX as u64 {
        out.push(Problem::new(
            path!["scenario", "replications"],
            format!(
                "replications must be at most {}, got {}",
                i64::MAX,
                m.replications
            ),
        ));
    }
    if m.seed > i64::MAX as u64 {
        out.push(Problem::new(
            path!["scenario", "seed"],
            format!(
                "seed must be at most {} (TOML integers are signed 64-bit), got {}",
                i64::MAX,
                m.seed
            ),
        ));
    }
    if !(m.target_ci.is_finite() && (0.0..=1.0).contains(&m.target_ci)) {
        out.push(Problem::new(
            path!["scenario", "target_ci"],
            format!(
                "target_ci must be a cooperation-index level in [0, 1], got {}",
                m.target_ci
            ),
        ));
    }
    let path_names = names(&s.paths);
    if !s.paths.contains_key(&m.reference_path) {
        out.push(unknown(
            path!["scenario", "reference_path"],
            "path",
            &m.reference_path,
            &path_names,
        ));
    } else if !m.paths.is_empty() && !m.paths.contains(&m.reference_path) {
        out.push(
            Problem::new(
                path!["scenario", "reference_path"],
                format!(
                    "reference path `{}` is not among the paths to run ({}): the others are compared with it",
                    m.reference_path,
                    one_of(&m.paths)
                ),
            )
            .hint(Some(format!(
                "add \"{}\" to `scenario.paths`, or choose one of them as reference_path",
                m.reference_path
            )))
            .related(path!["scenario", "paths"]),
        );
    }
    let mut seen = HashSet::new();
    for (i, p) in m.paths.iter().enumerate() {
        if !s.paths.contains_key(p) {
            out.push(unknown(
                path!["scenario", "paths", i],
                "path",
                p,
                &path_names,
            ));
        } else if !seen.insert(p) {
            out.push(Problem::new(
                path!["scenario", "paths", i],
                format!("path `{p}` is listed twice"),
            ));
        }
    }
    for (camp, p) in [
        ("conservative", &m.path_by_camp.conservative),
        ("progressive", &m.path_by_camp.progressive),
    ] {
        if let Some(p) = p {
            if !s.paths.contains_key(p) {
                out.push(unknown(
                    path!["scenario", "path_by_camp", camp],
                    "path",
                    p,
                    &path_names,
                ));
            }
        }
    }
    let mut previous: Option<YearMonth> = None;
    for (i, e) in m.path_schedule.iter().enumerate() {
        if !s.paths.contains_key(&e.path) {
            out.push(unknown(
                path!["scenario", "path_schedule", i, "path"],
                "path",
                &e.path,
                &path_names,
            ));
        }
        if let Some(u) = e.until {
            if u <= e.from {
                out.push(Problem::new(
                    path!["scenario", "path_schedule", i, "until"],
                    format!(
                        "`until` ({u}) must come after `from` ({}): it is the first month the path is no longer in force",
                        e.from
                    ),
                ));
            }
        }
        if let Some(prev) = previous {
            if e.from <= prev {
                out.push(
                    Problem::new(
                        path!["scenario", "path_schedule", i, "from"],
                        format!(
                            "path_schedule entries must be in increasing order of `from`: {} does not come after {prev}",
                            e.from
                        ),
                    )
                    .related(path!["scenario", "path_schedule", i - 1, "from"]),
                );
            }
        }
        previous = Some(e.from);
    }
    let outcome_keys: Vec<&str> = OUTCOMES.iter().map(|o| o.key).collect();
    for (k, w) in &m.score {
        if !outcome_keys.contains(&k.as_str()) {
            out.push(unknown(path!["scenario", "score", k], "outcome", k, &outcome_keys).on_key());
        } else if !w.is_finite() {
            out.push(Problem::new(
                path!["scenario", "score", k],
                format!("score weight must be a finite number, got {w}"),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// [world]
// ---------------------------------------------------------------------------------------------

fn check_world(s: &Scenario, out: &mut Vec<Problem>) {
    let w = &s.world;
    for (name, row) in [
        ("engagement", &w.nk.transition.engagement),
        ("testing", &w.nk.transition.testing),
        ("surge", &w.nk.transition.surge),
    ] {
        let sum: f64 = row.iter().map(|p| upper_support(p, Bound::Unit)).sum();
        if sum.is_nan() || sum <= 0.0 {
            out.push(Problem::new(
                path!["world", "nk", "transition", name],
                format!(
                    "transition row `{name}` must have a positive sum (it is renormalised to probabilities of moving to engagement, testing, surge); every entry is 0"
                ),
            ));
        }
    }
    let us = &w.us;
    let interval = path!["world", "us", "interval_months"];
    let lag = path!["world", "us", "inauguration_lag_months"];
    let interval_ok = whole_number(
        &us.interval_months,
        INTERVAL_MONTHS,
        interval.clone(),
        "months",
        out,
    );
    let lag_ok = whole_number(
        &us.inauguration_lag_months,
        INAUGURATION_LAG_MONTHS,
        lag.clone(),
        "months",
        out,
    );
    if interval_ok && lag_ok {
        let (shortest, _) = rounded_support(&us.interval_months, INTERVAL_MONTHS);
        let (_, longest) = rounded_support(&us.inauguration_lag_months, INAUGURATION_LAG_MONTHS);
        if longest >= shortest {
            let message = if us.interval_months.is_fixed() && us.inauguration_lag_months.is_fixed()
            {
                format!(
                    "inauguration_lag_months ({}) must be shorter than interval_months ({})",
                    num(longest),
                    num(shortest)
                )
            } else {
                format!(
                    "inauguration_lag_months must be shorter than interval_months in every replication, but the lag can be as long as {} and the interval as short as {} (whole months, after truncation to the valid ranges and rounding); narrow the distributions, e.g. with a uniform or triangular one",
                    num(longest),
                    num(shortest)
                )
            };
            out.push(Problem::new(lag, message).related(interval));
        }
    }
    whole_number(
        &w.elections.kr_term_months,
        KR_TERM_MONTHS,
        path!["world", "elections", "kr_term_months"],
        "months",
        out,
    );
}

/// For a fixed parameter that counts whole months (or moves), checks that it is a whole
/// number; a distribution is rounded after sampling, so any distribution passes. Returns
/// whether the parameter is usable (in range and, when fixed, whole), so that checks relating
/// it to other parameters run only on sound values (range errors are reported by
/// [`check_params`]).
fn whole_number(
    p: &Param,
    bound: Bound,
    path: Vec<Seg>,
    unit: &str,
    out: &mut Vec<Problem>,
) -> bool {
    if p.check(bound).is_err() {
        return false;
    }
    match p {
        Param::Fixed(x) if x.fract() != 0.0 => {
            let name = match path.last() {
                Some(Seg::Key(k)) => k.as_str(),
                _ => "value",
            };
            out.push(
                Problem::new(
                    path.clone(),
                    format!("{name} must be a whole number of {unit}, got {}", num(*x)),
                )
                .hint(Some(
                    "write an integer, or a distribution (its draws are rounded to the nearest integer)"
                        .to_string(),
                )),
            );
            false
        }
        _ => true,
    }
}

/// The smallest and largest values a whole-number parameter can take in a replication: its
/// support truncated to `bound`, rounded to the nearest integers.
fn rounded_support(p: &Param, bound: Bound) -> (f64, f64) {
    let (lo, hi) = bound.limits();
    let clamp = |x: f64| x.clamp(lo, hi);
    let (a, b) = match p {
        Param::Fixed(x) => (*x, *x),
        Param::Dist(d) => match *d {
            Dist::Uniform { low, high } => (clamp(low), clamp(high)),
            Dist::Normal { mean, sd } => {
                if sd > 0.0 {
                    (lo, hi)
                } else {
                    (clamp(mean), clamp(mean))
                }
            }
            Dist::Beta { .. } => (clamp(0.0), clamp(1.0)),
            Dist::Triangular { min, max, .. } => (clamp(min), clamp(max)),
            Dist::Lognormal { mu, sigma } => {
                if sigma > 0.0 {
                    (clamp(0.0), hi)
                } else {
                    (clamp(mu.exp()), clamp(mu.exp()))
                }
            }
            Dist::Empirical { .. } => {
                let (a, b) = d.empirical_range().unwrap_or((lo, lo));
                (clamp(a), clamp(b))
            }
        },
    };
    (a.round(), b.round())
}

// ---------------------------------------------------------------------------------------------
// [actors]
// ---------------------------------------------------------------------------------------------

fn check_actors(s: &Scenario, out: &mut Vec<Problem>) {
    let a = &s.actors;
    if !a.seoul.camp.is_korean() {
        out.push(Problem::new(
            path!["actors", "seoul", "camp"],
            format!(
                "Seoul's camp must be a Korean camp (\"conservative\" or \"progressive\"), got \"{}\"",
                camp_name(a.seoul.camp)
            ),
        ));
    }
    if a.tokyo.camp.is_korean() {
        out.push(Problem::new(
            path!["actors", "tokyo", "camp"],
            format!(
                "Tokyo's camp must be a Japanese camp (\"mainstream\" or \"hawkish\"), got \"{}\"",
                camp_name(a.tokyo.camp)
            ),
        ));
    }
    let tracks = names(&s.tracks);
    for (k, rung) in &a.washington.expectations {
        let path = path!["actors", "washington", "expectations", k];
        match s.tracks.get(k) {
            None => out.push(unknown(path, "track", k, &tracks).on_key()),
            Some(t) if *rung > t.rungs && t.rungs > 0 => out.push(
                Problem::new(
                    path,
                    format!(
                        "the US expects rung {rung} of track `{k}`, above the track's top rung {}",
                        t.rungs
                    ),
                )
                .hint(Some(format!(
                    "lower `actors.washington.expectations.{k}` or raise `tracks.{k}.rungs`"
                )))
                .related(path!["tracks", k, "rungs"]),
            ),
            Some(_) if *rung > MAX_RUNGS => {
                out.push(Problem::new(path, above_max("expected rung", *rung)))
            }
            _ => {}
        }
    }
}

/// A rung above [`MAX_RUNGS`] (on a track whose own `rungs` is reported as too high).
fn above_max(what: &str, rung: u32) -> String {
    format!("{what} {rung} is above the highest rung a track may have ({MAX_RUNGS})")
}

fn camp_name(c: Camp) -> &'static str {
    match c {
        Camp::Conservative => "conservative",
        Camp::Progressive => "progressive",
        Camp::Mainstream => "mainstream",
        Camp::Hawkish => "hawkish",
    }
}

// ---------------------------------------------------------------------------------------------
// [history]
// ---------------------------------------------------------------------------------------------

fn check_history(s: &Scenario, out: &mut Vec<Problem>) {
    let mut seen = HashSet::new();
    for (i, issue) in s.history.issues.iter().enumerate() {
        if !is_bare(&issue.key) {
            out.push(Problem::new(
                path!["history", "issues", i, "key"],
                format!(
                    "invalid issue key {:?}: use letters, digits, `_` and `-`",
                    issue.key
                ),
            ));
        } else if !seen.insert(issue.key.as_str()) {
            out.push(Problem::new(
                path!["history", "issues", i, "key"],
                format!(
                    "issue key `{}` is used twice: issue keys must be unique",
                    issue.key
                ),
            ));
        }
        for (j, m) in issue.seasonal_months.iter().enumerate() {
            if !(1..=12).contains(m) {
                out.push(Problem::new(
                    path!["history", "issues", i, "seasonal_months", j],
                    format!("seasonal months are calendar months 1 to 12, got {m}"),
                ));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// [tracks]
// ---------------------------------------------------------------------------------------------

fn check_tracks(s: &Scenario, out: &mut Vec<Problem>) {
    let tracks = names(&s.tracks);
    for (key, t) in &s.tracks {
        if !is_bare(key) {
            out.push(
                Problem::new(
                    path!["tracks", key],
                    format!("invalid track key {key:?}: use letters, digits, `_` and `-`"),
                )
                .on_key(),
            );
        }
        if t.rungs == 0 {
            out.push(Problem::new(
                path!["tracks", key, "rungs"],
                "a track needs at least 1 rung above 0, got rungs = 0",
            ));
        } else {
            if t.rungs > MAX_RUNGS {
                out.push(Problem::new(
                    path!["tracks", key, "rungs"],
                    format!(
                        "a track has at most {MAX_RUNGS} rungs above 0, got rungs = {}",
                        t.rungs
                    ),
                ));
            }
            if t.initial > t.rungs {
                out.push(
                    Problem::new(
                        path!["tracks", key, "initial"],
                        format!(
                            "initial rung {} is above the track's top rung {}",
                            t.initial, t.rungs
                        ),
                    )
                    .related(path!["tracks", key, "rungs"]),
                );
            } else if t.initial > MAX_RUNGS {
                out.push(Problem::new(
                    path!["tracks", key, "initial"],
                    above_max("initial rung", t.initial),
                ));
            }
        }
        for (j, req) in t.requires.iter().enumerate() {
            match s.tracks.get(&req.track) {
                None => out.push(unknown(
                    path!["tracks", key, "requires", j, "track"],
                    "track",
                    &req.track,
                    &tracks,
                )),
                // (rungs = 0 is reported on its own)
                Some(other) if req.rung > other.rungs && other.rungs > 0 => out.push(
                    Problem::new(
                        path!["tracks", key, "requires", j, "rung"],
                        format!(
                            "prerequisite rung {} of `{}` is above that track's top rung {}: `{key}` could never move",
                            req.rung, req.track, other.rungs
                        ),
                    )
                    .related(path!["tracks", &req.track, "rungs"]),
                ),
                Some(_) if req.rung > MAX_RUNGS => out.push(Problem::new(
                    path!["tracks", key, "requires", j, "rung"],
                    above_max("prerequisite rung", req.rung),
                )),
                _ => {}
            }
        }
    }
    let total_w: f64 = s
        .tracks
        .values()
        .map(|t| upper_support(&t.w, Bound::NonNeg))
        .sum();
    if s.tracks.values().all(|t| t.w.check(Bound::NonNeg).is_ok()) && total_w <= 0.0 {
        out.push(Problem::new(
            path!["tracks"],
            "the track weights `w` are all 0: the cooperation index would be undefined",
        ));
    }
    check_cycles(s, out);
}

/// Reports each prerequisite cycle (among prerequisites of rung ≥ 1, which can block) once.
fn check_cycles(s: &Scenario, out: &mut Vec<Problem>) {
    let n = s.tracks.len();
    // Edges: (target index, requires index) for each blocking prerequisite.
    let edges: Vec<Vec<(usize, usize)>> = s
        .tracks
        .values()
        .map(|t| {
            t.requires
                .iter()
                .enumerate()
                .filter(|(_, r)| r.rung >= 1)
                .filter_map(|(j, r)| s.tracks.get_index_of(&r.track).map(|to| (to, j)))
                .collect()
        })
        .collect();
    // 0 = unvisited, 1 = on stack, 2 = done. Iterative DFS to stay safe on deep graphs.
    let mut state = vec![0u8; n];
    let mut reported: HashSet<Vec<usize>> = HashSet::new();
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if *next < edges[node].len() {
                let (to, _) = edges[node][*next];
                *next += 1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|&(x, _)| x == to).unwrap_or(0);
                        let cycle: Vec<usize> = stack[from..].iter().map(|&(x, _)| x).collect();
                        let mut canon = cycle.clone();
                        canon.sort_unstable();
                        if reported.insert(canon) {
                            out.push(cycle_problem(s, &cycle, &edges));
                        }
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
}

fn cycle_problem(s: &Scenario, cycle: &[usize], edges: &[Vec<(usize, usize)>]) -> Problem {
    // Start the cycle at its first track in file order, for a stable message.
    let first = cycle
        .iter()
        .enumerate()
        .min_by_key(|(_, &x)| x)
        .map_or(0, |(i, _)| i);
    let rotated: Vec<usize> = cycle[first..]
        .iter()
        .chain(&cycle[..first])
        .copied()
        .collect();
    let name = |i: usize| s.tracks.get_index(i).map_or("?", |(k, _)| k.as_str());
    let mut chain: Vec<&str> = rotated.iter().map(|&i| name(i)).collect();
    chain.push(name(rotated[0]));
    let head = rotated[0];
    let next = rotated.get(1).copied().unwrap_or(head);
    let j = edges[head]
        .iter()
        .find(|&&(to, _)| to == next)
        .map_or(0, |&(_, j)| j);
    Problem::new(
        path!["tracks", name(head), "requires", j, "track"],
        format!(
            "prerequisite cycle: {} (each requires the next at rung >= 1, so none of them can ever move)",
            chain.join(" → ")
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// [paths]
// ---------------------------------------------------------------------------------------------

fn check_paths(s: &Scenario, out: &mut Vec<Problem>) {
    let tracks = names(&s.tracks);
    for (name, p) in &s.paths {
        whole_number(
            &p.min_dwell_months,
            MIN_DWELL_MONTHS,
            path!["paths", name, "min_dwell_months"],
            "months",
            out,
        );
        whole_number(
            &p.max_moves_per_month,
            MAX_MOVES_PER_MONTH,
            path!["paths", name, "max_moves_per_month"],
            "moves",
            out,
        );
        if !is_bare(name) {
            out.push(
                Problem::new(
                    path!["paths", name],
                    format!("invalid path name {name:?}: use letters, digits, `_` and `-`"),
                )
                .on_key(),
            );
        }
        for (g, gate) in &p.gates {
            if !s.tracks.contains_key(g) {
                out.push(unknown(path!["paths", name, "gates", g], "track", g, &tracks).on_key());
            }
            if let Some(m) = &gate.calm_months {
                whole_number(
                    m,
                    GATE_CALM_MONTHS,
                    path!["paths", name, "gates", g, "calm_months"],
                    "months",
                    out,
                );
            }
        }
        let mut seen_camps = HashSet::new();
        for (i, c) in p.camps.iter().enumerate() {
            if !c.is_korean() {
                out.push(Problem::new(
                    path!["paths", name, "camps", i],
                    format!(
                        "a path applies to Korean camps (\"conservative\" or \"progressive\"), got \"{}\"",
                        camp_name(*c)
                    ),
                ));
            } else if !seen_camps.insert(*c) {
                out.push(Problem::new(
                    path!["paths", name, "camps", i],
                    format!("camp \"{}\" is listed twice", camp_name(*c)),
                ));
            }
        }
        for (t, rung) in &p.targets {
            let path = path!["paths", name, "targets", t];
            match s.tracks.get(t) {
                None => out.push(unknown(path, "track", t, &tracks).on_key()),
                Some(spec) if *rung > spec.rungs && spec.rungs > 0 => out.push(
                    Problem::new(
                        path,
                        format!(
                            "target rung {rung} is above the top rung {} of track `{t}`",
                            spec.rungs
                        ),
                    )
                    .related(path!["tracks", t, "rungs"]),
                ),
                Some(_) if *rung > MAX_RUNGS => {
                    out.push(Problem::new(path, above_max("target rung", *rung)))
                }
                _ => {}
            }
        }
        if let Sequence::Explicit(list) = &p.sequence {
            let mut seen = HashSet::new();
            if list.is_empty() {
                out.push(Problem::new(
                    path!["paths", name, "sequence"],
                    "an explicit sequence must list at least one track (or use \"low_sensitivity_first\" / \"military_first\")",
                ));
            }
            for (i, t) in list.iter().enumerate() {
                if !s.tracks.contains_key(t) {
                    out.push(unknown(
                        path!["paths", name, "sequence", i],
                        "track",
                        t,
                        &tracks,
                    ));
                } else if !seen.insert(t) {
                    out.push(Problem::new(
                        path!["paths", name, "sequence", i],
                        format!("track `{t}` is listed twice in the sequence"),
                    ));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// [sweep]
// ---------------------------------------------------------------------------------------------

fn check_sweep(s: &Scenario, out: &mut Vec<Problem>) {
    use super::sweep::{DesignKind, MAX_POINTS};
    let Some(sw) = &s.sweep else { return };
    let design = sw.design;
    if sw.parameters.is_empty() {
        out.push(
            Problem::new(
                path!["sweep", "parameters"],
                "a sweep needs at least one parameter in [sweep.parameters]",
            )
            .hint(Some(
                "e.g. \"actors.seoul.favourability\" = { values = [0.15, 0.3, 0.45] }".into(),
            )),
        );
    }
    match (design, sw.n) {
        (DesignKind::Grid, Some(_)) => out.push(Problem::new(
            path!["sweep", "n"],
            "`n` (--points) applies to design = \"lhs\" or \"sobol\"; a grid's size is set by the values and steps of its parameters",
        )),
        (_, Some(n)) if n < 2 => out.push(Problem::new(
            path!["sweep", "n"],
            format!("`n` must be at least 2, got {n}"),
        )),
        _ => {}
    }
    if let Some(r) = sw.replications {
        if r == 0 {
            out.push(Problem::new(
                path!["sweep", "replications"],
                "replications must be at least 1, got 0",
            ));
        }
    }
    if let Some(o) = &sw.outcome {
        let mut valid: Vec<&str> = OUTCOMES.iter().map(|x| x.key).collect();
        if !s.scenario.score.is_empty() {
            valid.push("score");
        }
        if !valid.contains(&o.as_str()) {
            out.push(unknown(path!["sweep", "outcome"], "outcome", o, &valid));
        }
    }
    if let Some(pd) = &sw.path_diff {
        let paths = names(&s.paths);
        match pd.split_once(':') {
            Some((a, b)) if !a.is_empty() && !b.is_empty() => {
                for p in [a, b] {
                    if !s.paths.contains_key(p) {
                        out.push(unknown(path!["sweep", "path_diff"], "path", p, &paths));
                    }
                }
                if a == b {
                    out.push(Problem::new(
                        path!["sweep", "path_diff"],
                        format!("path_diff compares a path with itself (`{pd}`); name two different paths"),
                    ));
                }
            }
            _ => out.push(Problem::new(
                path!["sweep", "path_diff"],
                format!("expected \"PATH:PATH\" (e.g. \"hasty:gradual\" for hasty − gradual), got `{pd}`"),
            )),
        }
    }
    let addresses = super::address::all(s);
    for (key, p) in &sw.parameters {
        let at = |rest: &[&str]| {
            let mut v = path!["sweep", "parameters", key];
            v.extend(rest.iter().map(|r| Seg::from(*r)));
            v
        };
        let Some(a) = addresses.iter().find(|a| &a.key == key) else {
            let valid: Vec<&str> = addresses.iter().map(|a| a.key.as_str()).collect();
            out.push(
                Problem::new(
                    at(&[]),
                    format!("unknown parameter address `{key}`; a swept parameter must be a numeric parameter of the scenario (a number or distribution in `trisim show`; structural integers such as rungs, initial rungs, targets and seasonal months, and the score weights, cannot be swept)"),
                )
                .hint(did_you_mean(key, valid.iter().copied()))
                .on_key(),
            );
            continue;
        };
        let in_range = |x: f64, path: Vec<Seg>, out: &mut Vec<Problem>| {
            if let Err(e) = Param::Fixed(x).check(a.bound) {
                out.push(Problem::new(path, format!("{key}: {e}")));
            } else if a.whole && x.fract() != 0.0 && design == DesignKind::Grid {
                out.push(Problem::new(
                    path,
                    format!("{key} counts whole months or moves; got {}", num(x)),
                ));
            }
        };
        match (&p.values, &p.range) {
            (Some(_), Some(_)) | (None, None) => out.push(Problem::new(
                at(&[]),
                format!(
                    "`{key}` needs exactly one of `values = [...]` or `range = {{ low, high{} }}`",
                    if design == DesignKind::Grid {
                        ", steps"
                    } else {
                        ""
                    }
                ),
            )),
            (Some(values), None) => {
                if design != DesignKind::Grid {
                    out.push(Problem::new(
                        at(&["values"]),
                        format!("design = \"{}\" samples ranges; write `range = {{ low = ..., high = ... }}` (on the command line: --param ADDR=LOW..HIGH) instead of a list of values", design.name()),
                    ));
                } else if values.is_empty() {
                    out.push(Problem::new(
                        at(&["values"]),
                        "`values` is empty; list at least one value",
                    ));
                }
                let (lo, hi) = p.bounds();
                if lo.is_finite() && hi.is_finite() && !(hi - lo).is_finite() {
                    out.push(Problem::new(
                        at(&["values"]),
                        format!(
                            "the values from {} to {} span too wide a range to compute with",
                            num(lo),
                            num(hi)
                        ),
                    ));
                }
                // Values seen so far (0 and -0 are one value; NaN is reported as such).
                let mut seen = HashSet::new();
                for (i, x) in values.iter().enumerate() {
                    let mut path = at(&["values"]);
                    path.push(Seg::Index(i));
                    in_range(*x, path.clone(), out);
                    if !x.is_nan() && !seen.insert((x + 0.0).to_bits()) {
                        out.push(Problem::new(
                            path,
                            format!("value {} is listed twice", num(*x)),
                        ));
                    }
                }
            }
            (None, Some(r)) => {
                in_range(r.low, at(&["range", "low"]), out);
                in_range(r.high, at(&["range", "high"]), out);
                if r.low.is_finite() && r.high.is_finite() && !(r.high - r.low).is_finite() {
                    out.push(Problem::new(
                        at(&["range"]),
                        format!("the range from {} to {} is too wide to compute with (its width overflows)", num(r.low), num(r.high)),
                    ));
                }
                if r.low.is_finite() && r.high.is_finite() && r.low >= r.high {
                    out.push(Problem::new(
                        at(&["range", "high"]),
                        format!(
                            "empty range: high ({}) must be above low ({})",
                            num(r.high),
                            num(r.low)
                        ),
                    ));
                }
                match (design, r.steps) {
                    (DesignKind::Grid, None) => out.push(Problem::new(
                        at(&["range"]),
                        "a grid range needs `steps` (the number of evenly spaced values, at least 2)",
                    )),
                    (DesignKind::Grid, Some(st)) if st < 2 => out.push(Problem::new(
                        at(&["range", "steps"]),
                        format!("steps must be at least 2 (both ends of the range), got {st}"),
                    )),
                    (DesignKind::Grid, Some(st)) if a.whole && r.low.fract() == 0.0 && r.high.fract() == 0.0
                        && ((r.high - r.low) % (st as f64 - 1.0)) != 0.0 =>
                    {
                        out.push(Problem::new(
                            at(&["range", "steps"]),
                            format!("{key} counts whole months or moves, but {st} steps from {} to {} are not whole numbers", num(r.low), num(r.high)),
                        ));
                    }
                    (DesignKind::Lhs | DesignKind::Sobol, Some(_)) => out.push(Problem::new(
                        at(&["range", "steps"]),
                        format!("`steps` applies to design = \"grid\"; design = \"{}\" samples the range", design.name()),
                    )),
                    _ => {}
                }
            }
        }
    }
    if design == DesignKind::Sobol && sw.parameters.len() > 128 {
        out.push(Problem::new(
            path!["sweep", "parameters"],
            format!(
                "a Sobol' design takes at most 128 parameters, got {}",
                sw.parameters.len()
            ),
        ));
    }
    let points = sw.points();
    if points > MAX_POINTS {
        out.push(Problem::new(
            path!["sweep"],
            format!(
                "the sweep has {points} design points, more than the limit of {MAX_POINTS} (each point keeps its summary in memory); {}",
                match design {
                    DesignKind::Grid => "use fewer values or steps, or an lhs design",
                    DesignKind::Lhs => "use a smaller n",
                    DesignKind::Sobol => "use a smaller n (base samples) or fewer parameters",
                }
            ),
        ));
    }
}

// `set` events and `[[series]]`: see `validate/schedules.rs`; `[output]`: `validate/output.rs`.
mod output;
mod schedules;
use output::check_output;
use schedules::check_schedules;

// [[events]]: see `validate/events.rs`.
mod events;
use events::check_events;
pub use events::kind_keys as event_kind_keys;
pub(crate) use events::state_bound;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::param::p;

    fn keys(problems: &[Problem]) -> Vec<String> {
        problems.iter().map(Problem::key).collect()
    }

    #[test]
    fn defaults_are_valid() {
        let problems = validate(&Scenario::default());
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn nearest_finds_typos_only() {
        let c = ["favourability", "favourability_target", "approval"];
        assert_eq!(nearest("favourabilty", c), Some("favourability"));
        assert_eq!(nearest("aproval", c), Some("approval"));
        assert_eq!(nearest("zzz", c), None);
        assert_eq!(nearest("x", ["b", "w"]), None);
        assert_eq!(nearest("hi", ["low", "high"]), Some("high"));
        assert_eq!(nearest("Gradual", ["gradual", "hasty"]), Some("gradual"));
        assert_eq!(
            did_you_mean("gradul", ["gradual", "hasty"]).as_deref(),
            Some("did you mean `gradual`?")
        );
    }

    #[test]
    fn format_key_quotes_odd_names() {
        assert_eq!(
            format_key(&[
                Seg::from("history"),
                Seg::from("issues"),
                Seg::Index(2),
                Seg::from("salience")
            ]),
            "history.issues[2].salience"
        );
        assert_eq!(
            format_key(&[Seg::from("paths"), Seg::from("my path")]),
            "paths.\"my path\""
        );
    }

    #[test]
    fn parameter_problems_have_real_keys() {
        let mut s = Scenario::default();
        s.actors.seoul.favourability = p(1.5);
        s.history.issues[1].hazard = p(-0.1);
        s.tracks.get_mut("regional").unwrap().w = p(f64::NAN);
        s.paths
            .get_mut("gradual")
            .unwrap()
            .gates
            .get_mut("summitry")
            .unwrap()
            .trust = p(2.0);
        s.world.nk.transition.testing[2] = Param::Dist(Dist::Uniform {
            low: 0.5,
            high: 0.1,
        });
        let k = keys(&validate(&s));
        assert_eq!(
            k,
            [
                "world.nk.transition.testing[2]",
                "actors.seoul.favourability",
                "history.issues[1].hazard",
                "tracks.regional.w",
                "paths.gradual.gates.summitry.trust",
            ]
        );
    }

    #[test]
    fn distributions_mostly_outside_their_range_are_rejected() {
        let mut s = Scenario::default();
        // 2.5% inside [0, 1]: rejected.
        s.actors.seoul.approval = Param::Dist(Dist::Uniform {
            low: 0.9,
            high: 4.9,
        });
        // About 0.6% at or above 0: rejected.
        s.world.china.h0 = Param::Dist(Dist::Normal {
            mean: -0.05,
            sd: 0.02,
        });
        // Half inside: fine.
        s.actors.tokyo.approval = Param::Dist(Dist::Normal { mean: 1.0, sd: 0.1 });
        // exp(N(2, 0.5)) is almost never <= 1: rejected.
        s.relations.trust_kr_jp = Param::Dist(Dist::Lognormal {
            mu: 2.0,
            sigma: 0.5,
        });
        let problems = validate(&s);
        assert_eq!(
            keys(&problems),
            [
                "world.china.h0",
                "actors.seoul.approval",
                "relations.trust_kr_jp"
            ]
        );
        assert!(
            problems[1].message.contains("only 2.5%"),
            "{}",
            problems[1].message
        );
        assert!((std_normal_cdf(1.96) - 0.975).abs() < 1e-4);
        assert!((std_normal_cdf(-1.0) - 0.158_655).abs() < 1e-5);
    }

    #[test]
    fn cross_references_and_hints() {
        let mut s = Scenario::default();
        s.scenario.reference_path = "gradul".into();
        s.scenario.paths = vec!["hasty".into(), "hasty".into()];
        s.scenario.score.insert("final_cii".into(), 1.0);
        s.tracks.get_mut("intelligence").unwrap().requires[0].track = "sumitry".into();
        s.paths
            .get_mut("hasty")
            .unwrap()
            .targets
            .insert("regionl".into(), 1);
        let problems = validate(&s);
        let k = keys(&problems);
        assert_eq!(
            k,
            [
                "scenario.reference_path",
                "scenario.paths[1]",
                "scenario.score.final_cii",
                "tracks.intelligence.requires[0].track",
                "paths.hasty.targets.regionl",
            ],
            "{problems:#?}"
        );
        assert_eq!(problems[0].hint.as_deref(), Some("did you mean `gradual`?"));
        assert_eq!(
            problems[2].hint.as_deref(),
            Some("did you mean `final_ci`?")
        );
        assert_eq!(
            problems[3].hint.as_deref(),
            Some("did you mean `summitry`?")
        );
        assert_eq!(
            problems[4].hint.as_deref(),
            Some("did you mean `regional`?")
        );
        assert!(problems[4].on_key);
    }

    #[test]
    fn check_turns_problems_into_diagnostics() {
        assert_eq!(check(&Scenario::default(), "x"), Ok(()));
        let mut s = Scenario::default();
        s.scenario.replications = 0;
        s.scenario.paths = vec!["hastey".into()];
        let e = check(&s, "command line").unwrap_err();
        assert_eq!(e.len(), 3, "{e}");
        assert_eq!(e.diagnostics[0].file, "command line");
        assert_eq!(
            e.diagnostics[0].key.as_deref(),
            Some("scenario.replications")
        );
        assert_eq!(
            e.diagnostics[2].hint.as_deref(),
            Some("did you mean `hasty`?")
        );
    }

    #[test]
    fn reference_must_be_selected() {
        let mut s = Scenario::default();
        s.scenario.paths = vec!["hasty".into()];
        let problems = validate(&s);
        assert_eq!(keys(&problems), ["scenario.reference_path"]);
        assert!(problems[0].message.contains("not among the paths to run"));
    }

    #[test]
    fn cycles_are_reported_once_with_the_chain() {
        let mut s = Scenario::default();
        s.tracks.get_mut("summitry").unwrap().requires = vec![Prerequisite {
            track: "regional".into(),
            rung: 1,
        }];
        let problems = validate(&s);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].key(), "tracks.summitry.requires[0].track");
        assert!(
            problems[0]
                .message
                .contains("summitry → regional → summitry"),
            "{}",
            problems[0].message
        );
        // A rung-0 prerequisite never blocks, so it is no cycle.
        s.tracks.get_mut("summitry").unwrap().requires[0].rung = 0;
        assert!(validate(&s).is_empty());
    }

    #[test]
    fn counts_and_tracks() {
        let mut s = Scenario::default();
        s.scenario.replications = 0;
        s.scenario.horizon_months = 0;
        s.scenario.target_ci = 1.5;
        s.tracks.get_mut("summitry").unwrap().initial = 4;
        s.tracks.get_mut("nontraditional").unwrap().rungs = 0;
        s.tracks.get_mut("regional").unwrap().requires[0].rung = 5;
        s.history.issues[0].seasonal_months = vec![0, 13];
        s.history.issues[2].key = s.history.issues[1].key.clone();
        s.actors.seoul.camp = Camp::Hawkish;
        s.actors.tokyo.camp = Camp::Progressive;
        s.world.us.interval_months = Param::Fixed(0.0);
        s.world.elections.kr_term_months = Param::Fixed(0.0);
        let k = keys(&validate(&s));
        assert_eq!(
            k,
            [
                // Out of their valid ranges: reported with the other numeric parameters.
                "world.us.interval_months",
                "world.elections.kr_term_months",
                "scenario.horizon_months",
                "scenario.replications",
                "scenario.target_ci",
                "actors.seoul.camp",
                "actors.tokyo.camp",
                "history.issues[0].seasonal_months[0]",
                "history.issues[0].seasonal_months[1]",
                "history.issues[2].key",
                "tracks.summitry.initial",
                "tracks.nontraditional.rungs",
                "tracks.regional.requires[0].rung",
            ]
        );
    }

    #[test]
    fn whole_month_parameters() {
        let mut s = Scenario::default();
        s.paths.get_mut("gradual").unwrap().min_dwell_months = Param::Fixed(2.5);
        s.paths.get_mut("hasty").unwrap().max_moves_per_month = Param::Fixed(21.0);
        s.paths.get_mut("parallel").unwrap().min_dwell_months = Param::Dist(Dist::Uniform {
            low: 2.5,
            high: 8.0,
        });
        s.world.elections.kr_term_months = Param::Fixed(59.9);
        let problems = validate(&s);
        let k = keys(&problems);
        assert_eq!(
            k,
            [
                "paths.hasty.max_moves_per_month",
                "world.elections.kr_term_months",
                "paths.gradual.min_dwell_months",
            ],
            "{problems:?}"
        );
        assert!(
            problems[0]
                .message
                .contains("outside the valid range [0, 20]"),
            "{}",
            problems[0]
        );
        assert_eq!(
            problems[1].message,
            "kr_term_months must be a whole number of months, got 59.9"
        );
        assert_eq!(
            problems[2].message,
            "min_dwell_months must be a whole number of months, got 2.5"
        );

        // The lag must be shorter than the interval whatever the draws.
        let mut s = Scenario::default();
        s.world.us.interval_months = Param::Fixed(12.0);
        s.world.us.inauguration_lag_months = Param::Fixed(12.0);
        let problems = validate(&s);
        assert_eq!(keys(&problems), ["world.us.inauguration_lag_months"]);
        assert_eq!(
            problems[0].message,
            "inauguration_lag_months (12) must be shorter than interval_months (12)"
        );
        s.world.us.inauguration_lag_months = Param::Dist(Dist::Uniform {
            low: 1.0,
            high: 11.4,
        });
        assert!(validate(&s).is_empty());
        s.world.us.inauguration_lag_months = Param::Dist(Dist::Uniform {
            low: 1.0,
            high: 11.6,
        });
        assert_eq!(keys(&validate(&s)), ["world.us.inauguration_lag_months"]);
        // A normal interval can be drawn anywhere in [1, 240].
        s.world.us.inauguration_lag_months = Param::Fixed(2.0);
        s.world.us.interval_months = Param::Dist(Dist::Normal {
            mean: 48.0,
            sd: 2.0,
        });
        let problems = validate(&s);
        assert_eq!(keys(&problems), ["world.us.inauguration_lag_months"]);
        assert!(
            problems[0].message.contains(
                "the lag can be as long as 2 and the interval as short as 1 (whole months"
            ),
            "{}",
            problems[0]
        );
        s.world.us.interval_months = Param::Dist(Dist::Triangular {
            min: 44.0,
            mode: 48.0,
            max: 52.0,
        });
        assert!(validate(&s).is_empty());
    }

    #[test]
    fn rungs_have_a_maximum() {
        let mut s = Scenario::default();
        let t = s.tracks.get_mut("summitry").unwrap();
        t.rungs = 300;
        t.initial = 25;
        s.tracks.get_mut("regional").unwrap().requires[0].rung = 21;
        s.paths
            .get_mut("hasty")
            .unwrap()
            .targets
            .insert("summitry".into(), 255);
        s.actors
            .washington
            .expectations
            .insert("summitry".into(), 30);
        let problems = validate(&s);
        assert_eq!(
            keys(&problems),
            [
                "actors.washington.expectations.summitry",
                "tracks.summitry.rungs",
                "tracks.summitry.initial",
                "tracks.regional.requires[0].rung",
                "paths.hasty.targets.summitry",
            ],
            "{problems:#?}"
        );
        assert_eq!(
            problems[1].message,
            "a track has at most 20 rungs above 0, got rungs = 300"
        );
        assert!(problems[2]
            .message
            .contains("highest rung a track may have (20)"));
        // The maximum itself is fine.
        let mut s = Scenario::default();
        let t = s.tracks.get_mut("summitry").unwrap();
        t.rungs = MAX_RUNGS;
        t.initial = MAX_RUNGS;
        assert!(validate(&s).is_empty());
    }

    #[test]
    fn transition_rows_and_weights_must_not_vanish() {
        let mut s = Scenario::default();
        s.world.nk.transition.surge = [p(0.0), p(0.0), p(0.0)];
        for t in s.tracks.values_mut() {
            t.w = p(0.0);
        }
        assert_eq!(keys(&validate(&s)), ["world.nk.transition.surge", "tracks"]);
    }

    #[test]
    fn events_need_their_fields_and_months() {
        let mut s = Scenario::default();
        let ev = |m: &str, kind| Event::new(m.parse().unwrap(), kind);
        s.events = vec![
            ev("2023-03", EventKind::NuclearTest),
            ev("2033-04", EventKind::NuclearTest),
            ev("2033-03", EventKind::KrElection),
            Event {
                camp: Some(Camp::Hawkish),
                ..ev("2024-01", EventKind::KrElection)
            },
            Event {
                camp: Some(Camp::Progressive),
                ..ev("2024-01", EventKind::JpTurnover)
            },
            ev("2024-01", EventKind::UsType),
            Event {
                issue: Some("textbook".into()),
                ..ev("2024-01", EventKind::FlareUp)
            },
            ev("2024-01", EventKind::CourtRuling),
            Event {
                track: Some("sumitry".into()),
                ..ev("2024-01", EventKind::Summit)
            },
            Event {
                track: Some("summitry".into()),
                ..ev("2024-01", EventKind::NkRegime)
            },
        ];
        let problems = validate(&s);
        assert_eq!(
            keys(&problems),
            [
                "events[0].month",
                "events[1].month",
                "events[2]",
                "events[3].camp",
                "events[4].camp",
                "events[5]",
                "events[6].issue",
                "events[7]",
                "events[8].track",
                "events[9]",
                "events[9].track",
            ],
            "{problems:#?}"
        );
        assert!(problems[1].message.contains("2023-04 to 2033-03"));
        assert_eq!(
            problems[6].hint.as_deref(),
            Some("did you mean `textbooks`?")
        );
        assert_eq!(
            problems[8].hint.as_deref(),
            Some("did you mean `summitry`?")
        );
    }
}
