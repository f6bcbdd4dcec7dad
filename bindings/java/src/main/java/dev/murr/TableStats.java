package dev.murr;

/**
 * The statistics of a table ({@code murr_db_table_stats}): counters that move with writes,
 * flushes and compactions, for monitoring and tests (not for decisions that need them exact).
 * Each is an unsigned 64-bit count held in a {@code long}.
 *
 * @param segments segment files, at level 0 and in the sorted run
 * @param level0Segments segments at level 0 (flushed, key ranges overlapping)
 * @param segmentRows rows in all segments (a key written again since its last compaction
 *     counts twice; rows still in memtables are not counted)
 * @param segmentBytes bytes of all segment files
 * @param deletedRows segment rows marked deleted or superseded (the next compaction drops them)
 * @param memtableBytes estimated bytes held in memtables (not yet flushed)
 */
public record TableStats(
    long segments,
    long level0Segments,
    long segmentRows,
    long segmentBytes,
    long deletedRows,
    long memtableBytes) {}
