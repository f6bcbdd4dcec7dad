//! Loading each system with a table, and reading it: libmurr, the two in-memory baselines,
//! RocksDB and Redis.

use std::path::Path;
use std::time::{Duration, Instant};

use murr_core::db::{Db, Options, SyncPolicy};
use murr_workload as workload;

use crate::baseline::{PlainMap, Prefetched};
use crate::data::{LOAD_BATCH, Spec, value};
use crate::query::{Answer, Query, unpack_cols, unpack_rows};
use crate::redis::Conn;

/// How long each step of a load took.
#[derive(Default, Clone, Copy)]
pub struct Load {
    /// Inside the write calls (generating the batches is not counted).
    pub write: Duration,
    /// The flush after the writes (libmurr, RocksDB).
    pub flush: Duration,
    /// The compaction after the flush (libmurr, RocksDB).
    pub compact: Duration,
    /// libmurr: `Db::verify` after the compaction, which checks every page and so warms
    /// the table as serving does after a while (at 100M rows, 200 warm-up batches touch a
    /// small part of 1.7M pages, and each first touch pays a fault and a page check).
    pub verify: Duration,
}

/// libmurr's options for the suite: no fsync per write (the peers do not sync either), no
/// background threads (the load flushes as the memtable fills and one `compact()` builds
/// the run), so that nothing runs beside the measured reads.
pub fn murr_options() -> Options {
    let o = Options::default()
        .with_sync(SyncPolicy::Never)
        .with_background_threads(0)
        .with_run_rewrite_ratio(RUN_REWRITE_RATIO.get().copied());
    match TARGET_MIB.get() {
        Some(&mib) => o.with_target_segment_bytes(mib << 20),
        None => o,
    }
}

/// `--ratio N`: libmurr's `Options::run_rewrite_ratio` (tiered level 0; default off).
pub static RUN_REWRITE_RATIO: std::sync::OnceLock<u32> = std::sync::OnceLock::new();

/// `--target MiB`: libmurr's compaction target segment size (default: the library's).
pub static TARGET_MIB: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

/// Opens a libmurr database in `dir` and loads `rows` rows of `spec` through `Db::write`
/// in 100,000-row batches, then flushes, compacts and verifies (warms) it.
pub fn load_murr(dir: &Path, spec: &Spec, rows: u64) -> (Db, Load) {
    let db = Db::open(dir, murr_options()).unwrap();
    db.create_table(spec.table, &spec.schema(), "key").unwrap();
    let mut load = Load::default();
    let mut start = 0;
    while start < rows {
        let len = (rows - start).min(LOAD_BATCH);
        let batch = spec.batch(start, len as usize, &value);
        let t = Instant::now();
        db.write(spec.table, &batch).unwrap();
        load.write += t.elapsed();
        start += len;
    }
    let t = Instant::now();
    db.flush().unwrap();
    load.flush = t.elapsed();
    let t = Instant::now();
    db.compact().unwrap();
    load.compact = t.elapsed();
    let t = Instant::now();
    db.verify().unwrap();
    load.verify = t.elapsed();
    (db, load)
}

/// libmurr's read: `Db::read` of the query's Arrow keys, one Arrow batch out.
pub fn read_murr(db: &Db, table: &str, q: &Query) -> Answer {
    let names: Vec<&str> = q.names.iter().map(String::as_str).collect();
    let (batch, found) = db.read(table, &q.array, &names).unwrap();
    Answer::Arrow(batch, found)
}

/// RocksDB options: a block cache holding all the data (`data_bytes` and then some), and
/// statistics (bytes written by flushes and compactions, for W2).
pub fn rocks_options(data_bytes: usize) -> rocksdb::Options {
    let mut block = rocksdb::BlockBasedOptions::default();
    block.set_block_cache(&rocksdb::Cache::new_lru_cache(2 * data_bytes + (64 << 20)));
    let mut o = rocksdb::Options::default();
    o.create_if_missing(true);
    o.set_block_based_table_factory(&block);
    o.enable_statistics();
    o
}

/// Opens the RocksDB database in `dir` (created when missing) for `rows` rows of `spec`.
pub fn open_rocks(dir: &Path, spec: &Spec, rows: u64) -> rocksdb::DB {
    rocksdb::DB::open_cf(&rocks_options(data_bytes(spec, rows)), dir, ["default"]).unwrap()
}

/// The data bytes of `rows` rows of `spec` (keys and packed values), for the block cache.
pub fn data_bytes(spec: &Spec, rows: u64) -> usize {
    rows as usize * (4 * spec.width() + 16)
}

