//! A structural check of a caller's `struct ArrowSchema` tree before arrow-rs imports it.
//!
//! arrow-schema's import asserts (panics) on what a hostile or buggy producer may hand in:
//! a NULL or non-UTF-8 format, a list or map schema without its child, a NULL children
//! array or child. The guard would turn such a panic into `MURR_INTERNAL`; these are the
//! caller's mistakes, so they are refused here as `MURR_INVALID_ARGUMENT`, naming the
//! schema node at fault. The tree is read through a mirror of the C struct (the layout the
//! Arrow C Data Interface fixes), with a bound on depth (a cycle of children pointers ends
//! there) and on children per node.

use std::ffi::{CStr, c_char, c_void};

use arrow_array::ffi::FFI_ArrowSchema;

use crate::error::{Failure, Result};

/// Deeper trees are refused (nested types in tables are a few levels deep).
const MAX_DEPTH: usize = 64;

/// Nodes with more children are refused (a table of this many columns is refused anyway).
const MAX_CHILDREN: i64 = 1 << 20;

/// `struct ArrowSchema` as the C Data Interface lays it out (arrow-rs's `FFI_ArrowSchema`
/// is `#[repr(C)]` with these fields, which it keeps private).
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

/// Checks the tree of `schema` (argument `name`): every node has a UTF-8 format, a
/// children count that is not negative (and, for list, large list, list view, fixed-size
/// list, map and run-end encoded formats, the count the format needs), and non-NULL
/// children; dictionaries are checked alike.
pub(crate) fn check_schema(schema: &FFI_ArrowSchema, name: &str) -> Result<()> {
    let raw = (schema as *const FFI_ArrowSchema).cast::<RawSchema>();
    // SAFETY: `FFI_ArrowSchema` is `#[repr(C)]` with exactly the fields of `RawSchema`, in
    // this order (the C Data Interface's struct), and `schema` is a valid reference.
    let raw = unsafe { &*raw };
    // SAFETY: `schema` is a valid struct by the caller's contract; its pointers are what
    // its producer set, checked node by node below before they are followed.
    unsafe { check_node(raw, name, 0) }
}

/// # Safety
/// `node` is a valid `struct ArrowSchema` whose non-NULL pointers point to valid memory
/// as the C Data Interface describes.
unsafe fn check_node(node: &RawSchema, at: &str, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Failure::invalid(format!(
            "{at}: the schema is nested over {MAX_DEPTH} levels deep (or its children form a \
             cycle)"
        )));
    }
    if node.format.is_null() {
        return Err(Failure::invalid(format!(
            "{at}: the schema's format is NULL"
        )));
    }
    // SAFETY: not NULL; NUL-terminated by the C Data Interface's contract.
    let format = unsafe { CStr::from_ptr(node.format) }
        .to_str()
        .map_err(|_| Failure::invalid(format!("{at}: the schema's format is not UTF-8")))?;
    if !node.name.is_null() {
        // SAFETY: not NULL; NUL-terminated by the contract.
        unsafe { CStr::from_ptr(node.name) }
            .to_str()
            .map_err(|_| Failure::invalid(format!("{at}: the field name is not UTF-8")))?;
    }
    let n = node.n_children;
    if !(0..=MAX_CHILDREN).contains(&n) {
        return Err(Failure::invalid(format!(
            "{at}: n_children is {n} (format '{format}')"
        )));
    }
    if let Some(needed) = children_needed(format)
        && n != needed
    {
        return Err(Failure::invalid(format!(
            "{at}: format '{format}' needs {needed} child schema(s); n_children is {n}"
        )));
    }
    if n > 0 && node.children.is_null() {
        return Err(Failure::invalid(format!(
            "{at}: n_children is {n} but children is NULL"
        )));
    }
    for i in 0..n as usize {
        // SAFETY: `children` points to `n_children` pointers by the contract.
        let child = unsafe { *node.children.add(i) };
        // SAFETY: a non-NULL child is a valid struct by the contract.
        let Some(child) = (unsafe { child.as_ref() }) else {
            return Err(Failure::invalid(format!("{at}: child {i} is NULL")));
        };
        // SAFETY: forwarded.
        unsafe { check_node(child, &format!("{at}.children[{i}]"), depth + 1) }?;
    }
    // SAFETY: a non-NULL dictionary is a valid struct by the contract.
    if let Some(dictionary) = unsafe { node.dictionary.as_ref() } {
        // SAFETY: forwarded.
        unsafe { check_node(dictionary, &format!("{at}.dictionary"), depth + 1) }?;
    }
    Ok(())
}

