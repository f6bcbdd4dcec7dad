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

// Scan streams every live row of table in key order (utf8 keys bytewise, integer keys
// numerically) as record batches of columns (nil: every column, the key first; every
// column nullable), as of this call: writes made while it is read change nothing in it.
// An unknown table or column fails here. Batches are imported zero-copy; the reader owns
// each one until the next call to Next (Retain it to keep it). Release the reader once
// done (the database is freed only after). After DB.Close, Next fails and Err says so. A
// reader is read by one goroutine at a time.
func (db *DB) Scan(table string, columns []string) (array.RecordReader, error) {
	return view{db: db}.scan(table, columns)
}

func (v view) scan(table string, columns []string) (array.RecordReader, error) {
	names, err := packNames(columns, "column name")
	if err != nil {
		return nil, err
	}
	ctable, err := cString(table, "table name")
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(ctable))
	dbp, snap, h, err := v.enter()
	if err != nil {
		return nil, err
	}
	defer h.release()
	// The reader holds its own reference on the database: libmurr wants every stream
	// released before the database is freed (a snapshot may be freed before).
	db := v.owner()
	if !db.h.acquire() {
		return nil, db.closedError()
	}
	var stream C.struct_ArrowArrayStream
	var c call
	if err := c.check(C.murrgo_scan(dbp, snap, ctable, bytesPtr(names), C.size_t(len(columns)), &stream, &c.e)); err != nil {
		db.h.release()
		return nil, err
	}
	// Moves the stream into C memory of arrow-go's (released on error too).
	r, err := cdata.ImportCRecordReader((*cdata.CArrowArrayStream)(unsafe.Pointer(&stream)), nil)
	if err != nil {
		db.h.release()
		return nil, newError(StatusArrow, "opening the scan of table %q: %v", table, err)
	}
	inner, ok := r.(array.RecordReader)
	if !ok {
		db.h.release()
		return nil, newError(StatusInternal, "arrow-go's stream reader is not an array.RecordReader")
	}
	s := &scanReader{inner: inner, db: db, table: table}
	s.refs.Store(1)
	return s, nil
}

// Changes streams the change feed of table: every write and delete of it with a sequence
// number above sinceSeq, in sequence order, up to the newest write visible at this call.
// Columns, by position: _seq (uint64), _op ("write" or "delete"), the key, every other
// column of the table (null when not written and for deletes), _present (a fixed-size list
// of bools: which of those columns the write carried). Replaying the rows onto a map
// rebuilds the table: a write sets the columns _present marks, a delete removes the key.
// The schema's metadata "murr.changes.end_seq" is where the next feed starts. A start older
// than the logs kept fails with ErrChangesNotRetained (see Options.ChangeRetentionBytes
// and ChangesOldestSince); a bulk ingest is not in the log, so reading past its marker
// fails (resynchronise from a scan). Release the reader once done,
// as a Scan's.
func (db *DB) Changes(table string, sinceSeq uint64) (array.RecordReader, error) {
	ctable, err := cString(table, "table name")
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(ctable))
	dbp, _, h, err := view{db: db}.enter()
	if err != nil {
		return nil, err
	}
	defer h.release()
	if !db.h.acquire() {
		return nil, db.closedError()
	}
	var stream C.struct_ArrowArrayStream
	var c call
	if err := c.check(C.murr_db_changes(dbp, ctable, C.uint64_t(sinceSeq), &stream, &c.e)); err != nil {
		db.h.release()
		return nil, err
	}
	r, err := cdata.ImportCRecordReader((*cdata.CArrowArrayStream)(unsafe.Pointer(&stream)), nil)
	if err != nil {
		db.h.release()
		return nil, newError(StatusArrow, "opening the change feed of table %q: %v", table, err)
	}
	inner, ok := r.(array.RecordReader)
	if !ok {
		db.h.release()
		return nil, newError(StatusInternal, "arrow-go's stream reader is not an array.RecordReader")
	}
	s := &scanReader{inner: inner, db: db, table: table}
	s.refs.Store(1)
	return s, nil
}

// ChangesOldestSince is the smallest sinceSeq Changes accepts now.
func (db *DB) ChangesOldestSince() (uint64, error) {
	dbp, _, h, err := view{db: db}.enter()
	if err != nil {
		return 0, err
	}
	defer h.release()
	var out C.uint64_t
	var c call
	if err := c.check(C.murr_db_changes_oldest_since(dbp, &out, &c.e)); err != nil {
		return 0, err
	}
	return uint64(out), nil
}

// scanReader is arrow-go's reader of the C stream, plus the database reference released
// with it.
type scanReader struct {
	inner array.RecordReader
	db    *DB
	table string
	refs  atomic.Int64
}

// Retain adds a reference to the reader.
func (s *scanReader) Retain() { s.refs.Add(1) }

// Release drops a reference; the last one releases the stream, then the database's
// reference.
func (s *scanReader) Release() {
	if s.refs.Add(-1) == 0 {
		s.inner.Release()
		s.db.h.release()
	}
}

// Schema is the schema of the batches.
func (s *scanReader) Schema() *arrow.Schema { return s.inner.Schema() }

// Next moves to the next batch; false at the end or on failure (see Err).
func (s *scanReader) Next() bool { return s.inner.Next() }

// RecordBatch is the current batch, valid until the next call to Next.
func (s *scanReader) RecordBatch() arrow.RecordBatch { return s.inner.RecordBatch() }

// Record is RecordBatch.
//
// Deprecated: use RecordBatch (arrow-go's own deprecation).
func (s *scanReader) Record() arrow.RecordBatch { return s.inner.RecordBatch() }

// Err is the failure that ended the scan, if any: an *Error of StatusArrow carrying the
// stream's errno and libmurr's message.
func (s *scanReader) Err() error {
	if err := s.inner.Err(); err != nil {
		return newError(StatusArrow, "scan of table %q: %v", s.table, err)
	}
	return nil
}
