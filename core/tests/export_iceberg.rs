//! `Db::export_iceberg`: snapshots, schemas and field ids in the table metadata, data files
//! holding exactly the scan's rows, and failures (a value Iceberg cannot hold mid-export, a
//! commit that loses a race) that leave the previous snapshot current and the database
//! untouched.
//!
//! With `MURR_EXPORT_OUT=<dir>`, `readers_scenario` leaves its Iceberg table, the expected
//! rows of every export (Arrow IPC files) and `exports.json` in `<dir>` for
//! `scripts/test-export.sh`, which reads them with pyiceberg and DuckDB.
#![cfg(feature = "iceberg")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod export_util;

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::{RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use murr_core::{Error, ExportOptions};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

use export_util::{Rng, open, scan_all, step};

fn metadata(location: &Path, version: u64) -> Value {
    let path = location
        .join("metadata")
        .join(format!("v{version}.metadata.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn versions(location: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(location.join("metadata"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".metadata.json"))
        .collect();
    v.sort();
    v
}

/// The keys of the data files, in order.
fn keys_of(files: &[PathBuf]) -> Vec<String> {
    let mut keys = Vec::new();
    for f in files {
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(f).unwrap())
            .unwrap()
            .build()
            .unwrap();
        for b in reader {
            let b = b.unwrap();
            keys.extend(
                b.column(0)
                    .as_string::<i32>()
                    .iter()
                    .map(|k| k.unwrap().to_owned()),
            );
        }
    }
    keys
}

fn scan_keys(batch: &RecordBatch) -> Vec<String> {
    batch
        .column(0)
        .as_string::<i32>()
        .iter()
        .map(|k| k.unwrap().to_owned())
        .collect()
}

/// The data files a snapshot's manifests add (status 1) and mark deleted (status 2).
fn manifest_entries(list: &str) -> (Vec<String>, Vec<String>) {
    use apache_avro::types::Value as Avro;
    fn get<'a>(v: &'a Avro, name: &str) -> &'a Avro {
        match v {
            Avro::Record(fields) => &fields.iter().find(|(n, _)| n == name).unwrap().1,
            other => panic!("not a record: {other:?}"),
        }
    }
    let read = |path: &str| -> Vec<Avro> {
        let bytes = std::fs::read(path).unwrap();
        apache_avro::Reader::new(&bytes[..])
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let (mut added, mut deleted) = (Vec::new(), Vec::new());
    for m in read(list) {
        let Avro::String(path) = get(&m, "manifest_path") else {
            panic!("no manifest_path")
        };
        for e in read(path) {
            let Avro::String(file) = get(get(&e, "data_file"), "file_path") else {
                panic!("no file_path")
            };
            match get(&e, "status") {
                Avro::Int(1) => added.push(file.clone()),
                Avro::Int(2) => deleted.push(file.clone()),
                other => panic!("status {other:?}"),
            }
        }
    }
    (added, deleted)
}

#[test]
fn exports_add_snapshots_with_stable_field_ids_and_new_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir.path().join("db"));
    let location = dir.path().join("ice");
    let mut rng = Rng(11);
    let mut added = 0;
    let options = ExportOptions::default().with_rows_per_file(500);
    let mut ids = Vec::new();
    let mut previous_files: Vec<String> = Vec::new();
    for round in 1..=4u64 {
        for _ in 0..40 {
            step(&db, &mut rng, &mut added, 2000);
        }
        if round == 3 {
            db.add_column("t", Field::new("late", DataType::UInt32, true))
                .unwrap();
        }
        let report = db.export_iceberg("t", &location, &options).unwrap();
        let expected = scan_all(&db);
        assert_eq!(report.rows, expected.num_rows() as u64);
        assert_eq!(keys_of(&report.files), scan_keys(&expected));
        let meta = metadata(&location, round);
        assert_eq!(
            report.metadata.as_deref(),
            Some(
                location
                    .canonicalize()
                    .unwrap()
                    .join(format!("metadata/v{round}.metadata.json"))
                    .as_path()
            )
        );
        assert_eq!(meta["format-version"], 2);
        assert_eq!(meta["current-snapshot-id"], report.snapshot_id.unwrap());
        assert_eq!(meta["snapshots"].as_array().unwrap().len(), round as usize);
        assert_eq!(
            meta["snapshot-log"].as_array().unwrap().len(),
            round as usize
        );
        assert_eq!(
            meta["metadata-log"].as_array().unwrap().len(),
            round as usize - 1
        );
        assert_eq!(
            meta["refs"]["main"]["snapshot-id"],
            report.snapshot_id.unwrap()
        );
        let hint = std::fs::read_to_string(location.join("metadata/version-hint.text")).unwrap();
        assert_eq!(hint, round.to_string());
        // The key is field 1, required, the identifier and the sort column.
        let schema_id = meta["current-schema-id"].as_i64().unwrap();
        let schema = meta["schemas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["schema-id"] == schema_id)
            .unwrap()
            .clone();
        assert_eq!(schema["identifier-field-ids"], serde_json::json!([1]));
        assert_eq!(schema["fields"][0]["name"], "k");
        assert_eq!(schema["fields"][0]["required"], true);
        let names: Vec<&str> = schema["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), expected.num_columns());
        // Field ids are unique and never reused for another column.
        let mut seen: Vec<i64> = schema["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_i64().unwrap())
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), names.len());
        ids.push((schema.clone(), meta["schemas"].as_array().unwrap().len()));
        let snap = &meta["snapshots"][round as usize - 1];
        assert_eq!(
            snap["summary"]["total-records"],
            expected.num_rows().to_string()
        );
        assert_eq!(
            snap["summary"]["operation"],
            if round == 1 { "append" } else { "overwrite" }
        );
        // The manifest adds this export's files and marks the previous export's deleted.
        let (added, deleted) = manifest_entries(snap["manifest-list"].as_str().unwrap());
        let files: Vec<String> = report
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect();
        assert_eq!(added, files);
        assert_eq!(deleted, previous_files);
        assert_eq!(
            snap["summary"]["deleted-data-files"],
            previous_files.len().to_string()
        );
        previous_files = files;
    }
    // The column added before export 3 made a new schema; the ids of the others held.
    let (before, n_before) = &ids[1];
    let (after, n_after) = &ids[2];
    assert!(n_after > n_before);
    let late = after["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "late")
        .unwrap();
    assert_eq!(late["type"], "long");
    for f in before["fields"].as_array().unwrap() {
        let same = after["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["name"] == f["name"])
            .unwrap();
        assert_eq!(same["id"], f["id"], "{}", f["name"]);
    }
}

#[test]
fn a_failed_export_leaves_the_previous_snapshot_and_the_database_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir.path().join("db"));
    let location = dir.path().join("ice");
    let mut rng = Rng(5);
    let mut added = 0;
    for _ in 0..40 {
        step(&db, &mut rng, &mut added, 1000);
    }
    let options = ExportOptions::default().with_rows_per_file(100);
    let first = db.export_iceberg("t", &location, &options).unwrap();
    let meta1 = std::fs::read(location.join("metadata/v1.metadata.json")).unwrap();
    let data_before = std::fs::read_dir(location.join("data")).unwrap().count();

    // A uint64 above i64::MAX on a late key: the export fails after writing data files.
    let schema = std::sync::Arc::new(Schema::new(vec![
        Field::new("k", DataType::Utf8, false),
        Field::new("u64", DataType::UInt64, true),
    ]));
    let big = RecordBatch::try_new(
        schema,
        vec![
            std::sync::Arc::new(StringArray::from(vec!["zzzz-last"])),
            std::sync::Arc::new(UInt64Array::from(vec![u64::MAX])),
        ],
    )
    .unwrap();
    db.write("t", &big).unwrap();
    let rows = scan_all(&db);
    match db.export_iceberg("t", &location, &options) {
        Err(Error::Export { detail, .. }) => {
            assert!(
                detail.contains("'u64'") && detail.contains("unsigned"),
                "{detail}"
            )
        }
        other => panic!("expected an export error, got {other:?}"),
    }
    assert_eq!(versions(&location), vec!["v1.metadata.json"]);
    assert_eq!(
        std::fs::read(location.join("metadata/v1.metadata.json")).unwrap(),
        meta1
    );
    assert_eq!(
        std::fs::read_to_string(location.join("metadata/version-hint.text")).unwrap(),
        "1"
    );
    // Its temporary data files are gone; the first export's files are all still there.
    assert_eq!(
        std::fs::read_dir(location.join("data")).unwrap().count(),
        data_before
    );
    for f in &first.files {
        assert!(f.exists());
    }
    assert_eq!(scan_all(&db), rows, "the database is untouched");

    // A commit that finds its version taken (another export won the race) fails whole.
    db.delete("t", &StringArray::from(vec!["zzzz-last"]))
        .unwrap();
    std::fs::create_dir(location.join("metadata/v2.metadata.json")).unwrap();
    match db.export_iceberg("t", &location, &options) {
        Err(Error::Export { detail, .. }) => assert!(detail.contains("first"), "{detail}"),
        Err(Error::Io { .. }) => {}
        other => panic!("expected a failed commit, got {other:?}"),
    }
    assert_eq!(
        std::fs::read(location.join("metadata/v1.metadata.json")).unwrap(),
        meta1
    );
    std::fs::remove_dir(location.join("metadata/v2.metadata.json")).unwrap();
    let second = db.export_iceberg("t", &location, &options).unwrap();
    assert_eq!(
        versions(&location),
        vec!["v1.metadata.json", "v2.metadata.json"]
    );
    assert_eq!(keys_of(&second.files), scan_keys(&scan_all(&db)));
    let meta2 = metadata(&location, 2);
    assert_eq!(
        meta2["snapshots"][1]["parent-snapshot-id"],
        first.snapshot_id.unwrap()
    );
}

