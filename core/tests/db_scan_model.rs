#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `Db::scan` against a model: random partial upserts (with explicit nulls), deletes,
//! flushes and full compactions; after each, a scan of every column (in small batches)
//! must list exactly the model's live keys, in key order, with the model's values, and a
//! scan of the key column alone the same keys. Snapshots taken along the way must scan
//! as the model was when they were taken.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use murr_core::db::{Scan, Snapshot};
use proptest::prelude::*;

const COLUMNS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    /// Rows (key, value per column: None = not written, Some(None) = explicit null) of the
    /// chosen columns.
    Write(Vec<usize>, Vec<(i64, Vec<Option<i64>>)>),
    Delete(Vec<i64>),
    Flush,
    Compact,
    Snapshot,
}

fn key() -> impl Strategy<Value = i64> {
    prop_oneof![-20i64..20, Just(i64::MIN), Just(i64::MAX)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (
            proptest::sample::subsequence((0..COLUMNS).collect::<Vec<_>>(), 1..=COLUMNS),
            proptest::collection::vec(
                (key(), proptest::collection::vec(proptest::option::weighted(0.8, 0..100i64), COLUMNS)),
                1..8,
            ),
        )
            .prop_map(|(cols, rows)| Op::Write(cols, rows)),
        2 => proptest::collection::vec(key(), 1..5).prop_map(Op::Delete),
        2 => Just(Op::Flush),
        1 => Just(Op::Compact),
        1 => Just(Op::Snapshot),
    ]
}

/// Per live key, the value of each column (None = null).
type Model = BTreeMap<i64, Vec<Option<i64>>>;

fn name(c: usize) -> String {
    format!("c{c}")
}

/// Every row of `scan` (all columns: the key first), checking batch sizes and key order.
fn collect(scan: Scan, batch_rows: usize) -> Model {
    let mut out = Model::new();
    let mut last = None;
    for batch in scan {
        let batch = batch.unwrap();
        assert!(batch.num_rows() > 0 && batch.num_rows() <= batch_rows);
        assert_eq!(batch.num_columns(), COLUMNS + 1);
        let col = |c: usize| {
            batch
                .column(c)
                .as_any()
                .downcast_ref::<Int64Array>()
                .unwrap()
                .clone()
        };
        let keys = col(0);
        assert_eq!(keys.null_count(), 0);
        for r in 0..batch.num_rows() {
            let k = keys.value(r);
            assert!(last.is_none_or(|l| l < k), "{last:?} then {k}");
            last = Some(k);
            let row = (1..=COLUMNS)
                .map(|c| {
                    let a = col(c);
                    a.is_valid(r).then(|| a.value(r))
                })
                .collect();
            out.insert(k, row);
        }
    }
    out
}

/// The keys of a scan of the key column alone.
fn keys_only(scan: Scan) -> Vec<i64> {
    scan.flat_map(|b| {
        let b = b.unwrap();
        assert_eq!(b.num_columns(), 1);
        let a = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
        a.values().to_vec()
    })
    .collect()
}

fn run(ops: Vec<Op>, batch_rows: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut fields = vec![Field::new("k", DataType::Int64, false)];
    fields.extend((0..COLUMNS).map(|c| Field::new(name(c), DataType::Int64, true)));
    let db = common::table(dir.path(), &Schema::new(fields), "k");
    let mut model = Model::new();
    let mut snapshots: Vec<(Snapshot, Model)> = Vec::new();
    for op in ops {
        match op {
            Op::Write(cols, rows) => {
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
                    let row = model.entry(k).or_insert_with(|| vec![None; COLUMNS]);
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
            Op::Compact => db.compact().unwrap(),
            Op::Snapshot => snapshots.push((db.snapshot().unwrap(), model.clone())),
        }
        let scan = db.scan("t", &[]).unwrap().with_batch_rows(batch_rows);
        assert_eq!(collect(scan, batch_rows), model);
        let keys = keys_only(db.scan("t", &["k"]).unwrap().with_batch_rows(batch_rows));
        assert_eq!(keys, model.keys().copied().collect::<Vec<_>>());
    }
    for (snap, expect) in snapshots {
        let scan = snap.scan("t", &[]).unwrap().with_batch_rows(batch_rows);
        assert_eq!(
            collect(scan, batch_rows),
            expect,
            "snapshot at {}",
            snap.seq()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn scans_match_a_model(ops in proptest::collection::vec(op(), 1..40), batch_rows in 1usize..6) {
        run(ops, batch_rows);
    }
}

#[test]
fn default_batches_match_a_model() {
    let ops = (0..5)
        .flat_map(|i| {
            [
                Op::Write(
                    vec![0, 2],
                    (0..20).map(|k| (k * 3 - i, vec![Some(k); 3])).collect(),
                ),
                Op::Delete(vec![i, 10 + i]),
                if i % 2 == 0 { Op::Flush } else { Op::Compact },
            ]
        })
        .collect();
    run(ops, murr_core::db::SCAN_BATCH_ROWS);
}
