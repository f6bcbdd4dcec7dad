"""Table statistics (murr_db_table_stats) and the dense float32 write (murr_db_write_f32)."""

import numpy as np
import pyarrow as pa
import pytest

import libmurr
from libmurr import ColumnSchema, DType, Murr, TableSchema


@pytest.fixture
def feats(tmp_path):
    # No background threads: the counts checked do not move under an idle compaction.
    with Murr.open(tmp_path / "db", sync="never", background_threads=0) as db:
        _create(db)
        yield db


def _create(db):
    db.create_table(
        "f",
        TableSchema(
            "k",
            {
                "k": ColumnSchema(DType.UTF8, nullable=False),
                "a": ColumnSchema(DType.FLOAT32),
                "b": ColumnSchema(DType.FLOAT32),
                "n": ColumnSchema(DType.INT64),
            },
        ),
    )


def test_table_stats_follow_writes_flushes_and_compaction(feats):
    empty = feats.table_stats("f")
    assert isinstance(empty, libmurr.TableStats)
    assert empty.segments == 0 and empty.segment_rows == 0
    feats.write("f", pa.table({"k": ["x", "y"], "a": pa.array([1.0, 2.0], pa.float32())}))
    assert feats.table_stats("f").memtable_bytes > 0
    feats.flush()
    after = feats.table_stats("f")
    assert after.segments == 1 and after.level0_segments == 1 and after.segment_rows == 2
    assert after.segment_bytes > 0 and after.memtable_bytes == 0
    feats.write("f", pa.table({"k": ["x"], "a": pa.array([3.0], pa.float32())}))
    feats.compact()
    compacted = feats.table_stats("f")
    assert compacted.level0_segments == 0 and compacted.segment_rows == 2
    with pytest.raises(FileNotFoundError):
        feats.table_stats("nope")


def test_write_tensor_round_trips_through_read_tensor(feats):
    values = np.array([[1.5, -2.0], [3.25, 4.0], [5.0, 6.5]], np.float32)
    seq = feats.write_tensor("f", ["x", "y", "z"], ["a", "b"], values)
    assert seq > 0
    got = feats.read_tensor("f", ["z", "x", "absent", "y"], ["b", "a"], fill=-1.0)
    assert got.tolist() == [[6.5, 5.0], [-2.0, 1.5], [-1.0, -1.0], [4.0, 3.25]]
    # A partial upsert: only the columns given change.
    feats.write("f", pa.table({"k": ["x"], "n": [7]}))
    feats.write_tensor("f", ["x"], ["b"], [[9.0]])
    row = feats.read("f", ["x"], ["a", "b", "n"]).to_pylist()[0]
    assert row == {"a": 1.5, "b": 9.0, "n": 7}


def test_write_tensor_refuses_what_does_not_fit(feats):
    with pytest.raises(libmurr.SchemaMismatchError):
        feats.write_tensor("f", ["x"], ["n"], [[1.0]])  # int64, not float32
    with pytest.raises(libmurr.UnknownColumnError):
        feats.write_tensor("f", ["x"], ["nope"], [[1.0]])
    with pytest.raises(libmurr.InvalidArgumentError, match="shape"):
        feats.write_tensor("f", ["x", "y"], ["a"], [[1.0]])
    assert feats.read("f", ["x"], ["a"]).column(0).to_pylist() == [None]
