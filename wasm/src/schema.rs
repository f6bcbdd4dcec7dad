//! The segment's schema as JSON: `{"key": name, "fields": [{"name", "type", "nullable"}]}`,
//! the key column first. `type` is the Arrow type as Arrow's Rust `Display` writes it
//! (`Float32`, `Utf8`, `Timestamp(µs, "UTC")`, `FixedSizeList(3 x Float32)`, ...).

use arrow_schema::Schema;

/// `schema` (whose key column is `key`) as a JSON document.
pub fn to_json(schema: &Schema, key: &str) -> String {
    let mut out = format!("{{\"key\":{},\"fields\":[", quote(key));
    for (i, f) in schema.fields().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "{{\"name\":{},\"type\":{},\"nullable\":{}}}",
            quote(f.name()),
            quote(&f.data_type().to_string()),
            f.is_nullable()
        ));
    }
    out.push_str("]}");
    out
}

/// `s` as a JSON string literal.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::{DataType, Field};

    #[test]
    fn escapes_names() {
        let schema = Schema::new(vec![
            Field::new("k\"ey", DataType::Utf8, false),
            Field::new("a\\b\n", DataType::Float32, true),
        ]);
        assert_eq!(
            to_json(&schema, "k\"ey"),
            r#"{"key":"k\"ey","fields":[{"name":"k\"ey","type":"Utf8","nullable":false},{"name":"a\\b\u000a","type":"Float32","nullable":true}]}"#
        );
    }
}
