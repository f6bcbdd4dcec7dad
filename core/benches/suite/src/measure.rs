//! Timing reads: every system answers every query in turn (a rotating order, so that the
//! machine's noise falls on all alike), each answer checked outside the timing.

use std::hint::black_box;
use std::time::Instant;

use crate::query::{Answer, Query};

/// Batches read before the warm-up starts to look for a steady state.
pub const WARMUP: usize = 200;
/// Batches per warm-up window: the warm-up ends after the first window whose median is, for
/// every system, within `SETTLED` of its median over each of the `SETTLED_OVER` windows
/// before it.
pub const WINDOW: usize = 250;
/// Largest relative change of a window's median from the earlier ones that counts as settled.
pub const SETTLED: f64 = 0.10;
/// Windows before the last that its medians are compared with: two, so that a decline of
/// 5% per window (as after a 100M load, where one window to the next moved by 5-12%)
/// does not pass for settled.
pub const SETTLED_OVER: usize = 2;
/// Warm-up windows read at most (after `WARMUP`) before timing starts anyway.
pub const MAX_WINDOWS: usize = 40;

/// A system taking part in a read workload.
pub struct Reader<'a> {
    /// Its name in the tables.
    pub name: String,
    /// Its read.
    pub read: Box<dyn FnMut(&Query) -> Answer + 'a>,
}

impl<'a> Reader<'a> {
    pub fn new(name: impl Into<String>, read: impl FnMut(&Query) -> Answer + 'a) -> Self {
        Reader {
            name: name.into(),
            read: Box::new(read),
        }
    }
}

/// Times of one system in one workload, in microseconds.
pub struct Times {
    pub name: String,
    pub us: Vec<f64>,
    /// Batches read before timing started (the same for every system of a workload).
    pub warmup: usize,
}

impl Times {
    pub fn median(&self) -> f64 {
        percentile(&self.us, 0.5)
    }
    pub fn p99(&self) -> f64 {
        percentile(&self.us, 0.99)
    }
}

/// The `p` quantile (0..=1) of `times`, by nearest rank.
pub fn percentile(times: &[f64], p: f64) -> f64 {
    if times.is_empty() {
        return f64::NAN;
    }
    let mut t = times.to_vec();
    t.sort_by(f64::total_cmp);
    t[((t.len() - 1) as f64 * p).round() as usize]
}

