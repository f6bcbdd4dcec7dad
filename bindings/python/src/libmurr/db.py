"""`Murr`: an embedded libmurr database, with Murr's Python API."""

from __future__ import annotations

import ctypes
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Union

import numpy as np
import pyarrow as pa

from . import _arrow, _keys, _native
from ._handles import DbHandle, SnapshotHandle
from ._server import LocalServer
from .errors import (
    Call,
    ClosedError,
    CorruptError,
    InvalidArgumentError,
    MurrError,
    SchemaMismatchError,
    UnsupportedError,
)
from .schema import ColumnSchema, TableSchema

_SYNC = {"always": _native.SYNC_ALWAYS, "never": _native.SYNC_NEVER}


def _options(opts: Dict[str, Any]) -> _native.Options:
    out = _native.Options()
    _native.lib.murr_options_default(ctypes.byref(out))
    sync = opts.pop("sync", None)
    if isinstance(sync, str):
        if sync not in _SYNC:
            raise InvalidArgumentError(f"sync is 'always', 'never' or milliseconds, not {sync!r}")
        out.sync = _SYNC[sync]
    elif isinstance(sync, int) and not isinstance(sync, bool):
        out.sync = _native.SYNC_EVERY_MILLIS
        _set_option(out, "sync_millis", sync)
    elif sync is not None:
        raise InvalidArgumentError(f"sync is 'always', 'never' or milliseconds, not {sync!r}")
    known = {name for name, _ in _native.Options._fields_} - {"size", "sync", "sync_millis"}
    for name, value in opts.items():
        if name not in known:
            raise InvalidArgumentError(f"unknown option {name!r} (known: {sorted(known)})")
        _set_option(out, name, value)
    return out


def _set_option(out: _native.Options, name: str, value: Any) -> None:
    """Sets one field, refusing values ctypes would silently wrap (-1 threads...)."""
    ctype = dict(_native.Options._fields_)[name]
    if ctype is ctypes.c_bool:
        if not isinstance(value, bool):
            raise InvalidArgumentError(f"option {name} is a bool, not {value!r}")
    else:
        bits = ctypes.sizeof(ctype) * 8
        signed = ctype(-1).value == -1
        low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidArgumentError(f"option {name} is an integer in [{low}, {high}], not {value!r}")
    setattr(out, name, value)


def _enc(name: Any) -> bytes:
    """A table or column name as UTF-8 for libmurr."""
    if not isinstance(name, str):
        raise InvalidArgumentError(f"a name must be str, not {type(name).__name__}")
    if "\0" in name:
        raise InvalidArgumentError(f"a name may not contain NUL: {name!r}")
    return name.encode()


def _open(path: Any, options: Dict[str, Any], server: bool = False):
    """Opens the database at `path`: its handle and the path as a str. Through
    libmurr_server.so (loaded then) when `server`, else libmurr.so."""
    try:
        path = os.fspath(path)
    except TypeError:
        raise InvalidArgumentError(f"path must be str or os.PathLike, not {type(path).__name__}") from None
    if not isinstance(path, str):
        path = os.fsdecode(path)
    if "\0" in path:
        raise InvalidArgumentError(f"a path may not contain NUL: {path!r}")
    if not isinstance(server, bool):
        raise InvalidArgumentError(f"server is a bool, not {server!r}")
    opts = _options(dict(options))
    lib = _native.server_lib() if server else _native.lib
    out = ctypes.c_void_p()
    call = Call(lib)
    call.check(lib.murr_db_open(path.encode(), ctypes.byref(opts), ctypes.byref(out), call.ref))
    return DbHandle(out.value, lib), path


def _column_names(columns: Sequence[str]):
    if isinstance(columns, str):
        raise InvalidArgumentError("columns must be a sequence of names, not one string")
    try:
        return _native.names_array(columns)
    except (AttributeError, TypeError, ValueError):
        raise InvalidArgumentError(f"columns must be a sequence of str without NUL: {columns!r}") from None


