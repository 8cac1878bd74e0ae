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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
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
    /// number, and the last count reported within it.
    base: u64,
    batch: u64,
    batches: u64,
    last: u64,
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .expect("the progress templates are valid")
        .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let r = s.per_sec();
            let _ = if r.is_finite() && r > 0.0 {
                write!(w, "{}/s", indicatif::HumanCount(r.round() as u64))
            } else {
                write!(w, "–/s")
            };
        })
        .with_key("left", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            // No estimate before the first replications are done.
            let _ = if s.pos() > 0 && s.per_sec() > 0.0 {
                write!(w, "ETA {:#}", indicatif::HumanDuration(s.eta()))
            } else {
                write!(w, "ETA –")
            };
        })
        .progress_chars("=> ")
}

impl Bar {
    fn new(label: &str, len: u64, start: u64, kind: Kind, template: &str) -> Bar {
        let target = if is_quiet() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let pb = ProgressBar::with_draw_target(Some(len), target)
            .with_style(style(template))
            .with_prefix(label.to_string());
        if start > 0 {
            // A resumed run: the rate and ETA count only what this process computes.
            pb.set_position(start);
            pb.reset_eta();
        }
        if !pb.is_hidden() {
            // Elapsed time and spinner move between the engine's reports.
            pb.enable_steady_tick(Duration::from_millis(250));
        }
        if let Ok(mut a) = ACTIVE.lock() {
            *a = Some(pb.clone());
        }
        Bar {
            pb,
            kind,
            base: 0,
            batch: 0,
            batches: 0,
            last: 0,
        }
    }

    /// Replications of a run (`label`: "run", "shard 2/4"…), `done` of them already done.
    pub fn replications(label: &str, total: u64, done: u64) -> Bar {
        Bar::new(
            label,
            total,
            done,
            Kind::Run,
            "{prefix} {spinner} [{elapsed_precise}] [{bar:30}] {human_pos}/{human_len} replications  {rate}  {left}",
        )
    }

    /// Replications over `points` design points of `per_point` replications each (sweeps,
    /// sensitivity studies).
    pub fn points(label: &str, points: u64, per_point: u64) -> Bar {
        Bar::new(
            label,
            points.saturating_mul(per_point),
            0,
            Kind::Points { per_point, points },
            "{prefix} {spinner} [{elapsed_precise}] [{bar:30}] {msg} · {human_pos}/{human_len} replications  {rate}  {left}",
        )
        .with_points_message(0)
    }

    /// An adaptive-precision run starting with a first batch of `first` replications, at most
    /// `max` in all: the total is not known in advance, so the bar shows the current batch's
    /// target (it grows) and the ETA of that batch.
    pub fn adaptive(label: &str, first: u64, max: u64) -> Bar {
        let mut b = Bar::new(
            label,
            first.min(max),
            0,
            Kind::Adaptive { max },
            "{prefix} {spinner} [{elapsed_precise}] [{bar:30}] {human_pos}/{human_len} replications  {rate}  {left}  ({msg})",
        );
        b.batches = 1;
        b.batch = first.min(max);
        b.set_adaptive_message();
        b
    }

    fn with_points_message(self, done: u64) -> Bar {
        self.set_points_message(done);
        self
    }

    fn set_points_message(&self, done: u64) {
        if let Kind::Points { per_point, points } = self.kind {
            let finished = done.checked_div(per_point).unwrap_or(0).min(points);
            self.pb.set_message(format!("{finished}/{points} points"));
        }
    }

    fn set_adaptive_message(&self) {
        if let Kind::Adaptive { max } = self.kind {
            self.pb.set_message(format!(
                "adaptive precision: batch {}, at most {}",
                self.batches,
                indicatif::HumanCount(max)
            ));
        }
    }

    /// Reports `done` of `total` (the engine's progress callback).
    pub fn update(&mut self, done: u64, total: u64) {
        match self.kind {
            Kind::Run => {
                self.pb.set_length(total);
                self.pb.set_position(done);
            }
            Kind::Points { .. } => {
                self.pb.set_length(total);
                self.pb.set_position(done);
                self.set_points_message(done);
            }
            Kind::Adaptive { .. } => {
                // The engine counts within each batch (`advance` call), and a batch always ends
                // with done == total: the next report starts a new batch.
                if self.last == self.batch {
                    self.base += self.batch;
                    self.batches += 1;
                    self.set_adaptive_message();
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
        // Batch 1: 0..512 in two waves.
        b.update(256, 512);
        b.update(512, 512);
        assert_eq!(render(&b), "512 512");
        // Batch 2 adds 1024 replications.
        b.update(256, 1024);
        assert_eq!(render(&b), "768 1536");
        assert_eq!(b.batches, 2);
        b.update(1024, 1024);
        b.update(512, 512);
        assert_eq!(render(&b), "2048 2048");
        assert_eq!(b.batches, 3);
    }

    #[test]
    fn points_message_counts_finished_points() {
        set_quiet(true);
        let mut b = Bar::points("sweep", 4, 100);
        b.update(250, 400);
        assert_eq!(b.pb.message(), "2/4 points");
        assert_eq!(render(&b), "250 400");
    }
}
