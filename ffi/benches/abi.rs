//! R1 through the C ABI against the Rust API, in the same run: what the boundary costs.
//!
//! `cargo bench -p murr-ffi --bench abi -- [--rows N] [--batches B]`
//!
//! The canonical table (docs/WORKLOAD.md: keys `doc_{i}`, 10 float32 columns) is loaded through
//! `murr_core::db::Db`, flushed and compacted into its sorted run, and closed; the
//! directory is copied once per system (the Rust API's `Db::read` and each C ABI system
//! reads its own copy), so that no system finds in cache the rows the one before it read
//! for the same keys (measured: sharing one copy made the C systems look 30-45% faster than
//! the Rust API). Each batch:
//! 1000 uniformly random existing keys (seed 42), all 10 columns. Systems, taking turns in
//! a rotating order per batch, each answer timed alone and checked outside the timing:
//! - `Db::read` with a `StringArray` of the keys (built outside the timing), the result
//!   dropped inside the timing;
//! - `murr_db_read_str`: C strings in, a `struct ArrowArray` + `struct ArrowSchema` out
//!   (the export included), released inside the timing by the structs' release callbacks
//!   (as a C consumer does; the values are checked in place, outside the timing);
//! - `murr_db_read`: the same keys as a borrowed Arrow array (exported outside the
//!   timing);
//! - `murr_db_read_f32_str`: the dense read into a preallocated 1000 x 10 float buffer;
//! - `Db::read_f32`: the same dense read through the Rust API (the C ABI's dense read is
//!   this plus the C-string keys), compared with the C one in a line of its own;
//! - `murr_db_read_keys` and `murr_db_read_f32` with a `MURR_KEYS_CSTR` descriptor of the
//!   same C strings (`murr_db_read_str` and `murr_db_read_f32_str` are wrappers of them
//!   since 0.2: the four should agree);
//! - `Db::read` with the `StringArray` built inside the timing from the batch's `&str`s
//!   (what a Rust server whose keys arrive as strings pays; context for `murr_db_read_str`).
//!
//! Before each timed call every byte of the batch's keys is read (both forms), as a
//! server's request keys are in cache when it serves them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::ffi::{CString, c_char};
use std::hint::black_box;
use std::path::Path;
use std::ptr;
use std::time::Instant;

use arrow_array::cast::AsArray;
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, to_ffi};
use arrow_array::types::Float32Type;
use arrow_array::{Array, StringArray};
use murr::*;
use murr_core::db::{Db, Options, SyncPolicy};
use murr_workload as workload;

const WIDTH: usize = 10;
const KEYS: usize = 1000;
const WARMUP: usize = 200;
const TABLE: &str = "features";

