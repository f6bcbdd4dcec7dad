//! Importing the caller's Arrow C Data Interface structs: moved arrays, borrowed arrays,
//! borrowed schemas and fields, record batches.

use std::sync::Arc;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions, StructArray, make_array};
use arrow_data::ArrayData;
use arrow_data::transform::MutableArrayData;
use arrow_schema::{DataType, Schema};

use crate::args::ref_arg;
use crate::error::{Failure, Result};

/// Moves the array out of `*ptr` (argument `name`), leaving it released (release NULL),
/// whatever happens next. Fails if `ptr` is NULL or the array is released already.
///
/// # Safety
/// `ptr` is NULL or points to a valid `struct ArrowArray`.
pub(crate) unsafe fn take_array(ptr: *mut FFI_ArrowArray, name: &str) -> Result<FFI_ArrowArray> {
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: valid by the caller's contract; the caller's struct is marked released.
    let array = unsafe { std::ptr::replace(ptr, FFI_ArrowArray::empty()) };
    if array.is_released() {
        return Err(Failure::invalid(format!(
            "{name} is released (its release is NULL)"
        )));
    }
    Ok(array)
}

/// The schema at `ptr` (argument `name`), borrowed: not NULL, not released.
///
/// # Safety
/// `ptr` is NULL or points to a valid `struct ArrowSchema` for `'a`.
pub(crate) unsafe fn schema_arg<'a>(
    ptr: *const FFI_ArrowSchema,
    name: &str,
) -> Result<&'a FFI_ArrowSchema> {
    // SAFETY: forwarded.
    let schema = unsafe { ref_arg(ptr, name) }?;
    if schema.release().is_none() {
        return Err(Failure::invalid(format!(
            "{name} is released (its release is NULL)"
        )));
    }
    Ok(schema)
}

/// The struct schema `schema` (argument `name`, format "+s") as an Arrow schema, with its
/// fields' metadata.
pub(crate) fn struct_schema(schema: &FFI_ArrowSchema, name: &str) -> Result<Schema> {
    if schema.format() != "+s" {
        return Err(Failure::invalid(format!(
            "{name} has format '{}'; expected a struct schema (format '+s')",
            schema.format()
        )));
    }
    Ok(Schema::try_from(schema)?)
}

/// Imports the moved `array` (of schema `schema`, argument `name`) as an Arrow array. The
/// array's buffers stay the caller's allocation; libmurr calls its release once done.
///
/// # Safety
/// `array` is a valid C Data array described by `schema`.
pub(crate) unsafe fn import(array: FFI_ArrowArray, schema: &FFI_ArrowSchema) -> Result<ArrayRef> {
    // SAFETY: forwarded.
    let data = unsafe { checked_from_ffi(array, schema) }?;
    Ok(make_array(data))
}

/// `from_ffi`, made safe for data from outside: arrow-rs asserts (panics) where the array's
/// children do not match the schema's, and builds arrays whose buffers it has not checked
/// (making a typed array of them may panic later). Both are refused here as errors:
/// children counts are compared first, level by level, and the imported data is validated
/// whole (buffer counts and sizes, offsets, UTF-8) before anything uses it.
///
/// # Safety
/// `array` is a C Data array whose pointers are valid for the layout it claims.
pub(crate) unsafe fn checked_from_ffi(
    array: FFI_ArrowArray,
    schema: &FFI_ArrowSchema,
) -> Result<ArrayData> {
    same_children(&array, schema, "the array")?;
    // SAFETY: forwarded.
    let data = unsafe { from_ffi(array, schema) }?;
    data.validate_full()?;
    Ok(data)
}

/// Whether `array` has, at every level, as many children as `schema`.
fn same_children(array: &FFI_ArrowArray, schema: &FFI_ArrowSchema, at: &str) -> Result<()> {
    let expected = schema.children().count();
    if array.num_children() != expected {
        return Err(Failure::invalid(format!(
            "{at} has {} children; its schema ({}) has {expected}",
            array.num_children(),
            schema.format()
        )));
    }
    for (i, child) in schema.children().enumerate() {
        same_children(array.child(i), child, &format!("{at}'s child {i}"))?;
    }
    Ok(())
}

