//! The bytes of a manifest file: a fixed header, the payload, a CRC32 of everything before
//! it. `docs/MANIFEST.md` §2-§3 specifies them; this file is the code of that
//! specification. Decoding trusts nothing: every count is checked against the bytes left
//! before anything is allocated, and every rule of §4 is checked before a manifest is
//! returned.

use super::model::{ColumnMeta, DeletesMeta, Manifest, SegmentMeta, TableMeta};
use super::validate::check;
use crate::types::{ColumnType, Cursor, put_str};
use crate::{Error, Result};

/// The magic at the start of every manifest file.
pub const MAGIC: [u8; 8] = *b"MURRMAN\0";

/// The manifest format version this build writes. It reads this one and every older one
/// (version 1 has no deletion vectors).
pub const FORMAT_VERSION: u32 = 2;

/// The oldest format version this build reads.
const OLDEST_VERSION: u32 = 1;

/// Bytes of the header: magic, version (u32), flags (u32), payload length (u64).
pub const HEADER_LEN: usize = 24;

/// Bytes of the CRC32 that ends the file.
const CRC_LEN: usize = 4;

/// The section named in every [`Error::Corrupt`] about a manifest.
const SECTION: &str = "manifest";

/// The fewest payload bytes a table, a column and a segment take: they bound counts
/// before anything is allocated.
const MIN_TABLE_LEN: usize = 8 + 2 + 2 + 4 + 4;
const MIN_COLUMN_LEN: usize = 2 + 1 + 1;
const SEGMENT_LEN: usize = 8 + 1 + 8 + 8 + 8 + 8;

