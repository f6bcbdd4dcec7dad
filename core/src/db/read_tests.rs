//! The direct read path against the general one, on the same table versions: a run of
//! many segments (string keys, fixed and variable-width columns with nulls), absent, null
//! and duplicate keys, projections with the key column, level-0 segments over the run
//! (newest row wins), memtables answering whole rows and deletes merged in, and the cases
//! that must fall back (partial rows in a memtable, tombstones in a segment, added
//! columns).

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};

use super::read::general;
use super::version::TableVersion;
use super::{Db, Options};

const ROWS: usize = 300;

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("k", DataType::Utf8, false),
        Field::new("f", DataType::Float32, true),
        Field::new("i", DataType::Int64, true),
        Field::new("s", DataType::Utf8, true),
    ]))
}

fn key(i: usize) -> String {
    format!("key_{:05}", i * 7)
}

/// Rows `rows` with values shifted by `shift`; every 5th `i` and every 7th `s` is null.
fn write(db: &Db, rows: std::ops::Range<usize>, shift: i64) {
    let rows: Vec<usize> = rows.collect();
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|&r| key(r)))),
        Arc::new(Float32Array::from_iter_values(
            rows.iter().map(|&r| r as f32 + shift as f32),
        )),
        Arc::new(Int64Array::from_iter(
            rows.iter()
                .map(|&r| (r % 5 != 0).then_some(r as i64 * 3 + shift)),
        )),
        Arc::new(StringArray::from_iter(
            rows.iter()
                .map(|&r| (r % 7 != 0).then(|| format!("v{r}+{shift}"))),
        )),
    ];
    db.write("t", &RecordBatch::try_new(schema(), arrays).unwrap())
        .unwrap();
}

/// A database whose table `t` is compacted into a run of many small segments.
fn run_db(dir: &std::path::Path) -> Db {
    let mut options = Options::default()
        .with_background_threads(0)
        .with_target_segment_bytes(1);
    options.compaction_chunk_rows = 16;
    let db = Db::open(dir, options).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    write(&db, 0..ROWS, 0);
    db.flush().unwrap();
    db.compact().unwrap();
    db
}

/// Keys: existing ones in scattered order, duplicates, absent ones before, between and
/// after the ranges, and a null.
fn keys() -> StringArray {
    let mut k: Vec<Option<String>> = Vec::new();
    for j in 0..200 {
        k.push(Some(key((j * 37) % ROWS)));
    }
    k.push(Some(key(3)));
    k.push(Some(key(3)));
    k.push(Some("a".into()));
    k.push(Some("key_00001".into()));
    k.push(Some(format!("{}x", key(150))));
    k.push(Some("zzz".into()));
    k.push(None);
    k.push(Some(key(ROWS + 5)));
    StringArray::from(k)
}

const PROJECTIONS: &[&[&str]] = &[
    &["f", "i", "s"],
    &["s"],
    &["i", "k", "f"],
    &["k"],
    &["f", "f"],
    &[],
];

/// The fast paths as `read` takes them: the direct one over the segments, or with
/// memtables holding writes, the memtables' whole answers merged with it.
fn direct(
    table: &TableVersion,
    seq: u64,
    keys: &dyn Array,
    columns: &[&str],
) -> crate::Result<Option<(RecordBatch, Vec<bool>)>> {
    if !table.active.is_empty() || table.frozen.iter().any(|m| !m.is_empty()) {
        super::mixed::read(table, seq, keys, columns)
    } else {
        super::direct::direct(table, keys, columns)
    }
}

