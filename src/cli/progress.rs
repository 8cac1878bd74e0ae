//! What the command line prints while it works: progress bars on stderr (indicatif) and notes,
//! both silenced by `--quiet`.
//!
//! A bar is drawn only when stderr is a terminal (indicatif hides it otherwise: nothing of it
//! reaches a pipe or a file) and not with `--quiet`. The engine reports progress once per wave
//! of blocks (a few thousand replications), never per replication, so a bar costs nothing
//! measurable. The bar alive at a given moment is registered, so that a note printed meanwhile
//! (the Ctrl-C message, from the signal handler's thread) is printed above it instead of
//! through it; dropping a bar clears it, so an error or the resume instructions that follow
//! start on a clean line.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

static QUIET: AtomicBool = AtomicBool::new(false);
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// `--quiet`: no progress bar, no notes, no summary table.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::SeqCst);
}

/// Whether `--quiet` was given.
pub fn is_quiet() -> bool {
    QUIET.load(Ordering::SeqCst)
}

/// Runs `f` (which prints to stderr) with the active bar, if any, hidden meanwhile.
pub fn suspend<R>(f: impl FnOnce() -> R) -> R {
    let bar = ACTIVE.lock().ok().and_then(|a| a.clone());
    match bar {
        Some(b) => b.suspend(f),
        None => f(),
    }
}

/// Prints a note (an informational line) on stderr, unless `--quiet`.
pub fn note(msg: impl std::fmt::Display) {
    if !is_quiet() {
        suspend(|| eprintln!("{msg}"));
    }
}

/// What a bar counts.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Replications of one run (or shard).
    Run,
    /// Replications summed over the design points of a sweep or a sensitivity study, with
    /// this many replications per point.
    Points { per_point: u64, points: u64 },
    /// An adaptive-precision run: batches up to a target that grows until the CIs are narrow
    /// enough (at most `max`).
    Adaptive { max: u64 },
}

/// A progress bar on stderr, cleared when dropped.
pub struct Bar {
    pb: ProgressBar,
    kind: Kind,
    /// Adaptive runs: replications before the current batch, the current batch's size, its
    /// number (shared with the line's text), and the last count reported within it.
    base: u64,
    batch: u64,
    batches: Arc<AtomicU64>,
    last: u64,
}

/// The narrowest bar drawn: the text after it gives up its least useful parts first.
const MIN_BAR: usize = 10;

/// The width of the terminal on stderr (80 if unknown: the bar is hidden then anyway).
fn stderr_width() -> usize {
    terminal_size::terminal_size_of(std::io::stderr())
        .map(|(w, _)| usize::from(w.0))
        .unwrap_or(80)
}

/// What the text after the bar tells: replications done of `len`, their rate (per second)
/// and the estimated time left, and the adaptive batch number.
#[derive(Clone, Copy, Debug)]
struct Now {
    pos: u64,
    len: u64,
    per_sec: f64,
    eta: Duration,
    batches: u64,
}

/// The text after the bar, `avail` columns at most: the richest of the candidate texts of
/// `kind` that fits, else the last one cut.
fn info(kind: Kind, now: Now, avail: usize) -> String {
    let count = format!(
        "{}/{}",
        indicatif::HumanCount(now.pos),
        indicatif::HumanCount(now.len)
    );
    let r = now.per_sec;
    let rate = if r.is_finite() && r > 0.0 {
        format!("{}/s", indicatif::HumanCount(r.round() as u64))
    } else {
        "–/s".to_string()
    };
    // No estimate before the first replications are done.
    let eta = if now.pos > 0 && r.is_finite() && r > 0.0 {
        format!("ETA {:#}", indicatif::HumanDuration(now.eta))
    } else {
        "ETA –".to_string()
    };
    let candidates = match kind {
        Kind::Run => vec![
            format!("{count} replications  {rate}  {eta}"),
            format!("{count}  {rate}  {eta}"),
            format!("{count}  {eta}"),
            count,
        ],
        Kind::Points { per_point, points } => {
            let finished = now.pos.checked_div(per_point).unwrap_or(0).min(points);
            let pts = format!("{finished}/{points} points");
            vec![
                format!("{pts} · {count} replications  {rate}  {eta}"),
                format!("{pts} · {count}  {rate}  {eta}"),
                format!("{pts}  {rate}  {eta}"),
                format!("{pts}  {eta}"),
                pts,
            ]
        }
        Kind::Adaptive { max } => {
            let max = indicatif::HumanCount(max);
            let batches = now.batches;
            vec![
                format!("{count} replications  {rate}  {eta}  (adaptive precision: batch {batches}, at most {max})"),
                format!("{count} replications  {rate}  {eta}  (adaptive: batch {batches})"),
                format!("{count}  {rate}  {eta}  (adaptive: batch {batches})"),
                format!("{count}  {eta}  (adaptive: batch {batches})"),
                format!("{count}  (batch {batches})"),
                count,
            ]
        }
    };
    let width = |t: &String| t.chars().count();
    match candidates.iter().find(|t| width(t) <= avail) {
        Some(t) => t.clone(),
        None => candidates
            .last()
            .map(|t| t.chars().take(avail).collect())
            .unwrap_or_default(),
    }
}

