//! Encoding and validating the footer. Decoding checks every offset, length and reference
//! against the file, so that the reader can index sections without further bounds surprises.
//!
//! A version-2 footer is a version-1 footer, followed, only when the segment has partial
//! rows, by the partial-rows block: the tombstone reference, then a count and one presence
//! reference per non-key column. A segment of full rows thus has the same footer in both
//! versions.

use std::collections::HashSet;

use super::layout::{
    ColumnDesc, Footer, GroupDesc, HEADER_LEN, MAX_INLINE_WIDTH, MAX_ROWS, NONE,
    PAGE_SIZE_LOG2_RANGE, SECTION_ALIGN, SectionDesc, SectionKind, Storage,
};
use crate::types::{ColumnType, Cursor, put_str};
use crate::{Error, Result};

impl Footer {
    /// The footer's bytes (see `docs/FORMAT.md`, "Footer").
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.row_count.to_le_bytes());
        out.push(self.page_size_log2);
        out.extend_from_slice(&self.body_len.to_le_bytes());
        out.extend_from_slice(&self.slot_count.to_le_bytes());
        out.extend_from_slice(&self.index_section.to_le_bytes());
        put_len(&mut out, self.sections.len());
        for s in &self.sections {
            out.push(s.kind as u8);
            out.extend_from_slice(&s.offset.to_le_bytes());
            out.extend_from_slice(&s.len.to_le_bytes());
            out.extend_from_slice(&s.crc.to_le_bytes());
        }
        put_len(&mut out, self.groups.len());
        for g in &self.groups {
            for v in [g.section, g.stride, g.validity_bytes] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        encode_column(&mut out, &self.key);
        put_len(&mut out, self.columns.len());
        for c in &self.columns {
            encode_column(&mut out, c);
        }
        put_len(&mut out, self.table_crcs.len());
        for c in &self.table_crcs {
            out.extend_from_slice(&c.to_le_bytes());
        }
        if self.has_partial_rows() {
            out.extend_from_slice(&self.tombstones.to_le_bytes());
            put_len(&mut out, self.columns.len());
            for c in &self.columns {
                out.extend_from_slice(&c.presence.to_le_bytes());
            }
        }
        out
    }

    /// Decodes and validates the footer of a file of format `version` whose footer starts at
    /// `footer_offset`. `file` names the file in errors.
    pub fn decode(bytes: &[u8], version: u32, footer_offset: u64, file: &str) -> Result<Footer> {
        let bad = |detail: &str| Error::corrupt(file, "footer", detail);
        let mut cur = Cursor::new(bytes);
        let short = || bad("ends early");
        let row_count = cur.u64().ok_or_else(short)?;
        let page_size_log2 = cur.u8().ok_or_else(short)?;
        let body_len = cur.u64().ok_or_else(short)?;
        let slot_count = cur.u64().ok_or_else(short)?;
        let index_section = cur.u32().ok_or_else(short)?;
        let n = count(&mut cur, 21).ok_or_else(short)?;
        let mut sections = Vec::with_capacity(n);
        for _ in 0..n {
            let kind = cur.u8().ok_or_else(short)?;
            let kind =
                SectionKind::from_u8(kind, version).ok_or_else(|| bad("unknown section kind"))?;
            let offset = cur.u64().ok_or_else(short)?;
            let len = cur.u64().ok_or_else(short)?;
            let crc = cur.u32().ok_or_else(short)?;
            sections.push(SectionDesc {
                kind,
                offset,
                len,
                crc,
            });
        }
        let n = count(&mut cur, 12).ok_or_else(short)?;
        let mut groups = Vec::with_capacity(n);
        for _ in 0..n {
            groups.push(GroupDesc {
                section: cur.u32().ok_or_else(short)?,
                stride: cur.u32().ok_or_else(short)?,
                validity_bytes: cur.u32().ok_or_else(short)?,
            });
        }
        let key = decode_column(&mut cur).ok_or_else(|| bad("bad key column descriptor"))?;
        let n = count(&mut cur, 8).ok_or_else(short)?;
        let mut columns = Vec::with_capacity(n);
        for _ in 0..n {
            columns.push(decode_column(&mut cur).ok_or_else(|| bad("bad column descriptor"))?);
        }
        let n = count(&mut cur, 4).ok_or_else(short)?;
        let mut table_crcs = Vec::with_capacity(n);
        for _ in 0..n {
            table_crcs.push(cur.u32().ok_or_else(short)?);
        }
        let mut tombstones = NONE;
        if version >= 2 && cur.remaining() != 0 {
            tombstones = cur.u32().ok_or_else(short)?;
            let n = count(&mut cur, 4).ok_or_else(short)?;
            if n != columns.len() {
                return Err(bad("presence count differs from the column count"));
            }
            for c in &mut columns {
                c.presence = cur.u32().ok_or_else(short)?;
            }
        }
        if cur.remaining() != 0 {
            return Err(bad("trailing bytes after the last field"));
        }
        let footer = Footer {
            row_count,
            page_size_log2,
            body_len,
            slot_count,
            index_section,
            key,
            columns,
            groups,
            sections,
            table_crcs,
            tombstones,
        };
        footer
            .validate(footer_offset, version)
            .map_err(|d| bad(&d))?;
        Ok(footer)
    }

    /// Checks every reference and size; the message says what is wrong.
    fn validate(&self, footer_offset: u64, version: u32) -> Result<(), String> {
        if !PAGE_SIZE_LOG2_RANGE.contains(&self.page_size_log2) {
            return Err(format!("page size 2^{} out of range", self.page_size_log2));
        }
        if self.row_count > MAX_ROWS {
            return Err(format!("row count {} over the limit", self.row_count));
        }
        let page_size = 1u64 << self.page_size_log2;
        let table_len = self
            .page_count()
            .checked_mul(4)
            .ok_or("page table too large")?;
        let table_end = self
            .body_len
            .checked_add(table_len)
            .ok_or("page table overflows")?;
        if self.body_len < HEADER_LEN as u64 || table_end != footer_offset {
            return Err("the page table does not end where the footer starts".into());
        }
        if !self.body_len.is_multiple_of(SECTION_ALIGN) {
            return Err("body length is not a multiple of the section alignment".into());
        }
        if self.table_crcs.len() as u64 != table_len.div_ceil(page_size) {
            return Err("page table checksum count does not match the page table".into());
        }
        for (i, s) in self.sections.iter().enumerate() {
            let end = s.offset.checked_add(s.len).ok_or("section end overflows")?;
            if s.offset % SECTION_ALIGN != 0 || s.offset < HEADER_LEN as u64 || end > self.body_len
            {
                return Err(format!("section {i} ({:?}) lies outside the body", s.kind));
            }
        }
        let rows = self.row_count;
        let index = self.section(self.index_section, SectionKind::Index)?;
        if self.slot_count <= rows || Some(index.len) != self.slot_count.checked_mul(8) {
            return Err("key index size does not match its slot count".into());
        }
        for g in &self.groups {
            let s = self.section(g.section, SectionKind::FixedGroup)?;
            if g.stride == 0 || g.validity_bytes > g.stride {
                return Err("row group with a bad stride".into());
            }
            if Some(s.len) != rows.checked_mul(u64::from(g.stride)) {
                return Err("row group size does not match rows x stride".into());
            }
        }
        if !self.key.column_type.is_key_type() || self.key.nullable {
            return Err("key column has a type that cannot be a key".into());
        }
        let mut names = HashSet::new();
        for (i, c) in std::iter::once(&self.key).chain(&self.columns).enumerate() {
            if c.name.is_empty() || !names.insert(c.name.as_str()) {
                return Err(format!("empty or repeated column name '{}'", c.name));
            }
            // Format version 3 stores a utf8 key inline in a row group, at a width of its own.
            let width = match c.storage {
                Storage::Fixed { width, .. }
                    if i == 0 && version >= 3 && c.column_type == ColumnType::Utf8 =>
                {
                    if !(1..=MAX_INLINE_WIDTH).contains(&width) {
                        return Err(format!("inline key width {width} out of range"));
                    }
                    Some(width as usize)
                }
                _ => c.column_type.width(),
            };
            self.validate_storage(c, width)?;
        }
        let (Storage::Fixed { validity_bit, .. }
        | Storage::Variable {
            validity: validity_bit,
            ..
        }) = &self.key.storage;
        if *validity_bit != NONE {
            return Err("key column stores nulls".into());
        }
        if self.key.presence != NONE {
            return Err("key column has a presence bitmap".into());
        }
        if self.tombstones != NONE {
            self.bitmap(self.tombstones, SectionKind::Tombstones)
                .map_err(|e| format!("tombstones: {e}"))?;
        }
        Ok(())
    }

    /// Checks that section `i` is a bitmap of `kind` with one bit per row.
    fn bitmap(&self, i: u32, kind: SectionKind) -> Result<(), String> {
        let s = self.section(i, kind)?;
        if s.len != self.row_count.div_ceil(8) {
            return Err(format!(
                "{kind:?} section {i} has {} bytes, not one bit per row",
                s.len
            ));
        }
        Ok(())
    }

    /// Checks column `c`'s references; `type_width` is the width of its values in a row
    /// group (`None`: it is stored in offsets and data).
    fn validate_storage(&self, c: &ColumnDesc, type_width: Option<usize>) -> Result<(), String> {
        let rows = self.row_count;
        let bad = |what: &str| Err(format!("column '{}': {what}", c.name));
        match (&c.storage, type_width) {
            (
                Storage::Fixed {
                    group,
                    offset,
                    width,
                    validity_bit,
                },
                Some(type_width),
            ) => {
                let Some(g) = self.groups.get(*group as usize) else {
                    return bad("no such row group");
                };
                if *width as usize != type_width {
                    return bad("width does not match its type");
                }
                let end = u64::from(*offset) + u64::from(*width);
                if *offset < g.validity_bytes || end > u64::from(g.stride) {
                    return bad("value lies outside its row");
                }
                if *validity_bit != NONE
                    && u64::from(*validity_bit) >= u64::from(g.validity_bytes) * 8
                {
                    return bad("validity bit lies outside the row's validity bytes");
                }
            }
            (
                Storage::Variable {
                    offsets,
                    data,
                    validity,
                },
                None,
            ) => {
                let o = self.section(*offsets, SectionKind::Offsets)?;
                if Some(o.len) != rows.checked_add(1).and_then(|n| n.checked_mul(8)) {
                    return bad("offsets size does not match the row count");
                }
                self.section(*data, SectionKind::Data)?;
                if *validity != NONE {
                    let v = self.section(*validity, SectionKind::Validity)?;
                    if v.len != rows.div_ceil(8) {
                        return bad("validity size does not match the row count");
                    }
                }
            }
            _ => return bad("storage does not match its type"),
        }
        if c.presence != NONE
            && let Err(e) = self.bitmap(c.presence, SectionKind::Presence)
        {
            return bad(&format!("presence: {e}"));
        }
        Ok(())
    }

    /// The section `i`, which must be of `kind`.
    pub(crate) fn section(&self, i: u32, kind: SectionKind) -> Result<&SectionDesc, String> {
        match self.sections.get(i as usize) {
            Some(s) if s.kind == kind => Ok(s),
            _ => Err(format!(
                "reference to section {i}, which is not a {kind:?} section"
            )),
        }
    }
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

