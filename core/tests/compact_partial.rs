#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Compaction that rewrites only what changed (`compact::plan`): the run segments whose key
//! ranges no new data touches keep their files, and reads never change — checked against a
//! model over partial upserts, deletes and repeated compactions across many run segments.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use arrow_array::{Float32Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use common::{f32s, files, i64s};
use murr_core::db::{Db, Options};
use murr_core::segment::{Segment, SortKey};

const KEYS: i64 = 20_000;

fn schema() -> Schema {
    Schema::new(vec![
        Field::new("k", DataType::Int64, false),
        Field::new("a", DataType::Float32, true),
        Field::new("b", DataType::Int64, true),
    ])
}

/// Options that give a run of many small segments: 500 rows merged at a time, a file
/// finished after each batch.
fn small_segments(background: usize) -> Options {
    let mut o = Options::default()
        .with_background_threads(background)
        .with_target_segment_bytes(8 << 10)
        .with_file_gc_grace(Duration::ZERO)
        .with_idle_compaction_after(None);
    o.compaction_chunk_rows = 500;
    o
}

/// Rows `keys` with a = key + v, b = key * v.
fn rows(keys: &[i64], v: i64) -> RecordBatch {
    RecordBatch::try_new(
        Arc::new(schema()),
        vec![
            Arc::new(Int64Array::from(keys.to_vec())),
            Arc::new(Float32Array::from_iter_values(
                keys.iter().map(|k| (k + v) as f32),
            )),
            Arc::new(Int64Array::from_iter_values(keys.iter().map(|k| k * v))),
        ],
    )
    .unwrap()
}

/// Only column b for `keys`, = -key - v.
fn b_only(keys: &[i64], v: i64) -> RecordBatch {
    let fields = vec![
        Field::new("k", DataType::Int64, false),
        Field::new("b", DataType::Int64, true),
    ];
    RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        vec![
            Arc::new(Int64Array::from(keys.to_vec())),
            Arc::new(Int64Array::from_iter_values(keys.iter().map(|k| -k - v))),
        ],
    )
    .unwrap()
}

type Model = BTreeMap<i64, (Option<f32>, Option<i64>)>;

/// Asserts `read == model`, naming the first keys that differ.
fn check(read: &Model, model: &Model, what: &str) {
    if read != model {
        let keys: std::collections::BTreeSet<&i64> = read.keys().chain(model.keys()).collect();
        let diff: Vec<_> = keys
            .into_iter()
            .filter(|k| read.get(k) != model.get(k))
            .take(5)
            .map(|k| (k, read.get(k), model.get(k)))
            .collect();
        panic!("{what}: (key, read, model) {diff:?}");
    }
}

/// Every key of `0..KEYS + 1000` as the database reads it.
fn read_all(db: &Db) -> Model {
    let keys = Int64Array::from_iter_values(0..KEYS + 1000);
    let (batch, found) = db.read("t", &keys, &["a", "b"]).unwrap();
    let (a, b) = (
        f32s(batch.column(0).as_ref()),
        i64s(batch.column(1).as_ref()),
    );
    (0..keys.len())
        .filter(|&i| found[i])
        .map(|i| (keys.value(i), (a[i], b[i])))
        .collect()
}

/// Each segment file of `dir` and its first and last key.
fn segment_ranges(dir: &Path) -> HashMap<String, (SortKey, SortKey)> {
    files(dir, "seg-", ".seg")
        .into_iter()
        .map(|name| {
            let s = Segment::open(dir.join(&name)).unwrap();
            let range = (
                s.first_key().unwrap().unwrap(),
                s.last_key().unwrap().unwrap(),
            );
            (name, range)
        })
        .collect()
}

fn overlaps(range: &(SortKey, SortKey), lo: i64, hi: i64) -> bool {
    range.0 <= SortKey::Int64(hi) && SortKey::Int64(lo) <= range.1
}

