package dev.murr;

import java.nio.FloatBuffer;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The reads shared by {@link MurrDb} (the latest state) and {@link Snapshot} (a fixed view).
 *
 * <p>Arrow reads return a {@link VectorSchemaRoot} of one row per key, one nullable column per
 * asked column in order (null for absent keys), imported through the Arrow C Data Interface
 * without copying values: the caller closes it (before closing the database). {@code found},
 * when not null, receives one byte per key: 1 found, 0 absent. Dense reads write {@code
 * keys x columns} floats row-major ({@code out[i * columns + j]}), {@code fill} for nulls
 * and absent keys. All reads are thread-safe.
 */
public abstract class MurrReader {
  MurrReader() {}

  /** The body of a call, run with both handles live (snapshot 0 for the latest state). */
  @FunctionalInterface
  interface Call<T> {
    T run(long db, long snapshot);
  }

  /** Runs {@code body} while the handles cannot be freed; throws if closed. */
  abstract <T> T call(Call<T> body);

  /** The database read (for its allocator and children). */
  abstract MurrDb db();

  /** The allocator results are imported into. */
  public BufferAllocator allocator() {
    return db().allocator();
  }

  /** Reads {@code columns} of {@code table} for utf8 {@code keys}. */
  public VectorSchemaRoot read(String table, String[] keys, String... columns) {
    return read(table, keys, columns, null);
  }

  /** As {@link #read(String, String[], String...)}, filling {@code found} (or null). */
  public VectorSchemaRoot read(String table, String[] keys, String[] columns, byte[] found) {
    byte[] t = Utf8.cstring("table", table);
    Utf8.Strings k = Utf8.list("keys", keys);
    Utf8.Strings c = Utf8.list("columns", columns);
    checkFound(found, k.count());
    return importing(
        (arr, sch) ->
            call(
                (db, snap) -> {
                  Native.readStr(
                      db, snap, t, k.bytes, k.offsets, c.bytes, c.offsets, arr, sch, found);
                  return null;
                }));
  }

  /** Reads {@code columns} of {@code table} for int64 {@code keys}. */
  public VectorSchemaRoot read(String table, long[] keys, String... columns) {
    return read(table, keys, columns, null);
  }

  /** As {@link #read(String, long[], String...)}, filling {@code found} (or null). */
  public VectorSchemaRoot read(String table, long[] keys, String[] columns, byte[] found) {
    return read(table, keys, false, columns, found);
  }

  /**
   * Reads {@code columns} of {@code table} for integer {@code keys}: int64 keys, or uint64
   * keys when {@code unsigned} (each long's 64 bits, as {@link Long#toUnsignedString(long)}
   * reads them); fills {@code found} (or null).
   */
  public VectorSchemaRoot read(
      String table, long[] keys, boolean unsigned, String[] columns, byte[] found) {
    byte[] t = Utf8.cstring("table", table);
    requireNonNull("keys", keys);
    Utf8.Strings c = Utf8.list("columns", columns);
    checkFound(found, keys.length);
    return importing(
        (arr, sch) ->
            call(
                (db, snap) -> {
                  Native.readInt(
                      db, snap, t, keys, unsigned, c.bytes, c.offsets, arr, sch, found);
                  return null;
                }));
  }

  /**
   * Reads for the keys of an Arrow vector of the key column's type (exported through the C
   * Data Interface, borrowed for the call).
   */
  public VectorSchemaRoot read(String table, FieldVector keys, String[] columns, byte[] found) {
    byte[] t = Utf8.cstring("table", table);
    requireNonNull("keys", keys);
    Utf8.Strings c = Utf8.list("columns", columns);
    int n = keys.getValueCount();
    checkFound(found, n);
    BufferAllocator a = allocator();
    try (ArrowArray karr = ArrowArray.allocateNew(a);
        ArrowSchema ksch = ArrowSchema.allocateNew(a)) {
      Data.exportVector(a, keys, null, karr, ksch);
      try {
        return importing(
            (arr, sch) ->
                call(
                    (db, snap) -> {
                      Native.read(
                          db,
                          snap,
                          t,
                          karr.memoryAddress(),
                          ksch.memoryAddress(),
                          c.bytes,
                          c.offsets,
                          arr,
                          sch,
                          found,
                          n);
                      return null;
                    }));
      } finally {
        karr.release();
        ksch.release();
      }
    }
  }

