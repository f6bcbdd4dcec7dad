#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The engine against a model: random sequences of partial upserts (with explicit nulls),
//! deletes, flushes, added columns, reopens and snapshots, every read compared with a plain
//! map.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use murr_core::db::{Db, Options, Snapshot};
use proptest::prelude::*;

const KEYS: i64 = 12;
const MAX_COLUMNS: usize = 4;

#[derive(Debug, Clone)]
enum Op {
    /// Rows (key, value per column: None = not written, Some(None) = explicit null) for the
    /// chosen columns.
    Write(Vec<usize>, Vec<(i64, Vec<Option<i64>>)>),
    Delete(Vec<i64>),
    Flush,
    Reopen,
    AddColumn,
    /// Take a snapshot now; it is checked at the end against the model as of now.
    Snapshot,
    /// A full compaction.
    Compact,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (
            proptest::sample::subsequence((0..MAX_COLUMNS).collect::<Vec<_>>(), 1..=MAX_COLUMNS),
            proptest::collection::vec(
                (0..KEYS, proptest::collection::vec(proptest::option::weighted(0.8, 0..100i64), MAX_COLUMNS)),
                1..6,
            ),
        )
            .prop_map(|(cols, rows)| Op::Write(cols, rows)),
        2 => proptest::collection::vec(0..KEYS, 1..4).prop_map(Op::Delete),
        2 => Just(Op::Flush),
        1 => Just(Op::Reopen),
        1 => Just(Op::AddColumn),
        1 => Just(Op::Snapshot),
        1 => Just(Op::Compact),
    ]
}

/// Per key: None = absent, else the value of each column that exists (None = null).
type Model = BTreeMap<i64, Vec<Option<i64>>>;

fn name(c: usize) -> String {
    format!("c{c}")
}

fn read_all(
    read: impl Fn(&Int64Array, &[&str]) -> (RecordBatch, Vec<bool>),
    columns: usize,
) -> Model {
    let keys = Int64Array::from_iter_values(0..KEYS);
    let names: Vec<String> = (0..columns).map(name).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let (batch, found) = read(&keys, &names);
    let mut out = Model::new();
    for (k, &exists) in found.iter().enumerate() {
        if exists {
            let row = (0..columns)
                .map(|c| {
                    let a = batch
                        .column(c)
                        .as_any()
                        .downcast_ref::<Int64Array>()
                        .unwrap();
                    a.is_valid(k).then(|| a.value(k))
                })
                .collect();
            out.insert(k as i64, row);
        } else {
            for c in 0..columns {
                assert!(
                    batch.column(c).is_null(k),
                    "absent key {k} has a value in c{c}"
                );
            }
        }
    }
    out
}

/// How the database under test runs.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Flushes and compactions only when asked.
    Manual,
    /// A background thread with a tiny memtable, trigger and output segments, so that
    /// flushes, compactions and their deletion vectors happen between (and during) the
    /// operations.
    Background,
    /// Manual, with compactions cutting the run into segments of a few rows each: reads of
    /// a compacted table route keys across many run segments.
    SmallRun,
}

fn options(mode: Mode) -> Options {
    match mode {
        Mode::Background => Options::default()
            .with_background_threads(1)
            .with_memtable_bytes(4 << 10)
            .with_l0_triggers(2, 3, 5)
            .with_target_segment_bytes(2 << 10),
        Mode::Manual => Options::default().with_background_threads(0),
        Mode::SmallRun => {
            let mut o = Options::default()
                .with_background_threads(0)
                .with_target_segment_bytes(1);
            o.compaction_chunk_rows = 2;
            o
        }
    }
}

fn run(ops: Vec<Op>, mode: Mode) {
    let dir = tempfile::tempdir().unwrap();
    let mut columns = 2usize;
    let schema = |n: usize| {
        let mut f = vec![Field::new("k", DataType::Int64, false)];
        f.extend((0..n).map(|c| Field::new(name(c), DataType::Int64, true)));
        Schema::new(f)
    };
    let mut db = Db::open(dir.path(), options(mode)).unwrap();
    db.create_table("t", &schema(columns), "k").unwrap();
    let mut model = Model::new();
    let mut snapshots: Vec<(Snapshot, Model, usize)> = Vec::new();
    for op in ops {
        match op {
            Op::Write(cols, rows) => {
                let cols: Vec<usize> = cols.into_iter().filter(|&c| c < columns).collect();
                let mut fields = vec![Field::new("k", DataType::Int64, false)];
                let mut arrays: Vec<ArrayRef> = vec![Arc::new(Int64Array::from_iter_values(
                    rows.iter().map(|r| r.0),
                ))];
                for &c in &cols {
                    fields.push(Field::new(name(c), DataType::Int64, true));
                    arrays.push(Arc::new(Int64Array::from(
                        rows.iter().map(|r| r.1[c]).collect::<Vec<_>>(),
                    )));
                }
                let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
                db.write("t", &batch).unwrap();
                for (k, values) in rows {
                    let row = model.entry(k).or_insert_with(|| vec![None; columns]);
                    for &c in &cols {
                        row[c] = values[c];
                    }
                }
            }
            Op::Delete(keys) => {
                db.delete("t", &Int64Array::from(keys.clone())).unwrap();
                for k in keys {
                    model.remove(&k);
                }
            }
            Op::Flush => db.flush().unwrap(),
            Op::Reopen => {
                check(&mut snapshots);
                db.close().unwrap();
                drop(db);
                db = Db::open(dir.path(), options(mode)).unwrap();
            }
            Op::AddColumn => {
                if columns < MAX_COLUMNS {
                    db.add_column("t", Field::new(name(columns), DataType::Int64, true))
                        .unwrap();
                    columns += 1;
                    for row in model.values_mut() {
                        row.push(None);
                    }
                }
            }
            Op::Snapshot => snapshots.push((db.snapshot().unwrap(), model.clone(), columns)),
            Op::Compact => {
                db.compact().unwrap();
                let stats = db.table_stats("t").unwrap();
                assert_eq!(stats.level0_segments, 0, "{stats:?}");
                assert_eq!(stats.deleted_rows, 0, "{stats:?}");
                if matches!(mode, Mode::SmallRun) && model.len() >= 6 {
                    assert!(stats.run_segments >= 2, "{stats:?}");
                }
            }
        }
        let got = read_all(|k, c| db.read("t", k, c).unwrap(), columns);
        assert_eq!(got, model);
    }
    check(&mut snapshots);
    db.close().unwrap();
    let db = Db::open(dir.path(), options(mode)).unwrap();
    assert_eq!(read_all(|k, c| db.read("t", k, c).unwrap(), columns), model);
}

/// Checks the snapshots taken so far (a snapshot lives as long as its database is open).
fn check(snapshots: &mut Vec<(Snapshot, Model, usize)>) {
    for (snap, expect, cols) in snapshots.drain(..) {
        let got = read_all(|k, c| snap.read("t", k, c).unwrap(), cols);
        assert_eq!(got, expect, "snapshot at seq {}", snap.seq());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn the_engine_matches_a_model(ops in proptest::collection::vec(op(), 1..40)) {
        run(ops, Mode::Manual);
    }

    #[test]
    fn the_engine_matches_a_model_with_background_work(
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        run(ops, Mode::Background);
    }

    #[test]
    fn the_engine_matches_a_model_with_a_run_of_small_segments(
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        run(ops, Mode::SmallRun);
    }
}
