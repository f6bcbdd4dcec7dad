//! Iceberg table metadata (`metadata/vN.metadata.json`, format v2): finding the newest
//! version, giving columns field ids that stay stable across exports, the schemas list,
//! the sort order, and a new version adding one snapshot.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::types::IcebergType;
use crate::{Error, Result};

/// A metadata version read back: its number, file and contents.
#[derive(Debug, Clone)]
pub(crate) struct Previous {
    /// N of `vN.metadata.json`.
    pub(crate) version: u64,
    /// The file.
    pub(crate) path: PathBuf,
    /// Its JSON.
    pub(crate) json: Value,
}

/// A column of the exported schema with its Iceberg field ids.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// The column's name.
    pub(crate) name: String,
    /// Its Iceberg type.
    pub(crate) ty: IcebergType,
    /// Its field id.
    pub(crate) id: i32,
    /// Its list element's field id (embeddings).
    pub(crate) element_id: Option<i32>,
    /// Whether it is required (the key).
    pub(crate) required: bool,
}

fn bad(path: &Path, detail: impl std::fmt::Display) -> Error {
    Error::Export {
        target: path.display().to_string(),
        detail: format!(
            "the table metadata is not usable ({detail}); it was not written by libmurr's \
             export or is damaged: export to a new location"
        ),
    }
}

/// The version number of a `vN.metadata.json` file name.
fn version_of(name: &str) -> Option<u64> {
    name.strip_prefix('v')?
        .strip_suffix(".metadata.json")?
        .parse()
        .ok()
}

/// The newest metadata version in `metadata_dir` (the highest `vN.metadata.json`, which
/// is always whole: versions are committed by an atomic link), if any.
pub(crate) fn load_latest(metadata_dir: &Path) -> Result<Option<Previous>> {
    let entries = match std::fs::read_dir(metadata_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(metadata_dir, e)),
    };
    let mut newest: Option<u64> = None;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(metadata_dir, e))?;
        if let Some(v) = entry.file_name().to_str().and_then(version_of) {
            newest = Some(newest.map_or(v, |n| n.max(v)));
        }
    }
    let Some(version) = newest else {
        return Ok(None);
    };
    let path = metadata_dir.join(format!("v{version}.metadata.json"));
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let json: Value = serde_json::from_slice(&bytes).map_err(|e| bad(&path, e))?;
    if json.get("format-version").and_then(Value::as_i64) != Some(2) {
        return Err(bad(&path, "its format-version is not 2"));
    }
    Ok(Some(Previous {
        version,
        path,
        json,
    }))
}

/// The fields of `json`'s current schema, if it has one.
fn current_fields(json: &Value) -> Option<&Vec<Value>> {
    let id = json.get("current-schema-id")?.as_i64()?;
    json.get("schemas")?
        .as_array()?
        .iter()
        .find(|s| s.get("schema-id").and_then(Value::as_i64) == Some(id))?
        .get("fields")?
        .as_array()
}

/// Field ids for `columns` (name, type, required): a column of the previous current schema
/// with the same name and type keeps its ids; any other gets new ones above the previous
/// `last-column-id`. Returns the columns and the new last column id.
pub(crate) fn assign_ids(
    previous: Option<&Value>,
    columns: Vec<(String, IcebergType, bool)>,
) -> (Vec<Column>, i32) {
    let mut last = previous
        .and_then(|p| p.get("last-column-id"))
        .and_then(Value::as_i64)
        .and_then(|v| i32::try_from(v).ok())
        .unwrap_or(0);
    let old = previous.and_then(current_fields);
    let mut out = Vec::with_capacity(columns.len());
    for (name, ty, required) in columns {
        let kept = old.and_then(|fields| {
            let field = fields
                .iter()
                .find(|f| f.get("name").and_then(Value::as_str) == Some(name.as_str()))?;
            let ty_json = field.get("type")?;
            if !ty.matches(ty_json)
                || field.get("required").and_then(Value::as_bool) != Some(required)
            {
                return None;
            }
            let id = i32::try_from(field.get("id")?.as_i64()?).ok()?;
            let element_id = match ty {
                IcebergType::List(_) => {
                    Some(i32::try_from(ty_json.get("element-id")?.as_i64()?).ok()?)
                }
                IcebergType::Primitive(_) => None,
            };
            Some((id, element_id))
        });
        let (id, element_id) = kept.unwrap_or_else(|| {
            last += 1;
            let id = last;
            let element_id = match ty {
                IcebergType::List(_) => {
                    last += 1;
                    Some(last)
                }
                IcebergType::Primitive(_) => None,
            };
            (id, element_id)
        });
        out.push(Column {
            name,
            ty,
            id,
            element_id,
            required,
        });
    }
    (out, last)
}

