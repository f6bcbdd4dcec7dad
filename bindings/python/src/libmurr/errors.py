"""Python exceptions for libmurr's status codes: every one is a `MurrError` carrying the
status code, its name and libmurr's own message.

Some also derive from the built-in exception that fits, as Murr's Python client raises
them, so code written against it keeps catching them: `FileNotFoundError` (and
`LookupError`) for an unknown table, `LookupError` for an unknown column, `ValueError` for
bad arguments, mismatched schemas and a table that exists already, `OSError` for I/O.
"""

from __future__ import annotations

import ctypes
import errno

from . import _native


class MurrError(Exception):
    """A libmurr call failed. `status` is the `MURR_*` code, `code` its name, `message`
    libmurr's message."""

    status: int = 16

    def __init__(self, message: str, status: int | None = None):
        if status is not None:
            self.status = status
        self.message = message
        super().__init__(message)

    @property
    def code(self) -> str:
        """The name of the status code ("MURR_UNKNOWN_TABLE", ...)."""
        return _native.lib.murr_status_name(self.status).decode()

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class InvalidArgumentError(MurrError, ValueError):
    """MURR_INVALID_ARGUMENT: a bad argument (wrong type, NULL, invalid UTF-8, bad option)."""

    status = 1


class UnknownTableError(MurrError, LookupError, FileNotFoundError):
    """MURR_UNKNOWN_TABLE: no table of that name. Also a `FileNotFoundError` (errno ENOENT),
    what Murr's client raises for a table it does not have."""

    status = 2

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message, status)
        self.errno = errno.ENOENT
        self.strerror = message


class UnknownColumnError(MurrError, LookupError):
    """MURR_UNKNOWN_COLUMN: no column of that name in the table."""

    status = 3


class SchemaMismatchError(MurrError, ValueError):
    """MURR_SCHEMA_MISMATCH: data or keys that do not fit the table's schema."""

    status = 4


class TableExistsError(MurrError, ValueError):
    """MURR_TABLE_EXISTS: a table of that name exists with another schema (a `ValueError`,
    as in Murr's client)."""

    status = 5


class MurrIOError(MurrError, OSError):
    """MURR_IO: an operating-system I/O call failed."""

    status = 6


class CorruptError(MurrError):
    """MURR_CORRUPT: files on disk are damaged (or not libmurr's)."""

    status = 7


class UnsupportedError(MurrError):
    """MURR_UNSUPPORTED: an unsupported column type, key type or format version."""

    status = 8


class ClosedError(MurrError):
    """MURR_CLOSED: the database (or the snapshot) was closed."""

    status = 9


class LockedError(MurrError):
    """MURR_LOCKED: the database directory is open already (here or in another process)."""

    status = 10


class WritesStoppedError(MurrError):
    """MURR_WRITES_STOPPED: writes are refused since a log failure; close and reopen."""

    status = 11


class LimitExceededError(MurrError):
    """MURR_LIMIT_EXCEEDED: input beyond what the format can hold."""

    status = 12


class BackgroundError(MurrError):
    """MURR_BACKGROUND_FAILED: a write waits for background work that fails."""

    status = 13


class ArrowError(MurrError):
    """MURR_ARROW: invalid Arrow data, or a stream's producer failed."""

    status = 14


class InternalError(MurrError):
    """MURR_INTERNAL: a bug in libmurr (a Rust panic caught at the boundary)."""

    status = 15


class ChangesNotRetainedError(MurrError, LookupError):
    """MURR_CHANGES_NOT_RETAINED: `Murr.changes` was asked for changes older than the
    write-ahead logs kept; open with a larger `change_retention_bytes`, or resynchronise
    from a scan and follow the feed from `Murr.changes_oldest_since()` on."""

    status = 17


_BY_STATUS = {
    cls.status: cls
    for cls in (
        InvalidArgumentError,
        UnknownTableError,
        UnknownColumnError,
        SchemaMismatchError,
        TableExistsError,
        MurrIOError,
        CorruptError,
        UnsupportedError,
        ClosedError,
        LockedError,
        WritesStoppedError,
        LimitExceededError,
        BackgroundError,
        ArrowError,
        InternalError,
        ChangesNotRetainedError,
    )
}


def error_for(status: int, message: str) -> MurrError:
    """The exception for `status` (a `MurrError` subclass; `MurrError` itself for codes
    this version does not name)."""
    cls = _BY_STATUS.get(status, MurrError)
    return cls(message, status)


class Call:
    """One `murr_error_t` for one native call: `check(status)` raises on failure with
    libmurr's message, and frees the message through `lib`, the library called (a
    database's own, `_handles.DbHandle.lib`; libmurr.so when None)."""

    __slots__ = ("error", "ref", "lib")

    def __init__(self, lib: ctypes.CDLL | None = None):
        self.error = _native.Error()  # zeroed: MURR_ERROR_INIT
        self.ref = ctypes.byref(self.error)
        self.lib = lib if lib is not None else _native.lib

    def check(self, status: int) -> None:
        """Raises the exception of `status` unless it is MURR_OK (0)."""
        if status == 0:
            return
        message = ""
        if self.error.message:
            message = ctypes.string_at(self.error.message).decode("utf-8", "replace")
        self.lib.murr_error_release(self.ref)
        raise error_for(status, message)
