package murr

// #include <stdlib.h>
// #include <murr.h>
import "C"

import "unsafe"

// TableStats is what (*DB).TableStats reports: counters that move with writes, flushes and
// compactions (for monitoring and tests, not for decisions that need them exact).
type TableStats struct {
	// Segments is the number of segment files, at level 0 and in the sorted run.
	Segments uint64
	// Level0Segments is the number of segments at level 0 (flushed, key ranges
	// overlapping; compaction merges them into the sorted run).
	Level0Segments uint64
	// SegmentRows is the number of rows in all segments (a key written again since its
	// last compaction counts twice; rows still in memtables are not counted).
	SegmentRows uint64
	// SegmentBytes is the size of all segment files.
	SegmentBytes uint64
	// DeletedRows is the number of segment rows marked deleted or superseded (reads skip
	// them; the next compaction drops them).
	DeletedRows uint64
	// MemtableBytes is the estimated size of the memtables (not yet flushed).
	MemtableBytes uint64
}

// TableStats returns the statistics of table (murr_db_table_stats).
func (db *DB) TableStats(table string) (TableStats, error) {
	ctable, err := cString(table, "table name")
	if err != nil {
		return TableStats{}, err
	}
	defer C.free(unsafe.Pointer(ctable))
	if !db.h.acquire() {
		return TableStats{}, db.closedError()
	}
	defer db.h.release()
	// Go memory holding no Go pointers, passed for the call only.
	var s C.murr_table_stats_t
	s.size = C.size_t(unsafe.Sizeof(s))
	var c call
	if err := c.check(C.murr_db_table_stats(db.ptr, ctable, &s, &c.e)); err != nil {
		return TableStats{}, err
	}
	return TableStats{
		Segments:       uint64(s.segments),
		Level0Segments: uint64(s.level0_segments),
		SegmentRows:    uint64(s.segment_rows),
		SegmentBytes:   uint64(s.segment_bytes),
		DeletedRows:    uint64(s.deleted_rows),
		MemtableBytes:  uint64(s.memtable_bytes),
	}, nil
}
