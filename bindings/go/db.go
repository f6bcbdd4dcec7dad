package murr

// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"strings"
	"sync"
	"unsafe"
)

// DB is an open libmurr database. Every method is safe for concurrent use by any number of
// goroutines, Close included (calls racing Close either complete or fail with
// StatusClosed). Close it once done: the native handle is freed once it is closed and every
// Snapshot and scan reader opened from it is released.
type DB struct {
	ptr       *C.murr_db_t
	h         handle
	dir       string
	closeOnce sync.Once
	schemas   schemaCache
}

// Open opens (creating it unless opts.CreateIfMissing is false) the database in directory
// dir and recovers its log. opts nil means DefaultOptions(). A directory open already, here
// or in another process, fails with StatusLocked.
func Open(dir string, opts *Options) (*DB, error) {
	cdir, err := cString(dir, "directory")
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cdir))
	if opts == nil {
		o := DefaultOptions()
		opts = &o
	}
	copts, err := opts.toC()
	if err != nil {
		return nil, err
	}
	var c call
	var ptr *C.murr_db_t
	if err := c.check(C.murr_db_open(cdir, &copts, &ptr, &c.e)); err != nil {
		return nil, err
	}
	db := &DB{ptr: ptr, dir: dir}
	db.h.init(func() { C.murr_db_free(ptr) })
	return db, nil
}

// Close flushes the memtables, syncs the log and releases the directory lock. Later calls
// fail with StatusClosed, a second Close included. If the flush fails the database is
// closed all the same (the next Open recovers the writes from the log) and the flush's
// error is returned.
func (db *DB) Close() error {
	var err error
	first := false
	db.closeOnce.Do(func() {
		first = true
		if db.h.acquire() {
			var c call
			err = c.check(C.murr_db_close(db.ptr, &c.e))
			db.h.release()
		}
		db.h.drop()
	})
	if !first {
		return db.closedError()
	}
	return err
}

// Flush writes every memtable to segments and makes them durable.
func (db *DB) Flush() error {
	if !db.h.acquire() {
		return db.closedError()
	}
	defer db.h.release()
	var c call
	return c.check(C.murr_db_flush(db.ptr, &c.e))
}

// Compact flushes, then merges each table's segments into one sorted run, on the calling
// goroutine. Reads and writes go on meanwhile.
func (db *DB) Compact() error {
	if !db.h.acquire() {
		return db.closedError()
	}
	defer db.h.release()
	var c call
	return c.check(C.murr_db_compact(db.ptr, &c.e))
}

// closedError is the error of a call on a database whose native handle is gone.
func (db *DB) closedError() error {
	return newError(StatusClosed, "database %q is closed", db.dir)
}

// cString copies s into C memory (free it with C.free); what names s in errors: a string
// holding a NUL byte cannot cross to C.
func cString(s, what string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, newError(StatusInvalidArgument, "the %s %q holds a NUL byte", what, s)
	}
	return C.CString(s), nil
}

// packNames packs names NUL-separated into one buffer (what the C helpers split); nil for
// no names.
func packNames(names []string, what string) ([]byte, error) {
	if len(names) == 0 {
		return nil, nil
	}
	n := 0
	for _, s := range names {
		if strings.IndexByte(s, 0) >= 0 {
			return nil, newError(StatusInvalidArgument, "the %s %q holds a NUL byte", what, s)
		}
		n += len(s) + 1
	}
	buf := make([]byte, 0, n)
	for _, s := range names {
		buf = append(buf, s...)
		buf = append(buf, 0)
	}
	return buf, nil
}

// bytesPtr is the address of b's first byte as a C string pointer; nil when b is empty.
func bytesPtr(b []byte) *C.char {
	if len(b) == 0 {
		return nil
	}
	return (*C.char)(unsafe.Pointer(&b[0]))
}