/// Imports the moved struct `array` described by the struct schema at `schema_ptr`
/// (arguments `name` and `schema_name`) as a record batch. A struct array with null rows is
/// refused (a record batch has no row validity).
///
/// # Safety
/// `array` is a valid C Data array; `schema_ptr` NULL or a valid `struct ArrowSchema`.
pub(crate) unsafe fn import_batch(
    array: FFI_ArrowArray,
    schema_ptr: *const FFI_ArrowSchema,
    name: &str,
    schema_name: &str,
) -> Result<RecordBatch> {
    // SAFETY: forwarded.
    let ffi_schema = unsafe { schema_arg(schema_ptr, schema_name) }?;
    let schema = struct_schema(ffi_schema, schema_name)?;
    // SAFETY: forwarded.
    let data = unsafe { checked_from_ffi(array, ffi_schema) }?;
    if !matches!(data.data_type(), DataType::Struct(_)) {
        return Err(Failure::invalid(format!("{name} is not a struct array")));
    }
    let rows = data.len();
    let (_, columns, nulls) = StructArray::from(data).into_parts();
    if nulls.is_some_and(|n| n.null_count() > 0) {
        return Err(Failure::invalid(format!(
            "{name} has null rows; a batch's struct array must have none"
        )));
    }
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    Ok(RecordBatch::try_new_with_options(
        Arc::new(schema),
        columns,
        &options,
    )?)
}

/// Imports the borrowed array at `ptr` (of schema `schema_ptr`; arguments `name` and
/// `schema_name`) as an Arrow array over the caller's buffers, without a copy. The result
/// must not outlive the call (copy what must: [`deep_copy`]); the caller's struct is never
/// released from here.
///
/// # Safety
/// `ptr` and `schema_ptr` are NULL or valid C Data structs, the array described by the
/// schema.
pub(crate) unsafe fn import_borrowed(
    ptr: *const FFI_ArrowArray,
    schema_ptr: *const FFI_ArrowSchema,
    name: &str,
    schema_name: &str,
) -> Result<ArrayRef> {
    // SAFETY: forwarded.
    let array = unsafe { ref_arg(ptr, name) }?;
    if array.is_released() {
        return Err(Failure::invalid(format!(
            "{name} is released (its release is NULL)"
        )));
    }
    // SAFETY: forwarded.
    let schema = unsafe { schema_arg(schema_ptr, schema_name) }?;
    // A bitwise copy whose release does nothing: importing it borrows the caller's buffers
    // (the caller keeps ownership and releases the original).
    // SAFETY: a valid struct, read once; the copy's release is replaced below, so the
    // caller's release never runs from here.
    let mut copy = unsafe { std::ptr::read(array) };
    // SAFETY: `forget` releases nothing and reads nothing, matching any private data.
    unsafe { copy.set_release(Some(forget)) };
    // SAFETY: a valid array described by `schema`.
    let borrowed = unsafe { checked_from_ffi(copy, schema) }?;
    Ok(make_array(borrowed))
}

/// The release callback of a borrowed copy: marks it released, frees nothing.
unsafe extern "C" fn forget(array: *mut FFI_ArrowArray) {
    // SAFETY: called by the copy's Drop with a pointer to itself.
    if let Some(array) = unsafe { array.as_mut() } {
        // SAFETY: clearing the release is always sound.
        unsafe { array.set_release(None) };
    }
}

/// `data` with every buffer copied into libmurr's own memory.
pub(crate) fn deep_copy(data: &ArrayData) -> Result<ArrayData> {
    let mut copy = MutableArrayData::new(vec![data], false, data.len());
    copy.try_extend(0, 0, data.len())?;
    Ok(copy.freeze())
}
