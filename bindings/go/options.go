package murr

// #include "shim.h"
import "C"

import (
	"math"
	"time"
)

// SyncPolicy says when writes reach the disk.
type SyncPolicy int32

const (
	// SyncAlways fsyncs every write before it returns (the default).
	SyncAlways SyncPolicy = C.MURR_SYNC_ALWAYS
	// SyncNever fsyncs the log only at flushes and close.
	SyncNever SyncPolicy = C.MURR_SYNC_NEVER
	// SyncEvery fsyncs the log from a background thread every Options.SyncEvery.
	SyncEvery SyncPolicy = C.MURR_SYNC_EVERY_MILLIS
)

// Options of Open. Start from DefaultOptions (libmurr's defaults) and change fields; a nil
// *Options passed to Open means the defaults.
type Options struct {
	// Sync: SyncAlways (default), SyncNever or SyncEvery.
	Sync SyncPolicy
	// SyncEvery is the period of SyncEvery (whole milliseconds).
	SyncEvery time.Duration
	// BackgroundThreads run flushes and compactions; 0 is manual mode (Flush, Compact).
	BackgroundThreads uint32
	// MemtableBytes: flush the memtables once they hold about this many bytes.
	MemtableBytes uint64
	// CreateIfMissing creates the database if the directory does not exist.
	CreateIfMissing bool
	// SkipCorrupt skips damaged log records at open instead of failing.
	SkipCorrupt bool
	// L0CompactionTrigger: compact a table at this many level-0 segments.
	L0CompactionTrigger uint32
	// L0SlowdownWrites: slow writes to a table with this many level-0 segments.
	L0SlowdownWrites uint32
	// L0StopWrites: stop writes to a table with this many level-0 segments.
	L0StopWrites uint32
	// TargetSegmentBytes is the size of the segments a compaction writes.
	TargetSegmentBytes uint64
	// IdleCompaction: compact a table once no write came for this long; < 0: off.
	IdleCompaction time.Duration
	// ChangeRetentionBytes: bytes of flushed write-ahead logs kept for DB.Changes (the
	// newest logs within it; math.MaxUint64 keeps all). Default 0: only what recovery
	// needs, so the feed covers the writes since the last flush.
	ChangeRetentionBytes uint64
}

// DefaultOptions returns libmurr's defaults (murr_options_default).
func DefaultOptions() Options {
	var c C.murr_options_t
	C.murr_options_default(&c)
	return Options{
		Sync:                 SyncPolicy(c.sync),
		SyncEvery:            time.Duration(c.sync_millis) * time.Millisecond,
		BackgroundThreads:    uint32(c.background_threads),
		MemtableBytes:        uint64(c.memtable_bytes),
		CreateIfMissing:      bool(c.create_if_missing),
		SkipCorrupt:          bool(c.skip_corrupt),
		L0CompactionTrigger:  uint32(c.l0_compaction_trigger),
		L0SlowdownWrites:     uint32(c.l0_slowdown_writes),
		L0StopWrites:         uint32(c.l0_stop_writes),
		TargetSegmentBytes:   uint64(c.target_segment_bytes),
		IdleCompaction:       time.Duration(c.idle_compaction_millis) * time.Millisecond,
		ChangeRetentionBytes: uint64(c.change_retention_bytes),
	}
}

// toC fills libmurr's options struct (size included) from o.
func (o *Options) toC() (C.murr_options_t, error) {
	var c C.murr_options_t
	C.murr_options_default(&c)
	ms := o.SyncEvery.Milliseconds()
	if ms < 0 || ms > math.MaxUint32 {
		return c, newError(StatusInvalidArgument, "Options.SyncEvery %v is out of range", o.SyncEvery)
	}
	c.sync = C.int32_t(o.Sync)
	c.sync_millis = C.uint32_t(ms)
	c.background_threads = C.uint32_t(o.BackgroundThreads)
	c.memtable_bytes = C.uint64_t(o.MemtableBytes)
	c.create_if_missing = C.bool(o.CreateIfMissing)
	c.skip_corrupt = C.bool(o.SkipCorrupt)
	c.l0_compaction_trigger = C.uint32_t(o.L0CompactionTrigger)
	c.l0_slowdown_writes = C.uint32_t(o.L0SlowdownWrites)
	c.l0_stop_writes = C.uint32_t(o.L0StopWrites)
	c.target_segment_bytes = C.uint64_t(o.TargetSegmentBytes)
	idle := o.IdleCompaction.Milliseconds()
	if o.IdleCompaction < 0 {
		idle = -1
	}
	c.idle_compaction_millis = C.int64_t(idle)
	c.change_retention_bytes = C.uint64_t(o.ChangeRetentionBytes)
	return c, nil
}
