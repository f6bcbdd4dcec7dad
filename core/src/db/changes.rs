//! The change feed: every write and delete of a table after a sequence number, read back
//! from the write-ahead logs (those recovery needs, and the flushed ones
//! [`crate::db::Options::change_retention_bytes`] keeps), as Arrow batches.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use arrow_array::builder::BooleanBufferBuilder;
use arrow_array::cast::AsArray;
use arrow_array::{
    Array, ArrayRef, FixedSizeListArray, RecordBatch, RecordBatchReader, StringArray, UInt64Array,
    new_null_array,
};
use arrow_buffer::{BooleanBuffer, NullBuffer};
use arrow_schema::{ArrowError, DataType, Field, FieldRef, Schema, SchemaRef};

use super::logs::Pinned;
use super::options::Recovery;
use super::record::{self, Op};
use super::version::TableVersion;
use super::{Db, Inner};
use crate::wal::{RecoveryMode, WalReader};
use crate::{Error, Result};

/// The rows a [`Changes`] batch collects before it is returned (a batch may hold more: one
/// write's rows are never split).
pub const CHANGES_BATCH_ROWS: usize = 64 * 1024;

/// The schema metadata key of a [`Changes`] stream whose value is its end sequence number
/// ([`Changes::end_seq`]) in decimal: where the next feed should start.
pub const CHANGES_END_SEQ_METADATA: &str = "murr.changes.end_seq";

/// The name of the feed's sequence number column (column 0).
const SEQ: &str = "_seq";
/// The name of the feed's operation column (column 1).
const OP: &str = "_op";
/// The name of the feed's presence mask column (the last column).
const PRESENT: &str = "_present";

impl Db {
    /// The change feed of `table`: every write and delete of it with a sequence number
    /// above `since_seq`, in sequence order, as Arrow batches (see [`Changes`] for the
    /// schema). It ends at the newest write visible at this call (as a read now would see
    /// it): [`Changes::end_seq`] is where the next feed should start. Start at 0 for every
    /// change since the table was created, when the logs are all kept.
    ///
    /// The changes come from the write-ahead logs: those not yet flushed, and the flushed
    /// ones [`crate::db::Options::change_retention_bytes`] keeps. `since_seq` below
    /// [`Db::changes_oldest_since`] is [`Error::ChangesNotRetained`]. The feed holds no
    /// lock (writes, flushes and compactions go on) and keeps the logs it reads from being
    /// deleted until it is dropped. A bulk ingest ([`Db::ingest`]) writes segments, not the
    /// log: the feed yields the changes before it, then fails with
    /// [`Error::ChangesIngested`] at the marker the ingest logs (resynchronise from a scan,
    /// then follow the feed from the scan's sequence number).
    pub fn changes(&self, table: &str, since_seq: u64) -> Result<Changes> {
        self.inner.check_open()?;
        let (version, end) = self.inner.view();
        let t = Arc::clone(version.table(table)?);
        let pinned = self.inner.logs.pin(since_seq, end)?;
        Changes::new(&self.inner, t, since_seq, end, pinned)
    }

    /// The smallest `since_seq` [`Db::changes`] accepts now: one below the first sequence
    /// number of the oldest write-ahead log kept.
    pub fn changes_oldest_since(&self) -> Result<u64> {
        self.inner.check_open()?;
        Ok(self.inner.logs.oldest_since())
    }
}

/// A table's change feed, made by [`Db::changes`]: an iterator of
/// `Result<RecordBatch, ArrowError>` and an [`arrow_array::RecordBatchReader`] (engine
/// errors come as [`ArrowError::ExternalError`] wrapping an [`Error`]; after an error it
/// ends). `Send`.
///
/// One row per key written or deleted, in sequence order (the rows of one write in the
/// batch's order, a key repeated in a write on each of its rows: the last wins, as in the
/// table). The schema:
///
/// | column | type | |
/// |---|---|---|
/// | `_seq` | uint64, not null | the write's or delete's sequence number |
/// | `_op` | utf8, not null | `"write"` (an upsert) or `"delete"` |
/// | the key column | the key's type, not null | the key |
/// | each other column, in schema order | its type, nullable | the value written; null when not written or for a delete |
/// | `_present` | fixed_size_list\<bool not null\>\[n\], not null | for each of the n columns between the key and `_present`, whether the write carried it |
///
/// Replaying the rows in order onto a map rebuilds the table: a `"write"` sets, for its
/// key, the columns whose `_present` entry is true (an explicit null writes null) and
/// keeps the others (a key not yet in the map starts with every column null); a
/// `"delete"` removes the key. Columns are told by position (a table column may be named
/// like a feed column). A column added after a write reads null and not present in it.
/// The schema's metadata [`CHANGES_END_SEQ_METADATA`] holds [`Changes::end_seq`].
pub struct Changes {
    table: Arc<TableVersion>,
    schema: SchemaRef,
    /// The table's value columns (every column but the key), in schema order.
    columns: Vec<FieldRef>,
    since: u64,
    end: u64,
    pinned: Pinned,
    /// The next log of `pinned` to open.
    next_log: usize,
    reader: Option<(WalReader, String)>,
    mode: RecoveryMode,
    batch_rows: usize,
    closed: Arc<AtomicBool>,
    dir: String,
    /// No log record is left to read.
    done: bool,
    /// The iterator has ended (at the end or after an error).
    finished: bool,
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Changes")
            .field("table", &self.table.name)
            .field("since", &self.since)
            .field("end", &self.end)
            .field("logs", &self.pinned.list.len())
            .finish_non_exhaustive()
    }
}

