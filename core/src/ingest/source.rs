//! Files as ingest sources: Parquet and Arrow IPC (file and stream format), recognized by
//! their first bytes and read as record batches of the table's columns only.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use arrow_array::RecordBatch;
use arrow_ipc::reader::{FileReader, StreamReader};
use arrow_schema::Schema;
#[cfg(feature = "parquet")]
use parquet::arrow::ProjectionMask;
#[cfg(feature = "parquet")]
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::conform::Conform;
use crate::{Error, Result};

/// Rows per batch read from a Parquet file.
#[cfg(feature = "parquet")]
const PARQUET_BATCH_ROWS: usize = 64 * 1024;

/// The format of an ingested file, told by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileFormat {
    /// Apache Parquet (`PAR1`).
    Parquet,
    /// The Arrow IPC file format (`ARROW1`; `.arrow`, `.feather` v2).
    ArrowFile,
    /// The Arrow IPC stream format (`.arrows`).
    ArrowStream,
}

impl FileFormat {
    /// The format of the file at `path`, from its first bytes; a file of none of them is
    /// an [`Error::InvalidArgument`].
    pub fn detect(path: &Path) -> Result<FileFormat> {
        let mut head = [0u8; 8];
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut n = 0;
        while n < head.len() {
            match file.read(head.get_mut(n..).unwrap_or_default()) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(path, e)),
            }
        }
        let head = head.get(..n).unwrap_or_default();
        if head.starts_with(b"PAR1") {
            Ok(FileFormat::Parquet)
        } else if head.starts_with(b"ARROW1") {
            Ok(FileFormat::ArrowFile)
        } else if head.starts_with(&[0xff, 0xff, 0xff, 0xff]) {
            Ok(FileFormat::ArrowStream)
        } else {
            Err(Error::InvalidArgument(format!(
                "{} is not a Parquet file nor an Arrow IPC file or stream (it starts with \
                 {head:02x?}); convert it, or read it yourself and ingest its batches",
                path.display()
            )))
        }
    }
}

/// The batches of a file read for an ingest, already projected to the table's columns.
pub(crate) struct FileBatches {
    /// How the projected batches become the table's rows.
    pub(crate) conform: Conform,
    /// The batches; a read error is [`Error::Corrupt`] naming the file.
    pub(crate) batches: Box<dyn Iterator<Item = Result<RecordBatch>> + Send>,
}

/// Opens `path` for an ingest into table `table` of `schema` (key column `key`): reads its
/// schema, matches it to the table's ([`Conform::new`]), and reads only the columns the
/// table has.
pub(crate) fn open(path: &Path, table: &str, schema: &Schema, key: usize) -> Result<FileBatches> {
    let name = path.display().to_string();
    let corrupt = {
        let name = name.clone();
        move |e: &dyn std::fmt::Display, what: &str| Error::corrupt(&name, what, e.to_string())
    };
    let file = || File::open(path).map_err(|e| Error::io(path, e));
    match FileFormat::detect(path)? {
        #[cfg(not(feature = "parquet"))]
        FileFormat::Parquet => Err(Error::InvalidArgument(format!(
            "{name} is a Parquet file, and this build of libmurr reads no Parquet \
             (murr-core's cargo feature 'parquet' is off); read it with pyarrow or the \
             parquet crate and ingest its batches as a stream"
        ))),
        #[cfg(feature = "parquet")]
        FileFormat::Parquet => {
            let builder = ParquetRecordBatchReaderBuilder::try_new(file()?)
                .map_err(|e| corrupt(&e, "Parquet metadata"))?;
            let conform = Conform::new(table, schema, key, builder.schema(), &name)?;
            let mask = ProjectionMask::roots(builder.parquet_schema(), conform.projection());
            let reader = builder
                .with_projection(mask)
                .with_batch_size(PARQUET_BATCH_ROWS)
                .build()
                .map_err(|e| corrupt(&e, "Parquet file"))?;
            let projected = arrow_array::RecordBatchReader::schema(&reader);
            let conform = conform.projected(&projected)?;
            let batches = reader.map(move |b| b.map_err(|e| corrupt(&e, "Parquet data")));
            Ok(FileBatches {
                conform,
                batches: Box::new(batches),
            })
        }
        FileFormat::ArrowFile => {
            let full = FileReader::try_new(BufReader::new(file()?), None)
                .map_err(|e| corrupt(&e, "Arrow IPC file footer"))?;
            let conform = Conform::new(table, schema, key, &full.schema(), &name)?;
            drop(full);
            let reader = FileReader::try_new(BufReader::new(file()?), Some(conform.projection()))
                .map_err(|e| corrupt(&e, "Arrow IPC file footer"))?;
            let conform = conform.projected(&reader.schema())?;
            let batches = reader.map(move |b| b.map_err(|e| corrupt(&e, "Arrow IPC record batch")));
            Ok(FileBatches {
                conform,
                batches: Box::new(batches),
            })
        }
        FileFormat::ArrowStream => {
            let full = StreamReader::try_new(BufReader::new(file()?), None)
                .map_err(|e| corrupt(&e, "Arrow IPC stream schema"))?;
            let conform = Conform::new(table, schema, key, &full.schema(), &name)?;
            drop(full);
            let reader = StreamReader::try_new(BufReader::new(file()?), Some(conform.projection()))
                .map_err(|e| corrupt(&e, "Arrow IPC stream schema"))?;
            let conform = conform.projected(&reader.schema())?;
            let batches =
                reader.map(move |b| b.map_err(|e| corrupt(&e, "Arrow IPC stream message")));
            Ok(FileBatches {
                conform,
                batches: Box::new(batches),
            })
        }
    }
}
