#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `Db::ingest_file` of Parquet (every codec the parquet crate writes that pyarrow,
//! Spark, DuckDB and polars use) and Arrow IPC files and streams: the rows read back,
//! extra file columns ignored, columns cast to the table's types, a partial file keeps the
//! other columns; and `Db::ingest` placement: an ingest into an empty table leaves one
//! sorted run and no level-0 segment, a snapshot taken before it does not see it.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, Float32Array, Float64Array, Int32Array, LargeStringArray, RecordBatch,
    RecordBatchIterator, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use murr_core::db::{Db, Options};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

fn table_schema() -> Schema {
    Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("a", DataType::Float32, false),
        Field::new("b", DataType::Float64, true),
    ])
}

fn open(dir: &Path) -> Db {
    let db = Db::open(dir, Options::default().with_background_threads(0)).unwrap();
    db.create_table("t", &table_schema(), "id").unwrap();
    db
}

/// A file batch: keys `k{i}` (as large utf8), `a` as float64 (cast to float32), `b` as
/// int32 (cast to float64), and an extra column the table lacks.
fn file_batch(rows: std::ops::Range<i32>) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("extra", DataType::Int32, false),
        Field::new("b", DataType::Int32, true),
        Field::new("id", DataType::LargeUtf8, false),
        Field::new("a", DataType::Float64, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int32Array::from_iter_values(rows.clone())),
        Arc::new(Int32Array::from_iter(
            rows.clone().map(|i| (i % 3 != 0).then_some(i * 2)),
        )),
        Arc::new(LargeStringArray::from_iter_values(
            rows.clone().map(|i| format!("k{i}")),
        )),
        Arc::new(Float64Array::from_iter_values(
            rows.map(|i| f64::from(i) / 4.0),
        )),
    ];
    RecordBatch::try_new(schema, columns).unwrap()
}

fn write_parquet(path: &Path, batches: &[RecordBatch], compression: Compression) {
    let props = WriterProperties::builder()
        .set_compression(compression)
        .set_max_row_group_row_count(Some(700))
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batches[0].schema(), Some(props)).unwrap();
    for b in batches {
        writer.write(b).unwrap();
    }
    writer.close().unwrap();
}

fn write_ipc_file(path: &Path, batches: &[RecordBatch]) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = arrow_ipc::writer::FileWriter::try_new(file, &batches[0].schema()).unwrap();
    for b in batches {
        w.write(b).unwrap();
    }
    w.finish().unwrap();
}

fn write_ipc_stream(path: &Path, batches: &[RecordBatch]) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = arrow_ipc::writer::StreamWriter::try_new(file, &batches[0].schema()).unwrap();
    for b in batches {
        w.write(b).unwrap();
    }
    w.finish().unwrap();
}

/// Checks that keys `k0..k{n}` read as [`file_batch`] wrote them.
fn check_rows(db: &Db, n: i32) {
    let keys = StringArray::from_iter_values((0..n).map(|i| format!("k{i}")));
    let (batch, found) = db.read("t", &keys, &["a", "b"]).unwrap();
    assert!(found.iter().all(|&f| f));
    let a = batch
        .column(0)
        .as_any()
        .downcast_ref::<Float32Array>()
        .unwrap();
    let b = batch
        .column(1)
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    for i in 0..n {
        let r = i as usize;
        assert_eq!(a.value(r), i as f32 / 4.0, "a of k{i}");
        if i % 3 == 0 {
            assert!(b.is_null(r), "b of k{i}");
        } else {
            assert_eq!(b.value(r), f64::from(i * 2), "b of k{i}");
        }
    }
}

