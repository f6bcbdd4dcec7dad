#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `Db::scan` and `Snapshot::scan`: key order for every key type, projections and their
//! errors, a view that later writes, flushes and compactions do not move, every source
//! (memtable, level 0, a run of several segments with deletion vectors) merged, and a scan
//! running beside a writer and a flusher. The model test is `db_scan_model.rs`.

mod common;

use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, Int64Array, RecordBatch, RecordBatchReader, StringArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use common::{i64s, manual};
use murr_core::Error;
use murr_core::db::{Db, Options, Scan};

/// A table `t` keyed by `k` of `key_type`, with an int64 column `v`.
fn table(dir: &std::path::Path, key_type: DataType, options: Options) -> Db {
    let schema = Schema::new(vec![
        Field::new("v", DataType::Int64, true),
        Field::new("k", key_type, false),
    ]);
    common::table_with(dir, options, &schema, "k")
}

/// Rows `keys` with `v` = `values` (column order: v, k).
fn rows(keys: ArrayRef, values: Vec<i64>) -> RecordBatch {
    let schema = Schema::new(vec![
        Field::new("v", DataType::Int64, true),
        Field::new("k", keys.data_type().clone(), false),
    ]);
    RecordBatch::try_new(
        Arc::new(schema),
        vec![Arc::new(Int64Array::from(values)), keys],
    )
    .unwrap()
}

fn int_rows(keys: impl IntoIterator<Item = i64>, v: i64) -> RecordBatch {
    let keys: Vec<i64> = keys.into_iter().collect();
    let values = keys.iter().map(|k| k * 10 + v).collect();
    rows(Arc::new(Int64Array::from(keys)), values)
}

/// Every batch of a scan, concatenated.
fn all(scan: Scan) -> RecordBatch {
    let schema = scan.schema();
    let batches: Vec<RecordBatch> = scan.map(|b| b.unwrap()).collect();
    for b in &batches {
        assert_eq!(b.schema(), schema);
    }
    arrow_select::concat::concat_batches(&schema, &batches).unwrap()
}

/// (k, v) pairs of an int64-keyed scan of all columns.
fn pairs(scan: Scan) -> Vec<(i64, Option<i64>)> {
    let b = all(scan);
    let k = i64s(b.column(0)).into_iter().map(Option::unwrap);
    k.zip(i64s(b.column(1))).collect()
}

#[test]
fn utf8_keys_come_bytewise_and_uint64_numerically() {
    let dir = tempfile::tempdir().unwrap();
    let db = table(dir.path(), DataType::Utf8, manual());
    let words = [
        "b", "", "a", "B", "é", "e", "z", "ab", "a\u{0}", "日本", "Ω", "\u{7f}",
    ];
    let (first, second) = words.split_at(5);
    for (part, flush) in [(first, true), (second, false)] {
        let keys: ArrayRef = Arc::new(StringArray::from(part.to_vec()));
        db.write("t", &rows(keys, vec![1; part.len()])).unwrap();
        if flush {
            db.flush().unwrap();
        }
    }
    let b = all(db.scan("t", &["k"]).unwrap().with_batch_rows(5));
    let got: Vec<&str> = b
        .column(0)
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap()
        .iter()
        .map(Option::unwrap)
        .collect();
    let mut want = words.to_vec();
    want.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    assert_eq!(got, want);

    let dir = tempfile::tempdir().unwrap();
    let db = table(dir.path(), DataType::UInt64, manual());
    let nums = [u64::MAX, 0, 1 << 63, (1 << 63) - 1, 7];
    let keys: ArrayRef = Arc::new(UInt64Array::from(nums[..2].to_vec()));
    db.write("t", &rows(keys, vec![1; 2])).unwrap();
    db.flush().unwrap();
    let keys: ArrayRef = Arc::new(UInt64Array::from(nums[2..].to_vec()));
    db.write("t", &rows(keys, vec![1; 3])).unwrap();
    let b = all(db.scan("t", &["k"]).unwrap());
    let got = b.column(0).as_any().downcast_ref::<UInt64Array>().unwrap();
    let mut want = nums.to_vec();
    want.sort();
    assert_eq!(got.values().to_vec(), want);
}

