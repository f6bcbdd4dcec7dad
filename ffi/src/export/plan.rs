//! The plan of an export: the result's arrays and fields flattened depth first, with their
//! buffers, child indices, formats and names, before anything is laid out for the caller.

use std::ffi::c_void;
use std::io::Write as _;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef};
use arrow_data::ArrayData;
use arrow_schema::{DataType, FieldRef, Schema, TimeUnit};

/// `ARROW_FLAG_NULLABLE`.
const FLAG_NULLABLE: i64 = 2;

/// One array of the tree and its field, flattened: counts, and where its pointer lists
/// and strings start.
pub(super) struct Node {
    pub(super) length: i64,
    pub(super) null_count: i64,
    pub(super) offset: i64,
    pub(super) n_buffers: usize,
    pub(super) n_children: usize,
    pub(super) first_buffer: usize,
    pub(super) first_child: usize,
    pub(super) format: usize,
    pub(super) name: usize,
    pub(super) flags: i64,
}

/// The arrays and fields of one result, flattened depth first (root first): node `k`'s
/// buffers are `buffers[first_buffer..][..n_buffers]`, its children the nodes
/// `children[first_child..][..n_children]`.
#[derive(Default)]
pub(super) struct Plan {
    pub(super) nodes: Vec<Node>,
    pub(super) buffers: Vec<*const c_void>,
    pub(super) children: Vec<usize>,
    pub(super) text: Vec<u8>,
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
    pub(super) fn of_batch(schema: &Schema, columns: &[ArrayRef], rows: usize) -> Option<Plan> {
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
