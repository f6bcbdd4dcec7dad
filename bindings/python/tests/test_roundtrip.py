import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import libmurr
from libmurr import ColumnSchema, DType, Murr, TableSchema
from conftest import users_batch, users_schema


def test_read_in_key_order_with_null_rows_for_absent_keys(users):
    batch = users.read("users", ["c", "zz", "a"], ["score", "age"])
    assert isinstance(batch, pa.RecordBatch)
    assert batch.schema.names == ["score", "age"]
    assert batch.column("score").to_pylist() == [3.0, None, 1.0]
    assert batch.column("age").to_pylist() == [30, None, 10]


def test_read_defaults_to_every_column_key_first(users):
    assert users.read("users", ["b"]).to_pylist() == [{"id": "b", "score": 2.0, "age": 20}]


def test_read_positional_like_murr(users):
    result = users.read("users", ["c", "a"], ["score"])
    assert result.num_rows == 2
    assert result.column("score").to_pylist() == [3.0, 1.0]


@pytest.mark.parametrize(
    "keys",
    [
        ["b", "a"],
        ("b", "a"),
        np.array(["b", "a"]),
        pa.array(["b", "a"]),
        pa.chunked_array([["b"], ["a"]]),
        pa.array(["b", "a"], pa.large_utf8()),
        pd.Series(["b", "a"]),
        pl.Series(["b", "a"]),
    ],
    ids=["list", "tuple", "numpy", "pyarrow", "chunked", "large_utf8", "pandas", "polars"],
)
def test_key_forms(users, keys):
    assert users.read("users", keys, ["age"]).column(0).to_pylist() == [20, 10]


def test_key_with_nul_byte_is_not_truncated(db):
    db.create_table("t", users_schema())
    db.write("t", pa.table({"id": ["a\0b", "a"], "age": [1, 2]}))
    assert db.read("t", ["a\0b"], ["age"]).column(0).to_pylist() == [1]


def test_write_pandas_polars_table_and_batch(db):
    db.create_table("users", users_schema())
    db.write("users", users_batch())
    db.write("users", pd.DataFrame({"id": ["d"], "score": [4.5], "age": [40]}))
    db.write("users", pl.DataFrame({"id": ["e"], "score": [5.5], "age": [50]}))
    db.write("users", pa.Table.from_batches([users_batch().slice(0, 1), users_batch().slice(2, 1)]))
    db.write("users", pa.RecordBatchReader.from_batches(users_batch().schema, [users_batch()]))
    got = db.read("users", ["d", "e", "a"], ["score", "age"]).to_pydict()
    assert got == {"score": [4.5, 5.5, 1.0], "age": [40, 50, 10]}


def test_write_returns_increasing_sequence_numbers(db):
    db.create_table("users", users_schema())
    first = db.write("users", users_batch())
    second = db.write("users", users_batch())
    assert second > first > 0


def test_partial_upsert_last_write_wins(users):
    users.write("users", pa.table({"id": ["a"], "score": pa.array([9.0], pa.float32())}))
    assert users.read("users", ["a"], ["score", "age"]).to_pylist() == [{"score": 9.0, "age": 10}]


def test_results_feed_pandas_numpy_polars(users):
    batch = users.read("users", ["a", "b", "c"], ["score", "age"])
    df = batch.to_pandas()
    assert list(df["age"]) == [10, 20, 30]
    assert batch.column("score").to_numpy().dtype == np.float32
    assert pl.from_arrow(batch)["score"].to_list() == [1.0, 2.0, 3.0]


def test_read_tensor(users):
    t = users.read_tensor("users", ["c", "zz", "a"], ["score", "age"], fill=-1.0)
    assert t.dtype == np.float32 and t.shape == (3, 2)
    np.testing.assert_array_equal(t, [[3.0, 30.0], [-1.0, -1.0], [1.0, 10.0]])
    assert np.isnan(users.read_tensor("users", ["zz"], ["score"])[0, 0])


