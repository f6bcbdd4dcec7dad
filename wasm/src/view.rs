//! Typed-array views over a result column's values in wasm memory, without a copy.
//!
//! A view is valid while the [`crate::GetResult`] that owns the values lives and until wasm
//! memory grows (any later call into the module may grow it, which detaches every view:
//! its length becomes 0). Copy it (`view.slice()`) to keep it longer.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use wasm_bindgen::{JsError, JsValue};

/// What a column's values look like in memory: one JS typed-array kind per element type.
#[derive(Clone, Copy)]
enum Kind {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
}

impl Kind {
    /// The element kind of a fixed-width primitive type; float16 is its bits (`Uint16Array`),
    /// date32 its days (`Int32Array`), a timestamp its ticks (`BigInt64Array`).
    fn of(t: &DataType) -> Option<Kind> {
        Some(match t {
            DataType::Int8 => Kind::I8,
            DataType::Int16 => Kind::I16,
            DataType::Int32 | DataType::Date32 => Kind::I32,
            DataType::Int64 | DataType::Timestamp(..) => Kind::I64,
            DataType::UInt8 => Kind::U8,
            DataType::UInt16 | DataType::Float16 => Kind::U16,
            DataType::UInt32 => Kind::U32,
            DataType::UInt64 => Kind::U64,
            DataType::Float32 => Kind::F32,
            DataType::Float64 => Kind::F64,
            _ => return None,
        })
    }

    fn width(self) -> usize {
        match self {
            Kind::I8 | Kind::U8 => 1,
            Kind::I16 | Kind::U16 => 2,
            Kind::I32 | Kind::U32 | Kind::F32 => 4,
            Kind::I64 | Kind::U64 | Kind::F64 => 8,
        }
    }
}

/// A typed-array view over the values of `array` (named `name` in errors): one element per
/// row for a numeric column, `size` per row for an embedding (row-major). Null rows hold
/// unspecified values: check the column's nulls or `found`.
pub(crate) fn values(array: &ArrayRef, name: &str) -> Result<JsValue, JsError> {
    let not_numeric = || {
        JsError::new(&format!(
            "column '{name}' of type {} has no typed-array view: read it from the IPC stream",
            array.data_type()
        ))
    };
    // An embedding's values are its child array's, from the list's first row.
    let (values, start, len) = match array.data_type() {
        DataType::FixedSizeList(_, size) => {
            let list = array.as_fixed_size_list();
            let size = usize::try_from(*size).map_err(|_| not_numeric())?;
            (
                list.values().to_data(),
                list.offset() * size,
                list.len() * size,
            )
        }
        _ => {
            let data = array.to_data();
            let (start, len) = (data.offset(), data.len());
            (data, start, len)
        }
    };
    let kind = Kind::of(values.data_type()).ok_or_else(not_numeric)?;
    let start = start + values.offset();
    let bytes = values
        .buffers()
        .first()
        .and_then(|b| {
            b.as_slice()
                .get(start * kind.width()..(start + len) * kind.width())
        })
        .ok_or_else(|| JsError::new(&format!("column '{name}': values buffer too short")))?;
    view(kind, bytes).map_err(|_| JsError::new(&format!("column '{name}': values misaligned")))
}

/// A JS typed array of `kind` viewing `bytes` in wasm memory.
fn view(kind: Kind, bytes: &[u8]) -> Result<JsValue, bytemuck::PodCastError> {
    use bytemuck::try_cast_slice as cast;
    // SAFETY: each view aliases `bytes`, which lives in a buffer owned by the `GetResult`
    // the caller reads (Arrow buffers never move); the JS side is told the view is valid
    // only while that result lives and until wasm memory grows (documented on `column`).
    // No Rust code writes these buffers while the result lives: they are immutable.
    unsafe {
        Ok(match kind {
            Kind::I8 => js_sys::Int8Array::view(cast(bytes)?).into(),
            Kind::I16 => js_sys::Int16Array::view(cast(bytes)?).into(),
            Kind::I32 => js_sys::Int32Array::view(cast(bytes)?).into(),
            Kind::I64 => js_sys::BigInt64Array::view(cast(bytes)?).into(),
            Kind::U8 => js_sys::Uint8Array::view(bytes).into(),
            Kind::U16 => js_sys::Uint16Array::view(cast(bytes)?).into(),
            Kind::U32 => js_sys::Uint32Array::view(cast(bytes)?).into(),
            Kind::U64 => js_sys::BigUint64Array::view(cast(bytes)?).into(),
            Kind::F32 => js_sys::Float32Array::view(cast(bytes)?).into(),
            Kind::F64 => js_sys::Float64Array::view(cast(bytes)?).into(),
        })
    }
}
