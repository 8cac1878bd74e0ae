//! Result files, charts and the terminal table.
//!
//! Each output format is one [`Exporter`] (like hyperfine's exporters): it reads the aggregated
//! [`RunResults`] and writes its file(s) into a [`Staging`] folder. `runs.csv` is written while
//! the run goes on by [`files::RunsCsv`] (a [`crate::engine::RunSink`]), and `manifest.json`
//! (the only file with timings) by [`files::write_manifest`] at the end; `report.html` (one
//! self-contained page built from those files, see [`report`]) is written last.
//!
//! # Accuracy of the reported quantiles
//! Quantiles come from streaming structures (memory does not grow with replications):
//! - outcomes (`summary.*` p5…p95): [`crate::engine::stats::Sketch`], linear interpolation
//!   between order statistics (type 7, as NumPy's default) on values truncated to 11
//!   significant bits: relative error ≤ 2⁻¹⁰ ≈ 0.1% (toward zero); integers below 2048
//!   (counts, months, 0/1) exact;
//! - monthly series (`timeseries.csv`): [`crate::engine::stats::Histogram`]; continuous
//!   metrics in [0, 1] with bins 0.005 wide and interpolation inside the bin: absolute error
//!   ≤ 0.005; `b_kr` on [0, 2 × the largest `b_crit`] (at least [0, 2]) with bins 0.005 wide
//!   (wider only beyond 4000 bins, see [`crate::engine::b_kr_hist`]): error ≤ one bin; integer metrics (rungs, NK launches up to 99) exact (the
//!   smallest value whose cumulative share reaches q).
//!
//! Means, standard deviations and confidence intervals are exact streaming moments.

pub mod charts;
pub mod dir;
pub mod experiment_charts;
pub mod files;
pub mod latest;
pub mod report;
pub mod sweep_files;
pub mod table;
pub mod worlds;

pub use dir::{Staging, Target};

use crate::engine::RunResults;
use anyhow::Result;

/// What every exporter sees.
pub struct Report<'a> {
    pub scenario_name: &'a str,
    pub results: &'a RunResults,
}

/// One output format.
pub trait Exporter {
    /// Short name for messages (e.g. `summary.json`).
    fn name(&self) -> &'static str;
    /// Writes the format's file(s) into `dir`.
    fn export(&self, report: &Report<'_>, dir: &Staging) -> Result<()>;
}

/// The exporters of `trisim run`, in writing order.
pub fn exporters() -> Vec<Box<dyn Exporter>> {
    vec![
        Box::new(files::SummaryJson),
        Box::new(files::SummaryCsv),
        Box::new(files::TimeseriesCsv),
        Box::new(charts::Charts),
    ]
}

/// Runs every exporter of [`exporters`].
pub fn export_all(report: &Report<'_>, dir: &Staging) -> Result<()> {
    for e in exporters() {
        e.export(report, dir)
            .map_err(|err| err.context(format!("writing {}", e.name())))?;
    }
    Ok(())
}

/// A number for JSON: None (null) when not finite.
pub fn num(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// A number for CSV: empty when not finite; otherwise the shortest text that reads back to
/// the same f64.
pub fn csv_num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// `s` as one word for a POSIX shell, to print commands that can be pasted: unchanged when it
/// holds only characters no shell treats specially, else in single quotes (a `'` inside
/// becomes `'\''`).
pub fn shell_quote(s: &str) -> std::borrow::Cow<'_, str> {
    let plain = !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '-' | '_' | '.' | '/' | ',' | ':' | '=' | '+' | '@' | '%')
        });
    if plain {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(format!("'{}'", s.replace('\'', r"'\''")))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(
            shell_quote("scenarios/baseline.toml"),
            "scenarios/baseline.toml"
        );
        assert_eq!(
            shell_quote("--paths=gradual,hasty"),
            "--paths=gradual,hasty"
        );
        assert_eq!(shell_quote("my study.toml"), "'my study.toml'");
        assert_eq!(shell_quote("it's $HOME"), r"'it'\''s $HOME'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("한미일.toml"), "'한미일.toml'");
    }
}
