//! Iceberg's Avro files: the manifest (one entry per data file) and the manifest list (one
//! entry per manifest) of a snapshot, with the schemas and header metadata of the Iceberg
//! v2 spec (field ids in `field-id` attributes, which readers resolve fields by).

use std::path::Path;

use apache_avro::types::Value;
use apache_avro::{Codec, Reader, Schema, Writer};

use crate::{Error, Result};

/// The manifest entry schema of an unpartitioned table (the spec's `manifest_entry`, with
/// an empty partition record).
const MANIFEST_ENTRY: &str = r#"{
  "type": "record", "name": "manifest_entry", "fields": [
    {"name": "status", "type": "int", "field-id": 0},
    {"name": "snapshot_id", "type": ["null", "long"], "default": null, "field-id": 1},
    {"name": "sequence_number", "type": ["null", "long"], "default": null, "field-id": 3},
    {"name": "file_sequence_number", "type": ["null", "long"], "default": null, "field-id": 4},
    {"name": "data_file", "field-id": 2, "type": {
      "type": "record", "name": "r2", "fields": [
        {"name": "content", "type": "int", "field-id": 134},
        {"name": "file_path", "type": "string", "field-id": 100},
        {"name": "file_format", "type": "string", "field-id": 101},
        {"name": "partition", "field-id": 102,
         "type": {"type": "record", "name": "r102", "fields": []}},
        {"name": "record_count", "type": "long", "field-id": 103},
        {"name": "file_size_in_bytes", "type": "long", "field-id": 104},
        {"name": "value_counts", "default": null, "field-id": 109, "type": ["null",
          {"type": "array", "logicalType": "map", "items": {"type": "record",
           "name": "k119_v120", "fields": [{"name": "key", "type": "int", "field-id": 119},
                                           {"name": "value", "type": "long", "field-id": 120}]}}]},
        {"name": "null_value_counts", "default": null, "field-id": 110, "type": ["null",
          {"type": "array", "logicalType": "map", "items": {"type": "record",
           "name": "k121_v122", "fields": [{"name": "key", "type": "int", "field-id": 121},
                                           {"name": "value", "type": "long", "field-id": 122}]}}]},
        {"name": "lower_bounds", "default": null, "field-id": 125, "type": ["null",
          {"type": "array", "logicalType": "map", "items": {"type": "record",
           "name": "k126_v127", "fields": [{"name": "key", "type": "int", "field-id": 126},
                                           {"name": "value", "type": "bytes", "field-id": 127}]}}]},
        {"name": "upper_bounds", "default": null, "field-id": 128, "type": ["null",
          {"type": "array", "logicalType": "map", "items": {"type": "record",
           "name": "k129_v130", "fields": [{"name": "key", "type": "int", "field-id": 129},
                                           {"name": "value", "type": "bytes", "field-id": 130}]}}]},
        {"name": "split_offsets", "default": null, "field-id": 132,
         "type": ["null", {"type": "array", "items": "long", "element-id": 133}]},
        {"name": "sort_order_id", "type": ["null", "int"], "default": null, "field-id": 140}
      ]}}
  ]}"#;

/// The manifest list schema (the spec's `manifest_file`, v2).
const MANIFEST_FILE: &str = r#"{
  "type": "record", "name": "manifest_file", "fields": [
    {"name": "manifest_path", "type": "string", "field-id": 500},
    {"name": "manifest_length", "type": "long", "field-id": 501},
    {"name": "partition_spec_id", "type": "int", "field-id": 502},
    {"name": "content", "type": "int", "field-id": 517},
    {"name": "sequence_number", "type": "long", "field-id": 515},
    {"name": "min_sequence_number", "type": "long", "field-id": 516},
    {"name": "added_snapshot_id", "type": "long", "field-id": 503},
    {"name": "added_files_count", "type": "int", "field-id": 504},
    {"name": "existing_files_count", "type": "int", "field-id": 505},
    {"name": "deleted_files_count", "type": "int", "field-id": 506},
    {"name": "added_rows_count", "type": "long", "field-id": 512},
    {"name": "existing_rows_count", "type": "long", "field-id": 513},
    {"name": "deleted_rows_count", "type": "long", "field-id": 514}
  ]}"#;

