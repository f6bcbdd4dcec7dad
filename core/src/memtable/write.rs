//! Writes: partial upserts of Arrow batches and blind deletes.

use std::sync::Arc;

use arrow_array::{Array, RecordBatch};

use super::ENTRY_OVERHEAD;
use super::Memtable;
use super::entry::{ABSENT, KeyColumn, Source, Written};
use crate::keys::{QueryKeys, hash_key};
use crate::{Error, Result};

/// A batch checked by [`Memtable::prepare`], ready for [`Memtable::apply`]: the batch
/// (shared, not copied), its keys and their hashes.
#[derive(Debug)]
pub struct Prepared {
    written: Arc<Written>,
    keys: KeyColumn,
    hashes: Vec<u64>,
}

impl Prepared {
    /// The number of rows (a key repeated in the batch counts once per row; its last row
    /// wins).
    pub fn keys(&self) -> usize {
        self.hashes.len()
    }
}

/// The hashes of `keys`, as segments hash them.
fn hashes(keys: &KeyColumn) -> Vec<u64> {
    let mut buf = [0u8; 8];
    (0..keys.len())
        .map(|i| hash_key(keys.bytes(i, &mut buf)))
        .collect()
}

impl Memtable {
    /// Upserts `batch` by key at sequence number `seq`.
    ///
    /// The batch carries the key column and any subset of the table's columns, in any
    /// order, matched by name; each must have the table's type exactly. For every key, the
    /// columns carried take the batch's values (null included) and the others keep their
    /// older values. If a key occurs on several rows, the last row wins.
    ///
    /// Errors, with nothing written: a column the table does not have, one carried twice or
    /// with another type, no key column, a null key, more than `u32::MAX` rows.
    ///
    /// The batch is kept as it is (its buffers are shared, not copied); a slice of a large
    /// batch keeps the whole of it alive.
    pub fn insert(&self, seq: u64, batch: &RecordBatch) -> Result<()> {
        let prepared = self.prepare(batch)?;
        self.apply(seq, prepared);
        Ok(())
    }

    /// Checks `batch` as [`Memtable::insert`] does and readies it for
    /// [`Memtable::apply`] (hashing its keys), writing nothing: the engine checks a batch
    /// before logging it, and inserts it once it is logged. Errors as
    /// [`Memtable::insert`].
    pub fn prepare(&self, batch: &RecordBatch) -> Result<Prepared> {
        let columns = self.map_columns(batch)?;
        let key_in_batch = columns
            .get(self.key)
            .copied()
            .filter(|&c| c != ABSENT)
            .ok_or_else(|| {
                Error::SchemaMismatch(format!(
                    "a batch written to table '{}' has no key column '{}'",
                    self.table,
                    self.key_name()
                ))
            })?;
        let key_array = batch
            .columns()
            .get(key_in_batch as usize)
            .ok_or_else(|| Error::SchemaMismatch("batch has fewer columns than fields".into()))?;
        self.kind
            .check_written(key_array.as_ref(), self.key_name())?;
        let keys = KeyColumn::of(key_array.as_ref()).ok_or_else(|| {
            Error::SchemaMismatch(format!(
                "key column '{}' has an unsupported type",
                self.key_name()
            ))
        })?;
        if u32::try_from(batch.num_rows()).is_err() {
            return Err(Error::LimitExceeded(format!(
                "a batch of {} rows written to table '{}' (at most {})",
                batch.num_rows(),
                self.table,
                u32::MAX
            )));
        }
        let hashes = hashes(&keys);
        let written = Arc::new(Written {
            batch: Arc::new(batch.clone()),
            columns,
        });
        Ok(Prepared {
            written,
            keys,
            hashes,
        })
    }

    /// Inserts a batch readied by [`Memtable::prepare`] at sequence number `seq`. The
    /// batch must have been prepared by this memtable (another one may map its columns
    /// differently). Writers take turns here (a lock held for the batch's inserts);
    /// readers never wait for it.
    pub fn apply(&self, seq: u64, prepared: Prepared) {
        let Prepared {
            written,
            keys,
            hashes,
        } = prepared;
        let bytes = written.batch.get_array_memory_size() + hashes.len() * ENTRY_OVERHEAD;
        self.append(
            Source {
                seq,
                keys,
                written: Some(written),
            },
            &hashes,
        );
        self.account(seq, bytes);
    }

