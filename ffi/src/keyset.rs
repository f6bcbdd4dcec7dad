//! The key descriptor, `murr_keys_t`: the keys of one read, dense read or delete, in any of
//! the forms a caller holds them (C strings, UTF-8 with lengths, int64, uint64, an Arrow
//! array), instead of one entry point per form. Resolving a descriptor gives the Arrow
//! array the engine looks keys up with.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::{ArrayRef, Int64Array, UInt64Array};
use arrow_schema::DataType;

use crate::args::{ref_arg, slice_arg};
use crate::arrow_in::import_borrowed;
use crate::error::{Failure, Result};
use crate::keys::{str_keys, utf8_keys};
use crate::status::MURR_SCHEMA_MISMATCH;

/// `count` NUL-terminated UTF-8 strings: `data` is `const char *const *`.
pub const MURR_KEYS_CSTR: i32 = 0;
/// `count` UTF-8 strings given as pointer + length: `data` is `const char *const *`,
/// `lengths[i]` bytes each (they may hold NUL bytes; a NULL pointer is allowed for a
/// length of 0).
pub const MURR_KEYS_UTF8: i32 = 1;
/// `count` int64 keys at `data` (`const int64_t *`).
pub const MURR_KEYS_INT64: i32 = 2;
/// `count` uint64 keys at `data` (`const uint64_t *`).
pub const MURR_KEYS_UINT64: i32 = 3;
/// A plain Arrow array `array` described by `schema` (both borrowed, never released);
/// `count` is ignored (the array's length counts).
pub const MURR_KEYS_ARROW: i32 = 4;

/// The keys of one call (`murr_db_read_keys`, `murr_db_read_f32`, `murr_db_delete_keys`):
/// `kind` says which fields hold them. Caller-allocated (the `murr_keys_*` helpers of the
/// header fill one in a line); it and everything it points to are borrowed for the call
/// only. `data` may be NULL when `count` is 0.
///
/// Keys must suit the table's key column: strings (CSTR, UTF8, an Arrow utf8, large utf8
/// or utf8 view array) for a utf8 key column, int64 for an int64 one, uint64 for a uint64
/// one. int64 keys do not look up a uint64 key column, nor uint64 keys an int64 one (as
/// Arrow reads never did): `MURR_SCHEMA_MISMATCH`, whose message names both types ("uint64
/// keys given for a utf8 key column ...").
///
/// An unknown `kind`, NULL `data` (or `lengths`) with `count` > 0, a NULL string (but a
/// NULL pointer of length 0 in UTF8), a string that is not UTF-8, a NULL or released Arrow
/// array: `MURR_INVALID_ARGUMENT`. A null key of an Arrow array is not found by a read and
/// refused by a delete (`MURR_SCHEMA_MISMATCH`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct murr_keys {
    /// `MURR_KEYS_CSTR`, `MURR_KEYS_UTF8`, `MURR_KEYS_INT64`, `MURR_KEYS_UINT64` or
    /// `MURR_KEYS_ARROW`; anything else is `MURR_INVALID_ARGUMENT`.
    pub kind: i32,
    /// How many keys (every kind but `MURR_KEYS_ARROW`).
    pub count: usize,
    /// The keys (every kind but `MURR_KEYS_ARROW`), as `kind` says.
    pub data: *const c_void,
    /// `MURR_KEYS_UTF8` only: `count` byte lengths; NULL otherwise.
    pub lengths: *const usize,
    /// `MURR_KEYS_ARROW` only: the keys, a plain array of the key column's type.
    pub array: *const FFI_ArrowArray,
    /// `MURR_KEYS_ARROW` only: the schema of `array`.
    pub schema: *const FFI_ArrowSchema,
}

/// The key descriptor (`struct murr_keys`).
#[allow(non_camel_case_types)]
pub type murr_keys_t = murr_keys;

impl murr_keys {
    /// A descriptor of `kind` for `count` keys at `data`, the other fields NULL.
    pub(crate) fn plain(kind: i32, data: *const c_void, count: usize) -> murr_keys {
        murr_keys {
            kind,
            count,
            data,
            lengths: std::ptr::null(),
            array: std::ptr::null(),
            schema: std::ptr::null(),
        }
    }

