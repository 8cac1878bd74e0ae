//! Observed drivers and time-varying parameters (docs/model.md §3.18): the files named by
//! `[world.nk] observed` and `[[series]] file`, and the address checks shared by `[[series]]`
//! and `set` events.
//!
//! The files are small CSVs with a header row; columns are found by name, extra columns are
//! ignored. Every problem is reported with the CSV file, line and column and what was expected.
//! The model never sees a file: the loader puts the rows in [`Observed`] (plain vectors).

use super::address::{self, Address};
use super::calendar::YearMonth;
use super::error::Diagnostic;
use super::param::{num, Bound};
use super::types::{NkObservedMonth, NkRegime, Scenario};

/// Parameters read only when the state is initialised (the first month): a schedule could
/// not change them. Matched on the last segment of the address.
const INITIAL_STATES: &[(&str, &str)] = &[
    ("actors.seoul.", "approval"),
    ("actors.seoul.", "backlash"),
    ("actors.seoul.", "favourability"),
    ("actors.seoul.", "threat_nk"),
    ("actors.tokyo.", "approval"),
    ("actors.tokyo.", "backlash"),
    ("actors.tokyo.", "favourability"),
    ("actors.tokyo.", "threat_nk"),
    ("relations.", "trust_kr_jp"),
    ("relations.", "trust_kr_us"),
    ("relations.", "trust_jp_us"),
    ("tracks.", "lock_in"),
    ("history.issues.", "salience"),
    ("history.issues.", "settlement_quality"),
];

/// Whether the parameter at `key` is only an initial state.
pub fn is_initial_state(key: &str) -> bool {
    INITIAL_STATES.iter().any(|(prefix, last)| {
        key.starts_with(prefix)
            && key
                .rsplit_once('.')
                .is_some_and(|(head, tail)| tail == *last && head.len() + 1 >= prefix.len())
    })
}

/// The parameter a `[[series]]` or `set` event may schedule at `key`: an error message (and
/// the nearest valid address as a hint) for an unknown address or an initial state.
pub fn schedulable(s: &Scenario, key: &str) -> Result<Address, (String, Option<String>)> {
    let a = address::find(s, key).map_err(|msg| match msg.split_once("; ") {
        Some((m, h)) => (
            format!("{m}: expected a numeric parameter of the scenario (structural integers such as rungs and initial rungs cannot be scheduled)"),
            Some(h.to_string()),
        ),
        None => (msg, None),
    })?;
    if is_initial_state(key) {
        return Err((
            format!("`{key}` is an initial state, read only when the simulation starts: a schedule cannot change it"),
            Some("set a state once with a `set_state` event (kind = \"set_state\") instead".into()),
        ));
    }
    Ok(a)
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

/// One data row: its 1-based line and its fields with their 1-based columns.
struct Row {
    line: usize,
    fields: Vec<(usize, String)>,
}

/// A parsed CSV: the header (lower-case, trimmed) and the data rows (blank lines skipped).
struct Csv<'a> {
    file: &'a str,
    text: &'a str,
    header: Vec<String>,
    rows: Vec<Row>,
}

fn split_line(line: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut col = 1;
    let mut start = 1;
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
                col += 1;
            }
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push((start, std::mem::take(&mut cur)));
                start = col + 1;
            }
            c => cur.push(c),
        }
        col += 1;
    }
    out.push((start, cur));
    out
}

