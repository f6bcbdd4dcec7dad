//! The rules every manifest obeys, checked before one is written and after one is read
//! (`docs/MANIFEST.md` §4). A rule broken gives a message naming the table, column or
//! segment involved.

use std::collections::HashSet;

use super::model::{Manifest, TableMeta};

/// The longest name (table, column) a manifest holds, in bytes: strings are stored with a
/// u16 length.
pub const MAX_NAME_LEN: usize = u16::MAX as usize;

/// Checks every rule of §4; `Err` holds what is wrong.
pub(crate) fn check(m: &Manifest) -> Result<(), String> {
    let mut ids = HashSet::with_capacity(m.tables.len());
    let mut names = HashSet::with_capacity(m.tables.len());
    let mut files = HashSet::new();
    for t in &m.tables {
        if t.name.is_empty() {
            return Err(format!("table {} has an empty name", t.id));
        }
        if t.name.len() > MAX_NAME_LEN {
            return Err(format!(
                "table {}'s name is over {MAX_NAME_LEN} bytes",
                t.id
            ));
        }
        if !ids.insert(t.id) {
            return Err(format!("table id {} appears twice", t.id));
        }
        if !names.insert(t.name.as_str()) {
            return Err(format!("table name '{}' appears twice", t.name));
        }
        check_columns(t)?;
        for s in &t.segments {
            let at = || format!("table '{}': segment {}", t.name, s.file_number);
            if s.file_number >= m.next_file_number {
                return Err(format!(
                    "{}: file number is not below next_file_number {}",
                    at(),
                    m.next_file_number
                ));
            }
            if !files.insert(s.file_number) {
                return Err(format!("{}: file number appears twice", at()));
            }
            if s.min_seq > s.max_seq {
                return Err(format!(
                    "{}: min_seq {} is above max_seq {}",
                    at(),
                    s.min_seq,
                    s.max_seq
                ));
            }
            if let Some(d) = &s.deletes {
                if d.file_number >= m.next_file_number {
                    return Err(format!(
                        "{}: deletion vector file number {} is not below next_file_number {}",
                        at(),
                        d.file_number,
                        m.next_file_number
                    ));
                }
                if !files.insert(d.file_number) {
                    return Err(format!(
                        "{}: deletion vector file number {} appears twice",
                        at(),
                        d.file_number
                    ));
                }
                if d.rows == 0 || d.rows > s.rows {
                    return Err(format!(
                        "{}: its deletion vector marks {} rows of {}",
                        at(),
                        d.rows,
                        s.rows
                    ));
                }
            }
            if s.max_seq > m.last_flushed_seq {
                return Err(format!(
                    "{}: max_seq {} is above last_flushed_seq {}",
                    at(),
                    s.max_seq,
                    m.last_flushed_seq
                ));
            }
        }
    }
    Ok(())
}

/// Column names unique and not too long; the key column present, of a key type, not null.
fn check_columns(t: &TableMeta) -> Result<(), String> {
    let mut names = HashSet::with_capacity(t.columns.len());
    for c in &t.columns {
        if c.name.len() > MAX_NAME_LEN {
            return Err(format!(
                "table '{}': a column name is over {MAX_NAME_LEN} bytes",
                t.name
            ));
        }
        if !names.insert(c.name.as_str()) {
            return Err(format!(
                "table '{}': column '{}' appears twice",
                t.name, c.name
            ));
        }
    }
    if t.key_column.len() > MAX_NAME_LEN {
        return Err(format!(
            "table '{}': the key column name is over {MAX_NAME_LEN} bytes",
            t.name
        ));
    }
    let Some(key) = t.columns.iter().find(|c| c.name == t.key_column) else {
        return Err(format!(
            "table '{}': key column '{}' is not one of its columns",
            t.name, t.key_column
        ));
    };
    if !key.column_type.is_key_type() {
        return Err(format!(
            "table '{}': key column '{}' has type {}; keys must be utf8, int64 or uint64",
            t.name,
            key.name,
            key.column_type.to_arrow()
        ));
    }
    if key.nullable {
        return Err(format!(
            "table '{}': key column '{}' is nullable; keys must not be null",
            t.name, key.name
        ));
    }
    Ok(())
}
