//! Flush: freeze the memtables, write each as a segment, commit a manifest listing the
//! segments, install the new version, delete the logs no longer needed.

use std::path::Path;
use std::sync::{Arc, PoisonError};

use arrow_array::{Array, ArrayRef, UInt32Array};
use arrow_buffer::BooleanBuffer;

use super::deletes;
use super::version::{SegmentRef, TableVersion, Version};
use super::{Inner, Meta};
use crate::dir::{self, FileKind};
use crate::manifest::{self, Manifest, SegmentMeta};
use crate::memtable::{Memtable, MergedChunk};
use crate::segment::SegmentWriter;
use crate::wal::{GroupCommit, WalWriter};
use crate::{Error, Result};

/// Rows merged and handed to the segment writer at a time.
const CHUNK: usize = 64 * 1024;

/// Flushes every memtable (see the module docs). The caller holds `meta`.
pub(crate) fn flush(inner: &Inner, meta: &mut Meta) -> Result<()> {
    let start = inner.metrics.start();
    let Some(flushed_seq) = freeze(inner, meta)? else {
        return Ok(());
    };
    let version = inner.current.load_full();
    let mut written: Vec<Written> = Vec::new();
    let mut deletes_written: Vec<u64> = Vec::new();
    let result = write_segments(inner, meta, &version, &mut written).and_then(|()| {
        let tables = version
            .tables
            .iter()
            .map(|t| next_table(inner, meta, t, &written, &mut deletes_written))
            .collect::<Result<Vec<_>>>()?;
        let next = Manifest {
            number: meta.manifest.number + 1,
            last_flushed_seq: flushed_seq.max(meta.manifest.last_flushed_seq),
            next_file_number: meta.next_file,
            tables: tables.iter().map(|t| t.meta()).collect::<Result<_>>()?,
        };
        manifest::commit(&inner.dir, &next)?;
        Ok((next, tables))
    });
    let (next, tables) = match result {
        Ok(next) => next,
        Err(e) => {
            // The frozen memtables stay readable and the next flush retries them; the
            // files written so far are orphans.
            for w in &written {
                for s in &w.segments {
                    dir::remove_numbered(&inner.dir, FileKind::Segment, &[s.meta.file_number]);
                }
            }
            dir::remove_numbered(&inner.dir, FileKind::Deletes, &deletes_written);
            return Err(e);
        }
    };
    meta.manifest = next;
    // Deletion vectors the new version replaced.
    for (old, new) in version.tables.iter().zip(&tables) {
        for s in &old.run {
            if !new.run.iter().any(|n| Arc::ptr_eq(n, s)) {
                s.retire_deletes();
            }
        }
    }
    inner.current.store(Arc::new(Version { tables }));
    let segments = written.iter().flat_map(|w| &w.segments);
    inner.metrics.flush(
        start,
        segments.clone().map(|s| s.meta.rows).sum(),
        segments.map(|s| s.meta.bytes).sum(),
    );
    // The logs below the active one hold only flushed writes: the retention decides which
    // stay for the change feed. Best effort: a log left behind is skipped at the next open
    // by its sequence numbers.
    inner.logs.trim(meta.log_number);
    Ok(())
}

/// The segments a flush wrote for one table, newest first, and the keys of their rows
/// that hide every older value (when the table has a run to mark).
struct Written {
    table: u64,
    segments: Vec<Arc<SegmentRef>>,
    hiding: Vec<ArrayRef>,
}

/// Table `t` after the flush: its new level-0 segments in front, its memtables flushed,
/// and the run's rows that they hide marked.
fn next_table(
    inner: &Inner,
    meta: &mut Meta,
    t: &Arc<TableVersion>,
    written: &[Written],
    deletes_written: &mut Vec<u64>,
) -> Result<Arc<TableVersion>> {
    let Some(w) = written.iter().find(|w| w.table == t.id) else {
        return Ok(Arc::new(t.with(
            Arc::clone(&t.active),
            Vec::new(),
            t.segments.clone(),
        )));
    };
    let mut segments = w.segments.clone();
    segments.extend(t.segments.iter().cloned());
    let mut table = t.with(Arc::clone(&t.active), Vec::new(), segments);
    for keys in &w.hiding {
        if let Some(run) = deletes::mark(inner, meta, &table.run, keys, deletes_written)? {
            table.run = run;
        }
    }
    Ok(Arc::new(table))
}

/// Freezes every active memtable that holds writes and starts a new log, with writers
/// held off; returns the sequence number every frozen write is at or below, or `None`
/// when there is nothing to flush.
fn freeze(inner: &Inner, meta: &mut Meta) -> Result<Option<u64>> {
    let _gate = inner.gate.write().unwrap_or_else(PoisonError::into_inner);
    let version = inner.current.load_full();
    if !version.has_unflushed() {
        return Ok(None);
    }
    let old = inner.wal.load_full();
    let first_seq = old.next_seq();
    // The old log is complete (no writer is mid-write) and durable from here on.
    old.sync()?;
    let log_number = meta.next_file;
    let log = WalWriter::create(&inner.dir, log_number, first_seq)?;
    meta.next_file += 1;
    meta.log_number = log_number;
    // Listed for the change feed before any record reaches it.
    inner.logs.add(log_number, first_seq);
    inner.wal.store(Arc::new(GroupCommit::new(log)));
    // Under the exclusive gate, as `Db::metrics` reads them: the old log's fsyncs move to
    // the retired count as the new log takes over.
    inner.metrics.retire_log(old.sync_count());
    let tables = version
        .tables
        .iter()
        .map(|t| {
            if t.active.is_empty() {
                return Ok(Arc::clone(t));
            }
            let mut frozen = Vec::with_capacity(t.frozen.len() + 1);
            frozen.push(Arc::clone(&t.active));
            frozen.extend(t.frozen.iter().cloned());
            let active = Memtable::new(&t.name, Arc::clone(&t.schema), t.key_name())?;
            Ok(Arc::new(t.with(
                Arc::new(active),
                frozen,
                t.segments.clone(),
            )))
        })
        .collect::<Result<Vec<_>>>()?;
    inner.current.store(Arc::new(Version { tables }));
    // Every sequence number below the new log's first is either published (and in a frozen
    // memtable) or was used up by a write that failed: none is left to replay, so the
    // manifest may say all of them are flushed. Open relies on it: the oldest log it needs
    // starts at most one above the manifest's flushed sequence number.
    Ok(Some(
        inner.publisher.visible().max(first_seq.saturating_sub(1)),
    ))
}