class Murr:
    """An open libmurr database (a directory). Thread-safe: every method may be called
    from any number of threads at once; the GIL is released during each native call.

    Use it as a context manager, or call `close()` (which flushes): the handle itself is
    freed once the object, its snapshots and its scan readers are gone.
    """

    def __init__(self, handle: DbHandle, path: str):
        self._handle = handle
        self.path = path
        self.server: Optional[LocalServer] = None

    # ---- lifecycle -------------------------------------------------------------------

    @classmethod
    def open(cls, path: Union[str, os.PathLike], server: bool = False, **options: Any) -> "Murr":
        """Opens (creating it unless `create_if_missing=False`) the database at `path`.

        `server=True` opens it for serving from this process (`serve`): through
        libmurr_server.so, the build of libmurr with its HTTP/Flight server, loaded then.
        By default it opens through libmurr.so, which leaves the server out to stay small
        (under 10 MB) and cannot `serve`. Each library has its own engine: the database,
        its snapshots and its server all go through the one that opened it.

        Options (libmurr's `murr_options_t`): `sync` ("always", the default, "never", or
        an int: fsync every that many ms), `background_threads` (0: flushes and
        compactions only when asked), `memtable_bytes`, `create_if_missing`,
        `skip_corrupt`, `l0_compaction_trigger`, `l0_slowdown_writes`, `l0_stop_writes`,
        `target_segment_bytes`, `idle_compaction_millis`, `change_retention_bytes` (bytes of
        flushed write-ahead logs kept for `changes`; default 0, `2**64 - 1` keeps all).
        """
        handle, path = _open(path, options, server)
        db = cls.__new__(cls)
        Murr.__init__(db, handle, path)
        return db

    @classmethod
    def start_local(
        cls,
        cache_dir: Optional[Union[str, os.PathLike]] = None,
        http_port: Optional[int] = None,
        flight_port: Optional[int] = None,
        host: str = "127.0.0.1",
        token: Optional[str] = None,
        server: bool = False,
        **options: Any,
    ) -> "LocalMurr":
        """Murr's name for an embedded instance: a `LocalMurr` on `cache_dir` (a new
        temporary directory when None). With `http_port` (0: any free port) or
        `flight_port`, it also serves the database over HTTP (and Arrow Flight) from this
        process, as `murr serve` does: `db.server.url` is the address for
        `Murr.connect`, `db.server.flight_url` Flight's. `close()` stops the server.

        With a port (or `server=True`, to call `serve` later) the database is opened
        through libmurr_server.so, as `Murr.open(path, server=True)` does; without,
        through libmurr.so."""
        serving = http_port is not None or flight_port is not None
        db = LocalMurr(cache_dir, server=server or serving, **options)
        if serving:
            try:
                db.serve(http_port or 0, flight_port, host=host, token=token)
            except BaseException:
                db.close()
                raise
        return db

    def serve(
        self,
        http_port: int = 0,
        flight_port: Optional[int] = None,
        host: str = "127.0.0.1",
        token: Optional[str] = None,
        max_body_bytes: Optional[int] = None,
    ) -> LocalServer:
        """Serves this database over HTTP on `host:http_port` (0: any free port) and, if
        `flight_port` is given, Arrow Flight, from this process (libmurr's server, the
        routes of docs/SERVER.md), on threads of its own; returns the server, also kept
        as `self.server`. One server per database object; `close()` stops it.

        The database must have been opened for serving (`Murr.open(path, server=True)`,
        `Murr.start_local` with a port): opened through libmurr.so, which leaves the
        server out, it raises `UnsupportedError` (MURR_UNSUPPORTED)."""
        if self.server is not None and self.server.running:
            raise InvalidArgumentError(f"this database is served already at {self.server.url}")
        self.server = LocalServer(self._handle, http_port, flight_port, host, token, max_body_bytes)
        return self.server

    def close(self) -> None:
        """Stops the server `serve` started, if any; flushes the memtables, syncs the log
        and releases the directory; every later call raises `ClosedError`. A second close
        raises `ClosedError` too."""
        if self.server is not None:
            self.server.stop()
        lib = self._handle.lib
        call = Call(lib)
        call.check(lib.murr_db_close(self._ptr(), call.ref))

    def __enter__(self) -> "Murr":
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.close()
        except ClosedError:
            pass

    def _ptr(self) -> int:
        return self._handle.ptr

    @property
    def library_path(self) -> Path:
        """The file of the libmurr build this database was opened through: libmurr.so
        (`libmurr.LIBRARY_PATH`), or libmurr_server.so (`libmurr.SERVER_LIBRARY_PATH`)
        when opened for serving."""
        return _native.library_path(self._handle.lib)

    def flush(self) -> None:
        """Writes every memtable to segments and makes them durable."""
        lib = self._handle.lib
        call = Call(lib)
        call.check(lib.murr_db_flush(self._ptr(), call.ref))

    def compact(self) -> None:
        """Flushes, then merges each table's segments into one sorted run."""
        lib = self._handle.lib
        call = Call(lib)
        call.check(lib.murr_db_compact(self._ptr(), call.ref))

    # ---- tables ----------------------------------------------------------------------

    def create_table(self, name: str, schema: Union[TableSchema, pa.Schema], key: Optional[str] = None) -> None:
        """Creates table `name` (a `TableSchema`, or a `pyarrow.Schema` with `key` or
        "murr.key" metadata naming the key column). Creating it again with the same schema
        does nothing; with another: `TableExistsError`."""
        if isinstance(schema, pa.Schema):
            schema = TableSchema.from_arrow(schema, key)
        elif not isinstance(schema, TableSchema):
            raise InvalidArgumentError("schema must be a libmurr.TableSchema or a pyarrow.Schema")
        c_schema = _arrow.export_schema(schema.to_arrow())
        lib = self._handle.lib
        call = Call(lib)
        try:
            status = lib.murr_db_create_table(
                self._ptr(), _enc(name), ctypes.byref(c_schema), _enc(schema.key), call.ref
            )
        finally:
            _arrow.release_schema(c_schema)
        call.check(status)

    def drop_table(self, name: str) -> None:
        """Drops table `name` and its data (snapshots taken before still read it)."""
        lib = self._handle.lib
        call = Call(lib)
        call.check(lib.murr_db_drop_table(self._ptr(), _enc(name), call.ref))

    def tables(self) -> List[str]:
        """The table names, in creation order."""
        out = _native.StringList()
        lib = self._handle.lib
        call = Call(lib)
        call.check(lib.murr_db_tables(self._ptr(), ctypes.byref(out), call.ref))
        try:
            return [out.items[i].decode() for i in range(out.count)]
        finally:
            lib.murr_string_list_free(ctypes.byref(out))

    def list_tables(self) -> Dict[str, TableSchema]:
        """Every table's schema by name (Murr's `list_tables`)."""
        return {name: self.get_schema(name) for name in self.tables()}

    def table_stats(self, name: str) -> "TableStats":
        """Counters of table `name`: its segments (all, and at level 0), the rows and bytes
        they hold, rows their deletion vectors hide, and the bytes in its memtables. They
        move with flushes and compactions: for monitoring, not for decisions."""
        out = _native.TableStats(size=ctypes.sizeof(_native.TableStats))
        lib = self._handle.lib
        call = Call(lib)
        call.check(lib.murr_db_table_stats(self._ptr(), _enc(name), ctypes.byref(out), call.ref))
        return TableStats(**{f: int(getattr(out, f)) for f in TableStats._fields})

    def metrics(self) -> "Metrics":
        """The engine's metrics: counters since the database was opened (reads, keys, misses,
        bytes read, read latency, writes, rows, deletes, log fsyncs and bytes, flushes,
        compactions, write stalls; they only grow) and gauges of the memtables and segments
        (docs/ENGINE.md, "Metrics"). Times are nanoseconds."""
        out = _native.Metrics(size=ctypes.sizeof(_native.Metrics))
        lib = self._handle.lib
        call = Call(lib)
        call.check(lib.murr_db_metrics(self._ptr(), ctypes.byref(out), call.ref))
        values = {f: int(getattr(out, f)) for f in Metrics._fields if f != "read_latency_buckets"}
        values["enabled"] = bool(out.enabled)
        values["read_latency_buckets"] = tuple(int(b) for b in out.read_latency_buckets)
        return Metrics(**values)

    def metrics_prometheus(self) -> str:
        """The engine's metrics in the Prometheus text exposition format (0.0.4), names
        prefixed `murr_`, per-table gauges labelled `table`: for a scrape endpoint."""
        out = ctypes.c_char_p()
        lib = self._handle.lib
        call = Call(lib)
        call.check(lib.murr_db_metrics_prometheus(self._ptr(), ctypes.byref(out), call.ref))
        try:
            return (out.value or b"").decode()
        finally:
            lib.murr_string_free(ctypes.cast(out, ctypes.c_void_p))

    def table_schema(self, name: str) -> pa.Schema:
        """The Arrow schema of table `name` ("murr.key" metadata names its key column)."""
        out = _native.ArrowSchema()
        lib = self._handle.lib
        call = Call(lib)
        call.check(lib.murr_db_table_schema(self._ptr(), _enc(name), ctypes.byref(out), call.ref))
        return _arrow.import_schema(out)

    def get_schema(self, name: str) -> TableSchema:
        """The `TableSchema` of table `name`."""
        return TableSchema.from_arrow(self.table_schema(name))

    def add_column(self, table: str, name: str, column: Union[ColumnSchema, pa.DataType]) -> None:
        """Adds a nullable column at the end of `table`'s schema (earlier rows read null)."""
        data_type = column.to_arrow() if isinstance(column, ColumnSchema) else column
        if not isinstance(data_type, pa.DataType):
            raise InvalidArgumentError("column must be a libmurr.ColumnSchema or a pyarrow.DataType")
        c_field = _arrow.export_field(pa.field(name, data_type, nullable=True))
        lib = self._handle.lib
        call = Call(lib)
        try:
            status = lib.murr_db_add_column(self._ptr(), _enc(table), ctypes.byref(c_field), call.ref)
        finally:
            _arrow.release_schema(c_field)
        call.check(status)

    # ---- writes ----------------------------------------------------------------------

    def write(self, table: str, data: Any) -> int:
        """Upserts `data` into `table` by key and returns the write's sequence number.

        `data`: a `pyarrow.Table`, `RecordBatch` or `RecordBatchReader`, a pandas or polars
        DataFrame, or any object with `__arrow_c_stream__`. It carries the key column and
        any subset of the others (a partial upsert); columns are cast to the table's types
        where they differ (pandas' float64 to float32, polars' large strings, lists of
        floats to embeddings). Each batch is atomic.
        """
        data = _arrow.to_arrow(data)
        target = self.table_schema(table)
        cast_to = _arrow.conform(data.schema, target)
        if cast_to is not None:
            data = _cast(data, cast_to)
        if isinstance(data, pa.Table):
            batches = data.to_batches()
            if len(batches) == 1:
                data = batches[0]
            else:
                data = data.to_reader()
        seq = ctypes.c_uint64(0)
        lib = self._handle.lib
        call = Call(lib)
        if isinstance(data, pa.RecordBatch):
            c_array, c_schema = _arrow.export_array(data)
            try:
                status = lib.murr_db_write(
                    self._ptr(), _enc(table), ctypes.byref(c_array), ctypes.byref(c_schema),
                    ctypes.byref(seq), call.ref,
                )
            finally:
                _arrow.release_array(c_array)
                _arrow.release_schema(c_schema)
        else:
            stream = _arrow.export_stream(data)
            status = lib.murr_db_write_stream(
                self._ptr(), _enc(table), ctypes.byref(stream), ctypes.byref(seq), call.ref
            )
        call.check(status)
        return seq.value

    def ingest(self, table: str, source: Any) -> None:
        """Bulk-loads `source` into `table` as one upsert, sorted by key straight into the
        table's segments (no log, no memtable): the way to load large inputs. All or
        nothing: on return every row is readable; on an error none is.

        `source`: a path (str or os.PathLike) to a Parquet file (any codec pyarrow writes)
        or an Arrow IPC file or stream, told by its first bytes (only the table's columns
        are read); or a `pyarrow.Table`, `RecordBatch`, `RecordBatchReader`, a
        `pyarrow.dataset.Dataset`, a pandas or polars DataFrame, or any object with
        `__arrow_c_stream__`, streamed through the Arrow C stream interface. Columns are
        matched by name and cast to the table's types by libmurr (a value that does not fit
        raises, never becomes null); columns the table lacks are ignored; table columns the
        source lacks keep their values; a key repeated in the source takes its last row.
        """
        lib = self._handle.lib
        call = Call(lib)
        target = self.table_schema(table)
        if isinstance(source, (str, os.PathLike)):
            path = os.fspath(source)
            if isinstance(path, bytes):
                path = os.fsdecode(path)
            data = _file_reader(path, target)
            if data is None:
                # An Arrow IPC file of the table's types (or no file libmurr can read:
                # it says why): libmurr reads it itself.
                status = lib.murr_db_ingest_file(self._ptr(), _enc(table), _enc(path), call.ref)
                call.check(status)
                return
        elif hasattr(source, "scanner") and hasattr(source, "to_batches"):
            data = source.scanner().to_reader()  # a pyarrow dataset, read batch by batch
        else:
            data = _arrow.to_arrow(source)
        if isinstance(data, pa.RecordBatch):
            data = pa.RecordBatchReader.from_batches(data.schema, [data])
        # libmurr casts nothing: columns take the table's types here (as write does);
        # a value that does not convert raises.
        cast_to = _arrow.conform(data.schema, target)
        if cast_to is not None:
            data = _cast(data, cast_to)
        if isinstance(data, pa.Table):
            data = data.to_reader()
        stream = _arrow.export_stream(data)
        status = lib.murr_db_ingest_stream(self._ptr(), _enc(table), ctypes.byref(stream), call.ref)
        call.check(status)

    # ---- exports (docs/ICEBERG.md) ------------------------------------------------------

    def export_parquet(self, table: str, dir: Union[str, os.PathLike]) -> int:
        """Writes the live rows of `table` (what `scan` returns now) as zstd Parquet files
        `part-00000.parquet`, ... into `dir` (created if missing; it must be empty): key
        order, the key column first, every column with its libmurr type (so
        `pyarrow.parquet.read_table(dir)` reads back the same types). Returns the rows
        written. The database is only read; on an error no Parquet file is left."""
        return _export_parquet(self, None, table, dir)

    def export_iceberg(self, table: str, location: Union[str, os.PathLike]) -> int:
        """Exports `table` to the Apache Iceberg table (format v2) at the local directory
        `location`, created by the first export; each later export commits a new snapshot
        holding every live row (an overwrite) and keeps the earlier ones readable (time
        travel). Returns the Iceberg snapshot id. Read it with pyiceberg
        (`StaticTable.from_metadata(location + "/metadata/vN.metadata.json")`) or DuckDB
        (`iceberg_scan(location)`). Types map as docs/ICEBERG.md says: a uint64 above
        2**63 - 1 raises and leaves the previous snapshot current."""
        out = ctypes.c_int64()
        lib = self._handle.lib
        call = Call(lib)
        status = lib.murr_db_export_iceberg(
            self._ptr(), _enc(table), _enc(_path_str(location)), ctypes.byref(out), call.ref
        )
        _check_export(call, status)
        return out.value

    def delete(self, table: str, keys: Any) -> int:
        """Deletes `keys` from `table` (absent keys are fine); returns the sequence number."""
        k = _keys.prepare(keys)
        name = _enc(table)
        try:
            return _delete(self._handle, name, k)
        except SchemaMismatchError as e:
            return _delete(self._handle, name, _retry_keys(self, table, k, e))

    # ---- reads -----------------------------------------------------------------------

    def read(self, table: str, keys: Any, columns: Optional[Sequence[str]] = None) -> pa.RecordBatch:
        """Reads `columns` (default: every column, the key first) of `table` for `keys`,
        one row per key in their order, null rows for absent keys. The answer is a
        `pyarrow.RecordBatch` whose buffers are the ones libmurr filled (no copy), so
        `.to_pandas()`, `.column(i).to_numpy()` and `polars.from_arrow` work on it.

        `keys`: a list of str or int, a numpy int64 array (used in place), a pyarrow
        Array, a pandas or polars Series.
        """
        return _read(self, None, table, keys, columns)

    def read_tensor(
        self, table: str, keys: Any, columns: Sequence[str], fill: float = float("nan")
    ) -> np.ndarray:
        """The dense read: a (len(keys), len(columns)) float32 numpy array that libmurr
        fills in place, numeric and bool columns cast to float32, `fill` for nulls and
        absent keys.

        `keys`: str, int64 or uint64 keys as `read` takes them (a str key may hold NUL)."""
        return _read_tensor(self, None, table, keys, columns, fill)

    def write_tensor(self, table: str, keys: Any, columns: Sequence[str], values: Any) -> int:
        """The dense write: upserts `values` (a (len(keys), len(columns)) array, cast to
        float32 and made C-contiguous if it is not) into the float32 `columns` of `table`
        for `keys`, leaving its other columns as they are; returns the write's sequence
        number. A column that is not float32 is a `SchemaMismatchError`, nothing written."""
        names = _column_names(columns)
        array = np.ascontiguousarray(values, dtype=np.float32)
        k = _keys.check_dense(_keys.prepare(keys))
        if array.shape != (k.count, len(names)):
            raise InvalidArgumentError(
                f"values has shape {array.shape}; expected ({k.count}, {len(names)}) for "
                f"{k.count} keys x {len(names)} columns"
            )
        name = _enc(table)
        try:
            return _write_dense(self._handle, name, k, names, array)
        except SchemaMismatchError as e:
            return _write_dense(self._handle, name, _retry_keys(self, table, k, e), names, array)

    def scan(self, table: str, columns: Optional[Sequence[str]] = None) -> pa.RecordBatchReader:
        """Every live row of `table` in key order, as a `pyarrow.RecordBatchReader` of
        `columns` (default: all, the key first), as of this call."""
        return _scan(self, None, table, columns)

    def changes(self, table: str, since_seq: int = 0) -> pa.RecordBatchReader:
        """The change feed of `table`: every write and delete with a sequence number above
        `since_seq`, in order, up to the newest write visible now, as a
        `pyarrow.RecordBatchReader`. Columns, by position: `_seq` (uint64), `_op` ("write"
        or "delete"), the key, every other column (null when not written and for deletes),
        `_present` (a fixed-size list of bools: which of those columns the write carried).
        Replay: a write sets, for its key, the columns whose `_present` entry is true; a
        delete removes the key. The schema's metadata `murr.changes.end_seq` is where the
        next feed starts (`changes(table, end)`). A start older than the logs kept (see
        the option `change_retention_bytes` and `changes_oldest_since`) raises
        `ChangesNotRetainedError`; a bulk ingest is not in the log, so reading past its
        marker raises too (resynchronise from a scan)."""
        if not isinstance(since_seq, int) or isinstance(since_seq, bool) or not 0 <= since_seq < 1 << 64:
            raise InvalidArgumentError(f"since_seq is an integer in [0, 2**64), not {since_seq!r}")
        stream = _native.ArrowArrayStream()
        lib = self._handle.lib
        call = Call(lib)
        call.check(
            lib.murr_db_changes(
                self._ptr(), _enc(table), since_seq, ctypes.byref(stream), call.ref
            )
        )
        owner = _ScanOwner(_arrow.import_stream(stream), self._handle)
        return pa.RecordBatchReader.from_batches(owner.inner.schema, _batches(owner))

    def changes_oldest_since(self) -> int:
        """The smallest `since_seq` `changes` accepts now (the logs kept start above it)."""
        out = ctypes.c_uint64(0)
        lib = self._handle.lib
        call = Call(lib)
        call.check(lib.murr_db_changes_oldest_since(self._ptr(), ctypes.byref(out), call.ref))
        return out.value

    def snapshot(self) -> "Snapshot":
        """A consistent read view: reads through it see the database as it is now."""
        out = ctypes.c_void_p()
        lib = self._handle.lib
        call = Call(lib)
        call.check(lib.murr_db_snapshot(self._ptr(), ctypes.byref(out), call.ref))
        return Snapshot(self, SnapshotHandle(out.value, self._handle))


