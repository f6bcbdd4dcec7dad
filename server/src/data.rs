//! Request and answer bodies as Arrow: write bodies (Arrow IPC stream, Parquet, JSON)
//! decoded and cast to a table's types, keys from JSON, batches rendered as JSON columns.

use std::io::Cursor;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray, UInt64Array};
use arrow_cast::{CastOptions, cast_with_options};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use bytes::Bytes;
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::ordered::{Ordered, object_member};
use crate::schema::key_of;

/// The formats a write body may have, by `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/vnd.apache.arrow.stream`: an Arrow IPC stream.
    Ipc,
    /// `application/vnd.apache.parquet`: a Parquet file.
    Parquet,
    /// `application/json`: `{"columns": {name: [values...]}}` or a list of row objects.
    Json,
}

impl Format {
    /// The format of a `Content-Type` value (parameters ignored); `None` if unknown.
    pub fn of(content_type: &str) -> Option<Format> {
        let base = content_type.split(';').next().unwrap_or("").trim();
        match base.to_ascii_lowercase().as_str() {
            "application/vnd.apache.arrow.stream" | "application/vnd.apache.arrow.file" => {
                Some(Format::Ipc)
            }
            "application/vnd.apache.parquet" | "application/x-parquet" => Some(Format::Parquet),
            "application/json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Decodes a write body into one batch of the table's columns it carries, each cast to
/// the table's type: every batch of the body is read and checked before anything is
/// written, and the batches are concatenated so the write is atomic.
pub fn decode_write(format: Format, body: Bytes, table: &SchemaRef) -> ApiResult<RecordBatch> {
    let batches = match format {
        Format::Ipc => read_ipc(body)?,
        Format::Parquet => read_parquet(body)?,
        Format::Json => return read_json(&body, table),
    };
    conform_batches(&batches, table)
}

/// `batches` (of the same columns) cast to the table's types and concatenated into one
/// batch, for one atomic write.
pub fn conform_batches(batches: &[RecordBatch], table: &SchemaRef) -> ApiResult<RecordBatch> {
    let Some(first) = batches.first() else {
        return Err(ApiError::bad_request("the body holds no record batch"));
    };
    let target = target_schema(first.schema().fields(), table)?;
    let mut cast = Vec::with_capacity(batches.len());
    for b in batches {
        cast.push(conform(b, &target)?);
    }
    Ok(arrow_select::concat::concat_batches(&target, &cast)?)
}

fn read_ipc(body: Bytes) -> ApiResult<Vec<RecordBatch>> {
    let reader = arrow_ipc::reader::StreamReader::try_new(Cursor::new(body), None)
        .map_err(|e| ApiError::bad_request(format!("not an Arrow IPC stream: {e}")))?;
    reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::bad_request(format!("bad Arrow IPC stream: {e}")))
}

fn read_parquet(body: Bytes) -> ApiResult<Vec<RecordBatch>> {
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(body)
        .and_then(|b| b.build())
        .map_err(|e| ApiError::bad_request(format!("not a Parquet file: {e}")))?;
    reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::bad_request(format!("bad Parquet file: {e}")))
}

/// The table's fields for the body's column names, in the body's order: every name must
/// be a column of the table, and the key column must be there.
fn target_schema<'a>(
    names: impl IntoIterator<Item = &'a Arc<Field>>,
    table: &SchemaRef,
) -> ApiResult<SchemaRef> {
    target_from_names(names.into_iter().map(|f| f.name().as_str()), table)
}

fn target_from_names<'a>(
    names: impl IntoIterator<Item = &'a str>,
    table: &SchemaRef,
) -> ApiResult<SchemaRef> {
    let mut fields = Vec::new();
    for name in names {
        let field = table
            .field_with_name(name)
            .map_err(|_| ApiError::bad_request(format!("no column '{name}' in the table")))?;
        fields.push(Arc::new(field.clone()));
    }
    let key = key_of(table);
    if !fields.iter().any(|f| *f.name() == key) {
        return Err(ApiError::bad_request(format!(
            "the body has no key column '{key}'"
        )));
    }
    Ok(Arc::new(Schema::new_with_metadata(
        fields,
        table.metadata().clone(),
    )))
}

