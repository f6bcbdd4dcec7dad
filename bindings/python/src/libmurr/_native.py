"""ctypes declarations of libmurr's C ABI (include/murr.h) and the loading of libmurr.so.

Every function is called through `ctypes.CDLL`, which releases the GIL for the length of
each native call. Only the functions and structs the package uses are declared.

The package ships two builds of the same C ABI: `libmurr.so` (`lib`, loaded at import),
without the in-process HTTP/Flight server, which keeps it small, and `libmurr_server.so`
(`server_lib()`, loaded on first need), the same functions plus the server
(`murr_server_start` works there only). Each has its own copy of the engine, so a database
handle, its snapshots and its servers must all be called through the library that opened
it: the handle carries it (`_handles.DbHandle.lib`).
"""

from __future__ import annotations

import ctypes
import os
import threading
from ctypes import (
    POINTER,
    Structure,
    c_bool,
    c_char_p,
    c_float,
    c_int32,
    c_int64,
    c_size_t,
    c_uint32,
    c_uint64,
    c_void_p,
)
from pathlib import Path


class ArrowSchema(Structure):
    """`struct ArrowSchema` of the Arrow C Data Interface."""


ArrowSchema._fields_ = [
    ("format", c_char_p),
    ("name", c_char_p),
    ("metadata", c_void_p),
    ("flags", c_int64),
    ("n_children", c_int64),
    ("children", POINTER(POINTER(ArrowSchema))),
    ("dictionary", POINTER(ArrowSchema)),
    ("release", c_void_p),
    ("private_data", c_void_p),
]


class ArrowArray(Structure):
    """`struct ArrowArray` of the Arrow C Data Interface."""


ArrowArray._fields_ = [
    ("length", c_int64),
    ("null_count", c_int64),
    ("offset", c_int64),
    ("n_buffers", c_int64),
    ("n_children", c_int64),
    ("buffers", POINTER(c_void_p)),
    ("children", POINTER(POINTER(ArrowArray))),
    ("dictionary", POINTER(ArrowArray)),
    ("release", c_void_p),
    ("private_data", c_void_p),
]


class ArrowArrayStream(Structure):
    """`struct ArrowArrayStream` of the Arrow C Stream Interface."""

    _fields_ = [
        ("get_schema", c_void_p),
        ("get_next", c_void_p),
        ("get_last_error", c_void_p),
        ("release", c_void_p),
        ("private_data", c_void_p),
    ]


class Error(Structure):
    """`murr_error_t`: the status and message of a failed call."""


Error._fields_ = [
    ("status", c_int32),
    ("message", c_void_p),
    ("release", c_void_p),
    ("private_data", c_void_p),
    ("reserved", c_uint64 * 4),
]


class Keys(Structure):
    """`murr_keys_t`: the keys of a read, dense read or delete (borrowed for the call)."""

    _fields_ = [
        ("kind", c_int32),
        ("count", c_size_t),
        ("data", c_void_p),
        ("lengths", c_void_p),
        ("array", POINTER(ArrowArray)),
        ("schema", POINTER(ArrowSchema)),
    ]


KEYS_CSTR = 0
KEYS_UTF8 = 1
KEYS_INT64 = 2
KEYS_UINT64 = 3
KEYS_ARROW = 4


class Options(Structure):
    """`murr_options_t`: the options of `murr_db_open`."""

    _fields_ = [
        ("size", c_size_t),
        ("sync", c_int32),
        ("sync_millis", c_uint32),
        ("background_threads", c_uint32),
        ("memtable_bytes", c_uint64),
        ("create_if_missing", c_bool),
        ("skip_corrupt", c_bool),
        ("l0_compaction_trigger", c_uint32),
        ("l0_slowdown_writes", c_uint32),
        ("l0_stop_writes", c_uint32),
        ("target_segment_bytes", c_uint64),
        ("idle_compaction_millis", c_int64),
        ("change_retention_bytes", c_uint64),
    ]


class TableStats(Structure):
    """`murr_table_stats_t`: a table's counters (`size` carries the struct's size)."""

    _fields_ = [
        ("size", c_size_t),
        ("segments", c_uint64),
        ("level0_segments", c_uint64),
        ("segment_rows", c_uint64),
        ("segment_bytes", c_uint64),
        ("deleted_rows", c_uint64),
        ("memtable_bytes", c_uint64),
    ]


class ServerOptions(Structure):
    """`murr_server_options_t`: how `murr_server_start` listens."""

    _fields_ = [
        ("size", c_size_t),
        ("host", c_char_p),
        ("http_port", c_int32),
        ("flight_port", c_int32),
        ("token", c_char_p),
        ("max_body_bytes", c_uint64),
        ("threads", c_uint32),
    ]


