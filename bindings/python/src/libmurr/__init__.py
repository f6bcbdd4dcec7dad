"""libmurr, the embedded columnar feature store, from Python.

    from libmurr import Murr, LocalMurr, TableSchema, ColumnSchema, DType

Results are `pyarrow.RecordBatch`es imported through the Arrow C Data Interface without a
copy; `read_tensor` fills a numpy float32 array in place. libmurr.so ships inside the
package and is called with ctypes (the GIL is released during each call).
`libmurr.remote.connect(url)` (or `Murr.connect(url)`) talks to a `murr serve` server instead,
`await libmurr.aio.connect(url)` from asyncio code; `Murr.start_local(http_port=...)` serves
an embedded database from this process (through libmurr_server.so, the build of libmurr
with its server, which `Murr.open(path, server=True)` opens through too; libmurr.so leaves
the server out to stay small).
"""

from ._native import LIBRARY_PATH, SERVER_LIBRARY_PATH, version
from ._server import LocalServer
from .db import LocalMurr, Metrics, Murr, Snapshot, TableStats
from .errors import (
    ArrowError,
    BackgroundError,
    ChangesNotRetainedError,
    ClosedError,
    CorruptError,
    InternalError,
    InvalidArgumentError,
    LimitExceededError,
    LockedError,
    MurrError,
    MurrIOError,
    SchemaMismatchError,
    TableExistsError,
    UnknownColumnError,
    UnknownTableError,
    UnsupportedError,
    WritesStoppedError,
)
from .schema import ColumnSchema, DType, TableSchema
from . import aio, remote
from .aio import AsyncRemoteMurr
from .remote import RemoteMurr

# `Murr.connect(url, token=None)`: a client of a libmurr server (`murr serve`), as Murr has.
Murr.connect = staticmethod(remote.connect)
# `await Murr.connect_async(url, token=None)`: the asyncio client (libmurr.aio).
Murr.connect_async = staticmethod(aio.connect)

__version__ = "0.2.0"

__all__ = [
    "ArrowError",
    "AsyncRemoteMurr",
    "BackgroundError",
    "ChangesNotRetainedError",
    "ClosedError",
    "ColumnSchema",
    "CorruptError",
    "DType",
    "InternalError",
    "InvalidArgumentError",
    "LIBRARY_PATH",
    "LimitExceededError",
    "LocalMurr",
    "LocalServer",
    "LockedError",
    "Metrics",
    "Murr",
    "MurrError",
    "RemoteMurr",
    "MurrIOError",
    "SERVER_LIBRARY_PATH",
    "SchemaMismatchError",
    "Snapshot",
    "TableExistsError",
    "TableSchema",
    "TableStats",
    "UnknownColumnError",
    "UnknownTableError",
    "UnsupportedError",
    "WritesStoppedError",
    "version",
]
