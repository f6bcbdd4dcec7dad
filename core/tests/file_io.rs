//! Segments on disk: `finish_to_file` leaves exactly the segment (no temporary file), a
//! memory-mapped segment reads the same as one in memory, and files that are missing, empty
//! or not segments give errors that name the path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use arrow_array::types::Int8Type;
use arrow_array::{
    ArrayRef, BinaryArray, FixedSizeListArray, Float64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use murr_core::Error;
use murr_core::segment::{Segment, SegmentWriter};

fn schema() -> SchemaRef {
    let emb = DataType::FixedSizeList(Arc::new(Field::new("item", DataType::Int8, true)), 3);
    Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("x", DataType::Float64, true),
        Field::new("blob", DataType::Binary, true),
        Field::new("emb", emb, true),
    ]))
}

fn batch(start: usize, n: usize) -> RecordBatch {
    let rows = start..start + n;
    let keys: Vec<String> = rows.clone().map(|i| format!("row{i:05}")).collect();
    let xs: Vec<Option<f64>> = rows
        .clone()
        .map(|i| (i % 7 != 0).then_some(i as f64 * 0.5))
        .collect();
    let blobs: Vec<Option<Vec<u8>>> = rows
        .clone()
        .map(|i| (i % 5 != 0).then(|| vec![i as u8; i % 11]))
        .collect();
    let embs = rows.map(|i| (i % 3 != 0).then(|| (0..3).map(move |e| Some((i + e) as i8))));
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(keys)),
        Arc::new(Float64Array::from(xs)),
        Arc::new(BinaryArray::from_iter(blobs)),
        Arc::new(FixedSizeListArray::from_iter_primitive::<Int8Type, _, _>(
            embs, 3,
        )),
    ];
    RecordBatch::try_new(schema(), arrays).unwrap()
}

fn writer() -> SegmentWriter {
    let mut w = SegmentWriter::new(schema(), "key")
        .unwrap()
        .with_page_size(1024)
        .unwrap();
    w.push(&batch(0, 300)).unwrap();
    w.push(&batch(250, 100)).unwrap();
    w
}

/// Everything a segment holds, read through the public API.
fn read_all(seg: &Segment) -> (Vec<ArrayRef>, RecordBatch, Vec<bool>) {
    let mut keys: Vec<String> = (0..400).map(|i| format!("row{i:05}")).collect();
    keys.push("absent".into());
    let (batch, found) = seg
        .get(&StringArray::from(keys), &["x", "blob", "emb", "key"])
        .unwrap();
    (vec![seg.keys().unwrap()], batch, found)
}

#[test]
fn finish_to_file_then_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("part-0.murr");
    let info = writer().finish_to_file(&path).unwrap();
    assert_eq!(info.path, path);
    assert_eq!(info.rows, 350);
    assert_eq!(info.bytes, std::fs::metadata(&path).unwrap().len());

    // Only the segment is left in the directory: no temporary file.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["part-0.murr".to_owned()]);

    // The file holds the same bytes as a segment written to memory.
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes, writer().finish_to_vec().unwrap());

    let mapped = Segment::open(&path).unwrap();
    let in_memory = Segment::from_bytes(bytes, "in-memory").unwrap();
    assert_eq!(mapped.name(), path.display().to_string());
    assert_eq!(mapped.file_len(), info.bytes);
    assert_eq!(mapped.row_count(), 350);
    assert_eq!(mapped.schema(), in_memory.schema());
    mapped.verify().unwrap();
    let (mapped_keys, mapped_batch, mapped_found) = read_all(&mapped);
    let (keys, batch, found) = read_all(&in_memory);
    assert_eq!(mapped_keys, keys);
    assert_eq!(mapped_batch, batch);
    assert_eq!(mapped_found, found);

    // The hot tier reads the same, and refuses a corrupt file at load (it verifies it all).
    let loaded = Segment::load(&path).unwrap();
    assert_eq!(loaded.name(), path.display().to_string());
    let (loaded_keys, loaded_batch, loaded_found) = read_all(&loaded);
    assert_eq!(
        (loaded_keys, &loaded_batch, &loaded_found),
        (keys, &batch, &found)
    );
    let mut damaged = std::fs::read(&path).unwrap();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x10;
    let damaged_path = path.with_extension("damaged");
    std::fs::write(&damaged_path, &damaged).unwrap();
    assert!(matches!(
        Segment::load(&damaged_path),
        Err(murr_core::Error::Corrupt { .. })
    ));
    assert!(matches!(
        Segment::load(dir.path().join("missing")),
        Err(murr_core::Error::Io { .. })
    ));
    assert_eq!(found.iter().filter(|&&f| f).count(), 350);

    // A mapped segment outlives the arrays it handed out, and they it.
    drop(mapped);
    assert_eq!(batch.num_rows(), 401);
}

#[test]
fn finish_to_file_replaces_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seg");
    std::fs::write(&path, b"old contents").unwrap();
    writer().finish_to_file(&path).unwrap();
    let seg = Segment::open(&path).unwrap();
    assert_eq!(seg.row_count(), 350);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn finish_to_file_into_a_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("seg.murr");
    match writer().finish_to_file(&path) {
        Err(err @ Error::Io { .. }) => {
            assert!(err.to_string().contains("no-such-dir"), "{err}");
        }
        other => panic!("expected Io, got {other:?}"),
    }
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.murr");
    match Segment::open(&path) {
        Err(Error::Io { path: p, source }) => {
            assert_eq!(p, path.display().to_string());
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected Io, got {other:?}"),
    }
}

#[test]
fn empty_and_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<u8>); 4] = [
        ("empty.murr", Vec::new()),
        ("short.murr", b"MURRSEG\0".to_vec()),
        ("text.murr", b"hello, this is not a segment\n".repeat(40)),
        ("zeros.murr", vec![0; 8192]),
    ];
    for (name, contents) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &contents).unwrap();
        let want = path.display().to_string();
        for result in [
            Segment::open(&path),
            Segment::from_bytes(contents.clone(), &want),
        ] {
            match result {
                Err(err @ Error::Corrupt { .. }) => {
                    let Error::Corrupt { file, section, .. } = &err else {
                        unreachable!()
                    };
                    assert_eq!(file, &want);
                    assert_eq!(section, "trailer", "{err}");
                    assert!(err.to_string().contains(&want), "{err}");
                }
                other => panic!("{name}: expected Corrupt, got {other:?}"),
            }
        }
    }
}

#[test]
fn a_directory_is_not_a_segment() {
    let dir = tempfile::tempdir().unwrap();
    assert!(Segment::open(dir.path()).is_err());
}

#[test]
fn failed_rename_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    // The target is a directory that is not empty: the final rename fails.
    let path = dir.path().join("taken");
    std::fs::create_dir(&path).unwrap();
    std::fs::write(path.join("inside"), b"x").unwrap();
    match writer().finish_to_file(&path) {
        Err(err @ Error::Io { .. }) => assert!(err.to_string().contains("taken"), "{err}"),
        other => panic!("expected Io, got {other:?}"),
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["taken".to_owned()]);
}
