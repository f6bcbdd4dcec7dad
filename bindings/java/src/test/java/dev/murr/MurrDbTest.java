package dev.murr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every call of MurrDb, Snapshot and Scan, checked against the values written. */
class MurrDbTest {
  @TempDir Path dir;
  BufferAllocator root;
  MurrDb db;

  @BeforeEach
  void open() {
    root = new RootAllocator();
    db = MurrDb.open(dir.resolve("db"), new Options().allocator(root).backgroundThreads(0));
  }

  @AfterEach
  void close() {
    db.close();
    assertEquals(0, root.getAllocatedMemory(), "Arrow memory left after close");
    root.close();
  }

  private void load(String table, int rows, int columns, boolean intKeys, int version) {
    db.createTable(table, TestData.schema(columns, intKeys), "key");
    try (VectorSchemaRoot b = TestData.batch(root, 0, rows, columns, intKeys, version)) {
      assertTrue(db.write(table, b) > 0);
    }
  }

  @Test
  void versionAndLibrary() {
    assertTrue(MurrDb.version().matches("\\d+\\.\\d+\\.\\d+"), MurrDb.version());
    assertTrue(MurrDb.nativeLibrarySource() != null);
  }

  @Test
  void tablesSchemaAndAddColumn() {
    load("a", 3, 2, false, 0);
    load("b", 3, 1, true, 0);
    assertEquals(List.of("a", "b"), db.tables());
    Schema s = db.tableSchema("a");
    assertEquals(List.of("key", "f0", "f1"), s.getFields().stream().map(Field::getName).toList());
    assertEquals("key", s.getCustomMetadata().get("murr.key"));
    db.addColumn("a", new Field("extra", FieldType.nullable(TestData.F32), null));
    assertEquals(4, db.tableSchema("a").getFields().size());
    try (VectorSchemaRoot r = db.read("a", new String[] {"doc_1"}, "extra", "f1")) {
      assertTrue(r.getVector("extra").isNull(0), "a column added later reads null");
      assertEquals(TestData.value(1, 1, 0), ((Float4Vector) r.getVector("f1")).get(0));
    }
    // Creating it again with the same schema is fine.
    db.createTable("b", TestData.schema(1, true), "key");
    db.dropTable("b");
    assertEquals(List.of("a"), db.tables());
  }

  @Test
  void tableStats() {
    db.createTable("t", TestData.schema(2, false), "key");
    assertEquals(new TableStats(0, 0, 0, 0, 0, 0), db.tableStats("t"));
    try (VectorSchemaRoot b = TestData.batch(root, 0, 40, 2, false, 0)) {
      db.write("t", b);
    }
    TableStats s = db.tableStats("t");
    assertTrue(s.memtableBytes() > 0 && s.segments() == 0, s.toString());
    db.flush();
    s = db.tableStats("t");
    assertEquals(1, s.segments());
    assertEquals(1, s.level0Segments());
    assertEquals(40, s.segmentRows());
    assertTrue(s.segmentBytes() > 0 && s.memtableBytes() == 0, s.toString());
    MurrException e = assertThrows(MurrException.class, () -> db.tableStats("nope"));
    assertEquals(MurrException.UNKNOWN_TABLE, e.status());
  }

