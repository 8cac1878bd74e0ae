//! Observation files of `trisim score`: a tidy CSV with the header
//! `series,month,value[,sd][,source]` (any order; other columns such as `note` ignored).
//!
//! A series is a column of `records.csv` (`f_kr`, `rung.intelligence`, `settlements`), a
//! threshold on one (`rung.intelligence>=2`, `issue.comfort_women.status==repudiated`: a
//! binary series, values 0/1), or an outcome key of `runs.csv` (`peak_ci`) observed at the
//! run's last month. Every error names the file and line.

use crate::scenario::YearMonth;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// Largest observation file read (bytes).
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// A comparison of a threshold series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

impl Cmp {
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Ge => ">=",
            Cmp::Gt => ">",
            Cmp::Le => "<=",
            Cmp::Lt => "<",
            Cmp::Eq => "==",
        }
    }
}

/// The right-hand side of a threshold: a number, or a word (text columns, `==` only).
#[derive(Clone, Debug, PartialEq)]
pub enum Rhs {
    Num(f64),
    Word(String),
}

/// A condition on one cell: `column CMP rhs`.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    pub cmp: Cmp,
    pub rhs: Rhs,
}

impl Threshold {
    /// Whether the condition holds for a cell's text (`None` if a numeric threshold meets a
    /// cell that is not a number). An empty cell (undefined) never satisfies a condition.
    pub fn holds(&self, cell: &str) -> Option<bool> {
        match &self.rhs {
            Rhs::Word(w) => Some(cell == w),
            Rhs::Num(x) => {
                if cell.is_empty() {
                    return Some(false);
                }
                let v: f64 = cell.parse().ok()?;
                Some(match self.cmp {
                    Cmp::Ge => v >= *x,
                    Cmp::Gt => v > *x,
                    Cmp::Le => v <= *x,
                    Cmp::Lt => v < *x,
                    Cmp::Eq => v == *x,
                })
            }
        }
    }
}

/// A series name split into its column and optional threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesName {
    pub column: String,
    pub threshold: Option<Threshold>,
}

/// Parses `COLUMN`, or `COLUMN>=x` (`>`, `<=`, `<`, `==`).
pub fn parse_series(name: &str) -> std::result::Result<SeriesName, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("empty series name".into());
    }
    let Some(at) = name.find(['<', '>', '=']) else {
        return Ok(SeriesName {
            column: name.to_string(),
            threshold: None,
        });
    };
    let (column, rest) = name.split_at(at);
    let (cmp, rhs) = if let Some(r) = rest.strip_prefix(">=") {
        (Cmp::Ge, r)
    } else if let Some(r) = rest.strip_prefix("<=") {
        (Cmp::Le, r)
    } else if let Some(r) = rest.strip_prefix("==") {
        (Cmp::Eq, r)
    } else if let Some(r) = rest.strip_prefix('>') {
        (Cmp::Gt, r)
    } else if let Some(r) = rest.strip_prefix('<') {
        (Cmp::Lt, r)
    } else {
        return Err(format!(
            "`{name}`: a threshold is written COLUMN>=x, COLUMN>x, COLUMN<=x, COLUMN<x or COLUMN==x"
        ));
    };
    let column = column.trim();
    let rhs = rhs.trim();
    if column.is_empty() {
        return Err(format!(
            "`{name}`: the threshold has no column before `{}`",
            cmp.symbol()
        ));
    }
    if rhs.is_empty() || rhs.contains(['<', '>', '=']) {
        return Err(format!(
            "`{name}`: expected one number (or, with ==, one word) after `{}`",
            cmp.symbol()
        ));
    }
    let rhs = match rhs.parse::<f64>() {
        Ok(x) if x.is_finite() => Rhs::Num(x),
        Ok(_) => return Err(format!("`{name}`: the threshold must be a finite number")),
        Err(_) if cmp == Cmp::Eq => Rhs::Word(rhs.to_string()),
        Err(_) => {
            return Err(format!(
                "`{name}`: `{rhs}` is not a number (a word can only be compared with ==, e.g. {column}=={rhs})"
            ))
        }
    };
    Ok(SeriesName {
        column: column.to_string(),
        threshold: Some(Threshold { cmp, rhs }),
    })
}

/// One observation, with where it was read.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub series: String,
    pub month: YearMonth,
    pub value: f64,
    /// Observation error (standard deviation); None when absent, empty or 0.
    pub sd: Option<f64>,
    pub source: String,
    pub file: PathBuf,
    pub line: u64,
}

