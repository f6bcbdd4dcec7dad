"""`Murr.start_local(http_port=...)` / `Murr.serve`: libmurr's HTTP and Flight server in
this process, reached through the sync and asyncio clients and pyarrow.flight. The server
is in libmurr_server.so only: a database serves when opened through it (`server=True`);
test_two_libraries.py has the rest of the two libraries' story."""

import asyncio
import json
import socket
import urllib.request

import numpy as np
import pyarrow as pa
import pytest

import libmurr
from libmurr import ColumnSchema, DType, Murr, TableSchema
from libmurr.remote import RemoteAuthError


def schema() -> TableSchema:
    return TableSchema(
        key="id",
        columns={"id": ColumnSchema(DType.UTF8, nullable=False), "score": ColumnSchema(DType.FLOAT32)},
    )


def refused(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_start_local_serves_the_embedded_database(tmp_path):
    db = Murr.start_local(tmp_path / "db", http_port=0, flight_port=0, sync="never")
    try:
        server = db.server
        assert server.http_port > 0 and server.flight_port > 0
        assert server.url == f"http://127.0.0.1:{server.http_port}"
        with urllib.request.urlopen(server.url + "/health", timeout=10) as r:
            assert r.status == 200
        remote = Murr.connect(server.url)
        remote.create_table("t", schema())
        # Written over HTTP, read in process; written in process, read over HTTP.
        remote.write("t", pa.RecordBatch.from_pydict({"id": ["a", "b"], "score": [1.0, 2.0]}))
        assert db.read("t", ["b", "a"], ["score"]).column(0).to_pylist() == [2.0, 1.0]
        db.write("t", pa.RecordBatch.from_pydict({"id": ["c"], "score": pa.array([3.0], pa.float32())}))
        assert remote.read("t", ["c", "zz"], ["score"]).column(0).to_pylist() == [3.0, None]
        assert remote.read_tensor("t", ["a", "c"], ["score"]).tolist() == [[1.0], [3.0]]

        flight = pytest.importorskip("pyarrow.flight")
        client = flight.connect(server.flight_url)
        ticket = flight.Ticket(json.dumps({"table": "t", "keys": ["c", "a"], "columns": ["score"]}))
        assert client.do_get(ticket).read_all().column("score").to_pylist() == [3.0, 1.0]
        client.close()
    finally:
        port = db.server.http_port
        db.close()
    assert refused(port), "the server still listens after close()"
    assert not db.server.running


def test_serve_stops_and_the_database_stays_open(tmp_path):
    with Murr.open(tmp_path / "db", server=True, sync="never") as db:
        db.create_table("t", schema())
        with db.serve(token="s3cret") as server:
            with pytest.raises(RemoteAuthError):
                Murr.connect(server.url).tables()
            assert server.connect().tables() == ["t"]
            with pytest.raises(libmurr.InvalidArgumentError, match="served already"):
                db.serve()
        assert refused(server.http_port)
        server.stop()  # idempotent
        assert db.tables() == ["t"]
        again = db.serve()  # a stopped server may be replaced
        assert again.connect().tables() == ["t"]


def test_bad_server_options(tmp_path):
    with Murr.open(tmp_path / "db", server=True, sync="never") as db:
        with pytest.raises(libmurr.InvalidArgumentError, match="port"):
            db.serve(http_port=70000)
        with pytest.raises(libmurr.InvalidArgumentError, match="IP address"):
            db.serve(host="localhost:1")
        first = db.serve()
        with Murr.open(tmp_path / "db2", server=True, sync="never") as other:
            with pytest.raises(libmurr.MurrIOError):
                other.serve(http_port=first.http_port)
    assert refused(first.http_port)


def test_asyncio_client(tmp_path):
    async def main(url):
        client = await Murr.connect_async(url)
        await client.create_table("t", schema())
        with pytest.raises(ValueError):
            await client.create_table(
                "t", TableSchema(key="id", columns={"id": ColumnSchema(DType.UTF8, nullable=False)})
            )
        with pytest.raises(FileNotFoundError):
            await client.get_schema("nope")
        # Eight concurrent writers, then concurrent reads of what each wrote.
        keys = [[f"k{w}_{i}" for i in range(50)] for w in range(8)]
        seqs = await asyncio.gather(
            *(
                client.write("t", pa.RecordBatch.from_pydict({"id": ks, "score": [float(w)] * len(ks)}))
                for w, ks in enumerate(keys)
            )
        )
        assert len(set(seqs)) == 8
        got = await asyncio.gather(*(client.read("t", ks, ["score"]) for ks in keys))
        for w, batch in enumerate(got):
            assert batch.column(0).to_pylist() == [float(w)] * 50
        t = await client.read_tensor("t", keys[3][:2] + ["zz"], ["score"])
        assert t[:2].tolist() == [[3.0], [3.0]] and np.isnan(t[2][0])
        async with await client.snapshot() as snap:
            await client.delete("t", keys[0])
            assert (await snap.read("t", keys[0][:1], ["score"])).column(0).to_pylist() == [0.0]
        assert (await client.read("t", keys[0][:1], ["score"])).column(0).to_pylist() == [None]
        assert sorted(await client.tables()) == ["t"]

    db = Murr.start_local(tmp_path / "db", http_port=0, sync="never")
    try:
        asyncio.run(main(db.server.url))
    finally:
        db.close()
