"""Sorting the keys of a read or delete into the forms of the C ABI's key descriptor
(`murr_keys_t`): C strings, int64 or uint64 values (borrowed for the call only) and Arrow
arrays."""

from __future__ import annotations

import ctypes
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np
import pyarrow as pa

from . import _arrow, _native
from .errors import InvalidArgumentError

STR = 0
I64 = 1
ARROW = 2


class Keys:
    """Keys ready for one native call: `kind` (STR, I64 or ARROW), `count`, and `ptr`
    (a `char **` array, an int64 pointer, or the `pa.Array` for ARROW); `desc` says what
    the caller passed, in Python terms ("int", "str", "numpy uint64", ...), for errors."""

    __slots__ = ("kind", "count", "ptr", "keep", "desc")

    def __init__(self, kind: int, count: int, ptr: Any, keep: Any = None, desc: str = ""):
        self.kind = kind
        self.count = count
        self.ptr = ptr
        self.keep = keep
        self.desc = desc

    def arrow_type(self) -> pa.DataType:
        """The Arrow type libmurr sees for these keys."""
        if self.kind == STR:
            return pa.utf8()
        if self.kind == I64:
            return pa.int64()
        return self.ptr.type


def _str_keys(keys) -> Keys:
    """str keys as a `char **` array built without a Python object per key: one UTF-8
    buffer of the NUL-separated keys, and numpy computing each key's address in it."""
    try:
        buf = "\0".join(keys).encode() + b"\0"
    except TypeError:
        raise InvalidArgumentError("keys mix str and other types") from None
    count = len(keys)
    view = np.frombuffer(buf, np.uint8)  # shares the bytes' memory
    ends = np.flatnonzero(view == 0)
    if len(ends) != count:
        # A key holds a NUL, where a C string would stop: send them as an Arrow array.
        return _arrow_keys(pa.array(keys, pa.utf8()))
    base = view.__array_interface__["data"][0]
    ptrs = np.empty(count, np.uintp)
    ptrs[0] = base
    ptrs[1:] = ends[:-1] + (base + 1)
    return Keys(STR, count, ptrs.ctypes.data, (buf, ptrs))


def _i64_keys(values: np.ndarray) -> Keys:
    values = np.ascontiguousarray(values, dtype=np.int64)
    return Keys(I64, len(values), values.ctypes.data, values)


def _arrow_keys(array: pa.Array) -> Keys:
    if array.null_count:
        raise InvalidArgumentError("keys may not be null")
    return Keys(ARROW, len(array), array)


def prepare(keys: Any) -> Keys:
    """Keys in the cheapest form for libmurr: a list of str as C strings, Python or numpy
    int64 integers as an int64 buffer (numpy's own, no copy), everything else (pyarrow
    arrays, pandas or polars Series, uint64) as an Arrow array."""
    out = _prepare(keys)
    out.desc = _describe(keys, out)
    return out


def _describe(keys: Any, prepared: Keys) -> str:
    """What the caller passed, as a Python programmer would name it."""
    if isinstance(keys, (list, tuple)):
        if not keys:
            return "no"
        first = type(keys[0])
        if first.__module__ == "builtins":
            return first.__name__
        return f"{first.__module__.split('.')[0]} {first.__name__}"
    if isinstance(keys, np.ndarray):
        return f"numpy {keys.dtype}"
    arrow = prepared.arrow_type()
    if isinstance(keys, (pa.Array, pa.ChunkedArray)):
        return f"pyarrow {arrow}"
    return f"{type(keys).__module__.split('.')[0]} {type(keys).__name__} of {arrow}"


def _prepare(keys: Any) -> Keys:
    if isinstance(keys, (str, bytes)):
        raise InvalidArgumentError("keys must be a sequence of keys, not one string")
    if isinstance(keys, (list, tuple)):
        if not keys:
            return Keys(STR, 0, None)
        first = keys[0]
        if isinstance(first, str):
            return _str_keys(keys)
        if isinstance(first, (int, np.integer)) and not isinstance(first, bool):
            try:
                return _i64_keys(np.array(keys, dtype=np.int64))
            except (OverflowError, TypeError, ValueError):
                pass  # beyond int64: uint64 keys, as an Arrow array
        try:
            return _arrow_keys(pa.array(keys))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            pass
        try:
            return _arrow_keys(pa.array(keys, pa.uint64()))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as e:
            raise InvalidArgumentError(f"keys: {e}") from None
    if isinstance(keys, np.ndarray):
        if keys.ndim != 1:
            raise InvalidArgumentError("keys must be one-dimensional")
        if keys.dtype.kind == "i":
            return _i64_keys(keys)
        if keys.dtype.kind in "UO":
            return prepare(keys.tolist())
    try:
        return _arrow_keys(_arrow.key_array(keys))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as e:
        raise InvalidArgumentError(f"keys: {e}") from None


def as_unsigned(keys: Keys):
    """I64 keys, all non-negative, as a uint64 Arrow array (for a retry on a table keyed by
    uint64, which refuses int64 keys); None if they are not such keys."""
    if keys.kind != I64 or keys.count == 0 or int(keys.keep.min()) < 0:
        return None
    out = _arrow_keys(pa.array(keys.keep.astype(np.uint64)))
    out.desc = keys.desc
    return out


def empty(key_type: pa.DataType) -> Keys:
    """No keys, as an Arrow array of `key_type`."""
    return _arrow_keys(pa.array([], key_type))


def fits(keys: Keys, key_type: pa.DataType) -> bool:
    """Whether libmurr takes `keys` as they are for a key column of `key_type`."""
    return keys.arrow_type() == key_type


def check_dense(keys: Keys) -> Keys:
    """`keys` if the dense read takes them (str, int64 or uint64 keys; a str key may hold
    NUL, sent with its length), else `InvalidArgumentError` naming what was passed."""
    if keys.kind != ARROW:
        return keys
    data_type = keys.ptr.type
    if pa.types.is_string(data_type) or pa.types.is_large_string(data_type) or pa.types.is_integer(data_type):
        return keys
    raise InvalidArgumentError(f"read_tensor takes str or int keys; got {keys.desc} keys")


@contextmanager
def descriptor(keys: Keys) -> Iterator[_native.Keys]:
    """`keys` as a `murr_keys_t` for one native call: C strings, int64 values or, for a
    uint64 Arrow array without nulls, its values buffer (no copy); other Arrow arrays are
    exported through the C Data Interface and released when the call is done."""
    desc = _native.Keys()
    exported = None
    if keys.kind == STR:
        desc.kind, desc.count, desc.data = _native.KEYS_CSTR, keys.count, keys.ptr
    elif keys.kind == I64:
        desc.kind, desc.count, desc.data = _native.KEYS_INT64, keys.count, keys.ptr
    elif keys.ptr.type == pa.uint64() and keys.ptr.null_count == 0:
        values = keys.ptr.to_numpy(zero_copy_only=True)
        desc.kind, desc.count = _native.KEYS_UINT64, len(values)
        desc.data = values.ctypes.data if len(values) else None
        exported = values  # kept alive for the call
    else:
        c_array, c_schema = _arrow.export_array(keys.ptr)
        exported = (c_array, c_schema)
        desc.kind, desc.count = _native.KEYS_ARROW, len(keys.ptr)
        desc.array = ctypes.pointer(c_array)
        desc.schema = ctypes.pointer(c_schema)
    try:
        yield desc
    finally:
        if isinstance(exported, tuple):
            _arrow.release_array(exported[0])
            _arrow.release_schema(exported[1])