/// A data file a manifest adds.
#[derive(Debug, Clone)]
pub(crate) struct DataFile {
    /// Its absolute path.
    pub(crate) path: String,
    /// Its rows.
    pub(crate) rows: u64,
    /// Its size in bytes.
    pub(crate) bytes: u64,
    /// Byte offsets of its row groups.
    pub(crate) split_offsets: Vec<i64>,
    /// The key column's field id and its smallest and largest value in the file
    /// (Iceberg's single-value serialization), so that readers skip files by key.
    pub(crate) key_bounds: Option<(i32, Vec<u8>, Vec<u8>)>,
}

/// A live data file of an earlier snapshot, which an overwrite marks deleted.
#[derive(Debug, Clone)]
pub(crate) struct LiveFile {
    /// The file as its manifest lists it.
    pub(crate) file: DataFile,
    /// Its data sequence number.
    pub(crate) sequence: i64,
    /// Its file sequence number.
    pub(crate) file_sequence: i64,
}

/// A manifest's entry in a manifest list.
#[derive(Debug, Clone)]
pub(crate) struct ManifestFile {
    /// The manifest's absolute path.
    pub(crate) path: String,
    /// Its size in bytes.
    pub(crate) bytes: u64,
    /// The data files it adds.
    pub(crate) files: u64,
    /// The rows of those files.
    pub(crate) rows: u64,
    /// The data files it marks deleted.
    pub(crate) deleted_files: u64,
    /// The rows of those files.
    pub(crate) deleted_rows: u64,
}

/// The snapshot a manifest or manifest list belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SnapshotIds {
    /// The snapshot id.
    pub(crate) id: i64,
    /// Its parent's, if any.
    pub(crate) parent: Option<i64>,
    /// Its sequence number.
    pub(crate) sequence: i64,
}

fn avro_error(what: &str, e: apache_avro::Error) -> Error {
    Error::Export {
        target: what.to_owned(),
        detail: format!("encoding Avro: {e}"),
    }
}

fn long(v: u64) -> Value {
    Value::Long(i64::try_from(v).unwrap_or(i64::MAX))
}

fn rows_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// An optional Avro map (an array of key/value records) holding one entry for the key
/// column, whose value `value` makes from the bounds; null without bounds.
fn key_map(
    bounds: &Option<(i32, Vec<u8>, Vec<u8>)>,
    value: impl Fn(&(i32, Vec<u8>, Vec<u8>)) -> Value,
) -> Value {
    match bounds {
        Some(b) => Value::Union(
            1,
            Box::new(Value::Array(vec![Value::Record(vec![
                ("key".into(), Value::Int(b.0)),
                ("value".into(), value(b)),
            ])])),
        ),
        None => Value::Union(0, Box::new(Value::Null)),
    }
}

fn some_long(v: i64) -> Value {
    Value::Union(1, Box::new(Value::Long(v)))
}