  /** Dense read of utf8 keys into a new float[] of {@code keys.length * columns.length}. */
  public float[] readDense(String table, String[] keys, String[] columns, float fill) {
    float[] out = new float[Math.multiplyExact(keys.length, columns.length)];
    readDense(table, keys, columns, fill, out, 0, null);
    return out;
  }

  /** Dense read of utf8 keys into {@code out} from index {@code offset}. */
  public void readDense(
      String table,
      String[] keys,
      String[] columns,
      float fill,
      float[] out,
      int offset,
      byte[] found) {
    Dense d = Dense.of(table, keys, columns, found);
    requireNonNull("out", out);
    checkRange(out.length, offset, d.size);
    call(
        (db, snap) -> {
          Native.readF32Str(
              db, snap, d.table, d.keys.bytes, d.keys.offsets, d.columns.bytes,
              d.columns.offsets, fill, out, false, offset, found);
          return null;
        });
  }

  /**
   * Dense read of utf8 keys into a direct {@code out} from its position (which is left as it
   * is), with no copy through the Java heap.
   */
  public void readDense(
      String table, String[] keys, String[] columns, float fill, FloatBuffer out, byte[] found) {
    Dense d = Dense.of(table, keys, columns, found);
    int at = checkDirect(out, d.size);
    call(
        (db, snap) -> {
          Native.readF32Str(
              db, snap, d.table, d.keys.bytes, d.keys.offsets, d.columns.bytes,
              d.columns.offsets, fill, out, true, at, found);
          return null;
        });
  }

  /** Dense read of int64 keys into {@code out} from index {@code offset}. */
  public void readDense(
      String table,
      long[] keys,
      String[] columns,
      float fill,
      float[] out,
      int offset,
      byte[] found) {
    readDense(table, keys, false, columns, fill, out, offset, found);
  }

  /** Dense read of int64 keys into a new float[] of {@code keys.length * columns.length}. */
  public float[] readDense(String table, long[] keys, String[] columns, float fill) {
    return readDense(table, keys, false, columns, fill);
  }

  /**
   * Dense read of integer keys into a new float[] of {@code keys.length * columns.length}:
   * int64 keys, or uint64 keys when {@code unsigned} (each long's 64 bits, as {@link
   * Long#toUnsignedString(long)} reads them, so keys above 2^63 are negative longs).
   */
  public float[] readDense(
      String table, long[] keys, boolean unsigned, String[] columns, float fill) {
    requireNonNull("keys", keys);
    requireNonNull("columns", columns);
    float[] out = new float[Math.multiplyExact(keys.length, columns.length)];
    readDense(table, keys, unsigned, columns, fill, out, 0, null);
    return out;
  }

  /**
   * Dense read of integer keys (int64, or uint64 when {@code unsigned}) into {@code out} from
   * index {@code offset}.
   */
  public void readDense(
      String table,
      long[] keys,
      boolean unsigned,
      String[] columns,
      float fill,
      float[] out,
      int offset,
      byte[] found) {
    byte[] t = Utf8.cstring("table", table);
    requireNonNull("keys", keys);
    Utf8.Strings c = Utf8.list("columns", columns);
    checkFound(found, keys.length);
    requireNonNull("out", out);
    checkRange(out.length, offset, Math.multiplyExact(keys.length, c.count()));
    call(
        (db, snap) -> {
          Native.readF32Int(
              db, snap, t, keys, unsigned, c.bytes, c.offsets, fill, out, false, offset, found);
          return null;
        });
  }

  /** Dense read of int64 keys into a direct {@code out} from its position. */
  public void readDense(
      String table, long[] keys, String[] columns, float fill, FloatBuffer out, byte[] found) {
    readDense(table, keys, false, columns, fill, out, found);
  }

