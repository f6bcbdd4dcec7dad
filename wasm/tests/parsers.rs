//! Property tests of the WASM reader's own parsers of untrusted input
//! (`murr_wasm::parsers`, fuzzed by `fuzz/fuzz_targets/wasm_parse.rs`): the JSON text of
//! utf8 keys and the schema JSON written from a file's column names.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use arrow_array::{Array, StringArray};
use arrow_schema::{DataType, Field, Schema};
use murr_wasm::parsers::{json_keys, schema_json};
use proptest::prelude::*;
use serde_json::Value;

fn parsed(text: &str) -> Result<Vec<Option<String>>, String> {
    let array: StringArray = json_keys(text)?.finish();
    Ok((0..array.len())
        .map(|i| array.is_valid(i).then(|| array.value(i).to_owned()))
        .collect())
}

/// Text that looks like a keys array often: JSON punctuation, escapes, whitespace, any char.
fn jsonish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just("\"".to_owned()),
        Just("null".to_owned()),
        Just("\\".to_owned()),
        Just("\\u".to_owned()),
        Just("d83d".to_owned()),
        Just("\\ude00".to_owned()),
        Just(" \n\t\r".to_owned()),
        "[0-9a-fA-F]{1,4}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Random bytes: an error or keys, never a panic; serde_json's keys where it reads them.
    #[test]
    fn random_bytes_parse_or_fail(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        let ours = parsed(&text);
        if let Ok(reference) = serde_json::from_str::<Vec<Option<String>>>(&text) {
            prop_assert_eq!(ours, Ok(reference));
        }
    }

    /// JSON-like text: the same, more often reaching the string and escape paths.
    #[test]
    fn jsonish_text_agrees_with_serde_json(text in jsonish()) {
        let ours = parsed(&text);
        if let Ok(reference) = serde_json::from_str::<Vec<Option<String>>>(&text) {
            prop_assert_eq!(ours, Ok(reference));
        }
    }

    /// Any keys written as JSON (the escapes JSON.stringify writes) parse back.
    #[test]
    fn written_keys_parse_back(keys in prop::collection::vec(prop::option::of(any::<String>()), 0..20)) {
        let json = serde_json::to_string(&keys).unwrap();
        prop_assert_eq!(parsed(&json), Ok(keys.clone()));
        let pretty = serde_json::to_string_pretty(&keys).unwrap();
        prop_assert_eq!(parsed(&pretty), Ok(keys));
    }

    /// A schema JSON written from any column names reads back to those names.
    #[test]
    fn schema_json_reads_back(names in prop::collection::vec(any::<String>(), 1..8)) {
        let fields: Vec<Field> = names
            .iter()
            .map(|n| Field::new(n, DataType::Float32, false))
            .collect();
        let text = schema_json(&Schema::new(fields), &names[0]);
        let v: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&v["key"], &Value::from(names[0].clone()));
        let got: Vec<String> = v["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect();
        prop_assert_eq!(got, names);
    }
}
