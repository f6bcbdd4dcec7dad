//! Reading a segment that lives elsewhere (a file behind HTTP range requests, an object
//! store), fetching only the byte ranges a read needs. Sans-IO: this module never does I/O.
//! It says which ranges it needs next and is handed their bytes; the caller fetches them
//! however it likes (the WASM build with `fetch`, a server with its object store client).
//!
//! The protocol (`docs/FORMAT.md` §11):
//!
//! 1. [`RemoteSegment::open_range`]: the file's tail to fetch first (its last 64 KiB, or the
//!    whole file if smaller). [`RemoteSegment::open`] checks the trailer in it; if the footer
//!    is not wholly inside, it returns [`OpenStep::Need`] with the exact range to fetch
//!    instead; else it checks the footer's CRC, decodes and validates it (the same code as
//!    [`crate::segment::Segment::from_buffer`]) and returns [`OpenStep::Ready`].
//! 2. [`RemoteSegment::plan_get`] starts a read of keys x columns: a [`GetPlan`]. Loop:
//!    fetch every range of [`GetPlan::needed`], hand each over with [`GetPlan::supply`],
//!    until `needed` is empty; then [`GetPlan::finish`] gives what
//!    [`crate::segment::Segment::get`] gives for the same keys and columns.
//!
//! [`GetPlan::finish_keeping`] and [`RemoteSegment::keep`] keep the verified pages of a
//! read for later reads of the segment (the index pages near the asked keys, the header,
//! the page table), up to a byte limit.
//!
//! Every page is checked against its CRC32 (and the page-table page holding that CRC against
//! the footer) when it is supplied, before any byte of it is used; a mismatch is an error.
//! Bytes fetched with the tail (the page table, and for a small file everything) are used
//! without being fetched again. Hostile bytes give errors: every reference is checked
//! against its section, probing is bounded by the index's slot count, and a supply that
//! brings no needed page is an error, so a read ends in a bounded number of rounds.

mod assemble;
mod cache;
mod plan;
mod read;

use std::sync::Arc;

use arrow_array::Array;
use arrow_schema::SchemaRef;

pub use plan::GetPlan;

use cache::Pages;

use super::layout::{Footer, HEADER_LEN, TRAILER_LEN};
use super::reader::schema_of;
use super::tail::parse_trailer;
use crate::{Error, Result};

/// How many bytes [`RemoteSegment::open_range`] asks for at most: the trailer and a guess
/// at the footer (and, for small files, the page table or everything).
pub const OPEN_FETCH_LEN: u64 = 64 << 10;

/// The default gap below which [`GetPlan::needed`] merges two ranges into one.
pub const DEFAULT_GAP: u64 = 4 << 10;

/// The default bound on the bytes of verified pages a [`RemoteSegment`] keeps between
/// reads ([`RemoteSegment::keep`]).
pub const DEFAULT_KEEP_LIMIT: u64 = 16 << 20;

/// Identifies the segment that fetched a [`KeptPages`].
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The verified pages a finished read fetched ([`GetPlan::finish_keeping`]), for
/// [`RemoteSegment::keep`]: later reads of the same segment use them without fetching.
#[derive(Debug, Clone)]
pub struct KeptPages {
    segment: u64,
    pages: Pages,
}

impl KeptPages {
    /// Their size in bytes.
    pub fn bytes(&self) -> u64 {
        self.pages.bytes()
    }
}

/// A range of file bytes: `len` bytes at `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ByteRange {
    /// The first byte.
    pub offset: u64,
    /// How many bytes.
    pub len: u64,
}

impl ByteRange {
    /// The byte after the last: `offset + len`.
    pub fn end(&self) -> u64 {
        self.offset.saturating_add(self.len)
    }
}

/// What [`RemoteSegment::open`] made of the bytes it was given.
#[derive(Debug)]
pub enum OpenStep {
    /// The segment is open.
    Ready(Box<RemoteSegment>),
    /// The footer is not wholly in the bytes given: fetch this range (from the footer's
    /// start to the file's end) and call [`RemoteSegment::open`] again with it.
    Need(ByteRange),
}

/// An open remote segment: its validated footer and the bytes fetched with it. Reads go
/// through [`RemoteSegment::plan_get`].
pub struct RemoteSegment {
    meta: Arc<Meta>,
    gap: u64,
    kept: Pages,
    keep_limit: u64,
}

/// What reads need of an open segment and never change: shared by the segment and its
/// plans (a [`GetPlan`] owns an `Arc` of it, so it borrows nothing and can be kept across
/// rounds, or sent to another thread, while the segment keeps pages).
#[derive(Debug)]
pub(super) struct Meta {
    pub(super) name: Arc<str>,
    pub(super) file_len: u64,
    pub(super) version: u32,
    pub(super) footer: Footer,
    schema: SchemaRef,
    /// The fetched tail before the footer (the page table, or more; at most
    /// [`OPEN_FETCH_LEN`] bytes): used before fetching any page it holds.
    pub(super) seed_offset: u64,
    pub(super) seed: Vec<u8>,
    /// This open's identity, which [`KeptPages`] carry.
    pub(super) id: u64,
}

impl std::fmt::Debug for RemoteSegment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteSegment")
            .field("name", &self.meta.name)
            .field("rows", &self.meta.footer.row_count)
            .field("bytes", &self.meta.file_len)
            .finish_non_exhaustive()
    }
}

