"""The asyncio client of a libmurr server: `await libmurr.aio.connect(url)` (or
`await Murr.connect_async(url)`) gives an `AsyncRemoteMurr` whose methods are those of
`libmurr.remote.RemoteMurr` (and of the embedded `Murr`) as coroutines.

Each call runs the blocking client on the event loop's default thread pool
(`asyncio.to_thread`), so the loop never waits on the network and calls from many tasks
overlap; errors are the same exceptions (`FileNotFoundError` for 404, `ValueError` for
409, ...). No dependency beyond the standard library.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import pyarrow as pa

from .remote import RemoteMurr, RemoteSnapshot
from .schema import TableSchema


class AsyncRemoteMurr:
    """A connection to a libmurr server for asyncio code. Safe to share between tasks."""

    def __init__(self, url: str, token: Optional[str] = None, timeout: float = 60.0):
        self.sync = RemoteMurr(url, token, timeout)
        """The blocking client underneath."""

    @property
    def url(self) -> str:
        return self.sync.url

    async def health(self) -> bool:
        """Whether the server answers /health."""
        return await asyncio.to_thread(self.sync.health)

    async def close(self) -> None:
        """Nothing to release (every request has its own connection); for symmetry."""

    async def __aenter__(self) -> "AsyncRemoteMurr":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def create_table(
        self, name: str, schema: Union[TableSchema, pa.Schema], key: Optional[str] = None
    ) -> None:
        """`RemoteMurr.create_table`."""
        await asyncio.to_thread(self.sync.create_table, name, schema, key)

    async def list_tables(self) -> Dict[str, TableSchema]:
        """`RemoteMurr.list_tables`."""
        return await asyncio.to_thread(self.sync.list_tables)

    async def tables(self) -> List[str]:
        """`RemoteMurr.tables`."""
        return await asyncio.to_thread(self.sync.tables)

    async def get_schema(self, name: str) -> TableSchema:
        """`RemoteMurr.get_schema`."""
        return await asyncio.to_thread(self.sync.get_schema, name)

    async def table_schema(self, name: str) -> pa.Schema:
        """`RemoteMurr.table_schema`."""
        return await asyncio.to_thread(self.sync.table_schema, name)

    async def write(self, table: str, data: Any) -> int:
        """`RemoteMurr.write`: the write's sequence number."""
        return await asyncio.to_thread(self.sync.write, table, data)

    async def delete(self, table: str, keys: Any) -> int:
        """`RemoteMurr.delete`: the delete's sequence number."""
        return await asyncio.to_thread(self.sync.delete, table, keys)

    async def read(self, table: str, keys: Any, columns: Optional[Sequence[str]] = None) -> pa.RecordBatch:
        """`RemoteMurr.read`."""
        return await asyncio.to_thread(self.sync.read, table, keys, columns)

    async def read_tensor(
        self, table: str, keys: Any, columns: Sequence[str], fill: float = float("nan")
    ) -> np.ndarray:
        """`RemoteMurr.read_tensor`."""
        return await asyncio.to_thread(self.sync.read_tensor, table, keys, columns, fill)

    async def snapshot(self) -> "AsyncRemoteSnapshot":
        """`RemoteMurr.snapshot`, released with `await snap.close()` or `async with`."""
        return AsyncRemoteSnapshot(await asyncio.to_thread(self.sync.snapshot))


class AsyncRemoteSnapshot:
    """A snapshot held by the server, for asyncio code."""

    def __init__(self, snapshot: RemoteSnapshot):
        self.sync = snapshot

    @property
    def seq(self) -> int:
        return self.sync.seq

    async def read(self, table: str, keys: Any, columns: Optional[Sequence[str]] = None) -> pa.RecordBatch:
        """`RemoteSnapshot.read`."""
        return await asyncio.to_thread(self.sync.read, table, keys, columns)

    async def read_tensor(
        self, table: str, keys: Any, columns: Sequence[str], fill: float = float("nan")
    ) -> np.ndarray:
        """`RemoteSnapshot.read_tensor`."""
        return await asyncio.to_thread(self.sync.read_tensor, table, keys, columns, fill)

    async def close(self) -> None:
        """Releases the snapshot on the server (a second close does nothing)."""
        await asyncio.to_thread(self.sync.close)

    async def __aenter__(self) -> "AsyncRemoteSnapshot":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()


async def connect(url: str, token: Optional[str] = None, timeout: float = 60.0) -> AsyncRemoteMurr:
    """An asyncio client of the libmurr server at `url`; checks it answers /health."""
    client = AsyncRemoteMurr(url, token, timeout)
    await client.health()
    return client
