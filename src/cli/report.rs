//! `trisim report RESULTS_DIR`: rebuilds a run folder's `report.html` from its files.

use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use trisim::output::report::{rewrite_report, ReportOptions};

pub const REPORT_ABOUT: &str = "\
Rebuild report.html in a run result folder (written by `trisim run` or `trisim merge`) from the \
folder's own files: manifest.json, summary.json and charts/*.svg. The report is one \
self-contained HTML file (no network access, charts inline as SVG) with the scenario, the \
question, the table per path, the paired differences against the reference path, every chart, \
how to read them, the effective scenario and the manifest. The same folder always gives the \
same file; it is replaced atomically. Sweep, sensitivity and shard folders are refused (they \
have no run results to report).

Example:
  trisim report results/baseline/20261122T153000Z";

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A run result folder (with manifest.json, summary.json and charts/).
    #[arg(value_name = "RESULTS_DIR")]
    pub dir: PathBuf,
    /// Print only the path of the report written (for scripts).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn report(a: &ReportArgs) -> Result<ExitCode> {
    let path = rewrite_report(&a.dir, &ReportOptions::default())?;
    super::print_result("", "Report written to", &path)?;
    Ok(ExitCode::SUCCESS)
}