  @Test
  void metricsFollowWritesReadsAndFlushes() {
    load("t", 100, 2, false, 0);
    Metrics m = db.metrics();
    assertEquals(1, m.enabled());
    assertEquals(1, m.writes());
    assertEquals(100, m.writeRows());
    assertEquals(0, m.reads());
    byte[] found = new byte[4];
    String[] keys = {"doc_1", "nope", "doc_7", "gone"};
    try (VectorSchemaRoot r = db.read("t", keys, new String[] {"f0"}, found)) {
      assertEquals(4, r.getRowCount());
      assertArrayEquals(new byte[] {1, 0, 1, 0}, found);
    }
    db.delete("t", "doc_3");
    m = db.metrics();
    assertEquals(1, m.reads());
    assertEquals(4, m.readKeys());
    assertEquals(2, m.readMisses());
    assertTrue(m.readBytes() > 0 && m.logBytes() > 0, m.toString());
    assertEquals(1, m.deletes());
    assertEquals(1, m.deleteKeys());
    assertEquals(Metrics.LATENCY_BUCKETS, m.readLatencyBuckets().length);
    assertEquals(1, java.util.Arrays.stream(m.readLatencyBuckets()).sum());
    assertTrue(m.readLatencyP50Nanos() > 0 && m.readLatencyP50Nanos() <= m.readLatencyP999Nanos());
    assertEquals(101, m.memtableRows());
    db.flush();
    m = db.metrics();
    assertEquals(1, m.flushes());
    assertEquals(100, m.flushRows());
    assertEquals(1, m.segments());
    assertEquals(0, m.memtableRows());
    String text = db.metricsPrometheus();
    assertTrue(text.contains("murr_reads_total 1\n"), text);
    assertTrue(text.contains("murr_read_misses_total 2\n"), text);
    assertTrue(text.contains("murr_table_segments{table=\"t\"} 1\n"), text);
  }

  @Test
  void readUtf8KeysAsArrow() {
    load("t", 100, 3, false, 0);
    String[] keys = {"doc_5", "missing", "doc_99", "doc_0"};
    byte[] found = new byte[keys.length];
    try (VectorSchemaRoot r = db.read("t", keys, new String[] {"f2", "key", "f0"}, found)) {
      assertEquals(4, r.getRowCount());
      assertArrayEquals(new byte[] {1, 0, 1, 1}, found);
      Float4Vector f2 = (Float4Vector) r.getVector(0);
      VarCharVector k = (VarCharVector) r.getVector(1);
      Float4Vector f0 = (Float4Vector) r.getVector(2);
      assertEquals(TestData.value(5, 2, 0), f2.get(0));
      assertTrue(f2.isNull(1));
      assertTrue(k.isNull(1));
      assertEquals("doc_99", new String(k.get(2), StandardCharsets.UTF_8));
      assertEquals(TestData.value(0, 0, 0), f0.get(3));
    }
  }

  @Test
  void readInt64KeysAndArrowKeyVector() {
    load("t", 50, 2, true, 0);
    try (VectorSchemaRoot r = db.read("t", new long[] {49, 7, 1000}, "f1")) {
      Float4Vector f1 = (Float4Vector) r.getVector(0);
      assertEquals(TestData.value(49, 1, 0), f1.get(0));
      assertEquals(TestData.value(7, 1, 0), f1.get(1));
      assertTrue(f1.isNull(2));
    }
    try (BigIntVector keys = new BigIntVector("k", root)) {
      keys.allocateNew(2);
      keys.set(0, 3);
      keys.set(1, 60);
      keys.setValueCount(2);
      byte[] found = new byte[2];
      try (VectorSchemaRoot r = db.read("t", keys, new String[] {"f0", "key"}, found)) {
        assertEquals(TestData.value(3, 0, 0), ((Float4Vector) r.getVector(0)).get(0));
        assertEquals(3L, ((BigIntVector) r.getVector(1)).get(0));
        assertArrayEquals(new byte[] {1, 0}, found);
      }
    }
  }

