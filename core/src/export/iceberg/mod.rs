//! A table exported as an Apache Iceberg table (format v2) on the local filesystem.
//!
//! Each export commits one snapshot, an overwrite: its manifest adds new Parquet data files
//! holding every live row and marks the previous snapshot's files deleted (status 2); those
//! stay on disk, so earlier snapshots still read as they were (time travel). The layout:
//!
//! ```text
//! <location>/data/<snapshot id>-00000.parquet ...
//! <location>/metadata/<uuid>-m0.avro                 manifest (data files)
//! <location>/metadata/snap-<snapshot id>-<uuid>.avro manifest list
//! <location>/metadata/vN.metadata.json               table metadata, one per export
//! <location>/metadata/version-hint.text              N
//! ```
//!
//! Every file is written under a temporary name, fsynced and renamed; the new
//! `vN.metadata.json` is linked into place last (refused if it exists: two exports at once
//! cannot both commit), so a failure or crash before it leaves the previous version the
//! newest one, readable as it was. Files of a failed export are unreferenced and harmless.

mod manifest;
mod metadata;
mod types;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{Field, Schema};
use serde_json::json;

use super::parquet::{report, scan_error, write_files};
use super::{ExportOptions, ExportReport};
use crate::db::Db;
use crate::types::ColumnType;
use crate::{Error, Result};
use manifest::{DataFile, ManifestFile, SnapshotIds};
use types::{IcebergType, convert, with_field_id};

