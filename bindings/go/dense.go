package murr

// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"strings"
	"sync"
	"unsafe"
)

// ReadFloat32 is the dense read: it fills out (at least len(keys)*len(columns) floats,
// row-major: out[i*len(columns)+j] is keys[i], columns[j]) with the values of columns cast
// to float32 (bool: 0/1), fill for nulls and absent keys, as of now. Each column must be
// numeric or bool, else StatusSchemaMismatch before anything is read. found is nil or holds
// at least len(keys) entries, set to whether each key is in the table. No Arrow structures
// and no allocation proportional to the result; out is unspecified on failure.
func (db *DB) ReadFloat32(table string, keys []string, columns []string, fill float32, out []float32, found []bool) error {
	return view{db: db}.readFloat32(table, keys, columns, fill, out, found)
}

// ReadFloat32Int64 is ReadFloat32 for a table keyed by int64.
func (db *DB) ReadFloat32Int64(table string, keys []int64, columns []string, fill float32, out []float32, found []bool) error {
	return view{db: db}.readFloat32Int64(table, keys, columns, fill, out, found)
}

// ReadFloat32Uint64 is ReadFloat32 for a table keyed by uint64 (every uint64 key, those
// above 2^63 included, looks up exactly; int64 keys do not look up a uint64 table).
func (db *DB) ReadFloat32Uint64(table string, keys []uint64, columns []string, fill float32, out []float32, found []bool) error {
	return view{db: db}.readFloat32Uint64(table, keys, columns, fill, out, found)
}

// keyBufs recycles the buffers that carry string keys to C (NUL-separated).
var keyBufs = sync.Pool{New: func() any { return new([]byte) }}

func (v view) readFloat32(table string, keys []string, columns []string, fill float32, out []float32, found []bool) error {
	if err := checkDense(table, len(keys), len(columns), out, found); err != nil {
		return err
	}
	bp := keyBufs.Get().(*[]byte)
	defer keyBufs.Put(bp)
	buf := (*bp)[:0]
	for _, k := range keys {
		if strings.IndexByte(k, 0) >= 0 {
			return newError(StatusInvalidArgument, "the key %q holds a NUL byte", k)
		}
		buf = append(buf, k...)
		buf = append(buf, 0)
	}
	*bp = buf
	return v.dense(table, columns, len(keys), out, found, func(dbp *C.murr_db_t, snap *C.murr_snapshot_t, ctable *C.char, names *C.char, outp *C.float, foundp *C.uint8_t, c *call) C.murr_status_t {
		return C.murrgo_read_f32_str(dbp, snap, ctable, bytesPtr(buf), C.size_t(len(keys)), names, C.size_t(len(columns)), C.float(fill), outp, foundp, &c.e)
	})
}

func (v view) readFloat32Int64(table string, keys []int64, columns []string, fill float32, out []float32, found []bool) error {
	return v.readFloat32Int(table, C.MURR_KEYS_INT64, intKeys(keys), len(keys), columns, fill, out, found)
}

func (v view) readFloat32Uint64(table string, keys []uint64, columns []string, fill float32, out []float32, found []bool) error {
	return v.readFloat32Int(table, C.MURR_KEYS_UINT64, intKeys(keys), len(keys), columns, fill, out, found)
}

// intKeys is the address of the first of keys (Go memory passed to C for one call only);
// nil when there are none.
func intKeys[K int64 | uint64](keys []K) unsafe.Pointer {
	if len(keys) == 0 {
		return nil
	}
	return unsafe.Pointer(&keys[0])
}

// readFloat32Int is the dense read of n integer keys at kp, of key kind (MURR_KEYS_INT64
// or MURR_KEYS_UINT64).
func (v view) readFloat32Int(table string, kind C.int32_t, kp unsafe.Pointer, n int, columns []string, fill float32, out []float32, found []bool) error {
	if err := checkDense(table, n, len(columns), out, found); err != nil {
		return err
	}
	return v.dense(table, columns, n, out, found, func(dbp *C.murr_db_t, snap *C.murr_snapshot_t, ctable *C.char, names *C.char, outp *C.float, foundp *C.uint8_t, c *call) C.murr_status_t {
		return C.murrgo_read_f32_int(dbp, snap, ctable, kind, kp, C.size_t(n), names, C.size_t(len(columns)), C.float(fill), outp, foundp, &c.e)
	})
}

// checkDense refuses output buffers too small for the read.
func checkDense(table string, nKeys, nColumns int, out []float32, found []bool) error {
	if len(out) < nKeys*nColumns {
		return newError(StatusInvalidArgument, "dense read of table %q: out holds %d floats, %d keys x %d columns need %d", table, len(out), nKeys, nColumns, nKeys*nColumns)
	}
	if found != nil && len(found) < nKeys {
		return newError(StatusInvalidArgument, "dense read of table %q: found holds %d entries for %d keys", table, len(found), nKeys)
	}
	return nil
}

// dense runs one dense read through fn with the C forms of its arguments.
func (v view) dense(table string, columns []string, nKeys int, out []float32, found []bool, fn func(*C.murr_db_t, *C.murr_snapshot_t, *C.char, *C.char, *C.float, *C.uint8_t, *call) C.murr_status_t) error {
	names, err := packNames(columns, "column name")
	if err != nil {
		return err
	}
	ctable, err := cString(table, "table name")
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(ctable))
	var outp *C.float
	if len(out) > 0 {
		outp = (*C.float)(unsafe.Pointer(&out[0]))
	}
	var foundp *C.uint8_t
	if nKeys > 0 && found != nil {
		foundp = (*C.uint8_t)(unsafe.Pointer(&found[0]))
	}
	dbp, snap, h, err := v.enter()
	if err != nil {
		return err
	}
	defer h.release()
	var c call
	return c.check(fn(dbp, snap, ctable, bytesPtr(names), outp, foundp, &c))
}