  @Test
  void denseReads() {
    load("t", 20, 3, false, 0);
    load("n", 20, 3, true, 0);
    String[] cols = {"f1", "f2"};
    float[] out = db.readDense("t", new String[] {"doc_3", "nope", "doc_19"}, cols, -1f);
    assertArrayEquals(
        new float[] {
          TestData.value(3, 1, 0), TestData.value(3, 2, 0), -1f, -1f,
          TestData.value(19, 1, 0), TestData.value(19, 2, 0)
        },
        out);
    FloatBuffer buf =
        ByteBuffer.allocateDirect(4 * 10).order(ByteOrder.nativeOrder()).asFloatBuffer();
    buf.position(2);
    byte[] found = new byte[2];
    db.readDense("t", new String[] {"doc_4", "doc_5"}, cols, 0f, buf, found);
    assertEquals(2, buf.position(), "the position is left as it is");
    assertEquals(TestData.value(4, 1, 0), buf.get(2));
    assertEquals(TestData.value(5, 2, 0), buf.get(5));
    assertArrayEquals(new byte[] {1, 1}, found);
    float[] arr = new float[5];
    db.readDense("n", new long[] {8, -1}, cols, 9f, arr, 1, null);
    assertArrayEquals(new float[] {0f, TestData.value(8, 1, 0), TestData.value(8, 2, 0), 9f, 9f}, arr);
    FloatBuffer b2 = ByteBuffer.allocateDirect(4 * 2).order(ByteOrder.nativeOrder()).asFloatBuffer();
    db.readDense("n", new long[] {11}, cols, 0f, b2, null);
    assertEquals(TestData.value(11, 2, 0), b2.get(1));
  }

  @Test
  void deletesAllThreeWays() {
    load("t", 10, 1, false, 0);
    load("n", 10, 1, true, 0);
    long s1 = db.delete("t", "doc_1", "doc_2", "never");
    long s2 = db.delete("n", 4L, 5L);
    assertTrue(s2 > s1);
    try (VarCharVector keys = new VarCharVector("k", root)) {
      keys.allocateNew();
      keys.setSafe(0, "doc_3".getBytes(StandardCharsets.UTF_8));
      keys.setValueCount(1);
      db.delete("t", keys);
    }
    byte[] found = new byte[4];
    db.read("t", new String[] {"doc_1", "doc_2", "doc_3", "doc_4"}, new String[] {"f0"}, found)
        .close();
    assertArrayEquals(new byte[] {0, 0, 0, 1}, found);
    found = new byte[3];
    db.read("n", new long[] {3, 4, 5}, new String[] {"f0"}, found).close();
    assertArrayEquals(new byte[] {1, 0, 0}, found);
  }

  @Test
  void upsertPartialColumns() {
    load("t", 10, 2, false, 0);
    try (VectorSchemaRoot b = TestData.batch(root, 5, 1, 2, false, 3);
        VectorSchemaRoot partial = new VectorSchemaRoot(List.of(b.getVector(0), b.getVector(2)))) {
      partial.setRowCount(1);
      db.write("t", partial);
    }
    float[] v = db.readDense("t", new String[] {"doc_5"}, new String[] {"f0", "f1"}, 0f);
    assertEquals(TestData.value(5, 0, 0), v[0], "a column not written keeps its value");
    assertEquals(TestData.value(5, 1, 3), v[1]);
  }

  @Test
  void snapshotsSeeTheirState() {
    load("t", 10, 1, false, 0);
    try (Snapshot s = db.snapshot()) {
      long seq = s.seq();
      try (VectorSchemaRoot b = TestData.batch(root, 0, 10, 1, false, 1)) {
        assertTrue(db.write("t", b) > seq);
      }
      db.delete("t", "doc_2");
      float[] old = s.readDense("t", new String[] {"doc_1", "doc_2"}, new String[] {"f0"}, -1f);
      assertArrayEquals(new float[] {TestData.value(1, 0, 0), TestData.value(2, 0, 0)}, old);
      float[] now = db.readDense("t", new String[] {"doc_1", "doc_2"}, new String[] {"f0"}, -1f);
      assertArrayEquals(new float[] {TestData.value(1, 0, 1), -1f}, now);
      try (VectorSchemaRoot r = s.read("t", new String[] {"doc_2"}, "f0")) {
        assertEquals(TestData.value(2, 0, 0), ((Float4Vector) r.getVector(0)).get(0));
      }
      try (Scan scan = s.scan("t")) {
        int rows = 0;
        while (scan.loadNextBatch()) {
          rows += scan.root().getRowCount();
        }
        assertEquals(10, rows, "the snapshot's scan still sees doc_2");
      }
    }
  }