/// The table metadata being made for a new version: everything but the snapshot, which
/// [`Draft::commit`] adds.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    json: Value,
    /// The current schema's id.
    pub(crate) schema_id: i64,
    /// The current schema as JSON (it goes into each manifest's header).
    pub(crate) schema: Value,
    /// The sort order of the data files (ascending key).
    pub(crate) sort_order_id: i64,
    /// The snapshot the new one follows.
    pub(crate) parent: Option<i64>,
    /// The new snapshot's sequence number.
    pub(crate) sequence: i64,
}

fn object<'a>(json: &'a mut Value, key: &str, path: &Path) -> Result<&'a mut Map<String, Value>> {
    json.as_object_mut()
        .and_then(|o| o.get_mut(key))
        .and_then(Value::as_object_mut)
        .ok_or_else(|| bad(path, format!("'{key}' is not an object")))
}

fn array<'a>(json: &'a mut Value, key: &str, path: &Path) -> Result<&'a mut Vec<Value>> {
    let root = json
        .as_object_mut()
        .ok_or_else(|| bad(path, "it is not a JSON object"))?;
    root.entry(key.to_owned())
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .ok_or_else(|| bad(path, format!("'{key}' is not an array")))
}

/// The draft of the version after `previous` (or of a new table at `location`, whose uuid
/// is `uuid`) whose current schema is `columns`.
pub(crate) fn draft(
    previous: Option<&Previous>,
    location: &str,
    uuid: &str,
    columns: &[Column],
    last_column_id: i32,
) -> Result<Draft> {
    let path = previous.map_or_else(|| PathBuf::from(location), |p| p.path.clone());
    let mut json = match previous {
        Some(p) => p.json.clone(),
        None => json!({
            "format-version": 2,
            "table-uuid": uuid,
            "location": location,
            "last-sequence-number": 0,
            "last-updated-ms": 0,
            "last-column-id": 0,
            "current-schema-id": 0,
            "schemas": [],
            "default-spec-id": 0,
            "partition-specs": [{"spec-id": 0, "fields": []}],
            "last-partition-id": 999,
            "default-sort-order-id": 0,
            "sort-orders": [{"order-id": 0, "fields": []}],
            "properties": {
                "write.format.default": "parquet",
                "write.parquet.compression-codec": "zstd",
            },
            "snapshots": [],
            "snapshot-log": [],
            "metadata-log": [],
            "refs": {},
        }),
    };
    let fields: Vec<Value> = columns
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.name,
                "required": c.required,
                "type": c.ty.to_json(c.element_id),
            })
        })
        .collect();
    let identifiers: Vec<i32> = columns
        .iter()
        .filter(|c| c.required)
        .map(|c| c.id)
        .collect();
    let key_id = identifiers.first().copied().unwrap_or(1);

    let schemas = array(&mut json, "schemas", &path)?;
    let same = |s: &&Value| {
        s.get("fields") == Some(&Value::from(fields.clone()))
            && s.get("identifier-field-ids") == Some(&json!(identifiers))
    };
    let schema = match schemas.iter().find(same) {
        Some(s) => s.clone(),
        None => {
            let id = schemas
                .iter()
                .filter_map(|s| s.get("schema-id").and_then(Value::as_i64))
                .max()
                .map_or(0, |m| m + 1);
            let s = json!({
                "type": "struct",
                "schema-id": id,
                "identifier-field-ids": identifiers,
                "fields": fields,
            });
            schemas.push(s.clone());
            s
        }
    };
    let schema_id = schema
        .get("schema-id")
        .and_then(Value::as_i64)
        .ok_or_else(|| bad(&path, "a schema has no schema-id"))?;

    let key_order = json!([{
        "transform": "identity",
        "source-id": key_id,
        "direction": "asc",
        "null-order": "nulls-first",
    }]);
    let orders = array(&mut json, "sort-orders", &path)?;
    let sort_order_id = match orders.iter().find(|o| o.get("fields") == Some(&key_order)) {
        Some(o) => o
            .get("order-id")
            .and_then(Value::as_i64)
            .ok_or_else(|| bad(&path, "a sort order has no order-id"))?,
        None => {
            let id = orders
                .iter()
                .filter_map(|o| o.get("order-id").and_then(Value::as_i64))
                .max()
                .map_or(1, |m| m + 1);
            orders.push(json!({"order-id": id, "fields": key_order}));
            id
        }
    };

    let parent = json
        .get("current-snapshot-id")
        .and_then(Value::as_i64)
        .filter(|&id| id >= 0);
    let sequence = json
        .get("last-sequence-number")
        .and_then(Value::as_i64)
        .unwrap_or(0)
        + 1;
    let root = json
        .as_object_mut()
        .ok_or_else(|| bad(&path, "it is not a JSON object"))?;
    let last = root
        .get("last-column-id")
        .and_then(Value::as_i64)
        .unwrap_or(0)
        .max(i64::from(last_column_id));
    root.insert("last-column-id".into(), json!(last));
    root.insert("current-schema-id".into(), json!(schema_id));
    root.insert("default-sort-order-id".into(), json!(sort_order_id));
    Ok(Draft {
        json,
        schema_id,
        schema,
        sort_order_id,
        parent,
        sequence,
    })
}

