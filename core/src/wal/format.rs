//! The bytes of a log: blocks, the physical record header, the masked CRC and the file
//! header. `docs/WAL.md` specifies them; this file is the code of that specification.

use crate::{Error, Result};

/// A log is a sequence of blocks of this many bytes; no physical record crosses a block
/// boundary.
pub const BLOCK_SIZE: usize = 32 * 1024;

/// Bytes of a physical record header: crc32 (u32), length (u16), type (u8).
pub const HEADER_LEN: usize = 7;

/// The longest logical record a log holds (1 GiB).
pub const MAX_RECORD_LEN: usize = 1 << 30;

/// The magic at the start of every log's file header.
pub const MAGIC: [u8; 8] = *b"MURRWAL\0";

/// The log format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// XORed into every record CRC, so that a checksum over data that itself holds a log (or a
/// record of zeros) is not a valid checksum of it. (The value is RocksDB's mask delta.)
pub const CRC_MASK: u32 = 0xA282_EAD8;

/// Bytes of the file header payload of version 1: magic, version, log number, first seq.
pub(crate) const FILE_HEADER_LEN: usize = 28;

/// Where a physical record sits in its logical record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A whole logical record.
    Full = 1,
    /// The first fragment of a logical record.
    First = 2,
    /// A fragment that is neither the first nor the last.
    Middle = 3,
    /// The last fragment of a logical record.
    Last = 4,
}

impl Kind {
    fn from_u8(byte: u8) -> Option<Kind> {
        match byte {
            1 => Some(Kind::Full),
            2 => Some(Kind::First),
            3 => Some(Kind::Middle),
            4 => Some(Kind::Last),
            _ => None,
        }
    }

    /// The name used in messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Full => "FULL",
            Kind::First => "FIRST",
            Kind::Middle => "MIDDLE",
            Kind::Last => "LAST",
        }
    }
}

/// The stored checksum of a physical record: CRC32 of the type byte followed by the
/// payload, XOR [`CRC_MASK`].
pub(crate) fn checksum(kind: u8, payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&[kind]);
    h.update(payload);
    h.finalize() ^ CRC_MASK
}

/// The header of a physical record of `kind` holding `payload` (at most a block).
pub(crate) fn record_header(kind: Kind, payload: &[u8]) -> [u8; HEADER_LEN] {
    let crc = checksum(kind as u8, payload).to_le_bytes();
    let len = (payload.len() as u16).to_le_bytes();
    [crc[0], crc[1], crc[2], crc[3], len[0], len[1], kind as u8]
}

/// What a reader finds at a position of a block.
#[derive(Debug)]
pub(crate) enum Physical<'a> {
    /// A physical record whose checksum matches.
    Record {
        /// Its type.
        kind: Kind,
        /// Its payload.
        payload: &'a [u8],
    },
    /// Fewer than [`HEADER_LEN`] bytes remain in the block: padding up to its end.
    Trailer,
    /// The file ends here, at a record boundary.
    End,
    /// Not a valid record.
    Bad {
        /// What is wrong, for messages.
        detail: String,
        /// Where in the block the next record would start if the length field is right
        /// (it fits in the block), for resynchronising.
        next: Option<usize>,
    },
}

/// Parses the physical record at offset `at` of a block whose bytes present in the file
/// are `block` (shorter than [`BLOCK_SIZE`] only for the file's last block).
pub(crate) fn parse(block: &[u8], at: usize) -> Physical<'_> {
    let room = BLOCK_SIZE.saturating_sub(at);
    if room < HEADER_LEN {
        return Physical::Trailer;
    }
    let rest = block.get(at..).unwrap_or_default();
    if rest.is_empty() {
        return Physical::End;
    }
    let Some(&[c0, c1, c2, c3, l0, l1, kind]) = rest.get(..HEADER_LEN) else {
        return Physical::Bad {
            detail: format!(
                "the file ends inside the record's header ({} of {HEADER_LEN} bytes)",
                rest.len()
            ),
            next: None,
        };
    };
    let len = usize::from(u16::from_le_bytes([l0, l1]));
    let fits = len <= room - HEADER_LEN;
    let next = fits.then_some(at + HEADER_LEN + len);
    let bad = |detail: String| Physical::Bad { detail, next };
    if !fits {
        return bad(format!(
            "length {len} runs past the end of its block ({} bytes left after the header)",
            room - HEADER_LEN
        ));
    }
    let Some(known) = Kind::from_u8(kind) else {
        return bad(if kind == 0 {
            format!("zero (padding) header with {room} bytes left in the block")
        } else {
            format!("unknown record type {kind}")
        });
    };
    let Some(payload) = rest.get(HEADER_LEN..HEADER_LEN + len) else {
        return Physical::Bad {
            detail: format!(
                "the file ends inside the record's payload ({} of {len} bytes)",
                rest.len() - HEADER_LEN
            ),
            next: None,
        };
    };
    let stored = u32::from_le_bytes([c0, c1, c2, c3]);
    if checksum(kind, payload) != stored {
        return bad("checksum mismatch".to_owned());
    }
    Physical::Record {
        kind: known,
        payload,
    }
}

/// The file header payload: magic, version, log number, first sequence number.
pub(crate) fn file_header(log_number: u64, first_seq: u64) -> [u8; FILE_HEADER_LEN] {
    let mut out = [0u8; FILE_HEADER_LEN];
    let (magic, rest) = out.split_at_mut(8);
    let (version, rest) = rest.split_at_mut(4);
    let (log, seq) = rest.split_at_mut(8);
    magic.copy_from_slice(&MAGIC);
    version.copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    log.copy_from_slice(&log_number.to_le_bytes());
    seq.copy_from_slice(&first_seq.to_le_bytes());
    out
}

/// Decodes a file header payload into (log number, first sequence number).
pub(crate) fn decode_file_header(file: &str, payload: &[u8]) -> Result<(u64, u64)> {
    let bad = |detail: &str| Error::corrupt(file, "WAL file header", detail);
    let field = |range: std::ops::Range<usize>| payload.get(range).unwrap_or_default();
    if field(0..8) != MAGIC {
        return Err(bad("not a libmurr write-ahead log (bad magic)"));
    }
    let version = field(8..12)
        .try_into()
        .map(u32::from_le_bytes)
        .map_err(|_| bad("too short for a version"))?;
    if version != FORMAT_VERSION {
        return Err(Error::UnsupportedVersion {
            file: file.to_owned(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if payload.len() != FILE_HEADER_LEN {
        return Err(bad(&format!(
            "{} bytes where version 1 has {FILE_HEADER_LEN}",
            payload.len()
        )));
    }
    let u64_at = |at: usize| {
        field(at..at + 8)
            .try_into()
            .map(u64::from_le_bytes)
            .unwrap_or_default()
    };
    Ok((u64_at(12), u64_at(20)))
}
