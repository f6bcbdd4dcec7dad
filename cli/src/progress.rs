//! The progress bar of `murr ingest`: on stderr when it is a terminal, silent otherwise.

use std::sync::atomic::Ordering;
use std::time::Instant;

use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::input::Progress;

/// A bar for one input file: position in rows or bytes, rows and rows/s in its message.
pub struct Bar {
    bar: ProgressBar,
    progress: Progress,
    start: Instant,
}

impl Bar {
    /// A bar for a file named `name` read as `progress` says.
    pub fn new(name: &str, progress: Progress) -> Bar {
        let total = match &progress {
            Progress::Rows(rows) => *rows,
            Progress::Bytes { total, .. } => *total,
        };
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{prefix} [{bar:30}] {percent:>3}% {msg}, ETA {eta}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(name.to_owned());
        Bar {
            bar,
            progress,
            start: Instant::now(),
        }
    }

    /// Shows `rows` rows written so far.
    pub fn update(&self, rows: u64) {
        let position = match &self.progress {
            Progress::Rows(_) => rows,
            Progress::Bytes { read, .. } => read.load(Ordering::Relaxed),
        };
        self.bar.set_position(position);
        let seconds = self.start.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 {
            rows as f64 / seconds
        } else {
            0.0
        };
        self.bar.set_message(format!(
            "{} rows, {} rows/s",
            HumanCount(rows),
            HumanCount(rate as u64)
        ));
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