fn percentile(times: &[f64], p: f64) -> f64 {
    let mut t = times.to_vec();
    t.sort_by(f64::total_cmp);
    t[((t.len() - 1) as f64 * p).round() as usize]
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name() != "LOCK" {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn error_init() -> murr_error_t {
    murr_error_t::default()
}

fn ok(status: murr_status_t, err: &mut murr_error_t) {
    if status != MURR_OK {
        let msg = if err.message.is_null() {
            String::new()
        } else {
            // SAFETY: a NUL-terminated message set by libmurr.
            unsafe { std::ffi::CStr::from_ptr(err.message) }
                .to_string_lossy()
                .into_owned()
        };
        panic!("status {status}: {msg}");
    }
}

/// Checks a batch's values (outside the timing).
fn check_values(rows: &[u64], ask: usize, value: impl Fn(usize, usize) -> f32) {
    for (r, &i) in rows.iter().enumerate() {
        for c in 0..ask {
            assert_eq!(value(r, c), workload::value(i, c), "row {i} column {c}");
        }
    }
}

/// Reads every byte of a batch's keys, in both forms.
fn warm(array: &StringArray, cstrings: &[CString]) {
    let mut sum = 0u64;
    for v in array.iter().flatten() {
        sum = sum.wrapping_add(v.bytes().map(u64::from).sum::<u64>());
    }
    for c in cstrings {
        sum = sum.wrapping_add(c.as_bytes().iter().map(|&b| u64::from(b)).sum::<u64>());
    }
    black_box(sum);
}

fn main() {
    let mut rows_n: u64 = 1_000_000;
    let mut ask = WIDTH;
    let mut batches = 2000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rows" => rows_n = args.next().and_then(|v| v.parse().ok()).unwrap(),
            "--batches" => batches = args.next().and_then(|v| v.parse().ok()).unwrap(),
            "--columns" => ask = args.next().and_then(|v| v.parse().ok()).unwrap(),
            _ => {}
        }
    }
    let root = tempfile::tempdir().unwrap();
    let c_dir = root.path().join("c");
    let rust_dir = root.path().join("rust");
    eprintln!("loading {rows_n} rows ...");
    {
        let db = Db::open(
            &c_dir,
            Options::default()
                .with_sync(SyncPolicy::Never)
                .with_memtable_bytes(4 << 30)
                .with_background_threads(0),
        )
        .unwrap();
        db.create_table(TABLE, &workload::schema(WIDTH), "key")
            .unwrap();
        for batch in workload::batches(rows_n, WIDTH) {
            db.write(TABLE, &batch.unwrap()).unwrap();
        }
        db.compact().unwrap();
        db.close().unwrap();
    }
    copy_dir(&c_dir, &rust_dir);
    let rust2_dir = root.path().join("rust2");
    copy_dir(&c_dir, &rust2_dir);
    let rust_dense_dir = root.path().join("rust_dense");
    copy_dir(&c_dir, &rust_dense_dir);
    let rust_strs_dir = root.path().join("rust_strs");
    copy_dir(&c_dir, &rust_strs_dir);

    // One copy per C system too: systems reading the same keys of the same file in turn
    // would find the rows the one before fetched in cache.
    let c_dirs: Vec<std::path::PathBuf> = (0..5)
        .map(|i| {
            let d = root.path().join(format!("c{i}"));
            copy_dir(&c_dir, &d);
            d
        })
        .collect();
    let rust = Db::open(&rust_dir, Options::default().with_background_threads(0)).unwrap();
    let rust2 = Db::open(&rust2_dir, Options::default().with_background_threads(0)).unwrap();
    let rust_dense = Db::open(
        &rust_dense_dir,
        Options::default().with_background_threads(0),
    )
    .unwrap();
    let rust_strs = Db::open(
        &rust_strs_dir,
        Options::default().with_background_threads(0),
    )
    .unwrap();

    let mut options = std::mem::MaybeUninit::<murr_options_t>::uninit();
    // SAFETY: murr_options_default fills the struct.
    let mut options = unsafe {
        murr_options_default(options.as_mut_ptr());
        options.assume_init()
    };
    options.background_threads = 0;
    let mut err = error_init();
    let handles: Vec<*mut murr_db_t> = c_dirs
        .iter()
        .map(|d| {
            let path = CString::new(d.to_str().unwrap()).unwrap();
            let mut db: *mut murr_db_t = ptr::null_mut();
            // SAFETY: valid pointers.
            ok(
                unsafe { murr_db_open(path.as_ptr(), &options, &mut db, &mut err) },
                &mut err,
            );
            db
        })
        .collect();

    let table = CString::new(TABLE).unwrap();
    // `--columns K` asks the first K columns (default all 10): separates per-column costs.
    let names: Vec<CString> = (0..ask)
        .map(|c| CString::new(format!("f{c}")).unwrap())
        .collect();
    let name_ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
    let name_strs: Vec<String> = (0..ask).map(|c| format!("f{c}")).collect();
    let cols: Vec<&str> = name_strs.iter().map(String::as_str).collect();

    let mut rng = workload::random_rows(42, rows_n);
    let total = WARMUP + batches;
    let key_rows: Vec<Vec<u64>> = (0..total)
        .map(|_| rng.by_ref().take(KEYS).collect())
        .collect();
    let key_arrays: Vec<StringArray> = key_rows
        .iter()
        .map(|b| StringArray::from_iter_values(b.iter().map(|&i| workload::key(i))))
        .collect();
    let key_cstrings: Vec<Vec<CString>> = key_rows
        .iter()
        .map(|b| {
            b.iter()
                .map(|&i| CString::new(workload::key(i)).unwrap())
                .collect()
        })
        .collect();
    let key_ptrs: Vec<Vec<*const c_char>> = key_cstrings
        .iter()
        .map(|b| b.iter().map(|k| k.as_ptr()).collect())
        .collect();
    let key_ffi: Vec<(FFI_ArrowArray, FFI_ArrowSchema)> = key_arrays
        .iter()
        .map(|a| to_ffi(&a.to_data()).unwrap())
        .collect();

    let labels = [
        "Rust Db::read (StringArray keys)",
        "C murr_db_read_str (C strings -> ArrowArray, released)",
        "C murr_db_read (Arrow keys -> ArrowArray, released)",
        "C murr_db_read_f32_str (dense 1000 x 10 float tensor)",
        "Rust Db::read again, on a copy of its own (placement noise)",
        "Rust Db::read_f32 (StringArray keys, dense 1000 x 10 float tensor)",
        "Rust Db::read, StringArray built from the request's &strs inside the timing",
        "C murr_db_read_keys (MURR_KEYS_CSTR -> ArrowArray, released)",
        "C murr_db_read_f32 (MURR_KEYS_CSTR, dense 1000 x 10 float tensor)",
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(batches); labels.len()];
    let mut found = vec![0u8; KEYS];
    let mut tensor = vec![0f32; KEYS * ask];
    eprintln!("reading ...");
    for b in 0..total {
        for turn in 0..labels.len() {
            let s = (b + turn) % labels.len();
            let rows = &key_rows[b];
            // A request's keys are in cache when it is served: touch them first, for every
            // system alike (else the Arrow keys, copied by libmurr, would look faster).
            warm(&key_arrays[b], &key_cstrings[b]);
            let us = match s {
                0 | 4 => {
                    let db = if s == 0 { &rust } else { &rust2 };
                    let t0 = Instant::now();
                    let keys = &key_arrays[b];
                    let (batch, f) = black_box(db.read(TABLE, keys, &cols).unwrap());
                    let spent = t0.elapsed();
                    assert!(f.iter().all(|&x| x));
                    check_values(rows, ask, |r, c| {
                        batch.column(c).as_primitive::<Float32Type>().value(r)
                    });
                    // Freeing the result counts, as the C systems' release does.
                    let t1 = Instant::now();
                    drop(batch);
                    drop(f);
                    (spent + t1.elapsed()).as_secs_f64() * 1e6
                }
                1 | 2 | 7 => {
                    let db = handles[if s == 7 { 3 } else { s - 1 }];
                    let mut out_array = FFI_ArrowArray::empty();
                    let mut out_schema = FFI_ArrowSchema::empty();
                    let t0 = Instant::now();
                    // SAFETY: valid pointers; keys and columns outlive the call.
                    let status = unsafe {
                        if s == 7 {
                            let keys = murr_keys_t {
                                kind: MURR_KEYS_CSTR,
                                count: KEYS,
                                data: key_ptrs[b].as_ptr().cast(),
                                lengths: ptr::null(),
                                array: ptr::null(),
                                schema: ptr::null(),
                            };
                            murr_db_read_keys(
                                db,
                                ptr::null(),
                                table.as_ptr(),
                                &keys,
                                name_ptrs.as_ptr(),
                                ask,
                                &mut out_array,
                                &mut out_schema,
                                found.as_mut_ptr(),
                                &mut err,
                            )
                        } else if s == 1 {
                            murr_db_read_str(
                                db,
                                ptr::null(),
                                table.as_ptr(),
                                key_ptrs[b].as_ptr(),
                                KEYS,
                                name_ptrs.as_ptr(),
                                ask,
                                &mut out_array,
                                &mut out_schema,
                                found.as_mut_ptr(),
                                &mut err,
                            )
                        } else {
                            murr_db_read(
                                db,
                                ptr::null(),
                                table.as_ptr(),
                                &key_ffi[b].0,
                                &key_ffi[b].1,
                                name_ptrs.as_ptr(),
                                ask,
                                &mut out_array,
                                &mut out_schema,
                                found.as_mut_ptr(),
                                &mut err,
                            )
                        }
                    };
                    ok(status, &mut err);
                    let spent = t0.elapsed();
                    // Checked in place, as a C consumer reads the buffers (outside the
                    // timing); then released as a C consumer does, by the structs' release
                    // callbacks (inside the timing).
                    assert!(found.iter().all(|&x| x == 1));
                    assert_eq!(out_array.num_children(), ask);
                    check_values(rows, ask, |r, c| {
                        let child = out_array.child(c);
                        assert_eq!(child.null_count(), 0);
                        // SAFETY: a float32 child of KEYS values: buffer 1 holds them.
                        unsafe { *child.buffer(1).cast::<f32>().add(child.offset() + r) }
                    });
                    let t1 = Instant::now();
                    drop(out_array);
                    drop(out_schema);
                    (spent + t1.elapsed()).as_secs_f64() * 1e6
                }
                3 | 8 => {
                    let db = handles[if s == 3 { 2 } else { 4 }];
                    let t0 = Instant::now();
                    // SAFETY: valid pointers; out holds KEYS * WIDTH floats.
                    let status = unsafe {
                        if s == 3 {
                            murr_db_read_f32_str(
                                db,
                                ptr::null(),
                                table.as_ptr(),
                                key_ptrs[b].as_ptr(),
                                KEYS,
                                name_ptrs.as_ptr(),
                                ask,
                                f32::NAN,
                                tensor.as_mut_ptr(),
                                found.as_mut_ptr(),
                                &mut err,
                            )
                        } else {
                            let keys = murr_keys_t {
                                kind: MURR_KEYS_CSTR,
                                count: KEYS,
                                data: key_ptrs[b].as_ptr().cast(),
                                lengths: ptr::null(),
                                array: ptr::null(),
                                schema: ptr::null(),
                            };
                            murr_db_read_f32(
                                db,
                                ptr::null(),
                                table.as_ptr(),
                                &keys,
                                name_ptrs.as_ptr(),
                                ask,
                                f32::NAN,
                                tensor.as_mut_ptr(),
                                found.as_mut_ptr(),
                                &mut err,
                            )
                        }
                    };
                    let us = t0.elapsed().as_secs_f64() * 1e6;
                    ok(status, &mut err);
                    assert!(found.iter().all(|&x| x == 1));
                    check_values(rows, ask, |r, c| tensor[r * ask + c]);
                    us
                }
                5 => {
                    let keys = &key_arrays[b];
                    let t0 = Instant::now();
                    let f = black_box(
                        rust_dense
                            .read_f32(TABLE, keys, &cols, f32::NAN, &mut tensor)
                            .unwrap(),
                    );
                    let spent = t0.elapsed();
                    assert!(f.iter().all(|&x| x));
                    check_values(rows, ask, |r, c| tensor[r * ask + c]);
                    let t1 = Instant::now();
                    drop(f);
                    (spent + t1.elapsed()).as_secs_f64() * 1e6
                }
                6 => {
                    let strs: Vec<&str> = (0..KEYS).map(|i| key_arrays[b].value(i)).collect();
                    let t0 = Instant::now();
                    let keys = StringArray::from(black_box(strs));
                    let (batch, f) = black_box(rust_strs.read(TABLE, &keys, &cols).unwrap());
                    let spent = t0.elapsed();
                    assert!(f.iter().all(|&x| x));
                    check_values(rows, ask, |r, c| {
                        batch.column(c).as_primitive::<Float32Type>().value(r)
                    });
                    let t1 = Instant::now();
                    drop(batch);
                    drop(f);
                    drop(keys);
                    (spent + t1.elapsed()).as_secs_f64() * 1e6
                }
                _ => unreachable!(),
            };
            if b >= WARMUP {
                times[s].push(us);
            }
        }
    }
    let base = percentile(&times[0], 0.5);
    println!(
        "\n### R1 through the C ABI: {rows_n} rows, 1000 random keys x {ask} of {WIDTH} columns, {batches} batches\n"
    );
    println!("| system | median us | p99 us | median - Rust us | vs Rust |");
    println!("|---|---:|---:|---:|---:|");
    for (label, t) in labels.iter().zip(&times) {
        let m = percentile(t, 0.5);
        println!(
            "| {label} | {m:.1} | {:.1} | {:+.1} | {:.2}x |",
            percentile(t, 0.99),
            m - base,
            m / base
        );
    }
    let dense_base = percentile(&times[5], 0.5);
    let dense_c = percentile(&times[3], 0.5);
    println!(
        "\nDense read, C ABI over Rust API (same operation): {:+.1} us ({:.2}x)",
        dense_c - dense_base,
        dense_c / dense_base
    );
    for db in handles {
        // SAFETY: a handle from murr_db_open, freed once.
        unsafe { murr_db_free(db) };
    }
    drop(key_ffi);
    rust.close().unwrap();
    rust2.close().unwrap();
    rust_dense.close().unwrap();
    rust_strs.close().unwrap();
}
