"""The package's two builds of libmurr: libmurr.so (no server: what a database opens
through by default) and libmurr_server.so (the same C ABI with the in-process server,
loaded by `server=True` or `start_local` with a port). A database belongs to the library
that opened it: its calls, snapshots, frees and server all go through that one."""

import os
import subprocess
import sys
import threading

import numpy as np
import pyarrow as pa
import pytest

import libmurr
from libmurr import ColumnSchema, DType, LocalMurr, Murr, TableSchema


def schema() -> TableSchema:
    return TableSchema(
        key="id",
        columns={"id": ColumnSchema(DType.UTF8, nullable=False), "score": ColumnSchema(DType.FLOAT32)},
    )


def batch(keys, value: float) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict(
        {"id": keys, "score": pa.array([value] * len(keys), pa.float32())}
    )


def test_the_package_ships_both_libraries():
    if not os.environ.get("MURR_LIBRARY"):
        assert libmurr.LIBRARY_PATH.name == "libmurr.so"
    if not os.environ.get("MURR_SERVER_LIBRARY"):
        assert libmurr.SERVER_LIBRARY_PATH.name == "libmurr_server.so"
        if not os.environ.get("MURR_LIBRARY"):  # side by side in the package
            assert libmurr.SERVER_LIBRARY_PATH.parent == libmurr.LIBRARY_PATH.parent
    assert libmurr.LIBRARY_PATH.is_file() and libmurr.SERVER_LIBRARY_PATH.is_file()


def test_a_plain_database_cannot_serve(tmp_path):
    with Murr.open(tmp_path / "db", sync="never") as db:
        assert db.library_path == libmurr.LIBRARY_PATH
        db.create_table("t", schema())
        with pytest.raises(libmurr.UnsupportedError) as e:
            db.serve(http_port=0)
        message = str(e.value)
        assert e.value.code == "MURR_UNSUPPORTED"
        assert "libmurr.so" in message and "to stay small" in message, message
        assert "Murr.open(path, server=True)" in message, message
        assert db.server is None
        assert db.tables() == ["t"]  # still open and usable
    with LocalMurr(tmp_path / "local", sync="never") as local:
        with pytest.raises(libmurr.UnsupportedError, match="server=True"):
            local.serve()
    # start_local without a port keeps Murr's behaviour: an embedded database, no server.
    started = Murr.start_local(tmp_path / "started", sync="never")
    try:
        assert started.library_path == libmurr.LIBRARY_PATH and started.server is None
    finally:
        started.close()


def test_a_database_opened_for_serving_serves_and_reads(tmp_path):
    with Murr.open(tmp_path / "db", server=True, sync="never") as db:
        assert db.library_path == libmurr.SERVER_LIBRARY_PATH
        db.create_table("t", schema())
        seq = db.write("t", batch(["a", "b", "c"], 1.0))
        assert seq > 0
        assert db.tables() == ["t"]  # a string list freed through libmurr_server.so
        with pytest.raises(FileNotFoundError, match="nope"):  # its message freed there too
            db.read("nope", ["a"])
        server = db.serve()
        remote = server.connect()
        remote.write("t", pa.RecordBatch.from_pydict({"id": ["d"], "score": [4.0]}))
        with db.snapshot() as snap:
            assert snap.seq >= seq
            db.delete("t", ["a"])
            db.write_tensor("t", ["b"], ["score"], np.array([[2.0]], dtype=np.float32))
            assert snap.read("t", ["a", "b", "d"], ["score"]).column(0).to_pylist() == [1.0, 1.0, 4.0]
            assert snap.read_tensor("t", ["b", "zz"], ["score"])[0].tolist() == [1.0]
            assert snap.scan("t", ["id"]).read_all().column("id").to_pylist() == ["a", "b", "c", "d"]
        assert db.read("t", ["a", "b", "d"], ["score"]).column(0).to_pylist() == [None, 2.0, 4.0]
        assert remote.read("t", ["b", "c"], ["score"]).column(0).to_pylist() == [2.0, 1.0]
        db.ingest("t", pa.table({"id": ["e", "f"], "score": [5.0, 6.0]}))
        assert remote.read_tensor("t", ["e", "f"], ["score"]).tolist() == [[5.0], [6.0]]
        assert db.table_stats("t").memtable_bytes >= 0
        assert db.metrics().writes >= 2
        assert "murr_" in db.metrics_prometheus()
        db.flush()
        db.compact()
    assert not server.running


