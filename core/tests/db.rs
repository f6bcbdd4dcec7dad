#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The database's public API: tables, writes, partial upserts, deletes, reads across
//! memtables and segments, snapshots, schema changes, bad input, close and reopen.

mod common;

use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, Float32Array, Int64Array, RecordBatch, StringArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use common::{f32s, i64s};
use murr_core::Error;
use murr_core::db::{Db, KEY_METADATA, Options};

fn schema() -> Schema {
    Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("a", DataType::Float32, true),
        Field::new("b", DataType::Int64, true),
    ])
}

fn open(dir: &std::path::Path) -> Db {
    Db::open(dir, Options::default()).unwrap()
}

fn batch(columns: &[(&str, ArrayRef)]) -> RecordBatch {
    let full = schema();
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, _)| full.field_with_name(n).unwrap().clone())
        .collect();
    RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns.iter().map(|(_, a)| a.clone()).collect(),
    )
    .unwrap()
}

fn ids(v: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}
fn floats(v: &[Option<f32>]) -> ArrayRef {
    Arc::new(Float32Array::from(v.to_vec()))
}
fn ints(v: &[Option<i64>]) -> ArrayRef {
    Arc::new(Int64Array::from(v.to_vec()))
}

/// (a, b) per key as options, plus found.
fn get(db: &Db, keys: &[&str]) -> (Vec<Option<f32>>, Vec<Option<i64>>, Vec<bool>) {
    let (b, found) = db
        .read("t", &StringArray::from(keys.to_vec()), &["a", "b"])
        .unwrap();
    (f32s(b.column(0)), i64s(b.column(1)), found)
}

fn with_table(dir: &std::path::Path) -> Db {
    common::table_with(dir, Options::default(), &schema(), "id")
}

#[test]
fn write_read_flush_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_table(dir.path());
    let s1 = db
        .write(
            "t",
            &batch(&[
                ("id", ids(&["x", "y"])),
                ("a", floats(&[Some(1.0), None])),
                ("b", ints(&[Some(10), Some(20)])),
            ]),
        )
        .unwrap();
    // Read-your-writes from the memtable.
    assert_eq!(
        get(&db, &["y", "nope", "x"]),
        (
            vec![None, None, Some(1.0)],
            vec![Some(20), None, Some(10)],
            vec![true, false, true]
        )
    );
    db.flush().unwrap();
    let s2 = db
        .write(
            "t",
            &batch(&[("id", ids(&["z"])), ("b", ints(&[Some(30)]))]),
        )
        .unwrap();
    assert!(s2 > s1);
    let expect = (
        vec![Some(1.0), None, None],
        vec![Some(10), Some(20), Some(30)],
        vec![true, true, true],
    );
    assert_eq!(get(&db, &["x", "y", "z"]), expect);
    db.close().unwrap();
    assert!(matches!(
        db.read("t", &StringArray::from(vec!["x"]), &["a"]),
        Err(Error::Closed { .. })
    ));
    assert!(matches!(db.flush(), Err(Error::Closed { .. })));
    assert!(matches!(db.close(), Err(Error::Closed { .. })));
    drop(db);

    let db = open(dir.path());
    assert_eq!(db.tables().unwrap(), vec!["t".to_owned()]);
    assert_eq!(get(&db, &["x", "y", "z"]), expect);
    let s3 = db.write("t", &batch(&[("id", ids(&["w"]))])).unwrap();
    assert!(s3 > s2, "sequence numbers go on after reopen: {s3} > {s2}");
}

#[test]
fn second_open_is_refused_until_close() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let err = Db::open(dir.path(), Options::default()).unwrap_err();
    assert!(matches!(err, Error::AlreadyOpen { .. }), "{err}");
    assert!(err.to_string().contains("already open"), "{err}");
    db.close().unwrap();
    open(dir.path()).close().unwrap();
    // Dropping releases the lock too.
    drop(open(dir.path()));
    open(dir.path());
}

#[test]
fn missing_directory_without_create_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = Db::open(
        dir.path().join("nope"),
        Options::default().with_create_if_missing(false),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
}

