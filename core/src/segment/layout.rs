//! The fixed parts of the segment format: magics, the trailer, section kinds and the
//! descriptors the footer is made of. `docs/FORMAT.md` is the byte-exact description.

use zerocopy::little_endian::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::types::ColumnType;

/// The first 8 bytes of every segment file, and of its trailer.
pub const MAGIC: [u8; 8] = *b"MURRSEG\0";
/// The last 4 bytes of every segment file.
pub const TAIL_MAGIC: [u8; 4] = *b"MURR";
/// The format version this build writes: 3, which may store a utf8 key inline in a row
/// group ([`inline_key`]); version 2 added presence and tombstone bitmaps (partial rows). It
/// reads every version from [`MIN_FORMAT_VERSION`] up to this one.
pub const FORMAT_VERSION: u32 = 3;
/// The oldest format version this build reads. Version-1 files have no partial rows.
pub const MIN_FORMAT_VERSION: u32 = 1;
/// The size of the header at offset 0.
pub const HEADER_LEN: usize = 16;
/// The size of the trailer at the end of the file.
pub const TRAILER_LEN: usize = 64;
/// Every section starts at a multiple of this (a cache line).
pub const SECTION_ALIGN: u64 = 64;
/// The default checksum page size: 4 KiB, as log2.
pub const DEFAULT_PAGE_SIZE_LOG2: u8 = 12;
/// The smallest and largest page sizes a reader accepts, as log2.
pub const PAGE_SIZE_LOG2_RANGE: std::ops::RangeInclusive<u8> = 9..=24;
/// The largest footer a reader accepts.
pub const MAX_FOOTER_LEN: u64 = 64 << 20;
/// A segment holds at most this many rows (row numbers are u32; `u32::MAX` marks an empty
/// index slot).
pub const MAX_ROWS: u64 = u32::MAX as u64 - 1;
/// "No such section / no validity" in the footer's u32 references.
pub const NONE: u32 = u32::MAX;
/// The row number of an empty index slot.
pub const EMPTY_SLOT: u32 = u32::MAX;
/// The writer stores a segment's utf8 keys inline in its first row group (format version 3)
/// when none is longer than this many bytes; longer keys go to offsets and data sections.
pub const INLINE_KEY_MAX: usize = 31;
/// The widest inline utf8 value a reader accepts: a length byte and up to 255 bytes.
pub const MAX_INLINE_WIDTH: u32 = 256;

/// The key in the bytes of an inline utf8 value (format version 3): a length byte, then that
/// many bytes of the key, then zeros to the value's width. `None` when the length byte says
/// more bytes than the value holds.
#[inline(always)]
pub fn inline_key(value: &[u8]) -> Option<&[u8]> {
    let (&len, rest) = value.split_first()?;
    rest.get(..usize::from(len))
}

/// The fixed-size trailer: the last [`TRAILER_LEN`] bytes of a segment file. It says where
/// the footer is, so a reader that fetches byte ranges needs only the file's tail first.
#[derive(Debug, Clone, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct Trailer {
    /// [`MAGIC`].
    pub magic: [u8; 8],
    /// [`FORMAT_VERSION`].
    pub version: U32,
    /// Reserved, zero.
    pub flags: U32,
    /// Where the footer starts.
    pub footer_offset: U64,
    /// The footer's length in bytes.
    pub footer_len: U64,
    /// CRC32 of the footer's bytes.
    pub footer_crc: U32,
    /// Reserved, zero.
    pub reserved: [u8; 20],
    /// CRC32 of the trailer's first 56 bytes.
    pub trailer_crc: U32,
    /// [`TAIL_MAGIC`].
    pub tail: [u8; 4],
}

/// What a section holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum SectionKind {
    /// The key hash index: `slot_count` slots of (tag u32, row u32).
    Index = 1,
    /// A row-major group of fixed-width columns: `row_count * stride` bytes.
    FixedGroup = 2,
    /// Offsets of a variable-width column: `row_count + 1` u64 values.
    Offsets = 3,
    /// The bytes of a variable-width column.
    Data = 4,
    /// A validity bitmap, one bit per row, least significant bit first, 1 = valid.
    Validity = 5,
    /// A presence bitmap of one or more columns (format version 2), one bit per row, least
    /// significant bit first: 1 = the segment holds the column's value (possibly null) for
    /// the row, 0 = the row does not write the column (older sources hold it).
    Presence = 6,
    /// The tombstone bitmap (format version 2), one bit per row, least significant bit
    /// first: 1 = the row deletes its key (it holds no values; older sources are hidden).
    Tombstones = 7,
}

