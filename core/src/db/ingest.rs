//! Bulk ingest: an Arrow record-batch stream (or a Parquet or Arrow IPC file) becomes the
//! table's sorted run directly, without the log and the memtable.
//!
//! 1. The input's batches are conformed to the table (`ingest::conform`) and buffered up
//!    to [`Options::ingest_memory_bytes`](super::Options::ingest_memory_bytes); each full
//!    buffer is sorted by key (last row of a key wins) and written as segments of about
//!    the target size (`ingest::sort`). Those files are numbered like any segment but no
//!    manifest lists them: a crash leaves them as leftovers that the next open deletes.
//! 2. The commit, with the table's compaction claimed: under `meta`, a flush (every write
//!    returned before it is now in a segment: this is the point the ingest is ordered at),
//!    then either the sorted files become the table's run as they are (the table held no
//!    segment and the input was sorted at once), or they are merged, newest first, with
//!    every segment of the table into a new run (`compact::merge`, tombstones dropped), and
//!    the run is installed as a compaction's is: one manifest commit, level-0 segments
//!    flushed meanwhile kept in front of it.
//!
//! On any error nothing is installed and every file the ingest wrote is removed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use arrow_array::{RecordBatch, RecordBatchReader};

use super::compact::{install, open_run};
use super::options::SyncPolicy;
use super::record;
use super::version::SegmentRef;
use super::{Db, Inner, flush};
use crate::compact::{MergeInput, MergeOptions, MergeOutput, merge};
use crate::dir::{self, FileKind};
use crate::ingest::conform::Conform;
use crate::ingest::{IngestStats, sort, source};
use crate::segment::Segment;
use crate::{Error, Result};

impl Db {
    /// Loads every batch of `reader` into `table` as one bulk upsert, written straight to
    /// segments (no log, no memtable): the way to load large inputs.
    ///
    /// Semantics are [`Db::write`]'s for the same batches written in order: columns match
    /// by name and are cast to the table's types (a value that does not fit is an error,
    /// never a null; without murr-core's `cast` feature, on by default, they must have the
    /// table's types); columns the table lacks are ignored (listed in
    /// [`IngestStats::ignored_columns`]); table columns the input lacks keep their values
    /// (a partial upsert); a key repeated in the input takes its last row.
    ///
    /// Ordering: the ingest is newer than every write that returned before its commit
    /// began (a flush at the start of the commit) and older than every write made after
    /// that; such later writes are visible as soon as they return, before the ingest is.
    /// Reads, snapshots and writes go on while it runs; a snapshot taken before it
    /// returns never sees it. It is atomic: on return the whole input is readable, and on
    /// any error (including a crash) none of it is. Memory: about
    /// [`Options::ingest_memory_bytes`](super::Options::ingest_memory_bytes) plus three
    /// times the target segment size.
    ///
    /// Errors, with the table unchanged: an unknown table, [`Error::MissingKeyColumn`],
    /// [`Error::Uncastable`], [`Error::NullKey`], nulls in a column declared not nullable,
    /// an error from `reader`, a closed database, I/O.
    pub fn ingest(&self, table: &str, reader: impl RecordBatchReader) -> Result<IngestStats> {
        self.inner.check_open()?;
        let schema = reader.schema();
        let (id, conform) = {
            let version = self.inner.current.load();
            let t = version.table(table)?;
            (
                t.id,
                Conform::new(table, &t.schema, t.key, &schema, "the stream")?,
            )
        };
        run(
            &self.inner,
            id,
            &conform,
            reader.map(|b| b.map_err(Error::from)),
        )
    }

    /// [`Db::ingest`] of the file at `path`: Parquet (any codec pyarrow, Spark, DuckDB or
    /// polars write: snappy, zstd, lz4, gzip, none; with murr-core's `parquet` feature, on
    /// by default) or Arrow IPC in the file or the stream format, told by its first bytes ([`crate::ingest::FileFormat`]). Only the columns
    /// the table has are read. A damaged or truncated file is [`Error::Corrupt`] naming
    /// it, with the table unchanged. An IPC stream cut exactly between two messages reads
    /// as a shorter stream (the format cannot tell).
    pub fn ingest_file(&self, table: &str, path: impl AsRef<Path>) -> Result<IngestStats> {
        self.inner.check_open()?;
        let (id, file) = {
            let version = self.inner.current.load();
            let t = version.table(table)?;
            (t.id, source::open(path.as_ref(), table, &t.schema, t.key)?)
        };
        run(&self.inner, id, &file.conform, file.batches)
    }
}

