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

use std::ffi::{c_char, c_void};
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow_array::cast::AsArray;
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, to_ffi};
use arrow_array::types::{
    Date32Type, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_data::ArrayData;
use arrow_schema::{DataType, FieldRef, Schema, TimeUnit};

use crate::error::Result;

/// `struct ArrowArray` with its fields visible (arrow-rs keeps them private); the same
/// `#[repr(C)]` layout, which the C Data Interface fixes.
#[repr(C)]
struct RawArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut RawArray,
    dictionary: *mut RawArray,
    release: Option<unsafe extern "C" fn(*mut RawArray)>,
    private_data: *mut c_void,
}

/// `struct ArrowSchema` with its fields visible, as [`RawArray`].
#[repr(C)]
struct RawSchema {
    format: *const c_char,
    name: *const c_char,
    metadata: *const c_char,
    flags: i64,
    n_children: i64,
    children: *mut *mut RawSchema,
    dictionary: *mut RawSchema,
    release: Option<unsafe extern "C" fn(*mut RawSchema)>,
    private_data: *mut c_void,
}

const _: () = assert!(size_of::<RawArray>() == size_of::<FFI_ArrowArray>());
const _: () = assert!(align_of::<RawArray>() == align_of::<FFI_ArrowArray>());
const _: () = assert!(size_of::<RawSchema>() == size_of::<FFI_ArrowSchema>());
const _: () = assert!(align_of::<RawSchema>() == align_of::<FFI_ArrowSchema>());

/// `ARROW_FLAG_NULLABLE`.
const FLAG_NULLABLE: i64 = 2;

/// One array of the tree and its field, flattened: counts, and where its pointer lists
/// and strings start.
struct Node {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: usize,
    n_children: usize,
    first_buffer: usize,
    first_child: usize,
    format: usize,
    name: usize,
    flags: i64,
}

/// The arrays and fields of one result, flattened depth first (root first): node `k`'s
/// buffers are `buffers[first_buffer..][..n_buffers]`, its children the nodes
/// `children[first_child..][..n_children]`.
#[derive(Default)]
struct Plan {
    nodes: Vec<Node>,
    buffers: Vec<*const c_void>,
    children: Vec<usize>,
    text: Vec<u8>,
}

impl Plan {
    /// Appends `s` and a NUL to the text; returns where it starts. `None` if `s` holds a
    /// NUL (arrow-rs's path reports that).
    fn text(&mut self, s: &str) -> Option<usize> {
        if s.as_bytes().contains(&0) {
            return None;
        }
        let at = self.text.len();
        self.text.extend_from_slice(s.as_bytes());
        self.text.push(0);
        Some(at)
    }

    /// Appends a node for a field (`name`, `nullable`) of `data_type` with the given
    /// counts, validity and data buffers; returns its index and where its child slots
    /// start.
    #[allow(clippy::too_many_arguments)]
    fn node(
        &mut self,
        data_type: &DataType,
        name: &str,
        nullable: bool,
        length: usize,
        null_count: usize,
        offset: usize,
        buffers: impl Iterator<Item = *const c_void>,
        n_children: usize,
    ) -> Option<(usize, usize)> {
        let format = self.text.len();
        write_format(data_type, &mut self.text)?;
        if self.text[format..].contains(&0) {
            return None;
        }
        self.text.push(0);
        let name = self.text(name)?;
        let first_buffer = self.buffers.len();
        self.buffers.extend(buffers);
        let first_child = self.children.len();
        self.children.resize(first_child + n_children, 0);
        self.nodes.push(Node {
            length: i64::try_from(length).ok()?,
            null_count: i64::try_from(null_count).ok()?,
            offset: i64::try_from(offset).ok()?,
            n_buffers: self.buffers.len() - first_buffer,
            n_children,
            first_buffer,
            first_child,
            format,
            name,
            flags: if nullable { FLAG_NULLABLE } else { 0 },
        });
        Some((self.nodes.len() - 1, first_child))
    }