/// Writes each frozen memtable of each table as a segment (oldest first), recording them
/// newest first per table in `written`.
fn write_segments(
    inner: &Inner,
    meta: &mut Meta,
    version: &Version,
    written: &mut Vec<Written>,
) -> Result<()> {
    for t in &version.tables {
        let mut w = Written {
            table: t.id,
            segments: Vec::new(),
            hiding: Vec::new(),
        };
        for memtable in t.frozen.iter().rev() {
            if memtable.is_empty() {
                continue;
            }
            let number = meta.next_file;
            meta.next_file += 1;
            let path = inner.dir.join(dir::name(FileKind::Segment, number));
            let (segment, hiding) =
                write_segment(inner, t, memtable, number, &path, !t.run.is_empty())?;
            w.segments.push(Arc::new(segment));
            w.hiding.extend(hiding);
        }
        if !w.segments.is_empty() {
            w.segments.reverse();
            written.push(w);
        }
    }
    Ok(())
}

/// Writes `memtable` as segment `number` at `path` and opens it. With `hiding`, also
/// returns the keys of its rows that hide every older value of their key (tombstones and
/// rows that write every column), in key order.
fn write_segment(
    inner: &Inner,
    table: &TableVersion,
    memtable: &Memtable,
    number: u64,
    path: &Path,
    hiding: bool,
) -> Result<(SegmentRef, Option<ArrayRef>)> {
    let key = memtable.key_column();
    let schema = memtable.merged_schema();
    let mut writer = SegmentWriter::new(schema, table.key_name())?;
    let mut chunks = memtable.merged_chunks(u64::MAX);
    let mut hiding_keys: Vec<ArrayRef> = Vec::new();
    while let Some(chunk) = chunks.next_chunk(CHUNK)? {
        let MergedChunk {
            batch,
            tombstone,
            has_values,
            present: cells,
        } = chunk;
        // A row written after a delete hides every older value: all its cells are here
        // (null where not written). A bare delete is a tombstone.
        let present: Vec<Option<BooleanBuffer>> = cells
            .iter()
            .enumerate()
            .filter(|&(c, _)| c != key)
            .map(|(_, here)| {
                let bits = here
                    .iter()
                    .zip(&tombstone)
                    .zip(&has_values)
                    .map(|((&here, &dead), &any)| if dead { any } else { here });
                if bits.clone().all(|b| b) {
                    None
                } else {
                    Some(BooleanBuffer::from_iter(bits))
                }
            })
            .collect();
        let bare = |r: usize| {
            tombstone.get(r).copied().unwrap_or(false)
                && !has_values.get(r).copied().unwrap_or(true)
        };
        let tombstones = (0..batch.num_rows())
            .any(bare)
            .then(|| BooleanBuffer::from_iter((0..batch.num_rows()).map(bare)));
        if hiding {
            let rows: Vec<u32> = (0..batch.num_rows())
                .filter(|&r| {
                    tombstone.get(r).copied().unwrap_or(false)
                        || cells
                            .iter()
                            .all(|here| here.get(r).copied().unwrap_or(false))
                })
                .map(|r| r as u32)
                .collect();
            if !rows.is_empty() {
                let keys = batch.column(key);
                hiding_keys.push(arrow_select::take::take(
                    keys.as_ref(),
                    &UInt32Array::from(rows),
                    None,
                )?);
            }
        }
        writer.push_partial(&batch, &present, tombstones.as_ref())?;
    }
    let info = writer.finish_to_file(path)?;
    let meta = SegmentMeta {
        file_number: number,
        level: 0,
        rows: info.rows,
        bytes: info.bytes,
        min_seq: memtable.min_seq().min(memtable.max_seq()),
        max_seq: memtable.max_seq(),
        deletes: None,
    };
    let hiding = match hiding_keys.len() {
        0 => None,
        1 => hiding_keys.pop(),
        _ => {
            let parts: Vec<&dyn Array> = hiding_keys.iter().map(|a| a.as_ref()).collect();
            Some(arrow_select::concat::concat(&parts)?)
        }
    };
    Ok((
        SegmentRef::open(meta, &inner.dir, Arc::clone(&inner.graveyard))?,
        hiding,
    ))
}

/// An error for a segment the manifest lists but the directory lacks.
pub(crate) fn missing_segment(dir: &Path, number: u64) -> Error {
    Error::corrupt(
        &dir.join(dir::name(FileKind::Segment, number))
            .display()
            .to_string(),
        "database",
        "the manifest lists this segment but the file is missing",
    )
}