def test_a_plain_and_a_served_database_in_one_process(tmp_path):
    plain = Murr.open(tmp_path / "plain", sync="never")
    served = Murr.start_local(tmp_path / "served", http_port=0, sync="never")
    try:
        assert plain.library_path == libmurr.LIBRARY_PATH
        assert served.library_path == libmurr.SERVER_LIBRARY_PATH
        for db in (plain, served):
            db.create_table("t", schema())
        remote = served.server.connect()
        errors = []

        def work(db, value):
            try:
                for i in range(50):
                    keys = [f"k{i}_{j}" for j in range(20)]
                    db.write("t", batch(keys, value))
                    with db.snapshot() as snap:
                        assert snap.read("t", keys, ["score"]).column(0).to_pylist() == [value] * 20
                    assert db.read_tensor("t", keys[:3], ["score"]).tolist() == [[value]] * 3
            except BaseException as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=work, args=(db, v)) for db, v in ((plain, 1.0), (served, 2.0))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        # Each database has its own data; the server serves only its own.
        assert plain.read("t", ["k0_0"], ["score"]).column(0).to_pylist() == [1.0]
        assert remote.read("t", ["k0_0"], ["score"]).column(0).to_pylist() == [2.0]
        assert plain.metrics().write_rows == served.metrics().write_rows == 1000
    finally:
        plain.close()
        served.close()
    # One on-disk format: each directory reopens through the other library.
    with Murr.open(tmp_path / "plain", server=True) as db:
        assert db.read("t", ["k49_19"], ["score"]).column(0).to_pylist() == [1.0]
    with Murr.open(tmp_path / "served") as db:
        assert db.read("t", ["k49_19"], ["score"]).column(0).to_pylist() == [2.0]


@pytest.mark.parametrize("first_server", [False, True])
def test_one_directory_through_both_libraries_is_locked(tmp_path, first_server):
    path = tmp_path / "db"
    first = Murr.open(path, server=first_server, sync="never")
    try:
        first.create_table("t", schema())
        with pytest.raises(libmurr.LockedError):
            Murr.open(path, server=not first_server, sync="never")
        with pytest.raises(libmurr.LockedError):
            Murr.open(path, server=first_server, sync="never")
        assert first.tables() == ["t"]
    finally:
        first.close()
    with Murr.open(path, server=not first_server) as second:
        assert second.tables() == ["t"]


def test_open_for_serving_and_serve_later(tmp_path):
    db = Murr.start_local(tmp_path / "db", server=True, sync="never")
    try:
        assert db.library_path == libmurr.SERVER_LIBRARY_PATH and db.server is None
        assert db.serve().connect().health()
    finally:
        db.close()
    with pytest.raises(libmurr.InvalidArgumentError, match="server is a bool"):
        Murr.open(tmp_path / "db", server="yes")


def test_a_missing_server_library_is_a_clear_error(tmp_path):
    # A fresh interpreter: the server library is loaded once per process.
    code = """
import sys
import libmurr
db = libmurr.Murr.open(sys.argv[1] + "/plain", sync="never")
db.create_table("t", libmurr.TableSchema(key="id", columns={
    "id": libmurr.ColumnSchema(libmurr.DType.UTF8, nullable=False)}))
db.close()
try:
    libmurr.Murr.open(sys.argv[1] + "/served", server=True)
except libmurr.UnsupportedError as e:
    print(e)
else:
    sys.exit("opened without a server library")
"""
    env = dict(os.environ, MURR_SERVER_LIBRARY=str(tmp_path / "missing" / "libmurr_server.so"))
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "MURR_UNSUPPORTED" in out.stdout and "libmurr_server.so" in out.stdout, out.stdout
    assert "MURR_SERVER_LIBRARY" in out.stdout, out.stdout
