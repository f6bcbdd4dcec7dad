//! Engine metrics through the C ABI: murr_db_metrics (the size protocol, counters moved by
//! writes, reads with misses, flushes and compactions, the latency percentiles and
//! buckets) and murr_db_metrics_prometheus with murr_string_free.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ffi::CStr;
use std::ptr;

use common::*;
use murr::*;

fn metrics(db: &TestDb, err: &mut murr_error_t) -> (murr_status_t, murr_metrics_t) {
    // SAFETY: zeroed is a valid murr_metrics_t (integers only).
    let mut m: murr_metrics_t = unsafe { std::mem::zeroed() };
    m.size = size_of::<murr_metrics_t>();
    // SAFETY: valid pointers.
    let status = unsafe { murr_db_metrics(db.db, &mut m, err) };
    (status, m)
}

/// Counters move by what the calls did.
#[test]
fn counters_follow_writes_reads_flushes_and_compactions() {
    let db = open_db();
    create_users(&db);
    let mut err = MURR_ERROR_INIT();
    let (status, m) = metrics(&db, &mut err);
    check(status, &mut err);
    assert_eq!(m.size, size_of::<murr_metrics_t>());
    assert_eq!(m.enabled, 1);
    assert_eq!((m.reads, m.writes), (0, 0));

    write_ok(&db, "users", &users_batch());
    write_ok(&db, "users", &users_batch());
    // 4 keys, 2 absent.
    let (status, _, found) = read_str(
        &db,
        ptr::null(),
        "users",
        &["ann", "nobody", "cid", "zed"],
        &["ctr"],
        &mut err,
    );
    check(status, &mut err);
    assert_eq!(found, vec![1, 0, 1, 0]);
    let (_, m) = metrics(&db, &mut err);
    assert_eq!((m.writes, m.write_rows), (2, 6));
    assert_eq!((m.reads, m.read_keys, m.read_misses), (1, 4, 2));
    assert!(m.read_bytes > 0 && m.log_bytes > 0);
    assert_eq!(
        m.log_syncs, 0,
        "the tests' databases never fsync the log on writes"
    );
    assert_eq!(m.read_latency_buckets.iter().sum::<u64>(), 1);
    assert!(m.read_latency_p50_ns > 0);
    assert!(m.read_latency_p50_ns <= m.read_latency_p99_ns);
    assert!(m.read_latency_p99_ns <= m.read_latency_p999_ns);
    assert_eq!(m.memtable_rows, 6);

    // SAFETY: a valid handle.
    check(unsafe { murr_db_flush(db.db, &mut err) }, &mut err);
    write_ok(&db, "users", &users_batch());
    // SAFETY: a valid handle.
    check(unsafe { murr_db_compact(db.db, &mut err) }, &mut err);
    let (_, m) = metrics(&db, &mut err);
    assert_eq!(m.flushes, 2);
    assert!(
        m.log_syncs >= 2,
        "each flush fsyncs the log it rotates away from"
    );
    assert_eq!(m.flush_rows, 6, "3 keys per flush");
    assert_eq!(m.compactions, 1);
    assert_eq!(m.compaction_bytes_written, m.segment_bytes);
    assert_eq!(
        (m.segment_rows, m.level0_segments, m.memtable_rows),
        (3, 0, 0)
    );
}

/// The size protocol, as murr_table_stats_t's: an older (smaller) struct gets the fields
/// that fit, a newer (larger) one its unknown tail zeroed; too small and NULL are errors.
#[test]
fn metrics_honour_the_callers_size() {
    let db = open_db();
    create_users(&db);
    write_ok(&db, "users", &users_batch());
    let mut err = MURR_ERROR_INIT();
    let mut small = [0xAAAAu64; 8];
    small[0] = 32; // size, enabled, reads, read_keys
    // SAFETY: 64 writable bytes, of which 32 declared.
    let status = unsafe { murr_db_metrics(db.db, small.as_mut_ptr().cast(), &mut err) };
    check(status, &mut err);
    assert_eq!(&small[..5], &[32, 1, 0, 0, 0xAAAA]);
    let words = size_of::<murr_metrics_t>() / 8;
    let mut big = vec![u64::MAX; words + 4];
    big[0] = (big.len() * 8) as u64;
    // SAFETY: big.len() * 8 writable bytes.
    let status = unsafe { murr_db_metrics(db.db, big.as_mut_ptr().cast(), &mut err) };
    check(status, &mut err);
    assert_eq!(big[0] as usize, size_of::<murr_metrics_t>());
    assert_eq!(&big[words..], &[0; 4]);
    // SAFETY: zeroed is valid.
    let mut tiny: murr_metrics_t = unsafe { std::mem::zeroed() };
    tiny.size = 8;
    // SAFETY: valid pointers.
    let status = unsafe { murr_db_metrics(db.db, &mut tiny, &mut err) };
    expect_status(status, &mut err, MURR_INVALID_ARGUMENT, "MURR_METRICS_INIT");
    // SAFETY: NULL out is refused.
    let status = unsafe { murr_db_metrics(db.db, ptr::null_mut(), &mut err) };
    expect_status(status, &mut err, MURR_INVALID_ARGUMENT, "out is NULL");
}

/// The Prometheus text: owned by the caller, freed with murr_string_free.
#[test]
fn prometheus_text_is_the_callers_to_free() {
    let db = open_db();
    create_users(&db);
    write_ok(&db, "users", &users_batch());
    let mut err = MURR_ERROR_INIT();
    let (status, _, _) = read_str(&db, ptr::null(), "users", &["ann", "x"], &["ctr"], &mut err);
    check(status, &mut err);
    let mut text: *mut std::ffi::c_char = ptr::null_mut();
    // SAFETY: valid pointers.
    let status = unsafe { murr_db_metrics_prometheus(db.db, &mut text, &mut err) };
    check(status, &mut err);
    assert!(!text.is_null());
    // SAFETY: a NUL-terminated string from libmurr.
    let s = unsafe { CStr::from_ptr(text) }.to_str().unwrap().to_owned();
    // SAFETY: libmurr's string, freed once.
    unsafe { murr_string_free(text) };
    // SAFETY: NULL is fine.
    unsafe { murr_string_free(ptr::null_mut()) };
    assert!(s.contains("murr_reads_total 1\n"), "{s}");
    assert!(s.contains("murr_read_misses_total 1\n"));
    assert!(s.contains("murr_write_rows_total 3\n"));
    assert!(s.contains("murr_table_memtable_rows{table=\"users\"} 3\n"));
    // A NULL db: an error, and out stays NULL.
    let mut text: *mut std::ffi::c_char = ptr::dangling_mut();
    // SAFETY: NULL db is refused.
    let status = unsafe { murr_db_metrics_prometheus(ptr::null(), &mut text, &mut err) };
    assert_ne!(status, MURR_OK);
    assert!(text.is_null());
    // SAFETY: release the message.
    unsafe { murr_error_release(&mut err) };
}
