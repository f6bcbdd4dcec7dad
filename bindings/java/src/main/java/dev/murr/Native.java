package dev.murr;

/**
 * The JNI entry points (src/main/c): one static method per murr_* call, taking handles and
 * Arrow C Data struct addresses as longs and strings as NUL-terminated UTF-8 ({@link Utf8}).
 * Every failing call throws {@link MurrException}. Callers guarantee the handles are live
 * (see {@link Handle}).
 */
final class Native {
  static {
    NativeLoader.load();
  }

  private Native() {}

  static native byte[] version();

  static native byte[] statusName(int status);

  static native long open(byte[] path, long[] values, long setMask);

  static native void close(long db);

  static native void free(long db);

  static native void flush(long db);

  static native void compact(long db);

  static native void createTable(long db, byte[] table, long schema, byte[] keyColumn);

  static native void dropTable(long db, byte[] table);

  static native byte[][] tables(long db);

  static native long[] tableStats(long db, byte[] table);

  static native long[] metrics(long db);

  static native byte[] metricsPrometheus(long db);

  static native void tableSchema(long db, byte[] table, long outSchema);

  static native void addColumn(long db, byte[] table, long field);

  static native long write(long db, byte[] table, long array, long schema);

  static native long writeStream(long db, byte[] table, long stream);

  static native void ingestStream(long db, byte[] table, long stream);

  static native void ingestFile(long db, byte[] table, byte[] path);

  static native long delete(long db, byte[] table, long keys, long keysSchema);

  static native long deleteStr(long db, byte[] table, byte[] keys, int[] keyOffsets);

  /** {@code unsigned}: the longs are uint64 keys (their 64 bits), else int64 keys. */
  static native long deleteInt(long db, byte[] table, long[] keys, boolean unsigned);

  static native long snapshot(long db);

  static native long snapshotSeq(long snapshot);

  static native void snapshotFree(long snapshot);

  static native void changes(long db, byte[] table, long sinceSeq, long outStream);

  static native long changesOldestSince(long db);

  static native void scan(
      long db, long snapshot, byte[] table, byte[] columns, int[] columnOffsets, long outStream);

  static native void read(
      long db,
      long snapshot,
      byte[] table,
      long keys,
      long keysSchema,
      byte[] columns,
      int[] columnOffsets,
      long outArray,
      long outSchema,
      byte[] found,
      int nKeys);

  static native void readStr(
      long db,
      long snapshot,
      byte[] table,
      byte[] keys,
      int[] keyOffsets,
      byte[] columns,
      int[] columnOffsets,
      long outArray,
      long outSchema,
      byte[] found);

  /** {@code unsigned}: the longs are uint64 keys (their 64 bits), else int64 keys. */
  static native void readInt(
      long db,
      long snapshot,
      byte[] table,
      long[] keys,
      boolean unsigned,
      byte[] columns,
      int[] columnOffsets,
      long outArray,
      long outSchema,
      byte[] found);

  /** {@code out}: a float[] ({@code direct} false) or a direct FloatBuffer (true). */
  static native void readF32Str(
      long db,
      long snapshot,
      byte[] table,
      byte[] keys,
      int[] keyOffsets,
      byte[] columns,
      int[] columnOffsets,
      float fill,
      Object out,
      boolean direct,
      int offset,
      byte[] found);

  /** As {@link #readF32Str}, for int64 keys or ({@code unsigned}) uint64 keys. */
  static native void readF32Int(
      long db,
      long snapshot,
      byte[] table,
      long[] keys,
      boolean unsigned,
      byte[] columns,
      int[] columnOffsets,
      float fill,
      Object out,
      boolean direct,
      int offset,
      byte[] found);

  /** Makes libmurr panic inside its boundary guard (tests only): throws MURR_INTERNAL. */
  static native void testPanic();
}
