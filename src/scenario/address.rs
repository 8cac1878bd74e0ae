//! Parameter addresses: every numeric parameter of a scenario is named by its dotted key, as
//! written in the file: `actors.seoul.favourability`, `world.nk.surge.mean`,
//! `paths.hasty.transparency`, `history.issues.forced_labor.salience` (issues by `key`),
//! `tracks.regional.lock_in`, `paths.gradual.gates.regional.trust`.
//!
//! Sweeps and sensitivity studies set parameters by address; an unknown address is an error
//! naming the nearest valid one.

use super::param::{Bound, Param, ParamVisitor, VisitParams};
use super::types::Scenario;
use super::validate::did_you_mean;

/// One numeric parameter of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Address {
    /// Dotted key, e.g. `actors.seoul.favourability`.
    pub key: String,
    /// Valid range.
    pub bound: Bound,
    /// Counts whole months or moves: a value set by address is rounded to the nearest integer.
    pub whole: bool,
    /// The parameter as the scenario has it (a number or a distribution).
    pub value: Param,
}

/// Addresses of the parameters that count whole months or moves (rounded when set).
fn is_whole(key: &str) -> bool {
    matches!(
        key,
        "world.us.interval_months"
            | "world.us.inauguration_lag_months"
            | "world.elections.kr_term_months"
            | "world.china.episode_months"
    ) || (key.starts_with("paths.")
        && !key.contains(".gates.")
        && (key.ends_with(".min_dwell_months") || key.ends_with(".max_moves_per_month")))
        || (key.starts_with("paths.") && key.contains(".gates.") && key.ends_with(".calm_months"))
}

/// Every numeric parameter of `s`, in the order of the effective scenario.
pub fn all(s: &Scenario) -> Vec<Address> {
    let mut out = Vec::new();
    let mut copy = s.clone();
    copy.visit_params(&mut ParamVisitor::new(&mut |key, p, bound| {
        out.push(Address {
            key: key.to_string(),
            bound,
            whole: is_whole(key),
            value: p.clone(),
        })
    }));
    out
}

/// The parameter at `key`, or an error message naming the nearest valid address.
pub fn find(s: &Scenario, key: &str) -> Result<Address, String> {
    let all = all(s);
    if let Some(a) = all.iter().find(|a| a.key == key) {
        return Ok(a.clone());
    }
    let mut msg = format!("unknown parameter address `{key}`");
    // Prefer a near miss among the addresses sharing the longest known prefix.
    if let Some(hint) = did_you_mean(key, all.iter().map(|a| a.key.as_str())) {
        msg.push_str("; ");
        msg.push_str(&hint);
    } else {
        msg.push_str("; `trisim show SCENARIO` lists every key (numeric keys are addresses)");
    }
    Err(msg)
}

/// The value `x` as it is set at an address: rounded for whole-number parameters.
pub fn effective_value(a: &Address, x: f64) -> f64 {
    if a.whole {
        x.round()
    } else {
        x
    }
}

/// Sets the parameter at `key` to the fixed value `x` (rounded for whole-number parameters).
/// Returns false if there is no such parameter. The value is not checked: see
/// [`super::validate::check`].
pub fn set(s: &mut Scenario, key: &str, x: f64) -> bool {
    let mut found = false;
    s.visit_params(&mut ParamVisitor::new(&mut |k, p, _| {
        if k == key {
            *p = Param::Fixed(if is_whole(k) { x.round() } else { x });
            found = true;
        }
    }));
    found
}

/// Sets several parameters at once (`keys[i]` to `values[i]`); false if any key is unknown.
pub fn set_all(s: &mut Scenario, keys: &[String], values: &[f64]) -> bool {
    let mut hits = 0;
    s.visit_params(&mut ParamVisitor::new(&mut |k, p, _| {
        if let Some(i) = keys.iter().position(|key| key == k) {
            *p = Param::Fixed(if is_whole(k) {
                values[i].round()
            } else {
                values[i]
            });
            hits += 1;
        }
    }));
    hits == keys.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::param::Dist;

    #[test]
    fn addresses_name_every_kind_of_parameter() {
        let s = Scenario::default();
        let keys: Vec<String> = all(&s).into_iter().map(|a| a.key).collect();
        for k in [
            "actors.seoul.favourability",
            "world.nk.surge.mean",
            "paths.hasty.transparency",
            "history.issues.forced_labor.salience",
            "tracks.regional.lock_in",
            "world.politics.b_crit",
            "relations.trust_kr_jp",
        ] {
            assert!(keys.iter().any(|x| x == k), "{k} missing");
        }
        // Keys are unique.
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), keys.len());
    }

    #[test]
    fn set_changes_only_that_parameter_and_rounds_whole_months() {
        let mut s = Scenario::default();
        let before = all(&s);
        assert!(set(&mut s, "actors.seoul.favourability", 0.42));
        assert_eq!(s.actors.seoul.favourability, Param::Fixed(0.42));
        assert!(set(&mut s, "paths.gradual.min_dwell_months", 8.4));
        assert_eq!(s.paths["gradual"].min_dwell_months, Param::Fixed(8.0));
        assert!(!set(&mut s, "actors.seoul.favorability", 0.1));
        let after = all(&s);
        let changed: Vec<&str> = before
            .iter()
            .zip(&after)
            .filter(|(a, b)| a.value != b.value)
            .map(|(a, _)| a.key.as_str())
            .collect();
        assert_eq!(
            changed,
            [
                "actors.seoul.favourability",
                "paths.gradual.min_dwell_months"
            ]
        );
    }

    #[test]
    fn set_replaces_a_distribution_by_a_number() {
        let mut s = Scenario::default();
        s.relations.trust_kr_jp = Param::Dist(Dist::Uniform {
            low: 0.1,
            high: 0.3,
        });
        assert!(set_all(
            &mut s,
            &[
                "relations.trust_kr_jp".into(),
                "world.us.interval_months".into()
            ],
            &[0.25, 47.7]
        ));
        assert_eq!(s.relations.trust_kr_jp, Param::Fixed(0.25));
        assert_eq!(s.world.us.interval_months, Param::Fixed(48.0));
    }

    #[test]
    fn unknown_address_names_the_nearest() {
        let s = Scenario::default();
        let e = find(&s, "actors.seoul.favorability").unwrap_err();
        assert_eq!(
            e,
            "unknown parameter address `actors.seoul.favorability`; did you mean `actors.seoul.favourability`?"
        );
        let e = find(&s, "history.issues.forced_labour.salience").unwrap_err();
        assert!(
            e.contains("did you mean `history.issues.forced_labor.salience`"),
            "{e}"
        );
        let a = find(&s, "world.us.interval_months").unwrap();
        assert!(a.whole);
        assert!(!find(&s, "paths.hasty.transparency").unwrap().whole);
    }
}
