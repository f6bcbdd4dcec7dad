package dev.murr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 reads do not grow the JVM's heap, the process's resident memory, or the Arrow
 * allocator (zero outstanding bytes once the database is closed).
 *
 * <p>Surefire runs the tests with a fixed pre-touched heap ({@code -Xms256m -Xmx256m
 * -XX:+AlwaysPreTouch}), so heap pages do not show up as RSS growth. After a warm-up (in which
 * the JIT compiles the read path: measured, RSS settles after about 150,000 Arrow reads), the
 * growth over the 100,000 reads must stay under 24 MiB, and over their second half under 8 MiB
 * or under half the first half's growth: a leak grows linearly (one leaked 3-key result per
 * read would be several MiB per 50,000, alike in both halves), while the tail of the warm-up
 * (JIT, malloc arenas) shrinks (second halves of 10.5 and 8.2 MiB were seen on a busy machine).
 */
class MemoryTest {
  static final int READS = 100_000;
  static final int WARMUP = 60_000;
  static final long RSS_BOUND = 24L << 20;
  static final long RSS_HALF_BOUND = 8L << 20;
  static final long HEAP_BOUND = 16L << 20;
  @TempDir Path dir;

  static long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("no VmRSS in /proc/self/status");
  }

  static long heapUsedAfterGc() {
    MemoryMXBean m = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return m.getHeapMemoryUsage().getUsed();
  }

  private static void readOnce(MurrDb db, Snapshot snap, int i, String[] cols, float[] dense) {
    String[] keys = {TestData.key(i % 100), TestData.key((i * 7) % 100), "absent"};
    switch (i % 3) {
      case 0 -> {
        try (VectorSchemaRoot r = db.read("t", keys, cols)) {
          if (((Float4Vector) r.getVector(1)).get(0) != TestData.value(i % 100, 1, 0)) {
            throw new AssertionError("wrong value at read " + i);
          }
        }
      }
      case 1 -> {
        try {
          snap.read("t", keys, "no_such_column").close();
          throw new AssertionError("a read of an unknown column succeeded");
        } catch (MurrException e) {
          // an error path too: its message must be released every time
        }
        db.readDense("t", keys, cols, -1f, dense, 0, null);
      }
      default -> {
        try (VectorSchemaRoot r = snap.read("t", keys, cols)) {
          if (!r.getVector(0).isNull(2)) {
            throw new AssertionError("absent key read a value");
          }
        }
      }
    }
  }

  @Test
  void readsDoNotGrowMemory() throws IOException {
    try (BufferAllocator root = new RootAllocator()) {
      try (MurrDb db = MurrDb.open(dir.resolve("db"), new Options().allocator(root))) {
        db.createTable("t", TestData.schema(2, false), "key");
        try (VectorSchemaRoot b = TestData.batch(root, 0, 100, 2, false, 0)) {
          db.write("t", b);
        }
        String[] cols = TestData.columns(2);
        float[] dense = new float[3 * 2];
        try (Snapshot snap = db.snapshot()) {
          for (int i = 0; i < WARMUP; i++) {
            readOnce(db, snap, i, cols, dense);
          }
          // libmurr holds the written batch's buffers in its memtable until a flush.
          long arrow0 = db.allocator().getAllocatedMemory();
          long heap0 = heapUsedAfterGc();
          long rss0 = rssBytes();
          long rssHalf = 0;
          for (int i = 0; i < READS; i++) {
            if (i == READS / 2) {
              rssHalf = rssBytes();
            }
            readOnce(db, snap, WARMUP + i, cols, dense);
          }
          long heapGrowth = heapUsedAfterGc() - heap0;
          long rss1 = rssBytes();
          System.out.printf(
              "MemoryTest: %d reads after %d warm-up reads: heap growth %d KiB, RSS growth %d"
                  + " KiB (second half %d KiB)%n",
              READS, WARMUP, heapGrowth >> 10, (rss1 - rss0) >> 10, (rss1 - rssHalf) >> 10);
          assertTrue(heapGrowth < HEAP_BOUND, "heap grew by " + heapGrowth);
          assertTrue(rss1 - rss0 < RSS_BOUND, "RSS grew by " + (rss1 - rss0));
          long first = rssHalf - rss0;
          long second = rss1 - rssHalf;
          assertTrue(
              second < RSS_HALF_BOUND || 2 * second < first,
              "RSS grew by " + second + " over the second half, after " + first + " over the first");
          assertEquals(arrow0, db.allocator().getAllocatedMemory(), "results left behind");
        }
      }
      assertEquals(0, root.getAllocatedMemory(), "Arrow memory left after close");
    }
  }
}
