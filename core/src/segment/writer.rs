//! Writing a segment: rows are collected, sorted by key (the last row of a key wins), and
//! laid out as sections with page checksums, a footer and a trailer.

use std::cmp::Ordering;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions, UInt32Array};
use arrow_buffer::BooleanBuffer;
use arrow_schema::{Schema, SchemaRef};

use super::chunked::ChunkedWriter;
use super::encode::{fixed_values, inline_values_of, validity_bits, variable};
use super::hash::{build_index, slot_count_for};
use super::layout::{
    ColumnDesc, DEFAULT_PAGE_SIZE_LOG2, FORMAT_VERSION, Footer, GroupDesc, HEADER_LEN, MAGIC,
    MAX_ROWS, NONE, PAGE_SIZE_LOG2_RANGE, SectionKind, Storage, TAIL_MAGIC, TRAILER_LEN, Trailer,
};
use super::masks::{self, Held, Rows, held_masks, mask_nulls};
use super::plan::{self, KeyPlan};
use super::sink::Sink;
use crate::keys::order::KeyColumn;
use crate::types::ColumnType;
use crate::{Error, Result};

/// Bytes written to a segment file at a time, at offsets that are multiples of it
/// ([`ChunkedWriter`]): a multiple of 2 MiB, so that a file system with large folios (ext4,
/// xfs on Linux 6.x) caches the file in 2 MiB folios, which a map advised `MADV_HUGEPAGE`
/// maps with one page-table entry each (1 MiB writes left 10M rows in 7 MiB segments 178
/// of 700 MB mapped so).
const WRITE_BUFFER: usize = 8 << 20;

/// What [`SegmentWriter::finish_to_file`] wrote.
#[derive(Debug, Clone)]
pub struct SegmentInfo {
    /// The file.
    pub path: PathBuf,
    /// Rows in it (after keeping the last row of each key).
    pub rows: u64,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Collects record batches and writes them as one immutable segment.
///
/// Rows are sorted by key; when a key appears more than once, its last row wins. Columns
/// keep their declared types; a column with no nulls stores no validity.
pub struct SegmentWriter {
    schema: SchemaRef,
    /// The schema of the rows kept until `finish`: the writer's, with every non-key column
    /// nullable (cells that are not written are kept as nulls).
    stored: SchemaRef,
    key: usize,
    types: Vec<ColumnType>,
    batches: Vec<Rows>,
    rows: u64,
    page_size_log2: u8,
}

impl std::fmt::Debug for SegmentWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SegmentWriter")
            .field("key", &self.schema.fields().get(self.key).map(|f| f.name()))
            .field("columns", &self.types.len())
            .field("rows", &self.rows)
            .field("page_size", &(1u32 << self.page_size_log2))
            .finish_non_exhaustive()
    }
}

impl SegmentWriter {
    /// A writer for batches of `schema`, keyed by the column named `key`.
    pub fn new(schema: SchemaRef, key: &str) -> Result<Self> {
        let key_index = schema.index_of(key).map_err(|_| Error::UnknownColumn {
            column: key.to_owned(),
            container: "the segment's schema".to_owned(),
        })?;
        let mut types = Vec::with_capacity(schema.fields().len());
        let mut seen = std::collections::HashSet::new();
        for (i, field) in schema.fields().iter().enumerate() {
            let t = ColumnType::from_arrow(field.name(), field.data_type())?;
            if i == key_index && !t.is_key_type() {
                return Err(Error::UnsupportedKeyType {
                    column: key.to_owned(),
                    data_type: field.data_type().clone(),
                });
            }
            if field.name().is_empty() || field.name().len() > usize::from(u16::MAX) {
                return Err(Error::SchemaMismatch(format!(
                    "column name of {} bytes; names must have 1 to 65535 bytes",
                    field.name().len()
                )));
            }
            if !seen.insert(field.name().clone()) {
                return Err(Error::SchemaMismatch(format!(
                    "column '{}' appears twice",
                    field.name()
                )));
            }
            types.push(t);
        }
        let stored = Arc::new(Schema::new_with_metadata(
            schema
                .fields()
                .iter()
                .enumerate()
                .map(|(i, f)| f.as_ref().clone().with_nullable(i != key_index))
                .collect::<Vec<_>>(),
            schema.metadata().clone(),
        ));
        Ok(SegmentWriter {
            schema,
            stored,
            key: key_index,
            types,
            batches: Vec::new(),
            rows: 0,
            page_size_log2: DEFAULT_PAGE_SIZE_LOG2,
        })
    }

