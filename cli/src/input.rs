//! The files `murr ingest` reads: Parquet, Arrow IPC (file and stream), CSV and JSON
//! lines, each opened as a reader of record batches with its schema known before any row
//! is read.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::RecordBatchReader;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::{Failure, Result};

/// Rows per batch read from Parquet, CSV and JSON files (Arrow files keep their batches).
pub const BATCH_ROWS: usize = 64 * 1024;
/// Records read to find the columns (and, for a new table, the types) of CSV and JSON.
const INFER_RECORDS: usize = 10_000;

/// The formats `ingest` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Apache Parquet (`.parquet`).
    Parquet,
    /// Arrow IPC file (`.arrow`, `.feather`).
    Arrow,
    /// Arrow IPC stream (`.arrows`).
    ArrowStream,
    /// CSV with a header row (`.csv`).
    Csv,
    /// JSON lines: one object per line (`.jsonl`, `.ndjson`).
    Json,
}

impl InputFormat {
    /// Whether files of this format are loaded by `Db::ingest_file` (sorted straight into
    /// segments, the whole file atomic) rather than written batch by batch.
    pub fn bulk(self) -> bool {
        matches!(
            self,
            InputFormat::Parquet | InputFormat::Arrow | InputFormat::ArrowStream
        )
    }

    /// The format a file's extension names, if any.
    pub fn detect(path: &Path) -> Option<InputFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "parquet" => InputFormat::Parquet,
            "arrow" | "feather" => InputFormat::Arrow,
            "arrows" => InputFormat::ArrowStream,
            "csv" => InputFormat::Csv,
            "jsonl" | "ndjson" => InputFormat::Json,
            _ => return None,
        })
    }
}

/// How far a reader is through its file, for the progress bar.
#[derive(Debug, Clone)]
pub enum Progress {
    /// Rows: the file says how many it holds (Parquet).
    Rows(u64),
    /// Bytes read of the file's `total`.
    Bytes {
        /// The file's size.
        total: u64,
        /// Bytes read so far.
        read: Arc<AtomicU64>,
    },
}

/// An input file opened for reading.
pub struct Input {
    /// The file.
    pub path: PathBuf,
    /// Its schema as read (CSV columns are read as text when the table exists, and cast).
    pub schema: SchemaRef,
    /// Its batches.
    pub batches: Box<dyn RecordBatchReader>,
    /// How far reading is.
    pub progress: Progress,
}

/// Opens `path` as `format`. `table` is the schema of the table the rows go to, when it
/// exists: CSV columns are then read as text (cast later, so `007` stays `007` in a utf8
/// column), JSON fields with the table's types; otherwise both are inferred from the first
/// records.
pub fn open(path: &Path, format: InputFormat, table: Option<&Schema>) -> Result<Input> {
    let context = |e: arrow_schema::ArrowError| {
        Failure::new(format!("cannot read {} as {format:?}: {e}", path.display()))
    };
    let file = File::open(path).map_err(|e| Failure::io("open", path, e))?;
    let size = file
        .metadata()
        .map_err(|e| Failure::io("read", path, e))?
        .len();
    let read = Arc::new(AtomicU64::new(0));
    let counted = Counted {
        inner: file,
        read: Arc::clone(&read),
    };
    let bytes = Progress::Bytes { total: size, read };
    let (batches, progress): (Box<dyn RecordBatchReader>, Progress) = match format {
        InputFormat::Parquet => {
            let file = File::open(path).map_err(|e| Failure::io("open", path, e))?;
            let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| {
                Failure::new(format!("cannot read {} as Parquet: {e}", path.display()))
            })?;
            let rows = u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
            let reader = builder.with_batch_size(BATCH_ROWS).build().map_err(|e| {
                Failure::new(format!("cannot read {} as Parquet: {e}", path.display()))
            })?;
            (Box::new(reader), Progress::Rows(rows))
        }
        InputFormat::Arrow => (
            Box::new(
                arrow_ipc::reader::FileReader::try_new_buffered(counted, None).map_err(context)?,
            ),
            bytes,
        ),
        InputFormat::ArrowStream => (
            Box::new(
                arrow_ipc::reader::StreamReader::try_new_buffered(counted, None)
                    .map_err(context)?,
            ),
            bytes,
        ),
        InputFormat::Csv => {
            let schema = csv_schema(path, table).map_err(context)?;
            let reader = arrow_csv::ReaderBuilder::new(schema)
                .with_header(true)
                .with_batch_size(BATCH_ROWS)
                .build(BufReader::new(counted))
                .map_err(context)?;
            (Box::new(reader), bytes)
        }
        InputFormat::Json => {
            let schema = json_schema(path, table).map_err(context)?;
            let reader = arrow_json::ReaderBuilder::new(schema)
                .with_batch_size(BATCH_ROWS)
                .with_coerce_primitive(true)
                .build(BufReader::new(counted))
                .map_err(context)?;
            (Box::new(reader), bytes)
        }
    };
    Ok(Input {
        path: path.to_owned(),
        schema: batches.schema(),
        batches,
        progress,
    })
}

/// The columns of a CSV file's header: as text when the table exists, else with the types
/// inferred from the first records.
fn csv_schema(
    path: &Path,
    table: Option<&Schema>,
) -> std::result::Result<SchemaRef, arrow_schema::ArrowError> {
    let file = File::open(path)?;
    let format = arrow_csv::reader::Format::default().with_header(true);
    let limit = if table.is_some() { 0 } else { INFER_RECORDS };
    let (schema, _) = format.infer_schema(BufReader::new(file), Some(limit))?;
    if table.is_none() {
        return Ok(Arc::new(schema));
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| Field::new(f.name(), DataType::Utf8, true))
        .collect();
    Ok(Arc::new(Schema::new(fields)))
}

/// The fields of a JSON lines file (those of its first records): with the table's types
/// for the table's columns, else as inferred.
fn json_schema(
    path: &Path,
    table: Option<&Schema>,
) -> std::result::Result<SchemaRef, arrow_schema::ArrowError> {
    let file = File::open(path)?;
    let (schema, _) =
        arrow_json::reader::infer_json_schema(BufReader::new(file), Some(INFER_RECORDS))?;
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(
            |f| match table.and_then(|t| t.field_with_name(f.name()).ok()) {
                Some(column) if same_shape(f.data_type(), column.data_type()) => {
                    Field::new(f.name(), column.data_type().clone(), true)
                }
                _ => f.as_ref().clone(),
            },
        )
        .collect();
    Ok(Arc::new(Schema::new(fields)))
}

/// Whether JSON values inferred as `inferred` can be decoded straight into `column`'s
/// type: both scalars, both lists, or values that were all null. Otherwise the inferred
/// type is kept, and the check against the table refuses it before anything is written.
fn same_shape(inferred: &DataType, column: &DataType) -> bool {
    let list = |t: &DataType| {
        matches!(
            t,
            DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..)
        )
    };
    matches!(inferred, DataType::Null)
        || (list(inferred) && list(column))
        || (!inferred.is_nested() && !column.is_nested())
}

/// A file that counts how far it has been read.
struct Counted {
    inner: File,
    read: Arc<AtomicU64>,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Seek for Counted {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let at = self.inner.seek(pos)?;
        self.read.store(at, Ordering::Relaxed);
        Ok(at)
    }
}
