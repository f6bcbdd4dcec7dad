"""Keys the caller passes: errors that name what was passed, NUL in str keys (sent with
their lengths through the key descriptor), and the dense read on a uint64-keyed table
(through murr_db_read_f32 with MURR_KEYS_UINT64)."""

import math

import numpy as np
import pyarrow as pa
import pytest

import libmurr
from libmurr import ColumnSchema, DType, TableSchema

BIG = 2**64 - 2  # beyond int64: only a uint64 key


@pytest.fixture
def u64(db):
    db.create_table(
        "u",
        TableSchema(
            "k",
            {
                "k": ColumnSchema(DType.UINT64, nullable=False),
                "f": ColumnSchema(DType.FLOAT32),
                "i": ColumnSchema(DType.INT64),
                "b": ColumnSchema(DType.BOOL),
                "s": ColumnSchema(DType.UTF8),
            },
        ),
    )
    db.write(
        "u",
        pa.table(
            {
                "k": pa.array([1, 2, BIG], pa.uint64()),
                "f": pa.array([0.5, None, 2.5], pa.float32()),
                "i": [10, 20, 30],
                "b": [True, False, None],
                "s": ["x", "y", "z"],
            }
        ),
    )
    return db


# ---- keys of another type than the table's ------------------------------------------


@pytest.mark.parametrize(
    "keys, passed",
    [
        ([1, 2], "int"),
        (np.array([1, 2], np.int64), "numpy int64"),
        (pa.array([1, 2], pa.int32()), "pyarrow int32"),
        ([2**64 - 1], "int"),
    ],
)
def test_int_keys_on_a_utf8_table_name_both_types(users, keys, passed):
    expected = f"table 'users' has utf8 keys (key column 'id'); got {passed} keys"
    with pytest.raises(libmurr.SchemaMismatchError) as e:
        users.read("users", keys, ["age"])
    assert e.value.message == expected
    assert "UInt64" not in str(e.value)
    with pytest.raises(libmurr.SchemaMismatchError, match="has utf8 keys"):
        users.delete("users", keys)
    with pytest.raises(libmurr.SchemaMismatchError, match="has utf8 keys"):
        users.read_tensor("users", keys, ["age"])
    with users.snapshot() as snap:
        with pytest.raises(libmurr.SchemaMismatchError, match="has utf8 keys"):
            snap.read("users", keys, ["age"])


def test_str_keys_on_an_int_table(db):
    db.create_table("t", TableSchema("k", {"k": ColumnSchema(DType.INT64, False), "v": ColumnSchema(DType.INT64)}))
    with pytest.raises(libmurr.SchemaMismatchError) as e:
        db.read("t", ["a"], ["v"])
    assert e.value.message == "table 't' has int64 keys (key column 'k'); got str keys"


def test_negative_ints_on_a_uint64_table(u64):
    with pytest.raises(libmurr.SchemaMismatchError, match="table 'u' has uint64 keys .*; got int keys"):
        u64.read("u", [-1], ["f"])
    with pytest.raises(libmurr.SchemaMismatchError, match="has uint64 keys"):
        u64.read_tensor("u", [-1], ["f"])


def test_other_schema_mismatches_keep_libmurr_message(users):
    with pytest.raises(libmurr.SchemaMismatchError) as e:  # a dense read of a utf8 column
        users.read_tensor("users", ["a"], ["id"])
    assert "dense read" in e.value.message and "keys" not in e.value.message.split(";")[0]


# ---- NUL in the dense read's str keys ------------------------------------------------


@pytest.mark.parametrize("keys", [["a", "b\0c"], pa.array(["a", "b\0c"]), np.array(["a", "b\0c"], object)])
def test_read_tensor_reads_a_key_with_nul(users, keys):
    # Sent with their lengths (the key descriptor), not as C strings that would end at NUL:
    # "b\0c" is its own key, absent until written, never read as "b".
    users.write("users", pa.table({"id": ["b"], "age": [3]}))
    assert users.read_tensor("users", keys, ["age"], fill=-1.0).tolist() == [[10.0], [-1.0]]
    users.write("users", pa.table({"id": ["b\0c"], "age": [7]}))
    assert users.read_tensor("users", keys, ["age"], fill=-1.0).tolist() == [[10.0], [7.0]]


def test_delete_takes_a_key_with_nul(users):
    users.write("users", pa.table({"id": ["b", "b\0c"], "age": [3, 7]}))
    users.delete("users", ["b\0c"])
    assert users.read("users", ["b", "b\0c"], ["age"]).column(0).to_pylist() == [3, None]


def test_read_takes_a_key_with_nul(users):
    users.write("users", pa.table({"id": ["b\0c"], "age": [7]}))
    assert users.read("users", ["a", "b\0c"], ["age"]).column(0).to_pylist() == [10, 7]


def test_read_tensor_other_key_types_are_invalid_argument(users):
    with pytest.raises(libmurr.InvalidArgumentError, match="got pyarrow double keys"):
        users.read_tensor("users", pa.array([1.5]), ["age"])


# ---- the dense read on a uint64 table ------------------------------------------------


@pytest.mark.parametrize(
    "keys",
    [
        [2, 7, BIG, 1],
        np.array([2, 7, BIG, 1], np.uint64),
        pa.array([2, 7, BIG, 1], pa.uint64()),
    ],
)
def test_read_tensor_on_uint64_keys(u64, keys):
    got = u64.read_tensor("u", keys, ["f", "i", "b"], fill=-1.0)
    assert got.dtype == np.float32 and got.shape == (4, 3)
    assert got.tolist() == [
        [-1.0, 20.0, 0.0],  # 2: f is null
        [-1.0, -1.0, -1.0],  # 7: absent
        [2.5, 30.0, -1.0],  # BIG: b is null
        [0.5, 10.0, 1.0],
    ]


def test_read_tensor_on_small_int_keys_of_a_uint64_table(u64):
    got = u64.read_tensor("u", [1, 2], ["i", "f"])
    assert got[:, 0].tolist() == [10.0, 20.0]
    assert got[0, 1] == 0.5 and math.isnan(got[1, 1])  # fill defaults to NaN
    with u64.snapshot() as snap:
        u64.write("u", pa.table({"k": pa.array([1], pa.uint64()), "i": [99]}))
        assert snap.read_tensor("u", [1], ["i"]).tolist() == [[10.0]]
    assert u64.read_tensor("u", [1], ["i"]).tolist() == [[99.0]]


def test_read_tensor_on_uint64_keys_errors(u64):
    with pytest.raises(libmurr.SchemaMismatchError, match="column 's' of table 'u' has type"):
        u64.read_tensor("u", [1], ["f", "s"])
    with pytest.raises(libmurr.UnknownColumnError, match="nope"):
        u64.read_tensor("u", [BIG], ["nope"])
    with pytest.raises(FileNotFoundError):
        u64.read_tensor("nope", [BIG], ["f"])
    assert u64.read_tensor("u", [], ["f"]).shape == (0, 1)