class LocalMurr(Murr):
    """Murr's embedded client under its own name: `LocalMurr(cache_dir)` opens (creating
    it) the libmurr database in `cache_dir`, as Murr's `LocalMurr(cache_dir=...)` does, and
    keeps Murr's methods (`create_table`, `write`, `read`, `list_tables`, `get_schema`) and
    errors (`FileNotFoundError` for an unknown table, `ValueError` for a table that exists
    with another schema). It is a `Murr`: every libmurr method works on it too.

    Where libmurr differs: creating a table again with the same schema does nothing
    (Murr's client raises), `write` returns the write's sequence number, and the data lives
    in `cache_dir` until you remove it. Close it with `close()` or a `with` block; a
    dropped object closes itself once its snapshots and scan readers are gone.
    `server=True` opens it for serving, as `Murr.open` does.
    """

    def __init__(
        self, cache_dir: Optional[Union[str, os.PathLike]] = None, server: bool = False, **options: Any
    ):
        if cache_dir is None:
            cache_dir = tempfile.mkdtemp(prefix="libmurr-")
        handle, path = _open(cache_dir, options, server)
        super().__init__(handle, path)


class TableStats(NamedTuple):
    """What `Murr.table_stats` returns (libmurr's `murr_table_stats_t`)."""

    segments: int
    """Segment files of the table, at level 0 and in the sorted run."""
    level0_segments: int
    """Segments at level 0 (flushed, not yet compacted)."""
    segment_rows: int
    """Rows the segments hold (a key rewritten since its last compaction counts twice)."""
    segment_bytes: int
    """Bytes of the segment files."""
    deleted_rows: int
    """Rows that deletion vectors mark as deleted or superseded."""
    memtable_bytes: int
    """Estimated bytes of the table's memtables."""