  @Test
  void changesStreamWritesAndDeletes() {
    load("t", 10, 2, false, 0);
    long del = db.delete("t", "doc_2");
    assertEquals(0, db.changesOldestSince());
    long writes = 0;
    long deletes = 0;
    long lastWrite = 0;
    try (Scan feed = db.changes("t", 0)) {
      Schema schema = feed.root().getSchema();
      assertEquals(
          List.of("_seq", "_op", "key", "f0", "f1", "_present"),
          schema.getFields().stream().map(Field::getName).toList());
      assertEquals(Long.toString(del), schema.getCustomMetadata().get("murr.changes.end_seq"));
      while (feed.loadNextBatch()) {
        VectorSchemaRoot r = feed.root();
        UInt8Vector seqs = (UInt8Vector) r.getVector(0);
        VarCharVector ops = (VarCharVector) r.getVector(1);
        FixedSizeListVector present = (FixedSizeListVector) r.getVector(5);
        BitVector bits = (BitVector) present.getDataVector();
        for (int i = 0; i < r.getRowCount(); i++) {
          String op = new String(ops.get(i), StandardCharsets.UTF_8);
          if (op.equals("write")) {
            writes++;
            lastWrite = seqs.get(i);
            assertEquals(1, bits.get(2 * i));
            assertEquals(1, bits.get(2 * i + 1));
          } else {
            assertEquals("delete", op);
            assertEquals(del, seqs.get(i));
            assertEquals(0, bits.get(2 * i));
            assertTrue(r.getVector(3).isNull(i));
            deletes++;
          }
        }
      }
    }
    assertEquals(10, writes);
    assertEquals(1, deletes);
    try (Scan later = db.changes("t", lastWrite)) {
      int rows = 0;
      while (later.loadNextBatch()) {
        rows += later.root().getRowCount();
      }
      assertEquals(1, rows, "a feed from the middle");
    }
    db.flush();
    assertEquals(del, db.changesOldestSince());
    MurrException e = assertThrows(MurrException.class, () -> db.changes("t", 0));
    assertEquals(MurrException.CHANGES_NOT_RETAINED, e.status());
    assertTrue(e.getMessage().contains("change_retention_bytes"), e.getMessage());
  }

  @Test
  void scanInKeyOrder() {
    load("t", 1000, 2, true, 0);
    db.flush();
    try (VectorSchemaRoot b = TestData.batch(root, 1000, 500, 2, true, 0)) {
      db.write("t", b);
    }
    db.compact();
    long expect = 0;
    try (Scan scan = db.scan("t", "key", "f1")) {
      while (scan.loadNextBatch()) {
        VectorSchemaRoot r = scan.root();
        BigIntVector k = (BigIntVector) r.getVector(0);
        Float4Vector f1 = (Float4Vector) r.getVector(1);
        for (int i = 0; i < r.getRowCount(); i++, expect++) {
          assertEquals(expect, k.get(i));
          assertEquals(TestData.value(expect, 1, 0), f1.get(i));
        }
      }
    }
    assertEquals(1500, expect);
  }

  @Test
  void reopenKeepsData() {
    load("t", 30, 1, false, 0);
    db.close();
    db = MurrDb.open(dir.resolve("db"), new Options().allocator(root).createIfMissing(false));
    assertEquals(List.of("t"), db.tables());
    float[] v = db.readDense("t", new String[] {"doc_29"}, new String[] {"f0"}, 0f);
    assertEquals(TestData.value(29, 0, 0), v[0]);
    assertNotEquals(0, v[0]);
  }

  @Test
  void emptyReads() {
    load("t", 3, 1, false, 0);
    try (VectorSchemaRoot r = db.read("t", new String[0], "f0")) {
      assertEquals(0, r.getRowCount());
    }
    assertEquals(0, db.readDense("t", new String[0], new String[] {"f0"}, 0f).length);
    assertFalse(db.isClosed());
  }