/// The files an ingest wrote, removed unless installed.
struct Files<'a> {
    inner: &'a Inner,
    numbers: Vec<u64>,
}

impl Files<'_> {
    /// A new segment path, remembered.
    fn next(&mut self) -> PathBuf {
        let mut meta = self.inner.meta();
        let n = meta.next_file;
        meta.next_file += 1;
        drop(meta);
        self.numbers.push(n);
        self.inner.dir.join(dir::name(FileKind::Segment, n))
    }

    /// Writes `write`'s outputs at new paths; returns them with their numbers.
    fn write(
        &mut self,
        write: impl FnOnce(&mut dyn FnMut() -> Result<PathBuf>) -> Result<Vec<MergeOutput>>,
    ) -> Result<(Vec<MergeOutput>, Vec<u64>)> {
        let first = self.numbers.len();
        let outputs = write(&mut || Ok(self.next()))?;
        Ok((
            outputs,
            self.numbers.get(first..).unwrap_or_default().to_vec(),
        ))
    }

    /// Removes every file but `keep`.
    fn remove_except(&self, keep: &[u64]) {
        let doomed: Vec<u64> = self
            .numbers
            .iter()
            .copied()
            .filter(|n| !keep.contains(n))
            .collect();
        dir::remove_numbered(&self.inner.dir, FileKind::Segment, &doomed);
    }
}

/// Sorted parts of the input, oldest first: the files of each and their numbers.
type Parts = Vec<(Vec<MergeOutput>, Vec<u64>)>;

/// Ingests `batches` into table `id` (see the module docs).
fn run(
    inner: &Inner,
    id: u64,
    conform: &Conform,
    batches: impl Iterator<Item = Result<RecordBatch>>,
) -> Result<IngestStats> {
    let mut files = Files {
        inner,
        numbers: Vec::new(),
    };
    let result = sort_parts(inner, conform, batches, &mut files).and_then(|(parts, rows_read)| {
        let mut stats = IngestStats {
            rows_read,
            spills: parts.len().saturating_sub(1),
            ignored_columns: conform.ignored().to_vec(),
            ..IngestStats::default()
        };
        if rows_read == 0 {
            return Ok((stats, Vec::new()));
        }
        let kept = commit(inner, id, conform, &parts, &mut files, &mut stats)?;
        Ok((stats, kept))
    });
    match result {
        Ok((stats, kept)) => {
            files.remove_except(&kept);
            Ok(stats)
        }
        Err(e) => {
            files.remove_except(&[]);
            Err(e)
        }
    }
}

/// Reads, conforms and buffers `batches`, writing each full buffer sorted; returns the
/// parts (oldest first) and the rows read.
fn sort_parts(
    inner: &Inner,
    conform: &Conform,
    batches: impl Iterator<Item = Result<RecordBatch>>,
    files: &mut Files<'_>,
) -> Result<(Parts, u64)> {
    let budget = inner.options.ingest_memory_bytes.max(1);
    let target = inner.options.target_segment_bytes.max(1);
    let mut parts: Parts = Vec::new();
    let mut buffer: Vec<RecordBatch> = Vec::new();
    let mut bytes = 0usize;
    let mut rows = 0u64;
    for batch in batches {
        let batch = batch?;
        if batch.num_rows() == 0 {
            continue;
        }
        inner.check_open()?;
        let batch = conform.apply(&batch, rows)?;
        rows += batch.num_rows() as u64;
        bytes += sort::batch_bytes(&batch);
        buffer.push(batch);
        if bytes >= budget {
            parts.push(files.write(|next| sort::write_sorted(&buffer, conform, target, next))?);
            buffer.clear();
            bytes = 0;
        }
    }
    if !buffer.is_empty() {
        parts.push(files.write(|next| sort::write_sorted(&buffer, conform, target, next))?);
    }
    Ok((parts, rows))
}

