"""Moving Arrow data across the C Data Interface: results imported into pyarrow without a
copy, inputs (pyarrow, pandas, polars) exported to libmurr."""

from __future__ import annotations

import ctypes
import sys
from typing import Any, Optional

import pyarrow as pa

from . import _native
from .errors import InvalidArgumentError


def import_batch(array: _native.ArrowArray, schema: _native.ArrowSchema) -> pa.RecordBatch:
    """Moves a struct array filled by libmurr into a `pyarrow.RecordBatch` (no copy: the
    batch's buffers are libmurr's, freed by its release callback when pyarrow drops them)."""
    return pa.RecordBatch._import_from_c(ctypes.addressof(array), ctypes.addressof(schema))


def import_schema(schema: _native.ArrowSchema) -> pa.Schema:
    """Moves a struct schema filled by libmurr into a `pyarrow.Schema`."""
    return pa.Schema._import_from_c(ctypes.addressof(schema))


def import_stream(stream: _native.ArrowArrayStream) -> pa.RecordBatchReader:
    """Moves a C stream filled by libmurr into a `pyarrow.RecordBatchReader`."""
    return pa.RecordBatchReader._import_from_c(ctypes.addressof(stream))


def export_schema(schema: pa.Schema) -> _native.ArrowSchema:
    """A C struct schema (format "+s") of `schema`; the caller releases it."""
    out = _native.ArrowSchema()
    schema._export_to_c(ctypes.addressof(out))
    return out


def export_field(field: pa.Field) -> _native.ArrowSchema:
    """The C schema of one field; the caller releases it."""
    out = _native.ArrowSchema()
    field._export_to_c(ctypes.addressof(out))
    return out


def export_array(array: pa.Array) -> tuple:
    """The C array and schema of `array` (a struct array for a record batch)."""
    c_array = _native.ArrowArray()
    c_schema = _native.ArrowSchema()
    array._export_to_c(ctypes.addressof(c_array), ctypes.addressof(c_schema))
    return c_array, c_schema


def export_stream(reader: pa.RecordBatchReader) -> _native.ArrowArrayStream:
    """The C stream of `reader` (moved into it: the reader is consumed)."""
    out = _native.ArrowArrayStream()
    reader._export_to_c(ctypes.addressof(out))
    return out


def release_schema(schema: _native.ArrowSchema) -> None:
    """Calls a C schema's release callback if it is not released yet."""
    if schema.release:
        release = ctypes.CFUNCTYPE(None, ctypes.POINTER(_native.ArrowSchema))(schema.release)
        release(ctypes.byref(schema))


def release_array(array: _native.ArrowArray) -> None:
    """Calls a C array's release callback if it is not released yet."""
    if array.release:
        release = ctypes.CFUNCTYPE(None, ctypes.POINTER(_native.ArrowArray))(array.release)
        release(ctypes.byref(array))


def _is_instance_of(obj: Any, module: str, name: str) -> bool:
    mod = sys.modules.get(module)
    cls = getattr(mod, name, None) if mod is not None else None
    return cls is not None and isinstance(obj, cls)


def to_arrow(data: Any):
    """A `pa.RecordBatch`, `pa.Table` or `pa.RecordBatchReader` of the data to write:
    pyarrow objects as they are, pandas and polars DataFrames converted (polars without a
    copy; pandas as `pa.Table.from_pandas(preserve_index=False)` does), anything with
    `__arrow_c_stream__` read as a stream."""
    if isinstance(data, (pa.RecordBatch, pa.Table, pa.RecordBatchReader)):
        return data
    if _is_instance_of(data, "pandas", "DataFrame"):
        return pa.Table.from_pandas(data, preserve_index=False)
    if _is_instance_of(data, "polars", "DataFrame"):
        return data.to_arrow()
    if hasattr(data, "__arrow_c_stream__"):
        return pa.RecordBatchReader.from_stream(data)
    raise InvalidArgumentError(
        "write takes a pyarrow.Table, RecordBatch or RecordBatchReader, a pandas or "
        f"polars DataFrame, or an Arrow C stream; not {type(data).__name__}"
    )


def conform(schema: pa.Schema, table: pa.Schema) -> Optional[pa.Schema]:
    """The schema to cast `schema` to so that each column has the type the table stores it
    in (pandas gives float64 for float32 columns, polars large_string for utf8, ...);
    None when it already has. Columns the table lacks keep their type (libmurr names them
    in its error)."""
    fields = []
    changed = False
    for f in schema:
        idx = table.get_field_index(f.name)
        if idx < 0 or f.type == table.field(idx).type:
            fields.append(f)
            continue
        fields.append(pa.field(f.name, table.field(idx).type, nullable=True))
        changed = True
    return pa.schema(fields, metadata=schema.metadata) if changed else None


def key_array(keys: Any) -> pa.Array:
    """Keys given as Arrow data (pa.Array, ChunkedArray, pandas or polars Series, numpy
    array of non-int64 type) as one plain pyarrow array, strings as utf8."""
    if _is_instance_of(keys, "polars", "Series"):
        keys = keys.to_arrow()
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    if not isinstance(keys, pa.Array):
        keys = pa.array(keys)
    if pa.types.is_large_string(keys.type) or _is_string_view(keys.type):
        keys = keys.cast(pa.utf8())
    return keys


def _is_string_view(t: pa.DataType) -> bool:
    check = getattr(pa.types, "is_string_view", None)
    return bool(check and check(t))