#[test]
fn parquet_of_every_codec_and_arrow_ipc_files_and_streams_ingest() {
    let batches = vec![file_batch(0..1000), file_batch(1000..2500)];
    let codecs = [
        ("none", Compression::UNCOMPRESSED),
        ("snappy", Compression::SNAPPY),
        ("zstd", Compression::ZSTD(ZstdLevel::default())),
        ("lz4", Compression::LZ4_RAW),
        ("gzip", Compression::GZIP(Default::default())),
    ];
    let files = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, codec) in codecs {
        let p = files.path().join(format!("{name}.parquet"));
        write_parquet(&p, &batches, codec);
        paths.push(p);
    }
    let p = files.path().join("rows.arrow");
    write_ipc_file(&p, &batches);
    paths.push(p);
    let p = files.path().join("rows.arrows");
    write_ipc_stream(&p, &batches);
    paths.push(p);
    for path in paths {
        let dir = tempfile::tempdir().unwrap();
        let db = open(dir.path());
        let stats = db.ingest_file("t", &path).unwrap();
        assert_eq!(stats.rows_read, 2500, "{}", path.display());
        assert_eq!(stats.rows_written, 2500);
        assert_eq!(stats.ignored_columns, vec!["extra".to_owned()]);
        check_rows(&db, 2500);
        db.close().unwrap();
        let db = Db::open(dir.path(), Options::default()).unwrap();
        check_rows(&db, 2500);
    }
}

#[test]
fn an_ingest_into_an_empty_table_is_one_sorted_run_owing_no_compaction() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(
        dir.path(),
        Options::default()
            .with_background_threads(0)
            .with_target_segment_bytes(16 << 10),
    )
    .unwrap();
    db.create_table("t", &table_schema(), "id").unwrap();
    let batches: Vec<RecordBatch> = (0..5)
        .map(|i| file_batch(i * 1000..(i + 1) * 1000))
        .collect();
    let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), file_batch(0..1).schema());
    let before = db.snapshot().unwrap();
    let stats = db.ingest("t", reader).unwrap();
    assert_eq!((stats.spills, stats.merged), (0, false));
    let t = db.table_stats("t").unwrap();
    assert_eq!(t.level0_segments, 0);
    assert!(t.run_segments > 1, "{t:?}");
    assert_eq!(t.segment_rows, 5000);
    check_rows(&db, 5000);
    // Nothing is left for a compaction to do: compact() rewrites nothing.
    let files_before = std::fs::read_dir(dir.path()).unwrap().count();
    db.compact().unwrap();
    assert_eq!(db.table_stats("t").unwrap(), t);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), files_before);
    // A snapshot taken before the ingest does not see it.
    let (_, found) = before
        .read("t", &StringArray::from(vec!["k1", "k4999"]), &["a"])
        .unwrap();
    assert_eq!(found, vec![false, false]);
}

#[test]
fn a_parquet_file_without_a_column_keeps_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let full = file_batch(0..100);
    let rows = RecordBatchIterator::new(vec![Ok(full.clone())], full.schema());
    db.ingest("t", rows).unwrap();
    // A file of keys k50..k150 and column a only.
    let part = file_batch(50..150);
    let part = part.project(&[2, 3]).unwrap();
    let a = Float64Array::from_iter_values((50..150).map(|i| -f64::from(i)));
    let part =
        RecordBatch::try_new(part.schema(), vec![part.column(0).clone(), Arc::new(a)]).unwrap();
    let files = tempfile::tempdir().unwrap();
    let p = files.path().join("part.parquet");
    write_parquet(&p, &[part], Compression::SNAPPY);
    let stats = db.ingest_file("t", &p).unwrap();
    assert!(stats.merged);
    let keys = StringArray::from_iter_values((0..150).map(|i| format!("k{i}")));
    let (batch, found) = db.read("t", &keys, &["a", "b"]).unwrap();
    assert!(found.iter().all(|&f| f));
    let a = batch
        .column(0)
        .as_any()
        .downcast_ref::<Float32Array>()
        .unwrap();
    let b = batch
        .column(1)
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    for i in 0..150usize {
        let want_a = if i < 50 { i as f32 / 4.0 } else { -(i as f32) };
        assert_eq!(a.value(i), want_a, "a of k{i}");
        // b was written for keys below 100 only (null where i % 3 == 0).
        let want_b = (i < 100 && i % 3 != 0).then(|| (i * 2) as f64);
        assert_eq!(b.is_valid(i).then(|| b.value(i)), want_b, "b of k{i}");
    }
}