/// The bytes of a manifest adding `files` and marking `deleted` (the files of the previous
/// snapshot, which an overwrite replaces) deleted in snapshot `snap`, whose table schema is
/// `schema_json` (id `schema_id`), data sorted by sort order `sort_order_id`.
pub(crate) fn manifest(
    files: &[DataFile],
    deleted: &[LiveFile],
    snap: SnapshotIds,
    schema_json: &str,
    schema_id: i64,
    sort_order_id: i32,
) -> Result<Vec<u8>> {
    let err = |e| avro_error("manifest", e);
    let schema = Schema::parse_str(MANIFEST_ENTRY).map_err(err)?;
    let mut writer = Writer::with_codec(&schema, Vec::new(), Codec::Null);
    for (key, value) in [
        ("schema", schema_json.to_owned()),
        ("schema-id", schema_id.to_string()),
        ("partition-spec", "[]".to_owned()),
        ("partition-spec-id", "0".to_owned()),
        ("format-version", "2".to_owned()),
        ("content", "data".to_owned()),
    ] {
        writer
            .add_user_metadata(key.to_owned(), value)
            .map_err(err)?;
    }
    let added = files.iter().map(|f| (1, f, snap.sequence, snap.sequence));
    // 2: DELETED, with the file's own sequence numbers.
    let gone = deleted
        .iter()
        .map(|l| (2, &l.file, l.sequence, l.file_sequence));
    for (status, file, sequence, file_sequence) in added.chain(gone) {
        let data_file = Value::Record(vec![
            ("content".into(), Value::Int(0)),
            ("file_path".into(), Value::String(file.path.clone())),
            ("file_format".into(), Value::String("PARQUET".into())),
            ("partition".into(), Value::Record(vec![])),
            ("record_count".into(), long(file.rows)),
            ("file_size_in_bytes".into(), long(file.bytes)),
            (
                "value_counts".into(),
                key_map(&file.key_bounds, |_| Value::Long(rows_i64(file.rows))),
            ),
            (
                "null_value_counts".into(),
                key_map(&file.key_bounds, |_| Value::Long(0)),
            ),
            (
                "lower_bounds".into(),
                key_map(&file.key_bounds, |(_, lo, _)| Value::Bytes(lo.clone())),
            ),
            (
                "upper_bounds".into(),
                key_map(&file.key_bounds, |(_, _, hi)| Value::Bytes(hi.clone())),
            ),
            (
                "split_offsets".into(),
                Value::Union(
                    1,
                    Box::new(Value::Array(
                        file.split_offsets.iter().map(|&o| Value::Long(o)).collect(),
                    )),
                ),
            ),
            (
                "sort_order_id".into(),
                Value::Union(1, Box::new(Value::Int(sort_order_id))),
            ),
        ]);
        let entry = Value::Record(vec![
            ("status".into(), Value::Int(status)),
            ("snapshot_id".into(), some_long(snap.id)),
            ("sequence_number".into(), some_long(sequence)),
            ("file_sequence_number".into(), some_long(file_sequence)),
            ("data_file".into(), data_file),
        ]);
        writer.append_value_ref(&entry).map_err(err)?;
    }
    writer.into_inner().map_err(err)
}

/// The bytes of snapshot `snap`'s manifest list, listing `manifests` (each added by it).
pub(crate) fn manifest_list(manifests: &[ManifestFile], snap: SnapshotIds) -> Result<Vec<u8>> {
    let err = |e| avro_error("manifest list", e);
    let schema = Schema::parse_str(MANIFEST_FILE).map_err(err)?;
    let mut writer = Writer::with_codec(&schema, Vec::new(), Codec::Null);
    let parent = snap
        .parent
        .map_or_else(|| "null".to_owned(), |p| p.to_string());
    for (key, value) in [
        ("snapshot-id", snap.id.to_string()),
        ("parent-snapshot-id", parent),
        ("sequence-number", snap.sequence.to_string()),
        ("format-version", "2".to_owned()),
    ] {
        writer
            .add_user_metadata(key.to_owned(), value)
            .map_err(err)?;
    }
    for m in manifests {
        let entry = Value::Record(vec![
            ("manifest_path".into(), Value::String(m.path.clone())),
            ("manifest_length".into(), long(m.bytes)),
            ("partition_spec_id".into(), Value::Int(0)),
            // 0: data.
            ("content".into(), Value::Int(0)),
            ("sequence_number".into(), Value::Long(snap.sequence)),
            ("min_sequence_number".into(), Value::Long(snap.sequence)),
            ("added_snapshot_id".into(), Value::Long(snap.id)),
            (
                "added_files_count".into(),
                Value::Int(i32::try_from(m.files).unwrap_or(i32::MAX)),
            ),
            ("existing_files_count".into(), Value::Int(0)),
            (
                "deleted_files_count".into(),
                Value::Int(i32::try_from(m.deleted_files).unwrap_or(i32::MAX)),
            ),
            ("added_rows_count".into(), long(m.rows)),
            ("existing_rows_count".into(), Value::Long(0)),
            ("deleted_rows_count".into(), long(m.deleted_rows)),
        ]);
        writer.append_value_ref(&entry).map_err(err)?;
    }
    writer.into_inner().map_err(err)
}

fn field<'a>(record: &'a Value, name: &str) -> Option<&'a Value> {
    match record {
        Value::Record(fields) => fields.iter().find(|(n, _)| n == name).map(|(_, v)| v),
        _ => None,
    }
}

/// A long, or a union holding one (`None` for null).
fn as_long(value: &Value) -> Option<i64> {
    match value {
        Value::Long(v) => Some(*v),
        Value::Int(v) => Some(i64::from(*v)),
        Value::Union(_, inner) => as_long(inner),
        _ => None,
    }
}

fn as_str(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s),
        Value::Union(_, inner) => as_str(inner),
        _ => None,
    }
}

