package dev.murr;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * A scan's batches ({@link MurrReader#scan}): libmurr's Arrow C stream imported as an Arrow
 * Java {@link ArrowReader}. Its methods are synchronized (the C stream is read by one thread at
 * a time, and a close waits for a batch being loaded); close it before the database (closing
 * the database closes it).
 */
public final class Scan implements AutoCloseable {
  private final MurrDb db;
  private final ArrowReader reader;
  private boolean closed;

  Scan(MurrDb db, ArrowReader reader) {
    this.db = db;
    this.reader = reader;
  }

  /** The root each {@link #loadNextBatch} loads into (owned by the scan). */
  public synchronized VectorSchemaRoot root() {
    try {
      return reader.getVectorSchemaRoot();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Loads the next batch into {@link #root}; false at the end. */
  public synchronized boolean loadNextBatch() {
    if (closed) {
      throw new IllegalStateException("scan is closed");
    }
    try {
      return reader.loadNextBatch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The underlying reader, for APIs that take an {@link ArrowReader}. */
  public ArrowReader reader() {
    return reader;
  }

  /** Releases the stream and its root; a second close does nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      db.untrack(this);
    }
  }
}
