package murr

// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/cdata"
)

// Write upserts rec into table by key (a partial upsert: rec carries the key column and
// any subset of the other columns, matched by name, each of the table's type; columns it
// leaves out keep their values). Returns the write's sequence number; once it returns the
// write is visible to every later read. A batch not matching the table fails with
// StatusSchemaMismatch, with nothing written.
//
// rec stays the caller's (release it as usual): its buffers are copied once into C memory,
// which libmurr keeps until it no longer needs them.
func (db *DB) Write(table string, rec arrow.RecordBatch) (uint64, error) {
	if rec == nil {
		return 0, newError(StatusInvalidArgument, "Write to table %q: the record is nil", table)
	}
	ctable, err := cString(table, "table name")
	if err != nil {
		return 0, err
	}
	defer C.free(unsafe.Pointer(ctable))
	arr := recordToC(rec)
	defer arr.Release()
	return db.move(arr, rec.Schema(), func(ca *C.struct_ArrowArray, cs *C.struct_ArrowSchema, seq *C.uint64_t, c *call) C.murr_status_t {
		return C.murr_db_write(db.ptr, ctable, ca, cs, seq, &c.e)
	})
}

// Delete deletes keys (an array of the key column's type, no nulls) from table; absent keys
// are fine. Returns the delete's sequence number.
func (db *DB) Delete(table string, keys arrow.Array) (uint64, error) {
	if keys == nil {
		return 0, newError(StatusInvalidArgument, "Delete from table %q: the keys are nil", table)
	}
	ctable, err := cString(table, "table name")
	if err != nil {
		return 0, err
	}
	defer C.free(unsafe.Pointer(ctable))
	data := toC(keys.Data())
	defer data.Release()
	arr := arrowMake(data)
	defer arr.Release()
	return db.move(arr, nil, func(ca *C.struct_ArrowArray, cs *C.struct_ArrowSchema, seq *C.uint64_t, c *call) C.murr_status_t {
		return C.murrgo_delete_arrow(db.ptr, ctable, ca, cs, seq, &c.e)
	})
}

// move exports arr (in C memory; a struct array with the fields of schema when schema is
// not nil, else a plain array) and hands it to libmurr through fn, which moves it (a
// write) or borrows it (a delete: released here after the call).
func (db *DB) move(arr arrow.Array, schema *arrow.Schema, fn func(*C.struct_ArrowArray, *C.struct_ArrowSchema, *C.uint64_t, *call) C.murr_status_t) (uint64, error) {
	if !db.h.acquire() {
		return 0, db.closedError()
	}
	defer db.h.release()
	// Zeroed C memory, as arrow-go's export requires.
	ca := (*C.struct_ArrowArray)(C.calloc(1, C.sizeof_struct_ArrowArray))
	defer C.free(unsafe.Pointer(ca))
	cs := (*C.struct_ArrowSchema)(C.calloc(1, C.sizeof_struct_ArrowSchema))
	defer freeSchema(cs)
	if schema != nil {
		cdata.ExportArrowSchema(schema, (*cdata.CArrowSchema)(unsafe.Pointer(cs)))
		cdata.ExportArrowArray(arr, (*cdata.CArrowArray)(unsafe.Pointer(ca)), nil)
	} else {
		cdata.ExportArrowArray(arr, (*cdata.CArrowArray)(unsafe.Pointer(ca)), (*cdata.CArrowSchema)(unsafe.Pointer(cs)))
	}
	// A write moves the array (its release is NULL on return: releasing it here is a no-op
	// then); a delete borrows it, and this releases it.
	defer C.murrgo_release_array(ca)
	var seq C.uint64_t
	var c call
	if err := c.check(fn(ca, cs, &seq, &c)); err != nil {
		return 0, err
	}
	return uint64(seq), nil
}
