import pyarrow as pa
import pytest

from libmurr import ColumnSchema, DType, Murr, TableSchema


@pytest.fixture
def db(tmp_path):
    with Murr.open(tmp_path / "db", sync="never") as db:
        yield db


def users_schema() -> TableSchema:
    return TableSchema(
        key="id",
        columns={
            "id": ColumnSchema(dtype=DType.UTF8, nullable=False),
            "score": ColumnSchema(dtype=DType.FLOAT32, nullable=True),
            "age": ColumnSchema(dtype=DType.INT64, nullable=True),
        },
    )


def users_batch() -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict(
        {"id": ["a", "b", "c"], "score": [1.0, 2.0, 3.0], "age": [10, 20, 30]},
        schema=pa.schema(
            [
                pa.field("id", pa.utf8(), nullable=False),
                pa.field("score", pa.float32()),
                pa.field("age", pa.int64()),
            ]
        ),
    )


@pytest.fixture
def users(db):
    db.create_table("users", users_schema())
    db.write("users", users_batch())
    return db
