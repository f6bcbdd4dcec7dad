//! Shared code of the fuzz targets: driving every read path of a segment opened from
//! untrusted bytes (and the deletion-vector decoders, `dv.rs`, and the WASM reader's own
//! parsers, `wasm.rs`, and the write-ahead log reader, `wal.rs`), and resealing mutated bytes' checksums so that mutations get past the
//! CRCs and reach the footer validator and the readers.
//!
//! A segment from untrusted bytes may fail to open or fail any read with an error; it must
//! never panic, hang, allocate without bound or read out of bounds.

mod dv;
mod exercise;
mod remote;
mod wal;
mod wasm;

pub use dv::exercise_dv;
pub use exercise::exercise;
pub use remote::exercise_remote;
pub use wal::{exercise_wal, reseal as reseal_wal};
pub use wasm::exercise_wasm;

const TRAILER_LEN: usize = 64;
const SECTION_ENTRY_LEN: usize = 21;

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    if let Some(dst) = at.checked_add(4).and_then(|end| b.get_mut(at..end)) {
        dst.copy_from_slice(&v.to_le_bytes());
    }
}

/// Recomputes, where the structure allows, every checksum of a (mutated) segment: the
/// section CRCs in the footer, the page table, the page table's CRCs in the footer, the
/// footer CRC and the trailer CRC. Uses only what the bytes say (see `docs/FORMAT.md`), so
/// that whatever the mutation, the reader sees consistent checksums and has to judge the
/// structure itself.
pub fn reseal(b: &mut [u8]) {
    let Some(t) = b.len().checked_sub(TRAILER_LEN) else {
        return;
    };
    let footer = match (u64_at(b, t + 16), u64_at(b, t + 24)) {
        (Some(off), Some(len)) if off.checked_add(len) == Some(t as u64) => Some(off as usize),
        _ => None,
    };
    if let Some(fo) = footer {
        reseal_footer(b, fo, t);
        let crc = crc32fast::hash(b.get(fo..t).unwrap_or_default());
        put_u32(b, t + 32, crc);
    }
    let crc = crc32fast::hash(b.get(t..t + 56).unwrap_or_default());
    put_u32(b, t + 56, crc);
}

fn reseal_footer(b: &mut [u8], fo: usize, t: usize) {
    let (Some(&log2), Some(body_len)) = (b.get(fo + 8), u64_at(b, fo + 9)) else {
        return;
    };
    if !(9..=24).contains(&log2) || body_len > fo as u64 {
        return;
    }
    let body_len = body_len as usize;
    // Section CRCs.
    let n = u32_at(b, fo + 29).unwrap_or(0) as usize;
    for i in 0..n {
        let at = fo + 33 + i * SECTION_ENTRY_LEN;
        if at + SECTION_ENTRY_LEN > t {
            break;
        }
        let (Some(off), Some(len)) = (u64_at(b, at + 1), u64_at(b, at + 9)) else {
            break;
        };
        let Some(end) = off.checked_add(len).filter(|&e| e <= b.len() as u64) else {
            continue;
        };
        let crc = crc32fast::hash(b.get(off as usize..end as usize).unwrap_or_default());
        put_u32(b, at + 17, crc);
    }
    // The page table.
    let page = 1usize << log2;
    let pages = body_len.div_ceil(page);
    let table_len = pages * 4;
    if body_len + table_len > fo {
        return;
    }
    for p in 0..pages {
        let start = p * page;
        let end = (start + page).min(body_len);
        let crc = crc32fast::hash(b.get(start..end).unwrap_or_default());
        put_u32(b, body_len + p * 4, crc);
    }
    // The page table's CRCs: a count then the CRCs, last in the footer or followed by a
    // partial-rows block (format version 2).
    let k = table_len.div_ceil(page);
    let Some(end) = table_crcs_end(b, fo, t, k) else {
        return;
    };
    for j in 0..k {
        let start = body_len + j * page;
        let end_of_page = (start + page).min(body_len + table_len);
        let crc = crc32fast::hash(b.get(start..end_of_page).unwrap_or_default());
        put_u32(b, end - 4 * k + j * 4, crc);
    }
}

