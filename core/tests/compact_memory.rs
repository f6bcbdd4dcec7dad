//! Compaction streams: at a fixed target size and chunk size, the peak heap memory of a
//! merge does not grow with the size of its inputs (a counting global allocator measures
//! it; the inputs are memory-mapped files, outside the heap).
#![cfg(feature = "engine")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow_array::{Float64Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use murr_core::compact::{MergeInput, MergeOptions, merge};
use murr_core::segment::{Segment, SegmentWriter};

struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; only counts are kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: as the caller promised for `layout`.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: as the caller promised for `layout`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            let now = NOW.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                - layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        } else {
            NOW.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: as the caller promised.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("key", DataType::Int64, false),
        Field::new("v", DataType::Float64, true),
    ]))
}

/// A segment file of the keys `first, first + 2, ...` (`rows` of them).
fn input(dir: &std::path::Path, name: &str, first: i64, rows: usize) -> Segment {
    let keys: Vec<i64> = (0..rows as i64).map(|i| first + 2 * i).collect();
    let values: Vec<f64> = keys.iter().map(|&k| k as f64).collect();
    let batch = RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(Int64Array::from(keys)),
            Arc::new(Float64Array::from(values)),
        ],
    )
    .unwrap();
    let mut w = SegmentWriter::new(schema(), "key").unwrap();
    w.push(&batch).unwrap();
    let path = dir.join(name);
    w.finish_to_file(&path).unwrap();
    Segment::open(&path).unwrap()
}

/// The peak heap growth while merging two inputs of `rows / 2` rows each.
fn peak_of_merge(rows: usize) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let a = input(dir.path(), "a", 0, rows / 2);
    let b = input(dir.path(), "b", 1, rows / 2);
    let inputs = [
        MergeInput {
            segment: &a,
            deleted: None,
        },
        MergeInput {
            segment: &b,
            deleted: None,
        },
    ];
    let options = MergeOptions {
        target_segment_bytes: 1 << 20,
        chunk_rows: 4096,
        drop_tombstones: false,
        split_before: Vec::new(),
    };
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let mut n = 0;
    let base = NOW.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let outputs = merge(&inputs, schema(), "key", &options, || {
        n += 1;
        Ok(out_dir.join(format!("{n}")))
    })
    .unwrap();
    let peak = PEAK.load(Ordering::Relaxed) - base;
    assert_eq!(
        outputs.iter().map(|o| o.info.rows).sum::<u64>(),
        rows as u64
    );
    assert!(outputs.len() > 3, "{} outputs", outputs.len());
    peak
}

#[test]
fn peak_memory_does_not_grow_with_input_size() {
    let small = peak_of_merge(200_000);
    let large = peak_of_merge(800_000);
    eprintln!("peak heap growth: {small} bytes for 200k rows, {large} bytes for 800k rows");
    assert!(
        (large as f64) < 1.5 * small as f64,
        "peak {large} bytes for 800k rows vs {small} for 200k"
    );
}
