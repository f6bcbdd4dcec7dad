//! Driving every read path of a segment opened from untrusted bytes. Shared by the fuzz
//! targets (through `murr_fuzz`) and by `core/tests/fuzz_regressions.rs` (through a `#[path]`
//! module), so that the regression test replays exactly what the fuzzer did.
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt64Type};
use arrow_array::{
    Array, ArrayRef, Int32Array, Int64Array, LargeStringArray, StringArray, StringViewArray,
    UInt64Array,
};
use arrow_schema::DataType;
use murr_core::segment::{PartialBatch, Segment};

/// Opens `bytes` as a segment and, if it opens, calls every read: schema, row count, keys,
/// verify, get and get_partial (stored keys, made-up keys and nulls; every column), find,
/// take, is_tombstone and is_present. Errors are ignored; panics, hangs and bad memory
/// accesses are findings, and so are reads that succeed but disagree with each other (get
/// with get_partial, get_partial with is_tombstone / is_present on the rows find gives).
pub fn exercise(bytes: Vec<u8>) {
    let Ok(seg) = Segment::from_bytes(bytes, "fuzz") else {
        return;
    };
    let schema = seg.schema();
    let _ = (seg.row_count(), seg.key_name(), seg.file_len(), seg.name());
    let _ = (seg.format_version(), seg.has_partial_rows());
    let _ = format!("{seg:?}");
    let columns: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let stored = seg.keys().ok();
    let _ = seg.verify();

    let mut queries: Vec<ArrayRef> = Vec::new();
    match schema.fields().first().map(|f| f.data_type()) {
        Some(DataType::Int64) => {
            let mut keys: Vec<Option<i64>> = stored
                .as_ref()
                .and_then(|a| a.as_primitive_opt::<Int64Type>())
                .map(|a| {
                    sample(a.len())
                        .map(|i| a.is_valid(i).then(|| a.value(i)))
                        .collect()
                })
                .unwrap_or_default();
            keys.extend([Some(0), Some(1), Some(-1), None, Some(i64::MAX)]);
            queries.push(Arc::new(Int64Array::from(keys)));
        }
        Some(DataType::UInt64) => {
            let mut keys: Vec<Option<u64>> = stored
                .as_ref()
                .and_then(|a| a.as_primitive_opt::<UInt64Type>())
                .map(|a| {
                    sample(a.len())
                        .map(|i| a.is_valid(i).then(|| a.value(i)))
                        .collect()
                })
                .unwrap_or_default();
            keys.extend([Some(0), Some(1), None, Some(u64::MAX)]);
            queries.push(Arc::new(UInt64Array::from(keys)));
        }
        _ => {
            let mut keys: Vec<Option<String>> = stored
                .as_ref()
                .and_then(|a| a.as_string_opt::<i32>())
                .map(|a| {
                    sample(a.len())
                        .map(|i| a.is_valid(i).then(|| a.value(i).to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            keys.extend([
                Some("doc_0".to_owned()),
                Some(String::new()),
                None,
                Some("a".to_owned()),
                Some("\u{0}missing".to_owned()),
            ]);
            queries.push(Arc::new(StringArray::from(keys.clone())));
            queries.push(Arc::new(LargeStringArray::from(keys.clone())));
            queries.push(Arc::new(StringViewArray::from(keys)));
        }
    }
    // A key array of a type no key column has.
    queries.push(Arc::new(Int32Array::from(vec![Some(1), None])));

    for query in &queries {
        let got = seg.get(query.as_ref(), &columns);
        if let Ok((batch, found)) = &got {
            assert_eq!(batch.num_rows(), query.len());
            assert_eq!(batch.num_columns(), columns.len());
            assert_eq!(found.len(), query.len());
        }
        let partial = seg.get_partial(query.as_ref(), &columns);
        if let Ok(p) = &partial {
            check_partial(p, query.len(), columns.len(), seg.has_partial_rows());
            if let Ok((batch, found)) = &got {
                assert_eq!(
                    batch,
                    p.batch(),
                    "get and get_partial read different values"
                );
                for (k, &f) in found.iter().enumerate() {
                    assert_eq!(f, p.found(k) && !p.tombstone(k));
                }
            }
        }
        let _ = seg.get(query.as_ref(), &[]);
        let _ = seg.get(query.as_ref(), &["\u{1}no such column"]);
        let _ = seg.get_partial(query.as_ref(), &[]);
        let _ = seg.get_partial(query.as_ref(), &["\u{1}no such column"]);
        if let Ok(rows) = seg.find(query.as_ref()) {
            assert_eq!(rows.len(), query.len());
            if let Ok(batch) = seg.take(&rows, &columns) {
                assert_eq!(batch.num_rows(), rows.len());
            }
            if let Ok(p) = &partial {
                check_rows(&seg, p, &rows, &columns);
            }
        }
    }
    let _ = seg.take(
        &[Some(0), None, Some(u32::MAX - 1), Some(u32::MAX)],
        &columns,
    );
    let last = u32::try_from(seg.row_count().saturating_sub(1)).unwrap_or(0);
    let _ = seg.take(&[Some(last), None], &columns);
    let n = u32::try_from(seg.row_count()).unwrap_or(u32::MAX);
    for row in sample(n as usize).map(|r| r as u32).chain([n, u32::MAX]) {
        let _ = seg.is_tombstone(row);
        for c in columns.iter().chain(&["\u{1}no such column"]) {
            let _ = seg.is_present(c, row);
        }
    }
}

/// What holds of any `get_partial` result, whatever the file: one row per key, a tombstone
/// is found and holds nothing, a held cell belongs to a found key that is no tombstone, and
/// a segment without partial rows gives complete answers.
fn check_partial(p: &PartialBatch, keys: usize, columns: usize, partial_rows: bool) {
    assert_eq!(p.len(), keys);
    assert_eq!(p.batch().num_rows(), keys);
    assert_eq!(p.batch().num_columns(), columns);
    assert_eq!(p.found_mask().len(), keys);
    assert_eq!(p.tombstone_mask().len(), keys);
    let mut complete = true;
    for k in 0..keys {
        if p.tombstone(k) {
            assert!(p.found(k), "a tombstone that is not found");
            complete = false;
        }
        for c in 0..columns {
            let held = p.present(c, k);
            assert!(!held || (p.found(k) && !p.tombstone(k)));
            complete &= held || !p.found(k);
            if !held {
                assert!(
                    p.batch().column(c).is_null(k),
                    "a cell not held is not null"
                );
            }
        }
    }
    assert_eq!(p.complete(), complete);
    assert!(
        partial_rows || complete,
        "no partial rows but an incomplete answer"
    );
    assert!(!p.found(keys) && !p.tombstone(keys) && !p.present(columns, 0));
}

/// The row-level reads agree with `get_partial` on the rows `find` gives.
fn check_rows(seg: &Segment, p: &PartialBatch, rows: &[Option<u32>], columns: &[&str]) {
    for (k, row) in rows.iter().enumerate() {
        assert_eq!(row.is_some(), p.found(k), "find and get_partial disagree");
        let Some(row) = *row else { continue };
        if let Ok(t) = seg.is_tombstone(row) {
            assert_eq!(t, p.tombstone(k), "is_tombstone and get_partial disagree");
        }
        for (c, name) in columns.iter().enumerate() {
            if let Ok(held) = seg.is_present(name, row) {
                assert_eq!(held, p.present(c, k), "is_present and get_partial disagree");
            }
        }
    }
}

/// A few row numbers of `len`: the first two and the last.
fn sample(len: usize) -> impl Iterator<Item = usize> {
    let mut rows = vec![0, 1, len.saturating_sub(1)];
    rows.retain(|&r| r < len);
    rows.dedup();
    rows.into_iter()
}