    /// A `MURR_KEYS_ARROW` descriptor of `array` and `schema`.
    pub(crate) fn arrow(array: *const FFI_ArrowArray, schema: *const FFI_ArrowSchema) -> murr_keys {
        murr_keys {
            array,
            schema,
            ..murr_keys::plain(MURR_KEYS_ARROW, std::ptr::null(), 0)
        }
    }
}

/// What messages call a descriptor's pointers: the descriptor's fields for the entry points
/// taking one, the arguments of the entry points kept for compatibility.
pub(crate) struct Names {
    /// `data`.
    pub(crate) data: &'static str,
    /// `lengths`.
    pub(crate) lengths: &'static str,
    /// `array`.
    pub(crate) array: &'static str,
    /// `schema`.
    pub(crate) schema: &'static str,
}

/// The names of a descriptor's fields.
pub(crate) const FIELDS: Names = Names {
    data: "keys->data",
    lengths: "keys->lengths",
    array: "keys->array",
    schema: "keys->schema",
};

/// The names of the arguments of the entry points kept for compatibility.
pub(crate) const ARGUMENTS: Names = Names {
    data: "keys",
    lengths: "lengths",
    array: "keys",
    schema: "keys_schema",
};

/// Resolved keys: the array the engine looks up, and whether it borrows the caller's
/// memory (then nothing of it may outlive the call).
pub(crate) struct Keys {
    /// The keys.
    pub(crate) array: ArrayRef,
    /// Whether `array` is over the caller's buffers (an Arrow descriptor).
    pub(crate) borrowed: bool,
}

impl Keys {
    /// The keys in libmurr's own memory, for what keeps them past the call (a write or a
    /// delete: the memtable holds them): borrowed keys are copied, owned ones passed on.
    pub(crate) fn into_owned(self) -> Result<ArrayRef> {
        if self.borrowed {
            Ok(arrow_array::make_array(crate::arrow_in::deep_copy(
                &self.array.to_data(),
            )?))
        } else {
            Ok(self.array)
        }
    }
}

/// The keys the descriptor at `keys` (argument "keys") describes.
///
/// # Safety
/// `keys` is NULL or points to a descriptor whose pointers are valid as its `kind` says.
pub(crate) unsafe fn keys_arg(keys: *const murr_keys_t) -> Result<Keys> {
    // SAFETY: forwarded.
    let keys = unsafe { ref_arg(keys, "keys") }?;
    // SAFETY: forwarded.
    unsafe { resolve(keys, &FIELDS) }
}

/// The keys `keys` describes; messages name its pointers as `names` says.
///
/// # Safety
/// The descriptor's pointers are NULL or valid as its `kind` says.
pub(crate) unsafe fn resolve(keys: &murr_keys_t, names: &Names) -> Result<Keys> {
    let built = |array: ArrayRef| Keys {
        array,
        borrowed: false,
    };
    match keys.kind {
        MURR_KEYS_CSTR => {
            let ptrs = keys.data.cast::<*const c_char>();
            // SAFETY: `data` is NULL or `count` NULL-or-valid strings, by the contract.
            let array = unsafe { str_keys(ptrs, keys.count, names.data) }?;
            Ok(built(Arc::new(array)))
        }
        MURR_KEYS_UTF8 => {
            // SAFETY: `data` is NULL or `count` pointers, by the contract.
            let ptrs = unsafe { slice_arg(keys.data.cast::<*const u8>(), keys.count, names.data) }?;
            // SAFETY: `lengths` is NULL or `count` lengths, by the contract.
            let lengths = unsafe { slice_arg(keys.lengths, keys.count, names.lengths) }?;
            // SAFETY: each pointer is NULL or valid for its length, by the contract.
            Ok(built(Arc::new(unsafe { utf8_keys(ptrs, lengths) }?)))
        }
        MURR_KEYS_INT64 => {
            // SAFETY: `data` is NULL or `count` int64 values, by the contract.
            let values = unsafe { slice_arg(keys.data.cast::<i64>(), keys.count, names.data) }?;
            Ok(built(Arc::new(Int64Array::from(values.to_vec()))))
        }
        MURR_KEYS_UINT64 => {
            // SAFETY: `data` is NULL or `count` uint64 values, by the contract.
            let values = unsafe { slice_arg(keys.data.cast::<u64>(), keys.count, names.data) }?;
            Ok(built(Arc::new(UInt64Array::from(values.to_vec()))))
        }
        MURR_KEYS_ARROW => {
            // SAFETY: `array` and `schema` are NULL or valid C Data structs, by the contract.
            let array =
                unsafe { import_borrowed(keys.array, keys.schema, names.array, names.schema) }?;
            Ok(Keys {
                array,
                borrowed: true,
            })
        }
        kind => Err(Failure::invalid(format!(
            "keys->kind is {kind}; expected MURR_KEYS_CSTR (0), MURR_KEYS_UTF8 (1), \
             MURR_KEYS_INT64 (2), MURR_KEYS_UINT64 (3) or MURR_KEYS_ARROW (4)"
        ))),
    }
}

