#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `murr_db_export_parquet` and `murr_db_export_iceberg`: with murr-ffi's feature `export`
//! the files are written and the rows and snapshot id reported; without it (the C
//! library's build) both answer MURR_UNSUPPORTED and write nothing. NULL arguments refused.

mod common;

use std::ptr;

use common::*;
use murr::*;

#[test]
fn exports_write_files_or_answer_unsupported() {
    let db = open_db();
    create_users(&db);
    write_ok(&db, "users", &users_batch());
    let table = cstr("users");
    let pq_dir = db.dir.path().join("out-parquet");
    let ice = db.dir.path().join("out-iceberg");
    let pq_c = cstr(pq_dir.to_str().unwrap());
    let ice_c = cstr(ice.to_str().unwrap());
    let mut rows = 0u64;
    let mut id = 0i64;
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers and handles.
    let (s1, s2) = unsafe {
        let s1 = murr_db_export_parquet(
            db.db,
            ptr::null(),
            table.as_ptr(),
            pq_c.as_ptr(),
            &mut rows,
            &mut err,
        );
        if cfg!(feature = "export") {
            check(s1, &mut err);
        } else {
            expect_status(s1, &mut err, MURR_UNSUPPORTED, "without exports");
        }
        let s2 = murr_db_export_iceberg(db.db, table.as_ptr(), ice_c.as_ptr(), &mut id, &mut err);
        if cfg!(feature = "export") {
            check(s2, &mut err);
        } else {
            expect_status(s2, &mut err, MURR_UNSUPPORTED, "without exports");
        }
        (s1, s2)
    };
    if cfg!(feature = "export") {
        assert_eq!((s1, s2), (MURR_OK, MURR_OK));
        assert_eq!(rows, 3);
        assert!(pq_dir.join("part-00000.parquet").is_file());
        assert!(id > 0);
        assert!(ice.join("metadata/v1.metadata.json").is_file());
        // A second export adds a snapshot; a non-empty Parquet directory is refused.
        let mut id2 = 0i64;
        // SAFETY: valid pointers and handles.
        unsafe {
            let s =
                murr_db_export_iceberg(db.db, table.as_ptr(), ice_c.as_ptr(), &mut id2, &mut err);
            check(s, &mut err);
            let s = murr_db_export_parquet(
                db.db,
                ptr::null(),
                table.as_ptr(),
                pq_c.as_ptr(),
                ptr::null_mut(),
                &mut err,
            );
            expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "not empty");
        }
        assert!(id2 > 0 && id2 != id);
        assert!(ice.join("metadata/v2.metadata.json").is_file());
    } else {
        assert!(!pq_dir.exists() && !ice.exists());
    }
    // SAFETY: NULL arguments are refused, not dereferenced.
    unsafe {
        let s = murr_db_export_iceberg(
            db.db,
            ptr::null(),
            ice_c.as_ptr(),
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "table");
        let s = murr_db_export_parquet(
            db.db,
            ptr::null(),
            table.as_ptr(),
            ptr::null(),
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "dir");
    }
}
