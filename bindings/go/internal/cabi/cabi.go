// Package cabi is the baseline of the Go binding's R1 benchmark: libmurr's C ABI called
// directly from Go, with the keys and column names prepared in C memory outside the timing,
// so that a call costs the C ABI plus one cgo transition and nothing of package murr. It
// reads table "features" and checks nothing (the benchmark checks the answers).
package cabi

// #include <stdlib.h>
// #include "cabi.h"
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// DB is a raw libmurr handle.
type DB struct {
	ptr   *C.murr_db_t
	cols  **C.char
	ncols int
}

// Keys is a batch of utf8 keys in C memory, as C strings and as an Arrow array.
type Keys struct {
	k *C.cabi_keys_t
	n int
}

// Open opens the database at dir (no background threads) and prepares columns.
func Open(dir string, columns []string) (*DB, error) {
	cdir := C.CString(dir)
	defer C.free(unsafe.Pointer(cdir))
	var opts C.murr_options_t
	C.murr_options_default(&opts)
	opts.background_threads = 0
	var ptr *C.murr_db_t
	if s := C.murr_db_open(cdir, &opts, &ptr, nil); s != C.MURR_OK {
		return nil, fmt.Errorf("murr_db_open: status %d", int(s))
	}
	cols := (**C.char)(C.calloc(C.size_t(len(columns)+1), C.size_t(unsafe.Sizeof((*C.char)(nil)))))
	for i, name := range columns {
		unsafe.Slice(cols, len(columns))[i] = C.CString(name)
	}
	return &DB{ptr: ptr, cols: cols, ncols: len(columns)}, nil
}

// Close frees the handle and the column names.
func (db *DB) Close() {
	for _, c := range unsafe.Slice(db.cols, db.ncols) {
		C.free(unsafe.Pointer(c))
	}
	C.free(unsafe.Pointer(db.cols))
	C.murr_db_free(db.ptr)
}

// NewKeys copies keys into C memory.
func NewKeys(keys []string) (*Keys, error) {
	var packed []byte
	for _, k := range keys {
		packed = append(packed, k...)
		packed = append(packed, 0)
	}
	packed = append(packed, 0)
	k := C.cabi_keys_new((*C.char)(unsafe.Pointer(&packed[0])), C.size_t(len(keys)))
	if k == nil {
		return nil, errors.New("cabi_keys_new: out of memory")
	}
	return &Keys{k: k, n: len(keys)}, nil
}

// Free frees the keys.
func (k *Keys) Free() { C.cabi_keys_free(k.k) }

// Read is murr_db_read_keys with the Arrow keys, the result released inside the call.
func (db *DB) Read(k *Keys, found []bool) error {
	s := C.cabi_read(db.ptr, k.k, db.cols, C.size_t(db.ncols), (*C.uint8_t)(unsafe.Pointer(&found[0])))
	if s != C.MURR_OK {
		return fmt.Errorf("murr_db_read_keys: status %d", int(s))
	}
	return nil
}

// ReadFloat32 is murr_db_read_f32 with the C-string keys.
func (db *DB) ReadFloat32(k *Keys, out []float32, found []bool) error {
	s := C.cabi_read_f32_str(db.ptr, k.k, db.cols, C.size_t(db.ncols), (*C.float)(unsafe.Pointer(&out[0])), (*C.uint8_t)(unsafe.Pointer(&found[0])))
	if s != C.MURR_OK {
		return fmt.Errorf("murr_db_read_f32: status %d", int(s))
	}
	return nil
}