class Metrics(NamedTuple):
    """What `Murr.metrics` returns (libmurr's `murr_metrics_t`): counters since the
    database was opened, which only grow, and gauges. Times are nanoseconds."""

    enabled: bool
    """Whether the engine records its counters (when False they stay 0)."""
    reads: int
    """Reads that succeeded (read, read_tensor, snapshot reads)."""
    read_keys: int
    """Keys those reads asked for."""
    read_misses: int
    """Keys those reads did not find."""
    read_bytes: int
    """Bytes those reads returned (Arrow memory of the batches; floats of tensors)."""
    read_latency_p50_ns: int
    """Estimated median read latency, from the histogram."""
    read_latency_p99_ns: int
    """Estimated 99th percentile read latency."""
    read_latency_p999_ns: int
    """Estimated 99.9th percentile read latency."""
    read_latency_sum_ns: int
    """Sum of all read latencies (with `reads`, the mean)."""
    writes: int
    """Writes that succeeded (batches)."""
    write_rows: int
    """Rows those writes carried."""
    deletes: int
    """Deletes that succeeded (calls)."""
    delete_keys: int
    """Keys those deletes carried."""
    log_syncs: int
    """Fsyncs of the write-ahead log."""
    log_bytes: int
    """Bytes of records appended to the write-ahead log."""
    flushes: int
    """Flushes of memtables to segments."""
    flush_rows: int
    """Rows those flushes wrote."""
    flush_bytes: int
    """Bytes of segment files those flushes wrote."""
    flush_ns: int
    """Time spent flushing."""
    compactions: int
    """Compactions installed."""
    compaction_bytes_read: int
    """Bytes of segment files compactions read."""
    compaction_bytes_written: int
    """Bytes of segment files compactions wrote."""
    compaction_ns: int
    """Time spent compacting."""
    write_stalls: int
    """Writes held back by back-pressure."""
    write_stall_ns: int
    """Time those writes were held back."""
    memtable_bytes: int
    """Gauge: estimated bytes in memtables."""
    memtable_rows: int
    """Gauge: memtable entries (one per key and write)."""
    segments: int
    """Gauge: segment files."""
    level0_segments: int
    """Gauge: level-0 segments."""
    segment_bytes: int
    """Gauge: bytes of segment files."""
    segment_rows: int
    """Gauge: rows of segments (overwritten rows included)."""
    read_latency_buckets: tuple
    """The read latency histogram: bucket i counts reads of more than 2**(i-1) and at most
    2**i ns (the last: everything above); not cumulative."""


