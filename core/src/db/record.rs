//! The engine's write-ahead-log records: a write or a delete of one table, with its
//! sequence number. Layout (`docs/WAL.md`, "Engine records"):
//!
//! ```text
//! 0   8  seq       u64 LE, written by GroupCommit::commit_numbered under its lock
//! 8   1  kind      1 = write (upsert), 2 = delete, 3 = ingest marker
//! 9   8  table id  u64 LE
//! 17  .. payload   an Arrow IPC stream of one batch: the written batch, or for a delete
//!                  one column of the deleted keys; for an ingest marker, an empty batch
//! ```

use std::io::Cursor;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_ipc::reader::StreamReader;
use arrow_ipc::writer::StreamWriter;
use arrow_schema::{Field, Schema};

use crate::{Error, Result};

/// Bytes before the payload.
pub(crate) const HEADER: usize = 17;
const KIND_WRITE: u8 = 1;
const KIND_DELETE: u8 = 2;
const KIND_INGEST: u8 = 3;

/// A decoded record.
#[derive(Debug)]
pub(crate) struct Record {
    /// Its sequence number.
    pub(crate) seq: u64,
    /// The table's id.
    pub(crate) table: u64,
    /// What it does.
    pub(crate) op: Op,
}

/// What a record does.
#[derive(Debug)]
pub(crate) enum Op {
    /// Upserts the batch.
    Write(RecordBatch),
    /// Deletes the keys.
    Delete(ArrayRef),
    /// Marks a bulk ingest into the table (its rows are in segments, not in the log): the
    /// change feed cannot replay past it.
    Ingest,
}

/// Encodes a write of `batch` to table `table`, the sequence number left zero.
pub(crate) fn encode_write(table: u64, batch: &RecordBatch) -> Result<Vec<u8>> {
    encode(KIND_WRITE, table, batch)
}

/// Encodes a delete of `keys` from table `table`, the sequence number left zero.
pub(crate) fn encode_delete(table: u64, keys: &dyn Array) -> Result<Vec<u8>> {
    let schema = Arc::new(Schema::new(vec![Field::new(
        "key",
        keys.data_type().clone(),
        true,
    )]));
    let batch = RecordBatch::try_new(schema, vec![arrow_array::make_array(keys.to_data())])?;
    encode(KIND_DELETE, table, &batch)
}

/// Encodes the marker of a bulk ingest into table `table`, the sequence number left zero.
pub(crate) fn encode_ingest(table: u64) -> Result<Vec<u8>> {
    encode(
        KIND_INGEST,
        table,
        &RecordBatch::new_empty(Arc::new(Schema::empty())),
    )
}

fn encode(kind: u8, table: u64, batch: &RecordBatch) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(HEADER + 256 + batch.get_array_memory_size());
    out.extend_from_slice(&[0u8; 8]);
    out.push(kind);
    out.extend_from_slice(&table.to_le_bytes());
    let mut writer = StreamWriter::try_new(&mut out, &batch.schema())?;
    writer.write(batch)?;
    writer.finish()?;
    drop(writer);
    Ok(out)
}

/// The sequence number and table id of a record read from log `log`, without decoding its
/// payload.
pub(crate) fn peek(bytes: &[u8], log: &str) -> Result<(u64, u64)> {
    let (Some(seq), Some(table)) = (bytes.get(..8), bytes.get(9..HEADER)) else {
        return Err(Error::corrupt(
            log,
            "engine record",
            format!("{} bytes, shorter than its header", bytes.len()),
        ));
    };
    let word = |b: &[u8]| b.try_into().map(u64::from_le_bytes).unwrap_or_default();
    Ok((word(seq), word(table)))
}

/// Decodes a record read from log `log` (named in errors).
pub(crate) fn decode(bytes: &[u8], log: &str) -> Result<Record> {
    let corrupt = |detail: String| Error::corrupt(log, "engine record", detail);
    let (Some(seq), Some(&kind), Some(table), Some(payload)) = (
        bytes.get(..8),
        bytes.get(8),
        bytes.get(9..17),
        bytes.get(HEADER..),
    ) else {
        return Err(corrupt(format!(
            "{} bytes, shorter than its header",
            bytes.len()
        )));
    };
    let seq = u64::from_le_bytes(seq.try_into().map_err(|_| corrupt("seq".into()))?);
    let table = u64::from_le_bytes(table.try_into().map_err(|_| corrupt("table".into()))?);
    let mut reader = StreamReader::try_new(Cursor::new(payload), None)
        .map_err(|e| corrupt(format!("record {seq}: {e}")))?;
    let batch = reader
        .next()
        .ok_or_else(|| corrupt(format!("record {seq} holds no batch")))?
        .map_err(|e| corrupt(format!("record {seq}: {e}")))?;
    let op = match kind {
        KIND_WRITE => Op::Write(batch),
        KIND_DELETE => Op::Delete(
            batch
                .columns()
                .first()
                .cloned()
                .ok_or_else(|| corrupt(format!("delete record {seq} has no key column")))?,
        ),
        KIND_INGEST => Op::Ingest,
        other => return Err(corrupt(format!("record {seq} has unknown kind {other}"))),
    };
    Ok(Record { seq, table, op })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray};

    #[test]
    fn round_trip() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("k", arrow_schema::DataType::Utf8, false),
            Field::new("v", arrow_schema::DataType::Int64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec!["a", "b"])),
                Arc::new(Int64Array::from(vec![Some(1), None])),
            ],
        )
        .unwrap();
        let mut bytes = encode_write(9, &batch).unwrap();
        bytes[..8].copy_from_slice(&42u64.to_le_bytes());
        let r = decode(&bytes, "log").unwrap();
        assert_eq!((r.seq, r.table), (42, 9));
        assert!(matches!(r.op, Op::Write(b) if b == batch));

        let keys = Int64Array::from(vec![3, 4, 5]);
        let r = decode(&encode_delete(2, &keys).unwrap(), "log").unwrap();
        assert!(matches!(r.op, Op::Delete(k) if k.len() == 3));

        let mut marker = encode_ingest(7).unwrap();
        marker[..8].copy_from_slice(&43u64.to_le_bytes());
        assert_eq!(peek(&marker, "log").unwrap(), (43, 7));
        assert!(peek(&marker[..16], "log").is_err());
        let r = decode(&marker, "log").unwrap();
        assert!(matches!(r.op, Op::Ingest) && r.table == 7);
    }

    #[test]
    fn damage_is_an_error() {
        let keys = Int64Array::from(vec![3, 4, 5]);
        let bytes = encode_delete(2, &keys).unwrap();
        // Every cut short of the stream's 8-byte end marker (which the reader does not
        // need after the one batch) loses part of the batch.
        for cut in 0..bytes.len() - 8 {
            assert!(decode(&bytes[..cut], "log").is_err(), "cut at {cut}");
        }
        let mut bad = bytes.clone();
        bad[8] = 9;
        assert!(
            decode(&bad, "log")
                .unwrap_err()
                .to_string()
                .contains("unknown kind")
        );
    }
}
