package murr

import (
	"sync"
	"sync/atomic"
)

// handle guards a libmurr handle that must not be freed while a call runs on it or while
// something opened from it lives (libmurr's rule: murr_db_free and murr_snapshot_free run
// alone, after every snapshot and stream of the database is gone). It counts one reference
// for the open object itself, plus one per call in flight and per dependent object; the
// last release frees the native handle. Calls after the native handle is freed fail with
// StatusClosed instead of touching freed memory.
type handle struct {
	refs     atomic.Int64
	dropOnce sync.Once
	free     func()
}

// init sets the owner's reference and the function that frees the native handle.
func (h *handle) init(free func()) {
	h.free = free
	h.refs.Store(1)
}

// acquire takes a reference for a call or a dependent object; false once the native
// handle is freed (or being freed).
func (h *handle) acquire() bool {
	for {
		n := h.refs.Load()
		if n <= 0 {
			return false
		}
		if h.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release gives a reference back; the last one frees the native handle.
func (h *handle) release() {
	if h.refs.Add(-1) == 0 {
		h.free()
	}
}

// drop gives the owner's reference back, once; true the first time.
func (h *handle) drop() bool {
	first := false
	h.dropOnce.Do(func() {
		first = true
		h.release()
	})
	return first
}
