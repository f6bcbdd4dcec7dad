package dev.murr;

/**
 * The engine's metrics ({@code murr_db_metrics}): counters since the database was opened,
 * which only grow (take the difference of two calls for a rate), and gauges of the state at
 * the call. Each is an unsigned 64-bit count held in a {@code long}; times are nanoseconds.
 * docs/ENGINE.md ("Metrics") says what each counts.
 *
 * @param enabled 1 if the engine records its counters, 0 if they are switched off (then they stay 0)
 * @param reads reads that succeeded (read, readF32, snapshot reads)
 * @param readKeys keys those reads asked for
 * @param readMisses keys those reads did not find
 * @param readBytes bytes those reads returned
 * @param readLatencyP50Nanos estimated median read latency, ns (from the histogram)
 * @param readLatencyP99Nanos estimated 99th percentile read latency, ns
 * @param readLatencyP999Nanos estimated 99.9th percentile read latency, ns
 * @param readLatencySumNanos sum of all read latencies, ns (with reads, the mean)
 * @param writes writes that succeeded (batches)
 * @param writeRows rows those writes carried
 * @param deletes deletes that succeeded (calls)
 * @param deleteKeys keys those deletes carried
 * @param logSyncs fsyncs of the write-ahead log
 * @param logBytes bytes of records appended to the write-ahead log
 * @param flushes flushes of memtables to segments
 * @param flushRows rows those flushes wrote
 * @param flushBytes bytes of segment files those flushes wrote
 * @param flushNanos time spent flushing, ns
 * @param compactions compactions installed
 * @param compactionBytesRead bytes of segment files compactions read
 * @param compactionBytesWritten bytes of segment files compactions wrote
 * @param compactionNanos time spent compacting, ns
 * @param writeStalls writes held back by back-pressure
 * @param writeStallNanos time those writes were held back, ns
 * @param memtableBytes gauge: estimated bytes in memtables
 * @param memtableRows gauge: memtable entries (one per key and write)
 * @param segments gauge: segment files
 * @param level0Segments gauge: level-0 segments
 * @param segmentBytes gauge: bytes of segment files
 * @param segmentRows gauge: rows of segments (overwritten rows included)
 * @param readLatencyBuckets the read latency histogram: bucket i counts reads that took more
 *     than 2^(i-1) and at most 2^i ns (the last: everything above); not cumulative
 */
public record Metrics(
    long enabled,
    long reads,
    long readKeys,
    long readMisses,
    long readBytes,
    long readLatencyP50Nanos,
    long readLatencyP99Nanos,
    long readLatencyP999Nanos,
    long readLatencySumNanos,
    long writes,
    long writeRows,
    long deletes,
    long deleteKeys,
    long logSyncs,
    long logBytes,
    long flushes,
    long flushRows,
    long flushBytes,
    long flushNanos,
    long compactions,
    long compactionBytesRead,
    long compactionBytesWritten,
    long compactionNanos,
    long writeStalls,
    long writeStallNanos,
    long memtableBytes,
    long memtableRows,
    long segments,
    long level0Segments,
    long segmentBytes,
    long segmentRows,
    long[] readLatencyBuckets) {

  /** Buckets of {@link #readLatencyBuckets()} ({@code MURR_LATENCY_BUCKETS}). */
  public static final int LATENCY_BUCKETS = 40;

  /** The values in the order {@code Native.metrics} returns them. */
  static Metrics of(long[] v) {
    long[] buckets = java.util.Arrays.copyOfRange(v, 31, 31 + LATENCY_BUCKETS);
    return new Metrics(
        v[0],
        v[1],
        v[2],
        v[3],
        v[4],
        v[5],
        v[6],
        v[7],
        v[8],
        v[9],
        v[10],
        v[11],
        v[12],
        v[13],
        v[14],
        v[15],
        v[16],
        v[17],
        v[18],
        v[19],
        v[20],
        v[21],
        v[22],
        v[23],
        v[24],
        v[25],
        v[26],
        v[27],
        v[28],
        v[29],
        v[30],
        buckets);
  }
}