impl Db {
    /// Exports `table`, as a snapshot taken now, to the Apache Iceberg table (format v2,
    /// unpartitioned, sorted by the key) at the local directory `location`: created with
    /// its first export, then given one new snapshot per export. Each export is an
    /// overwrite snapshot of new Parquet data files holding exactly the rows [`Db::scan`]
    /// returns; the files of earlier snapshots are kept, so every earlier snapshot id still
    /// reads what the table held at its export. Columns keep their Iceberg field ids across
    /// exports; a column added since gets a new one and a new schema (`docs/ICEBERG.md`
    /// gives the type mapping: a uint64 above `i64::MAX` is refused, as Iceberg has no
    /// unsigned type).
    ///
    /// Readers find the table through `metadata/vN.metadata.json` (or
    /// `metadata/version-hint.text`). Files are written under temporary names, fsynced and
    /// renamed, and the new metadata file last: an export that fails or is interrupted
    /// leaves the previous snapshot current and readable. The database is only read.
    /// Returns the data files, rows and bytes written, the snapshot id and the metadata
    /// file.
    pub fn export_iceberg(
        &self,
        table: &str,
        location: impl AsRef<Path>,
        options: &ExportOptions,
    ) -> Result<ExportReport> {
        let snapshot = self.snapshot()?;
        let scan = snapshot.scan(table, &[])?;
        let location = location.as_ref();
        let data_dir = location.join("data");
        let metadata_dir = location.join("metadata");
        for dir in [&data_dir, &metadata_dir] {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let location = std::fs::canonicalize(location).map_err(|e| Error::io(location, e))?;
        let data_dir = location.join("data");
        let metadata_dir = location.join("metadata");
        let target = location.display().to_string();

        // The schema: the key first (required), every column with its Iceberg type.
        let scan_schema = scan.schema();
        let mut columns = Vec::with_capacity(scan_schema.fields().len());
        for (i, field) in scan_schema.fields().iter().enumerate() {
            let ty = IcebergType::of(&ColumnType::from_arrow(field.name(), field.data_type())?);
            columns.push((field.name().clone(), ty, i == 0));
        }
        let previous = metadata::load_latest(&metadata_dir)?;
        let (columns, last_column_id) =
            metadata::assign_ids(previous.as_ref().map(|p| &p.json), columns);
        let uuid = uuid(&target);
        let draft = metadata::draft(previous.as_ref(), &target, &uuid, &columns, last_column_id)?;
        let file_schema = Arc::new(Schema::new(
            columns
                .iter()
                .map(|c| {
                    with_field_id(
                        Field::new(&c.name, c.ty.arrow(c.element_id), !c.required),
                        c.id,
                    )
                })
                .collect::<Vec<_>>(),
        ));

        let taken = draft.snapshot_ids();
        let mut snapshot_id = fresh_id(&target);
        while taken.contains(&snapshot_id) {
            snapshot_id = fresh_id(&target);
        }
        let snap = SnapshotIds {
            id: snapshot_id,
            parent: draft.parent,
            sequence: draft.sequence,
        };

        // The data files.
        let seq = scan.seq();
        let schema = Arc::clone(&file_schema);
        let batches = scan.map(|batch| {
            let batch = batch.map_err(scan_error)?;
            let mut arrays = Vec::with_capacity(batch.num_columns());
            for ((array, field), column) in
                batch.columns().iter().zip(schema.fields()).zip(&columns)
            {
                arrays.push(convert(&column.name, array, field.data_type(), &target)?);
            }
            Ok(RecordBatch::try_new(Arc::clone(&schema), arrays)?)
        });
        let written = write_files(
            batches,
            Arc::clone(&file_schema),
            &data_dir,
            &|n| format!("{snapshot_id}-{n:05}.parquet"),
            options,
            false,
        )?;
        let files: Vec<DataFile> = written
            .iter()
            .map(|w| DataFile {
                path: w.path.display().to_string(),
                rows: w.rows,
                bytes: w.bytes,
                split_offsets: w.row_group_offsets.clone(),
                key_bounds: w
                    .key_bounds
                    .clone()
                    .and_then(|(lo, hi)| Some((columns.first()?.id, lo, hi))),
            })
            .collect();
        let rows: u64 = files.iter().map(|f| f.rows).sum();
        let bytes: u64 = files.iter().map(|f| f.bytes).sum();

        // The manifest and the manifest list.
        let schema_json = serde_json::to_string(&draft.schema).map_err(|e| Error::Export {
            target: target.clone(),
            detail: format!("encoding the schema: {e}"),
        })?;
        // The previous snapshot's live files: this overwrite marks them deleted.
        let replaced = match draft.parent_manifest_list() {
            Some(list) => manifest::live_files(Path::new(&list))?,
            None => Vec::new(),
        };
        let replaced_rows: u64 = replaced.iter().map(|l| l.file.rows).sum();
        let replaced_bytes: u64 = replaced.iter().map(|l| l.file.bytes).sum();
        let mut manifests = Vec::new();
        if !files.is_empty() || !replaced.is_empty() {
            let path = metadata_dir.join(format!("{uuid}-{snapshot_id}-m0.avro"));
            let avro = manifest::manifest(
                &files,
                &replaced,
                snap,
                &schema_json,
                draft.schema_id,
                i32::try_from(draft.sort_order_id).unwrap_or(0),
            )?;
            put(&path, &avro)?;
            manifests.push(ManifestFile {
                path: path.display().to_string(),
                bytes: avro.len() as u64,
                files: files.len() as u64,
                rows,
                deleted_files: replaced.len() as u64,
                deleted_rows: replaced_rows,
            });
        }
        let list_path = metadata_dir.join(format!("snap-{snapshot_id}-1-{uuid}.avro"));
        put(&list_path, &manifest::manifest_list(&manifests, snap)?)?;

        // The snapshot, then the metadata version that makes it current.
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let timestamp_ms = now.max(draft.last_updated_ms() + 1);
        let summary = json!({
            "operation": if draft.parent.is_some() { "overwrite" } else { "append" },
            "added-data-files": files.len().to_string(),
            "added-records": rows.to_string(),
            "added-files-size": bytes.to_string(),
            "deleted-data-files": replaced.len().to_string(),
            "deleted-records": replaced_rows.to_string(),
            "removed-files-size": replaced_bytes.to_string(),
            "total-data-files": files.len().to_string(),
            "total-records": rows.to_string(),
            "total-files-size": bytes.to_string(),
            "total-delete-files": "0",
            "total-position-deletes": "0",
            "total-equality-deletes": "0",
            "murr.table": table,
            "murr.seq": seq.to_string(),
        });
        let mut snapshot_json = json!({
            "snapshot-id": snapshot_id,
            "sequence-number": snap.sequence,
            "timestamp-ms": timestamp_ms,
            "summary": summary,
            "manifest-list": list_path.display().to_string(),
            "schema-id": draft.schema_id,
        });
        if let (Some(parent), Some(obj)) = (snap.parent, snapshot_json.as_object_mut()) {
            obj.insert("parent-snapshot-id".into(), json!(parent));
        }
        let metadata = draft.commit(snapshot_json, snapshot_id, timestamp_ms, previous.as_ref())?;
        let text = serde_json::to_vec_pretty(&metadata).map_err(|e| Error::Export {
            target: target.clone(),
            detail: format!("encoding the table metadata: {e}"),
        })?;
        let version = previous.as_ref().map_or(1, |p| p.version + 1);
        let metadata_path = metadata_dir.join(format!("v{version}.metadata.json"));
        commit(&metadata_path, &text)?;
        // The hint only speeds up readers that list no directory; the metadata file is the
        // commit, so a failure here is not the export's.
        let hint = metadata_dir.join("version-hint.text");
        let _ = crate::durable::replace_file(
            &hint,
            &crate::durable::tmp_name(&hint),
            version.to_string().as_bytes(),
        );

        let mut out = report(written, seq);
        out.snapshot_id = Some(snapshot_id);
        out.metadata = Some(metadata_path);
        Ok(out)
    }
}

/// Writes a small file durably under its final name.
fn put(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::durable::replace_file(path, &crate::durable::tmp_name(path), bytes)
}

/// Writes the metadata version `path`: a temporary file fsynced, then hard-linked to
/// `path`, which fails if `path` exists (another export committed this version first),
/// then the directory fsynced.
fn commit(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = crate::durable::tmp_name(path);
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        std::io::Write::write_all(&mut f, bytes)?;
        f.sync_all()
    });
    let linked = written.map_err(|e| Error::io(&tmp, e)).and_then(|()| {
        std::fs::hard_link(&tmp, path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::Export {
                    target: path.display().to_string(),
                    detail: "another export committed this version first; export again".into(),
                }
            } else {
                Error::io(path, e)
            }
        })
    });
    let _ = std::fs::remove_file(&tmp);
    linked?;
    crate::segment::sync_dir(path)
}

/// A new positive 63-bit id, from the clock, the process and a counter.
fn fresh_id(salt: &str) -> i64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let seed = format!(
        "{salt}/{nanos}/{}/{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let id = xxhash_rust::xxh3::xxh3_64(seed.as_bytes()) & (i64::MAX as u64);
    i64::try_from(id.max(1)).unwrap_or(1)
}

/// A random (version 4) UUID in its text form.
fn uuid(salt: &str) -> String {
    let hi = fresh_id(salt).to_le_bytes();
    let lo = fresh_id(salt).to_le_bytes();
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&hi);
    b[8..].copy_from_slice(&lo);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The metadata path that [`Db::export_iceberg`] commits for `version` at `location`.
pub fn metadata_path(location: &Path, version: u64) -> PathBuf {
    location
        .join("metadata")
        .join(format!("v{version}.metadata.json"))
}