/// The line `LABEL [=====>    ] TEXT`, within the terminal's width whatever the counts: the
/// bar takes the width the text leaves (at least [`MIN_BAR`]), and the text drops its least
/// useful parts when the terminal is narrow. (The width is read at every redraw, so a resized
/// terminal is followed.)
fn style(label: &str, kind: Kind, batches: Arc<AtomicU64>) -> ProgressStyle {
    // `LABEL [` … `] `: the label, a space, two brackets and a space.
    let fixed = label.chars().count() + 4;
    ProgressStyle::with_template("{prefix} [{wide_bar}] {info}")
        .expect("the progress template is valid")
        .with_key(
            "info",
            move |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let avail = stderr_width().saturating_sub(fixed + MIN_BAR);
                let now = Now {
                    pos: s.pos(),
                    len: s.len().unwrap_or(0),
                    per_sec: s.per_sec(),
                    eta: s.eta(),
                    batches: batches.load(Ordering::Relaxed),
                };
                let _ = w.write_str(&info(kind, now, avail));
            },
        )
        .progress_chars("=> ")
}

impl Bar {
    fn new(label: &str, len: u64, start: u64, kind: Kind) -> Bar {
        let target = if is_quiet() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let batches = Arc::new(AtomicU64::new(1));
        let pb = ProgressBar::with_draw_target(Some(len), target)
            .with_style(style(label, kind, batches.clone()))
            .with_prefix(label.to_string());
        if start > 0 {
            // A resumed run: the rate and ETA count only what this process computes.
            pb.set_position(start);
            pb.reset_eta();
        }
        if !pb.is_hidden() {
            // Redrawn between the engine's reports too: a resized terminal is followed.
            pb.enable_steady_tick(Duration::from_millis(500));
        }
        if let Ok(mut a) = ACTIVE.lock() {
            *a = Some(pb.clone());
        }
        Bar {
            pb,
            kind,
            base: 0,
            batch: 0,
            batches,
            last: 0,
        }
    }

    /// Replications of a run (`label`: "run", "shard 2/4"…), `done` of them already done.
    pub fn replications(label: &str, total: u64, done: u64) -> Bar {
        Bar::new(label, total, done, Kind::Run)
    }

    /// Replications over `points` design points of `per_point` replications each (sweeps,
    /// sensitivity studies).
    pub fn points(label: &str, points: u64, per_point: u64) -> Bar {
        Bar::new(
            label,
            points.saturating_mul(per_point),
            0,
            Kind::Points { per_point, points },
        )
    }

    /// An adaptive-precision run starting with a first batch of `first` replications, at most
    /// `max` in all: the total is not known in advance, so the bar shows the current batch's
    /// target (it grows) and the ETA of that batch.
    pub fn adaptive(label: &str, first: u64, max: u64) -> Bar {
        let mut b = Bar::new(label, first.min(max), 0, Kind::Adaptive { max });
        b.batch = first.min(max);
        b
    }

