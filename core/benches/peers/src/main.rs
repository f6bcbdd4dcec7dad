//! R1 (WORKLOAD.md) through libmurr and its peers, in one process, on the same rows and
//! the same key sequence: 1000 uniformly random existing keys (seed 42) x all 10 float32
//! columns per batch, systems taking turns per batch, each answer checked outside the
//! timing.
//!
//! `cargo run --release -- [--rows N] [--batches B]` (from this directory; `make
//! bench-peers` at the top). Redis must be listening on `MURR_REDIS` (default
//! 127.0.0.1:6399; the make target starts and stops a redis-server).
//!
//! Systems:
//! - libmurr `Db::read` (StringArray keys, the result a RecordBatch), the table loaded
//!   through `Db::write` in 100,000-row batches, flushed and compacted;
//! - baseline: `FxHashMap<String, u32>` + 10 `Vec<f32>` columns, gathering the same keys
//!   into 10 new column vectors (the near-physical limit of a hash lookup plus a gather);
//! - RocksDB: key -> 40-byte packed row (10 little-endian f32), `batched_multi_get_cf`, a
//!   block cache larger than the data, compacted after the load;
//! - Redis MGET of the packed rows, and pipelined HMGET of one hash per row (fields f0..f9),
//!   both over one TCP connection to a local redis-server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod redis;
mod stats;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{Array, StringArray};
use murr_core::db::{Db, Options, SyncPolicy};
use murr_core::workload;
use rustc_hash::FxHashMap;

const WIDTH: usize = 10;
const KEYS: usize = 1000;
const WARMUP: usize = 100;
const TABLE: &str = "features";

/// Row `i`'s 10 values, packed little-endian (40 bytes).
fn packed(i: u64) -> Vec<u8> {
    (0..WIDTH)
        .flat_map(|c| workload::value(i, c).to_le_bytes())
        .collect()
}

/// Checks a packed 40-byte row against row `i`.
fn check_packed(i: u64, row: &[u8]) {
    assert_eq!(row.len(), 4 * WIDTH, "row {i}");
    for c in 0..WIDTH {
        let v = f32::from_le_bytes(row[4 * c..4 * c + 4].try_into().unwrap());
        assert_eq!(v, workload::value(i, c), "row {i} column {c}");
    }
}