    /// Sets the checksum page size (a power of two, 512 B to 16 MiB; default 4 KiB). Smaller
    /// pages make the first touch of a page cheaper and remote reads finer.
    pub fn with_page_size(mut self, bytes: u32) -> Result<Self> {
        let log2 = bytes.trailing_zeros() as u8;
        if !bytes.is_power_of_two() || !PAGE_SIZE_LOG2_RANGE.contains(&log2) {
            return Err(Error::LimitExceeded(format!(
                "page size {bytes} must be a power of two from 512 to 16777216"
            )));
        }
        self.page_size_log2 = log2;
        Ok(self)
    }

    /// Rows pushed so far (before removing repeated keys).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Adds a batch of full rows. Its columns must have the writer's names and types, in
    /// order.
    pub fn push(&mut self, batch: &RecordBatch) -> Result<()> {
        let none = vec![None; self.types.len().saturating_sub(1)];
        self.push_partial(batch, &none, None)
    }

    /// Adds a batch of rows some of whose cells are not written here and some of which are
    /// deletions (format version 2: presence and tombstone bitmaps).
    ///
    /// `present` has one entry per non-key column of the writer's schema, in schema order:
    /// `None` = every row of the batch writes that column, else one bit per row of the batch,
    /// `true` = the row writes it (possibly as null). `tombstones`: `None` = no deletions,
    /// else one bit per row, `true` = the row deletes its key. The batch has every column of
    /// the writer's schema; values of cells not written and of tombstone rows are ignored
    /// (they may be anything, even null in a non-nullable column), and the segment stores them
    /// as null. Within a segment the last row of a key wins as a whole, whether it is full,
    /// partial or a tombstone.
    ///
    /// A segment whose rows all write every column and delete nothing has no presence or
    /// tombstone sections: the same bytes as if written with [`SegmentWriter::push`].
    pub fn push_partial(
        &mut self,
        batch: &RecordBatch,
        present: &[Option<BooleanBuffer>],
        tombstones: Option<&BooleanBuffer>,
    ) -> Result<()> {
        self.check_schema(batch)?;
        let n = batch.num_rows();
        let held = held_masks(&self.schema, self.key, n, present, tombstones)?;
        let mut columns = Vec::with_capacity(batch.num_columns());
        for ((want, column), held) in self.schema.fields().iter().zip(batch.columns()).zip(&held) {
            let (column, not_held) = match held {
                Some(h) => (mask_nulls(column, h)?, n - h.count_set_bits()),
                None => (column.clone(), 0),
            };
            if has_null_elements(column.as_ref()) {
                return Err(Error::SchemaMismatch(format!(
                    "embedding column '{}' has null elements; only whole values may be null",
                    want.name()
                )));
            }
            // Null keys are reported below, with their row.
            let is_key = columns.len() == self.key;
            let nulls = column.null_count().saturating_sub(not_held);
            if !is_key && !want.is_nullable() && nulls > 0 {
                return Err(Error::SchemaMismatch(format!(
                    "column '{}' is not nullable but the batch has {nulls} nulls in it",
                    want.name(),
                )));
            }
            columns.push(column);
        }
        if let Some(key) = columns.get(self.key)
            && let Some(row) = (0..key.len()).find(|&i| key.is_null(i))
        {
            return Err(Error::NullKey {
                column: self.schema.field(self.key).name().clone(),
                row,
            });
        }
        let rows = self.rows + n as u64;
        if rows > MAX_ROWS {
            return Err(Error::LimitExceeded(format!(
                "a segment holds at most {MAX_ROWS} rows"
            )));
        }
        let options = RecordBatchOptions::new().with_row_count(Some(n));
        let batch = RecordBatch::try_new_with_options(self.stored.clone(), columns, &options)?;
        self.rows = rows;
        self.batches.push(Rows {
            batch,
            held,
            tombstones: tombstones.filter(|t| t.has_true()).cloned(),
        });
        Ok(())
    }

    /// Checks that `batch` has the writer's column names and types, in order.
    fn check_schema(&self, batch: &RecordBatch) -> Result<()> {
        let fields = self.schema.fields();
        let got = batch.schema();
        if got.fields().len() != fields.len() {
            return Err(Error::SchemaMismatch(format!(
                "batch has {} columns, the segment {}",
                got.fields().len(),
                fields.len()
            )));
        }
        for (want, have) in fields.iter().zip(got.fields()) {
            if want.name() != have.name() || want.data_type() != have.data_type() {
                return Err(Error::SchemaMismatch(format!(
                    "batch column '{}' of type {} where the segment has '{}' of type {}",
                    have.name(),
                    have.data_type(),
                    want.name(),
                    want.data_type()
                )));
            }
        }
        Ok(())
    }

