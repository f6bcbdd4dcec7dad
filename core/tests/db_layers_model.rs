#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The same keys and columns written in three layers at once: a compacted run, a level-0
//! segment over it and the memtable over both, each holding a different version (full
//! rows, partial upserts with explicit nulls, deletes, rows of the key alone), checked
//! against a model through reads of every projection, dense reads (`read_f32`), scans and
//! snapshots taken between the layers' writes.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int64Type};
use arrow_array::{Array, ArrayRef, Float32Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use murr_core::db::{Db, Options, Snapshot};
use proptest::prelude::*;

const KEYS: i64 = 8;
const COLUMNS: usize = 3;

/// Per key: its value per column (None = null); absent keys are not in the map.
type Model = BTreeMap<i64, Vec<Option<f32>>>;

#[derive(Debug, Clone)]
enum Op {
    /// The chosen columns (maybe none: a row of the key alone) for each (key, values).
    Write(Vec<usize>, Vec<(i64, Vec<Option<f32>>)>),
    Delete(Vec<i64>),
    Snapshot,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (
            proptest::sample::subsequence((0..COLUMNS).collect::<Vec<_>>(), 0..=COLUMNS),
            proptest::collection::vec(
                (
                    0..KEYS,
                    proptest::collection::vec(
                        proptest::option::weighted(0.8, (0..100u8).prop_map(f32::from)),
                        COLUMNS,
                    ),
                ),
                1..6,
            ),
        )
            .prop_map(|(cols, rows)| Op::Write(cols, rows)),
        2 => proptest::collection::vec(0..KEYS, 1..4).prop_map(Op::Delete),
        1 => Just(Op::Snapshot),
    ]
}

fn name(c: usize) -> String {
    format!("c{c}")
}

fn schema() -> Schema {
    let mut fields = vec![Field::new("k", DataType::Int64, false)];
    fields.extend((0..COLUMNS).map(|c| Field::new(name(c), DataType::Float32, true)));
    Schema::new(fields)
}

fn apply(db: &Db, model: &mut Model, snapshots: &mut Vec<(Snapshot, Model)>, op: &Op) {
    match op {
        Op::Write(cols, rows) => {
            let mut fields = vec![Field::new("k", DataType::Int64, false)];
            let mut arrays: Vec<ArrayRef> = vec![Arc::new(Int64Array::from_iter_values(
                rows.iter().map(|r| r.0),
            ))];
            for &c in cols {
                fields.push(Field::new(name(c), DataType::Float32, true));
                arrays.push(Arc::new(Float32Array::from_iter(
                    rows.iter().map(|r| r.1[c]),
                )));
            }
            let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
            db.write("t", &batch).unwrap();
            for (k, values) in rows {
                let row = model.entry(*k).or_insert_with(|| vec![None; COLUMNS]);
                for &c in cols {
                    row[c] = values[c];
                }
            }
        }
        Op::Delete(keys) => {
            db.delete("t", &Int64Array::from(keys.clone())).unwrap();
            for k in keys {
                model.remove(k);
            }
        }
        Op::Snapshot => snapshots.push((db.snapshot().unwrap(), model.clone())),
    }
}

/// A read of keys x columns.
type Read<'a> = &'a dyn Fn(&Int64Array, &[&str]) -> (RecordBatch, Vec<bool>);
/// A dense read of keys x columns into a buffer.
type ReadF32<'a> = &'a dyn Fn(&Int64Array, &[&str], &mut [f32]) -> Vec<bool>;

/// Every key (and an absent one) through `read` for every projection, `read_f32` for all
/// columns, and `scan`.
fn check(
    model: &Model,
    read: Read<'_>,
    read_f32: ReadF32<'_>,
    scan: &dyn Fn() -> Vec<RecordBatch>,
) {
    let keys = Int64Array::from_iter_values((0..KEYS + 1).rev());
    let names: Vec<String> = (0..COLUMNS).map(name).collect();
    let all: Vec<&str> = names.iter().map(String::as_str).collect();
    let projections: Vec<Vec<&str>> = vec![
        all.clone(),
        vec!["c2", "c0"],
        vec!["c1"],
        vec!["k", "c1"],
        vec!["k"],
    ];
    for cols in &projections {
        let (batch, found) = read(&keys, cols);
        for (i, k) in keys.values().iter().enumerate() {
            let want = model.get(k);
            assert_eq!(found[i], want.is_some(), "key {k} {cols:?}");
            for (j, col) in cols.iter().enumerate() {
                let column = batch.column(j);
                if *col == "k" {
                    let got = column.as_primitive::<Int64Type>();
                    assert_eq!(got.is_valid(i), want.is_some(), "key column of {k}");
                    continue;
                }
                let c: usize = col[1..].parse().unwrap();
                let got = column.as_primitive::<Float32Type>();
                let expect = want.and_then(|row| row[c]);
                let value = got.is_valid(i).then(|| got.value(i));
                assert_eq!(value, expect, "key {k} column {col} ({cols:?})");
            }
        }
    }
    let mut dense = vec![0f32; keys.len() * COLUMNS];
    let found = read_f32(&keys, &all, &mut dense);
    for (i, k) in keys.values().iter().enumerate() {
        assert_eq!(found[i], model.contains_key(k));
        for c in 0..COLUMNS {
            let expect = model.get(k).and_then(|row| row[c]).unwrap_or(-1.0);
            assert_eq!(dense[i * COLUMNS + c], expect, "dense key {k} column {c}");
        }
    }
    let mut scanned: Model = BTreeMap::new();
    let mut order = Vec::new();
    for batch in scan() {
        let k = batch.column(0).as_primitive::<Int64Type>();
        for i in 0..batch.num_rows() {
            let row = (0..COLUMNS)
                .map(|c| {
                    let a = batch.column(c + 1).as_primitive::<Float32Type>();
                    a.is_valid(i).then(|| a.value(i))
                })
                .collect();
            order.push(k.value(i));
            scanned.insert(k.value(i), row);
        }
    }
    assert_eq!(&scanned, model, "scan");
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "scan order {order:?}"
    );
}

