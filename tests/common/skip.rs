//! Skipped tests, where a person sees them.
//!
//! `cargo test` shows a test that returns early as `ok`, and captures what it prints. A test
//! that cannot run here (a tool is missing) calls [`skipped`]: the note is written straight to
//! the terminal's standard error (not through `eprintln!`, which the test harness captures),
//! and appended to `target/tmp/skipped-tests.txt`, which `.ci/run` empties before the tests
//! and prints after them. `.ci/run` also sets the `TRISIM_*_TEST=require` variables, which turn
//! these skips into failures there.

use std::io::Write;

/// File listing the tests skipped since `.ci/run` last emptied it (one line per skip).
pub fn skip_log() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("skipped-tests.txt")
}

/// Reports that `test` (e.g. `browser::report_renders_in_headless_chromium`) was skipped,
/// and why.
pub fn skipped(test: &str, why: &str) {
    let line = format!("SKIPPED {test}: {why}");
    let _ = writeln!(std::io::stderr().lock(), "\n{line}");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(skip_log())
    {
        let _ = writeln!(f, "{line}");
    }
}