/// The children a format requires, for the nested formats whose import reads a fixed
/// number of them.
fn children_needed(format: &str) -> Option<i64> {
    match format {
        "+l" | "+L" | "+vl" | "+vL" | "+m" => Some(1),
        "+r" => Some(2),
        f if f.starts_with("+w:") => Some(1),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::ffi::CString;
    use std::sync::Arc;

    use arrow_schema::{DataType, Field, Fields, Schema};

    use super::*;

    fn exported(schema: &Schema) -> FFI_ArrowSchema {
        FFI_ArrowSchema::try_from(schema).unwrap()
    }

    #[test]
    fn valid_nested_schemas_pass() {
        let schema = Schema::new(vec![
            Field::new("k", DataType::Utf8, false),
            Field::new_list("l", Field::new_list_field(DataType::Float32, true), true),
            Field::new(
                "s",
                DataType::Struct(Fields::from(vec![Field::new("x", DataType::Int64, true)])),
                true,
            ),
            Field::new(
                "e",
                DataType::FixedSizeList(
                    Arc::new(Field::new_list_field(DataType::Float32, true)),
                    4,
                ),
                true,
            ),
        ]);
        check_schema(&exported(&schema), "schema").unwrap();
    }

    /// A hand-made node, its strings kept alive by the caller.
    fn node(format: &CString, children: &mut [*mut RawSchema]) -> RawSchema {
        RawSchema {
            format: format.as_ptr(),
            name: std::ptr::null(),
            metadata: std::ptr::null(),
            flags: 0,
            n_children: children.len() as i64,
            children: if children.is_empty() {
                std::ptr::null_mut()
            } else {
                children.as_mut_ptr()
            },
            dictionary: std::ptr::null_mut(),
            release: None,
            private_data: std::ptr::null_mut(),
        }
    }

    fn check_raw(raw: &RawSchema) -> Result<()> {
        // SAFETY: hand-made valid nodes.
        unsafe { check_node(raw, "schema", 0) }
    }

    #[test]
    fn malformed_trees_are_invalid_arguments() {
        let list = CString::new("+l").unwrap();
        let fixed = CString::new("+w:4").unwrap();
        let int = CString::new("i").unwrap();
        // A list without its child (F5: arrow-schema's import asserted).
        let err = check_raw(&node(&list, &mut [])).unwrap_err();
        assert!(err.message.contains("needs 1 child"), "{}", err.message);
        let err = check_raw(&node(&fixed, &mut [])).unwrap_err();
        assert!(err.message.contains("needs 1 child"), "{}", err.message);
        // A NULL child.
        let err = check_raw(&node(&list, &mut [std::ptr::null_mut()])).unwrap_err();
        assert!(err.message.contains("child 0 is NULL"), "{}", err.message);
        // A negative count, a NULL children array, a NULL format.
        let mut bad = node(&int, &mut []);
        bad.n_children = -1;
        assert!(
            check_raw(&bad)
                .unwrap_err()
                .message
                .contains("n_children is -1")
        );
        bad.n_children = 2;
        assert!(
            check_raw(&bad)
                .unwrap_err()
                .message
                .contains("children is NULL")
        );
        let mut no_format = node(&int, &mut []);
        no_format.format = std::ptr::null();
        assert!(
            check_raw(&no_format)
                .unwrap_err()
                .message
                .contains("format is NULL")
        );
        // A cycle ends at the depth bound.
        let mut cycle = node(&list, &mut []);
        let mut me: Box<[*mut RawSchema]> = vec![std::ptr::null_mut()].into_boxed_slice();
        cycle.n_children = 1;
        cycle.children = me.as_mut_ptr();
        me[0] = &raw mut cycle;
        let err = check_raw(&cycle).unwrap_err();
        assert!(err.message.contains("levels deep"), "{}", err.message);
        // A nested fault is named by its path.
        let mut inner = node(&list, &mut []);
        let mut children = [&mut inner as *mut RawSchema];
        let outer = node(&list, &mut children);
        let err = check_raw(&outer).unwrap_err();
        assert!(
            err.message.contains("schema.children[0]"),
            "{}",
            err.message
        );
    }
}
