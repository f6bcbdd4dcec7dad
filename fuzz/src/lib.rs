//! Shared code of the fuzz targets: driving every read path of a segment opened from
//! untrusted bytes, and resealing mutated bytes' checksums so that mutations get past the
//! CRCs and reach the footer validator and the readers.
//!
//! A segment from untrusted bytes may fail to open or fail any read with an error; it must
//! never panic, hang, allocate without bound or read out of bounds.

mod exercise;

pub use exercise::exercise;

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
        (Some(off), Some(len)) if off.checked_add(len) == Some(t as u64) => {
            Some((off as usize, len as usize))
        }
        _ => None,
    };
    if let Some((fo, fl)) = footer {
        reseal_footer(b, fo, fl, t);
        let crc = crc32fast::hash(b.get(fo..t).unwrap_or_default());
        put_u32(b, t + 32, crc);
    }
    let crc = crc32fast::hash(b.get(t..t + 56).unwrap_or_default());
    put_u32(b, t + 56, crc);
}

fn reseal_footer(b: &mut [u8], fo: usize, fl: usize, t: usize) {
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
    // The page table's CRCs: the footer's last field, a count then the CRCs.
    let k = table_len.div_ceil(page);
    if 4 * k + 4 > fl || u32_at(b, t - 4 * k - 4) != Some(k as u32) {
        return;
    }
    for j in 0..k {
        let start = body_len + j * page;
        let end = (start + page).min(body_len + table_len);
        let crc = crc32fast::hash(b.get(start..end).unwrap_or_default());
        put_u32(b, t - 4 * k + j * 4, crc);
    }
}
