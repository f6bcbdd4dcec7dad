#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `Db::ingest` against `Db::write`: two databases take the same random sequence of
//! operations, one ingesting what the other writes batch by batch; after every operation
//! both read the same (every key, every column). Operations: ingests and writes of random
//! column subsets (partial upserts, explicit nulls, keys repeated within and across
//! batches), deletes, flushes, compactions, reopens. The ingesting database sorts in tiny
//! parts (so most ingests spill and merge) into tiny segments (a run of several).

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch, RecordBatchIterator};
use arrow_schema::{DataType, Field, Schema};
use murr_core::db::{Db, Options};
use proptest::prelude::*;

const KEYS: i64 = 40;
const COLUMNS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    /// Batches of rows (key, value per chosen column; None = null) for the chosen columns.
    Ingest(Vec<usize>, Vec<Vec<(i64, Vec<Option<i64>>)>>),
    Write(Vec<usize>, Vec<(i64, Vec<Option<i64>>)>),
    Delete(Vec<i64>),
    Flush,
    Compact,
    Reopen,
}

fn rows() -> impl Strategy<Value = Vec<(i64, Vec<Option<i64>>)>> {
    proptest::collection::vec(
        (
            0..KEYS,
            proptest::collection::vec(proptest::option::weighted(0.85, 0..1000i64), COLUMNS),
        ),
        1..12,
    )
}

fn columns() -> impl Strategy<Value = Vec<usize>> {
    proptest::sample::subsequence((0..COLUMNS).collect::<Vec<_>>(), 0..=COLUMNS)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (columns(), proptest::collection::vec(rows(), 1..4))
            .prop_map(|(c, b)| Op::Ingest(c, b)),
        4 => (columns(), rows()).prop_map(|(c, r)| Op::Write(c, r)),
        2 => proptest::collection::vec(0..KEYS, 1..5).prop_map(Op::Delete),
        2 => Just(Op::Flush),
        1 => Just(Op::Compact),
        1 => Just(Op::Reopen),
    ]
}

fn table_schema() -> Schema {
    let mut fields = vec![Field::new("k", DataType::Int64, false)];
    fields.extend((0..COLUMNS).map(|c| Field::new(format!("c{c}"), DataType::Int64, true)));
    Schema::new(fields)
}

fn batch(cols: &[usize], rows: &[(i64, Vec<Option<i64>>)]) -> RecordBatch {
    let mut fields = vec![Field::new("k", DataType::Int64, false)];
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(Int64Array::from_iter_values(
        rows.iter().map(|r| r.0),
    ))];
    for &c in cols {
        fields.push(Field::new(format!("c{c}"), DataType::Int64, true));
        arrays.push(Arc::new(Int64Array::from_iter(rows.iter().map(|r| r.1[c]))));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()
}

fn open(dir: &std::path::Path, ingesting: bool) -> Db {
    let mut options = Options::default()
        .with_background_threads(0)
        .with_memtable_bytes(1 << 20);
    if ingesting {
        options = options
            .with_ingest_memory_bytes(300)
            .with_target_segment_bytes(400);
    }
    let db = Db::open(dir, options).unwrap();
    db.create_table("t", &table_schema(), "k").unwrap();
    db
}

/// Every key's found flag and every column's values, as read from `db`.
fn contents(db: &Db) -> (Vec<bool>, Vec<Vec<Option<i64>>>) {
    let keys = Int64Array::from_iter_values(0..KEYS);
    let names: Vec<String> = (0..COLUMNS).map(|c| format!("c{c}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let (batch, found) = db.read("t", &keys, &names).unwrap();
    let values = (0..COLUMNS)
        .map(|c| {
            let a = batch
                .column(c)
                .as_any()
                .downcast_ref::<Int64Array>()
                .unwrap();
            (0..a.len())
                .map(|i| a.is_valid(i).then(|| a.value(i)))
                .collect()
        })
        .collect();
    (found, values)
}

fn check(ops: &[Op]) {
    let (da, db_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut writing = open(da.path(), false);
    let mut ingesting = open(db_dir.path(), true);
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::Ingest(cols, batches) => {
                let batches: Vec<RecordBatch> = batches.iter().map(|r| batch(cols, r)).collect();
                for b in &batches {
                    writing.write("t", b).unwrap();
                }
                let schema = batches[0].schema();
                let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), schema);
                let stats = ingesting.ingest("t", reader).unwrap();
                assert!(stats.rows_read > 0);
                let t = ingesting.table_stats("t").unwrap();
                assert_eq!(t.level0_segments, 0, "an ingest leaves no level-0 segment");
            }
            Op::Write(cols, rows) => {
                let b = batch(cols, rows);
                writing.write("t", &b).unwrap();
                ingesting.write("t", &b).unwrap();
            }
            Op::Delete(keys) => {
                let keys = Int64Array::from(keys.clone());
                writing.delete("t", &keys).unwrap();
                ingesting.delete("t", &keys).unwrap();
            }
            Op::Flush => {
                writing.flush().unwrap();
                ingesting.flush().unwrap();
            }
            Op::Compact => {
                writing.compact().unwrap();
                ingesting.compact().unwrap();
            }
            Op::Reopen => {
                writing.close().unwrap();
                ingesting.close().unwrap();
                drop((writing, ingesting));
                writing = open(da.path(), false);
                ingesting = open(db_dir.path(), true);
            }
        }
        assert_eq!(
            contents(&ingesting),
            contents(&writing),
            "after op {i} ({op:?})"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn ingest_reads_as_writing_the_same_batches(ops in proptest::collection::vec(op(), 1..14)) {
        check(&ops);
    }
}

#[test]
fn a_partial_ingest_over_memtable_and_segments_keeps_the_other_columns() {
    let full = |k: i64| (k, vec![Some(k), Some(k * 10), Some(k * 100)]);
    check(&[
        Op::Write(vec![0, 1, 2], (0..20).map(full).collect()),
        Op::Flush,
        Op::Write(vec![0, 1, 2], (10..30).map(full).collect()),
        Op::Ingest(
            vec![1],
            vec![
                (5..25).map(|k| (k, vec![None, Some(-k), None])).collect(),
                vec![(7, vec![None, Some(7777), None])],
            ],
        ),
        Op::Write(vec![2], vec![(8, vec![None, None, Some(-8)])]),
        Op::Compact,
        Op::Reopen,
    ]);
}
