package murr

// #include "shim.h"
import "C"

// view is what reads go through: the latest state of a database (snap nil) or a snapshot.
type view struct {
	db   *DB
	snap *Snapshot
}

// enter takes a reference on the handle the read uses (the snapshot's, which itself holds
// one on its database); the caller releases it once the libmurr call returned.
func (v view) enter() (*C.murr_db_t, *C.murr_snapshot_t, *handle, error) {
	if v.snap != nil {
		if !v.snap.h.acquire() {
			return nil, nil, nil, newError(StatusClosed, "the snapshot is closed")
		}
		return v.snap.db.ptr, v.snap.ptr, &v.snap.h, nil
	}
	if !v.db.h.acquire() {
		return nil, nil, nil, v.db.closedError()
	}
	return v.db.ptr, nil, &v.db.h, nil
}

// owner is the database the view reads.
func (v view) owner() *DB {
	if v.snap != nil {
		return v.snap.db
	}
	return v.db
}