class Snapshot:
    """A consistent read view of a `Murr` database: `read`, `read_tensor` and `scan` as of
    the moment it was taken. Close it (or use it as a context manager) to unpin the files
    it reads; reads after `close()` raise `ClosedError`."""

    def __init__(self, db: Murr, handle: SnapshotHandle):
        self._db = db
        self._handle = handle

    @property
    def seq(self) -> int:
        """The sequence number of the newest write the snapshot sees."""
        ptr = self._handle.enter()
        try:
            return self._db._handle.lib.murr_snapshot_seq(ptr)
        finally:
            self._handle.exit()

    def read(self, table: str, keys: Any, columns: Optional[Sequence[str]] = None) -> pa.RecordBatch:
        """`Murr.read` as of the snapshot."""
        return _read(self._db, self._handle, table, keys, columns)

    def read_tensor(
        self, table: str, keys: Any, columns: Sequence[str], fill: float = float("nan")
    ) -> np.ndarray:
        """`Murr.read_tensor` as of the snapshot."""
        return _read_tensor(self._db, self._handle, table, keys, columns, fill)

    def scan(self, table: str, columns: Optional[Sequence[str]] = None) -> pa.RecordBatchReader:
        """`Murr.scan` as of the snapshot (the reader may outlive the snapshot)."""
        return _scan(self._db, self._handle, table, columns)

    def export_parquet(self, table: str, dir: Union[str, os.PathLike]) -> int:
        """`Murr.export_parquet` as of the snapshot; returns the rows written."""
        return _export_parquet(self._db, self._handle, table, dir)

    def close(self) -> None:
        """Frees the snapshot (waits for reads running on it); idempotent."""
        self._handle.close()

    def __enter__(self) -> "Snapshot":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _path_str(path: Any) -> str:
    try:
        path = os.fspath(path)
    except TypeError:
        raise InvalidArgumentError(f"a path must be str or os.PathLike, not {type(path).__name__}") from None
    return os.fsdecode(path) if isinstance(path, bytes) else path


