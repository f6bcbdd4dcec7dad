//! Partial rows on the writing side: which cells of the pushed rows the segment holds, and
//! which rows are tombstones, carried through the writer's sort as bit masks.
//!
//! A cell is *held* when its row is not a tombstone and writes its column. Cells that are
//! not held are stored as null with zero bytes, and the presence bitmap says they are not
//! held; tombstone rows hold no cell.

use arrow_array::{Array, ArrayRef, RecordBatch, make_array};
use arrow_buffer::{BooleanBuffer, BooleanBufferBuilder, NullBuffer};
use arrow_schema::SchemaRef;

use crate::{Error, Result};

/// Per schema column, the rows of a batch that hold it: `None` = every row (and always
/// `None` for the key column).
pub(crate) type Held = Vec<Option<BooleanBuffer>>;

/// The rows of a batch (or of the whole sorted segment) with the cells they hold.
#[derive(Debug, Clone)]
pub(crate) struct Rows {
    /// The rows; cells that are not held are null.
    pub(crate) batch: RecordBatch,
    /// Which cells are held, per schema column.
    pub(crate) held: Held,
    /// Which rows are tombstones; `None` = none.
    pub(crate) tombstones: Option<BooleanBuffer>,
}

impl Rows {
    /// Whether row `row` is a tombstone.
    pub(crate) fn is_tombstone(&self, row: usize) -> bool {
        self.tombstones
            .as_ref()
            .is_some_and(|t| row < t.len() && t.value(row))
    }

    /// Whether column `column` needs a presence bitmap: some row that is not a tombstone
    /// does not hold it.
    pub(crate) fn needs_presence(&self, column: usize) -> bool {
        let Some(Some(held)) = self.held.get(column) else {
            return false;
        };
        (0..held.len()).any(|r| !held.value(r) && !self.is_tombstone(r))
    }
}

/// The held masks of a batch of `rows` rows pushed with `present` (one entry per non-key
/// column, in schema order) and `tombstones`; checks their lengths. A mask that holds every
/// row becomes `None`.
pub(crate) fn held_masks(
    schema: &SchemaRef,
    key: usize,
    rows: usize,
    present: &[Option<BooleanBuffer>],
    tombstones: Option<&BooleanBuffer>,
) -> Result<Held> {
    let columns = schema.fields().len();
    if present.len() + 1 != columns {
        return Err(Error::SchemaMismatch(format!(
            "{} presence masks given for {} non-key columns",
            present.len(),
            columns.saturating_sub(1)
        )));
    }
    let wrong_len = |what: String, len: usize| {
        Error::SchemaMismatch(format!("{what} has {len} bits for a batch of {rows} rows"))
    };
    if let Some(t) = tombstones
        && t.len() != rows
    {
        return Err(wrong_len("the tombstone mask".into(), t.len()));
    }
    let live = tombstones.filter(|t| t.has_true()).map(|t| !t);
    let mut present = present.iter();
    let mut held = Vec::with_capacity(columns);
    for (c, field) in schema.fields().iter().enumerate() {
        if c == key {
            held.push(None);
            continue;
        }
        let p = present.next().and_then(Option::as_ref);
        if let Some(p) = p
            && p.len() != rows
        {
            return Err(wrong_len(
                format!("the presence mask of column '{}'", field.name()),
                p.len(),
            ));
        }
        let mask = match (p, &live) {
            (Some(p), Some(l)) => Some(p & l),
            (Some(p), None) => Some(p.clone()),
            (None, Some(l)) => Some(l.clone()),
            (None, None) => None,
        };
        held.push(mask.filter(BooleanBuffer::has_false));
    }
    Ok(held)
}

/// `array` with the cells that are not `held` made null (values untouched).
pub(crate) fn mask_nulls(array: &ArrayRef, held: &BooleanBuffer) -> Result<ArrayRef> {
    let nulls = NullBuffer::union(array.nulls(), Some(&NullBuffer::new(held.clone())));
    let data = array.to_data().into_builder().nulls(nulls).build()?;
    Ok(make_array(data))
}

/// The masks of consecutive parts as one, a part without a mask giving `default` bits;
/// `None` if no part has a mask.
pub(crate) fn concat<'a>(
    parts: impl Iterator<Item = (Option<&'a BooleanBuffer>, usize)> + Clone,
    default: bool,
) -> Option<BooleanBuffer> {
    if parts.clone().all(|(m, _)| m.is_none()) {
        return None;
    }
    let total = parts.clone().map(|(_, n)| n).sum();
    let mut out = BooleanBufferBuilder::new(total);
    for (mask, n) in parts {
        match mask {
            Some(m) => out.append_buffer(m),
            None => out.append_n(n, default),
        }
    }
    Some(out.finish())
}

/// The bits of `mask` at `rows`.
pub(crate) fn take(mask: &BooleanBuffer, rows: &[u32]) -> BooleanBuffer {
    BooleanBuffer::collect_bool(rows.len(), |i| {
        rows.get(i)
            .is_some_and(|&r| (r as usize) < mask.len() && mask.value(r as usize))
    })
}

/// `mask` as a bitmap section: bit `r` is bit `r % 8` of byte `r / 8`; bits past the end
/// are zero.
pub(crate) fn bitmap(mask: &BooleanBuffer) -> Vec<u8> {
    let mut bits = vec![0u8; mask.len().div_ceil(8)];
    for r in mask.set_indices() {
        if let Some(b) = bits.get_mut(r / 8) {
            *b |= 1 << (r % 8);
        }
    }
    bits
}
