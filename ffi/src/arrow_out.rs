//! Exporting into the caller's Arrow C Data Interface structs.

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema};

use crate::args::out_arg;
use crate::error::Result;

/// Checks the caller's output structs (arguments `array_name`, `schema_name`) and marks
/// them released (empty) on entry, without reading what they held.
///
/// # Safety
/// Each pointer is NULL or points to writable memory for its struct.
pub(crate) unsafe fn clear_out(
    array: *mut FFI_ArrowArray,
    array_name: &str,
    schema: *mut FFI_ArrowSchema,
    schema_name: &str,
) -> Result<()> {
    out_arg(array, array_name)?;
    out_arg(schema, schema_name)?;
    // SAFETY: writable, by the caller's contract; the old contents are not dropped.
    unsafe {
        array.write(FFI_ArrowArray::empty());
        schema.write(FFI_ArrowSchema::empty());
    }
    Ok(())
}