    /// Writes the segment into memory.
    pub fn finish_to_vec(self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write_to(&mut out)?;
        Ok(out)
    }

    /// Writes the segment to `path` durably: to a temporary name beside it, fsynced, renamed
    /// over `path`, then the directory fsynced.
    pub fn finish_to_file(self, path: impl AsRef<Path>) -> Result<SegmentInfo> {
        let path = path.as_ref();
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let sorted = self.sorted_rows()?;
        let rows = sorted.batch.num_rows() as u64;
        let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut out = ChunkedWriter::new(WRITE_BUFFER, file);
        let result = self.write_sorted(&sorted, &mut out).and_then(|bytes| {
            let file = out.into_inner()?;
            file.sync_all()?;
            Ok(bytes)
        });
        let bytes = match result {
            Ok(bytes) => bytes,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(write_error(&tmp, e));
            }
        };
        if let Err(e) = std::fs::rename(&tmp, path) {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::io(path, e));
        }
        crate::segment::sync_dir(path)?;
        Ok(SegmentInfo {
            path: path.to_owned(),
            rows,
            bytes,
        })
    }

    /// All rows, sorted by key, the last row of each key kept, with the cells they hold.
    fn sorted_rows(&self) -> Result<Rows> {
        let all = arrow_select::concat::concat_batches(
            &self.stored,
            self.batches.iter().map(|b| &b.batch),
        )?;
        let parts = |mask: &dyn Fn(&Rows) -> Option<&BooleanBuffer>, default| {
            let parts = self
                .batches
                .iter()
                .map(move |b| (mask(b), b.batch.num_rows()));
            masks::concat(parts, default)
        };
        // A batch without a mask holds every cell and has no tombstone.
        let held: Held = (0..self.types.len())
            .map(|c| parts(&|b| b.held.get(c).and_then(Option::as_ref), true))
            .collect();
        let tombstones = parts(&|b| b.tombstones.as_ref(), false);
        let key = KeyColumn::of(all.column(self.key).as_ref())?;
        // Rows pushed in strictly ascending key order (a flush's merged memtable) are kept
        // as they are: one pass of comparisons instead of a sort.
        if (1..all.num_rows()).all(|i| key.cmp(i - 1, i) == Ordering::Less) {
            return Ok(Rows {
                batch: all,
                held,
                tombstones,
            });
        }
        let mut order: Vec<u32> = (0..all.num_rows() as u32).collect();
        order.sort_by(|&a, &b| key.cmp(a as usize, b as usize));
        // Keep the last of each run of equal keys (the sort is stable: input order within).
        let mut keep = Vec::with_capacity(order.len());
        for (i, &row) in order.iter().enumerate() {
            let next_same = order
                .get(i + 1)
                .is_some_and(|&n| key.cmp(row as usize, n as usize) == Ordering::Equal);
            if !next_same {
                keep.push(row);
            }
        }
        if keep.len() == all.num_rows() && keep.iter().enumerate().all(|(i, &r)| i as u32 == r) {
            return Ok(Rows {
                batch: all,
                held,
                tombstones,
            });
        }
        // Masks of rows that are dropped may now hold every kept row.
        let held = held
            .iter()
            .map(|m| {
                m.as_ref()
                    .map(|m| masks::take(m, &keep))
                    .filter(BooleanBuffer::has_false)
            })
            .collect();
        let tombstones = tombstones
            .map(|t| masks::take(&t, &keep))
            .filter(BooleanBuffer::has_true);
        let indices = UInt32Array::from(keep);
        let columns = all
            .columns()
            .iter()
            .map(|c| arrow_select::take::take(c.as_ref(), &indices, None))
            .collect::<Result<Vec<ArrayRef>, _>>()?;
        Ok(Rows {
            batch: RecordBatch::try_new(self.stored.clone(), columns)?,
            held,
            tombstones,
        })
    }

    /// Writes the whole file to `out`; returns its length.
    pub fn write_to<W: Write>(&self, out: W) -> Result<u64> {
        let sorted = self.sorted_rows()?;
        self.write_sorted(&sorted, out)
            .map_err(|e| write_error("<segment output>", e))
    }

    fn write_sorted<W: Write>(&self, sorted: &Rows, out: W) -> std::io::Result<u64> {
        let batch = &sorted.batch;
        let rows = batch.num_rows();
        let held = |col: usize| sorted.held.get(col).and_then(Option::as_ref);
        let mut sink = Sink::new(out, self.page_size_log2);
        let mut header = [0u8; HEADER_LEN];
        header[..8].copy_from_slice(&MAGIC);
        header[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        sink.write(&header)?;

        let plan = plan::plan(&self.types, self.key, batch).map_err(std::io::Error::other)?;
        let mut groups = Vec::with_capacity(plan.groups.len());
        let mut descs: Vec<Option<ColumnDesc>> = vec![None; self.types.len()];
        let field = |i: usize| self.schema.field(i);

        // The key column and the key index. The key's bytes go in the first row group, so
        // that a lookup finds a candidate's key and its values in the same row (format
        // version 3), unless the plan keeps long utf8 keys in offsets and data sections.
        let key_array = batch.column(self.key);
        let key = KeyColumn::of(key_array.as_ref()).map_err(std::io::Error::other)?;
        let hashes: Vec<u64> = (0..rows).map(|i| key.hash(i)).collect();
        let mut key_storage = None;
        let key_bytes = match plan.key {
            KeyPlan::Fixed { width } if self.types[self.key] == ColumnType::Utf8 => {
                Some((width, inline_values_of(key_array.as_ref(), width)))
            }
            KeyPlan::Fixed { width } => Some((
                width,
                fixed_values(field(self.key).name(), key_array, width)
                    .map_err(std::io::Error::other)?,
            )),
            KeyPlan::Variable => {
                let (offsets, data) = variable(key_array.as_ref(), None);
                let offsets = sink.section(SectionKind::Offsets, &offsets)?;
                let data = sink.section(SectionKind::Data, &data)?;
                key_storage = Some(Storage::Variable {
                    offsets,
                    data,
                    validity: NONE,
                });
                None
            }
        };
        let index_section = sink.section(SectionKind::Index, &build_index(&hashes))?;
        drop(hashes);

        for (g, group) in plan.groups.iter().enumerate() {
            let stride = group.stride as usize;
            let mut buf = vec![0u8; rows * stride];
            if let (true, Some((width, values))) = (group.holds_key, &key_bytes) {
                let offset = group.validity_bytes;
                for (row, value) in buf
                    .chunks_exact_mut(stride)
                    .zip(values.chunks_exact(*width))
                {
                    row[offset..offset + width].copy_from_slice(value);
                }
                key_storage = Some(Storage::Fixed {
                    group: g as u32,
                    offset: offset as u32,
                    width: *width as u32,
                    validity_bit: NONE,
                });
            }
            for c in &group.columns {
                let (col, width, offset) = (c.col, c.width, c.offset);
                let array = batch.column(col);
                let values =
                    fixed_values(field(col).name(), array, width).map_err(std::io::Error::other)?;
                let held = held(col);
                for (r, (row, value)) in buf
                    .chunks_exact_mut(stride)
                    .zip(values.chunks_exact(width))
                    .enumerate()
                {
                    // A cell that is not held keeps zero bytes (and is null).
                    if held.is_some_and(|h| !h.value(r)) {
                        continue;
                    }
                    row[offset..offset + width].copy_from_slice(value);
                    if let Some(bit) = c.bit
                        && array.is_valid(r)
                    {
                        row[bit / 8] |= 1 << (bit % 8);
                    }
                }
                descs[col] = Some(ColumnDesc {
                    name: field(col).name().clone(),
                    column_type: self.types[col].clone(),
                    nullable: field(col).is_nullable(),
                    storage: Storage::Fixed {
                        group: g as u32,
                        offset: offset as u32,
                        width: width as u32,
                        validity_bit: c.bit.map_or(NONE, |b| b as u32),
                    },
                    presence: NONE,
                });
            }
            let section = sink.section(SectionKind::FixedGroup, &buf)?;
            groups.push(GroupDesc {
                section,
                stride: group.stride,
                validity_bytes: group.validity_bytes as u32,
            });
        }

        // Variable-width columns: validity (if any nulls), offsets, data.
        for &col in &plan.variable {
            let array = batch.column(col);
            let validity = if array.null_count() > 0 {
                sink.section(SectionKind::Validity, &validity_bits(array.as_ref()))?
            } else {
                NONE
            };
            let (offsets, data) = variable(array.as_ref(), held(col));
            let offsets = sink.section(SectionKind::Offsets, &offsets)?;
            let data = sink.section(SectionKind::Data, &data)?;
            descs[col] = Some(ColumnDesc {
                name: field(col).name().clone(),
                column_type: self.types[col].clone(),
                nullable: field(col).is_nullable(),
                storage: Storage::Variable {
                    offsets,
                    data,
                    validity,
                },
                presence: NONE,
            });
        }

        // Partial rows (format version 2): the tombstones, then the presence bitmaps of the
        // columns that some live row does not write, in schema order; columns with the same
        // bits share one section.
        let tombstones = match &sorted.tombstones {
            Some(t) => sink.section(SectionKind::Tombstones, &masks::bitmap(t))?,
            None => NONE,
        };
        let mut written: Vec<(Vec<u8>, u32)> = Vec::new();
        for (col, desc) in descs.iter_mut().enumerate() {
            let (Some(desc), Some(h)) = (desc.as_mut(), held(col)) else {
                continue;
            };
            if !sorted.needs_presence(col) {
                continue;
            }
            let bits = masks::bitmap(h);
            desc.presence = match written.iter().find(|(b, _)| *b == bits) {
                Some(&(_, section)) => section,
                None => {
                    let section = sink.section(SectionKind::Presence, &bits)?;
                    written.push((bits, section));
                    section
                }
            };
        }

        let (mut out, body_len, page_crcs, sections) = sink.finish()?;
        let mut table = Vec::with_capacity(page_crcs.len() * 4);
        for c in &page_crcs {
            table.extend_from_slice(&c.to_le_bytes());
        }
        out.write_all(&table)?;
        let page_size = 1usize << self.page_size_log2;
        let table_crcs = table.chunks(page_size).map(crc32fast::hash).collect();
        let key_storage = key_storage.ok_or_else(|| {
            std::io::Error::other(Error::LimitExceeded("the key column has no storage".into()))
        })?;
        let footer = Footer {
            row_count: rows as u64,
            page_size_log2: self.page_size_log2,
            body_len,
            slot_count: slot_count_for(rows as u64),
            index_section,
            key: ColumnDesc {
                name: field(self.key).name().clone(),
                column_type: self.types[self.key].clone(),
                nullable: false,
                storage: key_storage,
                presence: NONE,
            },
            columns: descs.into_iter().flatten().collect(),
            groups,
            sections,
            table_crcs,
            tombstones,
        };
        let footer_bytes = footer.encode();
        out.write_all(&footer_bytes)?;
        let footer_offset = body_len + table.len() as u64;
        let mut trailer = Trailer {
            magic: MAGIC,
            version: FORMAT_VERSION.into(),
            flags: 0.into(),
            footer_offset: footer_offset.into(),
            footer_len: (footer_bytes.len() as u64).into(),
            footer_crc: crc32fast::hash(&footer_bytes).into(),
            reserved: [0; 20],
            trailer_crc: 0.into(),
            tail: TAIL_MAGIC,
        };
        use zerocopy::IntoBytes;
        trailer.trailer_crc = crc32fast::hash(&trailer.as_bytes()[..56]).into();
        out.write_all(trailer.as_bytes())?;
        out.flush()?;
        Ok(footer_offset + footer_bytes.len() as u64 + TRAILER_LEN as u64)
    }
}

/// The error of writing a segment to `path`. The crate's own errors, carried through
/// `std::io::Error` by the writing code, come back as themselves, not as I/O errors.
fn write_error(path: impl AsRef<Path>, e: std::io::Error) -> Error {
    if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
        match e.into_inner().map(|inner| inner.downcast::<Error>()) {
            Some(Ok(err)) => return *err,
            Some(Err(inner)) => return Error::io(path, std::io::Error::other(inner)),
            None => return Error::io(path, std::io::Error::other("unknown error")),
        }
    }
    Error::io(path, e)
}

/// Whether an embedding (fixed-size list) array has a null element inside a non-null value.
/// Null elements under a null value belong to that null: Arrow's builders put them there.
fn has_null_elements(array: &dyn Array) -> bool {
    let Some(list) = array.as_fixed_size_list_opt() else {
        return false;
    };
    let Some(elements) = list.values().logical_nulls() else {
        return false;
    };
    let size = list.value_length() as usize;
    (0..list.len()).any(|i| {
        list.is_valid(i)
            && (i * size..(i + 1) * size).any(|j| j >= elements.len() || elements.is_null(j))
    })
}
