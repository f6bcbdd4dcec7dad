//! libmurr's column types as Iceberg (format v2) types, the Arrow types their Parquet data
//! files carry, and the conversion of scanned columns to those types (`docs/ICEBERG.md`).

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::ArrayRef;
use arrow_cast::{CastOptions, cast_with_options};
use arrow_schema::{DataType, Field, TimeUnit};
use serde_json::{Value, json};

use crate::types::{ColumnType, ElementType};
use crate::{Error, Result};

/// The Arrow field metadata key under which the parquet crate writes a field id.
pub(crate) const FIELD_ID_KEY: &str = "PARQUET:field_id";

/// An Iceberg type libmurr exports: a primitive (`"long"`, `"timestamptz"`, ...) or a
/// list of a required primitive (an embedding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IcebergType {
    /// A primitive type, by its name in Iceberg's table metadata.
    Primitive(&'static str),
    /// `list<element>`, elements required.
    List(&'static str),
}

impl IcebergType {
    /// The Iceberg type of a libmurr column type.
    pub(crate) fn of(column: &ColumnType) -> IcebergType {
        IcebergType::Primitive(match column {
            ColumnType::Bool => "boolean",
            ColumnType::Int8
            | ColumnType::Int16
            | ColumnType::Int32
            | ColumnType::UInt8
            | ColumnType::UInt16 => "int",
            ColumnType::Int64 | ColumnType::UInt32 | ColumnType::UInt64 => "long",
            ColumnType::Float16 | ColumnType::Float32 => "float",
            ColumnType::Float64 => "double",
            ColumnType::Utf8 => "string",
            ColumnType::Binary => "binary",
            ColumnType::Date32 => "date",
            ColumnType::Timestamp(_, None) => "timestamp",
            ColumnType::Timestamp(_, Some(_)) => "timestamptz",
            ColumnType::Embedding { element, .. } => {
                return IcebergType::List(match element {
                    ElementType::Float32 | ElementType::Float16 => "float",
                    ElementType::Int8 => "int",
                });
            }
        })
    }

    /// The type as Iceberg's table metadata writes it; `element_id` is a list's element
    /// field id.
    pub(crate) fn to_json(&self, element_id: Option<i32>) -> Value {
        match self {
            IcebergType::Primitive(name) => json!(name),
            IcebergType::List(element) => json!({
                "type": "list",
                "element-id": element_id.unwrap_or_default(),
                "element": element,
                "element-required": true,
            }),
        }
    }

    /// Whether `value` (a field's `type` in table metadata) is this type, ids aside.
    pub(crate) fn matches(&self, value: &Value) -> bool {
        match self {
            IcebergType::Primitive(name) => value.as_str() == Some(name),
            IcebergType::List(element) => {
                value.get("type").and_then(Value::as_str) == Some("list")
                    && value.get("element").and_then(Value::as_str) == Some(element)
                    && value.get("element-required").and_then(Value::as_bool) == Some(true)
            }
        }
    }

    /// The Arrow type of the column in the Parquet data files (what Iceberg readers
    /// expect of this type); `element_id` is a list's element field id.
    pub(crate) fn arrow(&self, element_id: Option<i32>) -> DataType {
        match self {
            IcebergType::Primitive(name) => primitive_arrow(name),
            IcebergType::List(element) => DataType::List(Arc::new(with_field_id(
                Field::new("element", primitive_arrow(element), false),
                element_id.unwrap_or_default(),
            ))),
        }
    }
}

fn primitive_arrow(name: &str) -> DataType {
    match name {
        "boolean" => DataType::Boolean,
        "int" => DataType::Int32,
        "long" => DataType::Int64,
        "float" => DataType::Float32,
        "double" => DataType::Float64,
        "binary" => DataType::Binary,
        "date" => DataType::Date32,
        "timestamp" => DataType::Timestamp(TimeUnit::Microsecond, None),
        "timestamptz" => DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("UTC"))),
        _ => DataType::Utf8,
    }
}

/// `field` with the Parquet field id `id` in its metadata.
pub(crate) fn with_field_id(field: Field, id: i32) -> Field {
    field.with_metadata(HashMap::from([(FIELD_ID_KEY.to_owned(), id.to_string())]))
}

