package dev.murr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bulk ingest: MurrDb.ingest (an Arrow C stream) and MurrDb.ingestFile (Arrow IPC). */
class IngestTest {
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

  /** Writes batches (rows start..start+len at version v each) with writer. */
  private void writeBatches(VectorSchemaRoot out, ArrowWriter w, long[][] batches)
      throws IOException {
    w.start();
    for (long[] b : batches) {
      try (VectorSchemaRoot src = TestData.batch(root, b[0], (int) b[1], 2, false, (int) b[2]);
          ArrowRecordBatch rb = new VectorUnloader(src).getRecordBatch()) {
        new VectorLoader(out).load(rb);
      }
      w.writeBatch();
    }
    w.end();
  }

  /** An IPC stream of batches {start, len, version}, read back by an ArrowStreamReader. */
  private ArrowStreamReader stream(long[]... batches) throws IOException {
    ByteArrayOutputStream ipc = new ByteArrayOutputStream();
    try (VectorSchemaRoot out = VectorSchemaRoot.create(TestData.schema(2, false), root);
        ArrowStreamWriter w = new ArrowStreamWriter(out, null, ipc)) {
      writeBatches(out, w, batches);
    }
    return new ArrowStreamReader(new ByteArrayInputStream(ipc.toByteArray()), root);
  }

  private float[] read(String... keys) {
    return db.readDense("t", keys, TestData.columns(2), -1f);
  }

  private static float[] expect(long[] rows, int[] versions) {
    float[] out = new float[rows.length * 2];
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < 2; c++) {
        out[r * 2 + c] = TestData.value(rows[r], c, versions[r]);
      }
    }
    return out;
  }

  @Test
  void ingestAStreamOfBatchesLastDuplicateWins() throws Exception {
    db.createTable("t", TestData.schema(2, false), "key");
    // Rows 0..99 and 100..149 at version 0, then 40..49 again at version 1.
    db.ingest("t", stream(new long[] {0, 100, 0}, new long[] {100, 50, 0}, new long[] {40, 10, 1}));
    assertArrayEquals(
        expect(new long[] {0, 39, 40, 49, 50, 149}, new int[] {0, 0, 1, 1, 0, 0}),
        read("doc_0", "doc_39", "doc_40", "doc_49", "doc_50", "doc_149"));

    // A partial ingest: only f1 of rows 0..9 at version 2; f0 keeps its value.
    Schema part =
        new Schema(
            List.of(
                new Field("key", FieldType.notNullable(new ArrowType.Utf8()), null),
                new Field("f1", FieldType.nullable(TestData.F32), null)));
    ByteArrayOutputStream ipc = new ByteArrayOutputStream();
    try (VectorSchemaRoot b = VectorSchemaRoot.create(part, root);
        ArrowStreamWriter w = new ArrowStreamWriter(b, null, ipc)) {
      b.allocateNew();
      for (int i = 0; i < 10; i++) {
        ((VarCharVector) b.getVector(0)).setSafe(i, TestData.key(i).getBytes(StandardCharsets.UTF_8));
        ((Float4Vector) b.getVector(1)).setSafe(i, TestData.value(i, 1, 2));
      }
      b.setRowCount(10);
      w.start();
      w.writeBatch();
      w.end();
    }
    db.ingest("t", new ArrowStreamReader(new ByteArrayInputStream(ipc.toByteArray()), root));
    assertArrayEquals(
        new float[] {TestData.value(3, 0, 0), TestData.value(3, 1, 2)}, read("doc_3"));

    MurrException e =
        assertThrows(MurrException.class, () -> db.ingest("nope", stream(new long[] {0, 1, 0})));
    assertEquals(MurrException.UNKNOWN_TABLE, e.status());
  }

  @Test
  void ingestAnIpcFile() throws Exception {
    db.createTable("t", TestData.schema(2, false), "key");
    Path file = dir.resolve("t.arrow");
    try (FileChannel ch =
            FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        VectorSchemaRoot out = VectorSchemaRoot.create(TestData.schema(2, false), root);
        ArrowFileWriter w = new ArrowFileWriter(out, null, ch)) {
      writeBatches(out, w, new long[][] {{0, 50, 0}, {10, 10, 1}});
    }
    db.ingestFile("t", file);
    assertArrayEquals(
        expect(new long[] {0, 10, 19, 20, 49}, new int[] {0, 1, 1, 0, 0}),
        read("doc_0", "doc_10", "doc_19", "doc_20", "doc_49"));

    MurrException e =
        assertThrows(MurrException.class, () -> db.ingestFile("t", dir.resolve("absent.arrow")));
    assertEquals(MurrException.IO, e.status());
    Path csv = dir.resolve("t.csv");
    Files.writeString(csv, "key,f0,f1\ndoc_0,1,2\n");
    e = assertThrows(MurrException.class, () -> db.ingestFile("t", csv));
    assertEquals(MurrException.INVALID_ARGUMENT, e.status());
    assertArrayEquals(expect(new long[] {0}, new int[] {0}), read("doc_0"));
  }

  @Test
  void aColumnOfAnotherTypeIngestsNothing() throws Exception {
    db.createTable("t", TestData.schema(2, false), "key");
    try (VectorSchemaRoot b = TestData.batch(root, 0, 20, 2, false, 0)) {
      db.write("t", b);
    }
    // f0 as float64: the table's f0 is float32.
    Schema wrong =
        new Schema(
            List.of(
                new Field("key", FieldType.notNullable(new ArrowType.Utf8()), null),
                new Field(
                    "f0",
                    FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                    null)));
    ByteArrayOutputStream ipc = new ByteArrayOutputStream();
    try (VectorSchemaRoot b = VectorSchemaRoot.create(wrong, root);
        ArrowStreamWriter w = new ArrowStreamWriter(b, null, ipc)) {
      b.allocateNew();
      ((VarCharVector) b.getVector(0)).setSafe(0, "doc_1".getBytes(StandardCharsets.UTF_8));
      ((Float8Vector) b.getVector(1)).setSafe(0, 42.0);
      b.setRowCount(1);
      w.start();
      w.writeBatch();
      w.end();
    }
    ArrowStreamReader r =
        new ArrowStreamReader(new ByteArrayInputStream(ipc.toByteArray()), root);
    MurrException e = assertThrows(MurrException.class, () -> db.ingest("t", r));
    assertEquals(MurrException.SCHEMA_MISMATCH, e.status());
    assertTrue(e.getMessage().contains("f0"), e.getMessage());
    assertArrayEquals(
        expect(new long[] {0, 1, 19}, new int[] {0, 0, 0}), read("doc_0", "doc_1", "doc_19"));
  }

  @Test
  void ingestAfterCloseThrowsIllegalState() throws Exception {
    db.createTable("t", TestData.schema(2, false), "key");
    ArrowStreamReader r = stream(new long[] {0, 5, 0});
    db.close();
    assertThrows(IllegalStateException.class, () -> db.ingest("t", r));
    assertThrows(IllegalStateException.class, () -> db.ingestFile("t", dir.resolve("t.arrow")));
    r.close();
  }
}
