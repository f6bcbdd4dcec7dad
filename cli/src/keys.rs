//! Keys given to `get` and `delete`: from the arguments or stdin, parsed as the table's
//! key type.

use std::io::{BufRead, IsTerminal};
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, StringArray, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use murr_core::db::KEY_METADATA;

use crate::error::{Failure, Result};

/// Keys per `Db::read` or `Db::delete` call: bounds memory whatever stdin holds.
pub const CHUNK: usize = 64 * 1024;

/// The keys given: the arguments, or stdin one per line when there are none or the only one
/// is `-` (surrounding whitespace trimmed, empty lines skipped).
pub fn collect(args: &[String]) -> Result<Vec<String>> {
    let from_stdin = args.is_empty() || (args.len() == 1 && args[0] == "-");
    if !from_stdin {
        return Ok(args.to_vec());
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(Failure::new(
            "no keys: give them as arguments, or one per line on stdin (`-`)",
        ));
    }
    let mut keys = Vec::new();
    for line in stdin.lock().lines() {
        let line = line.map_err(|e| Failure::new(format!("cannot read keys from stdin: {e}")))?;
        let key = line.trim();
        if !key.is_empty() {
            keys.push(key.to_owned());
        }
    }
    Ok(keys)
}

/// The key column of `table`'s schema.
pub fn key_field<'a>(schema: &'a Schema, table: &str) -> Result<&'a Field> {
    schema
        .metadata()
        .get(KEY_METADATA)
        .and_then(|name| schema.field_with_name(name).ok())
        .ok_or_else(|| Failure::new(format!("table '{table}' names no key column")))
}

/// `keys` as an array of the key column's type (utf8, int64 or uint64); an error names the
/// first key that does not parse.
pub fn parse(keys: &[String], key: &Field, table: &str) -> Result<ArrayRef> {
    let bad = |k: &str, e: std::num::ParseIntError| {
        Failure::new(format!(
            "key '{k}' is not a valid {} (key column '{}' of table '{table}'): {e}",
            key.data_type(),
            key.name()
        ))
    };
    Ok(match key.data_type() {
        DataType::Utf8 => Arc::new(StringArray::from_iter_values(keys)),
        DataType::Int64 => Arc::new(Int64Array::from(
            keys.iter()
                .map(|k| k.parse::<i64>().map_err(|e| bad(k, e)))
                .collect::<Result<Vec<_>>>()?,
        )),
        DataType::UInt64 => Arc::new(UInt64Array::from(
            keys.iter()
                .map(|k| k.parse::<u64>().map_err(|e| bad(k, e)))
                .collect::<Result<Vec<_>>>()?,
        )),
        other => {
            return Err(Failure::new(format!(
                "key column '{}' of table '{table}' has type {other}, which murr cannot parse",
                key.name()
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;

    #[test]
    fn integer_keys_parse_or_name_the_bad_one() {
        let field = Field::new("id", DataType::Int64, false);
        let keys = vec!["1".to_owned(), "-2".to_owned()];
        assert_eq!(parse(&keys, &field, "t").unwrap().len(), 2);
        let err = parse(&["7".to_owned(), "x9".to_owned()], &field, "t").unwrap_err();
        assert!(
            err.to_string().contains("key 'x9' is not a valid Int64"),
            "{err}"
        );
        let field = Field::new("id", DataType::UInt64, false);
        assert!(parse(&["-1".to_owned()], &field, "t").is_err());
    }
}