#[test]
fn a_narrow_upsert_rewrites_only_the_segments_it_overlaps() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), small_segments(0)).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    let all: Vec<i64> = (0..KEYS).collect();
    db.write("t", &rows(&all, 1)).unwrap();
    db.compact().unwrap();
    let before = segment_ranges(dir.path());
    let stats = db.table_stats("t").unwrap();
    assert!(stats.run_segments >= 20, "{stats:?}");
    assert_eq!(before.len(), stats.run_segments);

    // Full rows, a partial upsert and deletes, all inside keys 7000..=7600.
    let (lo, hi) = (7_000, 7_600);
    let mut model = read_all(&db);
    let upserted: Vec<i64> = (lo..=hi).step_by(3).collect();
    db.write("t", &rows(&upserted, 5)).unwrap();
    for &k in &upserted {
        model.insert(k, (Some((k + 5) as f32), Some(k * 5)));
    }
    let partial: Vec<i64> = (lo..=hi).step_by(7).collect();
    db.write("t", &b_only(&partial, 2)).unwrap();
    for &k in &partial {
        model.get_mut(&k).unwrap().1 = Some(-k - 2);
    }
    db.delete("t", &Int64Array::from_iter_values((lo..=hi).step_by(11)))
        .unwrap();
    for k in (lo..=hi).step_by(11) {
        model.remove(&k);
    }
    db.compact().unwrap();
    assert_eq!(read_all(&db), model);

    let after = segment_ranges(dir.path());
    let touched: Vec<&String> = before
        .iter()
        .filter(|(_, r)| overlaps(r, lo, hi))
        .map(|(n, _)| n)
        .collect();
    assert!(!touched.is_empty() && touched.len() <= 3, "{touched:?}");
    for (name, range) in &before {
        if overlaps(range, lo, hi) {
            assert!(
                !after.contains_key(name),
                "{name} {range:?} was not rewritten"
            );
        } else {
            assert_eq!(
                after.get(name),
                Some(range),
                "{name} {range:?} was rewritten"
            );
        }
    }
    let new: Vec<_> = after.keys().filter(|n| !before.contains_key(*n)).collect();
    assert!(!new.is_empty() && new.len() <= touched.len() + 1, "{new:?}");
    let stats = db.table_stats("t").unwrap();
    assert_eq!((stats.level0_segments, stats.deleted_rows), (0, 0));
    assert_eq!(stats.run_segments, after.len());

    // New keys past the end: a file of their own, every old one kept.
    let past: Vec<i64> = (KEYS..KEYS + 300).collect();
    db.write("t", &rows(&past, 1)).unwrap();
    for &k in &past {
        model.insert(k, (Some((k + 1) as f32), Some(k)));
    }
    db.compact().unwrap();
    let last = segment_ranges(dir.path());
    for (name, range) in &after {
        assert_eq!(last.get(name), Some(range), "{name} was rewritten");
    }
    assert_eq!(last.len(), after.len() + 1);
    assert_eq!(read_all(&db), model);

    // The run survives a reopen in key order.
    db.close().unwrap();
    drop(db);
    let db = Db::open(dir.path(), small_segments(0)).unwrap();
    assert_eq!(read_all(&db), model);
}