/// Orders the ingest after every write returned so far and installs it as the table's
/// run (see the module docs); returns the numbers of the files installed.
fn commit(
    inner: &Inner,
    id: u64,
    conform: &Conform,
    parts: &Parts,
    files: &mut Files<'_>,
    stats: &mut IngestStats,
) -> Result<Vec<u64>> {
    while !inner.jobs.claim(id) {
        inner.check_open()?;
        std::thread::sleep(Duration::from_millis(1));
    }
    let result = commit_claimed(inner, id, conform, parts, files, stats);
    inner.jobs.release(id);
    result
}

fn commit_claimed(
    inner: &Inner,
    id: u64,
    conform: &Conform,
    parts: &Parts,
    files: &mut Files<'_>,
    stats: &mut IngestStats,
) -> Result<Vec<u64>> {
    let mut meta = inner.meta();
    inner.check_open()?;
    flush::flush(inner, &mut meta)?;
    let seq = meta.manifest.last_flushed_seq;
    stats.seq = seq;
    log_marker(inner, id)?;
    let version = inner.current.load_full();
    let t = version
        .tables
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| dropped(conform))?;
    let inputs: Vec<Arc<SegmentRef>> = t.all_segments().cloned().collect();
    if let ([(outputs, numbers)], true) = (parts.as_slice(), inputs.is_empty()) {
        // The input was sorted at once into an empty table: its files are the run.
        let run = open_run(inner, outputs, numbers, seq, seq)?;
        account(stats, &run);
        install(inner, &mut meta, id, &[], run)?.ok_or_else(|| dropped(conform))?;
        return Ok(numbers.clone());
    }
    drop(meta);
    stats.merged = !inputs.is_empty();
    let sorted = parts
        .iter()
        .rev()
        .flat_map(|(outputs, _)| outputs)
        .map(|o| Segment::open(&o.info.path))
        .collect::<Result<Vec<_>>>()?;
    let mut merge_inputs: Vec<MergeInput<'_>> = sorted
        .iter()
        .map(|segment| MergeInput {
            segment,
            deleted: None,
        })
        .collect();
    merge_inputs.extend(inputs.iter().map(|s| MergeInput {
        segment: &s.segment,
        deleted: s.deletes.as_ref().map(|d| d.rows.bitmap()),
    }));
    let options = MergeOptions {
        target_segment_bytes: inner.options.target_segment_bytes.max(1),
        chunk_rows: inner.options.compaction_chunk_rows.max(1),
        drop_tombstones: true,
        split_before: Vec::new(),
    };
    let (outputs, numbers) = files.write(|next| {
        merge(
            &merge_inputs,
            Arc::clone(&t.schema),
            t.key_name(),
            &options,
            next,
        )
    })?;
    drop(merge_inputs);
    drop(sorted);
    let min_seq = inputs.iter().map(|s| s.meta.min_seq).min().unwrap_or(seq);
    let run = open_run(inner, &outputs, &numbers, min_seq.min(seq), seq)?;
    account(stats, &run);
    let mut meta = inner.meta();
    inner.check_open()?;
    let replaced = install(inner, &mut meta, id, &inputs, run)?.ok_or_else(|| dropped(conform))?;
    drop(meta);
    for s in &replaced {
        s.retire();
    }
    Ok(numbers)
}

/// Logs (durably, before anything is installed) the marker of an ingest into table `id`,
/// so that a change feed reaching it fails instead of missing the ingest's rows. Should
/// the ingest then fail, the marker only makes a feed ask for a resynchronisation it did
/// not need; a crash after the install cannot leave an ingest without its marker.
fn log_marker(inner: &Inner, id: u64) -> Result<()> {
    let seq = {
        let _gate = inner.gate.read().unwrap_or_else(PoisonError::into_inner);
        inner.check_writable()?;
        let seq = inner.log(record::encode_ingest(id)?)?;
        inner.publisher.finish(seq);
        seq
    };
    inner.publisher.wait_for(seq);
    if inner.options.sync != SyncPolicy::Always {
        inner.wal.load().sync()?;
    }
    Ok(())
}

fn account(stats: &mut IngestStats, run: &[Arc<SegmentRef>]) {
    stats.segments = run.len();
    stats.rows_written = run.iter().map(|s| s.meta.rows).sum();
}

fn dropped(conform: &Conform) -> Error {
    Error::InvalidArgument(format!(
        "table '{}' was dropped while an ingest into it ran; nothing was ingested",
        conform.table()
    ))
}