    /// Appends `data` (of a field named `name`) and its children; `None` for a layout
    /// this path does not take.
    fn add(&mut self, data: &ArrayData, name: &str, nullable: bool) -> Option<usize> {
        // Validity bits and values share the C struct's one offset.
        if data
            .nulls()
            .is_some_and(|n| n.offset() != data.offset() || n.len() != data.len())
        {
            return None;
        }
        let fields: &[FieldRef] = match data.data_type() {
            DataType::Struct(fields) => fields,
            DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
                std::slice::from_ref(f)
            }
            _ => &[],
        };
        if fields.len() != data.child_data().len()
            || fields.iter().any(|f| !f.metadata().is_empty())
        {
            return None;
        }
        let validity = data
            .nulls()
            .map_or(std::ptr::null(), |n| n.buffer().as_ptr().cast());
        let buffers = std::iter::once(validity)
            .chain(data.buffers().iter().map(|b| b.as_ptr().cast::<c_void>()));
        let (index, first_child) = self.node(
            data.data_type(),
            name,
            nullable,
            data.len(),
            data.null_count(),
            data.offset(),
            buffers,
            fields.len(),
        )?;
        for (i, (field, child)) in fields.iter().zip(data.child_data()).enumerate() {
            let at = self.add(child, field.name(), field.is_nullable())?;
            self.children[first_child + i] = at;
        }
        Some(index)
    }

    /// The plan of a struct array of `columns` (with `schema`'s fields) and `rows` rows.
    fn of_batch(schema: &Schema, columns: &[ArrayRef], rows: usize) -> Option<Plan> {
        let fields = schema.fields();
        // Room for flat columns: nested ones grow the vectors.
        let n = fields.len() + 1;
        let mut plan = Plan {
            nodes: Vec::with_capacity(n),
            buffers: Vec::with_capacity(3 * n),
            children: Vec::with_capacity(n),
            text: Vec::with_capacity(fields.iter().map(|f| f.name().len() + 8).sum::<usize>() + 8),
        };
        if fields.iter().any(|f| !f.metadata().is_empty()) {
            return None;
        }
        let root_type = DataType::Struct(fields.clone());
        let buffers = std::iter::once(std::ptr::null());
        let (_, first_child) =
            plan.node(&root_type, "", false, rows, 0, 0, buffers, columns.len())?;
        for (i, (field, column)) in fields.iter().zip(columns).enumerate() {
            if column.data_type() != field.data_type() {
                return None;
            }
            let (name, nullable) = (field.name(), field.is_nullable());
            let at = match primitive_values(column.as_ref()) {
                // A primitive column's buffers, read without `to_data` (an allocation).
                Some(values) if column.nulls().is_none_or(|n| n.offset() == 0) => {
                    let validity = column
                        .nulls()
                        .map_or(std::ptr::null(), |n| n.buffer().as_ptr().cast());
                    let buffers = [validity, values].into_iter();
                    let len = column.len();
                    let nulls = column.null_count();
                    let data_type = column.data_type();
                    plan.node(data_type, name, nullable, len, nulls, 0, buffers, 0)?
                        .0
                }
                _ => plan.add(&column.to_data(), name, nullable)?,
            };
            plan.children[first_child + i] = at;
        }
        Some(plan)
    }
}

/// The values buffer of `array` if it is a primitive array (its values start at its first
/// element: no offset).
fn primitive_values(array: &dyn Array) -> Option<*const c_void> {
    macro_rules! values {
        ($t:ty) => {
            array.as_primitive::<$t>().values().inner().as_ptr().cast()
        };
    }
    Some(match array.data_type() {
        DataType::Int8 => values!(Int8Type),
        DataType::Int16 => values!(Int16Type),
        DataType::Int32 => values!(Int32Type),
        DataType::Int64 => values!(Int64Type),
        DataType::UInt8 => values!(UInt8Type),
        DataType::UInt16 => values!(UInt16Type),
        DataType::UInt32 => values!(UInt32Type),
        DataType::UInt64 => values!(UInt64Type),
        DataType::Float16 => values!(Float16Type),
        DataType::Float32 => values!(Float32Type),
        DataType::Float64 => values!(Float64Type),
        DataType::Date32 => values!(Date32Type),
        _ => return None,
    })
}

