package dev.murr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A uint64-keyed table: keys above 2^63 (negative longs) written, dense-read back exactly
 * with {@code unsigned} long[] keys, read as Arrow, deleted; int64 keys do not look it up.
 */
class Uint64KeysTest {
  @TempDir Path dir;
  BufferAllocator root;
  MurrDb db;

  /** 0, 1, 2^63 - 1, 2^63, 2^63 + 5, 2^64 - 1, as the longs holding their 64 bits. */
  static final long[] KEYS = {
    0L, 1L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 5, -1L,
  };

  @BeforeEach
  void open() {
    root = new RootAllocator();
    db = MurrDb.open(dir.resolve("db"), new Options().allocator(root).backgroundThreads(0));
    Schema schema =
        new Schema(
            List.of(
                new Field("k", FieldType.notNullable(new ArrowType.Int(64, false)), null),
                new Field("v", FieldType.nullable(TestData.F32), null)));
    db.createTable("u", schema, "k");
    try (VectorSchemaRoot b = VectorSchemaRoot.create(schema, root)) {
      b.allocateNew();
      for (int i = 0; i < KEYS.length; i++) {
        ((UInt8Vector) b.getVector(0)).setSafe(i, KEYS[i]);
        ((Float4Vector) b.getVector(1)).setSafe(i, 10 + i);
      }
      b.setRowCount(KEYS.length);
      assertTrue(db.write("u", b) > 0);
    }
  }

  @AfterEach
  void close() {
    db.close();
    assertEquals(0, root.getAllocatedMemory(), "Arrow memory left after close");
    root.close();
  }

  @Test
  void denseReadsBackEveryKeyExactly() {
    long[] ask = {-1L, Long.MIN_VALUE, 42L, Long.MIN_VALUE + 5, 0L, Long.MAX_VALUE};
    float[] out = db.readDense("u", ask, true, new String[] {"v"}, -1f);
    assertArrayEquals(new float[] {15f, 13f, -1f, 14f, 10f, 12f}, out);
    byte[] found = new byte[ask.length];
    float[] into = new float[ask.length + 1];
    db.readDense("u", ask, true, new String[] {"v"}, -1f, into, 1, found);
    assertArrayEquals(new float[] {0f, 15f, 13f, -1f, 14f, 10f, 12f}, into);
    assertArrayEquals(new byte[] {1, 1, 0, 1, 1, 1}, found);
    FloatBuffer direct =
        ByteBuffer.allocateDirect(4 * ask.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
    db.readDense("u", ask, true, new String[] {"v"}, -1f, direct, null);
    assertEquals(15f, direct.get(0));
    assertEquals(12f, direct.get(5));

    try (VectorSchemaRoot r = db.read("u", ask, true, new String[] {"k", "v"}, found)) {
      UInt8Vector k = (UInt8Vector) r.getVector(0);
      assertEquals("18446744073709551615", Long.toUnsignedString(k.get(0)));
      assertEquals(Long.MIN_VALUE + 5, k.get(3));
      assertTrue(r.getVector(1).isNull(2));
    }

    assertTrue(db.delete("u", true, -1L, 0L) > 0);
    db.readDense("u", ask, true, new String[] {"v"}, -1f, into, 0, found);
    assertArrayEquals(new byte[] {0, 1, 0, 1, 0, 1}, found);

    MurrException e =
        assertThrows(
            MurrException.class, () -> db.readDense("u", new long[] {1}, new String[] {"v"}, 0f));
    assertEquals(MurrException.SCHEMA_MISMATCH, e.status());
    assertTrue(
        e.getMessage().contains("int64 keys given for a uint64 key column"), e.getMessage());
  }
}
