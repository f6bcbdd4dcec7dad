//! Opening a segment: the trailer, the footer and the header are checked; nothing is read
//! per row, so opening costs the same for a thousand rows or a hundred million.

use std::sync::Arc;

use super::layout::{ColumnDesc, Footer, HEADER_LEN, NONE, Storage, TRAILER_LEN};
use super::pages::{BadPage, Pages};
use super::tail::{check_header_bytes, parse_trailer};
use crate::{Error, Result};
use arrow_buffer::Buffer;
use arrow_schema::{Field, Schema, SchemaRef};

/// An open, immutable segment: a memory map of a file, or bytes in memory. Cheap to share
/// between threads (`Send + Sync`); every read checks the checksums of the pages it touches.
pub struct Segment {
    pub(crate) name: Arc<str>,
    pub(crate) data: Buffer,
    pub(crate) footer: Footer,
    pub(crate) pages: Pages,
    pub(crate) spans: Vec<Span>,
    /// Whether any row is a tombstone or leaves a column unwritten. When false (every
    /// version-1 file, and version-2 files of full rows), reads take the fast path.
    pub(crate) partial: bool,
    version: u32,
    section_names: Vec<String>,
    schema: SchemaRef,
}

/// A section's place in the file, as `usize`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) len: usize,
}

impl std::fmt::Debug for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segment")
            .field("name", &self.name)
            .field("rows", &self.footer.row_count)
            .field("bytes", &self.data.len())
            .finish_non_exhaustive()
    }
}

impl Segment {
    /// Memory-maps and opens the segment file at `path`.
    #[cfg(feature = "mmap")]
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Segment> {
        let path = path.as_ref();
        let data = super::backing::map_file(path)?;
        Segment::from_buffer(data, &path.display().to_string())
    }

    /// Reads the segment file at `path` into memory and opens it: the hot tier. The copy
    /// lives in anonymous memory advised to use huge pages, which serves random reads faster
    /// than a memory map or a heap `Vec`; it is verified completely before it is returned,
    /// so later reads skip page checks. Costs one read of the whole file.
    #[cfg(feature = "mmap")]
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Segment> {
        let path = path.as_ref();
        let data = super::backing::load_file(path)?;
        let segment = Segment::from_buffer(data, &path.display().to_string())?;
        segment.verify()?;
        Ok(segment)
    }

    /// Opens a segment held in memory (the browser's way; also the hot, in-memory tier).
    /// `name` names it in errors. The bytes are not copied.
    pub fn from_bytes(bytes: Vec<u8>, name: &str) -> Result<Segment> {
        Segment::from_buffer(Buffer::from_vec(bytes), name)
    }