#[test]
fn an_empty_table_exports_a_snapshot_of_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir.path().join("db"));
    let location = dir.path().join("ice");
    let report = db
        .export_iceberg("t", &location, &ExportOptions::default())
        .unwrap();
    assert_eq!((report.rows, report.files.len()), (0, 0));
    let meta = metadata(&location, 1);
    assert_eq!(meta["snapshots"][0]["summary"]["total-records"], "0");
    let (added, deleted) =
        manifest_entries(meta["snapshots"][0]["manifest-list"].as_str().unwrap());
    assert!(added.is_empty() && deleted.is_empty());
}

/// The scenario the Python readers check: a seeded random sequence of full and partial
/// upserts, deletes, added columns, flushes and compactions with several exports; each
/// export's expected rows (the scan at that export) kept beside the table.
#[test]
fn readers_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let out = std::env::var_os("MURR_EXPORT_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&out).unwrap();
    let db = open(&out.join("db"));
    let location = out.join("iceberg");
    let mut rng = Rng(2026);
    let mut added = 0;
    let options = ExportOptions::default()
        .with_rows_per_file(1500)
        .with_rows_per_row_group(400);
    let mut exports = Vec::new();
    let mut steps = 0;
    // The first export is of the empty table; then one every 70 steps.
    while exports.len() < 7 {
        if !exports.is_empty() {
            steps += 1;
            step(&db, &mut rng, &mut added, 5000);
            if steps % 70 != 0 {
                continue;
            }
        }
        let n = exports.len();
        let report = db.export_iceberg("t", &location, &options).unwrap();
        let expected = scan_all(&db);
        assert_eq!(report.rows, expected.num_rows() as u64);
        assert_eq!(keys_of(&report.files), scan_keys(&expected));
        let expected_path = out.join(format!("expected-{n}.arrow"));
        let mut w = arrow_ipc::writer::FileWriter::try_new(
            File::create(&expected_path).unwrap(),
            &expected.schema(),
        )
        .unwrap();
        w.write(&expected).unwrap();
        w.finish().unwrap();
        let parquet_dir = out.join(format!("parquet-{n}"));
        db.export_parquet(
            "t",
            None,
            &parquet_dir,
            &ExportOptions::default().with_rows_per_file(2000),
        )
        .unwrap();
        exports.push(serde_json::json!({
            "snapshot_id": report.snapshot_id.unwrap(),
            "metadata": report.metadata.unwrap(),
            "expected": expected_path,
            "parquet_dir": parquet_dir,
            "rows": report.rows,
        }));
    }
    assert_eq!(
        added,
        export_util::added().len(),
        "every column added by then"
    );
    std::fs::write(
        out.join("exports.json"),
        serde_json::to_vec_pretty(&exports).unwrap(),
    )
    .unwrap();
}
