//! [`Metrics`] in the Prometheus text exposition format, version 0.0.4.

use std::fmt::Write;

use super::histogram::{BUCKETS, Histogram};
use super::{Metrics, TableMetrics};

/// The first latency bucket printed: 2^10 ns (about 1 us). The buckets below it are
/// cumulative in it, so nothing is lost but resolution no read has.
const FIRST_PRINTED_BUCKET: usize = 10;

/// A per-table gauge: its name, help and value.
type Gauge = (&'static str, &'static str, fn(&TableMetrics) -> u64);

/// Nanoseconds as seconds.
fn seconds(nanos: u64) -> f64 {
    nanos as f64 / 1e9
}

impl Metrics {
    /// The metrics in the Prometheus text exposition format (version 0.0.4), each with
    /// `# HELP` and `# TYPE` lines and the prefix `murr_`: counters end in `_total`, times
    /// are in seconds, the read latency is a histogram (`_bucket{le=...}`, `_sum`,
    /// `_count`), and the per-table gauges carry a `table` label (escaped as the format
    /// says). For a scrape endpoint such as the server's `GET /metrics`.
    pub fn to_prometheus(&self) -> String {
        let mut out = String::with_capacity(8 * 1024);
        let counters: [(&str, &str, u64); 16] = [
            (
                "reads",
                "Reads that succeeded (read and read_f32 calls).",
                self.reads,
            ),
            ("read_keys", "Keys asked by reads.", self.read_keys),
            ("read_misses", "Keys reads did not find.", self.read_misses),
            (
                "read_bytes",
                "Bytes of the batches reads returned.",
                self.read_bytes,
            ),
            ("writes", "Writes that succeeded (batches).", self.writes),
            ("write_rows", "Rows written.", self.write_rows),
            ("deletes", "Deletes that succeeded (calls).", self.deletes),
            ("delete_keys", "Keys deleted.", self.delete_keys),
            (
                "log_syncs",
                "Fsyncs of the write-ahead log.",
                self.log_syncs,
            ),
            (
                "log_bytes",
                "Bytes of records appended to the write-ahead log.",
                self.log_bytes,
            ),
            ("flushes", "Flushes of memtables to segments.", self.flushes),
            ("flush_rows", "Rows written by flushes.", self.flush_rows),
            (
                "flush_bytes",
                "Bytes of segments written by flushes.",
                self.flush_bytes,
            ),
            ("compactions", "Compactions installed.", self.compactions),
            (
                "compaction_read_bytes",
                "Bytes of segments compactions read.",
                self.compaction_bytes_read,
            ),
            (
                "compaction_written_bytes",
                "Bytes of segments compactions wrote.",
                self.compaction_bytes_written,
            ),
        ];
        for (name, help, value) in counters {
            counter(&mut out, name, help, &value.to_string());
        }
        counter(
            &mut out,
            "write_stalls",
            "Writes held back by back-pressure.",
            &self.write_stalls.to_string(),
        );
        let times: [(&str, &str, u64); 3] = [
            ("flush_seconds", "Time spent flushing.", self.flush_nanos),
            (
                "compaction_seconds",
                "Time spent compacting.",
                self.compaction_nanos,
            ),
            (
                "write_stall_seconds",
                "Time writes were held back by back-pressure.",
                self.write_stall_nanos,
            ),
        ];
        for (name, help, nanos) in times {
            counter(&mut out, name, help, &seconds(nanos).to_string());
        }
        histogram(
            &mut out,
            "read_latency_seconds",
            "Latency of reads.",
            &self.read_latency,
        );
        let _ = writeln!(
            out,
            "# HELP murr_metrics_enabled Whether the engine records its counters (Options::metrics)."
        );
        let _ = writeln!(out, "# TYPE murr_metrics_enabled gauge");
        let _ = writeln!(out, "murr_metrics_enabled {}", u8::from(self.enabled));
        let gauges: [Gauge; 7] = [
            (
                "memtable_bytes",
                "Estimated bytes in the table's memtables.",
                |t| t.memtable_bytes,
            ),
            ("memtable_rows", "Entries in the table's memtables.", |t| {
                t.memtable_rows
            }),
            ("segments", "Segment files of the table.", |t| t.segments),
            ("level0_segments", "Level-0 segments of the table.", |t| {
                t.level0_segments
            }),
            (
                "segment_bytes",
                "Bytes of the table's segment files.",
                |t| t.segment_bytes,
            ),
            ("segment_rows", "Rows of the table's segments.", |t| {
                t.segment_rows
            }),
            (
                "deleted_rows",
                "Segment rows marked deleted or superseded.",
                |t| t.deleted_rows,
            ),
        ];
        for (name, help, get) in gauges {
            let _ = writeln!(out, "# HELP murr_table_{name} {help}");
            let _ = writeln!(out, "# TYPE murr_table_{name} gauge");
            for t in &self.tables {
                let _ = writeln!(
                    out,
                    "murr_table_{name}{{table=\"{}\"}} {}",
                    escape(&t.name),
                    get(t)
                );
            }
        }
        out
    }
}

