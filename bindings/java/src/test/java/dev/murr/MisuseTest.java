package dev.murr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors become MurrException (status + message); use after close IllegalStateException. */
class MisuseTest {
  @TempDir Path dir;
  BufferAllocator root;
  MurrDb db;

  @BeforeEach
  void open() {
    root = new RootAllocator();
    db = MurrDb.open(dir.resolve("db"), new Options().allocator(root));
    db.createTable("t", TestData.schema(2, false), "key");
    try (VectorSchemaRoot b = TestData.batch(root, 0, 10, 2, false, 0)) {
      db.write("t", b);
    }
  }

  @AfterEach
  void close() {
    db.close();
    assertEquals(0, root.getAllocatedMemory());
    root.close();
  }

  private static MurrException murr(int status, org.junit.jupiter.api.function.Executable e) {
    MurrException ex = assertThrows(MurrException.class, e);
    assertEquals(status, ex.status(), ex.getMessage());
    assertTrue(ex.getMessage().startsWith(ex.statusName() + ": "), ex.getMessage());
    return ex;
  }

  @Test
  void nativeErrorsCarryStatusAndMessage() {
    MurrException e =
        murr(MurrException.UNKNOWN_TABLE, () -> db.read("nope", new String[] {"a"}, "f0"));
    assertEquals("MURR_UNKNOWN_TABLE", e.statusName());
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
    murr(MurrException.UNKNOWN_COLUMN, () -> db.read("t", new String[] {"a"}, "zz"));
    murr(MurrException.UNKNOWN_COLUMN,
        () -> db.readDense("t", new String[] {"a"}, new String[] {"zz"}, 0f));
    murr(MurrException.SCHEMA_MISMATCH, () -> db.read("t", new long[] {1}, "f0"));
    murr(MurrException.SCHEMA_MISMATCH, () -> db.delete("t", 1L));
    murr(MurrException.UNKNOWN_TABLE, () -> db.dropTable("nope"));
    murr(MurrException.UNKNOWN_TABLE, () -> db.tableSchema("nope"));
    murr(MurrException.TABLE_EXISTS, () -> db.createTable("t", TestData.schema(3, false), "key"));
    Schema noKey = new Schema(List.of(new Field("x", FieldType.notNullable(TestData.F32), null)));
    assertThrows(MurrException.class, () -> db.createTable("u", noKey, "key"));
    // A batch of another schema: nothing is written, and its memory is given back.
    try (VectorSchemaRoot wrong = TestData.batch(root, 0, 3, 2, true, 0)) {
      murr(MurrException.SCHEMA_MISMATCH, () -> db.write("t", wrong));
    }
    murr(MurrException.LOCKED, () -> MurrDb.open(dir.resolve("db")));
  }

  @Test
  void openErrors() throws Exception {
    murr(
        MurrException.IO,
        () -> MurrDb.open(dir.resolve("absent"), new Options().createIfMissing(false)));
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThrows(MurrException.class, () -> MurrDb.open(file));
    assertThrows(
        IllegalArgumentException.class, () -> new Options().backgroundThreads(-1));
  }

  @Test
  void badArgumentsAreRefusedInJava() {
    assertThrows(IllegalArgumentException.class, () -> db.read("t", new String[] {"a\0b"}, "f0"));
    assertThrows(IllegalArgumentException.class, () -> db.read(null, new String[] {"a"}, "f0"));
    assertThrows(IllegalArgumentException.class, () -> db.read("t", (String[]) null, "f0"));
    assertThrows(
        IllegalArgumentException.class,
        () -> db.read("t", new String[] {"a", "b"}, new String[] {"f0"}, new byte[1]));
    assertThrows(
        IndexOutOfBoundsException.class,
        () -> db.readDense("t", new String[] {"a"}, new String[] {"f0", "f1"}, 0f, new float[3], 2, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> db.readDense("t", new String[] {"a"}, new String[] {"f0"}, 0f, FloatBuffer.allocate(4), null));
  }

  @Test
  void useAfterCloseThrowsIllegalState() {
    Snapshot s = db.snapshot();
    Scan scan = db.scan("t");
    VectorSchemaRoot batch = TestData.batch(root, 0, 1, 2, false, 0);
    db.close();
    db.close(); // a second close does nothing
    assertTrue(db.isClosed());
    assertThrows(IllegalStateException.class, () -> db.read("t", new String[] {"doc_1"}, "f0"));
    assertThrows(IllegalStateException.class, () -> db.write("t", batch));
    batch.close();
    assertThrows(IllegalStateException.class, () -> db.tables());
    assertThrows(IllegalStateException.class, () -> db.flush());
    assertThrows(IllegalStateException.class, () -> db.snapshot());
    assertThrows(IllegalStateException.class, () -> db.scan("t"));
    assertThrows(IllegalStateException.class, () -> s.seq(), "the database closed its snapshot");
    assertThrows(IllegalStateException.class, () -> s.read("t", new String[] {"doc_1"}, "f0"));
    assertThrows(IllegalStateException.class, scan::loadNextBatch);
    s.close();
    scan.close();
    db = MurrDb.open(dir.resolve("db"), new Options().allocator(root));
  }

  @Test
  void closedSnapshotThrowsIllegalState() {
    Snapshot s = db.snapshot();
    s.close();
    s.close();
    assertThrows(IllegalStateException.class, s::seq);
    assertThrows(
        IllegalStateException.class,
        () -> s.readDense("t", new String[] {"doc_1"}, new String[] {"f0"}, 0f));
  }

  @Test
  void aPanicInLibmurrIsAnExceptionNotACrash() {
    for (int i = 0; i < 3; i++) {
      MurrException e = murr(MurrException.INTERNAL, Native::testPanic);
      assertTrue(e.getMessage().contains("murr_test_panic"), e.getMessage());
    }
    // The library and the database still work afterwards.
    float[] v = db.readDense("t", new String[] {"doc_2"}, new String[] {"f1"}, 0f);
    assertEquals(TestData.value(2, 1, 0), v[0]);
  }
}
