//! Versions: the immutable state a read works on. The current version sits behind an
//! atomic pointer ([`arc_swap::ArcSwap`]); readers load it without a lock, and flushes and
//! schema changes build a new one and swap it in. A reader's version keeps its memtables
//! and segments alive for as long as it holds it.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_schema::{Field, Schema, SchemaRef};

pub(crate) use super::segref::SegmentRef;
use crate::manifest::{ColumnMeta, TableMeta};
use crate::memtable::Memtable;
use crate::{Error, Result};

/// The schema metadata key that names a table's key column in [`crate::db::Db::schema`].
pub const KEY_METADATA: &str = "murr.key";

/// The whole database at one moment.
#[derive(Debug, Default)]
pub(crate) struct Version {
    /// The tables, in the manifest's order.
    pub(crate) tables: Vec<Arc<TableVersion>>,
}

/// One table at one moment.
#[derive(Debug)]
pub(crate) struct TableVersion {
    /// The table's id (never reused).
    pub(crate) id: u64,
    /// Its name.
    pub(crate) name: String,
    /// Its schema: the key column (not nullable) and the others; metadata
    /// [`KEY_METADATA`] names the key.
    pub(crate) schema: SchemaRef,
    /// The key column's index in `schema`.
    pub(crate) key: usize,
    /// The memtable taking writes.
    pub(crate) active: Arc<Memtable>,
    /// Memtables that take no more writes and wait for a flush, newest first (a flush
    /// freezes the active one; adding a column freezes it too, since a memtable's schema
    /// is fixed).
    pub(crate) frozen: Vec<Arc<Memtable>>,
    /// Level 0: the segments flushes wrote, newest first. Their key ranges overlap.
    pub(crate) segments: Vec<Arc<SegmentRef>>,
    /// Level 1: the sorted run compactions write, older than every level-0 segment, in key
    /// order with disjoint key ranges: a key is looked up in the one segment whose range
    /// holds it.
    pub(crate) run: Vec<Arc<SegmentRef>>,
}

impl Version {
    /// The table named `name`.
    pub(crate) fn table(&self, name: &str) -> Result<&Arc<TableVersion>> {
        self.tables
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| Error::UnknownTable {
                table: name.to_owned(),
                known: self.names().join(", "),
            })
    }

    /// The names of the tables.
    pub(crate) fn names(&self) -> Vec<String> {
        self.tables.iter().map(|t| t.name.clone()).collect()
    }

    /// The bytes held by every memtable that takes writes.
    pub(crate) fn active_bytes(&self) -> usize {
        self.tables.iter().map(|t| t.active.approx_bytes()).sum()
    }

    /// Whether any memtable holds a write.
    pub(crate) fn has_unflushed(&self) -> bool {
        self.tables
            .iter()
            .any(|t| !t.active.is_empty() || t.frozen.iter().any(|m| !m.is_empty()))
    }
}

