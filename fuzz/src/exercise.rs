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
use murr_core::segment::Segment;

/// Opens `bytes` as a segment and, if it opens, calls every read: schema, row count, keys,
/// verify, get (stored keys, made-up keys and nulls; every column), find, take. Errors are
/// ignored; only panics, hangs and bad memory accesses are findings.
pub fn exercise(bytes: Vec<u8>) {
    let Ok(seg) = Segment::from_bytes(bytes, "fuzz") else {
        return;
    };
    let schema = seg.schema();
    let _ = (seg.row_count(), seg.key_name(), seg.file_len(), seg.name());
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
        if let Ok((batch, found)) = seg.get(query.as_ref(), &columns) {
            assert_eq!(batch.num_rows(), query.len());
            assert_eq!(batch.num_columns(), columns.len());
            assert_eq!(found.len(), query.len());
        }
        let _ = seg.get(query.as_ref(), &[]);
        let _ = seg.get(query.as_ref(), &["\u{1}no such column"]);
        if let Ok(rows) = seg.find(query.as_ref()) {
            assert_eq!(rows.len(), query.len());
            if let Ok(batch) = seg.take(&rows, &columns) {
                assert_eq!(batch.num_rows(), rows.len());
            }
        }
    }
    let _ = seg.take(
        &[Some(0), None, Some(u32::MAX - 1), Some(u32::MAX)],
        &columns,
    );
    let last = u32::try_from(seg.row_count().saturating_sub(1)).unwrap_or(0);
    let _ = seg.take(&[Some(last), None], &columns);
}

/// A few row numbers of `len`: the first two and the last.
fn sample(len: usize) -> impl Iterator<Item = usize> {
    let mut rows = vec![0, 1, len.saturating_sub(1)];
    rows.retain(|&r| r < len);
    rows.dedup();
    rows.into_iter()
}
