//! Driving the sans-IO remote reader (`murr_core::segment::remote`) over untrusted bytes:
//! open from the tail (the default first range, and from the last 64 bytes only), then a
//! `get` of stored, made-up and null keys asking every column, serving every range it asks
//! for from the bytes; then the same read from the pages the first one kept. Shared by the
//! `remote_read` fuzz target and by `core/tests/fuzz_regressions.rs` (through a `#[path]`
//! module).
//!
//! Errors are ignored; panics, hangs, huge allocations and a plan that asks for more rounds
//! than the file has pages are findings, and so is a remote read that succeeds and differs
//! from `Segment::get` when that succeeds too.
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt64Type};
use arrow_array::{Array, ArrayRef, Int64Array, StringArray, UInt64Array};
use arrow_schema::DataType;
use murr_core::segment::Segment;
use murr_core::segment::remote::{ByteRange, KeptPages, OpenStep, RemoteSegment};

/// Opens `bytes` remotely both ways and reads them; see the module docs.
pub fn exercise_remote(bytes: &[u8]) {
    let len = bytes.len() as u64;
    let local = Segment::from_bytes(bytes.to_vec(), "fuzz").ok();
    let minimal = ByteRange {
        offset: len.saturating_sub(64),
        len: len.min(64),
    };
    for first in [RemoteSegment::open_range(len), minimal] {
        let Some(mut seg) = open(bytes, first) else {
            continue;
        };
        let _ = (seg.schema(), seg.row_count(), seg.file_len(), seg.name());
        let _ = format!("{seg:?}");
        let schema = seg.schema();
        let columns: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        let Some(keys) = keys(&seg, local.as_ref()) else {
            continue;
        };
        let _ = seg.plan_get(keys.as_ref(), &["\u{0}no such column"]);
        for asked in [&columns[..], &[]] {
            let Some((got, kept)) = read(&seg, bytes, keys.as_ref(), asked) else {
                continue;
            };
            // Kept pages serve the same read again without a fetch.
            seg.keep(kept);
            if let Ok(plan) = seg.plan_get(keys.as_ref(), asked) {
                assert!(plan.needed().is_empty(), "kept pages are fetched again");
                assert!(
                    plan.finish().ok().as_ref() == Some(&got),
                    "a kept read differs"
                );
            }
            assert_eq!(got.0.num_rows(), keys.len());
            assert_eq!(got.1.len(), keys.len());
            if let Some(Ok(want)) = local.as_ref().map(|l| l.get(keys.as_ref(), asked)) {
                assert!(got == want, "the remote read differs from Segment::get");
            }
        }
    }
}

/// The segment opened from the tail `first`, or `None` if it does not open.
fn open(bytes: &[u8], mut range: ByteRange) -> Option<RemoteSegment> {
    for _ in 0..2 {
        let tail = slice(bytes, range)?;
        match RemoteSegment::open(bytes.len() as u64, range.offset, tail, "fuzz").ok()? {
            OpenStep::Ready(seg) => return Some(*seg),
            OpenStep::Need(next) => {
                assert!(next.end() <= bytes.len() as u64 && next.offset < range.offset);
                range = next;
            }
        }
    }
    panic!("open asked for a third range");
}

fn slice(bytes: &[u8], r: ByteRange) -> Option<&[u8]> {
    bytes.get(usize::try_from(r.offset).ok()?..usize::try_from(r.end()).ok()?)
}

/// Keys to ask: the stored keys `Segment::keys` gives (some of them), made-up keys and a
/// null, of the key column's type.
fn keys(seg: &RemoteSegment, local: Option<&Segment>) -> Option<ArrayRef> {
    let stored = local.and_then(|l| l.keys().ok());
    let some = |n: usize| {
        [0, 1, n.saturating_sub(1)]
            .into_iter()
            .filter(move |&i| i < n)
    };
    Some(match seg.schema().fields().first()?.data_type() {
        DataType::Int64 => {
            let mut k: Vec<Option<i64>> = stored
                .as_ref()
                .and_then(|a| a.as_primitive_opt::<Int64Type>())
                .map(|a| some(a.len()).map(|i| Some(a.value(i))).collect())
                .unwrap_or_default();
            k.extend([Some(0), Some(-1), None, Some(i64::MAX)]);
            Arc::new(Int64Array::from(k))
        }
        DataType::UInt64 => {
            let mut k: Vec<Option<u64>> = stored
                .as_ref()
                .and_then(|a| a.as_primitive_opt::<UInt64Type>())
                .map(|a| some(a.len()).map(|i| Some(a.value(i))).collect())
                .unwrap_or_default();
            k.extend([Some(0), Some(1), None, Some(u64::MAX)]);
            Arc::new(UInt64Array::from(k))
        }
        _ => {
            let mut k: Vec<Option<String>> = stored
                .as_ref()
                .and_then(|a| a.as_string_opt::<i32>())
                .map(|a| some(a.len()).map(|i| Some(a.value(i).to_owned())).collect())
                .unwrap_or_default();
            k.extend([Some(String::new()), Some("a".into()), None]);
            Arc::new(StringArray::from(k))
        }
    })
}

/// Drives a plan for `keys` x `columns`, serving each range from `bytes`: its result and
/// the pages it kept.
fn read(
    seg: &RemoteSegment,
    bytes: &[u8],
    keys: &dyn Array,
    columns: &[&str],
) -> Option<((arrow_array::RecordBatch, Vec<bool>), KeptPages)> {
    let mut plan = seg.plan_get(keys, columns).ok()?;
    // Every round brings at least one new page of the file.
    let mut rounds_left = bytes.len() / 512 + 2;
    loop {
        let needed = plan.needed();
        if needed.is_empty() {
            return plan.finish_keeping().ok();
        }
        assert!(
            rounds_left > 0,
            "the plan asks for more rounds than the file has pages"
        );
        rounds_left -= 1;
        for r in needed {
            let b = slice(bytes, r);
            assert!(b.is_some(), "range {r:?} beyond the file");
            plan.supply(r.offset, b.unwrap_or_default()).ok()?;
        }
    }
}
