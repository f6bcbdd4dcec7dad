//! Importing the caller's Arrow C Data Interface structs: moved arrays, borrowed arrays,
//! borrowed schemas and fields, record batches.

use std::sync::Arc;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions, StructArray, make_array};
use arrow_data::ArrayData;
use arrow_data::transform::MutableArrayData;
use arrow_schema::{DataType, Schema, SchemaRef};

use crate::args::ref_arg;
use crate::error::{Failure, Result};
use crate::schema_check::check_schema;

/// Takes the caller's stream at `ptr` (argument "stream"): moved out first, so that it is
/// released on drop whatever fails next; NULL or an already released stream is refused.
///
/// # Safety
/// `ptr` is NULL or points to a valid `struct ArrowArrayStream`.
pub(crate) unsafe fn take_stream(ptr: *mut FFI_ArrowArrayStream) -> Result<FFI_ArrowArrayStream> {
    if ptr.is_null() {
        return Err(Failure::null("stream"));
    }
    // SAFETY: not NULL and valid, by the caller's contract.
    let stream = unsafe { FFI_ArrowArrayStream::from_raw(ptr) };
    if stream.release().is_none() {
        return Err(Failure::invalid("stream is released (its release is NULL)"));
    }
    Ok(stream)
}

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
    check_schema(schema, name)?;
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
    if !ascii_utf8_is_valid(&data)? {
        data.validate_full()?;
    }
    Ok(data)
}

/// Whether `data` is a utf8 array found valid by a check shorter than `validate_full`'s
/// (read keys: 2.1 -> ~0.4 us for 1000): buffers and null count as arrow checks them, then
/// offsets ascending over ASCII-only values (every offset then is a character boundary).
/// `false` (anything else, or anything this check does not settle) leaves the full check
/// to the caller; an error is an invalid array.
fn ascii_utf8_is_valid(data: &ArrayData) -> Result<bool> {
    if *data.data_type() != DataType::Utf8 || !data.child_data().is_empty() {
        return Ok(false);
    }
    data.validate()?;
    data.validate_nulls()?;
    let [offsets, values] = data.buffers() else {
        return Ok(false);
    };
    let Ok(offsets) = bytemuck::try_cast_slice::<u8, i32>(offsets.as_slice()) else {
        return Ok(false);
    };
    // `validate` checked that the offsets buffer holds them and that the first and the last
    // are within the values.
    let Some(offsets) = offsets.get(data.offset()..=data.offset() + data.len()) else {
        return Ok(false);
    };
    // Branch-free folds (vectorised), as the bytes' below.
    let ascending = offsets.windows(2).fold(true, |ok, w| ok & (w[0] <= w[1]));
    if offsets.first().is_none_or(|&o| o < 0) || !ascending {
        return Ok(false);
    }
    let span = offsets[0] as usize..offsets[offsets.len() - 1] as usize;
    Ok(values
        .as_slice()
        .get(span)
        .is_some_and(|v| v.iter().fold(0u8, |acc, &b| acc | b) < 0x80))
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
    let schema = Arc::new(struct_schema(ffi_schema, schema_name)?);
    // SAFETY: forwarded.
    unsafe { batch_from(array, ffi_schema, schema, name) }
}

/// The struct array `array` of the checked struct schema `ffi_schema` (imported as
/// `schema`) as a record batch; `name` names the array in errors.
///
/// # Safety
/// `array` is a valid C Data array.
unsafe fn batch_from(
    array: FFI_ArrowArray,
    ffi_schema: &FFI_ArrowSchema,
    schema: Arc<Schema>,
    name: &str,
) -> Result<RecordBatch> {
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
        schema, columns, &options,
    )?)
}

/// Reads every batch of `stream` and hands each to `each`, with the checks the other
/// imports make (the schema's tree, children counts, buffers): arrow-rs's stream reader
/// imports the producer's structs unchecked, where a malformed one panics. The stream is
/// released when it is dropped, whatever happens.
pub(crate) fn for_each_batch(
    stream: FFI_ArrowArrayStream,
    mut each: impl FnMut(RecordBatch) -> Result<()>,
) -> Result<()> {
    let mut stream = CheckedStream::open(stream)?;
    while let Some(batch) = stream.next_batch()? {
        each(batch)?;
    }
    Ok(())
}

/// A caller's C stream, read batch by batch with the checks of [`for_each_batch`].
pub(crate) struct CheckedStream {
    stream: FFI_ArrowArrayStream,
    ffi_schema: FFI_ArrowSchema,
    schema: SchemaRef,
}

