//! The checks of a file's two ends, shared by a local open ([`super::Segment`]) and a
//! remote one ([`super::remote::RemoteSegment`]): the trailer, the footer's CRC and the
//! header (`docs/FORMAT.md` §10.3).

use zerocopy::FromBytes;

use super::layout::{
    FORMAT_VERSION, Footer, MAGIC, MAX_FOOTER_LEN, MIN_FORMAT_VERSION, TAIL_MAGIC, Trailer,
};
use crate::{Error, Result};

/// A trailer that passed the checks of `docs/FORMAT.md` §10.3 steps 2-6.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TrailerInfo {
    pub(crate) version: u32,
    pub(crate) footer_offset: u64,
    pub(crate) footer_len: u64,
    footer_crc: u32,
}

/// Checks the 64 trailer bytes found at file offset `trailer_at` (§10.3 steps 2-6): magic,
/// CRC, version, flags and a footer that ends where the trailer starts.
pub(crate) fn parse_trailer(bytes: &[u8], trailer_at: u64, name: &str) -> Result<TrailerInfo> {
    let bad = |detail: &str| Error::corrupt(name, "trailer", detail);
    let trailer = Trailer::ref_from_bytes(bytes).map_err(|_| bad("wrong size"))?;
    if trailer.magic != MAGIC || trailer.tail != TAIL_MAGIC {
        return Err(bad("not a libmurr segment (bad magic)"));
    }
    if bytes.get(..56).map(crc32fast::hash) != Some(trailer.trailer_crc.get()) {
        return Err(bad("checksum mismatch"));
    }
    let version = trailer.version.get();
    if !(MIN_FORMAT_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(Error::UnsupportedVersion {
            file: name.to_owned(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if trailer.flags.get() != 0 || trailer.reserved != [0; 20] {
        return Err(bad("unknown flags or reserved bytes set"));
    }
    let footer_offset = trailer.footer_offset.get();
    let footer_len = trailer.footer_len.get();
    if footer_len > MAX_FOOTER_LEN || footer_offset.checked_add(footer_len) != Some(trailer_at) {
        return Err(bad("footer location does not end at the trailer"));
    }
    Ok(TrailerInfo {
        version,
        footer_offset,
        footer_len,
        footer_crc: trailer.footer_crc.get(),
    })
}

impl TrailerInfo {
    /// Checks the footer's bytes against the trailer's CRC, then decodes and validates them
    /// (§10.3 steps 7-9).
    pub(crate) fn decode_footer(&self, footer: &[u8], name: &str) -> Result<Footer> {
        if footer.len() as u64 != self.footer_len || crc32fast::hash(footer) != self.footer_crc {
            return Err(Error::corrupt(name, "footer", "checksum mismatch"));
        }
        Footer::decode(footer, self.version, self.footer_offset, name)
    }
}

/// Checks the 16 header bytes of a file whose trailer says `version` (§10.3 step 11, after
/// its page is verified).
pub(crate) fn check_header_bytes(header: &[u8], version: u32, name: &str) -> Result<()> {
    let bad = |detail: &str| Error::corrupt(name, "header", detail);
    if header.get(..8) != Some(&MAGIC[..]) {
        return Err(bad("not a libmurr segment (bad magic)"));
    }
    if header.get(8..12) != Some(&version.to_le_bytes()[..]) {
        return Err(bad("header version differs from the trailer's"));
    }
    if header.get(12..16) != Some(&[0u8; 4][..]) {
        return Err(bad("unknown header flags set"));
    }
    Ok(())
}
