//! Table schemas as JSON, in Murr's form:
//! `{"key": "id", "columns": {"id": {"dtype": "utf8", "nullable": false}, ...}}`.
//!
//! Plain types are named as Arrow names them in Murr (`utf8`, `bool`, `int8`..`int64`,
//! `uint8`..`uint64`, `float16`, `float32`, `float64`) plus `binary` and `date32`;
//! `timestamp` carries `"unit"` (`s`, `ms`, `us`, `ns`) and an optional `"tz"`; embeddings
//! (Arrow fixed-size lists) are `{"dtype": "embedding", "dim": 128, "element": "float32"}`
//! (`element` float32, float16 or int8), the names of the Python binding's `ColumnSchema`.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use murr_core::db::KEY_METADATA;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::ordered::{Ordered, object_member};

/// The JSON name of a plain (parameterless) type, or `None`.
fn plain_name(t: &DataType) -> Option<&'static str> {
    Some(match t {
        DataType::Utf8 => "utf8",
        DataType::Boolean => "bool",
        DataType::Int8 => "int8",
        DataType::Int16 => "int16",
        DataType::Int32 => "int32",
        DataType::Int64 => "int64",
        DataType::UInt8 => "uint8",
        DataType::UInt16 => "uint16",
        DataType::UInt32 => "uint32",
        DataType::UInt64 => "uint64",
        DataType::Float16 => "float16",
        DataType::Float32 => "float32",
        DataType::Float64 => "float64",
        DataType::Binary => "binary",
        DataType::Date32 => "date32",
        _ => return None,
    })
}

/// The type of a plain JSON name.
fn plain_type(name: &str) -> Option<DataType> {
    Some(match name {
        "utf8" | "string" => DataType::Utf8,
        "bool" | "boolean" => DataType::Boolean,
        "int8" => DataType::Int8,
        "int16" => DataType::Int16,
        "int32" => DataType::Int32,
        "int64" => DataType::Int64,
        "uint8" => DataType::UInt8,
        "uint16" => DataType::UInt16,
        "uint32" => DataType::UInt32,
        "uint64" => DataType::UInt64,
        "float16" => DataType::Float16,
        "float32" => DataType::Float32,
        "float64" => DataType::Float64,
        "binary" => DataType::Binary,
        "date32" => DataType::Date32,
        _ => return None,
    })
}

fn unit_name(u: &TimeUnit) -> &'static str {
    match u {
        TimeUnit::Second => "s",
        TimeUnit::Millisecond => "ms",
        TimeUnit::Microsecond => "us",
        TimeUnit::Nanosecond => "ns",
    }
}

/// A type's JSON `dtype` name (Arrow's own spelling for types without one).
pub fn dtype_name(t: &DataType) -> String {
    match t {
        DataType::Timestamp(..) => "timestamp".to_owned(),
        DataType::FixedSizeList(..) => "embedding".to_owned(),
        t => plain_name(t)
            .map(str::to_owned)
            .unwrap_or_else(|| t.to_string()),
    }
}

/// One column's JSON description.
pub fn column_json(field: &Field) -> Value {
    let nullable = field.is_nullable();
    match field.data_type() {
        DataType::Timestamp(unit, tz) => json!({
            "dtype": "timestamp", "nullable": nullable, "unit": unit_name(unit),
            "tz": tz.as_deref(),
        }),
        DataType::FixedSizeList(item, dim) => json!({
            "dtype": "embedding", "nullable": nullable, "dim": dim,
            "element": plain_name(item.data_type()).unwrap_or("unknown"),
        }),
        t => json!({
            "dtype": dtype_name(t),
            "nullable": nullable,
        }),
    }
}

/// The key column of a table schema (its [`KEY_METADATA`] entry; the first column if
/// absent).
pub fn key_of(schema: &Schema) -> String {
    schema
        .metadata()
        .get(KEY_METADATA)
        .cloned()
        .or_else(|| schema.fields().first().map(|f| f.name().clone()))
        .unwrap_or_default()
}