/// Where the footer's `table_crcs` (`k` of them, after their count) end, found by walking
/// the footer's structure from its start (sections, groups, the key and column descriptors):
/// at the footer's end, or before a version-2 partial-rows block.
fn table_crcs_end(b: &[u8], fo: usize, t: usize, k: usize) -> Option<usize> {
    let footer = b.get(fo..t)?;
    let mut at = 29;
    let n = u32_at(footer, at)? as usize;
    at = at.checked_add(4 + n.checked_mul(SECTION_ENTRY_LEN)?)?;
    let groups = u32_at(footer, at)? as usize;
    at = at.checked_add(4 + groups.checked_mul(12)?)?;
    at = skip_column(footer, at)?;
    let columns = u32_at(footer, at)? as usize;
    at += 4;
    for _ in 0..columns {
        at = skip_column(footer, at)?;
    }
    (u32_at(footer, at)? as usize == k).then_some(())?;
    let end = at.checked_add(4 + 4 * k)?;
    (end <= footer.len()).then_some(fo + end)
}

/// The end of the column descriptor at `at` (see `docs/FORMAT.md`, §5.4 and §5.5).
fn skip_column(f: &[u8], mut at: usize) -> Option<usize> {
    let string = |at: usize| -> Option<usize> {
        let len = u16::from_le_bytes(f.get(at..at + 2)?.try_into().ok()?);
        Some(at + 2 + usize::from(len))
    };
    at = string(at)?;
    let code = *f.get(at)?;
    at += 1;
    match code {
        16 => {
            let has_tz = *f.get(at + 1)?;
            at += 2;
            if has_tz == 1 {
                at = string(at)?;
            }
        }
        17 => at = string(at + 5)? + 1,
        _ => {}
    }
    // nullable, storage tag, then 16 (fixed) or 12 (variable) bytes.
    let storage = *f.get(at + 1)?;
    Some(at + 2 + if storage == 0 { 16 } else { 12 })
}

#[cfg(test)]
mod tests {
    /// Resealing a valid segment changes nothing, with or without a partial-rows block.
    #[test]
    fn resealing_the_seeds_changes_nothing() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/segment_read");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue;
            };
            let mut sealed = bytes.clone();
            damage_checksums(&mut sealed);
            assert!(sealed != bytes);
            super::reseal(&mut sealed);
            let diff: Vec<usize> = (0..bytes.len())
                .filter(|&i| sealed[i] != bytes[i])
                .collect();
            assert!(sealed == bytes, "{} {diff:?}", entry.path().display());
            seen += 1;
        }
        assert!(seen >= 8);
    }

    /// The remote reader survives resealed mutations of the seeds (a quick stand-in for the
    /// `remote_read` target where cargo-fuzz is not installed): each seed with one byte
    /// changed at a spread of places, its checksums recomputed, read remotely.
    #[test]
    fn remote_reader_survives_resealed_mutations() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/segment_read");
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue;
            };
            let step = (bytes.len() / 400).max(1);
            for at in (0..bytes.len()).step_by(step) {
                for v in [0u8, 1, 0x80, 0xFF] {
                    let mut b = bytes.clone();
                    b[at] = b[at].wrapping_add(1) ^ v;
                    super::reseal(&mut b);
                    super::exercise_remote(&b);
                }
            }
        }
    }

    /// Zeroes the page table, the page table's CRCs in the footer (before the partial-rows
    /// block, if any), the section CRCs and the footer and trailer CRCs.
    fn damage_checksums(b: &mut [u8]) {
        use murr_core::segment::layout::Footer;
        let t = b.len() - super::TRAILER_LEN;
        let version = super::u32_at(b, t + 8).unwrap_or(0);
        let (fo, fl) = (
            super::u64_at(b, t + 16).unwrap_or(0) as usize,
            t - super::u64_at(b, t + 16).unwrap_or(0) as usize,
        );
        let Ok(footer) = Footer::decode(&b[fo..t], version, fo as u64, "seed") else {
            panic!("a seed's footer does not decode");
        };
        let block = if footer.has_partial_rows() {
            8 + 4 * footer.columns.len()
        } else {
            0
        };
        let end = fo + fl - block;
        b[end - 4 * footer.table_crcs.len()..end].fill(0);
        b[footer.body_len as usize..fo].fill(0);
        for i in 0..footer.sections.len() {
            super::put_u32(b, fo + 33 + i * super::SECTION_ENTRY_LEN + 17, 0);
        }
        super::put_u32(b, t + 32, 0);
        super::put_u32(b, t + 56, 0);
    }
}
