package dev.murr;

import java.util.concurrent.locks.StampedLock;

/**
 * A native handle (a pointer held in a {@code long}) shared by threads: calls hold a read
 * lock while they use it; {@link #retire} refuses new calls at once, waits for the calls in
 * flight, and returns the handle for the caller to free. Use after that throws {@link
 * IllegalStateException}.
 */
final class Handle {
  private final String what;
  private final StampedLock lock = new StampedLock();
  private volatile long value;
  private volatile boolean closing;

  Handle(String what, long value) {
    this.what = what;
    this.value = value;
  }

  /** Takes the read lock; returns its stamp. Throws if the handle is closed or closing. */
  long enter() {
    long stamp = lock.readLock();
    if (closing || value == 0) {
      lock.unlockRead(stamp);
      throw new IllegalStateException(what + " is closed");
    }
    return stamp;
  }

  /** The handle; valid between {@link #enter} and {@link #exit}. */
  long get() {
    return value;
  }

  /** Releases the read lock taken by {@link #enter}. */
  void exit(long stamp) {
    lock.unlockRead(stamp);
  }

  /** True once {@link #beginClose} ran. */
  boolean isClosed() {
    return closing;
  }

  /** Refuses new calls from now on; returns false if it was refused already. */
  synchronized boolean beginClose() {
    if (closing) {
      return false;
    }
    closing = true;
    return true;
  }

  /** The handle while calls may still be in flight (only for calls allowed to race them). */
  long raw() {
    return value;
  }

  /** Waits for the calls in flight, then returns the handle (0 the second time). */
  long retire() {
    long stamp = lock.writeLock();
    try {
      long v = value;
      value = 0;
      return v;
    } finally {
      lock.unlockWrite(stamp);
    }
  }
}
