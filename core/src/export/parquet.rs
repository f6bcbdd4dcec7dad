//! Parquet files out of a scan: bounded row groups and files, zstd, statistics, the key
//! column first and declared sorted; each file written under a temporary name, fsynced,
//! and renamed once all of them are written.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt64Type};
use arrow_array::{Array, RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use super::{ExportOptions, ExportReport};
use crate::db::{Db, Snapshot};
use crate::segment::sync_dir;
use crate::{Error, Result};

/// One Parquet file written by [`write_files`].
#[derive(Debug, Clone)]
pub(crate) struct Written {
    /// Where it is (its final name).
    pub(crate) path: PathBuf,
    /// Its rows.
    pub(crate) rows: u64,
    /// Its size in bytes.
    pub(crate) bytes: u64,
    /// The byte offset of each row group (Iceberg's split offsets).
    #[cfg_attr(not(feature = "iceberg"), allow(dead_code))]
    pub(crate) row_group_offsets: Vec<i64>,
    /// Its smallest and largest key (its first and last row's), in Iceberg's single-value
    /// serialization (UTF-8 bytes, or 8 little-endian bytes); `None` for no rows.
    #[cfg_attr(not(feature = "iceberg"), allow(dead_code))]
    pub(crate) key_bounds: Option<(Vec<u8>, Vec<u8>)>,
}

/// The key at `row` of `keys` (utf8, int64 or uint64) in Iceberg's single-value
/// serialization.
fn key_bytes(keys: &dyn Array, row: usize) -> Option<Vec<u8>> {
    if let Some(a) = keys.as_string_opt::<i32>() {
        return Some(a.value(row).as_bytes().to_vec());
    }
    if let Some(a) = keys.as_primitive_opt::<Int64Type>() {
        return Some(a.value(row).to_le_bytes().to_vec());
    }
    keys.as_primitive_opt::<UInt64Type>()
        .map(|a| a.value(row).to_le_bytes().to_vec())
}

impl Db {
    /// Writes the live rows of `table` (exactly what [`Db::scan`] returns at `snapshot`, or
    /// at a snapshot taken now when `None`) as Parquet files `part-00000.parquet`,
    /// `part-00001.parquet`, ... into `dir`, which is created if missing and must hold
    /// no file. Files follow key order; each is zstd-compressed, has row groups of
    /// [`ExportOptions::rows_per_row_group`] rows and at most
    /// [`ExportOptions::rows_per_file`] rows, column statistics, the key column first
    /// (non-null, declared as the sort column) and the other columns in schema order with
    /// their libmurr types (as [`Db::read`] returns them). An empty table gives one file
    /// of no rows, so that readers still see the schema.
    ///
    /// Memory is about one row group's encoded columns plus one scan batch. Files are
    /// written under `.tmp` names, fsynced, and renamed only once every one is written:
    /// on an error no `part-*.parquet` file is left. The database is only read.
    pub fn export_parquet(
        &self,
        table: &str,
        snapshot: Option<&Snapshot>,
        dir: impl AsRef<Path>,
        options: &ExportOptions,
    ) -> Result<ExportReport> {
        let dir = dir.as_ref();
        let target = dir.display().to_string();
        let snapshot = match snapshot {
            Some(s) => s.clone(),
            None => self.snapshot()?,
        };
        let scan = snapshot.scan(table, &[])?;
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        if let Some(entry) = entries.next() {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            return Err(Error::Export {
                target,
                detail: format!(
                    "the directory is not empty (it holds {}); export into a new or empty \
                     directory",
                    entry.file_name().to_string_lossy()
                ),
            });
        }
        let schema = key_required(&scan.schema());
        let seq = scan.seq();
        let batches = scan.map(|batch| {
            let batch = batch.map_err(scan_error)?;
            Ok(RecordBatch::try_new(
                Arc::clone(&schema),
                batch.columns().to_vec(),
            )?)
        });
        let written = write_files(
            batches,
            Arc::clone(&schema),
            dir,
            &|n| format!("part-{n:05}.parquet"),
            options,
            true,
        )?;
        Ok(report(written, seq))
    }
}

/// The report of an export that wrote `written` at `seq`.
pub(crate) fn report(written: Vec<Written>, seq: u64) -> ExportReport {
    ExportReport {
        rows: written.iter().map(|w| w.rows).sum(),
        bytes: written.iter().map(|w| w.bytes).sum(),
        files: written.into_iter().map(|w| w.path).collect(),
        seq,
        snapshot_id: None,
        metadata: None,
    }
}

/// `schema` with its first column (a scan's key) declared non-null.
fn key_required(schema: &Schema) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| f.as_ref().clone().with_nullable(i != 0))
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// A scan's error as the engine error it wraps (or as an Arrow error).
pub(crate) fn scan_error(e: ArrowError) -> Error {
    match e {
        ArrowError::ExternalError(inner) => match inner.downcast::<Error>() {
            Ok(e) => *e,
            Err(other) => Error::Arrow(ArrowError::ExternalError(other)),
        },
        e => Error::Arrow(e),
    }
}