impl SectionKind {
    /// Decodes a kind byte of a file of format `version`: kinds 6 and 7 exist from version 2.
    pub fn from_u8(v: u8, version: u32) -> Option<Self> {
        Some(match v {
            1 => SectionKind::Index,
            2 => SectionKind::FixedGroup,
            3 => SectionKind::Offsets,
            4 => SectionKind::Data,
            5 => SectionKind::Validity,
            6 if version >= 2 => SectionKind::Presence,
            7 if version >= 2 => SectionKind::Tombstones,
            _ => return None,
        })
    }
}

/// One entry of the footer's section table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionDesc {
    /// What the section holds.
    pub kind: SectionKind,
    /// Where it starts (a multiple of [`SECTION_ALIGN`]).
    pub offset: u64,
    /// Its length in bytes.
    pub len: u64,
    /// CRC32 of its bytes (checked by a full verification; reads check pages).
    pub crc: u32,
}

/// A row-major group of fixed-width columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDesc {
    /// The section holding the group's rows.
    pub section: u32,
    /// Bytes per row.
    pub stride: u32,
    /// Bytes of validity bits at the start of each row.
    pub validity_bytes: u32,
}

/// Where a column's values live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// In a row-major group. A utf8 key stored here (format version 3) is inline: each
    /// value is `width` bytes read by [`inline_key`].
    Fixed {
        /// The group.
        group: u32,
        /// The value's byte offset within a row.
        offset: u32,
        /// The value's width in bytes.
        width: u32,
        /// Its bit in the row's validity prefix, or [`NONE`] when the column has no nulls here.
        validity_bit: u32,
    },
    /// Offsets plus data.
    Variable {
        /// The offsets section.
        offsets: u32,
        /// The data section.
        data: u32,
        /// The validity bitmap section, or [`NONE`] when the column has no nulls here.
        validity: u32,
    },
}

/// A column as the footer describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDesc {
    /// The column's name.
    pub name: String,
    /// Its type.
    pub column_type: ColumnType,
    /// Whether the table declares it nullable.
    pub nullable: bool,
    /// Where its values are.
    pub storage: Storage,
    /// Its presence bitmap (a [`SectionKind::Presence`] section), or [`NONE`] when every row
    /// that is not a tombstone holds the column's value. Always [`NONE`] for the key column
    /// and in version-1 files.
    pub presence: u32,
}

impl ColumnDesc {
    /// Whether the column's values are inline utf8 (format version 3, the key only): utf8
    /// in a row group, each value read by [`inline_key`]. The footer's validation allows
    /// utf8 in fixed storage for nothing else.
    pub fn is_inline(&self) -> bool {
        self.column_type == ColumnType::Utf8 && matches!(self.storage, Storage::Fixed { .. })
    }
}

/// The footer: everything a reader needs to find every value, decoded and validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footer {
    /// Rows in the segment.
    pub row_count: u64,
    /// log2 of the checksum page size.
    pub page_size_log2: u8,
    /// The end of the body (the bytes covered by page checksums); the page table starts here.
    pub body_len: u64,
    /// Slots in the key index.
    pub slot_count: u64,
    /// The key index section.
    pub index_section: u32,
    /// The key column.
    pub key: ColumnDesc,
    /// The other columns, in schema order.
    pub columns: Vec<ColumnDesc>,
    /// Row-major groups.
    pub groups: Vec<GroupDesc>,
    /// Every section of the file.
    pub sections: Vec<SectionDesc>,
    /// CRC32 of each page of the page table.
    pub table_crcs: Vec<u32>,
    /// The tombstone bitmap (a [`SectionKind::Tombstones`] section), or [`NONE`] when no row
    /// is a tombstone. Always [`NONE`] in version-1 files.
    pub tombstones: u32,
}

impl Footer {
    /// The number of checksum pages covering the body.
    pub fn page_count(&self) -> u64 {
        self.body_len.div_ceil(1u64 << self.page_size_log2)
    }

    /// Whether any row is a tombstone or leaves a column unwritten: the footer references a
    /// tombstone or a presence bitmap (and, encoded, ends with the partial-rows block).
    pub fn has_partial_rows(&self) -> bool {
        self.tombstones != NONE || self.columns.iter().any(|c| c.presence != NONE)
    }
}

/// One slot of the key index, cast from the file's bytes.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct Slot {
    /// The low 32 bits of the key's hash.
    pub tag: U32,
    /// The key's row, or [`EMPTY_SLOT`].
    pub row: U32,
}

/// Two consecutive entries of an offsets section: where a value starts and ends.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct OffsetPair {
    /// The value's first byte in the data section.
    pub start: U64,
    /// One past its last byte.
    pub end: U64,
}
