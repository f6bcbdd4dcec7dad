//! `SegmentReader` (a whole segment in wasm memory) and `GetResult` (one point read).

use arrow_array::{Array, RecordBatch};
use murr_core::segment::Segment;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsError, JsValue};

use crate::error::js;
use crate::{ipc, keys, schema, view};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** A segment's schema: the key column's name, and every column, the key column first. */
export interface SegmentSchema {
    key: string;
    fields: SegmentField[];
}
/** One column: its name, its Arrow type as Arrow's Rust Display writes it, nullability. */
export interface SegmentField {
    name: string;
    type: string;
    nullable: boolean;
}
/**
 * Keys of a read: strings for a utf8 key column; a BigInt64Array (BigUint64Array) or
 * bigints or safe-integer numbers for an int64 (uint64) key column. null and undefined are
 * keys that find nothing.
 */
export type Keys =
    | ReadonlyArray<string | null | undefined>
    | BigInt64Array
    | BigUint64Array
    | ReadonlyArray<bigint | number | null | undefined>;
/** A typed-array view of a numeric or embedding column's values in wasm memory. */
export type ColumnView =
    | Int8Array | Int16Array | Int32Array | BigInt64Array
    | Uint8Array | Uint16Array | Uint32Array | BigUint64Array
    | Float32Array | Float64Array;
"#;

/// A segment file held in wasm memory. Build it from the file's bytes (a `Uint8Array`,
/// copied once into wasm memory); the header, footer and trailer are checked then, and every
/// read checks the checksums of the pages it touches. Call `free()` when done: wasm memory
/// is not garbage-collected.
#[wasm_bindgen]
pub struct SegmentReader {
    segment: Segment,
}

#[wasm_bindgen]
impl SegmentReader {
    /// Opens the segment in `bytes` (copied into wasm memory). Throws if they are not a valid
    /// segment (truncated, corrupt, an unsupported version).
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: Vec<u8>) -> Result<SegmentReader, JsError> {
        let segment = Segment::from_bytes(bytes, "(bytes given to SegmentReader)").map_err(js)?;
        Ok(SegmentReader { segment })
    }

    /// The schema: `{key, fields: [{name, type, nullable}]}`, the key column first.
    #[wasm_bindgen(unchecked_return_type = "SegmentSchema")]
    pub fn schema(&self) -> Result<JsValue, JsError> {
        let text = schema::to_json(&self.segment.schema(), self.segment.key_name());
        js_sys::JSON::parse(&text).map_err(|_| JsError::new("schema: invalid JSON"))
    }

    /// The key column's name.
    #[wasm_bindgen(js_name = keyName)]
    pub fn key_name(&self) -> String {
        self.segment.key_name().to_owned()
    }

    /// The number of rows (keys) in the segment.
    #[wasm_bindgen(js_name = rowCount)]
    pub fn row_count(&self) -> f64 {
        // At most u32::MAX rows: exact as a JS number.
        self.segment.row_count() as f64
    }

    /// The file's format version (1, 2 or 3).
    #[wasm_bindgen(js_name = formatVersion)]
    pub fn format_version(&self) -> u32 {
        self.segment.format_version()
    }

    /// Checks every byte against its checksums (reads check the pages they touch anyway).
    /// Throws on the first mismatch.
    pub fn verify(&self) -> Result<(), JsError> {
        self.segment.verify().map_err(js)
    }

    /// Reads `columns` for `keys`: one row per key, in the order of `keys`, null where a key
    /// is absent. `keys`: an array of strings for a utf8 key column; a `BigInt64Array`
    /// (`BigUint64Array`) or an array of bigints or safe-integer numbers for an int64
    /// (uint64) key column; `null` is a key that finds nothing. A tombstone reads as absent.
    pub fn get(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Keys")] keys: JsValue,
        columns: Vec<String>,
    ) -> Result<GetResult, JsError> {
        let schema = self.segment.schema();
        let key_field = schema
            .fields()
            .first()
            .ok_or_else(|| JsError::new("segment has no key column"))?;
        let keys = keys::to_arrow(&keys, key_field.data_type(), key_field.name())?;
        let names: Vec<&str> = columns.iter().map(String::as_str).collect();
        let (batch, found) = self.segment.get(keys.as_ref(), &names).map_err(js)?;
        Ok(GetResult::new(batch, found))
    }

    /// Every key, in the segment's sorted order, as an Arrow IPC stream of one column named
    /// after the key column. Reads the whole key column: for small files.
    pub fn keys(&self) -> Result<Vec<u8>, JsError> {
        let keys = self.segment.keys().map_err(js)?;
        ipc::array_to_stream(self.segment.key_name(), keys, false).map_err(js)
    }
}

/// The result of [`SegmentReader::get`] (and of `RemoteSegmentCore::finish`), owned by Rust (in wasm memory) until `free()`.
#[wasm_bindgen]
pub struct GetResult {
    batch: RecordBatch,
    found: Vec<u8>,
}

#[wasm_bindgen]
impl GetResult {
    /// The result's rows (one per key asked).
    #[wasm_bindgen(getter, js_name = numRows)]
    pub fn num_rows(&self) -> u32 {
        // One row per key of a JS array: fewer than 2^32.
        u32::try_from(self.batch.num_rows()).unwrap_or(u32::MAX)
    }

    /// Whether each key was found: 1 or 0, one byte per key (a copy).
    #[wasm_bindgen(getter)]
    pub fn found(&self) -> Vec<u8> {
        self.found.clone()
    }

    /// The result as an Arrow IPC stream (schema, one record batch), for `apache-arrow`'s
    /// `tableFromIPC`. Every column is nullable. Written when asked for (a copy).
    #[wasm_bindgen(getter)]
    pub fn ipc(&self) -> Result<Vec<u8>, JsError> {
        ipc::batch_to_stream(&self.batch).map_err(js)
    }

    /// A typed-array view of column `name`'s values in wasm memory, without a copy:
    /// `Float32Array` for float32, `BigInt64Array` for int64 and timestamps, `Int32Array`
    /// for date32, `Uint16Array` (the bits) for float16, and for an embedding of `size`
    /// elements `size` values per row, row-major. Null rows hold unspecified values (see
    /// `found` and `nulls`). Throws for bool, utf8 and binary columns (read the IPC stream).
    ///
    /// The view is valid while this result lives **and until wasm memory grows**: any later
    /// call into the module (another `get`, `ipc`, a new reader) may grow it, which detaches
    /// the view (its length becomes 0). Copy it with `.slice()` to keep it longer.
    #[wasm_bindgen(unchecked_return_type = "ColumnView")]
    pub fn column(&self, name: &str) -> Result<JsValue, JsError> {
        view::values(self.array(name)?, name)
    }

    /// Whether each row of column `name` is null: 1 or 0, one byte per row (a copy).
    pub fn nulls(&self, name: &str) -> Result<Vec<u8>, JsError> {
        let array = self.array(name)?;
        Ok((0..array.len())
            .map(|i| u8::from(array.is_null(i)))
            .collect())
    }
}

impl GetResult {
    pub(crate) fn new(batch: RecordBatch, found: Vec<bool>) -> GetResult {
        GetResult {
            batch,
            found: found.into_iter().map(u8::from).collect(),
        }
    }

    fn array(&self, name: &str) -> Result<&arrow_array::ArrayRef, JsError> {
        self.batch
            .column_by_name(name)
            .ok_or_else(|| JsError::new(&format!("column '{name}' was not asked for")))
    }
}