fn main() {
    let mut rows_n: u64 = 1_000_000;
    let mut batches: usize = 2000;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rows" => rows_n = args.next().and_then(|v| v.parse().ok()).unwrap(),
            "--batches" => batches = args.next().and_then(|v| v.parse().ok()).unwrap(),
            other => panic!("unknown argument {other}"),
        }
    }
    let root = tempfile::tempdir().unwrap();

    eprintln!("loading {rows_n} rows into libmurr ...");
    let t = Instant::now();
    let murr_dir = root.path().join("murr");
    let db = Db::open(
        &murr_dir,
        Options::default()
            .with_sync(SyncPolicy::Never)
            .with_background_threads(0),
    )
    .unwrap();
    db.create_table(TABLE, &workload::schema(WIDTH), "key")
        .unwrap();
    for batch in workload::batches(rows_n, WIDTH) {
        db.write(TABLE, &batch.unwrap()).unwrap();
    }
    db.flush().unwrap();
    db.compact().unwrap();
    eprintln!("  {:.1} s", t.elapsed().as_secs_f64());

    eprintln!("loading the baseline ...");
    let mut index: FxHashMap<String, u32> = FxHashMap::default();
    index.reserve(rows_n as usize);
    let mut columns: Vec<Vec<f32>> = vec![Vec::with_capacity(rows_n as usize); WIDTH];
    for i in 0..rows_n {
        index.insert(workload::key(i), i as u32);
        for (c, col) in columns.iter_mut().enumerate() {
            col.push(workload::value(i, c));
        }
    }

    eprintln!("loading RocksDB ...");
    let t = Instant::now();
    let rocks_dir = root.path().join("rocks");
    let data_bytes = rows_n as usize * 64;
    let mut block = rocksdb::BlockBasedOptions::default();
    block.set_block_cache(&rocksdb::Cache::new_lru_cache(2 * data_bytes + (64 << 20)));
    let mut ropts = rocksdb::Options::default();
    ropts.create_if_missing(true);
    ropts.set_block_based_table_factory(&block);
    let rocks = rocksdb::DB::open_cf(&ropts, &rocks_dir, ["default"]).unwrap();
    let mut wb = rocksdb::WriteBatch::default();
    for i in 0..rows_n {
        wb.put(workload::key(i).as_bytes(), packed(i));
        if wb.len() == 100_000 {
            rocks.write(std::mem::take(&mut wb)).unwrap();
        }
    }
    rocks.write(wb).unwrap();
    rocks.flush().unwrap();
    rocks.compact_range::<&[u8], &[u8]>(None, None);
    eprintln!("  {:.1} s", t.elapsed().as_secs_f64());

    let addr = std::env::var("MURR_REDIS").unwrap_or_else(|_| "127.0.0.1:6399".to_owned());
    eprintln!("loading Redis at {addr} ...");
    let t = Instant::now();
    let mut redis = redis::Conn::connect(&addr).unwrap();
    redis.load(rows_n, WIDTH, &packed, workload::value).unwrap();
    eprintln!("  {:.1} s", t.elapsed().as_secs_f64());

    let mut rng = workload::random_rows(42, rows_n);
    let total = WARMUP + batches;
    let labels = [
        "baseline: FxHashMap + Vec columns",
        "libmurr Db::read (compacted, mmap)",
        "RocksDB batched_multi_get (40-byte rows, block cache)",
        "Redis MGET (40-byte rows)",
        "Redis pipelined HMGET (a hash per row)",
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(batches); labels.len()];
    let cols: Vec<String> = (0..WIDTH).map(|c| format!("f{c}")).collect();
    let col_refs: Vec<&str> = cols.iter().map(String::as_str).collect();
    let cf = rocks.cf_handle("default").unwrap();
    eprintln!("reading {batches} batches ...");
    for b in 0..total {
        let rows: Vec<u64> = rng.by_ref().take(KEYS).collect();
        let keys: Vec<String> = rows.iter().map(|&i| workload::key(i)).collect();
        let key_array = Arc::new(StringArray::from(keys.clone()));
        for turn in 0..labels.len() {
            let s = (b + turn) % labels.len();
            let us = match s {
                0 => {
                    let t0 = Instant::now();
                    let mut out: Vec<Vec<f32>> = vec![Vec::with_capacity(KEYS); WIDTH];
                    for k in &keys {
                        let row = index[k.as_str()] as usize;
                        for (o, col) in out.iter_mut().zip(&columns) {
                            o.push(col[row]);
                        }
                    }
                    let out = black_box(out);
                    let spent = t0.elapsed();
                    assert_eq!(out[3][7], workload::value(rows[7], 3));
                    spent.as_secs_f64() * 1e6
                }
                1 => {
                    let t0 = Instant::now();
                    let (batch, found) = db.read(TABLE, key_array.as_ref(), &col_refs).unwrap();
                    let spent = t0.elapsed();
                    assert!(found.iter().all(|&f| f));
                    for (r, &i) in rows.iter().enumerate().step_by(97) {
                        for c in 0..WIDTH {
                            let v = batch.column(c).as_primitive::<Float32Type>().value(r);
                            assert_eq!(v, workload::value(i, c));
                        }
                    }
                    let t1 = Instant::now();
                    drop(batch);
                    (spent + t1.elapsed()).as_secs_f64() * 1e6
                }
                2 => {
                    let t0 = Instant::now();
                    let got =
                        rocks.batched_multi_get_cf(&cf, keys.iter().map(String::as_bytes), false);
                    let spent = t0.elapsed();
                    for (r, v) in got.iter().enumerate().step_by(97) {
                        check_packed(rows[r], v.as_ref().unwrap().as_ref().unwrap());
                    }
                    let t1 = Instant::now();
                    drop(got);
                    (spent + t1.elapsed()).as_secs_f64() * 1e6
                }
                3 => {
                    let t0 = Instant::now();
                    let got = redis.mget(&keys).unwrap();
                    let spent = t0.elapsed();
                    for (r, v) in got.iter().enumerate().step_by(97) {
                        check_packed(rows[r], v.as_ref().unwrap());
                    }
                    spent.as_secs_f64() * 1e6
                }
                4 => {
                    let t0 = Instant::now();
                    let got = redis.hmget_rows(&keys, &cols).unwrap();
                    let spent = t0.elapsed();
                    for (r, row) in got.iter().enumerate().step_by(97) {
                        for (c, v) in row.iter().enumerate() {
                            assert_eq!(*v, workload::value(rows[r], c));
                        }
                    }
                    spent.as_secs_f64() * 1e6
                }
                _ => unreachable!(),
            };
            if b >= WARMUP {
                times[s].push(us);
            }
        }
        let _ = key_array.len();
    }
    redis.flushall().unwrap();
    stats::print(rows_n, batches, &labels, &times);
}
