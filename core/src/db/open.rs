//! Opening a database: lock, load the manifest, clean up after a crash, open segments,
//! replay the logs, start a new log.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};
use std::time::Duration;

use arc_swap::ArcSwap;

use super::flush::{self, missing_segment};
use super::gc::Graveyard;
use super::lock::DirLock;
use super::logs::Logs;
use super::options::{Options, Recovery, SyncPolicy};
use super::record::{self, Op};
use super::seq::Publisher;
use super::version::{SegmentRef, TableVersion, Version, schema_of};
use super::{Db, Inner, Meta};
use crate::dir::{self, Listing};
use crate::manifest::{self, Manifest};
use crate::memtable::Memtable;
use crate::wal::{GroupCommit, RecoveryMode, WalReader, WalWriter};
use crate::{Error, Result};

/// What recovery found when the database was opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecoveryReport {
    /// Log records replayed into memtables (writes not yet in segments at the crash).
    pub replayed: u64,
    /// The largest sequence number recovered.
    pub last_seq: u64,
    /// Logs that ended in a torn write (a record cut short by the crash, never
    /// acknowledged), as (log file, offset where valid data ends).
    pub torn_tails: Vec<(String, u64)>,
    /// With [`Recovery::SkipCorrupt`]: byte ranges of logs skipped as corrupt, as (log
    /// file, offset, length). Every record starting in one is lost.
    pub skipped: Vec<(String, u64, u64)>,
    /// Files removed as leftovers of a crash (temporary files, unlisted segments).
    pub removed_files: Vec<String>,
    /// With [`Recovery::SkipCorrupt`]: what was missing and opened without (a log, or the
    /// manifest before the newest), each as a sentence. Writes it held are lost.
    pub missing: Vec<String>,
}