impl Draft {
    /// The previous snapshot's manifest list, if any.
    pub(crate) fn parent_manifest_list(&self) -> Option<String> {
        let parent = self.parent?;
        self.json
            .get("snapshots")?
            .as_array()?
            .iter()
            .find(|s| s.get("snapshot-id").and_then(Value::as_i64) == Some(parent))?
            .get("manifest-list")?
            .as_str()
            .map(str::to_owned)
    }

    /// The metadata with `snapshot` (a snapshot object, with its id and timestamp) added
    /// and made current; `previous` goes into the metadata log.
    pub(crate) fn commit(
        mut self,
        snapshot: Value,
        snapshot_id: i64,
        timestamp_ms: i64,
        previous: Option<&Previous>,
    ) -> Result<Value> {
        let path = previous.map_or_else(PathBuf::new, |p| p.path.clone());
        array(&mut self.json, "snapshots", &path)?.push(snapshot);
        array(&mut self.json, "snapshot-log", &path)?
            .push(json!({"timestamp-ms": timestamp_ms, "snapshot-id": snapshot_id}));
        if let Some(p) = previous {
            let at = p
                .json
                .get("last-updated-ms")
                .and_then(Value::as_i64)
                .unwrap_or(timestamp_ms);
            array(&mut self.json, "metadata-log", &path)?.push(json!({
                "timestamp-ms": at,
                "metadata-file": p.path.display().to_string(),
            }));
        }
        if self.json.get("refs").is_none_or(|r| !r.is_object())
            && let Some(root) = self.json.as_object_mut()
        {
            root.insert("refs".into(), json!({}));
        }
        object(&mut self.json, "refs", &path)?.insert(
            "main".into(),
            json!({"snapshot-id": snapshot_id, "type": "branch"}),
        );
        let root = self
            .json
            .as_object_mut()
            .ok_or_else(|| bad(&path, "it is not a JSON object"))?;
        root.insert("current-snapshot-id".into(), json!(snapshot_id));
        root.insert("last-sequence-number".into(), json!(self.sequence));
        root.insert("last-updated-ms".into(), json!(timestamp_ms));
        Ok(self.json)
    }

    /// The newest timestamp in the metadata (a new snapshot's must not be older).
    pub(crate) fn last_updated_ms(&self) -> i64 {
        self.json
            .get("last-updated-ms")
            .and_then(Value::as_i64)
            .unwrap_or(0)
    }

    /// The snapshot ids already in the metadata.
    pub(crate) fn snapshot_ids(&self) -> Vec<i64> {
        self.json
            .get("snapshots")
            .and_then(Value::as_array)
            .map(|s| {
                s.iter()
                    .filter_map(|s| s.get("snapshot-id").and_then(Value::as_i64))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_kept_for_same_columns_and_new_for_added_or_retyped() {
        let cols = vec![
            ("k".to_owned(), IcebergType::Primitive("string"), true),
            ("e".to_owned(), IcebergType::List("float"), false),
        ];
        let (first, last) = assign_ids(None, cols.clone());
        assert_eq!(
            first
                .iter()
                .map(|c| (c.id, c.element_id))
                .collect::<Vec<_>>(),
            vec![(1, None), (2, Some(3))]
        );
        assert_eq!(last, 3);
        let Ok(d) = draft(None, "/t", "u", &first, last) else {
            panic!("draft failed")
        };
        let Ok(meta) = d.commit(json!({"snapshot-id": 5}), 5, 1, None) else {
            panic!("commit failed")
        };
        let mut next = cols;
        next[1].1 = IcebergType::List("int");
        next.push(("x".to_owned(), IcebergType::Primitive("long"), false));
        let (second, last) = assign_ids(Some(&meta), next);
        assert_eq!(
            second
                .iter()
                .map(|c| (c.id, c.element_id))
                .collect::<Vec<_>>(),
            vec![(1, None), (4, Some(5)), (6, None)]
        );
        assert_eq!(last, 6);
        let prev = Previous {
            version: 1,
            path: PathBuf::from("/t/metadata/v1.metadata.json"),
            json: meta,
        };
        let Ok(d2) = draft(Some(&prev), "/t", "u", &second, last) else {
            panic!("draft failed")
        };
        assert_eq!(d2.schema_id, 1);
        assert_eq!(d2.parent, Some(5));
        assert_eq!(d2.sequence, 2);
        assert_eq!(d2.sort_order_id, 1);
    }
}
