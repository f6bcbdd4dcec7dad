package dev.murr;

import java.nio.charset.StandardCharsets;

/**
 * A failure reported by libmurr: the {@code murr_status_t} code of {@code include/murr.h} and
 * libmurr's message. Unchecked, as Arrow Java's own errors are.
 */
public final class MurrException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A NULL pointer, invalid UTF-8, bad options, a released or non-struct array. */
  public static final int INVALID_ARGUMENT = 1;
  /** No table of that name. */
  public static final int UNKNOWN_TABLE = 2;
  /** No column of that name in the table. */
  public static final int UNKNOWN_COLUMN = 3;
  /** A batch or key array that does not match the table's schema. */
  public static final int SCHEMA_MISMATCH = 4;
  /** A table of that name exists with another schema. */
  public static final int TABLE_EXISTS = 5;
  /** An operating-system I/O call failed. */
  public static final int IO = 6;
  /** Files on disk are damaged (or not libmurr's). */
  public static final int CORRUPT = 7;
  /** An unsupported column type, key type or file format version. */
  public static final int UNSUPPORTED = 8;
  /** The database was closed. */
  public static final int CLOSED = 9;
  /** The database directory is open already (by this process or another). */
  public static final int LOCKED = 10;
  /** Writes are refused since an earlier log failure: close and reopen. */
  public static final int WRITES_STOPPED = 11;
  /** Input beyond what the format can hold. */
  public static final int LIMIT_EXCEEDED = 12;
  /** A write waits for background work that fails. */
  public static final int BACKGROUND_FAILED = 13;
  /** An Arrow error (invalid array data, a stream's producer failing, ...). */
  public static final int ARROW = 14;
  /** A bug in libmurr: a Rust panic caught at the C boundary. */
  public static final int INTERNAL = 15;
  /** An error of the engine that this ABI version does not name. */
  public static final int UNKNOWN = 16;
  /**
   * {@link MurrDb#changes} was asked for changes older than the write-ahead logs kept (see
   * {@link Options#changeRetentionBytes}).
   */
  public static final int CHANGES_NOT_RETAINED = 17;

  private final int status;

  /** Called by the JNI glue: the status and libmurr's UTF-8 message (null: none). */
  MurrException(int status, byte[] message) {
    this(status, message == null ? "" : new String(message, StandardCharsets.UTF_8));
  }

  MurrException(int status, String message) {
    super(statusName(status) + ": " + message);
    this.status = status;
  }

  /** The status code (one of the constants of this class). */
  public int status() {
    return status;
  }

  /** The status code's name in murr.h ("MURR_UNKNOWN_TABLE", ...). */
  public String statusName() {
    return statusName(status);
  }

  private static String statusName(int status) {
    return new String(Native.statusName(status), StandardCharsets.UTF_8);
  }
}
