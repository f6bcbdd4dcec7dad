"""Murr.changes: the change feed as a pyarrow RecordBatchReader, replayed onto a dict; a
feed from the middle; the retention option and its error."""

import pyarrow as pa
import pytest

from libmurr import ChangesNotRetainedError, Murr

from conftest import users_schema


def replay(reader: pa.RecordBatchReader, model: dict) -> None:
    """Applies a feed to `model` (key -> {column: value}), columns told by position."""
    names = reader.schema.names
    columns = names[3:-1]
    for batch in reader:
        cols = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        for r in range(batch.num_rows):
            op, key, present = cols[1][r], cols[2][r], cols[-1][r]
            if op == "delete":
                model.pop(key, None)
                continue
            row = model.setdefault(key, {c: None for c in columns})
            for c, (name, here) in enumerate(zip(columns, present)):
                if here:
                    row[name] = cols[3 + c][r]


def scanned(db: Murr) -> dict:
    table = db.scan("users").read_all().to_pylist()
    return {row.pop("id"): row for row in table}


def test_the_feed_replays_to_the_table(tmp_path):
    with Murr.open(tmp_path / "db", sync="never", background_threads=0,
                   change_retention_bytes=2**64 - 1) as db:
        db.create_table("users", users_schema())
        s1 = db.write("users", pa.table({"id": ["a", "b"], "score": [1.0, 2.0], "age": [10, 20]}))
        db.flush()
        db.write("users", pa.table({"id": ["a"], "age": pa.array([None], pa.int64())}))
        s3 = db.delete("users", ["b"])
        db.compact()
        db.write("users", pa.table({"id": ["c"], "score": pa.array([3.0], pa.float32())}))

        reader = db.changes("users")
        assert isinstance(reader, pa.RecordBatchReader)
        assert reader.schema.names == ["_seq", "_op", "id", "score", "age", "_present"]
        assert reader.schema.field("_present").type == pa.list_(pa.field("item", pa.bool_(), nullable=False), 2)
        end = int(reader.schema.metadata[b"murr.changes.end_seq"])
        model = {}
        replay(reader, model)
        assert model == scanned(db) == {
            "a": {"score": 1.0, "age": None},
            "c": {"score": 3.0, "age": None},
        }
        # From the middle, onto the table as it was then.
        rows = db.changes("users", s3).read_all()
        assert rows.column("_op").to_pylist() == ["write"]
        assert rows.column("_seq").to_pylist() == [end]
        after_first = db.changes("users", s1).read_all()
        assert after_first.column("_op").to_pylist() == ["write", "delete", "write"]
        assert db.changes("users", end).read_all().num_rows == 0


def test_without_retention_an_old_start_raises(tmp_path):
    with Murr.open(tmp_path / "db", sync="never", background_threads=0) as db:
        db.create_table("users", users_schema())
        s1 = db.write("users", pa.table({"id": ["a"], "age": [1]}))
        db.flush()
        db.write("users", pa.table({"id": ["b"], "age": [2]}))
        assert db.changes_oldest_since() == s1
        with pytest.raises(ChangesNotRetainedError, match="change_retention_bytes"):
            db.changes("users", 0)
        assert db.changes("users", s1).read_all().column("id").to_pylist() == ["b"]
        with pytest.raises(ValueError):
            db.changes("users", -1)
