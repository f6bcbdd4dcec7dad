//! The laid-out export: the C Data Interface structs of one result in two shared blocks
//! (arrays, schemas), each struct holding a reference to its block, and their release
//! callbacks.

use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow_array::ArrayRef;
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema};

use super::plan::Plan;

/// `struct ArrowArray` with its fields visible (arrow-rs keeps them private); the same
/// `#[repr(C)]` layout, which the C Data Interface fixes.
#[repr(C)]
pub(super) struct RawArray {
    pub(super) length: i64,
    pub(super) null_count: i64,
    pub(super) offset: i64,
    pub(super) n_buffers: i64,
    pub(super) n_children: i64,
    pub(super) buffers: *mut *const c_void,
    pub(super) children: *mut *mut RawArray,
    pub(super) dictionary: *mut RawArray,
    pub(super) release: Option<unsafe extern "C" fn(*mut RawArray)>,
    pub(super) private_data: *mut c_void,
}

/// `struct ArrowSchema` with its fields visible, as [`RawArray`].
#[repr(C)]
pub(super) struct RawSchema {
    pub(super) format: *const c_char,
    pub(super) name: *const c_char,
    pub(super) metadata: *const c_char,
    pub(super) flags: i64,
    pub(super) n_children: i64,
    pub(super) children: *mut *mut RawSchema,
    pub(super) dictionary: *mut RawSchema,
    pub(super) release: Option<unsafe extern "C" fn(*mut RawSchema)>,
    pub(super) private_data: *mut c_void,
}

const _: () = assert!(size_of::<RawArray>() == size_of::<FFI_ArrowArray>());
const _: () = assert!(align_of::<RawArray>() == align_of::<FFI_ArrowArray>());
const _: () = assert!(size_of::<RawSchema>() == size_of::<FFI_ArrowSchema>());
const _: () = assert!(align_of::<RawSchema>() == align_of::<FFI_ArrowSchema>());

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

/// A struct of an export (`struct ArrowArray` or `struct ArrowSchema`): the fields its
/// release reads.
trait Node: Sized {
    /// The block its `private_data` points to.
    type Block: Refs;
    /// Its release callback.
    fn release_slot(&mut self) -> &mut Option<unsafe extern "C" fn(*mut Self)>;
    /// Its children: the pointer list and their count.
    fn children(&self) -> (*mut *mut Self, i64);
    /// Its block.
    fn block(&self) -> *mut Self::Block;
}

impl Node for RawArray {
    type Block = ArrayBlock;
    fn release_slot(&mut self) -> &mut Option<unsafe extern "C" fn(*mut Self)> {
        &mut self.release
    }
    fn children(&self) -> (*mut *mut Self, i64) {
        (self.children, self.n_children)
    }
    fn block(&self) -> *mut ArrayBlock {
        self.private_data.cast()
    }
}

impl Node for RawSchema {
    type Block = SchemaBlock;
    fn release_slot(&mut self) -> &mut Option<unsafe extern "C" fn(*mut Self)> {
        &mut self.release
    }
    fn children(&self) -> (*mut *mut Self, i64) {
        (self.children, self.n_children)
    }
    fn block(&self) -> *mut SchemaBlock {
        self.private_data.cast()
    }
}

/// The body of both release callbacks: releases the children not moved out, marks `node`
/// released, drops its reference to the block.
///
/// # Safety
/// `node` is NULL or a struct of this module's export, as the C Data Interface says.
unsafe fn release<N: Node>(node: *mut N) {
    // SAFETY: the consumer passes a struct of this export: its pointers are the block's.
    unsafe {
        let Some(node) = node.as_mut() else {
            return;
        };
        if node.release_slot().is_none() {
            return;
        }
        let (children, n) = node.children();
        for i in 0..usize::try_from(n).unwrap_or(0) {
            let child = *children.add(i);
            if let Some(release) = *(*child).release_slot() {
                release(child);
            }
        }
        let block = node.block();
        *node.release_slot() = None;
        unref(block);
    }
}

/// The release callback of every array of an export.
///
/// # Safety
/// Called by the consumer on an array this module exported, as the C Data Interface says.
pub(super) unsafe extern "C" fn release_array(array: *mut RawArray) {
    // SAFETY: forwarded.
    unsafe { release(array) }
}

/// The release callback of every schema of an export.
///
/// # Safety
/// Called by the consumer on a schema this module exported.
pub(super) unsafe extern "C" fn release_schema(schema: *mut RawSchema) {
    // SAFETY: forwarded.
    unsafe { release(schema) }
}

/// Builds the arrays of `plan` over `columns` (which keep the buffers alive) and writes the
/// root into `out`.
///
/// # Safety
/// `out` is valid and writable; `plan`'s buffer pointers point into `columns`.
pub(super) unsafe fn export_arrays(plan: &mut Plan, columns: Vec<ArrayRef>, out: *mut RawArray) {
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
pub(super) unsafe fn export_schemas(plan: &Plan, text: Vec<u8>, out: *mut RawSchema) {
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
