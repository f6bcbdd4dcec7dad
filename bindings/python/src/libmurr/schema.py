"""Table schemas in Murr's Python names: `TableSchema(key=..., columns={name: ColumnSchema})`
with `DType` column types, and their mapping to Arrow types (what libmurr stores)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Dict, Optional

import pyarrow as pa

from .errors import InvalidArgumentError, UnsupportedError


class DType(str, enum.Enum):
    """A column type libmurr stores (every type of the core)."""

    BOOL = "bool"
    INT8 = "int8"
    INT16 = "int16"
    INT32 = "int32"
    INT64 = "int64"
    UINT8 = "uint8"
    UINT16 = "uint16"
    UINT32 = "uint32"
    UINT64 = "uint64"
    FLOAT16 = "float16"
    FLOAT32 = "float32"
    FLOAT64 = "float64"
    UTF8 = "utf8"
    BINARY = "binary"
    DATE32 = "date32"
    TIMESTAMP = "timestamp"
    """A timestamp: `ColumnSchema.unit` ("s", "ms", "us", "ns") and optional `tz`."""
    EMBEDDING = "embedding"
    """A fixed-size list: `ColumnSchema.dim` elements of `ColumnSchema.element`
    (FLOAT32, FLOAT16 or INT8), never null themselves."""

    def __str__(self) -> str:
        return self.value


_PLAIN = {
    DType.BOOL: pa.bool_(),
    DType.INT8: pa.int8(),
    DType.INT16: pa.int16(),
    DType.INT32: pa.int32(),
    DType.INT64: pa.int64(),
    DType.UINT8: pa.uint8(),
    DType.UINT16: pa.uint16(),
    DType.UINT32: pa.uint32(),
    DType.UINT64: pa.uint64(),
    DType.FLOAT16: pa.float16(),
    DType.FLOAT32: pa.float32(),
    DType.FLOAT64: pa.float64(),
    DType.UTF8: pa.utf8(),
    DType.BINARY: pa.binary(),
    DType.DATE32: pa.date32(),
}
_EMBEDDING_ELEMENTS = (DType.FLOAT32, DType.FLOAT16, DType.INT8)


@dataclass(frozen=True)
class ColumnSchema:
    """One column: its type and whether it may hold nulls.

    Embeddings: `ColumnSchema(DType.EMBEDDING, dim=128)` (float32 elements unless
    `element` says FLOAT16 or INT8). Timestamps: `ColumnSchema(DType.TIMESTAMP, unit="us",
    tz="UTC")`.
    """

    dtype: DType
    nullable: bool = True
    dim: Optional[int] = None
    element: DType = DType.FLOAT32
    unit: str = "us"
    tz: Optional[str] = None

    def __post_init__(self):
        object.__setattr__(self, "dtype", _dtype(self.dtype))
        object.__setattr__(self, "element", _dtype(self.element))
        if self.dtype == DType.EMBEDDING:
            if not isinstance(self.dim, int) or self.dim < 1:
                raise InvalidArgumentError("an EMBEDDING column needs dim >= 1")
            if self.element not in _EMBEDDING_ELEMENTS:
                raise InvalidArgumentError(
                    f"embedding elements are FLOAT32, FLOAT16 or INT8, not {self.element.name}"
                )
        if self.dtype == DType.TIMESTAMP and self.unit not in ("s", "ms", "us", "ns"):
            raise InvalidArgumentError(f"timestamp unit {self.unit!r} is not s, ms, us or ns")

    def to_arrow(self) -> pa.DataType:
        """The Arrow type of the column."""
        if self.dtype == DType.EMBEDDING:
            item = pa.field("item", _PLAIN[self.element], nullable=False)
            return pa.list_(item, self.dim)
        if self.dtype == DType.TIMESTAMP:
            return pa.timestamp(self.unit, tz=self.tz)
        return _PLAIN[self.dtype]

    @classmethod
    def from_arrow(cls, data_type: pa.DataType, nullable: bool = True) -> "ColumnSchema":
        """The column of an Arrow type; `UnsupportedError` for a type libmurr does not store."""
        for dtype, arrow in _PLAIN.items():
            if data_type == arrow:
                return cls(dtype, nullable)
        if pa.types.is_timestamp(data_type):
            return cls(DType.TIMESTAMP, nullable, unit=data_type.unit, tz=data_type.tz)
        if pa.types.is_fixed_size_list(data_type):
            for element in _EMBEDDING_ELEMENTS:
                if data_type.value_type == _PLAIN[element]:
                    return cls(DType.EMBEDDING, nullable, dim=data_type.list_size, element=element)
        raise UnsupportedError(f"libmurr does not store Arrow type {data_type}")


def _dtype(value) -> DType:
    try:
        return DType(value)
    except ValueError:
        raise InvalidArgumentError(f"unknown dtype {value!r}") from None


@dataclass(frozen=True)
class TableSchema:
    """A table: the name of its key column (utf8, int64 or uint64) and its columns in
    order, the key column among them."""

    key: str
    columns: Dict[str, ColumnSchema] = field(default_factory=dict)

    def __post_init__(self):
        if self.key not in self.columns:
            raise InvalidArgumentError(
                f"the key column {self.key!r} is not among the columns {list(self.columns)}"
            )

    def to_arrow(self) -> pa.Schema:
        """The Arrow schema (key column not nullable whatever its ColumnSchema says)."""
        fields = [
            pa.field(name, col.to_arrow(), nullable=col.nullable and name != self.key)
            for name, col in self.columns.items()
        ]
        return pa.schema(fields, metadata={"murr.key": self.key})

    @classmethod
    def from_arrow(cls, schema: pa.Schema, key: Optional[str] = None) -> "TableSchema":
        """The table schema of an Arrow schema; `key` defaults to its "murr.key" metadata."""
        if key is None:
            meta = schema.metadata or {}
            raw = meta.get(b"murr.key")
            if raw is None:
                raise InvalidArgumentError("no key column given and no murr.key metadata")
            key = raw.decode()
        columns = {f.name: ColumnSchema.from_arrow(f.type, f.nullable) for f in schema}
        return cls(key=key, columns=columns)
