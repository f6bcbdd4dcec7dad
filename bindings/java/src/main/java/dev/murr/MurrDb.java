package dev.murr;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An open libmurr database ({@code murr_db_t}): tables of Arrow columns keyed by a utf8,
 * int64 or uint64 column, written and read as Arrow batches.
 *
 * <p>Every method is thread-safe. {@link #close} flushes, closes and frees the native
 * database, after closing its open {@link Snapshot}s and {@link Scan}s; it waits for calls in
 * flight, and any later call throws {@link IllegalStateException}. Failures of libmurr throw
 * {@link MurrException}. Close every result ({@link VectorSchemaRoot}) before the database:
 * they are charged to its allocator, which it closes.
 */
public final class MurrDb extends MurrReader implements AutoCloseable {
  private final Handle handle;
  private final BufferAllocator allocator;
  private final Set<AutoCloseable> children = ConcurrentHashMap.newKeySet();

  private MurrDb(long handle, BufferAllocator allocator) {
    this.handle = new Handle("database", handle);
    this.allocator = allocator;
  }

  /** The version of libmurr ("major.minor.patch"). */
  public static String version() {
    return Utf8.decode(Native.version());
  }

  /** Where the JNI library was loaded from (the jar's resource, a path, or the system). */
  public static String nativeLibrarySource() {
    Native.version(); // loads it
    return NativeLoader.source();
  }

  /** Prints libmurr's version and where the JNI library was loaded from (a smoke test). */
  public static void main(String[] args) {
    System.out.println("libmurr " + version() + " (JNI library: " + nativeLibrarySource() + ")");
  }

  /** Opens (creating it unless the options say not to) the database in {@code path}. */
  public static MurrDb open(Path path, Options options) {
    MurrReader.requireNonNull("path", path);
    JvmOptions.requireNioOpen();
    Options o = options == null ? new Options() : options;
    byte[] p = Utf8.cstring("path", path.toString());
    BufferAllocator allocator =
        o.allocator() == null
            ? new RootAllocator()
            : o.allocator().newChildAllocator("murr-db", 0, Long.MAX_VALUE);
    try {
      return new MurrDb(Native.open(p, o.values(), o.setMask()), allocator);
    } catch (RuntimeException | Error e) {
      allocator.close();
      throw e;
    }
  }

  /** Opens the database in {@code path} with the default options. */
  public static MurrDb open(Path path) {
    return open(path, null);
  }

  @Override
  public BufferAllocator allocator() {
    return allocator;
  }

  @Override
  MurrDb db() {
    return this;
  }

  @Override
  <T> T call(Call<T> body) {
    long stamp = handle.enter();
    try {
      return body.run(handle.get(), 0);
    } finally {
      handle.exit(stamp);
    }
  }

  /** Runs {@code body} with the database handle, throwing if closed. */
  <T> T withDb(java.util.function.LongFunction<T> body) {
    long stamp = handle.enter();
    try {
      return body.apply(handle.get());
    } finally {
      handle.exit(stamp);
    }
  }

  /** Takes the database's read lock for a snapshot's call; see {@link Handle#enter}. */
  long enter() {
    return handle.enter();
  }

  void exit(long stamp) {
    handle.exit(stamp);
  }

  long raw() {
    return handle.get();
  }

  <C extends AutoCloseable> C track(C child) {
    children.add(child);
    if (handle.isClosed()) {
      children.remove(child);
      closeQuietly(child);
      throw new IllegalStateException("database is closed");
    }
    return child;
  }

  void untrack(AutoCloseable child) {
    children.remove(child);
  }

  /** True once {@link #close} began. */
  public boolean isClosed() {
    return handle.isClosed();
  }

  /** Creates {@code table} with the columns of {@code schema}, keyed by {@code keyColumn}. */
  public void createTable(String table, Schema schema, String keyColumn) {
    byte[] t = Utf8.cstring("table", table);
    byte[] k = Utf8.cstring("keyColumn", keyColumn);
    MurrReader.requireNonNull("schema", schema);
    try (ArrowSchema s = ArrowSchema.allocateNew(allocator)) {
      Data.exportSchema(allocator, schema, null, s);
      try {
        withDb(db -> {
          Native.createTable(db, t, s.memoryAddress(), k);
          return null;
        });
      } finally {
        s.release();
      }
    }
  }

  /** Drops {@code table} and its data (snapshots taken before keep reading it). */
  public void dropTable(String table) {
    byte[] t = Utf8.cstring("table", table);
    withDb(db -> {
      Native.dropTable(db, t);
      return null;
    });
  }

  /** The names of the tables, in creation order. */
  public List<String> tables() {
    byte[][] names = withDb(Native::tables);
    List<String> out = new ArrayList<>(names.length);
    for (byte[] n : names) {
      out.add(Utf8.decode(n));
    }
    return Collections.unmodifiableList(out);
  }

  /** The statistics of {@code table} (segments, rows, bytes, memtables): {@link TableStats}. */
  public TableStats tableStats(String table) {
    byte[] t = Utf8.cstring("table", table);
    long[] v = withDb(db -> Native.tableStats(db, t));
    return new TableStats(v[0], v[1], v[2], v[3], v[4], v[5]);
  }

  /**
   * The engine's metrics (reads, keys, misses, read latency percentiles and buckets, writes,
   * log fsyncs, flushes, compactions, write stalls, memtable and segment gauges): {@link
   * Metrics}.
   */
  public Metrics metrics() {
    return Metrics.of(withDb(Native::metrics));
  }

  /** The engine's metrics in the Prometheus text exposition format 0.0.4. */
  public String metricsPrometheus() {
    return new String(withDb(Native::metricsPrometheus), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The schema of {@code table}; its metadata entry "murr.key" names the key column. */
  public Schema tableSchema(String table) {
    byte[] t = Utf8.cstring("table", table);
    try (ArrowSchema s = ArrowSchema.allocateNew(allocator)) {
      withDb(db -> {
        Native.tableSchema(db, t, s.memoryAddress());
        return null;
      });
      return Data.importSchema(allocator, s, null);
    }
  }

  /** Adds nullable column {@code field} at the end of {@code table}'s schema. */
  public void addColumn(String table, Field field) {
    byte[] t = Utf8.cstring("table", table);
    MurrReader.requireNonNull("field", field);
    try (ArrowSchema s = ArrowSchema.allocateNew(allocator)) {
      Data.exportField(allocator, field, null, s);
      try {
        withDb(db -> {
          Native.addColumn(db, t, s.memoryAddress());
          return null;
        });
      } finally {
        s.release();
      }
    }
  }

  /**
   * Upserts the rows of {@code batch} into {@code table} by key (the key column and any subset
   * of the other columns, by name). Returns the write's sequence number.
   *
   * <p>The batch is exported through the C Data Interface without a copy: libmurr keeps
   * references to its buffers (in its memtable, until a flush), and they stay charged to the
   * database's allocator until then. The caller may close the batch at once, but must not
   * change the values in those buffers afterwards: refill a reused root only after {@code
   * allocateNew()} (or {@code clear()}), which gives it new buffers.
   */
  public long write(String table, VectorSchemaRoot batch) {
    byte[] t = Utf8.cstring("table", table);
    MurrReader.requireNonNull("batch", batch);
    try (ArrowArray a = ArrowArray.allocateNew(allocator);
        ArrowSchema s = ArrowSchema.allocateNew(allocator)) {
      Data.exportVectorSchemaRoot(allocator, batch, null, a, s);
      try {
        return withDb(db -> Native.write(db, t, a.memoryAddress(), s.memoryAddress()));
      } finally {
        a.release(); // libmurr took it on every call that reached it: a no-op then
        s.release();
      }
    }
  }

  /**
   * Writes every batch of {@code batches} into {@code table}, one at a time as {@link
   * #write(String, VectorSchemaRoot)} does (each batch atomic; on a failure the batches before
   * it stay written). The reader is exported as an Arrow C stream that libmurr consumes and
   * releases, which closes the reader. Returns the last batch's sequence number (0 for none).
   */
  public long write(String table, ArrowReader batches) {
    byte[] t = Utf8.cstring("table", table);
    MurrReader.requireNonNull("batches", batches);
    try (ArrowArrayStream s = ArrowArrayStream.allocateNew(allocator)) {
      Data.exportArrayStream(allocator, batches, s);
      try {
        return withDb(db -> Native.writeStream(db, t, s.memoryAddress()));
      } finally {
        s.release(); // libmurr released it on every call that reached it: a no-op then
      }
    }
  }

  /**
   * Bulk-loads every batch of {@code batches} into {@code table} as one upsert ({@code
   * murr_db_ingest_stream}): the rows are sorted by key straight into the table's segments,
   * bypassing the log and the memtable; the way to load large inputs. The batches carry the key
   * column and any of the table's other columns, matched by name, each of the table's type
   * (nothing is cast); columns the table lacks are ignored, table columns they lack keep their
   * values (a partial upsert), and a key repeated in the stream takes its last row.
   *
   * <p>All or nothing: once it returns every row is readable; on a {@link MurrException} none
   * is and the table is unchanged. A missing key column, a column of another type, a null key
   * or nulls in a column declared not nullable throw {@code MURR_SCHEMA_MISMATCH}; a failure of
   * the reader {@code MURR_ARROW}. A bulk ingest is not in the change feed. The reader is
   * exported as an Arrow C stream that libmurr consumes and releases, which closes the reader.
   */
  public void ingest(String table, ArrowReader batches) {
    byte[] t = Utf8.cstring("table", table);
    MurrReader.requireNonNull("batches", batches);
    try (ArrowArrayStream s = ArrowArrayStream.allocateNew(allocator)) {
      Data.exportArrayStream(allocator, batches, s);
      try {
        withDb(db -> {
          Native.ingestStream(db, t, s.memoryAddress());
          return null;
        });
      } finally {
        s.release(); // libmurr released it on every call that reached it: a no-op then
      }
    }
  }

  /**
   * Bulk-loads the file at {@code path} into {@code table} as one upsert, as {@link
   * #ingest(String, ArrowReader)} does ({@code murr_db_ingest_file}): Arrow IPC in the file or
   * the stream format, told by the file's first bytes; only the table's columns are read.
   * libmurr reads no Parquet (a Parquet file throws {@code MURR_INVALID_ARGUMENT}): read it
   * with Arrow Java's dataset module and pass its batches to {@code ingest}. All or nothing.
   * Failures besides {@code ingest}'s: a missing file ({@code MURR_IO}), a file of another
   * format ({@code MURR_INVALID_ARGUMENT}), a damaged or truncated file ({@code MURR_CORRUPT},
   * naming it).
   */
  public void ingestFile(String table, Path path) {
    byte[] t = Utf8.cstring("table", table);
    MurrReader.requireNonNull("path", path);
    byte[] p = Utf8.cstring("path", path.toString());
    withDb(db -> {
      Native.ingestFile(db, t, p);
      return null;
    });
  }

  /** Deletes utf8 {@code keys} from {@code table} (absent keys are fine); the sequence. */
  public long delete(String table, String... keys) {
    byte[] t = Utf8.cstring("table", table);
    Utf8.Strings k = Utf8.list("keys", keys);
    return withDb(db -> Native.deleteStr(db, t, k.bytes, k.offsets));
  }

  /** Deletes int64 {@code keys} from {@code table}; the sequence number. */
  public long delete(String table, long... keys) {
    return delete(table, false, keys);
  }

  /**
   * Deletes integer {@code keys} from {@code table}: int64 keys, or uint64 keys when {@code
   * unsigned} (each long's 64 bits, as {@link Long#toUnsignedString(long)} reads them, so
   * keys above 2^63 are negative longs); the sequence number.
   */
  public long delete(String table, boolean unsigned, long... keys) {
    byte[] t = Utf8.cstring("table", table);
    MurrReader.requireNonNull("keys", keys);
    return withDb(db -> Native.deleteInt(db, t, keys, unsigned));
  }

  /** Deletes the keys of an Arrow vector of the key column's type; the sequence number. */
  public long delete(String table, FieldVector keys) {
    byte[] t = Utf8.cstring("table", table);
    MurrReader.requireNonNull("keys", keys);
    try (ArrowArray a = ArrowArray.allocateNew(allocator);
        ArrowSchema s = ArrowSchema.allocateNew(allocator)) {
      Data.exportVector(allocator, keys, null, a, s);
      try {
        return withDb(db -> Native.delete(db, t, a.memoryAddress(), s.memoryAddress()));
      } finally {
        a.release();
        s.release();
      }
    }
  }

  /** Writes every memtable to segments and makes them durable. */
  public void flush() {
    withDb(db -> {
      Native.flush(db);
      return null;
    });
  }

  /** Flushes, then merges each table's segments into one sorted run (reads go on). */
  public void compact() {
    withDb(db -> {
      Native.compact(db);
      return null;
    });
  }

  /**
   * The change feed of {@code table}: every write and delete of it with a sequence number above
   * {@code sinceSeq} (unsigned), in sequence order, up to the newest write visible now. Columns,
   * by position: {@code _seq} (uint64), {@code _op} ("write" or "delete"), the key, every other
   * column of the table (null when not written and for deletes), {@code _present} (a
   * fixed-size list of booleans: which of those columns the write carried). Replaying the rows
   * onto a map rebuilds the table: a write sets the columns {@code _present} marks, a delete
   * removes the key. The schema's metadata {@code murr.changes.end_seq} is where the next feed
   * starts. A start older than the logs kept throws {@link MurrException} with status {@link
   * MurrException#CHANGES_NOT_RETAINED} (see {@link Options#changeRetentionBytes} and {@link
   * #changesOldestSince}); a bulk ingest is not in the log, so reading past its marker fails
   * (resynchronise from a scan). Close the feed before the database.
   */
  public Scan changes(String table, long sinceSeq) {
    byte[] t = Utf8.cstring("table", table);
    BufferAllocator a = allocator();
    try (ArrowArrayStream stream = ArrowArrayStream.allocateNew(a)) {
      // Tracked under the read lock, so that close() releases it before freeing the database.
      return withDb(
          db -> {
            Native.changes(db, t, sinceSeq, stream.memoryAddress());
            return track(new Scan(this, Data.importArrayStream(a, stream)));
          });
    }
  }

  /** The smallest {@code sinceSeq} {@link #changes} accepts now (unsigned). */
  public long changesOldestSince() {
    return withDb(Native::changesOldestSince);
  }

  /** A consistent view of the database as it is now; close it (before the database). */
  public Snapshot snapshot() {
    // Tracked under the read lock, so that close() frees it before the database.
    return withDb(db -> track(new Snapshot(this, Native.snapshot(db))));
  }

  /**
   * Flushes and closes the database, closing its open snapshots and scans first, then frees
   * it. Waits for calls in flight. A second close does nothing. If the flush fails the
   * database is closed all the same and the failure is thrown.
   */
  @Override
  public void close() {
    if (!handle.beginClose()) {
      return;
    }
    MurrException failure = null;
    try {
      Native.close(handle.raw()); // may race calls in flight: they complete or see CLOSED
    } catch (MurrException e) {
      failure = e;
    }
    for (AutoCloseable c : new ArrayList<>(children)) {
      closeQuietly(c);
    }
    children.clear();
    Native.free(handle.retire());
    allocator.close();
    if (failure != null) {
      throw failure;
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing what the caller left open: nothing to report it to
    }
  }
}