def _check_export(call: Call, status: int) -> None:
    """`call.check(status)` of an export, whose unsupported error on the small library says
    how to get the library that has it."""
    try:
        call.check(status)
    except UnsupportedError as e:
        raise UnsupportedError(
            f"{e}; in this package the exports are in libmurr_server.so, beside the server "
            "(libmurr.so, the C library, leaves the Parquet and Iceberg writers out to stay "
            "small): open the database with Murr.open(path, server=True)"
        ) from None


def _export_parquet(db: Murr, snap: Optional[SnapshotHandle], table: str, dir: Any) -> int:
    rows = ctypes.c_uint64()
    lib = db._handle.lib
    call = Call(lib)
    name, path = _enc(table), _enc(_path_str(dir))
    snap_ptr = snap.enter() if snap is not None else None
    try:
        status = lib.murr_db_export_parquet(db._ptr(), snap_ptr, name, path, ctypes.byref(rows), call.ref)
    finally:
        if snap is not None:
            snap.exit()
    _check_export(call, status)
    return rows.value


def _delete(handle: DbHandle, name: bytes, k) -> int:
    seq = ctypes.c_uint64(0)
    lib = handle.lib
    call = Call(lib)
    with _keys.descriptor(k) as desc:
        status = lib.murr_db_delete_keys(handle.ptr, name, ctypes.byref(desc), ctypes.byref(seq), call.ref)
    call.check(status)
    return seq.value