impl Manifest {
    /// The manifest as the bytes of a manifest file. Fails with
    /// [`Error::InvalidManifest`] if it breaks a rule of the format (duplicate names or
    /// ids, a missing or unsuitable key column, a segment outside the counters, a name
    /// over 65,535 bytes...): a manifest that could not be read back is never written.
    pub fn encode(&self) -> Result<Vec<u8>> {
        check(self).map_err(Error::InvalidManifest)?;
        let mut p = Vec::with_capacity(256);
        p.extend_from_slice(&self.number.to_le_bytes());
        p.extend_from_slice(&self.last_flushed_seq.to_le_bytes());
        p.extend_from_slice(&self.next_file_number.to_le_bytes());
        put_count(&mut p, self.tables.len(), "tables")?;
        for t in &self.tables {
            p.extend_from_slice(&t.id.to_le_bytes());
            put_str(&mut p, &t.name);
            put_str(&mut p, &t.key_column);
            put_count(&mut p, t.columns.len(), "columns")?;
            for c in &t.columns {
                put_str(&mut p, &c.name);
                put_type(&mut p, &t.name, c)?;
                p.push(u8::from(c.nullable));
            }
            put_count(&mut p, t.segments.len(), "segments")?;
            for s in &t.segments {
                p.extend_from_slice(&s.file_number.to_le_bytes());
                p.push(s.level);
                for v in [s.rows, s.bytes, s.min_seq, s.max_seq] {
                    p.extend_from_slice(&v.to_le_bytes());
                }
                match &s.deletes {
                    None => p.push(0),
                    Some(d) => {
                        p.push(1);
                        for v in [d.file_number, d.rows, d.bytes] {
                            p.extend_from_slice(&v.to_le_bytes());
                        }
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(HEADER_LEN + p.len() + CRC_LEN);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(p.len() as u64).to_le_bytes());
        out.extend_from_slice(&p);
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        Ok(out)
    }

    /// Reads the bytes of a manifest file; `file_name` names it in errors. Any damage is
    /// an [`Error::Corrupt`] with section `"manifest"`; a file of another format version
    /// is [`Error::UnsupportedVersion`]. Never panics, whatever the bytes; allocates no
    /// more than a small multiple of their length.
    pub fn decode(bytes: &[u8], file_name: &str) -> Result<Manifest> {
        let corrupt = |detail: String| Error::corrupt(file_name, SECTION, detail);
        let mut cur = Cursor::new(bytes);
        if cur.take(MAGIC.len()) != Some(&MAGIC[..]) {
            return Err(corrupt(format!(
                "not a manifest: the file does not start with the magic \"MURRMAN\\0\" \
                 ({} bytes)",
                bytes.len()
            )));
        }
        let short = || corrupt(format!("truncated: {} bytes", bytes.len()));
        let version = cur.u32().ok_or_else(short)?;
        if !(OLDEST_VERSION..=FORMAT_VERSION).contains(&version) {
            return Err(Error::UnsupportedVersion {
                file: file_name.to_owned(),
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let flags = cur.u32().ok_or_else(short)?;
        let payload_len = cur.u64().ok_or_else(short)?;
        let expected = bytes
            .len()
            .checked_sub(HEADER_LEN + CRC_LEN)
            .ok_or_else(short)?;
        if flags != 0 {
            return Err(corrupt(format!(
                "flags are {flags:#x}; version {version} has none"
            )));
        }
        if payload_len != expected as u64 {
            return Err(corrupt(format!(
                "the header says {payload_len} payload bytes, the file holds {expected}"
            )));
        }
        let (body, stored) = bytes.split_at(HEADER_LEN + expected);
        let stored = u32::from_le_bytes(stored.try_into().map_err(|_| short())?);
        let actual = crc32fast::hash(body);
        if stored != actual {
            return Err(corrupt(format!(
                "checksum mismatch: stored {stored:#010x}, computed {actual:#010x}"
            )));
        }
        let mut cur = Cursor::new(body.get(HEADER_LEN..).unwrap_or_default());
        let manifest = payload(&mut cur, version).map_err(corrupt)?;
        if cur.remaining() != 0 {
            return Err(corrupt(format!(
                "{} bytes after the last table",
                cur.remaining()
            )));
        }
        check(&manifest).map_err(corrupt)?;
        Ok(manifest)
    }
}

/// Appends a u32 count, or refuses a count that does not fit.
fn put_count(out: &mut Vec<u8>, n: usize, what: &str) -> Result<()> {
    let n = u32::try_from(n)
        .map_err(|_| Error::InvalidManifest(format!("{n} {what} do not fit a u32 count")))?;
    out.extend_from_slice(&n.to_le_bytes());
    Ok(())
}

/// Appends a column's type descriptor, or refuses a type that would not read back as
/// itself (a time zone or item name over 65,535 bytes, an embedding size out of range).
fn put_type(out: &mut Vec<u8>, table: &str, c: &ColumnMeta) -> Result<()> {
    let start = out.len();
    c.column_type.encode(out);
    let written = out.get(start..).unwrap_or_default();
    if ColumnType::decode(&mut Cursor::new(written)).as_ref() != Some(&c.column_type) {
        return Err(Error::InvalidManifest(format!(
            "table '{table}': column '{}' has a type the format cannot hold: {:?}",
            c.name, c.column_type
        )));
    }
    Ok(())
}

/// Reads the payload of a format `version` file (`docs/MANIFEST.md` §3); `Err` says what
/// is wrong where.
fn payload(cur: &mut Cursor<'_>, version: u32) -> Result<Manifest, String> {
    let end = |what: &str| format!("truncated in {what}");
    let number = cur.u64().ok_or_else(|| end("the counters"))?;
    let last_flushed_seq = cur.u64().ok_or_else(|| end("the counters"))?;
    let next_file_number = cur.u64().ok_or_else(|| end("the counters"))?;
    let n_tables = count(cur, MIN_TABLE_LEN, "tables")?;
    let mut tables = Vec::with_capacity(n_tables);
    for i in 0..n_tables {
        tables.push(table(cur, version).map_err(|e| format!("table #{i}: {e}"))?);
    }
    Ok(Manifest {
        number,
        last_flushed_seq,
        next_file_number,
        tables,
    })
}

/// Reads one table.
fn table(cur: &mut Cursor<'_>, version: u32) -> Result<TableMeta, String> {
    let end = |what: &str| format!("truncated in {what}");
    let id = cur.u64().ok_or_else(|| end("the id"))?;
    let name = string(cur, "the name")?;
    let key_column = string(cur, "the key column name")?;
    let n_columns = count(cur, MIN_COLUMN_LEN, "columns")?;
    let mut columns = Vec::with_capacity(n_columns);
    for i in 0..n_columns {
        let name = string(cur, &format!("column #{i}'s name"))?;
        let column_type = ColumnType::decode(cur)
            .ok_or_else(|| format!("column '{name}': not a valid type descriptor"))?;
        let nullable = match cur.u8() {
            Some(0) => false,
            Some(1) => true,
            Some(b) => return Err(format!("column '{name}': nullable is {b}, not 0 or 1")),
            None => return Err(end(&format!("column '{name}'"))),
        };
        columns.push(ColumnMeta {
            name,
            column_type,
            nullable,
        });
    }
    let n_segments = count(cur, SEGMENT_LEN, "segments")?;
    let mut segments = Vec::with_capacity(n_segments);
    for i in 0..n_segments {
        let seg = || end(&format!("segment #{i}"));
        let file_number = cur.u64().ok_or_else(seg)?;
        let level = cur.u8().ok_or_else(seg)?;
        let mut v = [0u64; 4];
        for x in &mut v {
            *x = cur.u64().ok_or_else(seg)?;
        }
        let [rows, bytes, min_seq, max_seq] = v;
        let deletes = if version >= 2 {
            deletes(cur).map_err(|e| format!("segment #{i}: {e}"))?
        } else {
            None
        };
        segments.push(SegmentMeta {
            file_number,
            level,
            rows,
            bytes,
            min_seq,
            max_seq,
            deletes,
        });
    }
    Ok(TableMeta {
        id,
        name,
        key_column,
        columns,
        segments,
    })
}

/// A segment's optional deletion vector entry (format version 2).
fn deletes(cur: &mut Cursor<'_>) -> Result<Option<DeletesMeta>, String> {
    match cur.u8() {
        Some(0) => Ok(None),
        Some(1) => {
            let end = || "truncated in its deletion vector".to_owned();
            let file_number = cur.u64().ok_or_else(end)?;
            let rows = cur.u64().ok_or_else(end)?;
            let bytes = cur.u64().ok_or_else(end)?;
            Ok(Some(DeletesMeta {
                file_number,
                rows,
                bytes,
            }))
        }
        Some(b) => Err(format!("has_deletes is {b}, not 0 or 1")),
        None => Err("truncated before has_deletes".to_owned()),
    }
}

/// A u32 count of items of at least `min_len` bytes each, refused if the bytes left
/// cannot hold that many.
fn count(cur: &mut Cursor<'_>, min_len: usize, what: &str) -> Result<usize, String> {
    let n = cur
        .u32()
        .ok_or_else(|| format!("truncated in the count of {what}"))?;
    let n = usize::try_from(n).map_err(|_| format!("{n} {what}: too many"))?;
    if n.saturating_mul(min_len) > cur.remaining() {
        return Err(format!(
            "{n} {what} cannot fit in the {} bytes left",
            cur.remaining()
        ));
    }
    Ok(n)
}

/// A u16-length-prefixed UTF-8 string.
fn string(cur: &mut Cursor<'_>, what: &str) -> Result<String, String> {
    cur.str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{what}: truncated or not UTF-8"))
}