impl CheckedStream {
    /// Takes the stream's schema (a struct schema, checked).
    pub(crate) fn open(mut stream: FFI_ArrowArrayStream) -> Result<Self> {
        let Some(get_schema) = stream.get_schema() else {
            return Err(Failure::invalid(
                "stream has a NULL get_schema or get_next callback",
            ));
        };
        if stream.get_next().is_none() {
            return Err(Failure::invalid(
                "stream has a NULL get_schema or get_next callback",
            ));
        }
        let mut ffi_schema = FFI_ArrowSchema::empty();
        // SAFETY: the stream is valid (not released); `ffi_schema` is an output struct.
        let rc = unsafe { get_schema(&mut stream, &mut ffi_schema) };
        if rc != 0 {
            return Err(stream_failure(&mut stream, rc, "get_schema"));
        }
        if ffi_schema.release().is_none() {
            return Err(Failure::invalid(
                "the stream's get_schema returned a released schema",
            ));
        }
        check_schema(&ffi_schema, "the stream's schema")?;
        let schema = Arc::new(struct_schema(&ffi_schema, "the stream's schema")?);
        Ok(CheckedStream {
            stream,
            ffi_schema,
            schema,
        })
    }

    /// The stream's schema.
    pub(crate) fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    /// The next batch, checked; `None` at the end of the stream.
    pub(crate) fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        let Some(get_next) = self.stream.get_next() else {
            return Err(Failure::invalid("stream has a NULL get_next callback"));
        };
        let mut array = FFI_ArrowArray::empty();
        // SAFETY: the stream is valid (not released); `array` is an output struct.
        let rc = unsafe { get_next(&mut self.stream, &mut array) };
        if rc != 0 {
            return Err(stream_failure(&mut self.stream, rc, "get_next"));
        }
        if array.is_released() {
            return Ok(None);
        }
        // SAFETY: a live array the producer handed over.
        let batch = unsafe {
            batch_from(
                array,
                &self.ffi_schema,
                Arc::clone(&self.schema),
                "a batch of the stream",
            )
        }?;
        Ok(Some(batch))
    }
}

/// `MURR_ARROW` for a stream callback `what` that returned `rc`, with the producer's own
/// message when it gives one.
fn stream_failure(stream: &mut FFI_ArrowArrayStream, rc: i32, what: &str) -> Failure {
    let detail = stream
        .get_last_error()
        // SAFETY: called right after the failed operation, as the C Stream Interface allows.
        .map(|f| unsafe { f(stream) })
        .filter(|p| !p.is_null())
        // SAFETY: a NUL-terminated message valid until the next call on the stream.
        .map(|p| {
            unsafe { std::ffi::CStr::from_ptr(p) }
                .to_string_lossy()
                .into_owned()
        });
    Failure::new(
        crate::status::MURR_ARROW,
        match detail {
            Some(d) => format!("the stream's {what} failed (error {rc}): {d}"),
            None => format!("the stream's {what} failed (error {rc})"),
        },
    )
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use arrow_array::ffi::to_ffi;
    use arrow_array::{Array, StringArray};
    use arrow_buffer::Buffer;

    use super::*;

    /// A utf8 array of `offsets` into `values`, built unchecked and exported.
    fn raw_utf8(offsets: &[i32], values: &[u8]) -> (FFI_ArrowArray, FFI_ArrowSchema) {
        let builder = ArrayData::builder(DataType::Utf8)
            .len(offsets.len() - 1)
            .add_buffer(Buffer::from_slice_ref(offsets))
            .add_buffer(Buffer::from_slice_ref(values));
        // SAFETY: only exported, then imported by the check under test.
        let data = unsafe { builder.build_unchecked() };
        to_ffi(&data).unwrap()
    }

    fn check(offsets: &[i32], values: &[u8]) -> Result<ArrayData> {
        let (array, schema) = raw_utf8(offsets, values);
        // SAFETY: a valid export of (possibly invalid) data.
        unsafe { checked_from_ffi(array, &schema) }
    }

    #[test]
    fn hostile_utf8_arrays_are_refused() {
        // (A last offset past the values cannot be caught: the C Data Interface gives no
        // buffer sizes, the importer takes the last offset for the values' length.)
        let cases: [(&[i32], &[u8]); 5] = [
            (&[0, 1, 3], b"a\xffb"),      // not UTF-8
            (&[0, 3, 1, 4], b"abcd"),     // offsets going back
            (&[0, 1, 2], "é".as_bytes()), // a key ends inside a character
            (&[-1, 2], b"abcd"),          // negative
            (&[3, 1], b"abcd"),           // first after last
        ];
        for (offsets, values) in cases {
            assert!(check(offsets, values).is_err(), "{offsets:?} {values:?}");
        }
    }

    #[test]
    fn valid_utf8_arrays_are_taken() {
        let data = check(&[0, 1, 1, 4], b"abcd").unwrap();
        let a = StringArray::from(data);
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            [Some("a"), Some(""), Some("bcd")]
        );
        let data = check(&[0, 2, 3], "éx".as_bytes()).unwrap();
        assert_eq!(StringArray::from(data).value(0), "é");
        // Sliced, with nulls: the offset and the null count come through.
        let sliced = StringArray::from(vec![Some("p"), None, Some("qq"), Some("r")]).slice(1, 3);
        let (array, schema) = to_ffi(&sliced.to_data()).unwrap();
        // SAFETY: a valid export.
        let data = unsafe { checked_from_ffi(array, &schema) }.unwrap();
        let back = StringArray::from(data);
        assert_eq!(
            back.iter().collect::<Vec<_>>(),
            [None, Some("qq"), Some("r")]
        );
        assert_eq!(back.null_count(), 1);
    }
}
