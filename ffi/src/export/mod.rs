//! The export of read results into the caller's Arrow C Data Interface structs in a
//! constant number of allocations.
//!
//! arrow-rs's `to_ffi` allocates per array and per field (private data, buffer and child
//! pointer lists, a format and a name string each): ~1 us per column of a read result,
//! measured, most of the C ABI's cost over the Rust API. Here the whole tree of one result
//! shares two heap blocks: one for the arrays (the column data kept alive, every
//! `struct ArrowArray` below the root, all buffer and child pointer lists), one for the
//! schemas (every `struct ArrowSchema` below the root, one text block of NUL-terminated
//! formats and names). Each struct, root or child, holds one count of its block's
//! reference count, so a consumer may move children out and release them on their own, in
//! any order and from any thread, as the C Data Interface allows; the block is freed by
//! the last release.
//!
//! The layouts read results have (the core's column types, offsets and null bitmaps
//! aligned, no field metadata) take this path; anything else goes through `to_ffi`.

mod block;
mod plan;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, to_ffi};
use arrow_array::{Array, RecordBatch, StructArray};

use crate::error::Result;
use block::{export_arrays, export_schemas};
use plan::Plan;

/// Both pointers are valid and writable; what they hold is overwritten, not released.
/// Exports `batch` as a struct array (one child per column) into the caller's structs,
/// which the caller releases.
///
/// # Safety
pub(crate) unsafe fn export_batch(
    batch: RecordBatch,
    array: *mut FFI_ArrowArray,
    schema: *mut FFI_ArrowSchema,
) -> Result<()> {
    let columns = batch.columns().to_vec();
    match Plan::of_batch(batch.schema_ref(), &columns, batch.num_rows()) {
        Some(mut plan) => {
            let text = std::mem::take(&mut plan.text);
            // SAFETY: writable, by the caller's contract; the plan's buffers are `data`'s.
            unsafe {
                export_arrays(&mut plan, columns, array.cast());
                export_schemas(&plan, text, schema.cast());
            }
        }
        None => {
            drop(columns);
            let data = StructArray::from(batch).into_data();
            let (ffi_array, ffi_schema) = to_ffi(&data)?;
            // SAFETY: writable, by the caller's contract.
            unsafe {
                array.write(ffi_array);
                schema.write(ffi_schema);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    use arrow_array::ArrowPrimitiveType;
    use arrow_array::ffi::from_ffi;
    use arrow_array::types::{Float16Type, Float32Type};
    use arrow_array::{
        ArrayRef, BinaryArray, BooleanArray, Date32Array, FixedSizeListArray, Float16Array,
        Float32Array, Int8Array, Int64Array, StringArray, TimestampMicrosecondArray, UInt64Array,
    };
    use arrow_schema::{DataType, Field, Schema, SchemaRef};

    use super::block::{RawArray, RawSchema, release_array, release_schema};
    use super::*;

    /// A batch of every column type the core stores, with nulls.
    fn all_types() -> RecordBatch {
        let emb = FixedSizeListArray::from_iter_primitive::<Float32Type, _, _>(
            vec![
                Some(vec![Some(1.0), Some(2.0)]),
                None,
                Some(vec![Some(3.0), Some(4.0)]),
            ],
            2,
        );
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("key", Arc::new(StringArray::from(vec!["a", "bb", "ccc"]))),
            (
                "b",
                Arc::new(BooleanArray::from(vec![Some(true), None, Some(false)])),
            ),
            (
                "i8",
                Arc::new(Int8Array::from(vec![Some(-1), Some(2), None])),
            ),
            (
                "i64",
                Arc::new(Int64Array::from(vec![i64::MIN, 0, i64::MAX])),
            ),
            (
                "u64",
                Arc::new(UInt64Array::from(vec![None, Some(u64::MAX), Some(0)])),
            ),
            (
                "f16",
                Arc::new(Float16Array::from(vec![
                    Some(<Float16Type as ArrowPrimitiveType>::Native::from_f32(1.5)),
                    None,
                    Some(<Float16Type as ArrowPrimitiveType>::Native::from_f32(-2.0)),
                ])),
            ),
            (
                "f32",
                Arc::new(Float32Array::from(vec![Some(0.5), None, Some(2.5)])),
            ),
            (
                "bin",
                Arc::new(BinaryArray::from(vec![
                    Some(&b"\x00\x01"[..]),
                    None,
                    Some(b""),
                ])),
            ),
            (
                "d",
                Arc::new(Date32Array::from(vec![Some(1), None, Some(-1)])),
            ),
            (
                "ts",
                Arc::new(
                    TimestampMicrosecondArray::from(vec![Some(1), Some(2), None])
                        .with_timezone("Europe/Paris"),
                ),
            ),
            ("emb", Arc::new(emb)),
        ];
        RecordBatch::try_from_iter_with_nullable(
            columns
                .into_iter()
                .map(|(n, a)| (n, a, n != "key" && n != "i64")),
        )
        .unwrap()
    }

    /// Exports `batch`; returns the raw structs.
    fn export(batch: RecordBatch) -> (FFI_ArrowArray, FFI_ArrowSchema) {
        let mut array = FFI_ArrowArray::empty();
        let mut schema = FFI_ArrowSchema::empty();
        // SAFETY: valid, writable structs.
        unsafe { export_batch(batch, &mut array, &mut schema) }.unwrap();
        (array, schema)
    }

    /// Whether this module (not `to_ffi`) exported the structs.
    fn fast(array: &FFI_ArrowArray, schema: &FFI_ArrowSchema) -> bool {
        let raw = std::ptr::from_ref(array).cast::<RawArray>();
        let raw_schema = std::ptr::from_ref(schema).cast::<RawSchema>();
        // SAFETY: same layout.
        unsafe {
            (*raw).release.is_some_and(|f| {
                std::ptr::fn_addr_eq(f, release_array as unsafe extern "C" fn(*mut RawArray))
            }) && (*raw_schema).release.is_some_and(|f| {
                std::ptr::fn_addr_eq(f, release_schema as unsafe extern "C" fn(*mut RawSchema))
            })
        }
    }

    /// Imports the structs with arrow-rs and compares with `expected`.
    fn round_trip(expected: &RecordBatch, array: FFI_ArrowArray, schema: FFI_ArrowSchema) {
        // SAFETY: a valid export.
        let data = unsafe { from_ffi(array, &schema) }.unwrap();
        data.validate_full().unwrap();
        let imported = RecordBatch::from(StructArray::from(data));
        assert_eq!(imported.schema().fields(), expected.schema().fields());
        assert_eq!(imported.columns(), expected.columns());
        assert_eq!(imported.num_rows(), expected.num_rows());
    }

    #[test]
    fn every_core_type_round_trips_on_the_fast_path() {
        let batch = all_types();
        let (array, schema) = export(batch.clone());
        assert!(fast(&array, &schema));
        round_trip(&batch, array, schema);
    }

    #[test]
    fn formats_names_and_flags_are_the_c_data_interface_ones() {
        let (array, schema) = export(all_types());
        let reference =
            FFI_ArrowSchema::try_from(StructArray::from(all_types()).data_type()).unwrap();
        assert_eq!(schema.format(), "+s");
        let n_children = |s: &FFI_ArrowSchema| {
            // SAFETY: same layout.
            unsafe { (*std::ptr::from_ref(s).cast::<RawSchema>()).n_children }
        };
        assert_eq!(n_children(&schema), n_children(&reference));
        for i in 0..n_children(&schema) as usize {
            let (ours, theirs) = (schema.child(i), reference.child(i));
            assert_eq!(ours.format(), theirs.format(), "column {i}");
            assert_eq!(ours.name(), theirs.name());
            assert_eq!(
                ours.flags().map(|f| f.bits()),
                theirs.flags().map(|f| f.bits())
            );
            assert_eq!(n_children(ours), n_children(theirs));
            if n_children(ours) == 1 {
                assert_eq!(ours.child(0).format(), theirs.child(0).format());
                assert_eq!(ours.child(0).name(), theirs.child(0).name());
            }
        }
        assert_eq!(array.len(), 3);
        assert_eq!(array.null_count(), 0);
    }

    #[test]
    fn sliced_columns_round_trip() {
        // (arrow-rs slices a primitive array's values but not its validity bits: such a
        // column goes through arrow-rs, which realigns them.)
        let batch = all_types().slice(1, 2);
        let (array, schema) = export(batch.clone());
        round_trip(&batch, array, schema);
    }

    #[test]
    fn field_metadata_goes_through_arrow_rs() {
        let field = Field::new("m", DataType::Int64, true)
            .with_metadata(HashMap::from([("k".to_owned(), "v".to_owned())]));
        let schema: SchemaRef = Arc::new(Schema::new(vec![field]));
        let batch = RecordBatch::try_new(
            schema,
            vec![Arc::new(Int64Array::from(vec![Some(1), None]))],
        )
        .unwrap();
        let (array, ffi_schema) = export(batch.clone());
        assert!(!fast(&array, &ffi_schema));
        round_trip(&batch, array, ffi_schema);
    }

    #[test]
    fn data_lives_until_the_last_struct_is_released() {
        /// Memory that says when it is freed.
        struct Owned(Vec<f32>, Arc<std::sync::atomic::AtomicBool>);
        impl Drop for Owned {
            fn drop(&mut self) {
                self.1.store(true, Ordering::SeqCst);
            }
        }
        let freed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let owned = Owned(vec![1.0f32, 2.0, 3.0], Arc::clone(&freed));
        let ptr = std::ptr::NonNull::new(owned.0.as_ptr().cast_mut().cast::<u8>()).unwrap();
        // SAFETY: 12 bytes at `ptr`, owned by `owned` (moved into the buffer, never changed).
        let buffer =
            unsafe { arrow_buffer::Buffer::from_custom_allocation(ptr, 12, Arc::new(owned)) };
        let values = Float32Array::new(arrow_buffer::ScalarBuffer::new(buffer, 0, 3), None);
        let batch = RecordBatch::try_from_iter([("f", Arc::new(values) as ArrayRef)]).unwrap();
        let (mut array, mut schema) = export(batch);
        assert!(!freed.load(Ordering::SeqCst), "the export holds the data");
        // Move child 0 out, as the C Data Interface allows, then release the parent.
        let raw = std::ptr::from_mut(&mut array).cast::<RawArray>();
        // SAFETY: an export of this module: one child; moving it marks the original
        // released.
        let mut moved = unsafe {
            let slot = *(*raw).children;
            let moved = std::ptr::read(slot);
            (*slot).release = None;
            moved
        };
        drop(schema_release(&mut schema));
        drop(array);
        assert!(
            !freed.load(Ordering::SeqCst),
            "the moved child still holds the data"
        );
        // SAFETY: the moved child is an array of this export: buffer 1 holds 3 floats.
        let second = unsafe { *(*moved.buffers.add(1)).cast::<f32>().add(1) };
        assert_eq!(second, 2.0);
        let release = moved.release.unwrap();
        // Released on another thread, as the interface allows.
        let moved_at = std::ptr::from_mut(&mut moved) as usize;
        std::thread::spawn(move || {
            // SAFETY: the moved struct outlives the thread (joined below).
            unsafe { release(moved_at as *mut RawArray) }
        })
        .join()
        .unwrap();
        assert!(moved.release.is_none());
        assert!(
            freed.load(Ordering::SeqCst),
            "the last release frees the data"
        );
    }

    /// Releases `schema` now (a schema may go before its array).
    fn schema_release(schema: &mut FFI_ArrowSchema) -> FFI_ArrowSchema {
        std::mem::replace(schema, FFI_ArrowSchema::empty())
    }
}
