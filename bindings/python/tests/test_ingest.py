"""Murr.ingest: bulk loads of Parquet (several codecs; read by pyarrow, streamed) and Arrow
IPC files (read by libmurr) by path, and of pyarrow Tables, readers, datasets and DataFrames
through the Arrow C stream; bad input raises its error and changes nothing."""

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

import libmurr
from conftest import users_schema


def rows(start, stop):
    """Keys k{i}, score i/2 as float64 (cast to float32), age i, and a column the table
    lacks."""
    return pa.table(
        {
            "id": [f"k{i}" for i in range(start, stop)],
            "score": [i / 2 for i in range(start, stop)],
            "age": list(range(start, stop)),
            "extra": ["x"] * (stop - start),
        }
    )


def check(db, start, stop):
    keys = [f"k{i}" for i in range(start, stop)]
    got = db.read("users", keys, ["score", "age"])
    assert got.column("score").to_pylist() == [i / 2 for i in range(start, stop)]
    assert got.column("age").to_pylist() == list(range(start, stop))


@pytest.fixture
def table(db):
    db.create_table("users", users_schema())
    return db


@pytest.mark.parametrize("codec", ["snappy", "zstd", "lz4", "gzip", "none"])
def test_parquet_files_of_pyarrow_codecs(table, tmp_path, codec):
    path = tmp_path / f"rows-{codec}.parquet"
    pq.write_table(rows(0, 5000), path, compression=codec, row_group_size=1000)
    table.ingest("users", path)
    check(table, 0, 5000)


def test_arrow_ipc_file_and_stream_by_path(table, tmp_path):
    feather.write_feather(rows(0, 100), tmp_path / "a.arrow", compression="uncompressed")
    with ipc.new_stream(tmp_path / "b.arrows", rows(100, 200).schema) as w:
        w.write_table(rows(100, 200))
    table.ingest("users", tmp_path / "a.arrow")
    table.ingest("users", str(tmp_path / "b.arrows"))
    check(table, 0, 200)


@pytest.mark.parametrize(
    "make",
    [
        lambda: rows(0, 300),
        lambda: rows(0, 300).to_batches()[0],
        lambda: rows(0, 300).to_reader(max_chunksize=64),
        lambda: ds.dataset(rows(0, 300)),
        lambda: rows(0, 300).to_pandas(),
    ],
    ids=["table", "batch", "reader", "dataset", "pandas"],
)
def test_in_memory_sources(table, make):
    table.ingest("users", make())
    check(table, 0, 300)


def test_a_partial_ingest_keeps_the_other_columns_and_the_last_row_wins(table):
    table.ingest("users", rows(0, 10))
    table.ingest("users", pa.table({"id": ["k1", "k2", "k1"], "age": [-1, -2, -11]}))
    got = table.read("users", ["k1", "k2", "k3"], ["score", "age"])
    assert got.column("score").to_pylist() == [0.5, 1.0, 1.5]
    assert got.column("age").to_pylist() == [-11, -2, 3]


def test_bad_input_raises_and_changes_nothing(table, tmp_path):
    table.ingest("users", rows(0, 10))
    path = tmp_path / "cut.parquet"
    pq.write_table(rows(10, 2000), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(libmurr.CorruptError):
        table.ingest("users", path)
    with pytest.raises(libmurr.SchemaMismatchError, match="no key column 'id'"):
        table.ingest("users", pa.table({"key": ["k5"], "age": [0]}))
    with pytest.raises(libmurr.SchemaMismatchError, match="null"):
        table.ingest("users", pa.table({"id": ["k5", None], "age": [0, 1]}))
    with pytest.raises(libmurr.InvalidArgumentError, match="seven"):
        table.ingest("users", pa.table({"id": ["k5"], "age": ["seven"]}))
    with pytest.raises(libmurr.ArrowError, match="seven"):  # cast as the stream is read
        table.ingest("users", pa.table({"id": ["k5"], "age": ["seven"]}).to_reader())
    with pytest.raises(libmurr.MurrIOError):
        table.ingest("users", tmp_path / "missing.parquet")
    check(table, 0, 10)
    assert table.read("users", ["k11"], ["age"]).column(0).to_pylist() == [None]
