//! Timing reads: every system answers every query in turn (a rotating order, so that the
//! machine's noise falls on all alike), each answer checked outside the timing.

use std::hint::black_box;
use std::time::Instant;

use crate::query::{Answer, Query};

/// Batches read before timing starts.
pub const WARMUP: usize = 200;

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

/// Reads `WARMUP + batches` queries with every system; returns each system's times (warm-up
/// excluded). The time of a read includes dropping its answer.
pub fn interleave(
    systems: &mut [Reader<'_>],
    queries: impl Iterator<Item = Query>,
    batches: usize,
    value: &dyn Fn(u64, usize) -> f32,
) -> Vec<Times> {
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(batches); systems.len()];
    for (b, q) in queries.take(WARMUP + batches).enumerate() {
        for turn in 0..systems.len() {
            let s = (b + turn) % systems.len();
            let t0 = Instant::now();
            let answer = black_box((systems[s].read)(&q));
            let spent = t0.elapsed();
            answer.check(&q, value);
            let t1 = Instant::now();
            drop(answer);
            let spent = spent + t1.elapsed();
            if b >= WARMUP {
                times[s].push(spent.as_secs_f64() * 1e6);
            }
        }
    }
    systems
        .iter()
        .zip(times)
        .map(|(s, us)| Times {
            name: s.name.clone(),
            us,
        })
        .collect()
}