fn check_db(db: &Db, model: &Model) {
    check(
        model,
        &|k, c| db.read("t", k, c).unwrap(),
        &|k, c, out| db.read_f32("t", k, c, -1.0, out).unwrap(),
        &|| {
            db.scan("t", &[])
                .unwrap()
                .with_batch_rows(3)
                .map(|b| b.unwrap())
                .collect()
        },
    );
}

fn check_snapshot(s: &Snapshot, model: &Model) {
    check(
        model,
        &|k, c| s.read("t", k, c).unwrap(),
        &|k, c, out| s.read_f32("t", k, c, -1.0, out).unwrap(),
        &|| {
            s.scan("t", &[])
                .unwrap()
                .with_batch_rows(2)
                .map(|b| b.unwrap())
                .collect()
        },
    );
}

/// Writes `run` and compacts, writes `level0` and flushes, writes `memtable`; checks the
/// database and every snapshot after each layer and at the end.
fn layers(run: &[Op], level0: &[Op], memtable: &[Op]) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(
        dir.path(),
        Options::default()
            .with_background_threads(0)
            .with_idle_compaction_after(None),
    )
    .unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    let mut model = Model::new();
    let mut snapshots = Vec::new();
    for op in run {
        apply(&db, &mut model, &mut snapshots, op);
    }
    db.compact().unwrap();
    check_db(&db, &model);
    for op in level0 {
        apply(&db, &mut model, &mut snapshots, op);
    }
    snapshots.push((db.snapshot().unwrap(), model.clone()));
    db.flush().unwrap();
    let stats = db.table_stats("t").unwrap();
    assert!(stats.level0_segments <= 1, "{stats:?}");
    check_db(&db, &model);
    for op in memtable {
        apply(&db, &mut model, &mut snapshots, op);
    }
    check_db(&db, &model);
    for (s, m) in &snapshots {
        check_snapshot(s, m);
    }
}

fn full(rows: &[(i64, [f32; COLUMNS])]) -> Op {
    Op::Write(
        (0..COLUMNS).collect(),
        rows.iter()
            .map(|(k, v)| (*k, v.iter().map(|&x| Some(x)).collect()))
            .collect(),
    )
}

fn partial(cols: &[usize], rows: &[(i64, Vec<Option<f32>>)]) -> Op {
    let rows = rows
        .iter()
        .map(|(k, v)| {
            let mut values = vec![None; COLUMNS];
            for (&c, &x) in cols.iter().zip(v) {
                values[c] = x;
            }
            (*k, values)
        })
        .collect();
    Op::Write(cols.to_vec(), rows)
}

#[test]
fn each_layer_holds_another_version_of_the_same_cells() {
    let run = [full(&[
        (1, [1.0, 2.0, 3.0]),
        (2, [4.0, 5.0, 6.0]),
        (3, [7.0, 8.0, 9.0]),
        (4, [1.0, 1.0, 1.0]),
    ])];
    let level0 = [
        // key 1: c1 rewritten; key 2: deleted; key 3: c0 set to null; key 5: new, partial.
        partial(&[1], &[(1, vec![Some(20.0)])]),
        Op::Delete(vec![2]),
        partial(&[0], &[(3, vec![None])]),
        partial(&[2], &[(5, vec![Some(50.0)])]),
        Op::Snapshot,
    ];
    let memtable = [
        // key 1: c2 rewritten (c0 from the run, c1 from level 0, c2 from here);
        // key 2: a row of the key alone after the delete (exists, every cell null);
        // key 3: deleted; key 4: full; key 5: deleted, then c1 written.
        partial(&[2], &[(1, vec![Some(300.0)])]),
        partial(&[], &[(2, vec![])]),
        Op::Delete(vec![3, 5]),
        full(&[(4, [10.0, 11.0, 12.0])]),
        Op::Snapshot,
        partial(&[1], &[(5, vec![Some(51.0)])]),
    ];
    layers(&run, &level0, &memtable);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn three_layers_match_a_model(
        run in proptest::collection::vec(op(), 1..8),
        level0 in proptest::collection::vec(op(), 1..8),
        memtable in proptest::collection::vec(op(), 1..8),
    ) {
        layers(&run, &level0, &memtable);
    }
}
