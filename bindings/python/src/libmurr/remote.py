"""A libmurr server (`murr serve`, docs/SERVER.md) from Python, with the embedded API's
methods: `read` answers a `pyarrow.RecordBatch`, `read_tensor` a numpy float32 array.

    import libmurr.remote
    db = libmurr.remote.connect("http://127.0.0.1:8080", token=None)
    db.create_table("users", TableSchema(key="id", columns={...}))
    db.write("users", batch)            # -> the write's sequence number
    db.read("users", ["a", "b"])        # -> pyarrow.RecordBatch

Only the standard library's urllib and pyarrow (plus numpy, which pyarrow needs) are used.
Errors raise the embedded API's exceptions, so code catches the same ones: an unknown table
is `UnknownTableError` (a `FileNotFoundError`), a table that exists with another schema
`TableExistsError` (a `ValueError`), any other bad request `InvalidArgumentError` (a
`ValueError`), a body beyond the server's limit `LimitExceededError`; a refused token is
`RemoteAuthError` (a `PermissionError`), an unreachable server `RemoteConnectionError` (a
`ConnectionError`).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import pyarrow as pa

from . import _arrow
from .errors import (
    InternalError,
    InvalidArgumentError,
    LimitExceededError,
    MurrError,
    MurrIOError,
    TableExistsError,
    UnknownTableError,
)
from .schema import ColumnSchema, DType, TableSchema

__all__ = ["RemoteAuthError", "RemoteConnectionError", "RemoteMurr", "RemoteSnapshot", "connect"]

_ARROW_STREAM = "application/vnd.apache.arrow.stream"


class RemoteAuthError(MurrError, PermissionError):
    """The server refused the bearer token (HTTP 401). Its `status` is MURR_UNKNOWN: the
    C ABI has no code for it."""

    status = 16


class RemoteConnectionError(MurrIOError, ConnectionError):
    """The server could not be reached, or answered something that is not libmurr's
    (MURR_IO, an `OSError`)."""


def _error(status: int, message: str) -> MurrError:
    """The exception for an HTTP error status; its `http_status` attribute is `status`."""
    if status == 404:
        err: MurrError = UnknownTableError(message)
    elif status == 409:
        err = TableExistsError(message)
    elif status == 401:
        err = RemoteAuthError(message)
    elif status == 413:
        err = LimitExceededError(message)
    elif 400 <= status < 500:
        err = InvalidArgumentError(message)
    else:
        err = InternalError(f"HTTP {status}: {message}")
    err.http_status = status
    return err


def _column_json(col: ColumnSchema) -> Dict[str, Any]:
    out: Dict[str, Any] = {"dtype": col.dtype.value, "nullable": col.nullable}
    if col.dtype == DType.EMBEDDING:
        out["dim"] = col.dim
        out["element"] = col.element.value
    elif col.dtype == DType.TIMESTAMP:
        out["unit"] = col.unit
        out["tz"] = col.tz
    return out


def _schema_json(schema: TableSchema) -> Dict[str, Any]:
    return {"key": schema.key, "columns": {n: _column_json(c) for n, c in schema.columns.items()}}


def _schema_from_json(doc: Dict[str, Any]) -> TableSchema:
    columns = {}
    for name, c in doc["columns"].items():
        kwargs: Dict[str, Any] = {"nullable": c.get("nullable", True)}
        for k in ("dim", "element", "unit", "tz"):
            if c.get(k) is not None:
                kwargs[k] = c[k]
        columns[name] = ColumnSchema(c["dtype"], **kwargs)
    return TableSchema(key=doc["key"], columns=columns)


def _key_list(keys: Any) -> List[Any]:
    """Keys as a JSON-ready list of str or int."""
    if isinstance(keys, (str, bytes, int)):
        raise InvalidArgumentError("keys must be a sequence of keys, not a single key")
    if isinstance(keys, (pa.Array, pa.ChunkedArray)):
        return keys.to_pylist()
    if isinstance(keys, np.ndarray):
        return keys.tolist()
    if hasattr(keys, "to_list"):  # pandas or polars Series
        return list(keys.to_list())
    out = list(keys)
    return [k.item() if isinstance(k, np.generic) else k for k in out]


class RemoteMurr:
    """A connection to a libmurr server: the methods of `libmurr.Murr` over HTTP. Each call
    is one request (urllib opens a connection per request). Thread-safe."""

    def __init__(self, url: str, token: Optional[str] = None, timeout: float = 60.0):
        self.url = url.rstrip("/")
        self._token = token
        self.timeout = timeout

    # ---- plumbing --------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        body: Optional[bytes] = None,
        content_type: Optional[str] = None,
        accept: Optional[str] = None,
    ):
        req = urllib.request.Request(self.url + path, data=body, method=method)
        if content_type:
            req.add_header("Content-Type", content_type)
        if accept:
            req.add_header("Accept", accept)
        if self._token:
            req.add_header("Authorization", f"Bearer {self._token}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.read(), resp.headers
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                message = json.loads(raw)["error"]
            except (ValueError, KeyError, TypeError):
                message = raw.decode("utf-8", "replace") or e.reason
            raise _error(e.code, str(message)) from None
        except urllib.error.URLError as e:
            raise RemoteConnectionError(f"{self.url}: {e.reason}") from None

    def _json(self, method: str, path: str, doc: Any = None, accept: Optional[str] = None):
        body = None if doc is None else json.dumps(doc).encode()
        raw, headers = self._request(method, path, body, "application/json" if body else None, accept)
        return raw, headers

    @staticmethod
    def _table(name: str) -> str:
        return "/api/v1/table/" + urllib.parse.quote(name, safe="")

    # ---- lifecycle -------------------------------------------------------------------

    def health(self) -> bool:
        """Whether the server answers /health."""
        self._request("GET", "/health")
        return True

    def close(self) -> None:
        """Nothing to release (every request has its own connection); for symmetry."""

    def __enter__(self) -> "RemoteMurr":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- tables ----------------------------------------------------------------------

    def create_table(self, name: str, schema: Union[TableSchema, pa.Schema], key: Optional[str] = None) -> None:
        """Creates table `name` (a `TableSchema`, or a `pyarrow.Schema` with `key` or
        "murr.key" metadata). The same schema again does nothing; another raises
        `TableExistsError`."""
        if isinstance(schema, pa.Schema):
            schema = TableSchema.from_arrow(schema, key)
        elif not isinstance(schema, TableSchema):
            raise InvalidArgumentError("schema must be a libmurr.TableSchema or a pyarrow.Schema")
        self._json("PUT", self._table(name), _schema_json(schema))

    def list_tables(self) -> Dict[str, TableSchema]:
        """Every table's schema by name."""
        raw, _ = self._request("GET", "/api/v1/table")
        return {n: _schema_from_json(d) for n, d in json.loads(raw).items()}

    def tables(self) -> List[str]:
        """The table names, in creation order."""
        return list(self.list_tables())

    def get_schema(self, name: str) -> TableSchema:
        """The `TableSchema` of table `name`."""
        raw, _ = self._request("GET", self._table(name) + "/schema")
        return _schema_from_json(json.loads(raw))

    def table_schema(self, name: str) -> pa.Schema:
        """The Arrow schema of table `name` ("murr.key" metadata names its key column)."""
        return self.get_schema(name).to_arrow()

    # ---- writes ----------------------------------------------------------------------

    def write(self, table: str, data: Any) -> int:
        """Upserts `data` (a pyarrow Table, RecordBatch or RecordBatchReader, a pandas or
        polars DataFrame, anything with `__arrow_c_stream__`) into `table`; the server
        casts columns to the table's types and applies the whole body at once. Returns the
        write's sequence number."""
        data = _arrow.to_arrow(data)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, data.schema) as writer:
            if isinstance(data, pa.RecordBatch):
                writer.write_batch(data)
            elif isinstance(data, pa.Table):
                writer.write_table(data)
            else:
                for batch in data:
                    writer.write_batch(batch)
        raw, _ = self._request("PUT", self._table(table) + "/write", sink.getvalue().to_pybytes(), _ARROW_STREAM)
        return int(json.loads(raw)["seq"])

    def delete(self, table: str, keys: Any) -> int:
        """Deletes `keys` from `table` (absent keys are fine); returns the sequence number."""
        raw, _ = self._json("POST", self._table(table) + "/delete", {"keys": _key_list(keys)})
        return int(json.loads(raw)["seq"])

    # ---- reads -----------------------------------------------------------------------

    def read(self, table: str, keys: Any, columns: Optional[Sequence[str]] = None) -> pa.RecordBatch:
        """`columns` (default: every column, the key first) of `table` for `keys`, one row
        per key in their order, null rows for absent keys, as a `pyarrow.RecordBatch`."""
        return self._read(table, keys, columns, None)

    def _read(self, table: str, keys: Any, columns: Optional[Sequence[str]], snapshot: Optional[int]) -> pa.RecordBatch:
        doc: Dict[str, Any] = {"keys": _key_list(keys)}
        if snapshot is not None:
            doc["snapshot"] = snapshot
        if columns is not None:
            doc["columns"] = list(columns)
        raw, _ = self._json("POST", self._table(table) + "/fetch", doc, accept=_ARROW_STREAM)
        reader = pa.ipc.open_stream(raw)
        batches = list(reader)
        if len(batches) == 1:
            return batches[0]
        return pa.Table.from_batches(batches, reader.schema).combine_chunks().to_batches()[0]

    def read_tensor(
        self, table: str, keys: Any, columns: Sequence[str], fill: float = float("nan")
    ) -> np.ndarray:
        """The dense read: a (len(keys), len(columns)) float32 numpy array, numeric and
        bool columns cast to float32, `fill` for nulls and absent keys."""
        return self._read_tensor(table, keys, columns, fill, None)

    def _read_tensor(self, table: str, keys: Any, columns: Sequence[str], fill: float, snapshot: Optional[int]) -> np.ndarray:
        k = _key_list(keys)
        doc: Dict[str, Any] = {"keys": k, "columns": list(columns), "fill": None if fill != fill else fill}
        if snapshot is not None:
            doc["snapshot"] = snapshot
        raw, headers = self._json("POST", self._table(table) + "/fetch_f32", doc)
        rows, cols = len(k), len(columns)
        n = rows * cols
        if len(raw) != n * 4 + rows:
            raise RemoteConnectionError(f"fetch_f32 answered {len(raw)} bytes for {rows}x{cols} values")
        return np.frombuffer(raw, dtype="<f4", count=n).reshape(rows, cols).astype(np.float32, copy=True)

    def snapshot(self) -> "RemoteSnapshot":
        """A consistent read view held by the server until `close()` (at most 64 at once
        per server)."""
        raw, _ = self._request("POST", "/api/v1/snapshot")
        return RemoteSnapshot(self, int(json.loads(raw)["seq"]))


