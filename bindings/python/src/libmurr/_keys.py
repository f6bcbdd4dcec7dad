"""Sorting the keys of a read or delete into the C ABI's three forms: C strings, int64
values (both owned by the caller for the call only) and Arrow arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from . import _arrow
from .errors import InvalidArgumentError

STR = 0
I64 = 1
ARROW = 2


class Keys:
    """Keys ready for one native call: `kind` (STR, I64 or ARROW), `count`, and `ptr`
    (a `char **` array, an int64 pointer, or the `pa.Array` for ARROW)."""

    __slots__ = ("kind", "count", "ptr", "keep")

    def __init__(self, kind: int, count: int, ptr: Any, keep: Any = None):
        self.kind = kind
        self.count = count
        self.ptr = ptr
        self.keep = keep


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
    return _arrow_keys(pa.array(keys.keep.astype(np.uint64)))


def as_python(keys: Keys):
    """Turns ARROW keys into STR or I64 ones (the dense read takes only those)."""
    if keys.kind != ARROW:
        return keys
    array = keys.ptr
    if pa.types.is_string(array.type):
        return _str_keys(array.to_pylist())
    if pa.types.is_integer(array.type) and array.type != pa.uint64():
        return _i64_keys(array.to_numpy(zero_copy_only=False))
    raise InvalidArgumentError(f"read_tensor takes utf8 or int64 keys, not {array.type}")
