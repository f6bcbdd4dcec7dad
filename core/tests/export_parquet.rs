//! `Db::export_parquet`: the files read back with the parquet crate hold exactly what
//! `Db::scan` returns, with the same types, the key first and non-null; bounded files and
//! row groups; a non-empty target refused.
#![cfg(feature = "parquet")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod export_util;

use std::fs::File;

use arrow_array::RecordBatch;
use murr_core::{Error, ExportOptions};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::reader::{FileReader, SerializedFileReader};

use export_util::{Rng, open, scan_all, step};

fn read_back(files: &[std::path::PathBuf]) -> RecordBatch {
    let mut batches = Vec::new();
    let mut schema = None;
    for f in files {
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(f).unwrap())
            .unwrap()
            .build()
            .unwrap();
        schema.get_or_insert_with(|| arrow_array::RecordBatchReader::schema(&reader));
        batches.extend(reader.map(|b| b.unwrap()));
    }
    arrow_select::concat::concat_batches(&schema.unwrap(), &batches).unwrap()
}

#[test]
fn export_reads_back_as_the_scan_after_random_writes() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir.path().join("db"));
    let mut rng = Rng(7);
    let mut added = 0;
    for round in 0..4 {
        for _ in 0..60 {
            step(&db, &mut rng, &mut added, 3000);
        }
        let out = dir.path().join(format!("export{round}"));
        let options = ExportOptions::default()
            .with_rows_per_file(700)
            .with_rows_per_row_group(256);
        let report = db.export_parquet("t", None, &out, &options).unwrap();
        let expected = scan_all(&db);
        assert_eq!(report.rows, expected.num_rows() as u64);
        assert_eq!(report.files.len(), expected.num_rows().div_ceil(700).max(1));
        let got = read_back(&report.files);
        assert_eq!(got.num_columns(), expected.num_columns());
        for (i, field) in got.schema().fields().iter().enumerate() {
            let want = expected.schema().field(i).clone();
            assert_eq!(field.name(), want.name());
            assert_eq!(
                field.data_type(),
                want.data_type(),
                "column {}",
                want.name()
            );
            assert_eq!(field.is_nullable(), i != 0, "column {}", want.name());
            assert_eq!(
                got.column(i).as_ref(),
                expected.column(i).as_ref(),
                "{}",
                want.name()
            );
        }
        for f in &report.files {
            let meta = SerializedFileReader::new(File::open(f).unwrap()).unwrap();
            let meta = meta.metadata();
            for rg in meta.row_groups() {
                assert!(rg.num_rows() <= 256);
                assert!(rg.column(0).statistics().is_some(), "key statistics");
                assert_eq!(
                    rg.column(0).compression(),
                    parquet::basic::Compression::ZSTD(Default::default())
                );
            }
        }
    }
}

#[test]
fn export_of_a_snapshot_ignores_later_writes_and_empty_tables_give_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir.path().join("db"));
    let out = dir.path().join("empty");
    let report = db
        .export_parquet("t", None, &out, &ExportOptions::default())
        .unwrap();
    assert_eq!((report.rows, report.files.len()), (0, 1));
    assert_eq!(read_back(&report.files).num_rows(), 0);

    let mut rng = Rng(3);
    let mut added = 0;
    for _ in 0..30 {
        step(&db, &mut rng, &mut added, 500);
    }
    let before = scan_all(&db);
    let snapshot = db.snapshot().unwrap();
    db.delete(
        "t",
        &arrow_array::StringArray::from(vec!["key000001", "key000002"]),
    )
    .unwrap();
    let report = db
        .export_parquet(
            "t",
            Some(&snapshot),
            dir.path().join("snap"),
            &ExportOptions::default(),
        )
        .unwrap();
    assert_eq!(read_back(&report.files).columns(), before.columns());
    assert_eq!(report.seq, snapshot.seq());

    match db.export_parquet(
        "t",
        None,
        dir.path().join("snap"),
        &ExportOptions::default(),
    ) {
        Err(Error::Export { detail, .. }) => assert!(detail.contains("not empty"), "{detail}"),
        other => panic!("expected a refusal of a non-empty directory, got {other:?}"),
    }
    assert!(matches!(
        db.export_parquet(
            "nope",
            None,
            dir.path().join("x"),
            &ExportOptions::default()
        ),
        Err(Error::UnknownTable { .. })
    ));
}