/// Whether the fast path answers `t` now, and, when it does, that its answers equal the
/// general path's for every projection.
fn direct_matches(db: &Db) -> bool {
    let (version, seq) = db.inner.view();
    let table = version.table("t").unwrap();
    let keys = keys();
    let mut answered = None;
    for columns in PROJECTIONS {
        let got = direct(table, seq, &keys, columns).unwrap();
        let want = general(table, seq, &keys, columns).unwrap();
        if let Some(got) = &got {
            assert_eq!(got.1, want.1, "found, {columns:?}");
            assert_eq!(got.0.num_rows(), want.0.num_rows());
            assert_eq!(got.0.schema(), want.0.schema(), "{columns:?}");
            for (a, b) in got.0.columns().iter().zip(want.0.columns()) {
                assert_eq!(a.to_data(), b.to_data(), "{columns:?}");
            }
        }
        // Every projection of a value column takes the same path (one of the key alone
        // or of nothing needs no cell, so a memtable's partial row answers it too).
        if columns.iter().any(|&c| c != "k") {
            match answered {
                None => answered = Some(got.is_some()),
                Some(a) => assert_eq!(a, got.is_some(), "{columns:?}"),
            }
        }
        // And the public read answers as the general path.
        let read = db.read("t", &keys, columns).unwrap();
        assert_eq!(read.1, want.1);
        for (a, b) in read.0.columns().iter().zip(want.0.columns()) {
            assert_eq!(a.to_data(), b.to_data(), "{columns:?}");
        }
    }
    answered.unwrap_or(false)
}

#[test]
fn a_run_of_many_segments_is_read_directly_and_as_the_general_path() {
    let dir = tempfile::tempdir().unwrap();
    let db = run_db(dir.path());
    let stats = db.table_stats("t").unwrap();
    assert!(stats.run_segments >= 8, "{stats:?}");
    assert_eq!(stats.level0_segments, 0);
    assert!(direct_matches(&db));
    // Values as written, absent keys not found.
    let (batch, found) = db
        .read(
            "t",
            &StringArray::from(vec![key(10), "nope".into()]),
            &["f"],
        )
        .unwrap();
    assert_eq!(found, vec![true, false]);
    let f = batch
        .column(0)
        .as_any()
        .downcast_ref::<Float32Array>()
        .unwrap();
    assert_eq!((f.value(0), f.is_null(1)), (10.0, true));
}

#[test]
fn one_flushed_segment_is_read_directly() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), Options::default().with_background_threads(0)).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    write(&db, 0..ROWS, 0);
    db.flush().unwrap();
    assert!(direct_matches(&db));
}

#[test]
fn level0_deletion_vectors_memtables_and_deletes_fall_back_and_agree() {
    let dir = tempfile::tempdir().unwrap();
    let db = run_db(dir.path());
    // A memtable write of whole rows: its rows merged with the direct read of the others.
    write(&db, 100..120, 1000);
    assert!(direct_matches(&db));
    // A partial upsert in the memtable: the general path.
    let partial = Arc::new(Schema::new(vec![
        schema().field(0).clone(),
        schema().field(2).clone(),
    ]));
    db.write(
        "t",
        &RecordBatch::try_new(
            partial,
            vec![
                Arc::new(StringArray::from(vec![key(3)])) as ArrayRef,
                Arc::new(Int64Array::from(vec![Some(-3)])),
            ],
        )
        .unwrap(),
    )
    .unwrap();
    assert!(!direct_matches(&db));
    // The key written whole again: its newest write answers it whole.
    write(&db, 3..4, 1000);
    assert!(direct_matches(&db));
    // A level-0 segment over the run (the run gets a deletion vector): direct, the newer
    // rows shadowing the marked ones.
    db.flush().unwrap();
    assert!(direct_matches(&db));
    // Compacted again: direct, with the new values.
    db.compact().unwrap();
    assert!(direct_matches(&db));
    let (batch, _) = db
        .read("t", &StringArray::from(vec![key(110)]), &["f"])
        .unwrap();
    let f = batch
        .column(0)
        .as_any()
        .downcast_ref::<Float32Array>()
        .unwrap();
    assert_eq!(f.value(0), 1110.0);
    // Deleted keys: tombstones in the memtable (whole answers), in level 0 (the general
    // path), then gone from the run.
    db.delete("t", &StringArray::from(vec![key(3), key(150), key(37)]))
        .unwrap();
    assert!(direct_matches(&db));
    db.flush().unwrap();
    assert!(!direct_matches(&db));
    db.compact().unwrap();
    assert!(direct_matches(&db));
    let (_, found) = db
        .read("t", &StringArray::from(vec![key(3), key(4)]), &["f"])
        .unwrap();
    assert_eq!(found, vec![false, true]);
}

