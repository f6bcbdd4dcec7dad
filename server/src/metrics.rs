//! The server's own counters, and `GET /metrics` in the Prometheus text format (0.0.4):
//! requests by route, method and status, a request latency histogram per route, keys
//! fetched and missed, bytes in and out; followed by the engine's metrics
//! (`Db::metrics().to_prometheus()`: reads, writes, log, flushes, compactions, stalls, and
//! each table's gauges).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// The latency histogram's bucket bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// One route's latency histogram.
#[derive(Debug, Default, Clone)]
struct Histogram {
    /// Non-cumulative counts per bucket of [`BUCKETS`], then one for +Inf.
    counts: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

/// The counters; shared by every request.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Requests by (route, method, status).
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// Latency by route.
    latency: Mutex<BTreeMap<String, Histogram>>,
    /// Keys asked for by fetches.
    pub keys_fetched: AtomicU64,
    /// Keys asked for by fetches and not found.
    pub key_misses: AtomicU64,
    /// Request body bytes received.
    pub bytes_in: AtomicU64,
    /// Response body bytes sent.
    pub bytes_out: AtomicU64,
}

impl Metrics {
    /// Counts one finished request.
    pub fn record(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        *self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((route.to_owned(), method.to_owned(), status))
            .or_default() += 1;
        let secs = elapsed.as_secs_f64();
        let mut latency = self.latency.lock().unwrap_or_else(PoisonError::into_inner);
        let h = latency.entry(route.to_owned()).or_default();
        let bucket = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        if let Some(c) = h.counts.get_mut(bucket) {
            *c += 1;
        }
        h.sum += secs;
        h.count += 1;
    }

    /// The text exposition of every counter and of `tables`.
    pub fn render(&self, engine: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP murr_http_requests_total HTTP requests by route, method and status."
        );
        let _ = writeln!(out, "# TYPE murr_http_requests_total counter");
        for ((route, method, status), n) in self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(
                out,
                "murr_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        let _ = writeln!(
            out,
            "# HELP murr_http_request_duration_seconds HTTP request latency by route."
        );
        let _ = writeln!(out, "# TYPE murr_http_request_duration_seconds histogram");
        for (route, h) in self
            .latency
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let route = escape(route);
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.counts.iter()) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "murr_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "murr_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "murr_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "murr_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        for (name, help, v) in [
            (
                "murr_keys_fetched_total",
                "Keys asked for by fetches.",
                &self.keys_fetched,
            ),
            (
                "murr_key_misses_total",
                "Keys asked for by fetches and not found.",
                &self.key_misses,
            ),
            (
                "murr_http_bytes_in_total",
                "Request body bytes received.",
                &self.bytes_in,
            ),
            (
                "murr_http_bytes_out_total",
                "Response body bytes sent.",
                &self.bytes_out,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            let _ = writeln!(out, "{name} {}", v.load(Ordering::Relaxed));
        }
        out.push_str(engine);
        out
    }
}

/// A label value escaped for the text format.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