/// `batch` with each column cast to `target`'s type (errors, never nulls, for values
/// that do not convert).
fn conform(batch: &RecordBatch, target: &SchemaRef) -> ApiResult<RecordBatch> {
    if batch.num_columns() != target.fields().len() {
        return Err(ApiError::bad_request(
            "the body's batches do not all have the same columns",
        ));
    }
    let options = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
    for (i, field) in target.fields().iter().enumerate() {
        let src = batch.schema().field(i).clone();
        if src.name() != field.name() {
            return Err(ApiError::bad_request(
                "the body's batches do not all have the same columns",
            ));
        }
        let col = batch.column(i);
        if col.data_type() == field.data_type() {
            columns.push(Arc::clone(col));
            continue;
        }
        let cast = cast_with_options(col, field.data_type(), &options).map_err(|e| {
            ApiError::bad_request(format!(
                "column '{}' of type {} does not convert to the table's {}: {e}",
                field.name(),
                col.data_type(),
                field.data_type()
            ))
        })?;
        columns.push(cast);
    }
    // Nullability is the core's to check (it names the column and row).
    let relaxed = Arc::new(Schema::new_with_metadata(
        target
            .fields()
            .iter()
            .map(|f| f.as_ref().clone().with_nullable(true))
            .collect::<Vec<_>>(),
        target.metadata().clone(),
    ));
    Ok(RecordBatch::try_new(relaxed, columns)?)
}

/// A JSON write body: `{"columns": {name: [values...]}}` (columns of equal length), or a
/// list of row objects `[{name: value, ...}, ...]`. Values are read as the table's types.
fn read_json(body: &[u8], table: &SchemaRef) -> ApiResult<RecordBatch> {
    let rows: Vec<Map<String, Value>> =
        if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            serde_json::from_slice(body)
                .map_err(|e| ApiError::bad_request(format!("malformed JSON body: {e}")))?
        } else {
            let columns = object_member(body, "columns")
                .map_err(ApiError::bad_request)?
                .ok_or_else(|| {
                    ApiError::bad_request("a JSON write body is {\"columns\": {name: [values...]}}")
                })?;
            transpose(columns)?
        };
    let mut names: Vec<&str> = Vec::new();
    for row in &rows {
        for k in row.keys() {
            if !names.contains(&k.as_str()) {
                names.push(k.as_str());
            }
        }
    }
    if rows.is_empty() {
        return Err(ApiError::bad_request("the body holds no rows"));
    }
    let target = target_from_names(names, table)?;
    let relaxed = Arc::new(Schema::new(
        target
            .fields()
            .iter()
            .map(|f| f.as_ref().clone().with_nullable(true))
            .collect::<Vec<_>>(),
    ));
    let mut decoder = arrow_json::ReaderBuilder::new(Arc::clone(&relaxed))
        .with_batch_size(rows.len().max(1))
        .with_strict_mode(true)
        .build_decoder()?;
    decoder
        .serialize(&rows)
        .map_err(|e| ApiError::bad_request(format!("bad JSON values: {e}")))?;
    let batch = decoder
        .flush()
        .map_err(|e| ApiError::bad_request(format!("bad JSON values: {e}")))?
        .ok_or_else(|| ApiError::bad_request("the body holds no rows"))?;
    Ok(batch.with_schema(Arc::new(Schema::new_with_metadata(
        relaxed.fields().clone(),
        table.metadata().clone(),
    )))?)
}

/// Columns of equal length into row objects.
fn transpose(columns: Ordered) -> ApiResult<Vec<Map<String, Value>>> {
    let mut len = None;
    let mut cols = Vec::with_capacity(columns.0.len());
    for (name, values) in columns.0 {
        let Value::Array(values) = values else {
            return Err(ApiError::bad_request(format!(
                "column '{name}' must be a list of values"
            )));
        };
        match len {
            None => len = Some(values.len()),
            Some(n) if n != values.len() => {
                return Err(ApiError::bad_request(format!(
                    "column '{name}' has {} values, the others {n}",
                    values.len()
                )));
            }
            Some(_) => {}
        }
        cols.push((name, values));
    }
    let mut rows = vec![Map::new(); len.unwrap_or(0)];
    for (name, values) in cols {
        for (row, v) in rows.iter_mut().zip(values) {
            row.insert(name.clone(), v);
        }
    }
    Ok(rows)
}