def test_int64_and_uint64_keys(db):
    for name, key_type in [("i", DType.INT64), ("u", DType.UINT64)]:
        db.create_table(name, TableSchema("k", {"k": ColumnSchema(key_type, False), "v": ColumnSchema(DType.FLOAT64)}))
    db.write("i", pa.table({"k": pa.array([-5, 7], pa.int64()), "v": [1.5, 2.5]}))
    big = 2**64 - 1
    db.write("u", pa.table({"k": pa.array([3, big], pa.uint64()), "v": [3.5, 4.5]}))
    assert db.read("i", [7, -5, 8], ["v"]).column(0).to_pylist() == [2.5, 1.5, None]
    assert db.read("i", np.array([7], np.int64), ["v"]).column(0).to_pylist() == [2.5]
    assert db.read("u", [big, 3], ["v"]).column(0).to_pylist() == [4.5, 3.5]
    assert db.read("u", np.array([big], np.uint64), ["v"]).column(0).to_pylist() == [4.5]
    np.testing.assert_array_equal(db.read_tensor("i", [-5], ["v"]), [[1.5]])
    db.delete("i", [7])
    db.delete("u", [3])  # small ints on a uint64 table: retried as uint64
    assert db.read("u", [big], ["v"]).column(0).to_pylist() == [4.5]
    db.delete("u", pa.array([big], pa.uint64()))
    assert db.read("i", [7], ["v"]).column(0).to_pylist() == [None]
    assert db.read("u", [3, big], ["v"]).column(0).to_pylist() == [None, None]


def test_delete_and_snapshot_isolation(users):
    with users.snapshot() as snap:
        seq = users.delete("users", ["a", "nope"])
        assert seq > snap.seq
        assert users.read("users", ["a"], ["age"]).column(0).to_pylist() == [None]
        assert snap.read("users", ["a"], ["age"]).column(0).to_pylist() == [10]
        np.testing.assert_array_equal(snap.read_tensor("users", ["a"], ["age"]), [[10.0]])
        assert snap.scan("users", ["id"]).read_all().column(0).to_pylist() == ["a", "b", "c"]
    assert users.scan("users", ["id"]).read_all().column(0).to_pylist() == ["b", "c"]


def test_scan_in_key_order(db):
    db.create_table("users", users_schema())
    db.write("users", pa.table({"id": ["z", "m", "a"], "age": [1, 2, 3]}))
    reader = db.scan("users")
    assert isinstance(reader, pa.RecordBatchReader)
    table = reader.read_all()
    assert table.schema.names == ["id", "score", "age"]
    assert table.column("id").to_pylist() == ["a", "m", "z"]
    assert table.column("age").to_pylist() == [3, 2, 1]


def test_flush_compact_and_reopen(tmp_path):
    path = tmp_path / "db"
    with Murr.open(path, background_threads=0) as db:
        db.create_table("users", users_schema())
        db.write("users", users_batch())
        db.flush()
        db.write("users", pa.table({"id": ["b"], "age": [21]}))
        db.compact()
    with Murr.start_local(cache_dir=path) as db:
        assert db.read("users", ["b", "c"], ["age"]).column(0).to_pylist() == [21, 30]
        assert db.get_schema("users") == users_schema()


def test_tables_schema_drop_and_add_column(db):
    db.create_table("users", users_schema())
    db.create_table("users", users_schema())  # same schema: nothing happens
    db.create_table("other", pa.schema([pa.field("k", pa.int64(), False)]), key="k")
    assert db.tables() == ["users", "other"]
    listed = db.list_tables()
    assert listed["users"] == users_schema()
    assert listed["other"].key == "k"
    assert db.table_schema("users").metadata[b"murr.key"] == b"id"
    db.add_column("users", "tag", ColumnSchema(DType.UTF8))
    db.write("users", pa.table({"id": ["a"], "tag": ["x"]}))
    assert db.read("users", ["a"], ["tag"]).column(0).to_pylist() == ["x"]
    db.drop_table("other")
    assert db.tables() == ["users"]


def test_start_local_without_dir(tmp_path):
    db = Murr.start_local()
    try:
        db.create_table("users", users_schema())
        assert db.tables() == ["users"]
    finally:
        db.close()


def test_version():
    assert libmurr.version().count(".") == 2


def test_open_with_options(tmp_path):
    with Murr.open(tmp_path / "db", sync=20, background_threads=2, idle_compaction_millis=-1,
                   memtable_bytes=1 << 20, skip_corrupt=False) as db:
        db.create_table("users", users_schema())
        db.write("users", users_batch())
        assert db.read("users", ["a"], ["age"]).column(0).to_pylist() == [10]
    with pytest.raises(libmurr.MurrError):
        Murr.open(tmp_path / "missing", create_if_missing=False)
