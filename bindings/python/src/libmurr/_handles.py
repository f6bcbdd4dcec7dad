"""Ownership of libmurr's handles from Python: a database handle is freed only once
nothing (snapshot, scan stream) uses it any more, and a snapshot is freed only when no
call runs on it, so that no misuse from Python reaches freed memory.

A database handle carries the library that opened it (`lib`: libmurr.so or
libmurr_server.so, each with its own engine): every call on the handle, on its snapshots
and on its servers, and every free of what those calls return, goes through that library."""

from __future__ import annotations

import ctypes
import threading

from .errors import ClosedError


class DbHandle:
    """Owns a `murr_db_t *` opened through `lib`: `murr_db_free` when the last reference
    goes (snapshots and scan readers hold one, so they are always freed first)."""

    __slots__ = ("ptr", "lib", "_free", "__weakref__")

    def __init__(self, ptr: int, lib: ctypes.CDLL):
        self.ptr = ptr
        self.lib = lib
        # Bound here: at interpreter exit the module's globals may be gone before __del__ runs.
        self._free = lib.murr_db_free

    def __del__(self):
        ptr, self.ptr = self.ptr, None
        if ptr:
            self._free(ptr)


class SnapshotHandle:
    """Owns a `murr_snapshot_t *` and counts the calls running on it: `close()` marks it
    closed (later calls raise ClosedError), waits for the running ones, then frees it."""

    __slots__ = ("ptr", "db", "_free", "_lock", "_idle", "_active")

    def __init__(self, ptr: int, db: DbHandle):
        self.ptr = ptr
        self.db = db  # keeps the database handle alive while the snapshot is
        self._free = db.lib.murr_snapshot_free  # the library that made the snapshot
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._active = 0

    def enter(self) -> int:
        """Registers a call; returns the pointer to use for it."""
        with self._lock:
            if not self.ptr:
                raise ClosedError("the snapshot was closed")
            self._active += 1
            return self.ptr

    def exit(self) -> None:
        """Unregisters a call."""
        with self._lock:
            self._active -= 1
            if not self._active:
                self._idle.notify_all()

    def close(self) -> None:
        """Frees the snapshot once no call runs on it; idempotent."""
        with self._lock:
            ptr, self.ptr = self.ptr, None
            while self._active:
                self._idle.wait()
        if ptr:
            self._free(ptr)

    def __del__(self):
        self.close()
