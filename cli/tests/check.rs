//! `murr verify` and `murr inspect` of a database and of a segment file, healthy and
//! damaged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

#[test]
fn verify_checks_a_healthy_database() {
    let (_tmp, dir) = database(50);
    let out = ok(&["verify", path(&dir)]);
    assert!(out.contains("checked: manifest "), "{out}");
    assert!(
        out.contains("checked: open: segment footers, deletion vectors"),
        "{out}"
    );
    assert!(
        out.contains("checked: segments: every checksum of "),
        "{out}"
    );
    assert!(out.ends_with(&format!("OK: {}\n", dir.display())), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["verify", path(&dir), "--json"])).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["problems"], serde_json::json!([]));
    // One segment file alone, as before.
    let segment = &segment_files(&dir)[0];
    let out = ok(&["verify", path(segment)]);
    assert!(out.starts_with("OK: "), "{out}");
}

#[test]
fn verify_names_a_corrupt_segment() {
    let (_tmp, dir) = database(2000);
    let segments = segment_files(&dir);
    let biggest = segments
        .iter()
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let mut bytes = std::fs::read(biggest).unwrap();
    let middle = bytes.len() / 3;
    bytes[middle] ^= 0x55;
    std::fs::write(biggest, &bytes).unwrap();
    let name = biggest.file_name().unwrap().to_str().unwrap();
    let err = fails(&["verify", path(&dir)], 1);
    assert!(err.starts_with("murr: "), "{err}");
    assert!(err.contains(name) && err.contains("corrupt"), "{err}");
    let out = murr(&["verify", path(&dir), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(json["ok"], false);
    assert!(
        json["problems"][0].as_str().unwrap().contains(name),
        "{json}"
    );
    let err = fails(&["verify", path(biggest)], 1);
    assert!(err.contains(name), "{err}");
}

#[test]
fn verify_names_a_corrupt_manifest() {
    let (_tmp, dir) = database(10);
    let manifest = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("MANIFEST-")
        })
        .max()
        .unwrap();
    let mut bytes = std::fs::read(&manifest).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&manifest, &bytes).unwrap();
    let err = fails(&["verify", path(&dir)], 1);
    let name = manifest.file_name().unwrap().to_str().unwrap();
    assert!(err.contains(name), "{err}");
}

#[test]
fn inspect_summarizes_a_database_without_changing_it() {
    let (_tmp, dir) = database(100);
    let listing = |d: &std::path::Path| {
        let mut names: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    let before = listing(&dir);
    let out = ok(&["inspect", path(&dir)]);
    assert_eq!(listing(&dir), before);
    assert!(
        out.starts_with(&format!("database: {}\nmanifest: ", dir.display())),
        "{out}"
    );
    assert!(out.contains("tables:   2\n"), "{out}");
    assert!(out.contains("  users (id "), "{out}");
    assert!(out.contains("key id, 4 column(s)"), "{out}");
    assert!(
        out.contains("    level 0: 1 segment(s), 100 rows, "),
        "{out}"
    );
    assert!(out.contains(" rows, ") && out.contains(", seq "), "{out}");
    assert!(out.contains("logs:     "), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["inspect", path(&dir), "--json"])).unwrap();
    assert_eq!(json["tables"][0]["name"], "users");
    assert_eq!(json["tables"][0]["segments"][0]["rows"], 100);
    assert_eq!(json["tables"][1]["key"], "n");

    let segment = &segment_files(&dir)[0];
    let out = ok(&["inspect", path(segment)]);
    assert!(out.starts_with("segment:  "), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["inspect", path(segment), "--json"])).unwrap();
    assert!(json["rows"].as_u64().unwrap() > 0);
}