#[test]
fn partial_upserts_merge_across_memtable_and_segments() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_table(dir.path());
    db.write(
        "t",
        &batch(&[
            ("id", ids(&["k1", "k2"])),
            ("a", floats(&[Some(1.0), Some(2.0)])),
            ("b", ints(&[Some(1), Some(2)])),
        ]),
    )
    .unwrap();
    db.flush().unwrap();
    // Only a: b keeps its flushed value.
    db.write(
        "t",
        &batch(&[("id", ids(&["k1"])), ("a", floats(&[Some(1.5)]))]),
    )
    .unwrap();
    assert_eq!(get(&db, &["k1", "k2"]).0, vec![Some(1.5), Some(2.0)]);
    assert_eq!(get(&db, &["k1", "k2"]).1, vec![Some(1), Some(2)]);
    db.flush().unwrap();
    // Only b, explicit null: a keeps its value, b becomes null.
    db.write("t", &batch(&[("id", ids(&["k2"])), ("b", ints(&[None]))]))
        .unwrap();
    db.flush().unwrap();
    let expect = (
        vec![Some(1.5), Some(2.0)],
        vec![Some(1), None],
        vec![true, true],
    );
    assert_eq!(get(&db, &["k1", "k2"]), expect);
    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(get(&db, &["k1", "k2"]), expect);
}

#[test]
fn reading_only_the_key_column_finds_keys_in_every_source() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_table(dir.path());
    let row = |k: &str| batch(&[("id", ids(&[k])), ("a", floats(&[Some(1.0)]))]);
    db.write("t", &row("seg1")).unwrap();
    db.write("t", &row("gone")).unwrap();
    db.flush().unwrap();
    db.write("t", &row("seg2")).unwrap();
    db.flush().unwrap();
    db.write("t", &row("mem")).unwrap();
    db.delete("t", &StringArray::from(vec!["gone"])).unwrap();
    let keys = StringArray::from(vec!["mem", "seg2", "seg1", "gone", "never"]);
    let (b, found) = db.read("t", &keys, &["id"]).unwrap();
    assert_eq!(found, vec![true, true, true, false, false]);
    let got = b.column(0).as_any().downcast_ref::<StringArray>().unwrap();
    let got: Vec<Option<&str>> = got.iter().collect();
    assert_eq!(
        got,
        vec![Some("mem"), Some("seg2"), Some("seg1"), None, None]
    );
    let (_, found) = db.read("t", &keys, &[]).unwrap();
    assert_eq!(found, vec![true, true, true, false, false]);
}

#[test]
fn last_row_of_a_batch_wins() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_table(dir.path());
    db.write(
        "t",
        &batch(&[
            ("id", ids(&["k", "k", "j"])),
            ("a", floats(&[Some(1.0), Some(2.0), Some(3.0)])),
        ]),
    )
    .unwrap();
    assert_eq!(get(&db, &["k"]).0, vec![Some(2.0)]);
    db.flush().unwrap();
    assert_eq!(get(&db, &["k", "j"]).0, vec![Some(2.0), Some(3.0)]);
}

#[test]
fn deletes_hide_older_values_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_table(dir.path());
    db.write(
        "t",
        &batch(&[
            ("id", ids(&["a", "b", "c"])),
            ("a", floats(&[Some(1.0), Some(2.0), Some(3.0)])),
            ("b", ints(&[Some(1), Some(2), Some(3)])),
        ]),
    )
    .unwrap();
    db.flush().unwrap();
    db.delete("t", &StringArray::from(vec!["a", "never"]))
        .unwrap();
    assert_eq!(get(&db, &["a", "b"]).2, vec![false, true]);
    assert_eq!(get(&db, &["a"]).0, vec![None]);
    db.flush().unwrap();
    assert_eq!(get(&db, &["a", "b"]).2, vec![false, true]);
    assert_eq!(get(&db, &["a"]).1, vec![None]);
    // Written again after the delete, partially: the unwritten column stays null (the
    // delete hid its old value).
    db.write(
        "t",
        &batch(&[("id", ids(&["a"])), ("a", floats(&[Some(9.0)]))]),
    )
    .unwrap();
    db.delete("t", &StringArray::from(vec!["b"])).unwrap();
    for round in 0..2 {
        assert_eq!(
            get(&db, &["a", "b", "c"]),
            (
                vec![Some(9.0), None, Some(3.0)],
                vec![None, None, Some(3)],
                vec![true, false, true]
            ),
            "round {round}"
        );
        db.flush().unwrap();
    }
    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(get(&db, &["a", "b", "c"]).2, vec![true, false, true]);
}

