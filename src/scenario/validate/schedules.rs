//! Validation of time-varying parameters: `set` events and `[[series]]` (addresses that can be
//! scheduled, values in range, points in increasing month order) and `world.nk.observed`.

use super::*;

/// `set` events and `[[series]]` (time-varying parameters, see `series.rs`): schedulable
/// addresses, values in range, points in increasing month order.
pub(super) fn check_schedules(s: &Scenario, out: &mut Vec<Problem>) {
    use crate::scenario::series::schedulable;
    let bad_address =
        |path: Vec<Seg>, (msg, hint): (String, Option<String>)| Problem::new(path, msg).hint(hint);
    for (i, e) in s.events.iter().enumerate() {
        // A missing `address` or `value` is reported with the other keys (validate/events.rs).
        let (EventKind::Set, Some(key)) = (e.kind, &e.address) else {
            continue;
        };
        let a = match schedulable(s, key) {
            Ok(a) => a,
            Err(m) => {
                out.push(bad_address(path!["events", i, "address"], m));
                continue;
            }
        };
        if let Some(Err(m)) = e.value.as_ref().map(|v| v.check(a.bound)) {
            out.push(Problem::new(
                path!["events", i, "value"],
                format!("invalid value for `{key}`: {m}"),
            ));
        }
    }
    for (j, sr) in s.series.iter().enumerate() {
        let a = match schedulable(s, &sr.address) {
            Ok(a) => Some(a),
            Err(m) => {
                out.push(bad_address(path!["series", j, "address"], m));
                None
            }
        };
        match (&sr.file, &sr.points) {
            (None, None) => out.push(Problem::new(
                path!["series", j],
                "a series needs `file` (a CSV with month or year, and value) or `points` (e.g. [[\"2015-01\", 0.25], [\"2018-01\", 0.27]])",
            )),
            (Some(_), Some(_)) => out.push(
                Problem::new(path!["series", j, "points"], "give either `file` or `points`, not both")
                    .on_key(),
            ),
            (Some(f), None) if f.trim().is_empty() => out.push(Problem::new(
                path!["series", j, "file"],
                "`file` is empty: expected the name of a CSV file",
            )),
            (None, Some(pts)) if pts.is_empty() => out.push(Problem::new(
                path!["series", j, "points"],
                "no points: expected at least one [\"YYYY-MM\", value] pair",
            )),
            (None, Some(pts)) => {
                for (k, (m, x)) in pts.iter().enumerate() {
                    if k > 0 && *m <= pts[k - 1].0 {
                        out.push(Problem::new(
                            path!["series", j, "points", k, 0],
                            format!("month {m} after {}: expected points in increasing month order, each month once", pts[k - 1].0),
                        ));
                    }
                    if let Some(a) = &a {
                        if let Err(msg) = Param::Fixed(*x).check(a.bound) {
                            out.push(Problem::new(
                                path!["series", j, "points", k, 1],
                                format!("invalid value for `{}`: {msg}", sr.address),
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if s.world
        .nk
        .observed
        .as_deref()
        .is_some_and(|f| f.trim().is_empty())
    {
        out.push(Problem::new(
            path!["world", "nk", "observed"],
            "`observed` is empty: expected the name of a CSV file of monthly launches",
        ));
    }
}
