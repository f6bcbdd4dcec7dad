import gc
import os
import subprocess
import sys
import threading

import numpy as np
import pyarrow as pa
import pytest

import libmurr
from libmurr import ColumnSchema, DType, Murr, TableSchema
from conftest import users_batch, users_schema


def test_unknown_table_carries_status_and_native_message(db):
    with pytest.raises(libmurr.UnknownTableError) as e:
        db.read("nope", ["a"], ["x"])
    assert isinstance(e.value, libmurr.MurrError) and isinstance(e.value, LookupError)
    assert e.value.status == 2 and e.value.code == "MURR_UNKNOWN_TABLE"
    assert "nope" in e.value.message
    assert str(e.value).startswith("MURR_UNKNOWN_TABLE: ")


def test_unknown_column(users):
    with pytest.raises(libmurr.UnknownColumnError, match="nope"):
        users.read("users", ["a"], ["nope"])


def test_table_exists_with_another_schema(users):
    other = TableSchema("id", {"id": ColumnSchema(DType.UTF8, False)})
    with pytest.raises(libmurr.TableExistsError):
        users.create_table("users", other)


def test_schema_mismatches(users):
    with pytest.raises(libmurr.SchemaMismatchError):  # keys of the wrong type
        users.read("users", [1, 2], ["age"])
    with pytest.raises(libmurr.SchemaMismatchError):  # dense read of a utf8 column
        users.read_tensor("users", ["a"], ["id"])
    with pytest.raises(libmurr.SchemaMismatchError):  # null in a non-nullable key
        users.write("users", pa.table({"id": pa.array(["x", None]), "age": [1, 2]}))


def test_write_errors(users):
    with pytest.raises(libmurr.UnknownTableError):
        users.write("nope", users_batch())
    with pytest.raises(libmurr.InvalidArgumentError):
        users.write("users", {"id": ["a"]})
    with pytest.raises(libmurr.InvalidArgumentError):  # not castable to int64
        users.write("users", pa.table({"id": ["a"], "age": ["old"]}))
    with pytest.raises(libmurr.UnknownColumnError):
        users.write("users", pa.table({"id": ["a"], "nope": [1]}))
    # nothing was written by the failed calls
    assert users.read("users", ["a"], ["age"]).column(0).to_pylist() == [10]


@pytest.mark.parametrize(
    "call",
    [
        lambda db: db.read("users", "abc", ["age"]),
        lambda db: db.read("users", ["a"], "age"),
        lambda db: db.read("users", ["a"], [1]),
        lambda db: db.read("users", ["a", 1], ["age"]),
        lambda db: db.read("users", [None], ["age"]),
        lambda db: db.read("users", pa.array(["a", None]), ["age"]),
        lambda db: db.read("users", np.zeros((2, 2), np.int64), ["age"]),
        lambda db: db.read(42, ["a"], ["age"]),
        lambda db: db.read("us\0ers", ["a"], ["age"]),
        lambda db: db.read("users", ["a"], ["a\0ge"]),
        lambda db: db.read_tensor("users", pa.array([1.5]), ["age"]),
        lambda db: db.delete(None, ["a"]),
        lambda db: db.create_table("t", {"id": "utf8"}),
        lambda db: db.add_column("users", "x", "float32"),
        lambda db: Murr.open(None),
        lambda db: Murr.open("/tmp/x", nope=1),
        lambda db: Murr.open("/tmp/x", sync="sometimes"),
        lambda db: Murr.open("/tmp/x", sync=-5),
        lambda db: Murr.open("/tmp/x", background_threads=-1),
        lambda db: Murr.open("/tmp/x", memtable_bytes=1.5),
        lambda db: Murr.open("/tmp/x", create_if_missing="no"),
        lambda db: TableSchema("k", {"other": ColumnSchema(DType.INT64)}),
        lambda db: ColumnSchema("complex128"),
    ],
)
def test_misuse_raises_invalid_argument(users, call):
    with pytest.raises(libmurr.InvalidArgumentError):
        call(users)


def test_use_after_close(tmp_path):
    db = Murr.open(tmp_path / "db")
    db.create_table("users", users_schema())
    snap = db.snapshot()
    reader = db.scan("users")
    db.close()
    for call in (
        lambda: db.read("users", ["a"], ["age"]),
        lambda: db.write("users", users_batch()),
        lambda: db.read_tensor("users", ["a"], ["age"]),
        lambda: db.flush(),
        lambda: db.snapshot(),
        lambda: db.close(),
        lambda: snap.read("users", ["a"], ["age"]),
    ):
        with pytest.raises(libmurr.ClosedError):
            call()
    with pytest.raises(Exception, match="closed"):
        reader.read_all()
    snap.close()
    snap.close()
    with pytest.raises(libmurr.ClosedError):
        snap.read("users", ["a"], ["age"])
    with db:  # leaving a closed database's context is fine
        pass


def test_locked_directory(tmp_path):
    with Murr.open(tmp_path / "db"):
        with pytest.raises(libmurr.LockedError):
            Murr.open(tmp_path / "db")


def test_scan_reader_outlives_its_database_object(tmp_path):
    db = Murr.open(tmp_path / "db")
    db.create_table("users", users_schema())
    db.write("users", users_batch())
    reader = db.scan("users", ["id"])
    unread = db.scan("users", ["id"])
    snap = db.snapshot()
    del db
    gc.collect()
    assert reader.read_all().column(0).to_pylist() == ["a", "b", "c"]
    assert snap.read("users", ["b"], ["age"]).column(0).to_pylist() == [20]
    del reader, unread, snap
    gc.collect()
    # every handle is gone: the directory is free again
    with Murr.open(tmp_path / "db") as again:
        assert again.read("users", ["c"], ["age"]).column(0).to_pylist() == [30]


def test_results_outlive_the_database(tmp_path):
    db = Murr.open(tmp_path / "db")
    db.create_table("users", users_schema())
    db.write("users", users_batch())
    db.flush()
    batch = db.read("users", ["a", "c"], ["score", "age"])
    db.close()
    del db
    gc.collect()
    assert batch.to_pydict() == {"score": [1.0, 3.0], "age": [10, 30]}


def test_snapshot_closed_while_other_threads_read(users):
    snap = users.snapshot()
    outcomes = []
    start = threading.Barrier(5)

    def reader():
        start.wait()
        for _ in range(200):
            try:
                assert snap.read("users", ["a"], ["age"]).column(0).to_pylist() == [10]
                outcomes.append("ok")
            except libmurr.ClosedError:
                outcomes.append("closed")

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    start.wait()
    snap.close()
    for t in threads:
        t.join()
    assert len(outcomes) == 800 and set(outcomes) <= {"ok", "closed"}


def test_concurrent_reads_and_writes(users):
    errors = []

    def work(i):
        try:
            for j in range(50):
                users.write("users", pa.table({"id": [f"t{i}_{j}"], "age": [j]}))
                got = users.read("users", [f"t{i}_{j}"], ["age"]).column(0).to_pylist()
                assert got == [j]
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_process_exits_with_everything_open(tmp_path):
    script = f"""
import pyarrow as pa
from libmurr import Murr
from conftest import users_batch, users_schema
db = Murr.open({str(tmp_path / 'db')!r})
db.create_table("users", users_schema())
db.write("users", users_batch())
snap = db.snapshot()
reader = db.scan("users")
batch = db.read("users", ["a"], ["age"])
"""
    tests_dir = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [tests_dir, os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Exception ignored" not in done.stderr, done.stderr
    with Murr.open(tmp_path / "db") as db:
        assert db.read("users", ["c"], ["age"]).column(0).to_pylist() == [30]