impl Changes {
    fn new(
        inner: &Inner,
        table: Arc<TableVersion>,
        since: u64,
        end: u64,
        pinned: Pinned,
    ) -> Result<Changes> {
        let key_field = table
            .schema
            .fields()
            .get(table.key)
            .cloned()
            .ok_or_else(|| Error::SchemaMismatch(format!("table '{}' has no key", table.name)))?;
        let columns: Vec<FieldRef> = table
            .schema
            .fields()
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != table.key)
            .map(|(_, f)| Arc::new(f.as_ref().clone().with_nullable(true)))
            .collect();
        let width = i32::try_from(columns.len())
            .map_err(|_| Error::LimitExceeded(format!("table '{}' columns", table.name)))?;
        let mut fields: Vec<FieldRef> = vec![
            Arc::new(Field::new(SEQ, DataType::UInt64, false)),
            Arc::new(Field::new(OP, DataType::Utf8, false)),
            Arc::new(key_field.as_ref().clone().with_nullable(false)),
        ];
        fields.extend(columns.iter().cloned());
        fields.push(Arc::new(Field::new(
            PRESENT,
            DataType::FixedSizeList(
                Arc::new(Field::new("item", DataType::Boolean, false)),
                width,
            ),
            false,
        )));
        let metadata: std::collections::HashMap<String, String> =
            [(CHANGES_END_SEQ_METADATA.to_owned(), end.to_string())].into();
        let done = end <= since;
        Ok(Changes {
            table,
            schema: Arc::new(Schema::new_with_metadata(fields, metadata)),
            columns,
            since,
            end,
            pinned,
            next_log: 0,
            reader: None,
            mode: match inner.options.recovery {
                Recovery::SkipCorrupt => RecoveryMode::SkipCorrupt,
                _ => RecoveryMode::Strict,
            },
            batch_rows: CHANGES_BATCH_ROWS,
            closed: Arc::clone(&inner.closed),
            dir: inner.dir.display().to_string(),
            done,
            finished: false,
        })
    }

    /// The feed collecting batches of about `rows` rows (at least 1; a write's rows are
    /// never split). For tests and callers that want smaller batches.
    pub fn with_batch_rows(mut self, rows: usize) -> Changes {
        self.batch_rows = rows.max(1);
        self
    }

    /// The sequence number the feed ends at: the newest write visible when it was made.
    /// A consumer that has applied the whole feed continues with `changes(table,
    /// end_seq())`.
    pub fn end_seq(&self) -> u64 {
        self.end
    }

    /// The sequence number the feed starts after.
    pub fn since_seq(&self) -> u64 {
        self.since
    }

    /// The next log record of the table in `since + 1 ..= end`, or `None` at the end.
    fn next_record(&mut self) -> Result<Option<record::Record>> {
        loop {
            if self.done {
                return Ok(None);
            }
            let Some((reader, name)) = self.reader.as_mut() else {
                let Some(log) = self.pinned.list.get(self.next_log) else {
                    self.done = true;
                    return Ok(None);
                };
                self.next_log += 1;
                let reader = WalReader::open(&log.path, self.mode)?;
                if reader.first_seq() != log.first_seq {
                    return Err(Error::corrupt(
                        &log.path.display().to_string(),
                        "WAL file header",
                        format!(
                            "first sequence number {} where the database listed {}",
                            reader.first_seq(),
                            log.first_seq
                        ),
                    ));
                }
                self.reader = Some((reader, log.path.display().to_string()));
                continue;
            };
            let Some(bytes) = reader.next_record()? else {
                self.reader = None;
                continue;
            };
            // Records before the start and of other tables are told by their header alone,
            // without decoding their batches.
            let (seq, table) = record::peek(&bytes, name)?;
            if seq > self.end {
                self.done = true;
                return Ok(None);
            }
            if seq == self.end {
                // Nothing the feed includes comes after it (sequence order is log order).
                self.done = true;
            }
            if seq > self.since && table == self.table.id {
                let r = record::decode(&bytes, name)?;
                if matches!(r.op, Op::Ingest) {
                    return Err(Error::ChangesIngested {
                        table: self.table.name.clone(),
                        seq: r.seq,
                    });
                }
                return Ok(Some(r));
            }
        }
    }

    /// The feed's rows for record `r`, or `None` for one without rows.
    fn rows(&self, r: record::Record) -> Result<Option<RecordBatch>> {
        let n = self.columns.len();
        let (op, key, values, present) = match r.op {
            Op::Write(batch) => {
                let rows = batch.num_rows();
                let key_name = self.table.key_name();
                let key = batch
                    .column_by_name(key_name)
                    .cloned()
                    .ok_or_else(|| self.bad(r.seq, format!("no key column '{key_name}'")))?;
                let mut values = Vec::with_capacity(n);
                let mut here = Vec::with_capacity(n);
                for field in &self.columns {
                    match batch.column_by_name(field.name()) {
                        Some(c) if c.data_type() == field.data_type() => {
                            values.push(Arc::clone(c));
                            here.push(true);
                        }
                        Some(c) => {
                            return Err(self.bad(
                                r.seq,
                                format!(
                                    "column '{}' is {}, the table's is {}",
                                    field.name(),
                                    c.data_type(),
                                    field.data_type()
                                ),
                            ));
                        }
                        None => {
                            values.push(new_null_array(field.data_type(), rows));
                            here.push(false);
                        }
                    }
                }
                let mut bits = BooleanBufferBuilder::new(rows * n);
                for _ in 0..rows {
                    for &h in &here {
                        bits.append(h);
                    }
                }
                ("write", key, values, bits.finish())
            }
            Op::Ingest => return Ok(None),
            Op::Delete(keys) => {
                let rows = keys.len();
                let values = self
                    .columns
                    .iter()
                    .map(|f| new_null_array(f.data_type(), rows))
                    .collect();
                (
                    "delete",
                    self.key_array(keys, r.seq)?,
                    values,
                    BooleanBuffer::new_unset(rows * n),
                )
            }
        };
        let rows = key.len();
        if rows == 0 {
            return Ok(None);
        }
        let width = i32::try_from(n).unwrap_or(i32::MAX);
        let item = Arc::new(Field::new("item", DataType::Boolean, false));
        // A list of size 0 (a table of the key alone) takes its length from its validity.
        let valid = (n == 0).then(|| NullBuffer::new_valid(rows));
        let present = FixedSizeListArray::try_new(
            item,
            width,
            Arc::new(arrow_array::BooleanArray::new(present, None)),
            valid,
        )?;
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(n + 4);
        columns.push(Arc::new(UInt64Array::from(vec![r.seq; rows])));
        columns.push(Arc::new(StringArray::from(vec![op; rows])));
        columns.push(key);
        columns.extend(values);
        columns.push(Arc::new(present));
        Ok(Some(RecordBatch::try_new(
            Arc::clone(&self.schema),
            columns,
        )?))
    }

    /// Deleted keys as the key column's type (a delete of a utf8 key may have been given
    /// as large utf8 or utf8 view).
    fn key_array(&self, keys: ArrayRef, seq: u64) -> Result<ArrayRef> {
        let want = self.table.schema.field(self.table.key).data_type().clone();
        if keys.data_type() == &want {
            return Ok(keys);
        }
        let strings: StringArray = match keys.data_type() {
            DataType::LargeUtf8 => keys.as_string::<i64>().iter().collect(),
            DataType::Utf8View => keys.as_string_view().iter().collect(),
            other => {
                return Err(self.bad(
                    seq,
                    format!("deleted keys are {other}, the key column is {want}"),
                ));
            }
        };
        if want != DataType::Utf8 {
            return Err(self.bad(seq, format!("deleted keys are text, the key is {want}")));
        }
        Ok(Arc::new(strings))
    }

    fn bad(&self, seq: u64, detail: String) -> Error {
        Error::corrupt(
            &self.dir,
            "engine record",
            format!(
                "record {seq} of table '{}' does not fit its schema: {detail}",
                self.table.name
            ),
        )
    }

    /// The next non-empty batch, or `None` at the end.
    fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        let mut parts: Vec<RecordBatch> = Vec::new();
        let mut rows = 0;
        while rows < self.batch_rows {
            if self.closed.load(Ordering::Acquire) {
                return Err(Error::Closed {
                    path: self.dir.clone(),
                });
            }
            let Some(r) = self.next_record()? else {
                break;
            };
            if let Some(part) = self.rows(r)? {
                rows += part.num_rows();
                parts.push(part);
            }
        }
        Ok(match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(arrow_select::concat::concat_batches(&self.schema, &parts)?),
        })
    }
}

impl Iterator for Changes {
    type Item = std::result::Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        match self.next_batch() {
            Ok(Some(batch)) => Some(Ok(batch)),
            Ok(None) => {
                self.finished = true;
                None
            }
            Err(e) => {
                self.finished = true;
                Some(Err(ArrowError::ExternalError(Box::new(e))))
            }
        }
    }
}

impl RecordBatchReader for Changes {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
}