/// The writer properties of `options`: zstd, row group size, page statistics, and the
/// first column declared as the rows' ascending sort order.
fn properties(options: &ExportOptions, key: &str, target: &str) -> Result<WriterProperties> {
    let level = ZstdLevel::try_new(options.zstd_level).map_err(|e| Error::Export {
        target: target.to_owned(),
        detail: format!("zstd level {}: {e}", options.zstd_level),
    })?;
    Ok(WriterProperties::builder()
        .set_compression(Compression::ZSTD(level))
        .set_max_row_group_row_count(Some(options.rows_per_row_group.max(1)))
        .set_statistics_enabled(EnabledStatistics::Page)
        // Keys are unique: a dictionary of them only costs time before it is given up.
        .set_column_dictionary_enabled(ColumnPath::from(key), false)
        .set_sorting_columns(Some(vec![SortingColumn {
            column_idx: 0,
            descending: false,
            nulls_first: true,
        }]))
        .set_created_by(format!("libmurr {}", env!("CARGO_PKG_VERSION")))
        .build())
}

/// Batches the scan may run ahead of the Parquet encoder.
const AHEAD: usize = 2;

/// A file being written: its writer, temporary and final names, rows so far.
struct Open {
    writer: ArrowWriter<File>,
    tmp: PathBuf,
    path: PathBuf,
    rows: u64,
    first_key: Option<Vec<u8>>,
    last_key: Option<Vec<u8>>,
}

/// Writes `batches` (all of `schema`) as Parquet files in `dir`, file `n` named
/// `name(n)`, each of at most `options.rows_per_file` rows; with `at_least_one`, no rows
/// still give one (empty) file. Every file is written under a `.tmp` name and fsynced;
/// once all are, they are renamed and `dir` is fsynced. On an error the temporary files
/// are removed and nothing is renamed. `batches` is read on a thread of its own, at most
/// [`AHEAD`] batches ahead of the encoder.
pub(crate) fn write_files(
    batches: impl Iterator<Item = Result<RecordBatch>> + Send,
    schema: SchemaRef,
    dir: &Path,
    name: &dyn Fn(usize) -> String,
    options: &ExportOptions,
    at_least_one: bool,
) -> Result<Vec<Written>> {
    let mut tmps: Vec<PathBuf> = Vec::new();
    // The scan (and any conversion) runs on a thread of its own, a few batches ahead of
    // the encoder: reading and encoding overlap.
    let result = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<RecordBatch>>(AHEAD);
        scope.spawn(move || {
            for batch in batches {
                let failed = batch.is_err();
                // A closed channel: the writer failed and stopped reading.
                if tx.send(batch).is_err() || failed {
                    break;
                }
            }
        });
        write_tmp(
            rx.into_iter(),
            schema,
            dir,
            name,
            options,
            at_least_one,
            &mut tmps,
        )
    });
    let result = result.and_then(|written| {
        for w in &written {
            let tmp = crate::durable::tmp_name(&w.path);
            std::fs::rename(&tmp, &w.path).map_err(|e| Error::io(&w.path, e))?;
        }
        if !written.is_empty() {
            sync_dir(&written[0].path)?;
        }
        Ok(written)
    });
    if result.is_err() {
        for tmp in &tmps {
            let _ = std::fs::remove_file(tmp);
        }
    }
    result
}

