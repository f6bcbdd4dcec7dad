//! Taking a segment apart and sealing it again with every checksum recomputed, for tests
//! that craft files whose checksums are right but whose contents are not.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use murr_core::segment::layout::{ColumnDesc, Footer, Storage, TRAILER_LEN};

/// A segment taken apart: its body (everything the page checksums cover), its footer and
/// its trailer.
#[derive(Clone)]
pub struct Parts {
    pub body: Vec<u8>,
    pub footer: Footer,
    pub trailer: [u8; TRAILER_LEN],
}

pub fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

pub fn split(bytes: &[u8]) -> Parts {
    let trailer: [u8; TRAILER_LEN] = bytes[bytes.len() - TRAILER_LEN..].try_into().unwrap();
    let (offset, len) = (u64_at(&trailer, 16), u64_at(&trailer, 24));
    let version = u32::from_le_bytes(trailer[8..12].try_into().unwrap());
    let footer = Footer::decode(
        &bytes[offset as usize..(offset + len) as usize],
        version,
        offset,
        "crafted",
    )
    .unwrap();
    Parts {
        body: bytes[..footer.body_len as usize].to_vec(),
        footer,
        trailer,
    }
}

impl Parts {
    /// The file, with every checksum recomputed over what is there: page table, its page
    /// CRCs, section CRCs (of sections that lie in the body), footer and trailer CRCs.
    pub fn seal(&self) -> Vec<u8> {
        self.seal_with(|_, _| {})
    }

    /// As `seal`, letting `edit` change the footer's bytes and the trailer (before the
    /// trailer's CRC) last.
    pub fn seal_with(&self, edit: impl FnOnce(&mut Vec<u8>, &mut [u8; TRAILER_LEN])) -> Vec<u8> {
        let mut footer = self.footer.clone();
        let page = 1usize << footer.page_size_log2.clamp(9, 24);
        let table: Vec<u8> = self
            .body
            .chunks(page)
            .flat_map(|p| crc32fast::hash(p).to_le_bytes())
            .collect();
        footer.table_crcs = table.chunks(page).map(crc32fast::hash).collect();
        for s in &mut footer.sections {
            if let Some(bytes) = self
                .body
                .get(s.offset as usize..s.offset.saturating_add(s.len) as usize)
            {
                s.crc = crc32fast::hash(bytes);
            }
        }
        let mut out = self.body.clone();
        out.extend_from_slice(&table);
        let footer_offset = out.len() as u64;
        let mut footer_bytes = footer.encode();
        let mut trailer = self.trailer;
        trailer[16..24].copy_from_slice(&footer_offset.to_le_bytes());
        trailer[24..32].copy_from_slice(&(footer_bytes.len() as u64).to_le_bytes());
        edit(&mut footer_bytes, &mut trailer);
        trailer[32..36].copy_from_slice(&crc32fast::hash(&footer_bytes).to_le_bytes());
        let crc = crc32fast::hash(&trailer[..56]);
        trailer[56..60].copy_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&footer_bytes);
        out.extend_from_slice(&trailer);
        out
    }

    /// The body bytes of section `i`.
    pub fn section_mut(&mut self, i: u32) -> &mut [u8] {
        let s = &self.footer.sections[i as usize];
        &mut self.body[s.offset as usize..(s.offset + s.len) as usize]
    }

    pub fn column(&mut self, name: &str) -> &mut ColumnDesc {
        if self.footer.key.name == name {
            return &mut self.footer.key;
        }
        self.footer
            .columns
            .iter_mut()
            .find(|c| c.name == name)
            .unwrap()
    }

    pub fn variable(&self, name: &str) -> (u32, u32, u32) {
        let c = std::iter::once(&self.footer.key)
            .chain(&self.footer.columns)
            .find(|c| c.name == name)
            .unwrap();
        match c.storage {
            Storage::Variable {
                offsets,
                data,
                validity,
            } => (offsets, data, validity),
            Storage::Fixed { .. } => panic!("{name} is fixed"),
        }
    }

    pub fn scalar_group(&self) -> usize {
        match self.footer.columns[0].storage {
            Storage::Fixed { group, .. } => group as usize,
            Storage::Variable { .. } => panic!("score is variable"),
        }
    }
}

pub fn set_u64(bytes: &mut [u8], i: usize, v: u64) {
    bytes[i * 8..i * 8 + 8].copy_from_slice(&v.to_le_bytes());
}

pub fn get_u64(bytes: &[u8], i: usize) -> u64 {
    u64_at(bytes, i * 8)
}