    /// Reports `done` of `total` (the engine's progress callback).
    pub fn update(&mut self, done: u64, total: u64) {
        match self.kind {
            Kind::Run | Kind::Points { .. } => {
                self.pb.set_length(total);
                self.pb.set_position(done);
            }
            Kind::Adaptive { .. } => {
                // The engine counts within each batch (`advance` call), and a batch always ends
                // with done == total: the next report starts a new batch.
                if self.last == self.batch {
                    self.base += self.batch;
                    self.batches.fetch_add(1, Ordering::Relaxed);
                }
                self.batch = total;
                self.last = done;
                self.pb.set_length(self.base + total);
                self.pb.set_position(self.base + done);
            }
        }
    }

    /// The progress callback the engine takes.
    pub fn callback(&mut self) -> impl FnMut(u64, u64) -> std::ops::ControlFlow<()> + '_ {
        move |done, total| {
            self.update(done, total);
            super::resume::stop_now()
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.pb.finish_and_clear();
        if let Ok(mut a) = ACTIVE.lock() {
            *a = None;
        }
    }
}

/// A bar's position and length, for tests.
#[cfg(test)]
fn render(b: &Bar) -> String {
    format!("{} {}", b.pb.position(), b.pb.length().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adaptive_batches_accumulate() {
        set_quiet(true);
        let mut b = Bar::adaptive("run", 512, 10_000);
        let batches = |b: &Bar| b.batches.load(Ordering::Relaxed);
        assert_eq!(batches(&b), 1);
        // Batch 1: 0..512 in two waves.
        b.update(256, 512);
        b.update(512, 512);
        assert_eq!(render(&b), "512 512");
        // Batch 2 adds 1024 replications.
        b.update(256, 1024);
        assert_eq!(render(&b), "768 1536");
        assert_eq!(batches(&b), 2);
        b.update(1024, 1024);
        b.update(512, 512);
        assert_eq!(render(&b), "2048 2048");
        assert_eq!(batches(&b), 3);
    }

    fn now(pos: u64, len: u64) -> Now {
        Now {
            pos,
            len,
            per_sec: 123_456.0,
            eta: Duration::from_secs(7200),
            batches: 12,
        }
    }

    #[test]
    fn the_text_counts_points_and_says_everything_when_there_is_room() {
        let points = Kind::Points {
            per_point: 100,
            points: 4,
        };
        assert_eq!(
            info(points, now(250, 400), 200),
            "2/4 points · 250/400 replications  123,456/s  ETA 2h"
        );
        assert_eq!(
            info(Kind::Run, now(0, 400), 200),
            "0/400 replications  123,456/s  ETA –"
        );
        assert_eq!(
            info(Kind::Adaptive { max: 1_000_000 }, now(5, 9), 200),
            "5/9 replications  123,456/s  ETA 2h  (adaptive precision: batch 12, at most 1,000,000)"
        );
    }

    #[test]
    fn the_text_fits_any_width_dropping_the_least_useful_parts_first() {
        let kinds = [
            Kind::Run,
            Kind::Points {
                per_point: 1_000,
                points: 123_456,
            },
            Kind::Adaptive { max: 1_000_000 },
        ];
        for kind in kinds {
            let n = now(12_345_678, 123_456_000);
            let full = info(kind, n, usize::MAX).chars().count();
            for avail in 0..=full + 1 {
                let t = info(kind, n, avail);
                assert!(t.chars().count() <= avail, "{kind:?} {avail}: {t}");
            }
        }
        // The count stays longest for a run, the points for a sweep.
        assert_eq!(info(Kind::Run, now(5, 9), 4), "5/9");
        assert_eq!(info(Kind::Run, now(5, 9), 12), "5/9  ETA 2h");
        let points = Kind::Points {
            per_point: 3,
            points: 3,
        };
        assert_eq!(info(points, now(5, 9), 14), "1/3 points");
        let adaptive = Kind::Adaptive { max: 9 };
        assert_eq!(
            info(adaptive, now(5, 9), 33),
            "5/9  ETA 2h  (adaptive: batch 12)"
        );
        assert_eq!(info(adaptive, now(5, 9), 32), "5/9  (batch 12)");
    }
}
