//! Validation of `[output]`: record months inside the run, quantiles in (0, 1) strictly
//! increasing, transitions with unique names and conditions over numeric `records.csv` columns.

use super::*;

// ---------------------------------------------------------------------------------------------
// [output]
// ---------------------------------------------------------------------------------------------

/// `[output]`: record months inside the run, quantiles in (0, 1) strictly increasing,
/// transitions with unique names and conditions over numeric `records.csv` columns.
pub(super) fn check_output(s: &Scenario, out: &mut Vec<Problem>) {
    let o = &s.output;
    let start = s.scenario.start;
    let end = start.plus(s.scenario.horizon_months as i64);
    match &o.record_months {
        Some(RecordMonths::Keyword(k)) if k != "monthly" => out.push(
            Problem::new(
                path!["output", "record_months"],
                format!(
                    "unknown value \"{k}\"; expected \"monthly\" or a list of months \"YYYY-MM\""
                ),
            )
            .hint(did_you_mean(k, ["monthly"])),
        ),
        Some(RecordMonths::List(months)) => {
            for (i, m) in months.iter().enumerate() {
                if *m < start || *m >= end {
                    out.push(Problem::new(
                        path!["output", "record_months", i],
                        format!(
                            "record month {m} is outside the simulated months {start} to {}",
                            end.plus(-1)
                        ),
                    ));
                } else if months[..i].contains(m) {
                    out.push(Problem::new(
                        path!["output", "record_months", i],
                        format!("record month {m} is listed twice"),
                    ));
                }
            }
        }
        _ => {}
    }
    if o.quantiles.is_empty() || o.quantiles.len() > 99 {
        out.push(Problem::new(
            path!["output", "quantiles"],
            format!("expected 1 to 99 probabilities, got {}", o.quantiles.len()),
        ));
    }
    for (i, q) in o.quantiles.iter().enumerate() {
        if !(*q > 0.0 && *q < 1.0) {
            out.push(Problem::new(
                path!["output", "quantiles", i],
                format!("a quantile's probability must be in (0, 1), got {q}"),
            ));
        } else if i > 0 && *q <= o.quantiles[i - 1] {
            out.push(Problem::new(
                path!["output", "quantiles", i],
                format!(
                    "quantiles must be strictly increasing: {q} follows {}",
                    o.quantiles[i - 1]
                ),
            ));
        }
    }
    let tracks: Vec<String> = s.tracks.keys().cloned().collect();
    let issues: Vec<String> = s.history.issues.iter().map(|i| i.key.clone()).collect();
    let columns = crate::model::record::columns(&tracks, &issues);
    for (i, t) in o.transitions.iter().enumerate() {
        if t.name.is_empty()
            || !t
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            out.push(Problem::new(
                path!["output", "transitions", i, "name"],
                format!(
                    "transition name `{}` must be letters, digits, `_` and `-` (it names the outcome first.<name>)",
                    t.name
                ),
            ));
        } else if o.transitions[..i].iter().any(|u| u.name == t.name) {
            out.push(Problem::new(
                path!["output", "transitions", i, "name"],
                format!("transition `{}` is defined twice", t.name),
            ));
        }
        if let Err(e) = crate::model::record::Condition::parse(&t.condition, &columns) {
            out.push(
                Problem::new(path!["output", "transitions", i, "condition"], e.message)
                    .hint(e.hint),
            );
        }
    }
}