fn counter(out: &mut String, name: &str, help: &str, value: &str) {
    let _ = writeln!(out, "# HELP murr_{name}_total {help}");
    let _ = writeln!(out, "# TYPE murr_{name}_total counter");
    let _ = writeln!(out, "murr_{name}_total {value}");
}

fn histogram(out: &mut String, name: &str, help: &str, h: &Histogram) {
    let _ = writeln!(out, "# HELP murr_{name} {help}");
    let _ = writeln!(out, "# TYPE murr_{name} histogram");
    let mut cumulative = 0u64;
    for (i, n) in h.buckets.iter().enumerate() {
        cumulative += n;
        if (FIRST_PRINTED_BUCKET..BUCKETS - 1).contains(&i) {
            let le = seconds(Histogram::upper_bound(i));
            let _ = writeln!(out, "murr_{name}_bucket{{le=\"{le:e}\"}} {cumulative}");
        }
    }
    let _ = writeln!(out, "murr_{name}_bucket{{le=\"+Inf\"}} {}", h.count);
    let _ = writeln!(out, "murr_{name}_sum {}", seconds(h.sum_nanos));
    let _ = writeln!(out, "murr_{name}_count {}", h.count);
}

/// A label value escaped as the text format asks: backslash, double quote and line feed.
fn escape(value: &str) -> String {
    let mut s = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_format() {
        let mut m = Metrics {
            enabled: true,
            reads: 3,
            read_keys: 30,
            ..Metrics::default()
        };
        m.read_latency.buckets[12] = 2; // (2048, 4096] ns
        m.read_latency.buckets[20] = 1; // (2^19, 2^20] ns
        m.read_latency.count = 3;
        m.read_latency.sum_nanos = 1_500_000;
        m.tables.push(TableMetrics {
            name: "a\"b\\c\nd".into(),
            memtable_bytes: 7,
            ..TableMetrics::default()
        });
        let text = m.to_prometheus();
        assert!(text.contains("# TYPE murr_reads_total counter\nmurr_reads_total 3\n"));
        assert!(text.contains("murr_read_keys_total 30\n"));
        assert!(text.contains("# TYPE murr_read_latency_seconds histogram\n"));
        assert!(text.contains("murr_read_latency_seconds_bucket{le=\"2.048e-6\"} 0\n"));
        assert!(text.contains("murr_read_latency_seconds_bucket{le=\"4.096e-6\"} 2\n"));
        assert!(text.contains("murr_read_latency_seconds_bucket{le=\"1.048576e-3\"} 3\n"));
        assert!(text.contains("murr_read_latency_seconds_bucket{le=\"+Inf\"} 3\n"));
        assert!(text.contains("murr_read_latency_seconds_sum 0.0015\n"));
        assert!(text.contains("murr_read_latency_seconds_count 3\n"));
        assert!(text.contains("murr_table_memtable_bytes{table=\"a\\\"b\\\\c\\nd\"} 7\n"));
        // Every sample line's metric has HELP and TYPE lines before it.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap_or("");
            let base = name
                .strip_suffix("_bucket")
                .or_else(|| name.strip_suffix("_sum"))
                .or_else(|| name.strip_suffix("_count"))
                .filter(|b| b.ends_with("_seconds"))
                .unwrap_or(name);
            assert!(text.contains(&format!("# TYPE {base} ")), "{line}");
            assert!(name.starts_with("murr_"), "{line}");
        }
        // Buckets are cumulative, never decreasing.
        let counts: Vec<u64> = text
            .lines()
            .filter(|l| l.starts_with("murr_read_latency_seconds_bucket"))
            .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
            .collect();
        assert!(counts.windows(2).all(|w| w[0] <= w[1]));
    }
}