impl Observation {
    /// `FILE:LINE` of the observation, for messages.
    pub fn at(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

/// Reads an observation file. Values and sds must be finite numbers (sd ≥ 0); whether each
/// series and month exists in the run is checked later, against the results.
pub fn read_file(path: &Path) -> Result<Vec<Observation>> {
    let meta = std::fs::metadata(path)
        .with_context(|| format!("cannot read observation file {}", path.display()))?;
    if !meta.is_file() {
        bail!("observation file {} is not a file", path.display());
    }
    if meta.len() > MAX_FILE_BYTES {
        bail!(
            "observation file {} is {} bytes, above the {} MB limit",
            path.display(),
            meta.len(),
            MAX_FILE_BYTES >> 20
        );
    }
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read observation file {}", path.display()))?;
    parse(&bytes, path)
}

/// Parses the bytes of an observation file named `path` (for messages).
pub fn parse(bytes: &[u8], path: &Path) -> Result<Vec<Observation>> {
    let file = path.display();
    let text =
        std::str::from_utf8(bytes).map_err(|e| anyhow::anyhow!("{file}: not UTF-8 text ({e})"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        bail!("{file}: the file is empty; expected a header line `series,month,value[,sd][,source]` and one observation per line");
    }
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let header = rdr
        .headers()
        .map_err(|e| anyhow::anyhow!("{file}:1: cannot read the header: {e}"))?
        .clone();
    let find = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let need = |name: &str| {
        find(name).ok_or_else(|| {
            anyhow::anyhow!(
                "{file}:1: the header has no `{name}` column (found: {}); expected `series,month,value[,sd][,source]`",
                header.iter().collect::<Vec<_>>().join(",")
            )
        })
    };
    let (ci, mi, vi) = (need("series")?, need("month")?, need("value")?);
    let (sdi, si) = (find("sd"), find("source"));
    // Line numbers from byte offsets (the reader's own count skips blank lines).
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect();
    // (A record's position may point at blank lines before it: skip them.)
    let line_at = |byte: u64| {
        let b = text.as_bytes();
        let mut k = byte as usize;
        while k < b.len() && (b[k] == b'\n' || b[k] == b'\r') {
            k += 1;
        }
        newlines.partition_point(|i| *i < k) as u64 + 1
    };
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            anyhow::anyhow!("{file}:{line}: cannot read the line: {e}")
        })?;
        let line = rec.position().map(|p| line_at(p.byte())).unwrap_or(0);
        if rec.iter().all(|c| c.is_empty()) {
            continue;
        }
        if rec.len() > header.len() {
            bail!(
                "{file}:{line}: {} fields, but the header has {}: a field containing a comma must be quoted (\"...\")",
                rec.len(),
                header.len()
            );
        }
        let cell = |i: usize| rec.get(i).unwrap_or("");
        let series = cell(ci);
        if series.is_empty() {
            bail!("{file}:{line}: empty `series`");
        }
        let month: YearMonth = cell(mi)
            .parse()
            .map_err(|e| anyhow::anyhow!("{file}:{line}: `month`: {e}"))?;
        let value = number(cell(vi)).ok_or_else(|| {
            anyhow::anyhow!(
                "{file}:{line}: `value`: expected a number, got `{}`",
                cell(vi)
            )
        })?;
        let sd = match sdi.map(cell) {
            None | Some("") => None,
            Some(t) => match number(t) {
                Some(s) if s >= 0.0 => (s > 0.0).then_some(s),
                _ => bail!(
                    "{file}:{line}: `sd`: expected a number ≥ 0 (an observation error), got `{t}`"
                ),
            },
        };
        out.push(Observation {
            series: series.to_string(),
            month,
            value,
            sd,
            source: si.map(cell).unwrap_or("").to_string(),
            file: path.to_path_buf(),
            line,
        });
    }
    if out.is_empty() {
        bail!("{file}: no observations (only a header); expected one line per series and month");
    }
    Ok(out)
}

/// A finite number.
fn number(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_names() {
        assert_eq!(
            parse_series("f_kr").unwrap(),
            SeriesName {
                column: "f_kr".into(),
                threshold: None
            }
        );
        let t = parse_series("rung.intelligence>=2").unwrap();
        assert_eq!(t.column, "rung.intelligence");
        assert_eq!(
            t.threshold,
            Some(Threshold {
                cmp: Cmp::Ge,
                rhs: Rhs::Num(2.0)
            })
        );
        let w = parse_series("issue.comfort_women.status==repudiated").unwrap();
        assert_eq!(w.threshold.unwrap().rhs, Rhs::Word("repudiated".into()));
        assert_eq!(
            parse_series("x < 0.5").unwrap().threshold.unwrap().cmp,
            Cmp::Lt
        );
        assert!(parse_series("camp_kr>=progressive").is_err());
        assert!(parse_series(">=2").is_err());
        assert!(parse_series("x=2").is_err());
        assert!(parse_series("x>=").is_err());
    }

    #[test]
    fn thresholds_on_cells() {
        let t = parse_series("a>=2").unwrap().threshold.unwrap();
        assert_eq!(t.holds("2"), Some(true));
        assert_eq!(t.holds("1.5"), Some(false));
        assert_eq!(t.holds(""), Some(false));
        assert_eq!(t.holds("open"), None);
        let w = parse_series("s==open").unwrap().threshold.unwrap();
        assert_eq!(w.holds("open"), Some(true));
        assert_eq!(w.holds("settled"), Some(false));
    }

    #[test]
    fn files_and_errors() {
        let p = Path::new("obs.csv");
        let ok = parse(
            b"month,series,value,sd,note\n2016-06,f_kr,0.3,,hi\n\n2017-01,f_kr,0.4,0.05,x\n",
            p,
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].line, 2);
        assert_eq!(ok[1].line, 4);
        assert_eq!(ok[1].sd, Some(0.05));
        assert_eq!(ok[0].sd, None);
        let err = |b: &[u8]| format!("{:#}", parse(b, p).unwrap_err());
        assert!(err(b"").contains("obs.csv: the file is empty"));
        assert!(err(b"series,month,value\n").contains("no observations"));
        assert!(err(b"series,value\nf_kr,1\n").contains("obs.csv:1: the header has no `month`"));
        assert!(err(b"series,month,value\nf_kr,2016-06,abc\n").contains("obs.csv:2: `value`"));
        assert!(err(b"series,month,value\nf_kr,2016-13,1\n").contains("obs.csv:2: `month`"));
        assert!(
            err(b"series,month,value,sd\nf_kr,2016-06,1,0\nf_kr,2016-07,1,-1\n")
                .contains("obs.csv:3: `sd`")
        );
        assert!(err(b"series,month,value\nf_kr,2016-06,NaN\n").contains("obs.csv:2"));
    }
}
