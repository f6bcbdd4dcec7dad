//! Small numeric helpers for reports: latency percentiles and sizes.

use std::time::Duration;

/// Read latencies summarised.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    /// The median, in microseconds.
    pub median_us: f64,
    /// The 99th percentile, in microseconds.
    pub p99_us: f64,
    /// The mean, in microseconds.
    pub mean_us: f64,
}

impl Latency {
    /// Summarises `samples` (in any order); `None` when there are none.
    pub fn of(samples: &[Duration]) -> Option<Latency> {
        let mut us: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e6).collect();
        us.sort_by(f64::total_cmp);
        let median_us = percentile(&us, 50.0)?;
        let p99_us = percentile(&us, 99.0)?;
        let mean_us = us.iter().sum::<f64>() / us.len() as f64;
        Some(Latency {
            median_us,
            p99_us,
            mean_us,
        })
    }
}

/// The `p`th percentile (nearest rank) of sorted values; `None` when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len().max(1)) - 1).copied()
}

/// Bytes in (decimal) megabytes.
pub fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), Some(50.0));
        assert_eq!(percentile(&v, 99.0), Some(99.0));
        assert_eq!(percentile(&[7.0], 99.0), Some(7.0));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
