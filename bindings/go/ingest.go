package murr

// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/cdata"
)

// Ingest bulk-loads every batch of reader into table as one upsert
// (murr_db_ingest_stream): the rows are sorted by key straight into the table's segments,
// bypassing the log and the memtable; the way to load large inputs. The batches carry the
// key column and any of the table's other columns, matched by name, each of the table's
// type (nothing is cast); columns the table lacks are ignored, table columns they lack
// keep their values (a partial upsert), and a key repeated in the stream takes its last
// row.
//
// All or nothing: once it returns nil every row is readable; on an error none is and the
// table is unchanged. A missing key column, a column of another type, a null key or nulls
// in a column declared not nullable fail with StatusSchemaMismatch; an error of the reader
// (its Err) with StatusArrow. A bulk ingest is not in the change feed (see Changes).
//
// reader stays the caller's (release it as usual); Ingest reads it to its end before it
// returns (one batch at a time, each copied into C memory for libmurr, which keeps nothing
// of it after the call).
func (db *DB) Ingest(table string, reader array.RecordReader) error {
	if reader == nil {
		return newError(StatusInvalidArgument, "Ingest into table %q: the reader is nil", table)
	}
	ctable, err := cString(table, "table name")
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(ctable))
	if !db.h.acquire() {
		return db.closedError()
	}
	defer db.h.release()
	// Zeroed C memory, as arrow-go's export requires. The stream holds a cgo.Handle (not a
	// Go pointer) to a reader whose batches are copied into C memory (cgo forbids Go
	// pointers stored in C memory).
	stream := (*C.struct_ArrowArrayStream)(C.calloc(1, C.sizeof_struct_ArrowArrayStream))
	defer C.free(unsafe.Pointer(stream))
	cr := &cReader{inner: reader}
	cr.refs.Store(1)
	cdata.ExportRecordReader(cr, (*cdata.CArrowArrayStream)(unsafe.Pointer(stream)))
	cr.Release() // the stream holds its own reference now
	// libmurr moves the stream (its release is NULL on return); released here otherwise.
	defer func() {
		if stream.release != nil {
			cdata.ReleaseCArrowArrayStream((*cdata.CArrowArrayStream)(unsafe.Pointer(stream)))
		}
	}()
	var c call
	return c.check(C.murr_db_ingest_stream(db.ptr, ctable, stream, &c.e))
}

// IngestFile bulk-loads the file at path into table as one upsert, as Ingest does
// (murr_db_ingest_file): Arrow IPC in the file or the stream format, told by the file's
// first bytes; only the table's columns are read. libmurr reads no Parquet (a Parquet
// file fails with StatusInvalidArgument): read it with arrow-go's pqarrow and pass its
// batches to Ingest. All or nothing, as Ingest. Errors besides its own: a missing file
// (StatusIO), a file of another format (StatusInvalidArgument), a damaged or truncated
// file (StatusCorrupt, naming it).
func (db *DB) IngestFile(table, path string) error {
	ctable, err := cString(table, "table name")
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(ctable))
	cpath, err := cString(path, "path")
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cpath))
	if !db.h.acquire() {
		return db.closedError()
	}
	defer db.h.release()
	var c call
	return c.check(C.murr_db_ingest_file(db.ptr, ctable, cpath, &c.e))
}

// cReader reads the caller's reader and hands out each batch copied into C memory (what
// the exported stream gives libmurr). It never releases the caller's reader.
type cReader struct {
	inner array.RecordReader
	cur   arrow.RecordBatch
	refs  atomic.Int64
}

func (r *cReader) Retain() { r.refs.Add(1) }

func (r *cReader) Release() {
	if r.refs.Add(-1) == 0 {
		r.drop()
	}
}

func (r *cReader) drop() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}

func (r *cReader) Schema() *arrow.Schema { return r.inner.Schema() }

func (r *cReader) Next() bool {
	r.drop()
	// libmurr calls this back on the thread of the cgo call, which is locked to it; the
	// caller's reader is advanced on a goroutine of its own, as on any other: a reader
	// built on a coroutine (array.ReaderFromIter, iter.Pull) must not be resumed from a
	// locked thread.
	next := make(chan bool, 1)
	go func() { next <- r.inner.Next() }()
	if !<-next {
		return false
	}
	rec := r.inner.RecordBatch()
	cols := make([]arrow.Array, rec.NumCols())
	for i, col := range rec.Columns() {
		data := toC(col.Data())
		cols[i] = arrowMake(data)
		data.Release()
	}
	r.cur = array.NewRecordBatch(rec.Schema(), cols, rec.NumRows())
	for _, col := range cols {
		col.Release()
	}
	return true
}

func (r *cReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is RecordBatch.
//
// Deprecated: use RecordBatch (arrow-go's own deprecation).
func (r *cReader) Record() arrow.RecordBatch { return r.cur }

func (r *cReader) Err() error { return r.inner.Err() }
