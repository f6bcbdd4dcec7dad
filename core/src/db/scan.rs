//! Scans: every live row of a table in key order, streamed as Arrow batches at one view.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use arrow_array::{BooleanArray, RecordBatch, RecordBatchOptions, RecordBatchReader};
use arrow_schema::{ArrowError, Field, Schema, SchemaRef};

use super::keymerge::KeyMerge;
use super::read;
use super::version::TableVersion;
use crate::{Error, Result};

/// The rows per batch a [`Scan`] produces unless told otherwise
/// ([`Scan::with_batch_rows`]).
pub const SCAN_BATCH_ROWS: usize = 64 * 1024;

/// Every live row of one table in key order (utf8 keys bytewise, integer keys
/// numerically), as Arrow batches of at most [`SCAN_BATCH_ROWS`] rows, all at one read
/// view: made by [`crate::db::Db::scan`] (the view at that call) or
/// [`crate::db::Snapshot::scan`] (the snapshot's). Each row is what
/// [`crate::db::Db::read`] at the same view returns for its key: deleted keys are absent,
/// partial upserts merged.
///
/// It streams: memory is about one chunk of keys per source (memtable or segment) plus
/// one batch, whatever the table's size. It holds its view (the memtables and segment
/// files it reads stay alive until it is dropped) but no lock, so writes, flushes and
/// compactions go on while it runs and do not change what it returns. Once the database
/// is closed the next batch is an error ([`Error::Closed`]). `Send`.
///
/// An iterator of `Result<RecordBatch, ArrowError>` and an
/// [`arrow_array::RecordBatchReader`]; engine errors come as
/// [`ArrowError::ExternalError`] wrapping an [`Error`]. After an error it ends.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{Int64Array, RecordBatch};
/// use arrow_schema::{DataType, Field, Schema};
/// use murr_core::db::{Db, Options};
///
/// let dir = tempfile::tempdir()?;
/// let db = Db::open(dir.path(), Options::default())?;
/// let schema = Arc::new(Schema::new(vec![
///     Field::new("id", DataType::Int64, false),
///     Field::new("score", DataType::Int64, true),
/// ]));
/// db.create_table("t", &schema, "id")?;
/// db.write("t", &RecordBatch::try_new(schema, vec![
///     Arc::new(Int64Array::from(vec![3, -1, 2])),
///     Arc::new(Int64Array::from(vec![30, -10, 20])),
/// ])?)?;
/// db.delete("t", &Int64Array::from(vec![2]))?;
/// let mut ids = Vec::new();
/// for batch in db.scan("t", &["id"])? {
///     let batch = batch?;
///     let col = batch.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
///     ids.extend(col.values().iter().copied());
/// }
/// assert_eq!(ids, vec![-1, 3]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Scan {
    table: Arc<TableVersion>,
    seq: u64,
    columns: Vec<String>,
    schema: SchemaRef,
    keys: KeyMerge,
    batch_rows: usize,
    closed: Arc<AtomicBool>,
    dir: String,
    done: bool,
}

impl std::fmt::Debug for Scan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scan")
            .field("table", &self.table.name)
            .field("seq", &self.seq)
            .field("columns", &self.columns)
            .field("batch_rows", &self.batch_rows)
            .finish_non_exhaustive()
    }
}

impl Scan {
    /// A scan of `columns` of `table` at `seq` (all columns, key first, when empty).
    pub(crate) fn new(
        table: Arc<TableVersion>,
        seq: u64,
        columns: &[&str],
        closed: Arc<AtomicBool>,
        dir: String,
    ) -> Result<Scan> {
        let names: Vec<String> = if columns.is_empty() {
            let key = table.key_name().to_owned();
            std::iter::once(key.clone())
                .chain(
                    table
                        .schema
                        .fields()
                        .iter()
                        .map(|f| f.name().clone())
                        .filter(|n| *n != key),
                )
                .collect()
        } else {
            columns.iter().map(|c| (*c).to_owned()).collect()
        };
        let mut fields = Vec::with_capacity(names.len());
        for name in &names {
            let (_, field) = table.column(name)?;
            fields.push(Field::new(name, field.data_type().clone(), true));
        }
        let keys = KeyMerge::new(&table, seq)?;
        Ok(Scan {
            table,
            seq,
            columns: names,
            schema: Arc::new(Schema::new(fields)),
            keys,
            batch_rows: SCAN_BATCH_ROWS,
            closed,
            dir,
            done: false,
        })
    }

    /// The scan with batches of at most `rows` rows (at least 1); each source also loads
    /// `rows` keys at a time. For tests and for callers that want smaller batches.
    pub fn with_batch_rows(mut self, rows: usize) -> Scan {
        self.batch_rows = rows.max(1);
        self
    }

    /// The sequence number of the newest write the scan sees.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The next non-empty batch, or `None` at the end.
    fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        let names: Vec<&str> = self.columns.iter().map(String::as_str).collect();
        loop {
            if self.closed.load(Ordering::Acquire) {
                return Err(Error::Closed {
                    path: self.dir.clone(),
                });
            }
            let keys = self.keys.next_keys(self.batch_rows, self.batch_rows)?;
            if keys.is_empty() {
                return Ok(None);
            }
            let (batch, found) = read::read(&self.table, self.seq, keys.as_ref(), &names)?;
            let rows = found.iter().filter(|&&f| f).count();
            if rows == 0 {
                continue;
            }
            let batch = if rows == found.len() {
                batch
            } else {
                arrow_select::filter::filter_record_batch(&batch, &BooleanArray::from(found))?
            };
            let options = RecordBatchOptions::new().with_row_count(Some(rows));
            let batch = RecordBatch::try_new_with_options(
                Arc::clone(&self.schema),
                batch.columns().to_vec(),
                &options,
            )?;
            return Ok(Some(batch));
        }
    }
}

impl Iterator for Scan {
    type Item = std::result::Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_batch() {
            Ok(Some(batch)) => Some(Ok(batch)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(ArrowError::ExternalError(Box::new(e))))
            }
        }
    }
}

impl RecordBatchReader for Scan {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
}
