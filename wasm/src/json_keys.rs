//! Utf8 keys cross from JS as one JSON text (`JSON.stringify(keys)`, one native call and one
//! string copy) instead of one boundary crossing per key: 1000 keys cost ~40 us instead of
//! ~180 us in Node. This parses that text: an array whose elements are strings or `null`.

use arrow_array::builder::StringBuilder;

/// The keys in `json`, a JSON array of strings and nulls, appended to a builder. `Err` says
/// what is wrong, naming the first bad key.
pub fn parse(json: &str) -> Result<StringBuilder, String> {
    let mut p = Parser {
        s: json.as_bytes(),
        at: 0,
    };
    let mut out = StringBuilder::with_capacity(json.len() / 8, json.len());
    let mut buf = String::new();
    p.skip_ws();
    p.expect(b'[').map_err(|_| "not an array".to_owned())?;
    p.skip_ws();
    if p.peek() == Some(b']') {
        return Ok(out);
    }
    for i in 0.. {
        p.skip_ws();
        let bad = |why: &str| format!("key {i} {why}");
        match p.peek() {
            Some(b'"') => {
                buf.clear();
                p.string(&mut buf).map_err(bad)?;
                out.append_value(&buf);
            }
            Some(b'n') if p.s.get(p.at..p.at + 4) == Some(b"null") => {
                p.at += 4;
                out.append_null();
            }
            _ => return Err(bad("is not a string")),
        }
        p.skip_ws();
        match p.peek() {
            Some(b',') => p.at += 1,
            Some(b']') => break,
            _ => return Err(bad("is not a string")),
        }
    }
    Ok(out)
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), ()> {
        if self.peek() == Some(c) {
            self.at += 1;
            Ok(())
        } else {
            Err(())
        }
    }

    /// A JSON string at the cursor (which is on its opening quote), appended to `out`.
    fn string(&mut self, out: &mut String) -> Result<(), &'static str> {
        self.at += 1;
        loop {
            // The run up to the next quote or backslash is copied whole. The input is a &str
            // and runs end at ASCII bytes, so every run is valid UTF-8.
            let rest = self.s.get(self.at..).unwrap_or_default();
            let run = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\')
                .ok_or("is an unterminated string")?;
            let text = rest.get(..run).unwrap_or_default();
            out.push_str(std::str::from_utf8(text).map_err(|_| "is not UTF-8")?);
            self.at += run;
            if self.peek() == Some(b'"') {
                self.at += 1;
                return Ok(());
            }
            self.at += 1; // the backslash
            let c = self.peek().ok_or("is an unterminated string")?;
            self.at += 1;
            match c {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let hi = self.hex4()?;
                    let c = if (0xD800..0xDC00).contains(&hi) {
                        if self.s.get(self.at..self.at + 2) != Some(b"\\u") {
                            return Err("has a lone surrogate (not valid Unicode)");
                        }
                        self.at += 2;
                        let lo = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return Err("has a lone surrogate (not valid Unicode)");
                        }
                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                    } else {
                        hi
                    };
                    out.push(char::from_u32(c).ok_or("has a lone surrogate (not valid Unicode)")?);
                }
                _ => return Err("has a bad escape"),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, &'static str> {
        let digits = self
            .s
            .get(self.at..self.at + 4)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .ok_or("has a bad escape")?;
        let text = std::str::from_utf8(digits).map_err(|_| "has a bad escape")?;
        let v = u32::from_str_radix(text, 16).map_err(|_| "has a bad escape")?;
        self.at += 4;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;

    fn keys(json: &str) -> Result<Vec<Option<String>>, String> {
        let a = parse(json)?.finish();
        Ok((0..a.len())
            .map(|i| a.is_valid(i).then(|| a.value(i).to_owned()))
            .collect())
    }

    #[test]
    fn strings_nulls_and_escapes() {
        assert_eq!(keys("[]").unwrap(), Vec::<Option<String>>::new());
        assert_eq!(
            keys(r#"["a", null ,"é\"\\\/\b\f\n\r\t\u0000\u00e9\ud83d\ude00x",""]"#).unwrap(),
            vec![
                Some("a".to_owned()),
                None,
                Some("é\"\\/\u{8}\u{c}\n\r\t\0é😀x".to_owned()),
                Some(String::new()),
            ]
        );
    }

    #[test]
    fn rejects_what_is_not_an_array_of_strings() {
        for (json, why) in [
            ("{}", "not an array"),
            ("[1]", "key 0 is not a string"),
            (r#"["a",true]"#, "key 1 is not a string"),
            (r#"["a""#, "key 0 is not a string"),
            (r#"["a"#, "key 0 is an unterminated string"),
            (
                r#"["\ud800"]"#,
                "key 0 has a lone surrogate (not valid Unicode)",
            ),
            (
                r#"["\udc00"]"#,
                "key 0 has a lone surrogate (not valid Unicode)",
            ),
            (
                r#"["\ud800\u0041"]"#,
                "key 0 has a lone surrogate (not valid Unicode)",
            ),
            (r#"["\x"]"#, "key 0 has a bad escape"),
            (r#"["\u12"]"#, "key 0 has a bad escape"),
            (r#"["\u+123"]"#, "key 0 has a bad escape"),
        ] {
            assert_eq!(keys(json).unwrap_err(), why, "{json}");
        }
    }
}