  /**
   * Dense read of integer keys (int64, or uint64 when {@code unsigned}) into a direct {@code
   * out} from its position.
   */
  public void readDense(
      String table,
      long[] keys,
      boolean unsigned,
      String[] columns,
      float fill,
      FloatBuffer out,
      byte[] found) {
    byte[] t = Utf8.cstring("table", table);
    requireNonNull("keys", keys);
    Utf8.Strings c = Utf8.list("columns", columns);
    checkFound(found, keys.length);
    int at = checkDirect(out, Math.multiplyExact(keys.length, c.count()));
    call(
        (db, snap) -> {
          Native.readF32Int(
              db, snap, t, keys, unsigned, c.bytes, c.offsets, fill, out, true, at, found);
          return null;
        });
  }

  /**
   * Streams every live row of {@code table} in key order as batches of {@code columns} (none:
   * every column, the key first). Close the scan before the database.
   */
  public Scan scan(String table, String... columns) {
    byte[] t = Utf8.cstring("table", table);
    Utf8.Strings c = Utf8.list("columns", columns);
    MurrDb owner = db();
    BufferAllocator a = allocator();
    try (ArrowArrayStream stream = ArrowArrayStream.allocateNew(a)) {
      // Tracked under the read lock, so that close() releases it before freeing the database.
      return call(
          (db, snap) -> {
            Native.scan(db, snap, t, c.bytes, c.offsets, stream.memoryAddress());
            return owner.track(new Scan(owner, Data.importArrayStream(a, stream)));
          });
    }
  }

  /** The arguments of a dense read of utf8 keys, encoded and checked. */
  private static final class Dense {
    final byte[] table;
    final Utf8.Strings keys;
    final Utf8.Strings columns;
    final int size;

    private Dense(byte[] table, Utf8.Strings keys, Utf8.Strings columns) {
      this.table = table;
      this.keys = keys;
      this.columns = columns;
      this.size = Math.multiplyExact(keys.count(), columns.count());
    }

    static Dense of(String table, String[] keys, String[] columns, byte[] found) {
      Dense d =
          new Dense(
              Utf8.cstring("table", table),
              Utf8.list("keys", keys),
              Utf8.list("columns", columns));
      checkFound(found, d.keys.count());
      return d;
    }
  }

  /** Fills fresh out structs with {@code fill}, then imports them as a VectorSchemaRoot. */
  private VectorSchemaRoot importing(StructFill fill) {
    BufferAllocator a = allocator();
    try (ArrowArray arr = ArrowArray.allocateNew(a);
        ArrowSchema sch = ArrowSchema.allocateNew(a)) {
      fill.fill(arr.memoryAddress(), sch.memoryAddress());
      return Data.importVectorSchemaRoot(a, arr, sch, null);
    }
  }

  @FunctionalInterface
  private interface StructFill {
    void fill(long array, long schema);
  }

  static void requireNonNull(String what, Object o) {
    if (o == null) {
      throw new IllegalArgumentException(what + " is null");
    }
  }

  private static void checkFound(byte[] found, int keys) {
    if (found != null && found.length < keys) {
      throw new IllegalArgumentException(
          "found holds " + found.length + " bytes for " + keys + " keys");
    }
  }

  private static void checkRange(int length, int offset, int size) {
    if (offset < 0 || offset > length || length - offset < size) {
      throw new IndexOutOfBoundsException(
          "out holds " + length + " floats; " + size + " needed from " + offset);
    }
  }

  private static int checkDirect(FloatBuffer out, int size) {
    requireNonNull("out", out);
    if (!out.isDirect()) {
      throw new IllegalArgumentException("out must be a direct FloatBuffer");
    }
    if (out.isReadOnly()) {
      throw new IllegalArgumentException("out is read-only");
    }
    if (out.order() != java.nio.ByteOrder.nativeOrder()) {
      throw new IllegalArgumentException("out must be in the native byte order");
    }
    checkRange(out.limit(), out.position(), size);
    return out.position();
  }
}