#[test]
fn snapshots_stay_put_across_writes_flushes_and_drops() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_table(dir.path());
    db.write("t", &batch(&[("id", ids(&["k"])), ("b", ints(&[Some(1)]))]))
        .unwrap();
    let snap = db.snapshot().unwrap();
    db.write(
        "t",
        &batch(&[("id", ids(&["k", "n"])), ("b", ints(&[Some(2), Some(2)]))]),
    )
    .unwrap();
    db.delete("t", &StringArray::from(vec!["k"])).unwrap();
    db.flush().unwrap();
    let read = |s: &murr_core::db::Snapshot| {
        let (b, found) = s
            .read("t", &StringArray::from(vec!["k", "n"]), &["b"])
            .unwrap();
        (i64s(b.column(0)), found)
    };
    assert_eq!(read(&snap), (vec![Some(1), None], vec![true, false]));
    let later = db.snapshot().unwrap();
    assert!(later.seq() > snap.seq());
    assert_eq!(read(&later), (vec![None, Some(2)], vec![false, true]));
    db.drop_table("t").unwrap();
    assert!(matches!(
        db.read("t", &StringArray::from(vec!["k"]), &["b"]),
        Err(Error::UnknownTable { .. })
    ));
    assert_eq!(read(&snap), (vec![Some(1), None], vec![true, false]));
    assert_eq!(read(&later), (vec![None, Some(2)], vec![false, true]));
    db.close().unwrap();
    assert!(matches!(snap.tables(), Err(Error::Closed { .. })));
}

#[test]
fn tables_create_drop_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    assert!(db.tables().unwrap().is_empty());
    db.create_table("t", &schema(), "id").unwrap();
    // Same schema again: fine. Another: an error naming both.
    db.create_table("t", &schema(), "id").unwrap();
    let other = Schema::new(vec![Field::new("id", DataType::Utf8, false)]);
    let err = db.create_table("t", &other, "id").unwrap_err();
    assert!(matches!(err, Error::TableExists { .. }), "{err}");
    assert!(err.to_string().contains("a: Float"), "{err}");

    let s: SchemaRef = db.schema("t").unwrap();
    assert_eq!(
        s.metadata().get(KEY_METADATA).map(String::as_str),
        Some("id")
    );
    assert!(!s.field(0).is_nullable());
    assert_eq!(s.fields().len(), 3);

    let ints_schema = Schema::new(vec![
        Field::new("uid", DataType::UInt64, true),
        Field::new("v", DataType::Float32, true),
    ]);
    db.create_table("u", &ints_schema, "uid").unwrap();
    assert_eq!(db.tables().unwrap(), vec!["t".to_owned(), "u".to_owned()]);
    let b = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("uid", DataType::UInt64, false),
            Field::new("v", DataType::Float32, true),
        ])),
        vec![
            Arc::new(UInt64Array::from(vec![7u64])),
            Arc::new(Float32Array::from(vec![0.5])),
        ],
    )
    .unwrap();
    db.write("u", &b).unwrap();
    db.drop_table("t").unwrap();
    let err = db.drop_table("t").unwrap_err();
    assert!(matches!(err, Error::UnknownTable { .. }), "{err}");
    assert!(err.to_string().contains("tables: u"), "{err}");
    // A new table of a dropped name starts empty, also after reopen (old log records of
    // the dropped table are not replayed into it).
    db.create_table("t", &schema(), "id").unwrap();
    assert_eq!(get(&db, &["x"]).2, vec![false]);
    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(db.tables().unwrap(), vec!["u".to_owned(), "t".to_owned()]);
    let (r, found) = db
        .read("u", &UInt64Array::from(vec![7u64, 8]), &["v", "uid"])
        .unwrap();
    assert_eq!(found, vec![true, false]);
    assert_eq!(
        r.column(1)
            .as_any()
            .downcast_ref::<UInt64Array>()
            .unwrap()
            .value(0),
        7
    );
    assert!(r.column(1).is_null(1));

    // Bad schemas.
    let no_key = db.create_table("v", &schema(), "missing").unwrap_err();
    assert!(matches!(no_key, Error::UnknownColumn { .. }), "{no_key}");
    let float_key = db.create_table("v", &schema(), "a").unwrap_err();
    assert!(
        matches!(float_key, Error::UnsupportedKeyType { .. }),
        "{float_key}"
    );
    let dup = Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("id", DataType::Int64, true),
    ]);
    assert!(matches!(
        db.create_table("v", &dup, "id"),
        Err(Error::SchemaMismatch(_))
    ));
    let bad_type = Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("m", DataType::Decimal128(10, 2), true),
    ]);
    assert!(matches!(
        db.create_table("v", &bad_type, "id"),
        Err(Error::UnsupportedType { .. })
    ));
    assert_eq!(
        db.tables().unwrap().len(),
        2,
        "no failed create left a table"
    );
}