LATENCY_BUCKETS = 40
"""`MURR_LATENCY_BUCKETS`: buckets of `murr_metrics_t.read_latency_buckets`."""


class Metrics(Structure):
    """`murr_metrics_t`: the engine's counters and gauges (`size` carries the struct's size)."""

    _fields_ = [
        ("size", c_size_t),
        ("enabled", c_uint64),
        ("reads", c_uint64),
        ("read_keys", c_uint64),
        ("read_misses", c_uint64),
        ("read_bytes", c_uint64),
        ("read_latency_p50_ns", c_uint64),
        ("read_latency_p99_ns", c_uint64),
        ("read_latency_p999_ns", c_uint64),
        ("read_latency_sum_ns", c_uint64),
        ("writes", c_uint64),
        ("write_rows", c_uint64),
        ("deletes", c_uint64),
        ("delete_keys", c_uint64),
        ("log_syncs", c_uint64),
        ("log_bytes", c_uint64),
        ("flushes", c_uint64),
        ("flush_rows", c_uint64),
        ("flush_bytes", c_uint64),
        ("flush_ns", c_uint64),
        ("compactions", c_uint64),
        ("compaction_bytes_read", c_uint64),
        ("compaction_bytes_written", c_uint64),
        ("compaction_ns", c_uint64),
        ("write_stalls", c_uint64),
        ("write_stall_ns", c_uint64),
        ("memtable_bytes", c_uint64),
        ("memtable_rows", c_uint64),
        ("segments", c_uint64),
        ("level0_segments", c_uint64),
        ("segment_bytes", c_uint64),
        ("segment_rows", c_uint64),
        ("read_latency_buckets", c_uint64 * LATENCY_BUCKETS),
    ]


class StringList(Structure):
    """`murr_string_list_t`: strings owned by libmurr."""

    _fields_ = [("count", c_size_t), ("items", POINTER(c_char_p))]


SYNC_ALWAYS = 0
SYNC_NEVER = 1
SYNC_EVERY_MILLIS = 2

_db = c_void_p
_snap = c_void_p
_err = POINTER(Error)
_status = c_int32
_names = POINTER(c_char_p)

# name: (restype, argtypes)
_SIGNATURES = {
    "murr_version": (c_char_p, []),
    "murr_status_name": (c_char_p, [c_int32]),
    "murr_error_release": (None, [_err]),
    "murr_options_default": (None, [POINTER(Options)]),
    "murr_db_open": (_status, [c_char_p, POINTER(Options), POINTER(c_void_p), _err]),
    "murr_db_close": (_status, [_db, _err]),
    "murr_db_free": (None, [_db]),
    "murr_db_flush": (_status, [_db, _err]),
    "murr_db_compact": (_status, [_db, _err]),
    "murr_string_list_free": (None, [POINTER(StringList)]),
    "murr_db_create_table": (
        _status,
        [_db, c_char_p, POINTER(ArrowSchema), c_char_p, _err],
    ),
    "murr_db_drop_table": (_status, [_db, c_char_p, _err]),
    "murr_db_tables": (_status, [_db, POINTER(StringList), _err]),
    "murr_db_table_schema": (_status, [_db, c_char_p, POINTER(ArrowSchema), _err]),
    "murr_db_add_column": (_status, [_db, c_char_p, POINTER(ArrowSchema), _err]),
    "murr_db_write": (
        _status,
        [_db, c_char_p, POINTER(ArrowArray), POINTER(ArrowSchema), POINTER(c_uint64), _err],
    ),
    "murr_db_write_stream": (
        _status,
        [_db, c_char_p, POINTER(ArrowArrayStream), POINTER(c_uint64), _err],
    ),
    "murr_db_ingest_stream": (
        _status,
        [_db, c_char_p, POINTER(ArrowArrayStream), _err],
    ),
    "murr_db_ingest_file": (
        _status,
        [_db, c_char_p, c_char_p, _err],
    ),
    "murr_db_export_parquet": (
        _status,
        [_db, _snap, c_char_p, c_char_p, POINTER(c_uint64), _err],
    ),
    "murr_db_export_iceberg": (
        _status,
        [_db, c_char_p, c_char_p, POINTER(c_int64), _err],
    ),
    "murr_db_read_keys": (
        _status,
        [
            _db, _snap, c_char_p, POINTER(Keys), _names, c_size_t,
            POINTER(ArrowArray), POINTER(ArrowSchema), c_void_p, _err,
        ],
    ),
    "murr_db_read_f32": (
        _status,
        [_db, _snap, c_char_p, POINTER(Keys), _names, c_size_t, c_float, c_void_p, c_void_p, _err],
    ),
    "murr_db_delete_keys": (_status, [_db, c_char_p, POINTER(Keys), POINTER(c_uint64), _err]),
    "murr_db_write_f32": (
        _status,
        [_db, c_char_p, POINTER(Keys), _names, c_size_t, c_void_p, POINTER(c_uint64), _err],
    ),
    "murr_db_table_stats": (_status, [_db, c_char_p, POINTER(TableStats), _err]),
    "murr_db_metrics": (_status, [_db, POINTER(Metrics), _err]),
    "murr_db_metrics_prometheus": (_status, [_db, POINTER(c_char_p), _err]),
    "murr_string_free": (None, [c_void_p]),
    "murr_db_snapshot": (_status, [_db, POINTER(c_void_p), _err]),
    "murr_snapshot_seq": (c_uint64, [_snap]),
    "murr_snapshot_free": (None, [_snap]),
    "murr_db_scan": (
        _status,
        [_db, _snap, c_char_p, _names, c_size_t, POINTER(ArrowArrayStream), _err],
    ),
    "murr_db_changes": (
        _status,
        [_db, c_char_p, c_uint64, POINTER(ArrowArrayStream), _err],
    ),
    "murr_db_changes_oldest_since": (_status, [_db, POINTER(c_uint64), _err]),
    "murr_server_options_default": (None, [POINTER(ServerOptions)]),
    "murr_server_start": (_status, [_db, POINTER(ServerOptions), POINTER(c_void_p), _err]),
    "murr_server_http_port": (c_int32, [c_void_p]),
    "murr_server_flight_port": (c_int32, [c_void_p]),
    "murr_server_stop": (_status, [c_void_p, _err]),
}


