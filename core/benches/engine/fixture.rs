//! Building the databases the workloads read: loading the canonical table through
//! `Db::write`, finding the segment files a database flushed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use murr_core::db::{Db, Options, SyncPolicy};
use murr_workload as workload;

use crate::{LOAD_BATCH, TABLE, WIDTH};

/// A memtable limit the whole load fits under, so that it flushes once.
pub const ONE_FLUSH: usize = 4 << 30;

/// Options with `sync` and a memtable limit of `memtable_bytes`.
pub fn options(sync: SyncPolicy, memtable_bytes: usize) -> Options {
    Options::default()
        .with_sync(sync)
        .with_memtable_bytes(memtable_bytes)
}

/// Opens a database in `dir` with `options` and creates the canonical table in it.
pub fn create(dir: &Path, options: Options) -> Db {
    let db = Db::open(dir, options).unwrap();
    db.create_table(TABLE, &workload::schema(WIDTH), "key")
        .unwrap();
    db
}

/// Writes rows `rows` of the canonical table in 100,000-row batches; returns the time
/// spent inside `Db::write` (generating the batches is not counted).
pub fn write_rows(db: &Db, rows: std::ops::Range<u64>) -> Duration {
    let mut spent = Duration::ZERO;
    let mut start = rows.start;
    while start < rows.end {
        let len = (rows.end - start).min(LOAD_BATCH as u64) as usize;
        let batch = workload::batch(start, len, WIDTH).unwrap();
        let t0 = Instant::now();
        db.write(TABLE, &batch).unwrap();
        spent += t0.elapsed();
        start += len as u64;
    }
    spent
}

/// A database of `rows` rows in `dir`, loaded under one memtable and flushed into one
/// segment; sync never.
pub fn load_flushed(dir: &Path, rows: u64) -> Db {
    let db = create(dir, options(SyncPolicy::Never, ONE_FLUSH));
    write_rows(&db, 0..rows);
    db.flush().unwrap();
    assert_eq!(segment_files(dir).len(), 1);
    db
}

/// The segment files of the database in `dir`, by name.
pub fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "seg"))
        .collect();
    files.sort();
    files
}

/// The bytes of the files in `dir`.
pub fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum()
}