impl RemoteSegment {
    /// The first range to fetch of a file of `file_len` bytes: its last
    /// [`OPEN_FETCH_LEN`] bytes, or the whole file if smaller.
    pub fn open_range(file_len: u64) -> ByteRange {
        let len = file_len.min(OPEN_FETCH_LEN);
        ByteRange {
            offset: file_len - len,
            len,
        }
    }

    /// Opens a file of `file_len` bytes from `tail`, its bytes from `tail_offset` to the
    /// end. Checks the trailer, then the footer if `tail` holds it (else asks for it with
    /// [`OpenStep::Need`]). `name` names the file in errors. The header is checked by the
    /// first read.
    pub fn open(file_len: u64, tail_offset: u64, tail: &[u8], name: &str) -> Result<OpenStep> {
        let bad = |detail: String| Error::corrupt(name, "trailer", detail);
        let trailer_at = file_len
            .checked_sub(TRAILER_LEN as u64)
            .filter(|&t| t >= HEADER_LEN as u64)
            .ok_or_else(|| {
                bad(format!(
                    "file of {file_len} bytes is too short to be a segment"
                ))
            })?;
        if tail_offset.checked_add(tail.len() as u64) != Some(file_len) || tail_offset > trailer_at
        {
            return Err(bad(format!(
                "{} bytes at {tail_offset} are not the last 64 or more bytes of a file of {file_len}",
                tail.len()
            )));
        }
        let at = |offset: u64| usize::try_from(offset - tail_offset).unwrap_or(usize::MAX);
        let trailer = parse_trailer(
            tail.get(at(trailer_at)..).unwrap_or_default(),
            trailer_at,
            name,
        )?;
        if trailer.footer_offset < tail_offset {
            return Ok(OpenStep::Need(ByteRange {
                offset: trailer.footer_offset,
                len: file_len - trailer.footer_offset,
            }));
        }
        let footer_bytes = tail
            .get(at(trailer.footer_offset)..at(trailer_at))
            .ok_or_else(|| Error::corrupt(name, "footer", "out of range"))?;
        let footer = trailer.decode_footer(footer_bytes, name)?;
        // At most the last OPEN_FETCH_LEN bytes before the footer are kept, however much
        // the caller fetched.
        let seed_offset = tail_offset.max(trailer.footer_offset.saturating_sub(OPEN_FETCH_LEN));
        let seed = tail
            .get(at(seed_offset)..at(trailer.footer_offset))
            .unwrap_or_default()
            .to_vec();
        Ok(OpenStep::Ready(Box::new(RemoteSegment {
            meta: Arc::new(Meta {
                name: Arc::from(name),
                file_len,
                version: trailer.version,
                schema: schema_of(&footer),
                footer,
                seed_offset,
                seed,
                id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            }),
            gap: DEFAULT_GAP,
            kept: Pages::default(),
            keep_limit: DEFAULT_KEEP_LIMIT,
        })))
    }

    /// This segment with ranges less than `gap` bytes apart merged into one by
    /// [`GetPlan::needed`] (default [`DEFAULT_GAP`]): fewer requests, more bytes.
    pub fn with_gap(mut self, gap: u64) -> Self {
        self.gap = gap;
        self
    }

    /// This segment keeping at most `bytes` of verified pages between reads (default
    /// [`DEFAULT_KEEP_LIMIT`]; 0 keeps none).
    pub fn with_keep_limit(mut self, bytes: u64) -> Self {
        self.keep_limit = bytes;
        self
    }

    /// Keeps the verified pages of a finished read ([`GetPlan::finish_keeping`]) for later
    /// reads, which then fetch none of them again (the pages stay verified: they are
    /// immutable file bytes). Pages beyond the keep limit, and pages fetched for another
    /// segment (or another open of this one), are dropped.
    pub fn keep(&mut self, pages: KeptPages) {
        if pages.segment == self.meta.id {
            self.kept.merge(pages.pages, self.keep_limit);
        }
    }

    /// The bytes of the pages kept between reads.
    pub fn kept_bytes(&self) -> u64 {
        self.kept.bytes()
    }

    /// The segment's schema: the key column first (non-null), then the other columns.
    pub fn schema(&self) -> SchemaRef {
        self.meta.schema.clone()
    }

    /// Rows in the segment.
    pub fn row_count(&self) -> u64 {
        self.meta.footer.row_count
    }

    /// The file's size in bytes.
    pub fn file_len(&self) -> u64 {
        self.meta.file_len
    }

    /// The name used in errors.
    pub fn name(&self) -> &str {
        &self.meta.name
    }

    /// Starts a read of `columns` for `keys`, as [`crate::segment::Segment::get`] reads
    /// them (same key types, same result). Drive it with [`GetPlan::needed`] and
    /// [`GetPlan::supply`], then [`GetPlan::finish`]. The plan borrows nothing: it starts
    /// with the pages kept so far and shares the segment's footer by `Arc`, so it can live
    /// beside the segment (across rounds of fetches) while later reads start or
    /// [`RemoteSegment::keep`] keeps pages.
    pub fn plan_get(&self, keys: &dyn Array, columns: &[&str]) -> Result<GetPlan> {
        GetPlan::new(Arc::clone(&self.meta), self.gap, &self.kept, keys, columns)
    }
}