/// A small deterministic generator (64-bit LCG, high bits).
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Random narrow and wide full upserts, partial upserts and deletes over many run
/// segments, with flushes and compactions (by `Db::compact`, or by a background thread at
/// the level-0 trigger): every read equals the model's, including across a reopen and
/// through a snapshot taken before the last 30 steps' compactions.
fn model_run(seed: u64, background: usize, ratio: Option<u32>) {
    let dir = tempfile::tempdir().unwrap();
    let mut options = small_segments(background)
        .with_l0_triggers(2, 6, 128)
        .with_run_rewrite_ratio(ratio);
    if ratio.is_some() {
        // Larger files than level 0's, so that level-0 merges make fewer of them.
        options = options.with_target_segment_bytes(64 << 10);
    }
    let mut db = Db::open(dir.path(), options.clone()).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    let mut rng = Rng(seed);
    let mut model = Model::new();
    let all: Vec<i64> = (0..KEYS).step_by(2).collect();
    db.write("t", &rows(&all, 0)).unwrap();
    for &k in &all {
        model.insert(k, (Some(k as f32), Some(0)));
    }
    db.compact().unwrap();
    let mut snapshot = None;
    for step in 0..60 {
        // A range: mostly narrow, sometimes the whole key space.
        let wide = rng.next(8) == 0;
        let len = if wide {
            KEYS + 1000
        } else {
            1 + rng.next(800) as i64
        };
        let lo = if wide {
            0
        } else {
            rng.next((KEYS + 900) as u64) as i64
        };
        let stride = 1 + rng.next(if wide { 40 } else { 5 }) as i64;
        let keys: Vec<i64> = (lo..(lo + len).min(KEYS + 1000))
            .step_by(stride as usize)
            .collect();
        let v = step + 1;
        match rng.next(4) {
            0 | 1 => {
                db.write("t", &rows(&keys, v)).unwrap();
                for &k in &keys {
                    model.insert(k, (Some((k + v) as f32), Some(k * v)));
                }
            }
            2 => {
                db.write("t", &b_only(&keys, v)).unwrap();
                for &k in &keys {
                    model.entry(k).or_insert((None, None)).1 = Some(-k - v);
                }
            }
            _ => {
                db.delete("t", &Int64Array::from_iter_values(keys.iter().copied()))
                    .unwrap();
                for k in &keys {
                    model.remove(k);
                }
            }
        }
        match rng.next(6) {
            0 => db.compact().unwrap(),
            1 | 2 => db.flush().unwrap(),
            _ => {}
        }
        if step == 30 {
            // A reopen; then a snapshot that the compactions to come must not change.
            db.close().unwrap();
            drop(std::mem::replace(
                &mut db,
                Db::open(dir.path(), options.clone()).unwrap(),
            ));
            snapshot = Some((db.snapshot().unwrap(), model.clone()));
        }
        check(&read_all(&db), &model, &format!("seed {seed}, step {step}"));
    }
    db.compact().unwrap();
    check(
        &read_all(&db),
        &model,
        &format!("seed {seed}, after compact()"),
    );
    let stats = db.table_stats("t").unwrap();
    if ratio.is_none() {
        assert_eq!((stats.level0_segments, stats.deleted_rows), (0, 0));
    }
    assert!(stats.run_segments > 2, "{stats:?}");
    // The snapshot still reads the table as it was (its files are kept).
    let keys = Int64Array::from_iter_values(0..KEYS + 1000);
    let (snapshot, frozen) = snapshot.unwrap();
    let (batch, found) = snapshot.read("t", &keys, &["a", "b"]).unwrap();
    let (a, b) = (
        f32s(batch.column(0).as_ref()),
        i64s(batch.column(1).as_ref()),
    );
    let read: Model = (0..keys.len())
        .filter(|&i| found[i])
        .map(|i| (keys.value(i), (a[i], b[i])))
        .collect();
    check(&read, &frozen, &format!("seed {seed}, the snapshot"));
}

#[test]
fn model_with_compact() {
    for seed in [1, 2, 3] {
        model_run(seed, 0, None);
    }
}

#[test]
fn model_with_background_compaction() {
    for seed in [4, 5] {
        model_run(seed, 1, None);
    }
}

#[test]
fn model_with_tiered_level0() {
    model_run(6, 0, Some(2));
    model_run(7, 1, Some(2));
}

#[test]
fn tiered_level0_keeps_the_run_under_a_spread_upsert() {
    let dir = tempfile::tempdir().unwrap();
    let options = small_segments(0).with_run_rewrite_ratio(Some(8));
    let db = Db::open(dir.path(), options.clone()).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    let all: Vec<i64> = (0..KEYS).collect();
    db.write("t", &rows(&all, 1)).unwrap();
    db.compact().unwrap();
    let run = segment_ranges(dir.path());
    let mut model = read_all(&db);
    // W2: every tenth key, all over the key space; a flush is a tenth of the run.
    for round in 0..6_i64 {
        let keys: Vec<i64> = (round..KEYS).step_by(10).collect();
        db.write("t", &rows(&keys, 100 + round)).unwrap();
        for &k in &keys {
            model.insert(k, (Some((k + 100 + round) as f32), Some(k * (100 + round))));
        }
        db.compact().unwrap();
        check(&read_all(&db), &model, &format!("round {round}"));
        let stats = db.table_stats("t").unwrap();
        let now = segment_ranges(dir.path());
        if round == 0 {
            // The run is as it was; the upsert is one level-0 segment, its overwritten
            // rows marked.
            for (name, range) in &run {
                assert_eq!(now.get(name), Some(range), "{name} was rewritten");
            }
            assert_eq!(stats.level0_segments, 1, "{stats:?}");
            assert_eq!(stats.deleted_rows, (KEYS / 10) as u64, "{stats:?}");
        }
        if stats.level0_segments == 0 {
            // Level 0 grew to an eighth of the run: merged into it.
            assert!(round >= 1, "{stats:?}");
            assert!(now.keys().all(|n| !run.contains_key(n)));
            assert_eq!(stats.deleted_rows, 0);
            return;
        }
    }
    panic!("level 0 never went into the run");
}