#[test]
fn an_added_column_falls_back_until_the_segments_hold_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = run_db(dir.path());
    db.add_column("t", Field::new("g", DataType::Int64, true))
        .unwrap();
    let (version, seq) = db.inner.view();
    let table = version.table("t").unwrap();
    let keys = keys();
    // The segments lack `g`: the general path answers (nulls).
    assert!(direct(table, seq, &keys, &["f", "g"]).unwrap().is_none());
    let (batch, _) = general(table, seq, &keys, &["f", "g"]).unwrap();
    assert_eq!(batch.column(1).null_count(), keys.len());
    // Columns the segments have still go direct.
    assert!(direct(table, seq, &keys, &["f", "s"]).unwrap().is_some());
    drop(version);
    // Write `g` for a few keys only (partial rows), flush and compact.
    let few: Vec<usize> = (0..ROWS).step_by(11).collect();
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("k", DataType::Utf8, false),
            Field::new("g", DataType::Int64, true),
        ])),
        vec![
            Arc::new(StringArray::from_iter_values(few.iter().map(|&r| key(r)))),
            Arc::new(Int64Array::from_iter_values(few.iter().map(|&r| r as i64))),
        ],
    )
    .unwrap();
    db.write("t", &batch).unwrap();
    db.flush().unwrap();
    db.compact().unwrap();
    let (version, seq) = db.inner.view();
    let table = version.table("t").unwrap();
    let want = general(table, seq, &keys, &["g", "f"]).unwrap();
    if let Some(got) = direct(table, seq, &keys, &["g", "f"]).unwrap() {
        assert_eq!(got.1, want.1);
        for (a, b) in got.0.columns().iter().zip(want.0.columns()) {
            assert_eq!(a.to_data(), b.to_data());
        }
    }
    let read = db.read("t", &keys, &["g", "f"]).unwrap();
    assert_eq!(read.1, want.1);
    let g = read
        .0
        .column(0)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap();
    for (j, k) in keys.iter().enumerate() {
        let expect = k
            .and_then(|k| few.iter().find(|&&r| key(r) == k))
            .map(|&r| r as i64);
        assert_eq!(g.is_valid(j).then(|| g.value(j)), expect, "key {k:?}");
    }
}

/// The answers of both paths for `columns`, equal when the direct path answers; whether it
/// did.
fn agree(db: &Db, columns: &[&str]) -> bool {
    let (version, seq) = db.inner.view();
    let table = version.table("t").unwrap();
    let keys = keys();
    let want = general(table, seq, &keys, columns).unwrap();
    let Some(got) = direct(table, seq, &keys, columns).unwrap() else {
        return false;
    };
    assert_eq!(got.1, want.1, "{columns:?}");
    for (a, b) in got.0.columns().iter().zip(want.0.columns()) {
        assert_eq!(a.to_data(), b.to_data(), "{columns:?}");
    }
    true
}

#[test]
fn level0_segments_over_the_run_newest_row_wins_and_partial_rows_fall_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = run_db(dir.path());
    write(&db, 100..120, 1000);
    db.flush().unwrap();
    write(&db, 110..130, 2000);
    db.flush().unwrap();
    assert_eq!(db.table_stats("t").unwrap().level0_segments, 2);
    assert!(direct_matches(&db));
    let asked = StringArray::from(vec![key(105), key(115), key(125), key(135)]);
    let (batch, found) = db.read("t", &asked, &["f"]).unwrap();
    assert_eq!(found, vec![true; 4]);
    let f = batch
        .column(0)
        .as_any()
        .downcast_ref::<Float32Array>()
        .unwrap();
    assert_eq!(f.values().to_vec(), vec![1105.0, 2115.0, 2125.0, 135.0]);
    // A partial upsert (column `f` only) in a newer level-0 segment: reads of `f` alone
    // go direct, reads of a column those rows do not write fall back.
    let few: Vec<usize> = (0..ROWS).step_by(3).collect();
    let partial = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("k", DataType::Utf8, false),
            Field::new("f", DataType::Float32, true),
        ])),
        vec![
            Arc::new(StringArray::from_iter_values(few.iter().map(|&r| key(r)))),
            Arc::new(Float32Array::from_iter_values(
                few.iter().map(|&r| -(r as f32)),
            )),
        ],
    )
    .unwrap();
    db.write("t", &partial).unwrap();
    db.flush().unwrap();
    assert!(agree(&db, &["f", "k"]));
    assert!(!agree(&db, &["f", "i"]));
    assert!(!agree(&db, &["s"]));
}