#[test]
fn add_column_is_instant_and_old_rows_read_null() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_table(dir.path());
    db.write(
        "t",
        &batch(&[("id", ids(&["old"])), ("b", ints(&[Some(1)]))]),
    )
    .unwrap();
    db.flush().unwrap();
    db.write(
        "t",
        &batch(&[("id", ids(&["mem"])), ("b", ints(&[Some(2)]))]),
    )
    .unwrap();
    db.add_column("t", Field::new("c", DataType::Utf8, true))
        .unwrap();
    let err = db
        .add_column("t", Field::new("c", DataType::Utf8, true))
        .unwrap_err();
    assert!(matches!(err, Error::SchemaMismatch(_)), "{err}");
    assert!(
        db.add_column("t", Field::new("d", DataType::Int32, false))
            .is_err()
    );
    assert!(
        db.add_column("nope", Field::new("d", DataType::Int32, true))
            .is_err()
    );

    let with_c = Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("c", DataType::Utf8, true),
    ]);
    let new = RecordBatch::try_new(
        Arc::new(with_c),
        vec![
            ids(&["new", "old"]),
            Arc::new(StringArray::from(vec!["hello", "again"])),
        ],
    )
    .unwrap();
    db.write("t", &new).unwrap();
    let check = |db: &Db| {
        let (r, found) = db
            .read(
                "t",
                &StringArray::from(vec!["old", "mem", "new"]),
                &["c", "b"],
            )
            .unwrap();
        assert_eq!(found, vec![true, true, true]);
        let c = r.column(0).as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(
            c.iter().collect::<Vec<_>>(),
            vec![Some("again"), None, Some("hello")]
        );
        assert_eq!(i64s(r.column(1)), vec![Some(1), Some(2), None]);
    };
    check(&db);
    db.flush().unwrap();
    check(&db);
    db.close().unwrap();
    let db = open(dir.path());
    check(&db);
    assert_eq!(db.schema("t").unwrap().fields().len(), 4);
}

