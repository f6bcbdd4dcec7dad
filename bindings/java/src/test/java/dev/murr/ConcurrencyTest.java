package dev.murr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readers running while a writer upserts, and while the database closes. */
class ConcurrencyTest {
  static final int ROWS = 2000;
  static final int COLS = 4;
  @TempDir Path dir;

  /** Row i at version v: f_c = v * 16 + c for every column, written in one batch. */
  private static VectorSchemaRoot version(BufferAllocator a, int start, int len, int v) {
    VectorSchemaRoot root = VectorSchemaRoot.create(TestData.schema(COLS, false), a);
    root.allocateNew();
    for (int r = 0; r < len; r++) {
      ((VarCharVector) root.getVector(0))
          .setSafe(r, TestData.key(start + r).getBytes(StandardCharsets.UTF_8));
      for (int c = 0; c < COLS; c++) {
        ((Float4Vector) root.getVector(c + 1)).setSafe(r, v * 16f + c);
      }
    }
    root.setRowCount(len);
    return root;
  }

  @Test
  void readersSeeWholeBatchesWhileAWriterUpserts() throws Exception {
    try (BufferAllocator root = new RootAllocator();
        MurrDb db = MurrDb.open(dir.resolve("db"), new Options().allocator(root).sync(Options.Sync.NEVER))) {
      db.createTable("t", TestData.schema(COLS, false), "key");
      try (VectorSchemaRoot b = version(root, 0, ROWS, 0)) {
        db.write("t", b);
      }
      AtomicBoolean stop = new AtomicBoolean();
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      AtomicLong reads = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        final boolean arrow = t % 2 == 0;
        final int seed = t;
        threads.add(
            new Thread(
                () -> {
                  SplittableRandom rnd = new SplittableRandom(seed);
                  int[] lastSeen = new int[ROWS];
                  String[] cols = TestData.columns(COLS);
                  try {
                    while (!stop.get()) {
                      int[] rows = rnd.ints(64, 0, ROWS).toArray();
                      String[] keys = new String[rows.length];
                      for (int i = 0; i < rows.length; i++) {
                        keys[i] = TestData.key(rows[i]);
                      }
                      float[] v = new float[rows.length * COLS];
                      if (arrow) {
                        try (VectorSchemaRoot r = db.read("t", keys, cols)) {
                          for (int i = 0; i < rows.length; i++) {
                            for (int c = 0; c < COLS; c++) {
                              v[i * COLS + c] = ((Float4Vector) r.getVector(c)).get(i);
                            }
                          }
                        }
                      } else {
                        db.readDense("t", keys, cols, -1f, v, 0, null);
                      }
                      for (int i = 0; i < rows.length; i++) {
                        float f0 = v[i * COLS];
                        int ver = (int) (f0 / 16f);
                        if (f0 != ver * 16f) {
                          throw new AssertionError("torn value " + f0);
                        }
                        for (int c = 1; c < COLS; c++) {
                          if (v[i * COLS + c] != f0 + c) {
                            throw new AssertionError("row " + rows[i] + " mixes versions");
                          }
                        }
                        if (ver < lastSeen[rows[i]]) {
                          throw new AssertionError("row " + rows[i] + " went back in time");
                        }
                        lastSeen[rows[i]] = ver;
                      }
                      reads.incrementAndGet();
                    }
                  } catch (Throwable e) {
                    errors.add(e);
                  }
                }));
      }
      threads.forEach(Thread::start);
      for (int v = 1; v <= 60; v++) {
        int start = (v * 500) % ROWS;
        try (VectorSchemaRoot b = version(root, start, 500, v)) {
          db.write("t", b);
        }
        if (v % 20 == 0) {
          db.flush();
        }
      }
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
      if (!errors.isEmpty()) {
        throw new AssertionError(errors.peek());
      }
      assertTrue(reads.get() > 0);
    }
  }

  @Test
  void closingWhileReadersRunNeverCrashes() throws Exception {
    BufferAllocator root = new RootAllocator();
    MurrDb db = MurrDb.open(dir.resolve("db2"), new Options().allocator(root));
    db.createTable("t", TestData.schema(COLS, false), "key");
    try (VectorSchemaRoot b = version(root, 0, ROWS, 1)) {
      db.write("t", b);
    }
    Snapshot snap = db.snapshot();
    CountDownLatch started = new CountDownLatch(4);
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      final MurrReader reader = t % 2 == 0 ? db : snap;
      threads.add(
          new Thread(
              () -> {
                started.countDown();
                String[] keys = {"doc_1", "doc_2", "doc_3"};
                try {
                  while (true) {
                    float[] v = reader.readDense("t", keys, TestData.columns(COLS), 0f);
                    assertEquals(17f, v[1]);
                  }
                } catch (IllegalStateException e) {
                  // refused after close: expected
                } catch (MurrException e) {
                  if (e.status() != MurrException.CLOSED) {
                    errors.add(e);
                  }
                } catch (Throwable e) {
                  errors.add(e);
                }
              }));
    }
    threads.forEach(Thread::start);
    started.await();
    Thread.sleep(50);
    db.close();
    for (Thread t : threads) {
      t.join();
    }
    if (!errors.isEmpty()) {
      throw new AssertionError(errors.peek());
    }
    assertEquals(0, root.getAllocatedMemory());
    root.close();
  }
}