  @Test
  void nonAsciiKeysAndNamesRoundTrip() {
    String table = "tablé_ключ";
    String[] keys = {"clé", "plain", "ключ", "\uD83D\uDE42 emoji"};
    db.createTable(table, TestData.schema(1, false), "key");
    try (VectorSchemaRoot b = VectorSchemaRoot.create(TestData.schema(1, false), root)) {
      b.allocateNew();
      for (int r = 0; r < keys.length; r++) {
        ((VarCharVector) b.getVector(0)).setSafe(r, keys[r].getBytes(StandardCharsets.UTF_8));
        ((Float4Vector) b.getVector(1)).setSafe(r, r + 0.5f);
      }
      b.setRowCount(keys.length);
      db.write(table, b);
    }
    assertTrue(db.tables().contains(table));
    String[] reversed = {keys[3], keys[2], keys[1], keys[0], "cle"};
    float[] v = db.readDense(table, reversed, new String[] {"f0"}, -1f);
    assertArrayEquals(new float[] {3.5f, 2.5f, 1.5f, 0.5f, -1f}, v);
    try (VectorSchemaRoot r = db.read(table, reversed, "key")) {
      for (int i = 0; i < 4; i++) {
        assertEquals(
            reversed[i], new String(((VarCharVector) r.getVector(0)).get(i), StandardCharsets.UTF_8));
      }
    }
    db.delete(table, "ключ");
    assertEquals(-1f, db.readDense(table, new String[] {"ключ"}, new String[] {"f0"}, -1f)[0]);
  }

  @Test
  void utf8ListEncoding() {
    Utf8.Strings s = Utf8.list("k", new String[] {"ab", "é", "", "c"});
    assertArrayEquals(new int[] {0, 3, 6, 7}, s.offsets);
    assertArrayEquals(
        new byte[] {'a', 'b', 0, (byte) 0xC3, (byte) 0xA9, 0, 0, 'c', 0}, s.bytes);
  }

  @Test
  void writeAStreamOfBatches() throws Exception {
    db.createTable("t", TestData.schema(2, false), "key");
    ByteArrayOutputStream ipc = new ByteArrayOutputStream();
    try (VectorSchemaRoot b = TestData.batch(root, 0, 10, 2, false, 0);
        ArrowStreamWriter w = new ArrowStreamWriter(b, null, ipc)) {
      w.start();
      w.writeBatch();
      try (VectorSchemaRoot b2 = TestData.batch(root, 10, 5, 2, false, 1)) {
        new VectorUnloaderLoader(b2, b).copy();
        w.writeBatch();
      }
      w.end();
    }
    ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(ipc.toByteArray()), root);
    assertTrue(db.write("t", reader) > 0);
    float[] v = db.readDense("t", new String[] {"doc_9", "doc_14"}, new String[] {"f1"}, -1f);
    assertArrayEquals(new float[] {TestData.value(9, 1, 0), TestData.value(14, 1, 1)}, v);
    try (VectorSchemaRoot wrong = TestData.batch(root, 0, 1, 2, true, 0)) {
      ByteArrayOutputStream bad = new ByteArrayOutputStream();
      try (ArrowStreamWriter w = new ArrowStreamWriter(wrong, null, bad)) {
        w.start();
        w.writeBatch();
        w.end();
      }
      ArrowStreamReader r2 = new ArrowStreamReader(new ByteArrayInputStream(bad.toByteArray()), root);
      MurrException e = org.junit.jupiter.api.Assertions.assertThrows(
          MurrException.class, () -> db.write("t", r2));
      assertEquals(MurrException.SCHEMA_MISMATCH, e.status());
    }
  }

  /** Copies one root's data into another of the same schema (for the stream test). */
  private static final class VectorUnloaderLoader {
    private final VectorSchemaRoot from;
    private final VectorSchemaRoot to;

    VectorUnloaderLoader(VectorSchemaRoot from, VectorSchemaRoot to) {
      this.from = from;
      this.to = to;
    }

    void copy() {
      try (org.apache.arrow.vector.ipc.message.ArrowRecordBatch rb =
          new org.apache.arrow.vector.VectorUnloader(from).getRecordBatch()) {
        new org.apache.arrow.vector.VectorLoader(to).load(rb);
      }
    }
  }
}