def _retry_keys(db: Murr, table: str, k, error: SchemaMismatchError):
    """After libmurr refused `k` for `table` (MURR_SCHEMA_MISMATCH): the keys to retry
    with when the table is keyed by uint64 and `k` are non-negative ints (libmurr takes
    uint64 keys only as such) or when there are none; otherwise raises, naming the table's key type and what the
    caller passed when the key types differ, else `error` itself (another mismatch)."""
    try:
        schema = db.table_schema(table)
        key = (schema.metadata or {})[b"murr.key"].decode()
        key_type = schema.field(key).type
    except (MurrError, KeyError):
        raise error from None
    if k.count == 0:  # no keys: of the table's type, whatever the caller's list held
        return _keys.empty(key_type)
    if _keys.fits(k, key_type):
        raise error
    if key_type == pa.uint64():
        unsigned = _keys.as_unsigned(k)
        if unsigned is not None:
            return unsigned
    raise SchemaMismatchError(
        f"table {table!r} has {_type_name(key_type)} keys (key column {key!r}); got {k.desc} keys",
        error.status,
    ) from None


def _type_name(data_type: pa.DataType) -> str:
    return "utf8" if data_type == pa.utf8() else str(data_type)


def _file_reader(path: str, target: pa.Schema) -> Optional[pa.RecordBatchReader]:
    """A reader of the table's columns of the file at `path` when pyarrow must read it:
    Parquet (libmurr's C library reads none: it would double its size), or Arrow IPC whose
    columns need a cast (libmurr casts nothing). None when libmurr should read the file
    itself (IPC of the table's types, a missing file, another format)."""
    try:
        with open(path, "rb") as f:
            magic = f.read(8)
    except OSError:
        return None
    try:
        if magic.startswith(b"PAR1"):
            import pyarrow.dataset as ds

            dataset = ds.dataset(path, format="parquet")
            names = [n for n in dataset.schema.names if target.get_field_index(n) >= 0]
            return dataset.scanner(columns=names, batch_size=65536).to_reader()
        if magic.startswith(b"ARROW1"):
            reader = pa.ipc.open_file(path)
            schema, batches = reader.schema, (reader.get_batch(i) for i in range(reader.num_record_batches))
        elif magic.startswith(b"\xff\xff\xff\xff"):
            reader = pa.ipc.open_stream(path)
            schema, batches = reader.schema, reader
        else:
            return None
    except (pa.ArrowInvalid, OSError) as e:
        raise CorruptError(f"{path}: not a readable Parquet or Arrow IPC file: {e}") from None
    if _arrow.conform(schema, target) is None:
        return None
    return pa.RecordBatchReader.from_batches(schema, batches)


