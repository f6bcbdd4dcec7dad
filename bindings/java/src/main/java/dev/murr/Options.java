package dev.murr;

import org.apache.arrow.memory.BufferAllocator;

/**
 * Options of {@link MurrDb#open(java.nio.file.Path, Options)}: what is not set keeps
 * libmurr's default ({@code murr_options_default}). Setters return {@code this}.
 */
public final class Options {
  /** When the log is fsynced. */
  public enum Sync {
    /** Every write is fsynced before it returns (the default). */
    ALWAYS,
    /** The log is fsynced only at flushes and close. */
    NEVER,
    /** A background thread fsyncs the log every {@link #syncMillis} milliseconds. */
    EVERY_MILLIS
  }

  static final int COUNT = 12;
  private final long[] values = new long[COUNT];
  private long setMask;
  private BufferAllocator allocator;

  /** Options with every value at libmurr's default. */
  public Options() {}

  private Options set(int index, long value) {
    values[index] = value;
    setMask |= 1L << index;
    return this;
  }

  private static long u32(String what, long v) {
    if (v < 0 || v > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(what + " out of range: " + v);
    }
    return v;
  }

  private static long nonNegative(String what, long v) {
    if (v < 0) {
      throw new IllegalArgumentException(what + " must not be negative: " + v);
    }
    return v;
  }

  /** When the log is fsynced (default {@link Sync#ALWAYS}). */
  public Options sync(Sync sync) {
    return set(0, sync.ordinal());
  }

  /** The period of {@link Sync#EVERY_MILLIS}. */
  public Options syncMillis(long millis) {
    return set(1, u32("syncMillis", millis));
  }

  /** Threads running flushes and compactions; 0 is manual mode (default 1). */
  public Options backgroundThreads(int threads) {
    return set(2, u32("backgroundThreads", threads));
  }

  /** Flush the memtables once they hold about this many bytes (default 256 MiB). */
  public Options memtableBytes(long bytes) {
    return set(3, nonNegative("memtableBytes", bytes));
  }

  /** Create the database if the directory does not exist (default true). */
  public Options createIfMissing(boolean create) {
    return set(4, create ? 1 : 0);
  }

  /** Skip damaged log records at open instead of failing (default false). */
  public Options skipCorrupt(boolean skip) {
    return set(5, skip ? 1 : 0);
  }

  /** Compact a table at this many level-0 segments (default 4). */
  public Options l0CompactionTrigger(int segments) {
    return set(6, u32("l0CompactionTrigger", segments));
  }

  /** Slow writes to a table with this many level-0 segments (default 8). */
  public Options l0SlowdownWrites(int segments) {
    return set(7, u32("l0SlowdownWrites", segments));
  }

  /** Stop writes to a table with this many level-0 segments (default 12). */
  public Options l0StopWrites(int segments) {
    return set(8, u32("l0StopWrites", segments));
  }

  /** The size of segments a compaction writes (default 64 MiB). */
  public Options targetSegmentBytes(long bytes) {
    return set(9, nonNegative("targetSegmentBytes", bytes));
  }

  /** Compact a table once no write came for this long; negative: off (default 1000). */
  public Options idleCompactionMillis(long millis) {
    return set(10, millis);
  }

  /**
   * Bytes of flushed write-ahead logs kept for {@link MurrDb#changes} (the newest logs within
   * it), read as an unsigned 64-bit number: -1 keeps every log. Default 0: only what recovery
   * needs, so the feed covers the writes since the last flush.
   */
  public Options changeRetentionBytes(long bytes) {
    return set(11, bytes);
  }

  /**
   * The Arrow allocator the database's results and exports are charged to (the database
   * takes a child of it). Default: a {@code RootAllocator} the database owns.
   */
  public Options allocator(BufferAllocator allocator) {
    this.allocator = allocator;
    return this;
  }

  long[] values() {
    return values.clone();
  }

  long setMask() {
    return setMask;
  }

  BufferAllocator allocator() {
    return allocator;
  }
}
