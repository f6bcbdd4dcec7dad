"""Murr.export_parquet and Murr.export_iceberg (in the wheel's libmurr_server.so, which a
database opened with `server=True` uses; libmurr.so, the C library, leaves them out):
Parquet files pyarrow reads back as the scan with the same types, a snapshot's export
ignoring later writes, Iceberg snapshots committed one per export, errors raised.
(tests/export/test_readers.py checks the exports with pyiceberg and DuckDB.)"""

import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import libmurr


@pytest.fixture
def db(tmp_path):
    """The exports are in the library a database opened for serving uses."""
    with libmurr.Murr.open(tmp_path / "db", sync="never", server=True) as db:
        yield db


def test_export_from_the_small_library_says_how_to_get_it(tmp_path):
    with libmurr.Murr.open(tmp_path / "plain", sync="never") as plain:
        plain.create_table("t", libmurr.TableSchema(key="k", columns={
            "k": libmurr.ColumnSchema(dtype=libmurr.DType.UTF8, nullable=False)}))
        with pytest.raises(libmurr.errors.UnsupportedError, match="server=True"):
            plain.export_parquet("t", tmp_path / "out")
        with pytest.raises(libmurr.errors.UnsupportedError, match="server=True"):
            plain.export_iceberg("t", tmp_path / "ice")


def scanned(db, table):
    return db.scan(table).read_all()


def test_export_parquet_reads_back_as_the_scan(users, tmp_path):
    users.write("users", pa.table({"id": ["d"], "age": pa.array([40], pa.int64())}))
    users.delete("users", ["b"])
    rows = users.export_parquet("users", tmp_path / "out")
    want = scanned(users, "users")
    assert rows == want.num_rows == 3
    got = pq.read_table(tmp_path / "out" / "part-00000.parquet")
    assert got.schema.types == want.schema.types
    assert got.to_pylist() == want.to_pylist()
    with pytest.raises(libmurr.errors.InvalidArgumentError, match="not empty"):
        users.export_parquet("users", str(tmp_path / "out"))


def test_export_parquet_of_a_snapshot_ignores_later_writes(users, tmp_path):
    with users.snapshot() as snap:
        users.delete("users", ["a", "b", "c"])
        assert snap.export_parquet("users", tmp_path / "snap") == 3
    assert pq.read_table(tmp_path / "snap").column("id").to_pylist() == ["a", "b", "c"]
    assert users.export_parquet("users", tmp_path / "now") == 0


def test_export_iceberg_commits_one_snapshot_per_export(users, tmp_path):
    loc = tmp_path / "lake" / "users"
    first = users.export_iceberg("users", loc)
    users.write("users", pa.table({"id": ["e"], "score": pa.array([5.0], pa.float32())}))
    second = users.export_iceberg("users", str(loc))
    assert first != second
    meta = json.loads((loc / "metadata" / "v2.metadata.json").read_text())
    assert meta["current-snapshot-id"] == second
    assert [s["snapshot-id"] for s in meta["snapshots"]] == [first, second]
    assert (loc / "metadata" / "version-hint.text").read_text() == "2"
    with pytest.raises(libmurr.errors.MurrError, match="no table"):
        users.export_iceberg("nope", loc)
    assert not os.path.exists(loc / "metadata" / "v3.metadata.json")