pub(crate) fn open(dir: PathBuf, options: Options) -> Result<Db> {
    options.check()?;
    match std::fs::metadata(&dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(Error::io(
                &dir,
                std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"),
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && options.create_if_missing => {
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        Err(e) => return Err(Error::io(&dir, e)),
    }
    if !options.create_if_missing && !manifest::any(&dir)? {
        return Err(Error::InvalidArgument(format!(
            "{} holds no libmurr database (no MANIFEST file) and create_if_missing is false",
            dir.display()
        )));
    }
    let lock = DirLock::acquire(&dir)?;
    let mut report = RecoveryReport::default();
    manifest::remove_leftovers(&dir)?;
    let files = dir::list(&dir)?;
    let existing = manifest::load_latest(&dir)?;
    if existing.is_none() && (!files.logs.is_empty() || !files.segments.is_empty()) {
        return Err(Error::corrupt(
            &dir.display().to_string(),
            "database",
            "the directory holds logs or segments but no manifest; it is not a libmurr \
             database, or its manifest was deleted",
        ));
    }
    let fresh = existing.is_none();
    let manifest = existing.unwrap_or_default();
    if !fresh {
        // Before anything is removed: a directory that lost files must stay as it is, so
        // that putting them back recovers everything.
        check_complete(&dir, &files, &manifest, options.recovery, &mut report)?;
    }

    // Leftovers: temporary files, and segments and deletion vectors no manifest lists
    // (written by a flush or compaction that did not commit, or retired by one that did
    // but not yet deleted).
    let listed: std::collections::HashSet<u64> = manifest
        .tables
        .iter()
        .flat_map(|t| t.segments.iter())
        .flat_map(|s| [Some(s.file_number), s.deletes.map(|d| d.file_number)])
        .flatten()
        .collect();
    for name in &files.tmp {
        remove(&dir, name, &mut report)?;
    }
    for (&n, name) in files.segments.iter().chain(&files.deletes) {
        if !listed.contains(&n) {
            remove(&dir, name, &mut report)?;
        }
    }

    // Tables and their segments.
    let graveyard = Arc::new(Graveyard::new(options.file_gc_grace));
    let mut tables = Vec::with_capacity(manifest.tables.len());
    for t in &manifest.tables {
        let (schema, key) = schema_of(t)?;
        let mut segments = Vec::new();
        let mut run = Vec::new();
        for s in &t.segments {
            if !files.segments.contains_key(&s.file_number) {
                return Err(missing_segment(&dir, s.file_number));
            }
            let segment = Arc::new(SegmentRef::open(*s, &dir, Arc::clone(&graveyard))?);
            if s.level == 0 {
                segments.push(segment);
            } else {
                run.push(segment);
            }
        }
        run.sort_by(|a, b| a.range.cmp(&b.range));
        tables.push(Arc::new(TableVersion {
            id: t.id,
            name: t.name.clone(),
            active: Arc::new(Memtable::new(&t.name, Arc::clone(&schema), &t.key_column)?),
            schema,
            key,
            frozen: Vec::new(),
            segments,
            run,
        }));
    }

    // Each log's first sequence number, from its header.
    let mut heads = std::collections::BTreeMap::new();
    for (&n, name) in &files.logs {
        let first = WalReader::open(dir.join(name), RecoveryMode::SkipCorrupt)?.first_seq();
        heads.insert(n, first);
    }
    let last_seq = replay(
        &dir,
        &files,
        &heads,
        &manifest,
        &tables,
        options.recovery,
        &mut report,
    )?;
    report.last_seq = last_seq;

    let max_file = files
        .logs
        .keys()
        .chain(files.segments.keys())
        .max()
        .map_or(0, |n| n + 1);
    let mut next_file = manifest.next_file_number.max(max_file).max(1);
    let mut manifest = manifest;
    if fresh {
        manifest.number = 1;
        manifest.next_file_number = next_file;
        manifest::commit(&dir, &manifest)?;
    }
    let log_number = next_file;
    next_file += 1;
    let log = WalWriter::create(&dir, log_number, last_seq + 1)?;
    heads.insert(log_number, last_seq + 1);
    let closed = Arc::new(AtomicBool::new(false));
    let logs = Arc::new(Logs::new(
        &dir,
        options.change_retention_bytes,
        Arc::clone(&closed),
        heads,
    ));

    let inner = Arc::new(Inner {
        options: options.clone(),
        lock: Mutex::new(Some(lock)),
        current: ArcSwap::from_pointee(Version { tables }),
        gate: RwLock::new(()),
        wal: ArcSwap::from_pointee(GroupCommit::new(log)),
        meta: Mutex::new(Meta {
            manifest,
            next_file,
            log_number,
        }),
        publisher: Publisher::new(last_seq),
        closed,
        stopped: OnceLock::new(),
        dirty: AtomicBool::new(false),
        flushing: AtomicBool::new(false),
        report,
        graveyard,
        jobs: super::worker::Jobs::default(),
        metrics: Arc::new(crate::metrics::recorder::Recorder::new(options.metrics)),
        logs,
        dir,
    });
    let settled = (|| -> Result<()> {
        // Replayed writes go to segments now, so the old logs can go.
        let mut meta = inner.meta();
        flush::flush(&inner, &mut meta)?;
        if meta.manifest.last_flushed_seq < last_seq {
            // Replayed records that reached no memtable (those of dropped tables) still
            // used up sequence numbers: say they are done with, so that the next open
            // finds its oldest log starting right above the manifest's flushed sequence.
            let mut next = meta.manifest.clone();
            next.number += 1;
            next.last_flushed_seq = last_seq;
            next.next_file_number = meta.next_file;
            manifest::commit(&inner.dir, &next)?;
            meta.manifest = next;
        }
        // The old logs are flushed: the retention decides which stay for the change feed.
        inner.logs.trim(meta.log_number);
        Ok(())
    })();
    if let Err(e) = settled {
        // The logs this open started hold no record, and the old ones are all still
        // there (they go only once the flush has committed): remove the new ones, so that
        // a failed open (a full disk, say) leaves no files behind.
        dir::remove_logs(&inner.dir, |n| n >= log_number);
        return Err(e);
    }
    let syncer = match options.sync {
        SyncPolicy::EveryMillis(ms) => {
            Some(spawn_syncer(Arc::downgrade(&inner), ms).map_err(|e| Error::io(&inner.dir, e))?)
        }
        _ => None,
    };
    let workers = super::worker::spawn(&inner, options.background_threads)?;
    Ok(Db {
        inner,
        syncer: Mutex::new(syncer),
        workers: Mutex::new(workers),
    })
}

/// Checks that no file the database needs went missing: the manifest before the newest
/// (the engine keeps two, so one alone means the newest may be gone and this one is stale),
/// and the logs holding the writes after the manifest's flushed sequence number (the oldest
/// log needed starts at most one above it, since a flush records every number below its new
/// log as flushed). A loss is an error naming what is missing, or, with
/// [`Recovery::SkipCorrupt`], a line of [`RecoveryReport::missing`].
fn check_complete(
    dir: &Path,
    files: &Listing,
    manifest: &Manifest,
    recovery: Recovery,
    report: &mut RecoveryReport,
) -> Result<()> {
    let mut problems = Vec::new();
    if manifest.number >= 2 && !manifest::exists(dir, manifest.number - 1)? {
        problems.push((
            manifest::file_name(manifest.number).to_string(),
            "manifest",
            format!(
                "{} is missing; the database keeps its newest two manifests, so the newest \
                 may have been deleted and opening from this one would lose the writes after \
                 it. Put the missing manifest back (or open with Recovery::SkipCorrupt to \
                 accept the loss)",
                manifest::file_name(manifest.number - 1)
            ),
        ));
    }
    let flushed = manifest.last_flushed_seq;
    let mut first_needed = None;
    let mut heads = Vec::with_capacity(files.logs.len());
    for name in files.logs.values() {
        let first = WalReader::open(dir.join(name), RecoveryMode::SkipCorrupt)?.first_seq();
        heads.push((name, first));
    }
    for (i, &(name, first)) in heads.iter().enumerate() {
        let next_first = heads.get(i + 1).map(|&(_, f)| f);
        if next_first.is_none_or(|f| f > flushed + 1) {
            first_needed = Some((name, first));
            break;
        }
    }
    let shown = dir.display().to_string();
    match first_needed {
        None if manifest.number > 1 || !manifest.tables.is_empty() => problems.push((
            shown,
            "write-ahead log",
            "the database has no write-ahead log file (wal-*.log): writes made after the \
             last flush are lost. Put the log back (or open with Recovery::SkipCorrupt to \
             accept the loss)"
                .to_owned(),
        )),
        Some((name, first)) if first > flushed + 1 => problems.push((
            dir.join(name).display().to_string(),
            "write-ahead log",
            format!(
                "the oldest log starts at sequence number {first}, but the manifest has \
                 flushed only up to {flushed}: a log holding writes {} to {} is missing. Put \
                 it back (or open with Recovery::SkipCorrupt to accept the loss)",
                flushed + 1,
                first - 1
            ),
        )),
        _ => {}
    }
    for (file, what, message) in problems {
        match recovery {
            Recovery::Strict => return Err(Error::corrupt(&file, what, message)),
            _ => report.missing.push(format!("{file}: {message}")),
        }
    }
    Ok(())
}

fn remove(dir: &Path, name: &str, report: &mut RecoveryReport) -> Result<()> {
    let path = dir.join(name);
    std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
    report.removed_files.push(name.to_owned());
    Ok(())
}

/// Replays every log record above the manifest's `last_flushed_seq` into the tables'
/// memtables; returns the largest sequence number seen (at least `last_flushed_seq`).
fn replay(
    dir: &Path,
    files: &Listing,
    heads: &std::collections::BTreeMap<u64, u64>,
    manifest: &Manifest,
    tables: &[Arc<TableVersion>],
    recovery: Recovery,
    report: &mut RecoveryReport,
) -> Result<u64> {
    let mode = match recovery {
        Recovery::Strict => RecoveryMode::Strict,
        Recovery::SkipCorrupt => RecoveryMode::SkipCorrupt,
    };
    let by_id: HashMap<u64, &Arc<TableVersion>> = tables.iter().map(|t| (t.id, t)).collect();
    let flushed = manifest.last_flushed_seq;
    // Logs are opened one at a time (the change feed's retention may keep many).
    let logs: Vec<(&String, u64)> = files
        .logs
        .iter()
        .map(|(n, name)| (name, heads.get(n).copied().unwrap_or(0)))
        .collect();
    let mut last = flushed;
    for (i, &(name, _)) in logs.iter().enumerate() {
        let next_first = logs.get(i + 1).map(|&(_, f)| f);
        // Every record of this log is below the next log's first; skip a log whose
        // records are all flushed without reading it.
        if next_first.is_some_and(|f| f <= flushed + 1) {
            continue;
        }
        let mut opened = WalReader::open(dir.join(name), mode)?;
        let reader = &mut opened;
        let mut log_last = reader.first_seq().saturating_sub(1);
        while let Some(bytes) = reader.next_record()? {
            let r = record::decode(&bytes, name)?;
            log_last = log_last.max(r.seq);
            if r.seq <= flushed {
                continue;
            }
            last = last.max(r.seq);
            report.replayed += 1;
            // Records of a dropped table are skipped.
            let Some(t) = by_id.get(&r.table) else {
                continue;
            };
            let applied = match &r.op {
                Op::Write(batch) => t.active.insert(r.seq, batch),
                Op::Delete(keys) => t.active.delete(r.seq, keys.as_ref()),
                // The ingest's rows are in segments the manifest lists (or it failed).
                Op::Ingest => Ok(()),
            };
            applied.map_err(|e| {
                Error::corrupt(name, "engine record", format!("record {}: {e}", r.seq))
            })?;
        }
        for &(offset, len) in reader.skipped() {
            report.skipped.push(((*name).clone(), offset, len));
        }
        if let Some(end) = reader.torn_tail() {
            // A torn write is the crash's last, unacknowledged one: after it, the next log
            // (started at the next open) carries on from the last whole record. Anything
            // else lost whole records.
            if let Some(f) = next_first
                && f != log_last + 1
            {
                let lost = format!(
                    "{name} ends in damage at offset {end}, and the next log starts at \
                     sequence {f}, not {}: records were lost",
                    log_last + 1
                );
                match recovery {
                    Recovery::Strict => {
                        return Err(Error::corrupt(name, "write-ahead log", lost));
                    }
                    _ => report.skipped.push(((*name).clone(), end, 0)),
                }
            }
            report.torn_tails.push(((*name).clone(), end));
        }
    }
    Ok(last)
}

/// Syncs the log every `ms` milliseconds while writes come in, until the database closes.
fn spawn_syncer(inner: Weak<Inner>, ms: u32) -> std::io::Result<std::thread::JoinHandle<()>> {
    let period = Duration::from_millis(u64::from(ms.max(1)));
    std::thread::Builder::new()
        .name("murr-wal-sync".into())
        .spawn(move || {
            loop {
                std::thread::park_timeout(period);
                let Some(inner) = inner.upgrade() else {
                    return;
                };
                if inner.closed.load(Ordering::Acquire) {
                    return;
                }
                if inner.dirty.swap(false, Ordering::AcqRel)
                    && let Err(e) = inner.wal.load().sync()
                {
                    let _ = inner.stopped.set(e.to_string());
                }
            }
        })
}
