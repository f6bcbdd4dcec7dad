import ctypes
import threading
import time

import numpy as np
import pyarrow as pa

from libmurr import ColumnSchema, DType, TableSchema, _arrow, _keys, _native
from libmurr.db import _read_into
from libmurr.errors import Call

N = 20_000


def _features(db, rows=N):
    cols = {"key": ColumnSchema(DType.UTF8, False)}
    cols.update({f"f{c}": ColumnSchema(DType.FLOAT32, False) for c in range(3)})
    db.create_table("features", TableSchema("key", cols))
    i = np.arange(rows)
    data = {"key": pa.array([f"doc_{j}" for j in range(rows)])}
    for c in range(3):
        data[f"f{c}"] = pa.array(((i * 31 + c) % 1000 / 1000).astype(np.float32))
    db.write("features", pa.table(data))
    db.flush()


def test_numpy_array_is_the_buffer_libmurr_filled(db):
    _features(db)
    keys = [f"doc_{j}" for j in (5, 17, 3)]
    out_array = _native.ArrowArray()
    out_schema = _native.ArrowSchema()
    call = Call(db._handle.lib)
    names = _native.names_array(["f0", "f2"])
    status = _read_into(db._handle, None, b"features", _keys.prepare(keys), names,
                        out_array, out_schema, call)
    call.check(status)
    # The address of each column's value buffer, as libmurr filled the C struct.
    filled = []
    for c in range(out_array.n_children):
        child = out_array.children[c].contents
        filled.append(child.buffers[1] + child.offset * 4)
    batch = _arrow.import_batch(out_array, out_schema)
    assert not out_array.release  # moved into pyarrow
    for c, address in enumerate(filled):
        values = batch.column(c).to_numpy(zero_copy_only=True)
        assert values.ctypes.data == address
        assert not values.flags.owndata
    np.testing.assert_array_equal(
        batch.column(0).to_numpy(), np.array([(j * 31) % 1000 / 1000 for j in (5, 17, 3)], np.float32)
    )


def test_public_read_gives_zero_copy_numpy(db):
    _features(db)
    batch = db.read("features", ["doc_1", "doc_2"], ["f1"])
    values = batch.column(0).to_numpy(zero_copy_only=True)
    assert values.tolist() == [np.float32(32 / 1000), np.float32(63 / 1000)]
    # pyarrow's buffer and numpy's view are the same memory
    assert batch.column(0).buffers()[1].address == values.ctypes.data


def test_read_tensor_is_filled_in_place(db):
    _features(db, 100)
    t = db.read_tensor("features", ["doc_0", "doc_99"], ["f0", "f1", "f2"])
    assert t.flags.c_contiguous and t.flags.owndata
    np.testing.assert_array_equal(t[1], np.array([(99 * 31 + c) % 1000 / 1000 for c in range(3)], np.float32))


def test_gil_is_released_during_native_calls(db):
    _features(db)
    keys = [f"doc_{j % N}" for j in range(0, 7 * 400_000, 7)]
    k = _keys.prepare(keys)
    names = _native.names_array(["f0", "f1", "f2"])
    out = np.empty((k.count, 3), np.float32)
    window = []

    def worker():
        call = Call()
        t0 = time.perf_counter()
        with _keys.descriptor(k) as desc:
            status = _native.lib.murr_db_read_f32(
                db._handle.ptr, None, b"features", ctypes.byref(desc), names, 3, 0.0,
                out.ctypes.data, None, call.ref,
            )
        window.extend([t0, time.perf_counter()])
        call.check(status)

    stamps = []
    t = threading.Thread(target=worker)
    t.start()
    while t.is_alive():
        stamps.append(time.perf_counter())
    t.join()
    t0, t1 = window
    inside = [s for s in stamps if t0 < s < t1]
    assert t1 - t0 > 0.02, f"the native call took only {t1 - t0:.4f}s: too short to tell"
    # Holding the GIL, the call would leave this thread at most one switch interval
    # (5 ms) inside it; released, this thread runs through all of it.
    assert inside and inside[-1] - inside[0] > 0.5 * (t1 - t0)
    assert out[0, 0] == np.float32(0.0)
