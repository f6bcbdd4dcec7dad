//! Gathering cells scattered over many source arrays into one Arrow array.

use std::collections::HashMap;

use arrow_array::{Array, ArrayRef, new_null_array};
use arrow_schema::DataType;
use arrow_select::interleave::interleave;

use crate::{Error, Result};

/// One array of `data_type` with a row per cell: the value at `(array, row)` for `Some`,
/// null for `None`. Sources may be any number of arrays (the columns of many written
/// batches, or of segment reads), each of `data_type`; values are copied once, by
/// `arrow_select::interleave`.
///
/// Errors if a source has another type or a row is past its end.
pub fn assemble<'a, I>(data_type: &DataType, cells: I) -> Result<ArrayRef>
where
    I: IntoIterator<Item = Option<(&'a dyn Array, usize)>>,
{
    let mut sources: Vec<&dyn Array> = Vec::new();
    let mut ids: HashMap<*const (), usize> = HashMap::new();
    let mut indices: Vec<Option<(usize, usize)>> = Vec::new();
    for cell in cells {
        let Some((array, row)) = cell else {
            indices.push(None);
            continue;
        };
        if array.data_type() != data_type {
            return Err(Error::SchemaMismatch(format!(
                "a cell of type {} assembled into a column of type {data_type}",
                array.data_type()
            )));
        }
        if row >= array.len() {
            return Err(Error::LimitExceeded(format!(
                "row {row} of an array of {} rows",
                array.len()
            )));
        }
        let ptr = (array as *const dyn Array).cast::<()>();
        let id = *ids.entry(ptr).or_insert_with(|| {
            sources.push(array);
            sources.len() - 1
        });
        indices.push(Some((id, row)));
    }
    if sources.is_empty() {
        return Ok(new_null_array(data_type, indices.len()));
    }
    let null = new_null_array(data_type, 1);
    let null_id = sources.len();
    if indices.iter().any(Option::is_none) {
        sources.push(null.as_ref());
    }
    let indices: Vec<(usize, usize)> = indices
        .into_iter()
        .map(|i| i.unwrap_or((null_id, 0)))
        .collect();
    Ok(interleave(&sources, &indices)?)
}
