package murr

// #include "shim.h"
import "C"

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Snapshot is a consistent read view of a database: reads through it see the database as
// it was when it was taken, whatever is written later. Its reads are safe for concurrent
// use. Close it once done (it pins the memtables and segment files it reads); its database
// is freed only after.
type Snapshot struct {
	ptr *C.murr_snapshot_t
	db  *DB
	h   handle
}

// Snapshot takes a snapshot of the database.
func (db *DB) Snapshot() (*Snapshot, error) {
	if !db.h.acquire() {
		return nil, db.closedError()
	}
	var c call
	var ptr *C.murr_snapshot_t
	if err := c.check(C.murr_db_snapshot(db.ptr, &ptr, &c.e)); err != nil {
		db.h.release()
		return nil, err
	}
	// The snapshot keeps the database's reference taken above until it is freed.
	s := &Snapshot{ptr: ptr, db: db}
	s.h.init(func() {
		C.murr_snapshot_free(ptr)
		db.h.release()
	})
	return s, nil
}

// Seq is the sequence number of the newest write the snapshot sees (0 once closed).
func (s *Snapshot) Seq() uint64 {
	if !s.h.acquire() {
		return 0
	}
	defer s.h.release()
	return uint64(C.murr_snapshot_seq(s.ptr))
}

// Close frees the snapshot once the reads running on it return. A second Close fails
// with StatusClosed; scan readers opened from it stay valid.
func (s *Snapshot) Close() error {
	if !s.h.drop() {
		return newError(StatusClosed, "the snapshot is closed already")
	}
	return nil
}

// Read is DB.Read as of the snapshot.
func (s *Snapshot) Read(table string, keys arrow.Array, columns []string) (arrow.RecordBatch, []bool, error) {
	return view{snap: s}.read(table, keys, columns)
}

// ReadFloat32 is DB.ReadFloat32 as of the snapshot.
func (s *Snapshot) ReadFloat32(table string, keys []string, columns []string, fill float32, out []float32, found []bool) error {
	return view{snap: s}.readFloat32(table, keys, columns, fill, out, found)
}

// ReadFloat32Int64 is DB.ReadFloat32Int64 as of the snapshot.
func (s *Snapshot) ReadFloat32Int64(table string, keys []int64, columns []string, fill float32, out []float32, found []bool) error {
	return view{snap: s}.readFloat32Int64(table, keys, columns, fill, out, found)
}

// ReadFloat32Uint64 is DB.ReadFloat32Uint64 as of the snapshot.
func (s *Snapshot) ReadFloat32Uint64(table string, keys []uint64, columns []string, fill float32, out []float32, found []bool) error {
	return view{snap: s}.readFloat32Uint64(table, keys, columns, fill, out, found)
}

// Scan is DB.Scan as of the snapshot.
func (s *Snapshot) Scan(table string, columns []string) (array.RecordReader, error) {
	return view{snap: s}.scan(table, columns)
}