/// A table schema's JSON description, as text: `{"key": ..., "columns": {...}}`, columns
/// in schema order (a `Value` would sort them).
pub fn schema_json(schema: &Schema) -> String {
    let columns = Ordered(
        schema
            .fields()
            .iter()
            .map(|f| (f.name().clone(), column_json(f)))
            .collect(),
    );
    format!(
        "{{\"key\":{},\"columns\":{}}}",
        Value::String(key_of(schema)),
        columns.to_json()
    )
}

/// One column from its JSON description.
fn column_type(name: &str, desc: &Value) -> ApiResult<(DataType, bool)> {
    let bad = |what: &str| ApiError::bad_request(format!("column '{name}': {what}"));
    let Some(obj) = desc.as_object() else {
        return Err(bad("must be an object like {\"dtype\": \"float32\"}"));
    };
    let dtype = obj
        .get("dtype")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no \"dtype\" string"))?;
    let nullable = match obj.get("nullable") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad("\"nullable\" must be true or false")),
    };
    let data_type = match dtype {
        "timestamp" => {
            let unit = match obj.get("unit").and_then(Value::as_str).unwrap_or("us") {
                "s" => TimeUnit::Second,
                "ms" => TimeUnit::Millisecond,
                "us" => TimeUnit::Microsecond,
                "ns" => TimeUnit::Nanosecond,
                u => return Err(bad(&format!("timestamp unit '{u}' is not s, ms, us or ns"))),
            };
            let tz = obj.get("tz").and_then(Value::as_str).map(Arc::from);
            DataType::Timestamp(unit, tz)
        }
        "embedding" => {
            let dim = obj
                .get("dim")
                .and_then(Value::as_i64)
                .filter(|d| (1..=i64::from(i32::MAX)).contains(d))
                .ok_or_else(|| bad("an embedding needs \"dim\" >= 1"))?;
            let element = obj
                .get("element")
                .and_then(Value::as_str)
                .unwrap_or("float32");
            let item = match element {
                "float32" => DataType::Float32,
                "float16" => DataType::Float16,
                "int8" => DataType::Int8,
                e => {
                    return Err(bad(&format!(
                        "embedding elements are float32, float16 or int8, not '{e}'"
                    )));
                }
            };
            let dim = i32::try_from(dim).map_err(|_| bad("\"dim\" is too large"))?;
            DataType::FixedSizeList(Arc::new(Field::new("item", item, false)), dim)
        }
        other => plain_type(other).ok_or_else(|| {
            bad(&format!(
                "unknown dtype '{other}' (utf8, bool, int8..int64, uint8..uint64, float16, \
                 float32, float64, binary, date32, timestamp, embedding)"
            ))
        })?,
    };
    Ok((data_type, nullable))
}

/// A table schema and its key column from a JSON body `{"key": ..., "columns": {...}}`.
pub fn parse_schema(body: &[u8]) -> ApiResult<(Schema, String)> {
    let doc: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("malformed JSON body: {e}")))?;
    let key = doc
        .get("key")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("the schema needs \"key\": the key column's name"))?
        .to_owned();
    let columns = object_member(body, "columns")
        .map_err(ApiError::bad_request)?
        .ok_or_else(|| {
            ApiError::bad_request("the schema needs \"columns\": {name: {\"dtype\": ...}}")
        })?;
    if columns.0.is_empty() {
        return Err(ApiError::bad_request("the schema has no columns"));
    }
    let mut fields = Vec::with_capacity(columns.0.len());
    for (name, desc) in &columns.0 {
        let (t, nullable) = column_type(name, desc)?;
        fields.push(Field::new(name, t, nullable && *name != key));
    }
    if !fields.iter().any(|f| *f.name() == key) {
        return Err(ApiError::bad_request(format!(
            "the key column '{key}' is not among the columns"
        )));
    }
    Ok((Schema::new(fields), key))
}

/// The schema a request's `columns` name, or every column (the key first) when empty.
pub fn all_columns(schema: &SchemaRef) -> Vec<String> {
    let key = key_of(schema);
    let mut out = vec![key.clone()];
    out.extend(
        schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .filter(|n| *n != key),
    );
    out
}
