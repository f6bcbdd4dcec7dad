#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Reads through level-0 key filters: several level-0 segments over a run, with keys that
//! are in one, several or none of them, utf8 and int64 keys, read before and after a
//! reopen (which rebuilds the filters), each answer checked against the newest write.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use murr_core::db::Db;

use common::{f32s, manual};

fn schema(key: DataType) -> Schema {
    Schema::new(vec![
        Field::new("k", key, false),
        Field::new("a", DataType::Float32, true),
        Field::new("b", DataType::Float32, true),
    ])
}

fn key_array(utf8: bool, keys: &[i64]) -> ArrayRef {
    if utf8 {
        Arc::new(StringArray::from_iter_values(
            keys.iter().map(|k| format!("key_{k}")),
        ))
    } else {
        Arc::new(Int64Array::from(keys.to_vec()))
    }
}

/// Writes `keys` with values `version * 100_000 + key` (column a) and its negative (b).
fn write(db: &Db, utf8: bool, keys: &[i64], version: i64, model: &mut BTreeMap<i64, f32>) {
    let a: Vec<f32> = keys
        .iter()
        .map(|&k| (version * 100_000 + k) as f32)
        .collect();
    let b: Vec<f32> = a.iter().map(|v| -v).collect();
    let batch = RecordBatch::try_new(
        Arc::new(schema(if utf8 {
            DataType::Utf8
        } else {
            DataType::Int64
        })),
        vec![
            key_array(utf8, keys),
            Arc::new(Float32Array::from(a.clone())),
            Arc::new(Float32Array::from(b)),
        ],
    )
    .unwrap();
    db.write("t", &batch).unwrap();
    for (&k, v) in keys.iter().zip(a) {
        model.insert(k, v);
    }
}

fn check(db: &Db, utf8: bool, model: &BTreeMap<i64, f32>, stage: &str) {
    // Every key once, plus absent ones, in a scrambled order and in batches of 1000; then
    // the keys no run row holds (a key a filter wrongly ruled out would read as absent,
    // where a superseded run row would send the read to the general path), and single
    // keys.
    let mut keys: Vec<i64> = (-500..6_500).collect();
    keys.sort_by_key(|k| (k * 7919) % 7001);
    let beyond: Vec<i64> = (5_000..6_500).collect();
    let singles: Vec<i64> = (-10..6_010).step_by(37).collect();
    let batches = keys
        .chunks(1000)
        .chain(beyond.chunks(1000))
        .chain(singles.chunks(1));
    for chunk in batches {
        let (batch, found) = db.read("t", &key_array(utf8, chunk), &["a", "b"]).unwrap();
        let a = f32s(batch.column(0).as_ref());
        let b = f32s(batch.column(1).as_ref());
        for (i, k) in chunk.iter().enumerate() {
            let want = model.get(k).copied();
            assert_eq!(found[i], want.is_some(), "{stage}: key {k} found");
            assert_eq!(a[i], want, "{stage}: key {k} column a");
            assert_eq!(b[i], want.map(|v| -v), "{stage}: key {k} column b");
        }
    }
}

fn layers(utf8: bool) {
    let dir = tempfile::tempdir().unwrap();
    let key = if utf8 {
        DataType::Utf8
    } else {
        DataType::Int64
    };
    let db = common::table_with(dir.path(), manual(), &schema(key), "k");
    let mut model = BTreeMap::new();
    // The run: keys 0..5000.
    write(&db, utf8, &(0..5_000).collect::<Vec<_>>(), 1, &mut model);
    db.compact().unwrap();
    check(&db, utf8, &model, "run alone");
    // Three level-0 segments: overlapping ranges, new keys past the run, and a sparse set.
    write(
        &db,
        utf8,
        &(1_000..2_000).collect::<Vec<_>>(),
        2,
        &mut model,
    );
    db.flush().unwrap();
    write(
        &db,
        utf8,
        &(1_500..6_000).collect::<Vec<_>>(),
        3,
        &mut model,
    );
    db.flush().unwrap();
    write(
        &db,
        utf8,
        &(0..6_000).step_by(97).collect::<Vec<_>>(),
        4,
        &mut model,
    );
    db.flush().unwrap();
    assert_eq!(db.table_stats("t").unwrap().level0_segments, 3);
    check(&db, utf8, &model, "three level-0 segments");
    // And a memtable over them.
    write(
        &db,
        utf8,
        &(0..6_000).step_by(13).collect::<Vec<_>>(),
        5,
        &mut model,
    );
    check(&db, utf8, &model, "memtable over level 0");
    db.close().unwrap();
    drop(db);
    // Closing flushed the memtable: four level-0 segments, their filters rebuilt by open.
    let db = Db::open(dir.path(), manual()).unwrap();
    assert_eq!(db.table_stats("t").unwrap().level0_segments, 4);
    check(&db, utf8, &model, "after reopen");
    write(
        &db,
        utf8,
        &(4_000..4_100).collect::<Vec<_>>(),
        6,
        &mut model,
    );
    db.flush().unwrap();
    check(&db, utf8, &model, "five level-0 segments");
    db.compact().unwrap();
    check(&db, utf8, &model, "compacted");
}

#[test]
fn utf8_keys_read_through_level0_filters() {
    layers(true);
}

#[test]
fn int64_keys_read_through_level0_filters() {
    layers(false);
}
