//! `murr delete`, `flush`, `compact` and `stats`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use arrow_array::{Int64Array, StringArray};
use common::*;
use murr_core::db::{Db, Options};

#[test]
fn delete_removes_keys_given_or_from_stdin() {
    let (_tmp, dir) = database(10);
    let out = ok(&["delete", path(&dir), "users", "u1", "u2", "missing"]);
    assert_eq!(
        out,
        "deleted 3 key(s) from table 'users' (keys that did not exist included)\n"
    );
    let (_, found) = read(
        &dir,
        "users",
        &StringArray::from(vec!["u1", "u2", "u3"]),
        &[],
    );
    assert_eq!(found, [false, false, true]);

    let out = murr_with_stdin(&["delete", path(&dir), "counts"], Some(b"1\n3\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (_, found) = read(&dir, "counts", &Int64Array::from(vec![1, 2, 3]), &[]);
    assert_eq!(found, [false, true, false]);

    // A bad key deletes nothing, even the good keys before it.
    let err = fails(&["delete", path(&dir), "counts", "2", "x"], 1);
    assert!(err.contains("key 'x' is not a valid Int64"), "{err}");
    let (_, found) = read(&dir, "counts", &Int64Array::from(vec![2]), &[]);
    assert_eq!(found, [true]);
}

#[test]
fn flush_and_compact_report_their_work() {
    let (_tmp, dir) = database(10);
    // Two more level-0 segments for users: one flushed, one written by the close.
    {
        let db = Db::open(&dir, Options::default()).unwrap();
        db.write("users", &users_batch(5..15)).unwrap();
        db.flush().unwrap();
        db.write("users", &users_batch(20..21)).unwrap();
        db.close().unwrap();
    }
    let out = ok(&["flush", path(&dir)]);
    assert!(
        out.starts_with("flushed in ") && out.ends_with(" s\n"),
        "{out}"
    );
    let stats: serde_json::Value =
        serde_json::from_str(&ok(&["stats", path(&dir), "--json"])).unwrap();
    let users = &stats["tables"][0];
    assert_eq!(users["name"], "users");
    assert_eq!(users["level0_segments"], 3);
    assert_eq!(users["segment_rows"], 21);
    assert!(stats["disk_bytes"].as_u64().unwrap() > users["segment_bytes"].as_u64().unwrap());
    // The engine's metrics: gauges of the database, counters of the command's own open.
    // Its gauges are totals over the tables (users and counts).
    let engine = &stats["engine"];
    assert_eq!(engine["enabled"], true);
    let sum = |field: &str| -> u64 {
        stats["tables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t[field].as_u64().unwrap())
            .sum()
    };
    assert_eq!(engine["level0_segments"], sum("level0_segments"));
    assert_eq!(engine["segment_rows"], sum("segment_rows"));
    assert_eq!(engine["segment_bytes"], sum("segment_bytes"));
    assert_eq!(engine["memtable_rows"], 0);
    assert_eq!(engine["reads"], 0, "stats reads nothing");
    assert_eq!(engine["writes"], 0);

    let out = ok(&["compact", path(&dir)]);
    assert!(out.starts_with("compacted in "), "{out}");
    assert!(out.contains("  users: 3 segment(s), "), "{out}");
    assert!(out.contains(" -> 1 segment(s), "), "{out}");
    let out = ok(&["stats", path(&dir)]);
    assert!(
        out.contains("table users\n  rows:      16 in segments (0 marked deleted or superseded)\n"),
        "{out}"
    );
    assert!(
        out.contains("  segments:  1 (0 at level 0, 1 in the run)\n"),
        "{out}"
    );
    assert!(out.contains("  memtable:  0 bytes\n"), "{out}");
    assert!(
        out.contains("engine (counters count since this command opened the database)\n"),
        "{out}"
    );
    // Both tables' segments, compacted: 16 + 3 rows.
    let engine_segments = out
        .lines()
        .find(|l| l.starts_with("  segments:  2 (0 at level 0), "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(engine_segments.ends_with(" bytes, 19 rows"), "{out}");
    assert!(out.lines().last().unwrap().starts_with("disk: "), "{out}");
    let (_, found) = read(&dir, "users", &StringArray::from(vec!["u20", "u14"]), &[]);
    assert_eq!(found, [true, true]);
}
