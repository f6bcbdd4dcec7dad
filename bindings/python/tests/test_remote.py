"""libmurr.remote against a running `murr serve` (scripts/test-server.sh starts one and sets
MURR_SERVER_URL and MURR_SERVER_TOKEN); skipped without one."""

import math
import os
import uuid

import numpy as np
import pyarrow as pa
import pytest

import libmurr
from libmurr import ColumnSchema, DType, Murr, TableSchema
from libmurr.remote import RemoteAuthError, RemoteConnectionError, connect

URL = os.environ.get("MURR_SERVER_URL")
TOKEN = os.environ.get("MURR_SERVER_TOKEN")

pytestmark = pytest.mark.skipif(not URL, reason="needs a server: MURR_SERVER_URL (scripts/test-server.sh)")


@pytest.fixture
def db():
    return connect(URL, token=TOKEN)


def schema() -> TableSchema:
    return TableSchema(
        key="id",
        columns={
            "id": ColumnSchema(DType.UTF8, nullable=False),
            "score": ColumnSchema(DType.FLOAT32),
            "age": ColumnSchema(DType.INT64),
            "emb": ColumnSchema(DType.EMBEDDING, dim=2),
        },
    )


@pytest.fixture
def table(db):
    name = f"users_{uuid.uuid4().hex[:8]}"
    db.create_table(name, schema())
    return name


def test_tables_and_schemas(db, table):
    assert db.get_schema(table) == schema()
    assert db.list_tables()[table] == schema()
    assert table in db.tables()
    assert db.table_schema(table).field("id").nullable is False
    db.create_table(table, schema())  # the same schema: nothing happens
    other = TableSchema(key="id", columns={"id": ColumnSchema(DType.UTF8, nullable=False)})
    with pytest.raises(ValueError):
        db.create_table(table, other)
    with pytest.raises(libmurr.TableExistsError):
        db.create_table(table, other)
    with pytest.raises(FileNotFoundError):
        db.get_schema("no_such_table")


def test_write_read_delete(db, table):
    batch = pa.RecordBatch.from_pydict(
        {"id": ["a", "b", "c"], "score": [1.0, 2.0, None], "age": [10, 20, 30],
         "emb": [[1.0, 2.0], [3.0, 4.0], None]}
    )  # score float64, age int64, emb a list: the server casts
    seq = db.write(table, batch)
    assert seq > 0
    got = db.read(table, ["b", "zz", "a"])
    assert isinstance(got, pa.RecordBatch)
    assert got.schema.names == ["id", "score", "age", "emb"]
    assert got.column("score").to_pylist() == [2.0, None, 1.0]
    assert got.column("emb").to_pylist() == [[3.0, 4.0], None, [1.0, 2.0]]
    assert got.schema.field("score").type == pa.float32()
    part = db.read(table, np.array(["c"]), columns=["age"])
    assert part.to_pydict() == {"age": [30]}

    t = db.read_tensor(table, ["a", "zz", "c"], ["score", "age"])
    assert t.shape == (3, 2) and t.dtype == np.float32
    assert t[0].tolist() == [1.0, 10.0]
    assert math.isnan(t[1][0]) and math.isnan(t[2][0]) and t[2][1] == 30.0
    t = db.read_tensor(table, ["zz"], ["age"], fill=-1.0)
    assert t.tolist() == [[-1.0]]

    assert db.delete(table, ["a", "never"]) > seq
    assert db.read(table, ["a"], ["age"]).column(0).to_pylist() == [None]


def test_snapshot(db, table):
    db.write(table, pa.table({"id": ["s"], "age": [1]}))
    with db.snapshot() as snap:
        db.write(table, pa.table({"id": ["s"], "age": [2]}))
        assert snap.read(table, ["s"], ["age"]).column(0).to_pylist() == [1]
        assert snap.read_tensor(table, ["s"], ["age"]).tolist() == [[1.0]]
        assert db.read(table, ["s"], ["age"]).column(0).to_pylist() == [2]
        seq = snap.seq
    with pytest.raises(ValueError):
        snap.read(table, ["s"])
    stale = libmurr.remote.RemoteSnapshot(db, seq)
    with pytest.raises(FileNotFoundError):
        stale.read(table, ["s"])


def test_integer_keys_and_pandas_like_input(db):
    name = f"ints_{uuid.uuid4().hex[:8]}"
    s = TableSchema(key="k", columns={"k": ColumnSchema(DType.UINT64, nullable=False), "v": ColumnSchema(DType.FLOAT64)})
    db.create_table(name, s)
    big = 2**64 - 2
    db.write(name, pa.table({"k": pa.array([big, 1], pa.uint64()), "v": [0.5, 1.5]}))
    got = db.read(name, np.array([1, big], dtype=np.uint64), ["v"])
    assert got.column(0).to_pylist() == [1.5, 0.5]


def test_errors(db, table):
    with pytest.raises(FileNotFoundError) as e:
        db.read("no_such_table", ["a"])
    assert e.value.http_status == 404 and "no_such_table" in str(e.value)
    with pytest.raises(ValueError):
        db.read(table, ["a"], ["no_such_column"])
    with pytest.raises(ValueError):
        db.read(table, [1, 2])  # int keys on a utf8 table
    with pytest.raises(ValueError):
        db.write(table, pa.table({"score": [1.0]}))  # no key column
    with pytest.raises(ValueError):
        db.read_tensor(table, ["a"], ["emb"])  # not numeric
    bad = connect(URL, token=TOKEN)
    bad.url += "/nope"
    with pytest.raises(FileNotFoundError):
        bad.list_tables()
    with pytest.raises(ConnectionError):
        connect("http://127.0.0.1:9", timeout=5)
    with pytest.raises(RemoteConnectionError):
        connect("http://127.0.0.1:9", timeout=5)


@pytest.mark.skipif(not TOKEN, reason="the server runs without a token")
def test_token(table):
    with pytest.raises(PermissionError):
        connect(URL, token="wrong").list_tables()
    with pytest.raises(RemoteAuthError):
        connect(URL).get_schema(table)


def test_murr_connect(table):
    with Murr.connect(URL, token=TOKEN) as db:
        assert isinstance(db, libmurr.RemoteMurr)
        assert db.get_schema(table) == schema()