class RemoteSnapshot:
    """A snapshot held by the server: `read` and `read_tensor` see the database as it was
    when it was taken. Release it with `close()` or a `with` block."""

    def __init__(self, db: RemoteMurr, seq: int):
        self._db = db
        self._seq: Optional[int] = seq

    @property
    def seq(self) -> int:
        """The snapshot's sequence number."""
        if self._seq is None:
            raise InvalidArgumentError("the snapshot is released")
        return self._seq

    def read(self, table: str, keys: Any, columns: Optional[Sequence[str]] = None) -> pa.RecordBatch:
        """`RemoteMurr.read` as of the snapshot."""
        return self._db._read(table, keys, columns, self.seq)

    def read_tensor(
        self, table: str, keys: Any, columns: Sequence[str], fill: float = float("nan")
    ) -> np.ndarray:
        """`RemoteMurr.read_tensor` as of the snapshot."""
        return self._db._read_tensor(table, keys, columns, fill, self.seq)

    def close(self) -> None:
        """Releases the snapshot on the server (a second close does nothing)."""
        if self._seq is not None:
            seq, self._seq = self._seq, None
            self._db._request("DELETE", f"/api/v1/snapshot/{seq}")

    def __enter__(self) -> "RemoteSnapshot":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def connect(url: str, token: Optional[str] = None, timeout: float = 60.0) -> RemoteMurr:
    """A client of the libmurr server at `url` ("http://host:port"), sending `token` as a
    bearer token if given. Checks the server answers /health."""
    client = RemoteMurr(url, token, timeout)
    client.health()
    return client
