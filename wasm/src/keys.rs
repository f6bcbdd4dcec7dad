//! Keys from JS: an array of strings for a utf8 key column; a `BigInt64Array`, a
//! `BigUint64Array` or an array of bigints (or safe-integer numbers) for an int64 or uint64
//! key column. `null` and `undefined` in an array are null keys, which find nothing.

use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, UInt64Array};
use arrow_schema::DataType;
use js_sys::{Array, BigInt64Array, BigUint64Array};
use wasm_bindgen::{JsCast, JsError, JsValue};

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// `keys` as an Arrow array of `key_type`, the type of the key column `column`.
pub(crate) fn to_arrow(
    keys: &JsValue,
    key_type: &DataType,
    column: &str,
) -> Result<ArrayRef, JsError> {
    let bad = |what: &str| {
        JsError::new(&format!(
            "keys for the {key_type} key column '{column}' must be {what}"
        ))
    };
    match key_type {
        DataType::Utf8 => {
            if !Array::is_array(keys) {
                return Err(bad("an array of strings"));
            }
            // One JSON text instead of a boundary crossing per key (see json_keys.rs).
            // `undefined` becomes null; a bigint makes `stringify` throw.
            let json = js_sys::JSON::stringify(keys)
                .ok()
                .and_then(|s| s.as_string())
                .ok_or_else(|| bad("an array of strings"))?;
            let mut keys = crate::json_keys::parse(&json)
                .map_err(|why| bad(&format!("an array of strings ({why})")))?;
            Ok(Arc::new(keys.finish()))
        }
        DataType::Int64 => {
            if let Some(a) = keys.dyn_ref::<BigInt64Array>() {
                return Ok(Arc::new(Int64Array::from(a.to_vec())));
            }
            let ints =
                integers(keys, |v| i64::try_from(v).ok(), |f| Some(f as i64)).map_err(|why| {
                    bad(&format!(
                        "a BigInt64Array or an array of int64 bigints ({why})"
                    ))
                })?;
            Ok(Arc::new(Int64Array::from(ints)))
        }
        DataType::UInt64 => {
            if let Some(a) = keys.dyn_ref::<BigUint64Array>() {
                return Ok(Arc::new(UInt64Array::from(a.to_vec())));
            }
            let ints = integers(
                keys,
                |v| u64::try_from(v).ok(),
                |f| (f >= 0.0).then_some(f as u64),
            )
            .map_err(|why| {
                bad(&format!(
                    "a BigUint64Array or an array of uint64 bigints ({why})"
                ))
            })?;
            Ok(Arc::new(UInt64Array::from(ints)))
        }
        other => Err(JsError::new(&format!(
            "key column '{column}' has type {other}, which this reader cannot take keys for"
        ))),
    }
}

/// The elements of the JS array `keys` as integers: bigints through `from_bigint`, safe
/// integer numbers through `from_number`, null and undefined as `None`. `Err` says what is
/// wrong: not an array, or the first element that is none of these.
fn integers<T>(
    keys: &JsValue,
    from_bigint: impl Fn(JsValue) -> Option<T>,
    from_number: impl Fn(f64) -> Option<T>,
) -> Result<Vec<Option<T>>, String> {
    let array = keys
        .dyn_ref::<Array>()
        .ok_or_else(|| "not an array".to_owned())?;
    let mut out = Vec::with_capacity(array.length() as usize);
    for (i, k) in array.iter().enumerate() {
        let bad = || format!("key {i} is not one");
        if k.is_null() || k.is_undefined() {
            out.push(None);
        } else if let Some(f) = k.as_f64() {
            let exact = f.fract() == 0.0 && f.abs() <= MAX_SAFE;
            out.push(Some(
                exact.then(|| from_number(f)).flatten().ok_or_else(bad)?,
            ));
        } else if k.is_bigint() {
            out.push(Some(from_bigint(k).ok_or_else(bad)?));
        } else {
            return Err(bad());
        }
    }
    Ok(out)
}