def _cast(data, schema: pa.Schema):
    try:
        if isinstance(data, pa.RecordBatchReader):
            return pa.RecordBatchReader.from_batches(
                schema, (pa.Table.from_batches([b]).cast(schema).combine_chunks().to_batches()[0] for b in data)
            )
        if isinstance(data, pa.RecordBatch):
            return pa.Table.from_batches([data]).cast(schema).combine_chunks().to_batches()[0]
        return data.cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as e:
        raise InvalidArgumentError(f"cannot convert the data to the table's types: {e}") from None


def _all_columns(db: Murr, table: str) -> List[str]:
    return db.table_schema(table).names


def _read(db: Murr, snap: Optional[SnapshotHandle], table: str, keys: Any, columns) -> pa.RecordBatch:
    if columns is None:
        columns = _all_columns(db, table)
    names = _column_names(columns)
    k = _keys.prepare(keys)
    name = _enc(table)
    try:
        return _read_batch(db, snap, name, k, names)
    except SchemaMismatchError as e:
        return _read_batch(db, snap, name, _retry_keys(db, table, k, e), names)


def _read_batch(db: Murr, snap: Optional[SnapshotHandle], name: bytes, k, names) -> pa.RecordBatch:
    out_array = _native.ArrowArray()
    out_schema = _native.ArrowSchema()
    lib = db._handle.lib
    call = Call(lib)
    snap_ptr = snap.enter() if snap is not None else None
    try:
        status = _read_into(db._handle, snap_ptr, name, k, names, out_array, out_schema, call)
    finally:
        if snap is not None:
            snap.exit()
    call.check(status)
    return _arrow.import_batch(out_array, out_schema)


def _read_into(handle: DbHandle, snap_ptr, name: bytes, k, names, out_array, out_schema, call: Call) -> int:
    with _keys.descriptor(k) as desc:
        return handle.lib.murr_db_read_keys(
            handle.ptr, snap_ptr, name, ctypes.byref(desc), names, len(names),
            ctypes.byref(out_array), ctypes.byref(out_schema), None, call.ref,
        )


def _read_tensor(db: Murr, snap, table: str, keys: Any, columns, fill: float) -> np.ndarray:
    names = _column_names(columns)
    k = _keys.check_dense(_keys.prepare(keys))
    name = _enc(table)
    try:
        return _dense(db, snap, name, k, names, fill)
    except SchemaMismatchError as e:
        return _dense(db, snap, name, _retry_keys(db, table, k, e), names, fill)


def _write_dense(handle: DbHandle, name: bytes, k, names, values: np.ndarray) -> int:
    """`murr_db_write_f32` of the row-major float32 `values`."""
    seq = ctypes.c_uint64(0)
    lib = handle.lib
    call = Call(lib)
    with _keys.descriptor(k) as desc:
        status = lib.murr_db_write_f32(
            handle.ptr, name, ctypes.byref(desc), names, len(names),
            values.ctypes.data if values.size else None, ctypes.byref(seq), call.ref,
        )
    call.check(status)
    return seq.value


def _dense(db: Murr, snap, name: bytes, k, names, fill: float) -> np.ndarray:
    """`murr_db_read_f32` into a new (keys x columns) float32 array."""
    out = np.empty((k.count, len(names)), dtype=np.float32)
    lib = db._handle.lib
    call = Call(lib)
    snap_ptr = snap.enter() if snap is not None else None
    try:
        with _keys.descriptor(k) as desc:
            status = lib.murr_db_read_f32(
                db._handle.ptr, snap_ptr, name, ctypes.byref(desc), names, len(names),
                float(fill), out.ctypes.data, None, call.ref,
            )
    finally:
        if snap is not None:
            snap.exit()
    call.check(status)
    return out


def _scan(db: Murr, snap, table: str, columns) -> pa.RecordBatchReader:
    names = _column_names(columns) if columns is not None else None
    stream = _native.ArrowArrayStream()
    lib = db._handle.lib
    call = Call(lib)
    snap_ptr = snap.enter() if snap is not None else None
    try:
        status = lib.murr_db_scan(
            db._handle.ptr, snap_ptr, _enc(table), names, len(names) if names is not None else 0,
            ctypes.byref(stream), call.ref,
        )
    finally:
        if snap is not None:
            snap.exit()
    call.check(status)
    owner = _ScanOwner(_arrow.import_stream(stream), db._handle)
    return pa.RecordBatchReader.from_batches(owner.inner.schema, _batches(owner))


class _ScanOwner:
    """Holds a scan's imported stream and the database handle; the stream must be
    released before the handle is freed, so on collection it closes the stream first,
    whether or not the reader was read."""

    __slots__ = ("inner", "handle")

    def __init__(self, inner: pa.RecordBatchReader, handle: DbHandle):
        self.inner = inner
        self.handle = handle

    def __del__(self):
        self.inner.close()
        self.inner = None
        self.handle = None


def _batches(owner: _ScanOwner):
    yield from owner.inner