impl<'a> Csv<'a> {
    fn parse(text: &'a str, file: &'a str) -> Result<Csv<'a>, Box<Diagnostic>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((_, head)) = lines.next() else {
            let mut d = Diagnostic::new(
                file,
                "the file is empty: expected a header row (e.g. `month,value`) and data rows",
            );
            (d.line, d.column) = (Some(1), Some(1));
            return Err(Box::new(d));
        };
        let header = split_line(head)
            .into_iter()
            .map(|(_, h)| h.trim().to_ascii_lowercase())
            .collect();
        let rows = lines
            .map(|(line, l)| Row {
                line,
                fields: split_line(l),
            })
            .collect();
        Ok(Csv {
            file,
            text,
            header,
            rows,
        })
    }

    fn col(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| names.contains(&h.as_str()))
    }

    /// A problem at `line`, `column` of the file.
    fn err(&self, line: usize, column: usize, msg: String) -> Box<Diagnostic> {
        let mut d = Diagnostic::new(self.file, msg);
        d.line = Some(line);
        d.column = Some(column);
        if let Some(text) = self.text.lines().nth(line - 1) {
            let width = text
                .chars()
                .skip(column - 1)
                .take_while(|c| *c != ',')
                .count();
            d.snippet = Some(super::error::Snippet {
                text: text.trim_end_matches('\r').to_string(),
                column,
                width: width.max(1),
            });
        }
        Box::new(d)
    }

    fn missing_column(&self, what: &str) -> Box<Diagnostic> {
        self.err(
            self.header_line(),
            1,
            format!(
                "no {what} column: expected a header with {what} (found {})",
                self.header.join(",")
            ),
        )
    }

    fn header_line(&self) -> usize {
        self.text
            .lines()
            .position(|l| !l.trim().is_empty())
            .map_or(1, |i| i + 1)
    }

    /// The field of `row` in column `c` (trimmed) with its column; empty when absent.
    fn field<'r>(&self, row: &'r Row, c: usize) -> (usize, &'r str) {
        match row.fields.get(c) {
            Some((col, v)) => (*col, v.trim()),
            None => (row.fields.last().map_or(1, |f| f.0 + f.1.len()), ""),
        }
    }

    /// The month of `row`: a `month` column ("YYYY-MM") or a `year` column (January).
    fn month(
        &self,
        row: &Row,
        month: Option<usize>,
        year: Option<usize>,
    ) -> Result<YearMonth, Box<Diagnostic>> {
        if let Some(c) = month {
            let (col, v) = self.field(row, c);
            return v
                .parse::<YearMonth>()
                .map_err(|e| self.err(row.line, col, format!("month: {e}")));
        }
        let c = year.unwrap_or(0);
        let (col, v) = self.field(row, c);
        match v.parse::<i32>() {
            Ok(y) if (1..=9999).contains(&y) => Ok(YearMonth::new(y, 1)),
            _ => Err(self.err(
                row.line,
                col,
                format!("year: expected a whole year such as 2018, got \"{v}\""),
            )),
        }
    }

    /// Checks that months are consecutive (`gaps` false: only increasing).
    fn check_order(
        &self,
        rows: &[(usize, usize, YearMonth)],
        gaps_allowed: bool,
    ) -> Result<(), Box<Diagnostic>> {
        for w in rows.windows(2) {
            let (_, _, a) = w[0];
            let (line, col, b) = w[1];
            if b <= a {
                let what = if b == a {
                    "a duplicate"
                } else {
                    "a decreasing"
                };
                return Err(self.err(
                    line,
                    col,
                    format!("{what} month {b} after {a}: expected the rows in increasing month order, each month once"),
                ));
            }
            if !gaps_allowed && a.months_until(b) != 1 {
                return Err(self.err(
                    line,
                    col,
                    format!(
                        "a gap: {b} follows {a}, so {} is missing; expected one row per month from the first row to the last",
                        a.plus(1)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A whole count ≥ 0 in a field.
fn count(csv: &Csv, row: &Row, c: usize, name: &str) -> Result<u32, Box<Diagnostic>> {
    let (col, v) = csv.field(row, c);
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= u32::MAX as f64 => {
            Ok(x as u32)
        }
        _ => Err(csv.err(
            row.line,
            col,
            format!("{name}: expected a whole number ≥ 0, got \"{v}\""),
        )),
    }
}

/// Whether the run (`start`, `horizon` months) contains `m`.
fn in_run(m: YearMonth, start: YearMonth, horizon: u32) -> bool {
    let t = start.months_until(m);
    t >= 0 && t < horizon as i64
}

/// The regime of a month from the trailing 3-month launch total (docs/model.md §3.18).
pub fn regime_from_total(total: u32) -> NkRegime {
    if total >= 9 {
        NkRegime::Surge
    } else if total >= 1 {
        NkRegime::Testing
    } else {
        NkRegime::Engagement
    }
}

/// Parses an observed-launches file (`[world.nk] observed`) for a run of `horizon` months from
/// `start`.
pub fn parse_nk(
    text: &str,
    file: &str,
    start: YearMonth,
    horizon: u32,
) -> Result<Vec<NkObservedMonth>, Box<Diagnostic>> {
    let csv = Csv::parse(text, file)?;
    let month_c = csv
        .col(&["month"])
        .ok_or_else(|| csv.missing_column("a `month`"))?;
    let n_c = csv
        .col(&["launches", "missiles_launched"])
        .ok_or_else(|| csv.missing_column("a `launches` (or `missiles_launched`)"))?;
    let long_c = csv.col(&["long_range"]);
    let nuc_c = csv.col(&["nuclear_test"]);
    let reg_c = csv.col(&["regime"]);
    let mut out: Vec<NkObservedMonth> = Vec::with_capacity(csv.rows.len());
    let mut order = Vec::with_capacity(csv.rows.len());
    for row in &csv.rows {
        let month = csv.month(row, Some(month_c), None)?;
        order.push((row.line, csv.field(row, month_c).0, month));
        let launches = count(&csv, row, n_c, "launches")?;
        let long_range = match long_c {
            Some(c) if !csv.field(row, c).1.is_empty() => {
                let l = count(&csv, row, c, "long_range")?;
                if l > launches {
                    return Err(csv.err(
                        row.line,
                        csv.field(row, c).0,
                        format!("long_range: {l} long-range launches is more than the month's {launches} launches; expected at most {launches}"),
                    ));
                }
                Some(l)
            }
            _ => None,
        };
        let nuclear_test = match nuc_c {
            Some(c) if !csv.field(row, c).1.is_empty() => {
                let (col, v) = csv.field(row, c);
                match v {
                    "0" => Some(false),
                    "1" => Some(true),
                    _ => {
                        return Err(csv.err(
                            row.line,
                            col,
                            format!("nuclear_test: expected 0 or 1, got \"{v}\""),
                        ))
                    }
                }
            }
            _ => None,
        };
        let regime = match reg_c {
            Some(c) if !csv.field(row, c).1.is_empty() => {
                let (col, v) = csv.field(row, c);
                Some(match v.to_ascii_lowercase().as_str() {
                    "engagement" => NkRegime::Engagement,
                    "testing" => NkRegime::Testing,
                    "surge" => NkRegime::Surge,
                    _ => {
                        return Err(csv.err(
                            row.line,
                            col,
                            format!("regime: expected \"engagement\", \"testing\" or \"surge\", got \"{v}\""),
                        ))
                    }
                })
            }
            _ => None,
        };
        // The regime from the trailing 3-month total (this month and the two before, as far
        // as the file goes) when the file does not give it.
        let k = out.len();
        let total = launches
            + out[k.saturating_sub(2)..]
                .iter()
                .map(|o| o.launches)
                .sum::<u32>();
        out.push(NkObservedMonth {
            month,
            launches,
            long_range,
            nuclear_test,
            regime: regime.unwrap_or_else(|| regime_from_total(total)),
        });
    }
    csv.check_order(&order, false)?;
    if !out.iter().any(|o| in_run(o.month, start, horizon)) {
        let (first, last) = match (out.first(), out.last()) {
            (Some(a), Some(b)) => (a.month.to_string(), b.month.to_string()),
            _ => ("-".into(), "-".into()),
        };
        return Err(csv.err(
            csv.header_line(),
            1,
            format!(
                "no row inside the run: the file covers {first} to {last}, the run {start} to {}; expected at least one month of the run",
                start.plus(horizon as i64 - 1)
            ),
        ));
    }
    Ok(out)
}

/// Parses a `[[series]]` file: (month, value) points, each value in `bound`.
pub fn parse_series(
    text: &str,
    file: &str,
    key: &str,
    bound: Bound,
) -> Result<Vec<(YearMonth, f64)>, Box<Diagnostic>> {
    let csv = Csv::parse(text, file)?;
    let month_c = csv.col(&["month"]);
    let year_c = csv.col(&["year"]);
    if month_c.is_none() && year_c.is_none() {
        return Err(csv.missing_column("a `month` (\"YYYY-MM\") or `year`"));
    }
    let value_c = csv
        .col(&["value"])
        .ok_or_else(|| csv.missing_column("a `value`"))?;
    let mut out = Vec::with_capacity(csv.rows.len());
    let mut order = Vec::with_capacity(csv.rows.len());
    for row in &csv.rows {
        let month = csv.month(row, month_c, year_c)?;
        order.push((
            row.line,
            csv.field(row, month_c.or(year_c).unwrap_or(0)).0,
            month,
        ));
        let (col, v) = csv.field(row, value_c);
        let x = match v.parse::<f64>() {
            Ok(x) if x.is_finite() => x,
            _ => {
                return Err(csv.err(
                    row.line,
                    col,
                    format!("value: expected a number, got \"{v}\""),
                ))
            }
        };
        if !bound.contains(x) {
            return Err(csv.err(
                row.line,
                col,
                format!(
                    "value: {} is outside the valid range of `{key}`, {}",
                    num(x),
                    bound.describe()
                ),
            ));
        }
        out.push((month, x));
    }
    if out.is_empty() {
        return Err(csv.err(
            csv.header_line(),
            1,
            "no data rows: expected at least one row with a month and a value".into(),
        ));
    }
    csv.check_order(&order, true)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    #[test]
    fn bundled_launch_file_parses_with_inferred_regimes() {
        let text = include_str!("../../data/nk_missile_launches_monthly.csv");
        let rows = parse_nk(text, "nk.csv", ym("2017-01"), 36).unwrap();
        assert_eq!(rows[0].month, ym("2012-01"));
        let m = |s: &str| rows.iter().find(|r| r.month == ym(s)).unwrap();
        assert!(rows.iter().all(|r| r.long_range.is_none()));
        // 2012-04 had one launch: testing; 2018 summitry: engagement.
        assert_eq!(m("2012-04").regime, NkRegime::Testing);
        assert_eq!(m("2018-09").regime, NkRegime::Engagement);
        // A regime is the trailing 3-month total's.
        for w in rows.windows(3) {
            let t: u32 = w.iter().map(|r| r.launches).sum();
            assert_eq!(w[2].regime, regime_from_total(t));
        }
    }

    #[test]
    fn bad_rows_are_located() {
        let cases = [
            ("month,launches\n2017-01,1\n2017-03,2\n", 3, 1, "a gap"),
            (
                "month,launches\n2017-01,1\n2017-01,2\n",
                3,
                1,
                "a duplicate",
            ),
            (
                "month,launches\n2017-02,1\n2017-01,2\n",
                3,
                1,
                "a decreasing",
            ),
            (
                "month,launches\n2017-01,x\n",
                2,
                9,
                "expected a whole number",
            ),
            (
                "month,launches\n2017-01,-1\n",
                2,
                9,
                "expected a whole number",
            ),
            (
                "month,launches,long_range\n2017-01,1,2\n",
                2,
                11,
                "more than",
            ),
            ("month,launches\n2010-01,1\n", 1, 1, "no row inside the run"),
            ("month,n\n2017-01,1\n", 1, 1, "no a `launches`"),
            ("month,launches,regime\n2017-01,1,calm\n", 2, 11, "regime"),
            ("month,launches\n2017-1,1\n", 2, 1, "YYYY-MM"),
        ];
        for (text, line, col, msg) in cases {
            let e = parse_nk(text, "f.csv", ym("2017-01"), 12).unwrap_err();
            assert_eq!(
                (e.line, e.column),
                (Some(line), Some(col)),
                "{text}: {}",
                e.message
            );
            assert!(e.message.contains(msg), "{text}: {}", e.message);
        }
        let e = parse_series(
            "year,value\n2015,0.2\n2016,1.5\n",
            "s.csv",
            "k",
            Bound::Unit,
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(6)));
        assert!(
            e.message.contains("outside the valid range"),
            "{}",
            e.message
        );
        let ok = parse_series(
            "year,value,src\n2015,0.2,a\n2017,0.3,b\n",
            "s.csv",
            "k",
            Bound::Unit,
        )
        .unwrap();
        assert_eq!(ok, vec![(ym("2015-01"), 0.2), (ym("2017-01"), 0.3)]);
    }

    #[test]
    fn initial_states_are_recognised() {
        assert!(is_initial_state("actors.seoul.favourability"));
        assert!(is_initial_state("tracks.regional.lock_in"));
        assert!(is_initial_state("history.issues.forced_labor.salience"));
        assert!(!is_initial_state("actors.seoul.favourability_target"));
        assert!(!is_initial_state("actors.seoul.china_exposure"));
        let s = Scenario::default();
        assert!(schedulable(&s, "actors.seoul.china_exposure").is_ok());
        let (m, h) = schedulable(&s, "actors.seoul.china_exposur").unwrap_err();
        assert!(m.contains("unknown parameter address"), "{m}");
        assert!(h.unwrap().contains("actors.seoul.china_exposure"));
        let (m, h) = schedulable(&s, "relations.trust_kr_jp").unwrap_err();
        assert!(m.contains("initial state") && h.unwrap().contains("set_state"));
    }
}