/// Keys from the raw JSON text of a list, as the key column's type: a list of plain
/// strings (utf8 keys) or of integers is read straight into the array; anything else
/// (escaped strings, integers as strings, wrong types for the error message) goes
/// through [`keys_array`].
pub fn keys_from_json(raw: &str, key_type: &DataType) -> ApiResult<ArrayRef> {
    let fast: Option<ArrayRef> = match key_type {
        DataType::Utf8 => serde_json::from_str::<Vec<&str>>(raw)
            .ok()
            .map(|k| Arc::new(StringArray::from(k)) as ArrayRef),
        DataType::Int64 => serde_json::from_str::<Vec<i64>>(raw)
            .ok()
            .map(|k| Arc::new(Int64Array::from(k)) as ArrayRef),
        DataType::UInt64 => serde_json::from_str::<Vec<u64>>(raw)
            .ok()
            .map(|k| Arc::new(UInt64Array::from(k)) as ArrayRef),
        _ => None,
    };
    if let Some(keys) = fast {
        return Ok(keys);
    }
    let keys: Vec<Value> =
        serde_json::from_str(raw).map_err(|_| ApiError::bad_request("\"keys\" must be a list"))?;
    keys_array(&keys, key_type)
}

/// Keys from a JSON list, as the key column's type: strings for utf8 keys, integers (or
/// strings of digits) for int64 and uint64 keys.
pub fn keys_array(keys: &[Value], key_type: &DataType) -> ApiResult<ArrayRef> {
    let bad = |i: usize, v: &Value| {
        ApiError::bad_request(format!(
            "key {i} ({v}) is not a {} (the key column's type)",
            crate::schema::dtype_name(key_type)
        ))
    };
    Ok(match key_type {
        DataType::Utf8 => {
            let mut out = Vec::with_capacity(keys.len());
            for (i, v) in keys.iter().enumerate() {
                out.push(v.as_str().ok_or_else(|| bad(i, v))?);
            }
            Arc::new(StringArray::from(out))
        }
        DataType::Int64 => {
            let mut out = Vec::with_capacity(keys.len());
            for (i, v) in keys.iter().enumerate() {
                let k = v
                    .as_i64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                    .ok_or_else(|| bad(i, v))?;
                out.push(k);
            }
            Arc::new(Int64Array::from(out))
        }
        DataType::UInt64 => {
            let mut out = Vec::with_capacity(keys.len());
            for (i, v) in keys.iter().enumerate() {
                let k = v
                    .as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                    .ok_or_else(|| bad(i, v))?;
                out.push(k);
            }
            Arc::new(UInt64Array::from(out))
        }
        t => {
            return Err(ApiError::internal(format!(
                "the table's key column has type {t}"
            )));
        }
    })
}

/// A batch as `{"columns": {name: [value or null, ...]}, "found": [...]}` (values as
/// arrow-json renders them: numbers, strings, booleans, lists for embeddings).
pub fn batch_json(batch: &RecordBatch, found: &[bool]) -> ApiResult<Vec<u8>> {
    let mut rows_json = Vec::new();
    {
        let mut writer = arrow_json::WriterBuilder::new()
            .with_explicit_nulls(true)
            .build::<_, arrow_json::writer::JsonArray>(&mut rows_json);
        writer.write(batch)?;
        writer.finish()?;
    }
    let rows: Vec<Map<String, Value>> = if rows_json.is_empty() {
        Vec::new()
    } else {
        serde_json::from_slice(&rows_json)
            .map_err(|e| ApiError::internal(format!("rendering JSON: {e}")))?
    };
    let mut columns = Ordered::default();
    for field in batch.schema().fields() {
        let values: Vec<Value> = rows
            .iter()
            .map(|r| r.get(field.name()).cloned().unwrap_or(Value::Null))
            .collect();
        columns.0.push((field.name().clone(), Value::Array(values)));
    }
    let found = serde_json::to_string(found)
        .map_err(|e| ApiError::internal(format!("rendering JSON: {e}")))?;
    Ok(format!("{{\"columns\":{},\"found\":{found}}}", columns.to_json()).into_bytes())
}

/// A batch as an Arrow IPC stream.
pub fn batch_ipc(batch: &RecordBatch) -> ApiResult<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut out, &batch.schema())?;
        writer.write(batch)?;
        writer.finish()?;
    }
    Ok(out)
}
