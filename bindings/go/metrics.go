package murr

// #include <stdlib.h>
// #include <murr.h>
import "C"

import "unsafe"

// LatencyBuckets is the number of buckets of Metrics.ReadLatencyBuckets
// (MURR_LATENCY_BUCKETS).
const LatencyBuckets = C.MURR_LATENCY_BUCKETS

// Metrics is what (*DB).Metrics reports (murr_metrics_t): counters since the database was
// opened, which only grow (take the difference of two calls for a rate), and gauges of
// the state at the call. Times are nanoseconds. docs/ENGINE.md ("Metrics") says what each
// one counts.
type Metrics struct {
	// Enabled says whether the engine records its counters (when false they stay 0).
	Enabled bool
	// Reads counts reads that succeeded (Read, ReadF32, snapshot reads).
	Reads uint64
	// ReadKeys counts the keys those reads asked for.
	ReadKeys uint64
	// ReadMisses counts the keys those reads did not find.
	ReadMisses uint64
	// ReadBytes counts the bytes those reads returned.
	ReadBytes uint64
	// ReadLatencyP50Ns, P99 and P999 are read latency estimates from the histogram.
	ReadLatencyP50Ns  uint64
	ReadLatencyP99Ns  uint64
	ReadLatencyP999Ns uint64
	// ReadLatencySumNs is the sum of all read latencies (with Reads, the mean).
	ReadLatencySumNs uint64
	// Writes counts writes that succeeded (batches); WriteRows the rows they carried.
	Writes    uint64
	WriteRows uint64
	// Deletes counts deletes that succeeded; DeleteKeys the keys they carried.
	Deletes    uint64
	DeleteKeys uint64
	// LogSyncs counts fsyncs of the write-ahead log; LogBytes the bytes appended to it.
	LogSyncs uint64
	LogBytes uint64
	// Flushes counts flushes; FlushRows, FlushBytes and FlushNs what they wrote and took.
	Flushes    uint64
	FlushRows  uint64
	FlushBytes uint64
	FlushNs    uint64
	// Compactions counts compactions installed, with the segment bytes they read and
	// wrote and the time they took.
	Compactions            uint64
	CompactionBytesRead    uint64
	CompactionBytesWritten uint64
	CompactionNs           uint64
	// WriteStalls counts writes held back by back-pressure; WriteStallNs the time held.
	WriteStalls  uint64
	WriteStallNs uint64
	// Gauges: memtable bytes and entries, segment files, level-0 segments, segment bytes
	// and rows, over every table.
	MemtableBytes  uint64
	MemtableRows   uint64
	Segments       uint64
	Level0Segments uint64
	SegmentBytes   uint64
	SegmentRows    uint64
	// ReadLatencyBuckets[i] counts reads that took more than 2^(i-1) and at most 2^i ns
	// (the last bucket: everything above); not cumulative.
	ReadLatencyBuckets [LatencyBuckets]uint64
}

// Metrics returns the engine's metrics (murr_db_metrics).
func (db *DB) Metrics() (Metrics, error) {
	if !db.h.acquire() {
		return Metrics{}, db.closedError()
	}
	defer db.h.release()
	// Go memory holding no Go pointers, passed for the call only.
	var m C.murr_metrics_t
	m.size = C.size_t(unsafe.Sizeof(m))
	var c call
	if err := c.check(C.murr_db_metrics(db.ptr, &m, &c.e)); err != nil {
		return Metrics{}, err
	}
	out := Metrics{
		Enabled:                m.enabled != 0,
		Reads:                  uint64(m.reads),
		ReadKeys:               uint64(m.read_keys),
		ReadMisses:             uint64(m.read_misses),
		ReadBytes:              uint64(m.read_bytes),
		ReadLatencyP50Ns:       uint64(m.read_latency_p50_ns),
		ReadLatencyP99Ns:       uint64(m.read_latency_p99_ns),
		ReadLatencyP999Ns:      uint64(m.read_latency_p999_ns),
		ReadLatencySumNs:       uint64(m.read_latency_sum_ns),
		Writes:                 uint64(m.writes),
		WriteRows:              uint64(m.write_rows),
		Deletes:                uint64(m.deletes),
		DeleteKeys:             uint64(m.delete_keys),
		LogSyncs:               uint64(m.log_syncs),
		LogBytes:               uint64(m.log_bytes),
		Flushes:                uint64(m.flushes),
		FlushRows:              uint64(m.flush_rows),
		FlushBytes:             uint64(m.flush_bytes),
		FlushNs:                uint64(m.flush_ns),
		Compactions:            uint64(m.compactions),
		CompactionBytesRead:    uint64(m.compaction_bytes_read),
		CompactionBytesWritten: uint64(m.compaction_bytes_written),
		CompactionNs:           uint64(m.compaction_ns),
		WriteStalls:            uint64(m.write_stalls),
		WriteStallNs:           uint64(m.write_stall_ns),
		MemtableBytes:          uint64(m.memtable_bytes),
		MemtableRows:           uint64(m.memtable_rows),
		Segments:               uint64(m.segments),
		Level0Segments:         uint64(m.level0_segments),
		SegmentBytes:           uint64(m.segment_bytes),
		SegmentRows:            uint64(m.segment_rows),
	}
	for i := range out.ReadLatencyBuckets {
		out.ReadLatencyBuckets[i] = uint64(m.read_latency_buckets[i])
	}
	return out, nil
}

// MetricsPrometheus returns the engine's metrics in the Prometheus text exposition format
// 0.0.4 (murr_db_metrics_prometheus), for a /metrics endpoint.
func (db *DB) MetricsPrometheus() (string, error) {
	if !db.h.acquire() {
		return "", db.closedError()
	}
	defer db.h.release()
	var text *C.char
	var c call
	if err := c.check(C.murr_db_metrics_prometheus(db.ptr, &text, &c.e)); err != nil {
		return "", err
	}
	defer C.murr_string_free(text)
	return C.GoString(text), nil
}
