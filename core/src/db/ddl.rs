//! Schema changes: creating and dropping tables, adding columns. Each commits a new
//! manifest, then installs a new version.

use std::sync::{Arc, PoisonError};

use arrow_schema::{Field, Schema};

use super::version::{TableVersion, Version, table_schema};
use super::{Db, Inner, Meta};
use crate::manifest::{self, Manifest};
use crate::memtable::Memtable;
use crate::{Error, Result};

impl Db {
    /// Creates table `table` with `schema`, keyed by its column `key` (utf8, int64 or
    /// uint64; stored not nullable whatever the schema says). Every column must have a type
    /// libmurr stores, with distinct non-empty names. Creating a table that exists with the
    /// same schema does nothing; with another schema it fails with [`Error::TableExists`].
    pub fn create_table(&self, table: &str, schema: &Schema, key: &str) -> Result<()> {
        let inner = &self.inner;
        let mut meta = inner.meta();
        inner.check_open()?;
        let (schema, key_index) = table_schema(table, schema, key)?;
        let version = inner.current.load_full();
        if let Ok(existing) = version.table(table) {
            return if existing.schema == schema {
                Ok(())
            } else {
                Err(Error::TableExists {
                    table: table.to_owned(),
                    detail: format!(
                        "it has {}; asked for {}",
                        describe(&existing.schema),
                        describe(&schema)
                    ),
                })
            };
        }
        let id = meta.next_file;
        let created = Arc::new(TableVersion {
            id,
            name: table.to_owned(),
            active: Arc::new(Memtable::new(table, Arc::clone(&schema), key)?),
            schema,
            key: key_index,
            frozen: Vec::new(),
            segments: Vec::new(),
            run: Vec::new(),
        });
        let mut tables = version.tables.clone();
        tables.push(created);
        inner.commit_tables(&mut meta, tables, id + 1)
    }

    /// Drops table `table`: its rows and segment files are deleted (snapshots taken before
    /// keep reading it). Fails with [`Error::UnknownTable`] if there is no such table.
    pub fn drop_table(&self, table: &str) -> Result<()> {
        let inner = &self.inner;
        let mut meta = inner.meta();
        inner.check_open()?;
        let _gate = inner.gate.write().unwrap_or_else(PoisonError::into_inner);
        let version = inner.current.load_full();
        let dropped = Arc::clone(version.table(table)?);
        let tables = version
            .tables
            .iter()
            .filter(|t| t.id != dropped.id)
            .cloned()
            .collect();
        let next = meta.next_file;
        inner.commit_tables(&mut meta, tables, next)?;
        // The files go when the last snapshot reading them lets go.
        for s in dropped.all_segments() {
            s.retire();
        }
        Ok(())
    }

    /// Adds column `field` to table `table`, at the end of its schema. Instant: no data is
    /// rewritten; rows written before read null in it. The column must be nullable, of a
    /// type libmurr stores, with a name the table does not have.
    pub fn add_column(&self, table: &str, field: Field) -> Result<()> {
        let inner = &self.inner;
        let mut meta = inner.meta();
        inner.check_open()?;
        let _gate = inner.gate.write().unwrap_or_else(PoisonError::into_inner);
        let version = inner.current.load_full();
        let t = version.table(table)?;
        if !field.is_nullable() {
            return Err(Error::SchemaMismatch(format!(
                "column '{}' added to table '{table}' must be nullable: the rows already \
                 written have no value for it",
                field.name()
            )));
        }
        let mut fields: Vec<Field> = t
            .schema
            .fields()
            .iter()
            .map(|f| f.as_ref().clone())
            .collect();
        fields.push(field);
        let (schema, key) = table_schema(table, &Schema::new(fields), t.key_name())?;
        // A memtable's schema is fixed: the active one is frozen and a new one takes writes.
        let mut frozen = Vec::with_capacity(t.frozen.len() + 1);
        frozen.push(Arc::clone(&t.active));
        frozen.extend(t.frozen.iter().cloned());
        let changed = Arc::new(TableVersion {
            id: t.id,
            name: t.name.clone(),
            active: Arc::new(Memtable::new(table, Arc::clone(&schema), t.key_name())?),
            schema,
            key,
            frozen,
            segments: t.segments.clone(),
            run: t.run.clone(),
        });
        let tables = version
            .tables
            .iter()
            .map(|x| {
                if x.id == t.id {
                    Arc::clone(&changed)
                } else {
                    Arc::clone(x)
                }
            })
            .collect();
        let next = meta.next_file;
        inner.commit_tables(&mut meta, tables, next)
    }
}

impl Inner {
    /// Commits a manifest with `tables` (and `next_file`), then installs them as the
    /// current version. On error nothing changes.
    fn commit_tables(
        &self,
        meta: &mut Meta,
        tables: Vec<Arc<TableVersion>>,
        next_file: u64,
    ) -> Result<()> {
        let next = Manifest {
            number: meta.manifest.number + 1,
            last_flushed_seq: meta.manifest.last_flushed_seq,
            next_file_number: next_file.max(meta.next_file),
            tables: tables.iter().map(|t| t.meta()).collect::<Result<_>>()?,
        };
        manifest::commit(&self.dir, &next)?;
        meta.next_file = next.next_file_number;
        meta.manifest = next;
        self.current.store(Arc::new(Version { tables }));
        Ok(())
    }
}

/// A schema for messages: `name: type` pairs, the key marked.
fn describe(schema: &Schema) -> String {
    let key = schema.metadata().get(super::KEY_METADATA);
    let cols: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| {
            let mark = if Some(f.name()) == key { " (key)" } else { "" };
            let null = if f.is_nullable() { "" } else { " not null" };
            format!("{}: {}{null}{mark}", f.name(), f.data_type())
        })
        .collect();
    format!("[{}]", cols.join(", "))
}
