//! `murr tables`, `schema`, `get` and `scan` on a database made through murr-core.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int64Type};
use common::*;

#[test]
fn tables_lists_each_table() {
    let (_tmp, dir) = database(100);
    let out = ok(&["tables", path(&dir)]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("table"), "{out}");
    assert!(
        lines[1].starts_with("users") && lines[1].contains("id (Utf8)"),
        "{out}"
    );
    assert!(lines[1].contains(" 100 "), "{out}");
    assert!(
        lines[2].starts_with("counts") && lines[2].contains("n (Int64)"),
        "{out}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&ok(&["tables", path(&dir), "--json", "--count"])).unwrap();
    let users = &json["tables"][0];
    assert_eq!(users["name"], "users");
    assert_eq!(users["key"], "id");
    assert_eq!(users["live_rows"], 100);
    assert_eq!(users["stored_rows"], 100);
    assert_eq!(users["segments"], 1);
    assert_eq!(json["tables"][1]["live_rows"], 3);
}

#[test]
fn schema_shows_types_nullability_and_key() {
    let (_tmp, dir) = database(10);
    let out = ok(&["schema", path(&dir), "users"]);
    assert!(out.contains("id      Utf8"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("id ") && l.ends_with("(key)")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("score") && l.contains("Float32") && l.contains("yes")),
        "{out}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["schema", path(&dir), "users", "--json"])).unwrap();
    assert_eq!(json["key"], "id");
    assert_eq!(json["columns"][0]["name"], "id");
    assert_eq!(json["columns"][0]["nullable"], false);
    assert_eq!(json["columns"][0]["key"], true);
    assert_eq!(
        json["columns"][3]["type"],
        "FixedSizeList(2 x non-null Float32)"
    );
    let err = fails(&["schema", path(&dir), "nope"], 1);
    assert!(err.starts_with("murr: no table 'nope'"), "{err}");
}

#[test]
fn get_prints_each_key_and_whether_it_was_found() {
    let (_tmp, dir) = database(10);
    let out = ok(&[
        "get",
        path(&dir),
        "users",
        "u3",
        "zzz",
        "--columns",
        "score,clicks",
    ]);
    assert!(out.contains("| id  | score | clicks | found |"), "{out}");
    assert!(out.contains("| u3  | 1.5   | 30     | true  |"), "{out}");
    assert!(out.contains("| zzz |       |        | false |"), "{out}");

    let out = ok(&["get", path(&dir), "users", "u4", "nope", "--format", "json"]);
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], "u4");
    assert_eq!(rows[0]["found"], true);
    assert_eq!(rows[0]["clicks"], 40);
    assert_eq!(rows[0]["emb"], serde_json::json!([4.0, -4.0]));
    assert_eq!(rows[1]["found"], false);
    assert_eq!(rows[1]["score"], serde_json::Value::Null);

    let out = ok(&["get", path(&dir), "users", "u1", "u9", "--format", "csv"]);
    assert_eq!(
        out,
        "id,score,clicks,emb,found\nu1,0.5,10,\"[1.0, -1.0]\",true\nu9,4.5,90,\"[9.0, -9.0]\",true\n"
    );
}

#[test]
fn get_reads_keys_from_stdin() {
    let (_tmp, dir) = database(10);
    for args in [
        vec!["get", path(&dir), "counts", "--format", "csv"],
        vec!["get", path(&dir), "counts", "-", "--format", "csv"],
    ] {
        let out = murr_with_stdin(&args, Some(b"3\n\n 1 \r\n42\n"));
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(
            text(&out.stdout),
            "n,label,found\n3,three,true\n1,one,true\n42,,false\n"
        );
    }
}

#[test]
fn get_names_a_key_of_the_wrong_type() {
    let (_tmp, dir) = database(10);
    let err = fails(&["get", path(&dir), "counts", "1", "two"], 1);
    assert!(
        err.starts_with("murr: key 'two' is not a valid Int64 (key column 'n' of table 'counts')"),
        "{err}"
    );
    let err = fails(
        &["get", path(&dir), "users", "u1", "--columns", "score,nope"],
        1,
    );
    assert!(err.contains("no column 'nope' in table 'users'"), "{err}");
}

#[test]
fn get_writes_an_arrow_stream() {
    let (_tmp, dir) = database(10);
    let out = murr(&["get", path(&dir), "users", "u2", "u99", "--format", "arrow"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let reader = arrow_ipc::reader::StreamReader::try_new(&out.stdout[..], None).unwrap();
    let batches: Vec<_> = reader.map(|b| b.unwrap()).collect();
    assert_eq!(batches.len(), 1);
    let batch = &batches[0];
    let schema = batch.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["id", "score", "clicks", "emb", "found"]);
    assert_eq!(batch.column(1).as_primitive::<Float32Type>().value(0), 1.0);
    assert!(batch.column(1).is_null(1));
    let found = batch.column(4).as_boolean();
    assert!(found.value(0) && !found.value(1));
}

#[test]
fn scan_prints_rows_in_key_order() {
    let (_tmp, dir) = database(12);
    let out = ok(&[
        "scan",
        path(&dir),
        "users",
        "--columns",
        "clicks",
        "--limit",
        "3",
        "--format",
        "csv",
    ]);
    assert_eq!(out, "id,clicks\nu0,0\nu1,10\nu10,100\n");
    let out = ok(&["scan", path(&dir), "counts"]);
    assert!(out.contains("| n | label |"), "{out}");
    assert!(out.contains("| 3 | three |"), "{out}");
    let out = ok(&["scan", path(&dir), "users", "--format", "json"]);
    assert_eq!(out.lines().count(), 12);

    let out = murr(&["scan", path(&dir), "counts", "--format", "arrow"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let reader = arrow_ipc::reader::StreamReader::try_new(&out.stdout[..], None).unwrap();
    let keys: Vec<i64> = reader
        .flat_map(|b| {
            b.unwrap()
                .column(0)
                .as_primitive::<Int64Type>()
                .values()
                .to_vec()
        })
        .collect();
    assert_eq!(keys, [1, 2, 3]);
}