    /// Appends `source` and an entry for each of its rows (`hashes`: its keys' hashes).
    fn append(&self, source: Source, hashes: &[u64]) {
        let seq = source.seq;
        let keys = source.keys.clone();
        let mut appender = self.index.lock();
        let Some(s) = appender.push_source(source) else {
            return;
        };
        let index = &self.index;
        let seq_of = |e: super::index::Entry| index.source(e.source).map_or(0, |s| s.seq);
        let mut buf = [0u8; 8];
        // Each key's slot and filter block are fetched a few keys ahead of its insert.
        const AHEAD: usize = 8;
        for &hash in hashes.iter().take(AHEAD) {
            appender.prefetch(hash);
        }
        for (row, &hash) in (0u32..).zip(hashes) {
            if let Some(&next) = hashes.get(row as usize + AHEAD) {
                appender.prefetch(next);
            }
            let key = keys.bytes(row as usize, &mut buf);
            let same = |e: super::index::Entry| self.key_is(e, key);
            if !appender.insert(hash, s, row, seq, same, seq_of) {
                break;
            }
        }
    }

    /// Checks keys for [`Memtable::delete`] (the key column's type, no nulls), deleting
    /// nothing.
    pub fn check_keys(&self, keys: &dyn Array) -> Result<()> {
        match QueryKeys::of_kind(keys, self.key_name(), self.kind)?.first_null() {
            Some(row) => Err(Error::NullKey {
                column: self.key_name().to_owned(),
                row,
            }),
            None => Ok(()),
        }
    }

    /// Writes a tombstone for each of `keys` at sequence number `seq`: reads at snapshots
    /// `>= seq` see none of those keys' older values. Keys are an array of the key column's
    /// type (utf8 also as large utf8 or utf8 view); a key absent from the table is fine.
    /// A null key is an error, with nothing written.
    pub fn delete(&self, seq: u64, keys: &dyn Array) -> Result<()> {
        self.check_keys(keys)?;
        let column =
            KeyColumn::of(keys).ok_or_else(|| self.kind.mismatch(keys, self.key_name()))?;
        let hashes = hashes(&column);
        let bytes = hashes.len() * ENTRY_OVERHEAD + keys.get_array_memory_size();
        self.append(
            Source {
                seq,
                keys: column,
                written: None,
            },
            &hashes,
        );
        self.account(seq, bytes);
        Ok(())
    }

    /// The key column's name.
    pub(super) fn key_name(&self) -> &str {
        self.schema
            .fields()
            .get(self.key)
            .map_or("", |f| f.name().as_str())
    }

    /// For each table column, its index in `batch` or [`ABSENT`]; errors on a column the
    /// table lacks, a repeated column or a type mismatch.
    fn map_columns(&self, batch: &RecordBatch) -> Result<Box<[u32]>> {
        let mut columns = vec![ABSENT; self.schema.fields().len()].into_boxed_slice();
        for (i, field) in batch.schema().fields().iter().enumerate() {
            let (t, table_field) =
                self.schema
                    .column_with_name(field.name())
                    .ok_or_else(|| Error::UnknownColumn {
                        column: field.name().clone(),
                        container: format!("table '{}'", self.table),
                    })?;
            if field.data_type() != table_field.data_type() {
                return Err(Error::SchemaMismatch(format!(
                    "column '{}' of table '{}' has type {}; the batch gives {}",
                    field.name(),
                    self.table,
                    table_field.data_type(),
                    field.data_type()
                )));
            }
            let slot = columns.get_mut(t).ok_or_else(|| {
                Error::SchemaMismatch(format!("column '{}' out of range", field.name()))
            })?;
            if *slot != ABSENT {
                return Err(Error::SchemaMismatch(format!(
                    "a batch written to table '{}' carries column '{}' twice",
                    self.table,
                    field.name()
                )));
            }
            *slot = u32::try_from(i).map_err(|_| {
                Error::LimitExceeded(format!("a batch of more than {} columns", u32::MAX))
            })?;
        }
        Ok(columns)
    }
}