#[test]
fn bad_input_names_the_problem_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_table(dir.path());
    db.create_table(
        "strict",
        &Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("v", DataType::Float32, false),
        ]),
        "id",
    )
    .unwrap();
    let seq = db.snapshot().unwrap().seq();
    let unknown_table = db
        .write("nope", &batch(&[("id", ids(&["k"]))]))
        .unwrap_err();
    assert!(
        matches!(unknown_table, Error::UnknownTable { .. }),
        "{unknown_table}"
    );
    assert!(unknown_table.to_string().contains("'nope'"));

    let extra = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("zzz", DataType::Int64, true),
        ])),
        vec![ids(&["k"]), ints(&[Some(1)])],
    )
    .unwrap();
    let e = db.write("t", &extra).unwrap_err();
    assert!(e.to_string().contains("zzz"), "{e}");

    let wrong_type = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("a", DataType::Int64, true),
        ])),
        vec![ids(&["k"]), ints(&[Some(1)])],
    )
    .unwrap();
    let e = db.write("t", &wrong_type).unwrap_err();
    assert!(matches!(e, Error::SchemaMismatch(_)), "{e}");
    assert!(e.to_string().contains("Float32"), "{e}");

    let no_key = batch(&[("a", floats(&[Some(1.0)]))]);
    let e = db.write("t", &no_key).unwrap_err();
    assert!(e.to_string().contains("no key column 'id'"), "{e}");

    let null_key = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new("id", DataType::Utf8, true)])),
        vec![Arc::new(StringArray::from(vec![Some("k"), None]))],
    )
    .unwrap();
    let e = db.write("t", &null_key).unwrap_err();
    assert!(matches!(e, Error::NullKey { row: 1, .. }), "{e}");

    let null_in_not_null = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("v", DataType::Float32, true),
        ])),
        vec![
            Arc::new(Int64Array::from(vec![1, 2])),
            Arc::new(Float32Array::from(vec![Some(1.0), None])),
        ],
    )
    .unwrap();
    let e = db.write("strict", &null_in_not_null).unwrap_err();
    assert!(e.to_string().contains("not nullable"), "{e}");

    let e = db.delete("t", &Int64Array::from(vec![1])).unwrap_err();
    assert!(matches!(e, Error::KeyTypeMismatch { .. }), "{e}");
    let e = db
        .delete("t", &StringArray::from(vec![Some("a"), None]))
        .unwrap_err();
    assert!(matches!(e, Error::NullKey { .. }), "{e}");

    let e = db
        .read("t", &StringArray::from(vec!["k"]), &["a", "nope"])
        .unwrap_err();
    assert!(matches!(e, Error::UnknownColumn { .. }), "{e}");
    assert!(e.to_string().contains("'nope'"), "{e}");
    let e = db
        .read("t", &Int64Array::from(vec![1]), &["a"])
        .unwrap_err();
    assert!(matches!(e, Error::KeyTypeMismatch { .. }), "{e}");

    assert_eq!(
        db.snapshot().unwrap().seq(),
        seq,
        "no failed call used a sequence number"
    );
    assert_eq!(get(&db, &["k"]).2, vec![false]);
    db.close().unwrap();
    let db = open(dir.path());
    assert_eq!(db.recovery_report().replayed, 0);
    assert_eq!(get(&db, &["k"]).2, vec![false]);
}

#[test]
fn write_stream_ingests_every_batch() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), Options::default().with_memtable_bytes(64 << 10)).unwrap();
    db.create_table("t", &schema(), "id").unwrap();
    let batches: Vec<RecordBatch> = (0..50)
        .map(|i| {
            let keys: Vec<String> = (0..1000).map(|j| format!("k{}", i * 1000 + j)).collect();
            let vals: Vec<Option<i64>> = (0..1000).map(|j| Some(i * 1000 + j)).collect();
            batch(&[
                ("id", Arc::new(StringArray::from(keys)) as ArrayRef),
                ("b", ints(&vals)),
            ])
        })
        .collect();
    let schema = batches[0].schema();
    let reader = arrow_array::RecordBatchIterator::new(batches.into_iter().map(Ok), schema);
    let last = db.write_stream("t", reader).unwrap();
    assert!(last >= 50);
    let files = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("seg-")
        })
        .count();
    assert!(
        files > 1,
        "the small memtable limit flushed along the way ({files} segments)"
    );
    let keys: Vec<String> = [0, 777, 49_999].iter().map(|k| format!("k{k}")).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    assert_eq!(get(&db, &keys).1, vec![Some(0), Some(777), Some(49_999)]);
}

#[test]
fn db_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Db>();
    check::<murr_core::db::Snapshot>();
}
