import datetime

import numpy as np
import pyarrow as pa
import pytest

import libmurr
from libmurr import ColumnSchema, DType, TableSchema

# (column, values written as Arrow data of the column's type)
CASES = [
    (ColumnSchema(DType.BOOL), [True, False]),
    (ColumnSchema(DType.INT8), [-128, 127]),
    (ColumnSchema(DType.INT16), [-32768, 32767]),
    (ColumnSchema(DType.INT32), [-(2**31), 2**31 - 1]),
    (ColumnSchema(DType.INT64), [-(2**63), 2**63 - 1]),
    (ColumnSchema(DType.UINT8), [0, 255]),
    (ColumnSchema(DType.UINT16), [0, 65535]),
    (ColumnSchema(DType.UINT32), [0, 2**32 - 1]),
    (ColumnSchema(DType.UINT64), [0, 2**64 - 1]),
    (ColumnSchema(DType.FLOAT16), [np.float16(0.5), np.float16(-2.0)]),
    (ColumnSchema(DType.FLOAT32), [0.25, -1.5]),
    (ColumnSchema(DType.FLOAT64), [1e300, -0.125]),
    (ColumnSchema(DType.UTF8), ["héllo", ""]),
    (ColumnSchema(DType.BINARY), [b"\x00\xff", b"abc"]),
    (ColumnSchema(DType.DATE32), [datetime.date(1970, 1, 2), datetime.date(2026, 12, 1)]),
    (ColumnSchema(DType.TIMESTAMP, unit="ns"), [1, 2]),
    (ColumnSchema(DType.TIMESTAMP, unit="ms", tz="UTC"), [3, 4]),
    (ColumnSchema(DType.EMBEDDING, dim=4), [[1.0, 2.0, 3.0, 4.0], [0.5, 0.5, 0.5, 0.5]]),
    (ColumnSchema(DType.EMBEDDING, dim=2, element=DType.FLOAT16), [[np.float16(1), np.float16(2)], [np.float16(3), np.float16(4)]]),
    (ColumnSchema(DType.EMBEDDING, dim=3, element=DType.INT8), [[-1, 0, 1], [127, -128, 5]]),
]


def _ids():
    out = []
    for col, _ in CASES:
        extra = f"-{col.element.value}{col.dim}" if col.dtype == DType.EMBEDDING else ""
        extra += f"-{col.unit}{col.tz or ''}" if col.dtype == DType.TIMESTAMP else ""
        out.append(col.dtype.value + extra)
    return out


def test_every_dtype_is_covered():
    assert {c.dtype for c, _ in CASES} == set(DType)


@pytest.mark.parametrize("column,values", CASES, ids=_ids())
def test_roundtrip(db, column, values):
    schema = TableSchema(key="k", columns={"k": ColumnSchema(DType.UTF8, False), "v": column})
    db.create_table("t", schema)
    assert db.get_schema("t") == schema
    arrow_type = column.to_arrow()
    written = pa.array(values, type=arrow_type)
    db.write("t", pa.table({"k": ["x", "y"], "v": written}))
    got = db.read("t", ["y", "missing", "x"], ["v"]).column(0)
    assert got.type == arrow_type
    assert got.to_pylist() == [written[1].as_py(), None, written[0].as_py()]
    db.flush()
    assert db.scan("t", ["v"]).read_all().column(0).to_pylist() == written.to_pylist()


def test_embedding_from_numpy_rows_via_pandas(db):
    import pandas as pd

    db.create_table(
        "e",
        TableSchema("k", {"k": ColumnSchema(DType.UTF8, False), "emb": ColumnSchema(DType.EMBEDDING, dim=3)}),
    )
    df = pd.DataFrame({"k": ["a", "b"], "emb": [np.arange(3, dtype=np.float64), np.ones(3)]})
    db.write("e", df)
    emb = db.read("e", ["b", "a"], ["emb"]).column(0)
    matrix = emb.values.to_numpy().reshape(-1, 3)
    np.testing.assert_array_equal(matrix, [[1, 1, 1], [0, 1, 2]])


def test_arrow_schema_mapping_round_trips():
    for column, _ in CASES:
        assert ColumnSchema.from_arrow(column.to_arrow()) == column


def test_unsupported_arrow_type():
    with pytest.raises(libmurr.UnsupportedError):
        ColumnSchema.from_arrow(pa.list_(pa.float32()))


def test_embedding_needs_dim():
    with pytest.raises(libmurr.InvalidArgumentError):
        ColumnSchema(DType.EMBEDDING)
    with pytest.raises(libmurr.InvalidArgumentError):
        ColumnSchema(DType.EMBEDDING, dim=3, element=DType.FLOAT64)
