//! A latency histogram of fixed power-of-two buckets in nanoseconds: bucket `i` counts
//! values `v` with `2^(i-1) < v <= 2^i` (bucket 0: `v <= 1`), the last bucket everything
//! above `2^(BUCKETS-2)`. Recording is a leading-zeros count and one relaxed add; a
//! percentile is estimated by interpolating within the bucket that holds its rank, so an
//! estimate is within a factor of two of the true value (usually much closer).

/// The number of buckets: upper bounds `2^0 ..= 2^38` ns (about 275 s), then overflow.
pub const BUCKETS: usize = 40;

/// The bucket of a value of `nanos` nanoseconds.
#[inline]
pub(crate) fn bucket_of(nanos: u64) -> usize {
    let bits = 64 - nanos.saturating_sub(1).leading_zeros() as usize;
    bits.min(BUCKETS - 1)
}

/// A snapshot of a latency histogram (see the module docs for the buckets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
    /// `buckets[i]`: values in bucket `i` (not cumulative): more than
    /// [`Histogram::upper_bound`]`(i - 1)` and at most [`Histogram::upper_bound`]`(i)`
    /// nanoseconds.
    pub buckets: [u64; BUCKETS],
    /// The number of values recorded (the sum of `buckets`).
    pub count: u64,
    /// The sum of the values recorded, in nanoseconds.
    pub sum_nanos: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: [0; BUCKETS],
            count: 0,
            sum_nanos: 0,
        }
    }
}

impl Histogram {
    /// The largest value bucket `i` holds, in nanoseconds (`2^i`); `u64::MAX` for the
    /// last bucket, which holds every larger value.
    pub fn upper_bound(i: usize) -> u64 {
        if i + 1 >= BUCKETS {
            u64::MAX
        } else {
            1u64 << i
        }
    }

    /// An estimate of the `q` quantile (0.0 to 1.0; 0.99 is p99) in nanoseconds: the
    /// bucket holding the value of that rank, interpolated linearly within its bounds.
    /// Zero when nothing was recorded. Values in the overflow bucket read as its lower
    /// bound.
    pub fn percentile(&self, q: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let q = if q.is_nan() { 0.0 } else { q.clamp(0.0, 1.0) };
        // The rank (1-based) of the value asked for.
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut below = 0u64;
        for (i, &n) in self.buckets.iter().enumerate() {
            if n == 0 {
                continue;
            }
            if below + n >= rank {
                let low = if i == 0 { 0 } else { 1u64 << (i - 1) };
                if i + 1 >= BUCKETS {
                    return low;
                }
                let high = 1u64 << i;
                let within = (rank - below) as f64 / n as f64;
                return low + ((high - low) as f64 * within) as u64;
            }
            below += n;
        }
        0
    }

    /// The mean in nanoseconds; zero when nothing was recorded.
    pub fn mean(&self) -> u64 {
        self.sum_nanos.checked_div(self.count).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_hold_their_bounds() {
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(1), 0);
        assert_eq!(bucket_of(2), 1);
        assert_eq!(bucket_of(3), 2);
        assert_eq!(bucket_of(4), 2);
        assert_eq!(bucket_of(5), 3);
        assert_eq!(bucket_of(1024), 10);
        assert_eq!(bucket_of(1025), 11);
        assert_eq!(bucket_of(u64::MAX), BUCKETS - 1);
        for i in 1..BUCKETS - 1 {
            let hi = Histogram::upper_bound(i);
            assert_eq!(bucket_of(hi), i);
            assert_eq!(bucket_of(hi + 1), i + 1);
        }
    }

    #[test]
    fn percentiles_interpolate_within_a_bucket() {
        let mut h = Histogram::default();
        // 100 values in (512, 1024], 1 value in (2^20, 2^21].
        h.buckets[10] = 100;
        h.buckets[21] = 1;
        h.count = 101;
        let p50 = h.percentile(0.5);
        assert!((513..=1024).contains(&p50), "{p50}");
        assert_eq!(h.percentile(0.0), 512 + 5);
        assert_eq!(h.percentile(1.0), 1 << 21);
        assert!(h.percentile(0.999) > 1 << 20);
        assert_eq!(Histogram::default().percentile(0.5), 0);
    }

    #[test]
    fn percentile_of_known_values_is_within_a_factor_of_two() {
        let mut h = Histogram::default();
        for v in 1..=10_000u64 {
            h.buckets[bucket_of(v * 1000)] += 1;
            h.count += 1;
            h.sum_nanos += v * 1000;
        }
        for q in [0.5, 0.9, 0.99, 0.999] {
            let truth = (q * 10_000.0) as u64 * 1000;
            let est = h.percentile(q);
            assert!(
                est * 2 >= truth && est <= truth * 2,
                "q {q}: {est} vs {truth}"
            );
        }
        assert_eq!(h.mean(), 5_000_500);
    }
}