/// Opens RocksDB in `dir` and writes `rows` packed rows of `spec` in 100,000-row write
/// batches (write-ahead log on, no sync, as libmurr), then flushes and compacts.
pub fn load_rocks(dir: &Path, spec: &Spec, rows: u64) -> (rocksdb::DB, Load) {
    let db = open_rocks(dir, spec, rows);
    let mut load = Load::default();
    let mut start = 0;
    while start < rows {
        let end = (start + LOAD_BATCH).min(rows);
        let mut wb = rocksdb::WriteBatch::default();
        let values: Vec<(String, Vec<u8>)> = (start..end)
            .map(|i| (workload::key(i), spec.packed(i, &value)))
            .collect();
        let t = Instant::now();
        for (k, v) in &values {
            wb.put(k.as_bytes(), v);
        }
        db.write(wb).unwrap();
        load.write += t.elapsed();
        start = end;
    }
    let t = Instant::now();
    db.flush().unwrap();
    load.flush = t.elapsed();
    let t = Instant::now();
    db.compact_range::<&[u8], &[u8]>(None, None);
    load.compact = t.elapsed();
    (db, load)
}

/// RocksDB's read: `batched_multi_get_cf` of the keys, the packed rows unpacked into the
/// asked floats (as columns, or as a tensor for an embedding).
pub fn read_rocks(db: &rocksdb::DB, spec: &Spec, q: &Query) -> Answer {
    let cf = db.cf_handle("default").unwrap();
    let got = db.batched_multi_get_cf(&cf, q.keys.iter().map(String::as_bytes), false);
    let rows = got.iter().map(|r| r.as_ref().unwrap().as_deref());
    match spec.shape {
        crate::data::Shape::Columns(_) => unpack_cols(rows, &q.cols),
        crate::data::Shape::Embedding(w) => unpack_rows(rows, w),
    }
}

/// Loads `rows` rows of `spec` into Redis (emptied first): packed rows for MGET and, for
/// a table of columns, a hash per row for HMGET.
pub fn load_redis(conn: &mut Conn, spec: &Spec, rows: u64) -> Load {
    conn.flushall().unwrap();
    let hashes = match spec.shape {
        crate::data::Shape::Columns(n) => Some(n),
        crate::data::Shape::Embedding(_) => None,
    };
    let t = Instant::now();
    conn.load(rows, &|i| spec.packed(i, &value), hashes, &value)
        .unwrap();
    Load {
        write: t.elapsed(),
        ..Load::default()
    }
}

/// Redis MGET of the packed rows, unpacked as RocksDB's.
pub fn read_mget(conn: &mut Conn, spec: &Spec, q: &Query) -> Answer {
    let got = conn.mget(&q.keys).unwrap();
    let rows = got.iter().map(|r| r.as_deref());
    match spec.shape {
        crate::data::Shape::Columns(_) => unpack_cols(rows, &q.cols),
        crate::data::Shape::Embedding(w) => unpack_rows(rows, w),
    }
}

/// Redis pipelined HMGET of the asked fields.
pub fn read_hmget(conn: &mut Conn, q: &Query) -> Answer {
    conn.hmget(&q.keys, &q.names).unwrap()
}

/// Builds the prefetched row-major baseline of `spec`.
pub fn build_prefetched(spec: &Spec, rows: u64) -> (Prefetched, Duration) {
    let t = Instant::now();
    let p = Prefetched::build(rows, spec.width(), true, workload::key, value);
    (p, t.elapsed())
}

/// The prefetched baseline's read: the asked columns, or the whole rows of an embedding.
pub fn read_prefetched(p: &Prefetched, spec: &Spec, q: &Query) -> Answer {
    match spec.shape {
        crate::data::Shape::Columns(_) => {
            let (cols, found) = p.get(&q.keys, &q.cols);
            Answer::Cols(cols, found)
        }
        crate::data::Shape::Embedding(w) => {
            let (rows, found) = p.get_rows(&q.keys);
            Answer::Rows(rows, w, found)
        }
    }
}

/// Builds the plain baseline (`FxHashMap<String, u32>` + one `Vec<f32>` per float).
pub fn build_plain(spec: &Spec, rows: u64) -> (PlainMap, Duration) {
    let t = Instant::now();
    let p = PlainMap::build(rows, spec.width(), workload::key, value);
    (p, t.elapsed())
}

/// The plain baseline's read (columns; an embedding's floats gathered one column each).
pub fn read_plain(p: &PlainMap, q: &Query) -> Answer {
    let (cols, found) = p.get(&q.keys, &q.cols);
    Answer::Cols(cols, found)
}
