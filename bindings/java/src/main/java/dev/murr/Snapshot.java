package dev.murr;

/**
 * A consistent read view of a {@link MurrDb} ({@code murr_snapshot_t}): its reads see the
 * database as it was when taken, whatever is written later. Reads are thread-safe; {@link
 * #close} waits for reads in flight, and later use throws {@link IllegalStateException}.
 * Closing the database closes its snapshots.
 */
public final class Snapshot extends MurrReader implements AutoCloseable {
  private final MurrDb db;
  private final Handle handle;

  Snapshot(MurrDb db, long handle) {
    this.db = db;
    this.handle = new Handle("snapshot", handle);
  }

  @Override
  MurrDb db() {
    return db;
  }

  @Override
  <T> T call(Call<T> body) {
    long dbStamp = db.enter();
    try {
      long stamp = handle.enter();
      try {
        return body.run(db.raw(), handle.get());
      } finally {
        handle.exit(stamp);
      }
    } finally {
      db.exit(dbStamp);
    }
  }

  /** The sequence number of the newest write this snapshot sees. */
  public long seq() {
    long stamp = handle.enter();
    try {
      return Native.snapshotSeq(handle.get());
    } finally {
      handle.exit(stamp);
    }
  }

  /** Frees the snapshot (waiting for its reads in flight); a second close does nothing. */
  @Override
  public void close() {
    if (!handle.beginClose()) {
      return;
    }
    Native.snapshotFree(handle.retire());
    db.untrack(this);
  }
}
