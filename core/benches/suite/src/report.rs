//! The suite's output: markdown tables (printed as they are made, and kept for the file
//! `make bench` writes into BENCHMARKS.md) and the scaling points (JSON lines).

use std::fmt::Write as _;

use crate::measure::Times;
use crate::query::KEYS;

/// Everything one run reports.
#[derive(Default)]
pub struct Report {
    markdown: String,
}

impl Report {
    /// Adds (and prints) a line of markdown.
    pub fn line(&mut self, text: impl AsRef<str>) {
        println!("{}", text.as_ref());
        let _ = writeln!(self.markdown, "{}", text.as_ref());
    }

    /// A read workload's table (its heading gives the warm-up's batches): median, p99,
    /// Mkeys/s and ratio of the median to the baseline (system `base`) for each system.
    pub fn reads(&mut self, title: &str, times: &[Times], base: usize) {
        let b = times[base].median();
        let warmup = times[base].warmup;
        self.line(format!("\n#### {title} (after {warmup} of warm-up)\n"));
        self.line("| system | median us | p99 us | Mkeys/s | vs baseline |");
        self.line("|---|---:|---:|---:|---:|");
        for t in times {
            let m = t.median();
            let bold = if t.name.starts_with("libmurr") {
                "**"
            } else {
                ""
            };
            self.line(format!(
                "| {bold}{}{bold} | {bold}{m:.1}{bold} | {:.1} | {:.2} | {bold}{:.2}x{bold} |",
                t.name,
                t.p99(),
                KEYS as f64 / m,
                m / b
            ));
        }
    }

    /// The markdown gathered so far.
    pub fn markdown(&self) -> &str {
        &self.markdown
    }
}