/// A key type as the C API speaks of it ("utf8", "int64", "uint64"; Arrow's name for
/// others).
fn type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Utf8 => "utf8".to_owned(),
        DataType::LargeUtf8 => "large utf8".to_owned(),
        DataType::Utf8View => "utf8 view".to_owned(),
        DataType::Int64 => "int64".to_owned(),
        DataType::UInt64 => "uint64".to_owned(),
        other => format!("Arrow {other}"),
    }
}

/// The failure a core error of a keyed call on `table` becomes: keys of the wrong type are
/// said in the C API's words first ("uint64 keys given for a utf8 key column"), the core's
/// message after; any other error as usual.
pub(crate) fn keys_failure(table: &str, error: murr_core::Error) -> Failure {
    if let murr_core::Error::KeyTypeMismatch {
        column,
        expected,
        found,
    } = &error
    {
        let expected = type_name(expected);
        let article = if expected.starts_with("int") || expected.starts_with("Arrow") {
            "an"
        } else {
            "a"
        };
        return Failure::new(
            MURR_SCHEMA_MISMATCH,
            format!(
                "{} keys given for {article} {expected} key column ('{column}' of table \
                 '{table}'): {error}",
                type_name(found),
            ),
        );
    }
    Failure::from(error)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use arrow_array::Array;

    use super::*;

    #[test]
    fn unknown_kinds_and_null_data_are_refused() {
        let d = murr_keys::plain(9, std::ptr::null(), 0);
        // SAFETY: no pointer is read.
        let e = unsafe { resolve(&d, &FIELDS) }.err().unwrap();
        assert!(e.message.contains("keys->kind is 9"), "{}", e.message);
        for kind in [
            MURR_KEYS_CSTR,
            MURR_KEYS_UTF8,
            MURR_KEYS_INT64,
            MURR_KEYS_UINT64,
        ] {
            let d = murr_keys::plain(kind, std::ptr::null(), 1);
            // SAFETY: NULL data is refused before any read.
            let e = unsafe { resolve(&d, &FIELDS) }.err().unwrap();
            assert_eq!(e.message, "keys->data is NULL");
            let d = murr_keys::plain(kind, std::ptr::null(), 0);
            // SAFETY: nothing is read for no keys.
            assert_eq!(unsafe { resolve(&d, &FIELDS) }.unwrap().array.len(), 0);
        }
    }

    #[test]
    fn mismatches_speak_the_c_api() {
        let e = murr_core::Error::KeyTypeMismatch {
            column: "id".into(),
            expected: DataType::Utf8,
            found: DataType::UInt64,
        };
        let f = keys_failure("t", e);
        assert_eq!(f.status, MURR_SCHEMA_MISMATCH);
        assert!(
            f.message
                .starts_with("uint64 keys given for a utf8 key column ('id' of table 't')"),
            "{}",
            f.message
        );
    }
}