/// The C Data Interface format string of `data_type` appended to `out`; `None` for a type
/// this path does not take.
fn write_format(data_type: &DataType, out: &mut Vec<u8>) -> Option<()> {
    let unit = |u: &TimeUnit| match u {
        TimeUnit::Second => 's',
        TimeUnit::Millisecond => 'm',
        TimeUnit::Microsecond => 'u',
        TimeUnit::Nanosecond => 'n',
    };
    let fixed: &str = match data_type {
        DataType::Boolean => "b",
        DataType::Int8 => "c",
        DataType::UInt8 => "C",
        DataType::Int16 => "s",
        DataType::UInt16 => "S",
        DataType::Int32 => "i",
        DataType::UInt32 => "I",
        DataType::Int64 => "l",
        DataType::UInt64 => "L",
        DataType::Float16 => "e",
        DataType::Float32 => "f",
        DataType::Float64 => "g",
        DataType::Binary => "z",
        DataType::LargeBinary => "Z",
        DataType::Utf8 => "u",
        DataType::LargeUtf8 => "U",
        DataType::Date32 => "tdD",
        DataType::Date64 => "tdm",
        DataType::List(_) => "+l",
        DataType::LargeList(_) => "+L",
        DataType::Struct(_) => "+s",
        DataType::Timestamp(u, tz) => {
            return write!(out, "ts{}:{}", unit(u), tz.as_deref().unwrap_or("")).ok();
        }
        DataType::FixedSizeBinary(n) => return write!(out, "w:{n}").ok(),
        DataType::FixedSizeList(_, n) => return write!(out, "+w:{n}").ok(),
        _ => return None,
    };
    out.extend_from_slice(fixed.as_bytes());
    Some(())
}

/// What the arrays of one export share: the data they point into and their structs.
struct ArrayBlock {
    refs: AtomicUsize,
    /// The columns: they own the memory the buffers point into.
    _columns: Vec<ArrayRef>,
    nodes: Vec<RawArray>,
    _children: Vec<*mut RawArray>,
    _buffers: Vec<*const c_void>,
}

/// What the schemas of one export share.
struct SchemaBlock {
    refs: AtomicUsize,
    nodes: Vec<RawSchema>,
    _children: Vec<*mut RawSchema>,
    _text: Vec<u8>,
}

/// Drops one reference to the block at `block`; frees it with the last.
///
/// # Safety
/// `block` came from `Box::into_raw` and the caller holds one of its references.
unsafe fn unref<B: Refs>(block: *mut B) {
    // SAFETY: alive while the caller's reference is counted.
    if unsafe { (*block).refs() }.fetch_sub(1, Ordering::AcqRel) == 1 {
        // SAFETY: that was the last reference: nothing points into the block any more.
        drop(unsafe { Box::from_raw(block) });
    }
}

/// A block with a reference count.
trait Refs {
    /// The count.
    fn refs(&self) -> &AtomicUsize;
}

impl Refs for ArrayBlock {
    fn refs(&self) -> &AtomicUsize {
        &self.refs
    }
}

impl Refs for SchemaBlock {
    fn refs(&self) -> &AtomicUsize {
        &self.refs
    }
}

/// The release callback of every array of an export: releases the children not moved
/// out, marks the array released, drops its reference to the block.
///
/// # Safety
/// Called by the consumer on an array this module exported, as the C Data Interface says.
unsafe extern "C" fn release_array(array: *mut RawArray) {
    if array.is_null() {
        return;
    }
    // SAFETY: the consumer passes an array of this export: its pointers are the block's.
    unsafe {
        if (*array).release.is_none() {
            return;
        }
        for i in 0..usize::try_from((*array).n_children).unwrap_or(0) {
            let child = *(*array).children.add(i);
            if let Some(release) = (*child).release {
                release(child);
            }
        }
        let block = (*array).private_data.cast::<ArrayBlock>();
        (*array).release = None;
        unref(block);
    }
}

/// The release callback of every schema of an export, as [`release_array`].
///
/// # Safety
/// Called by the consumer on a schema this module exported.
unsafe extern "C" fn release_schema(schema: *mut RawSchema) {
    if schema.is_null() {
        return;
    }
    // SAFETY: the consumer passes a schema of this export: its pointers are the block's.
    unsafe {
        if (*schema).release.is_none() {
            return;
        }
        for i in 0..usize::try_from((*schema).n_children).unwrap_or(0) {
            let child = *(*schema).children.add(i);
            if let Some(release) = (*child).release {
                release(child);
            }
        }
        let block = (*schema).private_data.cast::<SchemaBlock>();
        (*schema).release = None;
        unref(block);
    }
}