/// Warms every system up, then times `batches` queries with each; returns each system's
/// times. The warm-up reads `WARMUP` batches, then windows of `WINDOW` batches until every
/// system's median over a window is within `SETTLED` of its medians over the
/// `SETTLED_OVER` windows before (at most `MAX_WINDOWS`): at 100M rows both the baseline
/// and libmurr can run 10x slower for tens of seconds after the load, whatever process runs
/// it, and a fixed warm-up times that instead of serving. The time of a read includes dropping its answer. With
/// `MURR_BENCH_SERIES=W` set, prints each system's median over every W timed batches to
/// stderr.
pub fn interleave(
    systems: &mut [Reader<'_>],
    mut queries: impl Iterator<Item = Query>,
    batches: usize,
    value: &dyn Fn(u64, usize) -> f32,
) -> Vec<Times> {
    round(systems, queries.by_ref().take(WARMUP), value);
    let mut windows: Vec<Vec<f64>> = Vec::new();
    while windows.len() < MAX_WINDOWS && !settled_after(&windows) {
        let window = round(systems, queries.by_ref().take(WINDOW), value);
        windows.push(window.iter().map(|us| percentile(us, 0.5)).collect());
    }
    let warmup = WARMUP + windows.len() * WINDOW;
    let settled = settled_after(&windows);
    let last: Vec<String> = windows
        .last()
        .into_iter()
        .flatten()
        .map(|m| format!("{m:.0} us"))
        .collect();
    eprintln!(
        "warm-up: {warmup} batches, {} (medians of the last window: {})",
        if settled { "settled" } else { "not settled" },
        last.join(", ")
    );
    let times = round(systems, queries.take(batches), value);
    if let Some(w) = series_window() {
        for (s, us) in systems.iter().zip(&times) {
            let medians: Vec<String> = us
                .chunks(w)
                .map(|c| format!("{:.0}", percentile(c, 0.5)))
                .collect();
            eprintln!(
                "series ({w} batches, median us) {}: {}",
                s.name,
                medians.join(" ")
            );
        }
    }
    systems
        .iter()
        .zip(times)
        .map(|(s, us)| Times {
            name: s.name.clone(),
            us,
            warmup,
        })
        .collect()
}

/// Whether the last of `windows` (each system's median over a window) is, for every system,
/// within `SETTLED` of each of the `SETTLED_OVER` windows before it (false while there are
/// fewer).
fn settled_after(windows: &[Vec<f64>]) -> bool {
    let Some((now, before)) = windows.split_last() else {
        return false;
    };
    before.len() >= SETTLED_OVER
        && before[before.len() - SETTLED_OVER..].iter().all(|b| {
            b.len() == now.len()
                && b.iter()
                    .zip(now)
                    .all(|(b, m)| (m / b - 1.0).abs() <= SETTLED)
        })
}

/// The window of `MURR_BENCH_SERIES`, when set to a positive number.
fn series_window() -> Option<usize> {
    std::env::var("MURR_BENCH_SERIES")
        .ok()?
        .parse()
        .ok()
        .filter(|&w| w > 0)
}

/// Reads every query with every system, in a rotating order; returns each system's times.
fn round(
    systems: &mut [Reader<'_>],
    queries: impl Iterator<Item = Query>,
    value: &dyn Fn(u64, usize) -> f32,
) -> Vec<Vec<f64>> {
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); systems.len()];
    for (b, q) in queries.enumerate() {
        for turn in 0..systems.len() {
            let s = (b + turn) % systems.len();
            let t0 = Instant::now();
            let answer = black_box((systems[s].read)(&q));
            let spent = t0.elapsed();
            answer.check(&q, value);
            let t1 = Instant::now();
            drop(answer);
            let spent = spent + t1.elapsed();
            times[s].push(spent.as_secs_f64() * 1e6);
        }
    }
    times
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(m: &[&[f64]]) -> Vec<Vec<f64>> {
        m.iter().map(|w| w.to_vec()).collect()
    }

    #[test]
    fn settled_needs_three_windows_each_within_ten_percent_for_every_system() {
        assert!(!settled_after(&[]));
        assert!(!settled_after(&w(&[&[100.0, 200.0], &[101.0, 201.0]])));
        assert!(settled_after(&w(&[
            &[100.0, 200.0],
            &[95.0, 190.0],
            &[104.0, 181.0]
        ])));
        // One system more than 10% off either earlier window.
        assert!(!settled_after(&w(&[
            &[100.0, 200.0],
            &[100.0, 200.0],
            &[109.0, 179.0]
        ])));
        assert!(!settled_after(&w(&[
            &[120.0, 200.0],
            &[100.0, 200.0],
            &[100.0, 200.0]
        ])));
        // A decline of ~6% per window agrees window to window, not over two.
        assert!(!settled_after(&w(&[
            &[330.0, 382.0],
            &[314.0, 359.0],
            &[299.0, 337.0]
        ])));
        // Only the last SETTLED_OVER windows count.
        assert!(settled_after(&w(&[
            &[2104.0, 2771.0],
            &[250.0, 240.0],
            &[240.0, 235.0],
            &[245.0, 232.0]
        ])));
        assert!(!settled_after(&w(&[&[100.0], &[100.0], &[100.0, 100.0]])));
    }

    #[test]
    fn percentile_is_nearest_rank() {
        let t = [5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(percentile(&t, 0.5), 3.0);
        assert_eq!(percentile(&t, 0.0), 1.0);
        assert_eq!(percentile(&t, 1.0), 5.0);
        assert!(percentile(&[], 0.5).is_nan());
    }
}
