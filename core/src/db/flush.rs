//! Flush: freeze the memtables, write each as a segment, commit a manifest listing the
//! segments, install the new version, delete the logs no longer needed.

use std::path::Path;
use std::sync::{Arc, PoisonError};

use arrow_buffer::BooleanBuffer;

use super::version::{SegmentRef, TableVersion, Version};
use super::{Inner, Meta};
use crate::manifest::{self, Manifest, SegmentMeta};
use crate::memtable::{Memtable, MergedRow};
use crate::segment::{Segment, SegmentWriter};
use crate::wal::{self, GroupCommit, WalWriter};
use crate::{Error, Result};

/// Rows merged and handed to the segment writer at a time.
const CHUNK: usize = 64 * 1024;

/// The file name of segment `number`.
pub(crate) fn segment_file_name(number: u64) -> String {
    format!("seg-{number:016x}.seg")
}

/// The number of a segment file named by [`segment_file_name`].
pub(crate) fn parse_segment_file_name(name: &str) -> Option<u64> {
    let hex = name.strip_prefix("seg-")?.strip_suffix(".seg")?;
    if hex.len() != 16 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

/// Flushes every memtable (see the module docs). The caller holds `meta`.
pub(crate) fn flush(inner: &Inner, meta: &mut Meta) -> Result<()> {
    let Some(flushed_seq) = freeze(inner, meta)? else {
        return Ok(());
    };
    let version = inner.current.load_full();
    let mut written: Vec<(u64, Vec<Arc<SegmentRef>>)> = Vec::new();
    let result = write_segments(inner, meta, &version, &mut written).and_then(|()| {
        let next = Manifest {
            number: meta.manifest.number + 1,
            last_flushed_seq: flushed_seq.max(meta.manifest.last_flushed_seq),
            next_file_number: meta.next_file,
            tables: version
                .tables
                .iter()
                .map(|t| {
                    let mut m = t.meta()?;
                    if let Some((_, new)) = written.iter().find(|(id, _)| *id == t.id) {
                        let mut segments: Vec<SegmentMeta> = new.iter().map(|s| s.meta).collect();
                        segments.extend(m.segments);
                        m.segments = segments;
                    }
                    Ok(m)
                })
                .collect::<Result<_>>()?,
        };
        manifest::commit(&inner.dir, &next)?;
        Ok(next)
    });
    let next = match result {
        Ok(next) => next,
        Err(e) => {
            // The frozen memtables stay readable and the next flush retries them; the
            // files written so far are orphans.
            for (_, segs) in &written {
                for s in segs {
                    let _ =
                        std::fs::remove_file(inner.dir.join(segment_file_name(s.meta.file_number)));
                }
            }
            return Err(e);
        }
    };
    meta.manifest = next;
    let tables = version
        .tables
        .iter()
        .map(|t| {
            let mut segments: Vec<Arc<SegmentRef>> = written
                .iter()
                .find(|(id, _)| *id == t.id)
                .map(|(_, s)| s.clone())
                .unwrap_or_default();
            segments.extend(t.segments.iter().cloned());
            Arc::new(t.with(Arc::clone(&t.active), Vec::new(), segments))
        })
        .collect();
    inner.current.store(Arc::new(Version { tables }));
    remove_logs_before(&inner.dir, meta.log_number);
    Ok(())
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
    inner.wal.store(Arc::new(GroupCommit::new(log)));
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
    Ok(Some(inner.publisher.visible()))
}

/// Writes each frozen memtable of each table as a segment (oldest first), recording them
/// newest first per table in `written`.
fn write_segments(
    inner: &Inner,
    meta: &mut Meta,
    version: &Version,
    written: &mut Vec<(u64, Vec<Arc<SegmentRef>>)>,
) -> Result<()> {
    for t in &version.tables {
        let mut segments = Vec::new();
        for memtable in t.frozen.iter().rev() {
            if memtable.is_empty() {
                continue;
            }
            let number = meta.next_file;
            meta.next_file += 1;
            let path = inner.dir.join(segment_file_name(number));
            segments.push(Arc::new(write_segment(t, memtable, number, &path)?));
        }
        if !segments.is_empty() {
            segments.reverse();
            written.push((t.id, segments));
        }
    }
    Ok(())
}

/// Writes `memtable` as segment `number` at `path` and opens it.
fn write_segment(
    table: &TableVersion,
    memtable: &Memtable,
    number: u64,
    path: &Path,
) -> Result<SegmentRef> {
    let key = memtable.key_column();
    let schema = memtable.merged_batch(&[])?.schema();
    let mut writer = SegmentWriter::new(schema, table.key_name())?;
    let mut rows = memtable.iter_merged(u64::MAX);
    let columns = memtable.schema().fields().len();
    loop {
        let chunk: Vec<MergedRow> = rows.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        let batch = memtable.merged_batch(&chunk)?;
        // A row written after a delete hides every older value: all its cells are here
        // (null where not written). A bare delete is a tombstone.
        let present: Vec<Option<BooleanBuffer>> = (0..columns)
            .filter(|&c| c != key)
            .map(|c| {
                let bits = chunk.iter().map(|r| {
                    if r.tombstone() {
                        r.has_values()
                    } else {
                        r.cell(c).is_some()
                    }
                });
                if bits.clone().all(|b| b) {
                    None
                } else {
                    Some(BooleanBuffer::from_iter(bits))
                }
            })
            .collect();
        let tombstones = chunk
            .iter()
            .any(|r| r.tombstone() && !r.has_values())
            .then(|| {
                BooleanBuffer::from_iter(chunk.iter().map(|r| r.tombstone() && !r.has_values()))
            });
        writer.push_partial(&batch, &present, tombstones.as_ref())?;
    }
    let info = writer.finish_to_file(path)?;
    let segment = Segment::open(path)?;
    let meta = SegmentMeta {
        file_number: number,
        level: 0,
        rows: info.rows,
        bytes: info.bytes,
        min_seq: memtable.min_seq().min(memtable.max_seq()),
        max_seq: memtable.max_seq(),
        deletes: None,
    };
    Ok(SegmentRef::new(meta, segment))
}

/// Deletes the logs numbered below `active` (every record in them is in a segment now).
/// Best effort: a log left behind is skipped at the next open by its sequence numbers.
fn remove_logs_before(dir: &Path, active: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if let Some(n) = entry.file_name().to_str().and_then(wal::parse_file_name)
            && n < active
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// An error for a segment the manifest lists but the directory lacks.
pub(crate) fn missing_segment(dir: &Path, number: u64) -> Error {
    Error::corrupt(
        &dir.join(segment_file_name(number)).display().to_string(),
        "database",
        "the manifest lists this segment but the file is missing",
    )
}