#[test]
fn projections_schema_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = table(dir.path(), DataType::Int64, manual());
    db.write("t", &int_rows(0..3, 1)).unwrap();
    // All columns: the key first, then the others in schema order.
    let scan = db.scan("t", &[]).unwrap();
    let names: Vec<String> = scan
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, vec!["k", "v"]);
    assert!(scan.schema().fields().iter().all(|f| f.is_nullable()));
    assert_eq!(
        pairs(scan),
        vec![(0, Some(1)), (1, Some(11)), (2, Some(21))]
    );
    // Asked columns in the asked order; the schema matches read's batches.
    let b = all(db.scan("t", &["v", "k"]).unwrap());
    let (read, _) = db
        .read("t", &Int64Array::from(vec![0, 1, 2]), &["v", "k"])
        .unwrap();
    assert_eq!(b, read);
    let b = all(db.scan("t", &["v"]).unwrap());
    assert_eq!(b.num_columns(), 1);
    assert_eq!(b.num_rows(), 3);
    // An empty table scans to nothing.
    db.create_table(
        "empty",
        &Schema::new(vec![Field::new("k", DataType::Int64, false)]),
        "k",
    )
    .unwrap();
    assert_eq!(db.scan("empty", &[]).unwrap().count(), 0);

    let err = db.scan("t", &["v", "nope"]).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownColumn { column, .. } if column == "nope"),
        "{err}"
    );
    let err = db.scan("nope", &[]).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownTable { table, .. } if table == "nope"),
        "{err}"
    );
    let snap = db.snapshot().unwrap();
    assert!(matches!(
        snap.scan("nope", &[]),
        Err(Error::UnknownTable { .. })
    ));
    assert!(matches!(
        snap.scan("t", &["x"]),
        Err(Error::UnknownColumn { .. })
    ));

    // Closing ends a scan with an error.
    let mut scan = db.scan("t", &[]).unwrap();
    db.close().unwrap();
    let err = scan.next().unwrap().unwrap_err();
    assert!(err.to_string().contains("closed"), "{err}");
    assert!(scan.next().is_none());
}

#[test]
fn scans_keep_their_view() {
    let dir = tempfile::tempdir().unwrap();
    let db = table(dir.path(), DataType::Int64, manual());
    db.write("t", &int_rows(0..10, 1)).unwrap();
    db.flush().unwrap();
    db.write("t", &int_rows(5..15, 2)).unwrap();
    db.delete("t", &Int64Array::from(vec![0, 14])).unwrap();
    let want: Vec<(i64, Option<i64>)> = (1..14)
        .map(|k| (k, Some(k * 10 + if k < 5 { 1 } else { 2 })))
        .collect();
    let snap = db.snapshot().unwrap();
    let early = db.scan("t", &[]).unwrap().with_batch_rows(4);
    // Start one scan before the changes, so it has chunks loaded.
    let mut started = snap.scan("t", &[]).unwrap().with_batch_rows(3);
    let first = started.next().unwrap().unwrap();
    db.write("t", &int_rows(0..20, 3)).unwrap();
    db.delete("t", &Int64Array::from(vec![1, 2, 3])).unwrap();
    db.flush().unwrap();
    db.compact().unwrap();
    db.write("t", &int_rows(100..110, 4)).unwrap();
    assert_eq!(pairs(early), want);
    assert_eq!(pairs(snap.scan("t", &[]).unwrap()), want);
    let mut rest = vec![first];
    rest.extend(started.map(|b| b.unwrap()));
    let b = arrow_select::concat::concat_batches(&rest[0].schema(), &rest).unwrap();
    assert_eq!(b.num_rows(), want.len());
    // And a new scan sees the new state.
    let now = pairs(db.scan("t", &[]).unwrap());
    assert_eq!(now.len(), 20 - 3 + 10);
    assert_eq!(now[0], (0, Some(3)));
}

