//! `murr export`: Parquet files holding the table's rows, an Iceberg table given a new
//! snapshot per export, a non-empty target refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs::File;

use arrow_array::cast::AsArray;
use common::*;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

#[test]
fn export_writes_parquet_and_iceberg_snapshots() {
    let (tmp, dir) = database(25);
    let to = tmp.path().join("pq");
    let out = ok(&[
        "export",
        path(&dir),
        "users",
        "--format",
        "parquet",
        "--to",
        path(&to),
        "--file-rows",
        "10",
    ]);
    assert!(
        out.starts_with("exported 25 row(s) of table 'users' to 3 file(s)"),
        "{out}"
    );
    let mut keys = Vec::new();
    for n in 0..3 {
        let f = File::open(to.join(format!("part-{n:05}.parquet"))).unwrap();
        for b in ParquetRecordBatchReaderBuilder::try_new(f)
            .unwrap()
            .build()
            .unwrap()
        {
            let b = b.unwrap();
            assert_eq!(b.schema().field(0).name(), "id");
            keys.extend(
                b.column(0)
                    .as_string::<i32>()
                    .iter()
                    .map(|k| k.unwrap().to_owned()),
            );
        }
    }
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!((keys.len(), &keys), (25, &sorted));
    let err = fails(&["export", path(&dir), "users", "--to", path(&to)], 1);
    assert!(err.contains("not empty"), "{err}");

    let ice = tmp.path().join("ice");
    for version in 1..=2 {
        let out = ok(&[
            "export",
            path(&dir),
            "users",
            "--format",
            "iceberg",
            "--to",
            path(&ice),
        ]);
        assert!(out.contains("exported 25 row(s)"), "{out}");
        assert!(out.contains(&format!("v{version}.metadata.json")), "{out}");
        assert!(
            ice.join(format!("metadata/v{version}.metadata.json"))
                .is_file()
        );
    }
    let err = fails(
        &[
            "export",
            path(&dir),
            "nope",
            "--format",
            "iceberg",
            "--to",
            path(&ice),
        ],
        1,
    );
    assert!(err.contains("no table 'nope'"), "{err}");
}