impl TableVersion {
    /// The table as the manifest describes it: level-0 segments newest first, then the
    /// run in key order.
    pub(crate) fn meta(&self) -> Result<TableMeta> {
        let columns = self
            .schema
            .fields()
            .iter()
            .map(|f| {
                Ok(ColumnMeta {
                    name: f.name().clone(),
                    column_type: crate::types::ColumnType::from_arrow(f.name(), f.data_type())?,
                    nullable: f.is_nullable(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(TableMeta {
            id: self.id,
            name: self.name.clone(),
            key_column: self.key_name().to_owned(),
            columns,
            segments: self
                .segments
                .iter()
                .chain(&self.run)
                .map(|s| s.meta)
                .collect(),
        })
    }

    /// The index and field of column `name`, or [`crate::Error::UnknownColumn`] naming
    /// the table.
    pub(crate) fn column(&self, name: &str) -> crate::Result<(usize, &arrow_schema::Field)> {
        self.schema
            .column_with_name(name)
            .ok_or_else(|| crate::Error::UnknownColumn {
                column: name.to_owned(),
                container: format!("table '{}'", self.name),
            })
    }

    /// The key column's name.
    pub(crate) fn key_name(&self) -> &str {
        self.schema
            .fields()
            .get(self.key)
            .map_or("", |f| f.name().as_str())
    }

    /// A copy with other memtables and level-0 segments.
    pub(crate) fn with(
        &self,
        active: Arc<Memtable>,
        frozen: Vec<Arc<Memtable>>,
        segments: Vec<Arc<SegmentRef>>,
    ) -> TableVersion {
        TableVersion {
            id: self.id,
            name: self.name.clone(),
            schema: Arc::clone(&self.schema),
            key: self.key,
            active,
            frozen,
            segments,
            run: self.run.clone(),
        }
    }

    /// Every segment: level 0, then the run.
    pub(crate) fn all_segments(&self) -> impl Iterator<Item = &Arc<SegmentRef>> {
        self.segments.iter().chain(&self.run)
    }
}

/// Checks a table schema and returns it normalised: the key column not nullable, metadata
/// [`KEY_METADATA`] naming it, and the key's index. Every type must be one libmurr stores,
/// names distinct and non-empty.
/// A table name the manifest can hold: not empty, at most
/// [`MAX_NAME_LEN`](crate::manifest::MAX_NAME_LEN) bytes.
pub(crate) fn check_table_name(table: &str) -> Result<()> {
    if table.is_empty() {
        return Err(Error::InvalidArgument(
            "a table name must not be empty".to_owned(),
        ));
    }
    let max = crate::manifest::MAX_NAME_LEN;
    if table.len() > max {
        return Err(Error::InvalidArgument(format!(
            "table name '{}...' is {} bytes long; names hold at most {max} bytes",
            prefix(table),
            table.len()
        )));
    }
    Ok(())
}

/// A column name the manifest can hold: at most
/// [`MAX_NAME_LEN`](crate::manifest::MAX_NAME_LEN) bytes.
pub(crate) fn check_column_name(table: &str, column: &str) -> Result<()> {
    let max = crate::manifest::MAX_NAME_LEN;
    if column.len() > max {
        return Err(Error::InvalidArgument(format!(
            "table '{table}': column name '{}...' is {} bytes long; names hold at most {max} \
             bytes",
            prefix(column),
            column.len()
        )));
    }
    Ok(())
}

/// The first characters of a long name, for a message.
fn prefix(name: &str) -> &str {
    let mut end = name.len().min(32);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

pub(crate) fn table_schema(table: &str, schema: &Schema, key: &str) -> Result<(SchemaRef, usize)> {
    check_table_name(table)?;
    let mut fields = Vec::with_capacity(schema.fields().len());
    let mut key_index = None;
    let mut seen = std::collections::HashSet::new();
    for (i, f) in schema.fields().iter().enumerate() {
        if f.name().is_empty() {
            return Err(Error::SchemaMismatch(format!(
                "table '{table}': column {i} has an empty name"
            )));
        }
        check_column_name(table, f.name())?;
        if !seen.insert(f.name().as_str()) {
            return Err(Error::SchemaMismatch(format!(
                "table '{table}' has two columns named '{}'",
                f.name()
            )));
        }
        let column_type = crate::types::ColumnType::from_arrow(f.name(), f.data_type())?;
        if f.name() == key {
            if !column_type.is_key_type() {
                return Err(Error::UnsupportedKeyType {
                    column: key.to_owned(),
                    data_type: f.data_type().clone(),
                });
            }
            key_index = Some(i);
            fields.push(Field::new(f.name(), f.data_type().clone(), false));
        } else {
            fields.push(Field::new(f.name(), f.data_type().clone(), f.is_nullable()));
        }
    }
    let key_index = key_index.ok_or_else(|| Error::UnknownColumn {
        column: key.to_owned(),
        container: format!(
            "the schema given for table '{table}' (the key column must be one of its columns)"
        ),
    })?;
    let metadata = HashMap::from([(KEY_METADATA.to_owned(), key.to_owned())]);
    Ok((
        Arc::new(Schema::new_with_metadata(fields, metadata)),
        key_index,
    ))
}

/// The Arrow schema of a table from the manifest.
pub(crate) fn schema_of(meta: &TableMeta) -> Result<(SchemaRef, usize)> {
    let fields: Vec<Field> = meta
        .columns
        .iter()
        .map(|c| Field::new(&c.name, c.column_type.to_arrow(), c.nullable))
        .collect();
    table_schema(&meta.name, &Schema::new(fields), &meta.key_column)
}
