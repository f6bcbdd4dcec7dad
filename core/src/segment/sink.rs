//! The writing side of integrity: a sink that lays sections out at aligned offsets and
//! computes the section CRC32s and the page checksum table as the bytes go by.

use std::io::Write;

use super::layout::{SECTION_ALIGN, SectionDesc, SectionKind};

/// Writes a segment's body, section by section.
pub(crate) struct Sink<W: Write> {
    out: W,
    pos: u64,
    page_size: u64,
    page_crcs: Vec<u32>,
    page: crc32fast::Hasher,
    section: Option<(SectionKind, u64, crc32fast::Hasher)>,
    sections: Vec<SectionDesc>,
}

impl<W: Write> Sink<W> {
    /// A sink at offset 0 that checksums pages of `2^page_size_log2` bytes.
    pub(crate) fn new(out: W, page_size_log2: u8) -> Self {
        Sink {
            out,
            pos: 0,
            page_size: 1 << page_size_log2,
            page_crcs: Vec::new(),
            page: crc32fast::Hasher::new(),
            section: None,
            sections: Vec::new(),
        }
    }

    /// Writes body bytes, feeding the page checksums and the open section's checksum.
    pub(crate) fn write(&mut self, mut bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)?;
        if let Some((_, _, h)) = &mut self.section {
            h.update(bytes);
        }
        while !bytes.is_empty() {
            let room = (self.page_size - self.pos % self.page_size) as usize;
            let (now, rest) = bytes.split_at(room.min(bytes.len()));
            self.page.update(now);
            self.pos += now.len() as u64;
            if self.pos.is_multiple_of(self.page_size) {
                let done = std::mem::take(&mut self.page);
                self.page_crcs.push(done.finalize());
            }
            bytes = rest;
        }
        Ok(())
    }

    /// Zero-pads to the next section boundary.
    fn align(&mut self) -> std::io::Result<()> {
        let pad = (SECTION_ALIGN - self.pos % SECTION_ALIGN) % SECTION_ALIGN;
        self.write(&[0u8; SECTION_ALIGN as usize][..pad as usize])
    }

    /// Starts a section of `kind` at the next aligned offset.
    pub(crate) fn begin(&mut self, kind: SectionKind) -> std::io::Result<()> {
        self.align()?;
        self.section = Some((kind, self.pos, crc32fast::Hasher::new()));
        Ok(())
    }

    /// Ends the open section and returns its number.
    pub(crate) fn end(&mut self) -> u32 {
        if let Some((kind, offset, h)) = self.section.take() {
            self.sections.push(SectionDesc {
                kind,
                offset,
                len: self.pos - offset,
                crc: h.finalize(),
            });
        }
        (self.sections.len() - 1) as u32
    }

    /// Writes a whole section and returns its number.
    pub(crate) fn section(&mut self, kind: SectionKind, bytes: &[u8]) -> std::io::Result<u32> {
        self.begin(kind)?;
        self.write(bytes)?;
        Ok(self.end())
    }

    /// Ends the body: returns the writer, the body length, the page checksums and the
    /// section table.
    pub(crate) fn finish(mut self) -> std::io::Result<(W, u64, Vec<u32>, Vec<SectionDesc>)> {
        self.align()?;
        if !self.pos.is_multiple_of(self.page_size) {
            self.page_crcs.push(self.page.finalize());
        }
        Ok((self.out, self.pos, self.page_crcs, self.sections))
    }
}