/// The records of the Avro file at `path`.
fn records(path: &Path) -> Result<Vec<Value>> {
    let what = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let reader = Reader::new(&bytes[..]).map_err(|e| avro_error(&what, e))?;
    reader
        .map(|r| r.map_err(|e| avro_error(&what, e)))
        .collect()
}

/// The live data files of the snapshot whose manifest list is `list` (every data
/// manifest's entries not marked deleted), with their sequence numbers.
pub(crate) fn live_files(list: &Path) -> Result<Vec<LiveFile>> {
    let bad = |what: &Path, detail: &str| Error::Export {
        target: what.display().to_string(),
        detail: format!(
            "{detail}: the table's metadata was not written by libmurr's export or is \
             damaged; export to a new location"
        ),
    };
    let mut out = Vec::new();
    for m in records(list)? {
        let path = field(&m, "manifest_path")
            .and_then(as_str)
            .ok_or_else(|| bad(list, "a manifest list entry has no manifest_path"))?;
        let list_sequence = field(&m, "sequence_number").and_then(as_long);
        if field(&m, "content").and_then(as_long).unwrap_or(0) != 0 {
            return Err(bad(
                list,
                "it lists delete manifests, which libmurr never writes",
            ));
        }
        let manifest = Path::new(path);
        for entry in records(manifest)? {
            let status = field(&entry, "status").and_then(as_long);
            let file = field(&entry, "data_file");
            let (Some(status), Some(file)) = (status, file) else {
                return Err(bad(manifest, "an entry has no status or data_file"));
            };
            if status == 2 {
                continue;
            }
            let get = |name: &str| field(file, name).and_then(as_long);
            let path = field(file, "file_path")
                .and_then(as_str)
                .ok_or_else(|| bad(manifest, "an entry has no file_path"))?;
            let sequence = field(&entry, "sequence_number")
                .and_then(as_long)
                .or(list_sequence)
                .unwrap_or(0);
            let split_offsets = match field(file, "split_offsets") {
                Some(Value::Union(_, inner)) => match inner.as_ref() {
                    Value::Array(v) => v.iter().filter_map(as_long).collect(),
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            };
            out.push(LiveFile {
                file: DataFile {
                    path: path.to_owned(),
                    rows: get("record_count")
                        .and_then(|v| u64::try_from(v).ok())
                        .unwrap_or(0),
                    bytes: get("file_size_in_bytes")
                        .and_then(|v| u64::try_from(v).ok())
                        .unwrap_or(0),
                    split_offsets,
                    key_bounds: None,
                },
                sequence,
                file_sequence: field(&entry, "file_sequence_number")
                    .and_then(as_long)
                    .unwrap_or(sequence),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use apache_avro::Reader;

    #[test]
    fn manifest_reads_back_with_field_ids_and_iceberg_metadata() -> Result<()> {
        let snap = SnapshotIds {
            id: 42,
            parent: None,
            sequence: 3,
        };
        let files = [DataFile {
            path: "/t/data/a.parquet".into(),
            rows: 10,
            bytes: 1234,
            split_offsets: vec![4],
            key_bounds: Some((1, b"a".to_vec(), b"z".to_vec())),
        }];
        let bytes = manifest(&files, &[], snap, "{}", 0, 1)?;
        let reader = Reader::new(&bytes[..]).map_err(|e| avro_error("test", e))?;
        let meta = reader.user_metadata().clone();
        assert_eq!(
            meta.get("format-version").map(Vec::as_slice),
            Some(&b"2"[..])
        );
        assert_eq!(meta.get("content").map(Vec::as_slice), Some(&b"data"[..]));
        let schema_json = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned();
        assert!(schema_json.contains("\"field-id\":134"), "{schema_json}");
        assert!(schema_json.contains("\"element-id\":133"), "{schema_json}");
        let rows: Vec<_> = reader.collect();
        assert_eq!(rows.len(), 1);
        let list = manifest_list(
            &[ManifestFile {
                path: "/t/metadata/m.avro".into(),
                bytes: 100,
                files: 1,
                rows: 10,
                deleted_files: 0,
                deleted_rows: 0,
            }],
            snap,
        )?;
        let reader = Reader::new(&list[..]).map_err(|e| avro_error("test", e))?;
        assert_eq!(reader.count(), 1);
        Ok(())
    }
}