def _library_path() -> Path:
    override = os.environ.get("MURR_LIBRARY")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent / "libmurr.so"


def _server_library_path() -> Path:
    override = os.environ.get("MURR_SERVER_LIBRARY")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent / "libmurr_server.so"


def _declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    """Types `lib`'s functions as declared in `_SIGNATURES`."""
    for name, (restype, argtypes) in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


def _load() -> ctypes.CDLL:
    path = _library_path()
    try:
        lib = ctypes.CDLL(str(path))
    except OSError as e:
        raise ImportError(
            f"libmurr: cannot load libmurr from {path} ({e}); reinstall the package "
            "(pip install bindings/python builds it) or set MURR_LIBRARY"
        ) from e
    return _declare(lib)


lib = _load()
"""The loaded libmurr (without the server), its functions typed as declared in
`_SIGNATURES`."""

LIBRARY_PATH = _library_path()
"""The file libmurr was loaded from."""

SERVER_LIBRARY_PATH = _server_library_path()
"""The file `server_lib()` loads libmurr with its server from."""

_server_lib = None
_server_lib_lock = threading.Lock()


def server_lib() -> ctypes.CDLL:
    """libmurr with its in-process server (`libmurr_server.so`), loaded on the first call
    and typed as `lib` is. Raises `UnsupportedError` if it cannot be loaded."""
    global _server_lib
    with _server_lib_lock:
        if _server_lib is None:
            path = SERVER_LIBRARY_PATH
            try:
                loaded = ctypes.CDLL(str(path))
            except OSError as e:
                from .errors import UnsupportedError

                raise UnsupportedError(
                    f"cannot load libmurr's server library from {path} ({e}): serving a "
                    "database from this process (Murr.serve, start_local with a port) "
                    "needs it; reinstall the package (its wheel ships libmurr_server.so "
                    "next to libmurr.so) or set MURR_SERVER_LIBRARY"
                ) from None
            _server_lib = _declare(loaded)
        return _server_lib


def library_path(loaded: ctypes.CDLL) -> Path:
    """The file `loaded` (`lib` or `server_lib()`) was loaded from."""
    return Path(loaded._name)


def names_array(names) -> ctypes.Array:
    """A `const char *const *` array of the UTF-8 encodings of `names` (str items)."""
    encoded = [n.encode() for n in names]
    if any(b"\0" in n for n in encoded):
        raise ValueError("a name may not contain NUL")
    return (c_char_p * len(encoded))(*encoded)


def version() -> str:
    """libmurr's version ("major.minor.patch")."""
    return lib.murr_version().decode()


__all__ = [
    "ArrowArray",
    "ArrowArrayStream",
    "ArrowSchema",
    "Error",
    "KEYS_ARROW",
    "KEYS_CSTR",
    "KEYS_INT64",
    "KEYS_UINT64",
    "KEYS_UTF8",
    "Keys",
    "LIBRARY_PATH",
    "Options",
    "SERVER_LIBRARY_PATH",
    "ServerOptions",
    "StringList",
    "TableStats",
    "lib",
    "library_path",
    "names_array",
    "server_lib",
    "version",
]