/// `array`, column `column` of a scan, as `target` (its [`IcebergType::arrow`]): widened
/// integers and floats, timestamps in microseconds (nanoseconds truncated), embeddings as
/// lists. A uint64 above `i64::MAX` (or a timestamp out of the microsecond range) is an
/// error, never a null.
pub(crate) fn convert(
    column: &str,
    array: &ArrayRef,
    target: &DataType,
    location: &str,
) -> Result<ArrayRef> {
    if array.data_type() == target {
        return Ok(Arc::clone(array));
    }
    let options = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    cast_with_options(array, target, &options).map_err(|e| Error::Export {
        target: location.to_owned(),
        detail: match array.data_type() {
            DataType::UInt64 => format!(
                "column '{column}' holds a uint64 value above {} ({e}), which Iceberg's long \
                 cannot hold (Iceberg has no unsigned types); keep such values below 2^63 to \
                 export the table",
                i64::MAX
            ),
            from => format!(
                "column '{column}' of type {from} does not convert to Iceberg's {target}: {e}"
            ),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, Int64Array, UInt64Array};

    #[test]
    fn every_column_type_has_an_iceberg_type() -> Result<()> {
        let cases = [
            (DataType::Int8, "int"),
            (DataType::UInt16, "int"),
            (DataType::UInt32, "long"),
            (DataType::UInt64, "long"),
            (DataType::Float16, "float"),
            (DataType::Timestamp(TimeUnit::Nanosecond, None), "timestamp"),
            (
                DataType::Timestamp(TimeUnit::Second, Some(Arc::from("+02:00"))),
                "timestamptz",
            ),
            (DataType::Date32, "date"),
            (DataType::Binary, "binary"),
            (DataType::Utf8, "string"),
        ];
        for (arrow, iceberg) in cases {
            let t = IcebergType::of(&ColumnType::from_arrow("c", &arrow)?);
            assert_eq!(t, IcebergType::Primitive(iceberg), "{arrow}");
        }
        let emb =
            DataType::FixedSizeList(Arc::new(Field::new("item", DataType::Float16, false)), 4);
        let t = IcebergType::of(&ColumnType::from_arrow("e", &emb)?);
        assert_eq!(t, IcebergType::List("float"));
        assert!(t.matches(&t.to_json(Some(7))));
        assert!(!IcebergType::List("int").matches(&t.to_json(Some(7))));
        Ok(())
    }

    #[test]
    fn timestamps_become_microseconds_exactly_or_fail() -> Result<()> {
        use arrow_array::{
            TimestampMicrosecondArray, TimestampNanosecondArray, TimestampSecondArray,
        };
        let us = DataType::Timestamp(TimeUnit::Microsecond, None);
        let secs: ArrayRef = Arc::new(TimestampSecondArray::from(vec![-2, 3]));
        let got = convert("t", &secs, &us, "x")?;
        let got = got.as_any().downcast_ref::<TimestampMicrosecondArray>();
        assert_eq!(
            got.map(|a| a.values().to_vec()),
            Some(vec![-2_000_000, 3_000_000])
        );
        let nanos: ArrayRef = Arc::new(TimestampNanosecondArray::from(vec![1_999, -1_999]));
        let got = convert("t", &nanos, &us, "x")?;
        let got = got.as_any().downcast_ref::<TimestampMicrosecondArray>();
        assert_eq!(
            got.map(|a| a.values().to_vec()),
            Some(vec![1, -1]),
            "truncated toward zero"
        );
        let far: ArrayRef = Arc::new(TimestampSecondArray::from(vec![i64::MAX / 10]));
        assert!(matches!(
            convert("t", &far, &us, "x"),
            Err(Error::Export { .. })
        ));
        Ok(())
    }

    #[test]
    fn uint64_above_i64_max_is_refused_not_nulled() -> Result<()> {
        let ok: ArrayRef = Arc::new(UInt64Array::from(vec![0, i64::MAX as u64]));
        let got = convert("u", &ok, &DataType::Int64, "t")?;
        let got = got.as_any().downcast_ref::<Int64Array>();
        assert_eq!(got.map(|a| a.values().to_vec()), Some(vec![0, i64::MAX]));
        let big: ArrayRef = Arc::new(UInt64Array::from(vec![1, u64::MAX]));
        match convert("u", &big, &DataType::Int64, "t") {
            Err(Error::Export { detail, .. }) => assert!(detail.contains("column 'u'"), "{detail}"),
            other => panic!("expected an export error, got {other:?}"),
        }
        assert_eq!(ok.null_count(), 0);
        Ok(())
    }
}
