package murr

// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Read reads columns of table for keys (an array of the key column's type: utf8, int64 or
// uint64), as of now. The record has one row per key, in order, and one nullable column
// per name in columns (the key column may be among them): null for absent keys and cells
// never written. found[i] says whether keys[i] is in the table. The record is imported
// without a copy from libmurr's memory: Release it once done.
func (db *DB) Read(table string, keys arrow.Array, columns []string) (arrow.RecordBatch, []bool, error) {
	return view{db: db}.read(table, keys, columns)
}

func (v view) read(table string, keys arrow.Array, columns []string) (arrow.RecordBatch, []bool, error) {
	if keys == nil {
		return nil, nil, newError(StatusInvalidArgument, "Read from table %q: the keys are nil", table)
	}
	k, err := describeKeys(keys)
	if err != nil {
		return nil, nil, err
	}
	names, err := packNames(columns, "column name")
	if err != nil {
		return nil, nil, err
	}
	ctable, err := cString(table, "table name")
	if err != nil {
		return nil, nil, err
	}
	defer C.free(unsafe.Pointer(ctable))
	found := make([]bool, keys.Len())
	var foundPtr *C.uint8_t
	if len(found) > 0 {
		foundPtr = (*C.uint8_t)(unsafe.Pointer(&found[0]))
	}

	dbp, snap, h, err := v.enter()
	if err != nil {
		return nil, nil, err
	}
	var out C.struct_ArrowArray
	var outSchema C.struct_ArrowSchema
	var c call
	status := C.murrgo_read(dbp, snap, ctable, k.typ, k.length, k.offset, k.nulls,
		k.validity, k.values, k.data, bytesPtr(names), C.size_t(len(columns)),
		&out, &outSchema, foundPtr, &c.e)
	h.release()
	if err := c.check(status); err != nil {
		return nil, nil, err
	}
	rec, err := v.owner().schemas.importRecord(&out, &outSchema)
	if err != nil {
		return nil, nil, newError(StatusArrow, "importing the result of a read of table %q: %v", table, err)
	}
	return rec, found, nil
}

// keyBuffers are the raw buffers of a key array, as the C helper takes them.
type keyBuffers struct {
	typ                    C.char
	length, offset, nulls  C.int64_t
	validity, values, data unsafe.Pointer
}

// describeKeys returns keys' buffers (borrowed: Go memory passed to C for one call only,
// as cgo allows). Keys are utf8, int64 or uint64 arrays.
func describeKeys(keys arrow.Array) (keyBuffers, error) {
	var k keyBuffers
	switch keys.(type) {
	case *array.String:
		k.typ = 'u'
	case *array.Int64:
		k.typ = 'l'
	case *array.Uint64:
		k.typ = 'L'
	default:
		return k, newError(StatusSchemaMismatch, "keys of type %s: libmurr keys are utf8, int64 or uint64", keys.DataType())
	}
	d := keys.Data()
	k.length = C.int64_t(d.Len())
	k.offset = C.int64_t(d.Offset())
	k.nulls = C.int64_t(d.NullN())
	bufs := d.Buffers()
	k.validity = bufferPtr(bufs, 0)
	k.values = bufferPtr(bufs, 1)
	k.data = bufferPtr(bufs, 2)
	if k.validity == nil {
		k.nulls = 0
	}
	return k, nil
}

// bufferPtr is the address of buffer i's first byte; nil when absent or empty.
func bufferPtr(bufs []*memory.Buffer, i int) unsafe.Pointer {
	if i >= len(bufs) || bufs[i] == nil || bufs[i].Len() == 0 {
		return nil
	}
	return unsafe.Pointer(&bufs[i].Bytes()[0])
}
