//! The WASM reader's own parsers (`murr_wasm::parsers`) over untrusted text: the JSON array
//! of utf8 keys that `get` and `beginGet` receive from JS (`JSON.stringify(keys)` in the
//! package, but any string a caller passes), and the schema JSON written from a file's
//! column names. Used by the `wasm_parse` fuzz target; `wasm/tests/parsers.rs` checks the
//! same properties with proptest on stable.
//!
//! Findings: a panic or hang; keys that serde_json reads as an array of strings and nulls
//! and `json_keys` rejects or reads differently; keys written by serde_json (the escapes
//! `JSON.stringify` writes) that do not parse back; a schema JSON that serde_json cannot
//! read or that does not give back the names.

use arrow_array::{Array, StringArray};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use murr_wasm::parsers::{json_keys, schema_json};
use serde_json::Value;

/// Runs `data` (as UTF-8, lossily) through every parser; see the module docs.
pub fn exercise_wasm(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    check_keys_text(&text);
    // The same text cut into keys (a piece "\0" stands for a null), written as JSON.
    let keys: Vec<Option<String>> = text
        .split('\u{1e}')
        .map(|k| (k != "\0").then(|| k.to_owned()))
        .collect();
    let json = serde_json::to_string(&keys).expect("serde_json writes strings");
    assert_eq!(
        parsed(&json).unwrap_or_else(|e| panic!("{json:?}: {e}")),
        keys,
        "{json:?}"
    );
    check_schema(&keys);
}

fn parsed(text: &str) -> Result<Vec<Option<String>>, String> {
    let array: StringArray = json_keys(text)?.finish();
    Ok((0..array.len())
        .map(|i| array.is_valid(i).then(|| array.value(i).to_owned()))
        .collect())
}

/// `text` as keys: an error or keys; serde_json's keys where serde_json reads it.
fn check_keys_text(text: &str) {
    let ours = parsed(text);
    if let Ok(reference) = serde_json::from_str::<Vec<Option<String>>>(text) {
        let ours = ours.unwrap_or_else(|e| panic!("serde_json reads {text:?}, json_keys: {e}"));
        assert_eq!(ours, reference, "{text:?}");
    }
}

/// A schema of columns named `names` (the first the key) must give a JSON text that
/// serde_json reads back to the same names.
fn check_schema(names: &[Option<String>]) {
    const TYPES: [DataType; 4] = [
        DataType::Float32,
        DataType::Utf8,
        DataType::Int64,
        DataType::Timestamp(TimeUnit::Microsecond, None),
    ];
    let names: Vec<&str> = names.iter().map(|n| n.as_deref().unwrap_or("")).collect();
    let fields: Vec<Field> = names
        .iter()
        .enumerate()
        .map(|(i, n)| Field::new(*n, TYPES[i % TYPES.len()].clone(), i % 2 == 1))
        .collect();
    let key = names.first().copied().unwrap_or_default();
    let text = schema_json(&Schema::new(fields), key);
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert_eq!(v["key"], key, "{text}");
    let got: Vec<&str> = v["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("{text}"))
        .iter()
        .map(|f| f["name"].as_str().unwrap_or_else(|| panic!("{text}")))
        .collect();
    assert_eq!(got, names, "{text}");
}