/// [`write_files`] up to the renames; `tmps` collects every temporary file begun.
fn write_tmp(
    batches: impl Iterator<Item = Result<RecordBatch>>,
    schema: SchemaRef,
    dir: &Path,
    name: &dyn Fn(usize) -> String,
    options: &ExportOptions,
    at_least_one: bool,
    tmps: &mut Vec<PathBuf>,
) -> Result<Vec<Written>> {
    let target = dir.display().to_string();
    let key = schema.fields().first().map_or("", |f| f.name().as_str());
    let props = properties(options, key, &target)?;
    let per_file = options.rows_per_file.max(1) as u64;
    let parquet_error = |path: &Path, e: parquet::errors::ParquetError| Error::Export {
        target: path.display().to_string(),
        detail: format!("writing Parquet: {e}"),
    };
    let open = |n: usize, tmps: &mut Vec<PathBuf>| -> Result<Open> {
        let path = dir.join(name(n));
        let tmp = crate::durable::tmp_name(&path);
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        tmps.push(tmp.clone());
        let writer = ArrowWriter::try_new(file, Arc::clone(&schema), Some(props.clone()))
            .map_err(|e| parquet_error(&tmp, e))?;
        Ok(Open {
            writer,
            tmp,
            path,
            rows: 0,
            first_key: None,
            last_key: None,
        })
    };
    let close = |mut open: Open| -> Result<Written> {
        let metadata = open
            .writer
            .finish()
            .map_err(|e| parquet_error(&open.tmp, e))?;
        let row_group_offsets = metadata
            .row_groups()
            .iter()
            .filter_map(|rg| {
                rg.file_offset().or_else(|| {
                    let first = rg.columns().first()?;
                    Some(
                        first
                            .dictionary_page_offset()
                            .unwrap_or(first.data_page_offset()),
                    )
                })
            })
            .collect();
        let file = open.writer.inner();
        file.sync_all().map_err(|e| Error::io(&open.tmp, e))?;
        let bytes = file.metadata().map_err(|e| Error::io(&open.tmp, e))?.len();
        Ok(Written {
            path: open.path,
            rows: open.rows,
            bytes,
            row_group_offsets,
            key_bounds: open.first_key.zip(open.last_key),
        })
    };
    let mut written = Vec::new();
    let mut current: Option<Open> = None;
    for batch in batches {
        let mut batch = batch?;
        while batch.num_rows() > 0 {
            let mut file = match current.take() {
                Some(file) => file,
                None => open(written.len(), tmps)?,
            };
            let room = usize::try_from(per_file - file.rows).unwrap_or(usize::MAX);
            let take = room.min(batch.num_rows());
            file.writer
                .write(&batch.slice(0, take))
                .map_err(|e| parquet_error(&file.tmp, e))?;
            if take > 0 {
                let keys = batch.column(0);
                if file.first_key.is_none() {
                    file.first_key = key_bytes(keys.as_ref(), 0);
                }
                file.last_key = key_bytes(keys.as_ref(), take - 1);
            }
            file.rows += take as u64;
            batch = batch.slice(take, batch.num_rows() - take);
            if file.rows >= per_file {
                written.push(close(file)?);
            } else {
                current = Some(file);
            }
        }
    }
    if let Some(file) = current {
        written.push(close(file)?);
    }
    if written.is_empty() && at_least_one {
        written.push(close(open(0, tmps)?)?);
    }
    Ok(written)
}