/// Builds the arrays of `plan` over `columns` (which keep the buffers alive) and writes the
/// root into `out`.
///
/// # Safety
/// `out` is valid and writable; `plan`'s buffer pointers point into `columns`.
unsafe fn export_arrays(plan: &mut Plan, columns: Vec<ArrayRef>, out: *mut RawArray) {
    let n = plan.nodes.len();
    let mut nodes: Vec<RawArray> = Vec::with_capacity(n);
    let mut children: Vec<*mut RawArray> = vec![std::ptr::null_mut(); plan.children.len()];
    let mut buffers = plan.buffers.clone();
    // The vectors' heap blocks never move or grow after this: the pointers into them stay
    // valid while the block lives.
    let children_at = children.as_mut_ptr();
    let buffers_at = buffers.as_mut_ptr();
    let block = Box::into_raw(Box::new(ArrayBlock {
        refs: AtomicUsize::new(n),
        _columns: columns,
        nodes: Vec::new(),
        _children: children,
        _buffers: buffers,
    }));
    // SAFETY: every offset is within its vector (the plan's indices); `block` is ours
    // until the first release, which cannot come before `out` is written.
    unsafe {
        for node in &plan.nodes {
            nodes.push(RawArray {
                length: node.length,
                null_count: node.null_count,
                offset: node.offset,
                n_buffers: node.n_buffers as i64,
                n_children: node.n_children as i64,
                buffers: buffers_at.add(node.first_buffer),
                children: children_at.add(node.first_child),
                dictionary: std::ptr::null_mut(),
                release: Some(release_array),
                private_data: block.cast(),
            });
        }
        let nodes_at = nodes.as_mut_ptr();
        for (i, &c) in plan.children.iter().enumerate() {
            children_at.add(i).write(nodes_at.add(c));
        }
        // The root lives in the caller's struct; its slot in the block stays unused.
        out.write(std::ptr::read(nodes_at));
        (*block).nodes = nodes;
    }
}

/// Builds the schemas of `plan` (with its text) and writes the root into `out`.
///
/// # Safety
/// `out` is valid and writable.
unsafe fn export_schemas(plan: &Plan, text: Vec<u8>, out: *mut RawSchema) {
    let n = plan.nodes.len();
    let mut nodes: Vec<RawSchema> = Vec::with_capacity(n);
    let mut children: Vec<*mut RawSchema> = vec![std::ptr::null_mut(); plan.children.len()];
    let children_at = children.as_mut_ptr();
    let text_at = text.as_ptr().cast::<c_char>();
    let block = Box::into_raw(Box::new(SchemaBlock {
        refs: AtomicUsize::new(n),
        nodes: Vec::new(),
        _children: children,
        _text: text,
    }));
    // SAFETY: as in `export_arrays`; the text offsets are within the text.
    unsafe {
        for node in &plan.nodes {
            nodes.push(RawSchema {
                format: text_at.add(node.format),
                name: text_at.add(node.name),
                metadata: std::ptr::null(),
                flags: node.flags,
                n_children: node.n_children as i64,
                children: children_at.add(node.first_child),
                dictionary: std::ptr::null_mut(),
                release: Some(release_schema),
                private_data: block.cast(),
            });
        }
        let nodes_at = nodes.as_mut_ptr();
        for (i, &c) in plan.children.iter().enumerate() {
            children_at.add(i).write(nodes_at.add(c));
        }
        out.write(std::ptr::read(nodes_at));
        (*block).nodes = nodes;
    }
}

/// Exports `batch` as a struct array (one child per column) into the caller's structs,
/// which the caller releases.
///
/// # Safety
/// Both pointers are valid and writable; what they hold is overwritten, not released.
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

    use arrow_array::ArrowPrimitiveType;
    use arrow_array::ffi::from_ffi;
    use arrow_array::types::{Float16Type, Float32Type};
    use arrow_array::{
        ArrayRef, BinaryArray, BooleanArray, Date32Array, FixedSizeListArray, Float16Array,
        Float32Array, Int8Array, Int64Array, StringArray, TimestampMicrosecondArray, UInt64Array,
    };
    use arrow_schema::{Field, SchemaRef};

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
