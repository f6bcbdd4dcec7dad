//! A JSON object that keeps its members' order (serde_json's `Map` sorts them unless its
//! `preserve_order` feature is on, which would change every crate's output): column order
//! is a table's schema order.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// An ordered JSON object: `(name, value)` pairs as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ordered(pub Vec<(String, Value)>);

impl Ordered {
    /// The object as JSON text, members in order.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{");
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&Value::String(k.clone()).to_string());
            out.push(':');
            out.push_str(&v.to_string());
        }
        out.push('}');
        out
    }
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = access.next_entry::<String, Value>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// Parses `bytes` as a JSON document whose member `field` (of the top-level object) is an
/// object, returning that member's pairs in order (`None` when the member is absent).
pub fn object_member(bytes: &[u8], field: &str) -> Result<Option<Ordered>, String> {
    #[derive(Default)]
    struct Doc {
        member: Option<Ordered>,
    }
    struct V<'a>(&'a str);
    impl<'de> Visitor<'de> for V<'_> {
        type Value = Doc;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Doc, A::Error> {
            let mut doc = Doc::default();
            while let Some(k) = access.next_key::<String>()? {
                if k == self.0 {
                    doc.member = Some(access.next_value::<Ordered>()?);
                } else {
                    access.next_value::<serde::de::IgnoredAny>()?;
                }
            }
            Ok(doc)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let doc = de
        .deserialize_map(V(field))
        .map_err(|e| format!("malformed JSON body: {e}"))?;
    de.end().map_err(|e| format!("malformed JSON body: {e}"))?;
    Ok(doc.member)
}