/// Reads a u32 count whose items take at least `min_item` bytes each: a count that could
/// not fit in the remaining bytes is rejected before anything is allocated.
fn count(cur: &mut Cursor<'_>, min_item: usize) -> Option<usize> {
    let n = cur.u32()? as usize;
    (n.checked_mul(min_item)? <= cur.remaining()).then_some(n)
}

fn encode_column(out: &mut Vec<u8>, c: &ColumnDesc) {
    put_str(out, &c.name);
    c.column_type.encode(out);
    out.push(u8::from(c.nullable));
    match &c.storage {
        Storage::Fixed {
            group,
            offset,
            width,
            validity_bit,
        } => {
            out.push(0);
            for v in [group, offset, width, validity_bit] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        Storage::Variable {
            offsets,
            data,
            validity,
        } => {
            out.push(1);
            for v in [offsets, data, validity] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
}

fn decode_column(cur: &mut Cursor<'_>) -> Option<ColumnDesc> {
    let name = cur.str()?.to_owned();
    let column_type = ColumnType::decode(cur)?;
    let nullable = match cur.u8()? {
        0 => false,
        1 => true,
        _ => return None,
    };
    let storage = match cur.u8()? {
        0 => Storage::Fixed {
            group: cur.u32()?,
            offset: cur.u32()?,
            width: cur.u32()?,
            validity_bit: cur.u32()?,
        },
        1 => Storage::Variable {
            offsets: cur.u32()?,
            data: cur.u32()?,
            validity: cur.u32()?,
        },
        _ => return None,
    };
    Some(ColumnDesc {
        name,
        column_type,
        nullable,
        storage,
        presence: NONE,
    })
}