    /// Opens a segment held in an Arrow buffer (which may wrap any memory). Not copied.
    pub fn from_buffer(data: Buffer, name: &str) -> Result<Segment> {
        let file_len = data.len();
        let trailer_at = file_len
            .checked_sub(TRAILER_LEN)
            .filter(|&t| t >= HEADER_LEN)
            .ok_or_else(|| {
                Error::corrupt(
                    name,
                    "trailer",
                    format!("file of {file_len} bytes is too short to be a segment"),
                )
            })?;
        let (version, footer) = read_footer(&data, trailer_at, name)?;
        let pages = Pages::new(
            footer.page_size_log2,
            to_usize(footer.body_len, name)?,
            footer.table_crcs.clone(),
        );
        let spans = footer
            .sections
            .iter()
            .map(|s| {
                Ok(Span {
                    start: to_usize(s.offset, name)?,
                    len: to_usize(s.len, name)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let section_names = section_names(&footer);
        let schema = schema_of(&footer);
        let segment = Segment {
            name: Arc::from(name),
            data,
            partial: footer.has_partial_rows(),
            footer,
            pages,
            spans,
            version,
            section_names,
            schema,
        };
        segment.check_header()?;
        Ok(segment)
    }

    fn check_header(&self) -> Result<()> {
        let bad = |detail: &str| Error::corrupt(&self.name, "header", detail);
        self.pages
            .ensure(&self.data, 0, HEADER_LEN)
            .map_err(|_| bad("checksum mismatch"))?;
        let header = self.data.get(..HEADER_LEN).ok_or_else(|| bad("missing"))?;
        check_header_bytes(header, self.version, &self.name)
    }

    /// The name used in errors: the path, or the name given to in-memory bytes.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The segment's schema: the key column first (non-null), then the other columns.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// The key column's name.
    pub fn key_name(&self) -> &str {
        &self.footer.key.name
    }

    /// Rows in the segment.
    pub fn row_count(&self) -> u64 {
        self.footer.row_count
    }

    /// The file's format version (1 or 2; see `docs/FORMAT.md`).
    pub fn format_version(&self) -> u32 {
        self.version
    }

    /// The file's size in bytes.
    pub fn file_len(&self) -> u64 {
        self.data.len() as u64
    }

    /// Checks every byte of the segment against its checksums: every page and every section.
    /// Reads check the pages they touch anyway; this is for scrubbing and for files that
    /// crossed a network.
    pub fn verify(&self) -> Result<()> {
        self.pages
            .ensure_all(&self.data)
            .map_err(|bad| self.page_error(bad))?;
        for (i, (s, span)) in self.footer.sections.iter().zip(&self.spans).enumerate() {
            let bytes = self.data.get(span.start..span.start + span.len);
            if bytes.map(crc32fast::hash) != Some(s.crc) {
                return Err(Error::corrupt(
                    &self.name,
                    self.section_name(i as u32),
                    "section checksum mismatch",
                ));
            }
        }
        Ok(())
    }

    /// A view of section `section` for many reads: its bounds are resolved once.
    #[inline]
    pub(crate) fn view(&self, section: u32) -> Result<View<'_>> {
        let span = self
            .spans
            .get(section as usize)
            .ok_or_else(|| self.out_of_range(section, 0, 0))?;
        let bytes = self
            .data
            .get(span.start..span.start + span.len)
            .ok_or_else(|| self.out_of_range(section, 0, span.len))?;
        Ok(View {
            segment: self,
            bytes,
            start: span.start,
            section,
        })
    }

    /// The bytes of a whole section, unchecked: only for prefetch hints.
    pub(crate) fn raw_section(&self, section: u32) -> &[u8] {
        self.spans
            .get(section as usize)
            .and_then(|s| self.data.get(s.start..s.start + s.len))
            .unwrap_or_default()
    }

    #[cold]
    pub(crate) fn out_of_range(&self, section: u32, offset: usize, len: usize) -> Error {
        Error::corrupt(
            &self.name,
            self.section_name(section),
            format!("a reference to {len} bytes at {offset} lies beyond the section"),
        )
    }

    #[cold]
    pub(crate) fn page_error(&self, BadPage(at): BadPage) -> Error {
        let section = self
            .spans
            .iter()
            .position(|s| at < s.start + s.len && at + (1 << self.footer.page_size_log2) > s.start)
            .map_or_else(|| "page table".to_owned(), |i| self.section_name(i as u32));
        Error::corrupt(
            &self.name,
            section,
            format!("checksum mismatch in the page at byte {at}"),
        )
    }

    /// A readable name for section `i`: "key index", "column 'f0' offsets", ...
    pub(crate) fn section_name(&self, i: u32) -> String {
        self.section_names
            .get(i as usize)
            .cloned()
            .unwrap_or_else(|| format!("section {i}"))
    }

    /// The column named `name` (the key column included).
    pub(crate) fn column(&self, name: &str) -> Result<&ColumnDesc> {
        std::iter::once(&self.footer.key)
            .chain(&self.footer.columns)
            .find(|c| c.name == name)
            .ok_or_else(|| Error::UnknownColumn {
                column: name.to_owned(),
                container: format!("segment '{}'", self.name),
            })
    }
}

/// One section, resolved for repeated checked reads.
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    segment: &'a Segment,
    /// The section's bytes, unchecked (for prefetch hints and lengths).
    pub(crate) bytes: &'a [u8],
    start: usize,
    pub(crate) section: u32,
}

impl<'a> View<'a> {
    /// `len` bytes at `offset` in the section, after checking their pages.
    #[inline(always)]
    pub(crate) fn get(&self, offset: usize, len: usize) -> Result<&'a [u8]> {
        let end = offset.wrapping_add(len);
        match self.bytes.get(offset..end) {
            Some(b) if end >= offset => {
                if let Err(bad) =
                    self.segment
                        .pages
                        .ensure(&self.segment.data, self.start + offset, len)
                {
                    return Err(self.segment.page_error(bad));
                }
                Ok(b)
            }
            _ => Err(self.segment.out_of_range(self.section, offset, len)),
        }
    }
}

/// The file's format version and its decoded, validated footer.
fn read_footer(data: &[u8], trailer_at: usize, name: &str) -> Result<(u32, Footer)> {
    let trailer = parse_trailer(
        data.get(trailer_at..).unwrap_or_default(),
        trailer_at as u64,
        name,
    )?;
    let footer = data
        .get(trailer_at - trailer.footer_len as usize..trailer_at)
        .ok_or_else(|| Error::corrupt(name, "footer", "out of range"))?;
    Ok((trailer.version, trailer.decode_footer(footer, name)?))
}

/// The schema of a segment with `footer`: the key column first (non-null), then the others.
pub(crate) fn schema_of(footer: &Footer) -> SchemaRef {
    let mut fields = vec![Field::new(
        footer.key.name.clone(),
        footer.key.column_type.to_arrow(),
        false,
    )];
    fields.extend(
        footer
            .columns
            .iter()
            .map(|c| Field::new(c.name.clone(), c.column_type.to_arrow(), c.nullable)),
    );
    Arc::new(Schema::new(fields))
}

fn to_usize(v: u64, name: &str) -> Result<usize> {
    usize::try_from(v).map_err(|_| {
        Error::corrupt(
            name,
            "footer",
            "offset beyond this platform's address space",
        )
    })
}

fn section_names(footer: &Footer) -> Vec<String> {
    let mut names: Vec<String> = footer
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| format!("section {i} ({:?})", s.kind))
        .collect();
    let mut name = |i: u32, what: String| {
        if let Some(n) = names.get_mut(i as usize) {
            *n = what;
        }
    };
    name(footer.index_section, "key index".to_owned());
    for (gi, g) in footer.groups.iter().enumerate() {
        let members: Vec<&str> = std::iter::once(&footer.key)
            .chain(&footer.columns)
            .filter(|c| matches!(c.storage, Storage::Fixed { group, .. } if group as usize == gi))
            .map(|c| c.name.as_str())
            .collect();
        name(
            g.section,
            format!("row group of '{}'", members.join("', '")),
        );
    }
    for c in std::iter::once(&footer.key).chain(&footer.columns) {
        if let Storage::Variable {
            offsets,
            data,
            validity,
        } = c.storage
        {
            name(offsets, format!("column '{}' offsets", c.name));
            name(data, format!("column '{}' data", c.name));
            name(validity, format!("column '{}' validity", c.name));
        }
    }
    // A presence section may be shared by several columns.
    let mut presence: std::collections::BTreeMap<u32, Vec<&str>> = Default::default();
    for c in footer.columns.iter().filter(|c| c.presence != NONE) {
        presence.entry(c.presence).or_default().push(&c.name);
    }
    for (i, columns) in presence {
        name(i, format!("presence of '{}'", columns.join("', '")));
    }
    name(footer.tombstones, "tombstones".to_owned());
    names
}