#[test]
fn merges_memtable_level0_and_a_run_with_deletion_vectors() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = manual().with_target_segment_bytes(2 << 10);
    options.compaction_chunk_rows = 50;
    let db = table(dir.path(), DataType::Int64, options);
    db.write("t", &int_rows(0..600, 1)).unwrap();
    db.compact().unwrap();
    // Level 0: full rows over part of the run (marked in its deletion vectors), deletes,
    // new keys.
    db.write("t", &int_rows((100..200).chain(1000..1010), 2))
        .unwrap();
    db.delete("t", &Int64Array::from_iter_values(300..350))
        .unwrap();
    db.flush().unwrap();
    // Memtable: partial rows (the key only: v keeps its value), deletes, new keys.
    let keys_only = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new("k", DataType::Int64, false)])),
        vec![Arc::new(Int64Array::from_iter_values(150..160))],
    )
    .unwrap();
    db.write("t", &keys_only).unwrap();
    db.delete(
        "t",
        &Int64Array::from_iter_values((0..10).chain(1005..1010)),
    )
    .unwrap();
    db.write("t", &int_rows([-5, 599, 2000], 3)).unwrap();
    let stats = db.table_stats("t").unwrap();
    assert!(stats.run_segments > 1, "{stats:?}");
    assert_eq!(stats.level0_segments, 1, "{stats:?}");
    assert!(stats.deleted_rows >= 150, "{stats:?}");

    let mut want = vec![(-5, Some(-47))];
    for k in (10..600).filter(|k| !(300..350).contains(k)) {
        let v = match k {
            100..200 => 2,
            599 => 3,
            _ => 1,
        };
        want.push((k, Some(k * 10 + v)));
    }
    want.extend((1000..1005).map(|k| (k, Some(k * 10 + 2))));
    want.push((2000, Some(20003)));
    for batch_rows in [1, 7, 64, 100_000] {
        assert_eq!(
            pairs(db.scan("t", &[]).unwrap().with_batch_rows(batch_rows)),
            want
        );
    }
    // Agrees with read at every key.
    let b = all(db.scan("t", &[]).unwrap());
    let (read, found) = db.read("t", b.column(0).as_ref(), &["k", "v"]).unwrap();
    assert!(found.iter().all(|&f| f));
    assert_eq!(read, b);
}

#[test]
fn scan_beside_a_writer_and_a_flusher_is_consistent() {
    fn check_send<T: Send>() {}
    check_send::<Scan>();
    const KEYS: i64 = 3_000;
    let dir = tempfile::tempdir().unwrap();
    let options = Options::default()
        .with_memtable_bytes(64 << 10)
        .with_l0_triggers(2, 8, 12);
    let db = Arc::new(table(dir.path(), DataType::Int64, options));
    db.write("t", &int_rows(0..KEYS, 0)).unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Each write sets every key to k * 10 + round: at any view all rows agree on round.
    let writer = {
        let (db, stop) = (Arc::clone(&db), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut round = 1;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                db.write("t", &int_rows(0..KEYS, round % 10)).unwrap();
                if round % 3 == 0 {
                    db.flush().unwrap();
                }
                round += 1;
            }
        })
    };
    for _ in 0..20 {
        let snap = db.snapshot().unwrap();
        for scan in [db.scan("t", &[]).unwrap(), snap.scan("t", &[]).unwrap()] {
            let got = pairs(scan.with_batch_rows(257));
            assert_eq!(got.len(), KEYS as usize);
            let round = got[0].1.unwrap() % 10;
            for (i, (k, v)) in got.into_iter().enumerate() {
                assert_eq!((k, v), (i as i64, Some(i as i64 * 10 + round)));
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
}
