//! The merge loop: the smallest key over the cursors, its cells resolved newest first.

use std::cmp::Ordering;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_schema::{Schema, SchemaRef};

use super::cursor::Cursor;
use super::output::Output;
use super::pending::{Pending, Source};
use super::{MergeInput, MergeOptions, MergeOutput};
use crate::keys::order::KeyRef;
use crate::segment::SegmentWriter;
use crate::{Error, Result};

/// Merges `inputs` (newest first) into new segments of `schema`, keyed by column `key`,
/// each finished at the path `next_path` returns when it reaches
/// [`MergeOptions::target_segment_bytes`] or before a key of [`MergeOptions::split_before`].
/// Returns the files written, in key order (their
/// key ranges ascend and are disjoint); none if no row is left.
///
/// The output schema is `schema` with the key column non-nullable and every other column
/// nullable. Every input must be keyed by `key` with `schema`'s key type, and every column
/// an input shares with `schema` must have `schema`'s type. See the [module
/// docs](crate::compact) for what a merged row holds.
///
/// On error, files already written stay; the caller, which knows the paths it handed out,
/// removes them.
pub fn merge(
    inputs: &[MergeInput<'_>],
    schema: SchemaRef,
    key: &str,
    options: &MergeOptions,
    next_path: impl FnMut() -> Result<PathBuf>,
) -> Result<Vec<MergeOutput>> {
    let key_index = schema.index_of(key).map_err(|_| Error::UnknownColumn {
        column: key.to_owned(),
        container: "the merge's schema".to_owned(),
    })?;
    let schema = output_schema(&schema, key_index);
    // Checks the schema as the writer of every output will.
    SegmentWriter::new(schema.clone(), key)?;
    let chunk_rows = u32::try_from(options.chunk_rows.max(1)).unwrap_or(u32::MAX);
    let mut cursors = inputs
        .iter()
        .map(|input| Cursor::new(input, &schema, key_index, chunk_rows))
        .collect::<Result<Vec<_>>>()?;
    let mut pending = Pending::new(schema.clone(), key_index);
    let mut output = Output::new(
        schema.clone(),
        key,
        key_index,
        options.target_segment_bytes,
        next_path,
    );
    let mut splits = options.split_before.iter().peekable();
    let mut same: Vec<usize> = Vec::with_capacity(cursors.len());
    let mut cells: Vec<Option<Source>> = vec![None; schema.fields().len()];
    loop {
        if cursors.iter().any(Cursor::needs_load) {
            pending.flush(&cursors, &mut output)?;
            for cursor in cursors.iter_mut().filter(|c| c.needs_load()) {
                cursor.load()?;
            }
        }
        smallest(&cursors, &mut same);
        let Some(&newest) = same.first() else {
            break;
        };
        let Some((_, key_row)) = cursors.get(newest).and_then(Cursor::current) else {
            break;
        };
        // The output file ends before a split key at or below this key.
        let Some(key) = cursors.get(newest).and_then(Cursor::key) else {
            break;
        };
        let mut split = false;
        while splits.next_if(|s| s.as_ref() <= key).is_some() {
            split = true;
        }
        if split {
            pending.flush(&cursors, &mut output)?;
            output.finish()?;
        }
        let (tombstone, any) = resolve(&cursors, &same, &mut cells);
        if tombstone && !any {
            if !options.drop_tombstones {
                pending.push_tombstone((1 + newest, key_row));
            }
        } else {
            // A tombstone hides older values, and with nothing older there is none.
            let fill = tombstone || options.drop_tombstones;
            pending.push_row((1 + newest, key_row), &cells, fill);
        }
        if pending.rows() >= chunk_rows as usize {
            pending.flush(&cursors, &mut output)?;
        }
        for &i in &same {
            if let Some(cursor) = cursors.get_mut(i) {
                cursor.advance();
            }
        }
    }
    pending.flush(&cursors, &mut output)?;
    output.finish()?;
    Ok(output.into_outputs())
}

/// `schema` with the key column non-nullable and every other column nullable.
fn output_schema(schema: &Schema, key: usize) -> SchemaRef {
    let fields: Vec<_> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| f.as_ref().clone().with_nullable(i != key))
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// Sets `same` to the cursors at the smallest current key, newest first.
fn smallest(cursors: &[Cursor<'_>], same: &mut Vec<usize>) {
    same.clear();
    let mut min: Option<KeyRef<'_>> = None;
    for (i, cursor) in cursors.iter().enumerate() {
        let Some(key) = cursor.key() else {
            continue;
        };
        match min.map(|m| key.cmp(&m)) {
            None | Some(Ordering::Less) => {
                min = Some(key);
                same.clear();
                same.push(i);
            }
            Some(Ordering::Equal) => same.push(i),
            Some(Ordering::Greater) => {}
        }
    }
}

/// Resolves the cells of the key at the cursors `same` (newest first) into `cells`: per
/// schema column, the newest source holding it. Returns whether a tombstone stopped the
/// walk and whether a row newer than it exists (a row that writes no cell still makes
/// the key exist: its cells read null).
fn resolve(cursors: &[Cursor<'_>], same: &[usize], cells: &mut [Option<Source>]) -> (bool, bool) {
    cells.fill(None);
    let mut any = false;
    for &i in same {
        let Some(cursor) = cursors.get(i) else {
            continue;
        };
        let Some((scan, row)) = cursor.current() else {
            continue;
        };
        if scan.is_tombstone(row) {
            return (true, any);
        }
        any = true;
        for (cell, slot) in cells.iter_mut().zip(cursor.slots()) {
            if let Some(slot) = *slot
                && cell.is_none()
                && scan.is_present(slot, row)
            {
                *cell = Some((1 + i, row));
            }
        }
    }
    (false, any)
}
