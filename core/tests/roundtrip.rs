//! Round trip: every storable type, with and without nulls, under every key type and page
//! size, reads back exactly what the last write of each key put there, checked against a
//! model kept in a `BTreeMap`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{
    Array, ArrayRef, BinaryArray, BooleanArray, FixedSizeListArray, Int64Array, LargeStringArray,
    RecordBatch, StringArray, StringViewArray, UInt64Array, make_array,
};
use arrow_buffer::{Buffer, NullBuffer};
use arrow_data::ArrayData;
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use murr_core::segment::{Segment, SegmentWriter};
use proptest::prelude::*;

/// How a column's values are generated and compared.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Bool,
    /// Integers and dates: any little-endian bytes of this width.
    Fixed(usize),
    /// Floats: any bits of this width, NaN payloads favoured.
    Float(usize),
    Utf8,
    Binary,
    /// An embedding of `size` elements of `width` bytes.
    Emb {
        width: usize,
        size: usize,
        float: bool,
    },
}

struct Col {
    name: String,
    data_type: DataType,
    kind: Kind,
}

/// Every storable type, one column each.
fn columns() -> Vec<Col> {
    let mut cols = Vec::new();
    let mut add = |name: String, data_type: DataType, kind: Kind| {
        cols.push(Col {
            name,
            data_type,
            kind,
        });
    };
    add("bool".into(), DataType::Boolean, Kind::Bool);
    for (name, dt, w) in [
        ("i8", DataType::Int8, 1),
        ("i16", DataType::Int16, 2),
        ("i32", DataType::Int32, 4),
        ("i64", DataType::Int64, 8),
        ("u8", DataType::UInt8, 1),
        ("u16", DataType::UInt16, 2),
        ("u32", DataType::UInt32, 4),
        ("u64", DataType::UInt64, 8),
        ("date32", DataType::Date32, 4),
    ] {
        add(name.into(), dt, Kind::Fixed(w));
    }
    for (name, dt, w) in [
        ("f16", DataType::Float16, 2),
        ("f32", DataType::Float32, 4),
        ("f64", DataType::Float64, 8),
    ] {
        add(name.into(), dt, Kind::Float(w));
    }
    add("utf8".into(), DataType::Utf8, Kind::Utf8);
    add("binary".into(), DataType::Binary, Kind::Binary);
    for unit in [
        TimeUnit::Second,
        TimeUnit::Millisecond,
        TimeUnit::Microsecond,
        TimeUnit::Nanosecond,
    ] {
        for tz in [None, Some("+01:00"), Some("Europe/Paris")] {
            add(
                format!("ts_{unit:?}_{}", tz.unwrap_or("none")),
                DataType::Timestamp(unit, tz.map(Arc::from)),
                Kind::Fixed(8),
            );
        }
    }
    let emb = |elem: DataType, item: &str, item_nullable: bool, size: i32| {
        DataType::FixedSizeList(Arc::new(Field::new(item, elem, item_nullable)), size)
    };
    add(
        "emb_f32".into(),
        emb(DataType::Float32, "item", true, 3),
        Kind::Emb {
            width: 4,
            size: 3,
            float: true,
        },
    );
    add(
        "emb_f16".into(),
        emb(DataType::Float16, "element", false, 4),
        Kind::Emb {
            width: 2,
            size: 4,
            float: true,
        },
    );
    add(
        "emb_i8".into(),
        emb(DataType::Int8, "item", true, 5),
        Kind::Emb {
            width: 1,
            size: 5,
            float: false,
        },
    );
    add(
        "emb_one".into(),
        emb(DataType::Float32, "x", false, 1),
        Kind::Emb {
            width: 4,
            size: 1,
            float: true,
        },
    );
    cols
}

/// A value as the model keeps it: fixed-width values as their little-endian bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum V {
    Bool(bool),
    Bytes(Vec<u8>),
    Str(String),
}

type Cell = Option<V>;

/// A key; one case uses one variant. `String`'s order is byte order, as in a segment.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum K {
    S(String),
    I(i64),
    U(u64),
}

#[derive(Clone, Copy, Debug)]
enum KeyKind {
    Utf8,
    I64,
    U64,
}

impl KeyKind {
    fn data_type(self) -> DataType {
        match self {
            KeyKind::Utf8 => DataType::Utf8,
            KeyKind::I64 => DataType::Int64,
            KeyKind::U64 => DataType::UInt64,
        }
    }
}

#[derive(Clone, Debug)]
struct Case {
    key_kind: KeyKind,
    page_size: u32,
    /// Per column: declared nullable (a nullable column may still hold no nulls).
    nullable: Vec<bool>,
    /// Rows in write order.
    rows: Vec<(K, Vec<Cell>)>,
    /// Where batches split `rows` (sorted and clamped when used; repeats give empty batches).
    splits: Vec<usize>,
    /// Build each batch as a slice of a larger one (non-zero array offsets).
    sliced: bool,
    /// Embeddings with a nullable item field put null elements under null values, as
    /// `FixedSizeListArray::from_iter_primitive` does.
    child_nulls: bool,
    /// Further keys to ask for, present or not.
    probes: Vec<K>,
}

// ----- Strategies -----

fn float_bits(width: usize) -> BoxedStrategy<Vec<u8>> {
    let nans: Vec<Vec<u8>> = match width {
        2 => [0x7E00u16, 0x7E01, 0xFE00, 0x7C01, 0xFC01, 0x7FFF, 0x8000]
            .iter()
            .map(|b| b.to_le_bytes().to_vec())
            .collect(),
        4 => [
            0x7FC0_0000u32,
            0x7FC0_0001,
            0xFFC0_0000,
            0x7F80_0001,
            0xFFFF_FFFF,
            0x8000_0000,
            0x7F80_0000,
        ]
        .iter()
        .map(|b| b.to_le_bytes().to_vec())
        .collect(),
        _ => [
            0x7FF8_0000_0000_0000u64,
            0x7FF8_0000_0000_0001,
            0xFFF8_0000_0000_0000,
            0x7FF0_0000_0000_0001,
            0xFFFF_FFFF_FFFF_FFFF,
            0x8000_0000_0000_0000,
        ]
        .iter()
        .map(|b| b.to_le_bytes().to_vec())
        .collect(),
    };
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), width),
        1 => prop::sample::select(nans),
    ]
    .boxed()
}

fn value(kind: Kind) -> BoxedStrategy<V> {
    match kind {
        Kind::Bool => any::<bool>().prop_map(V::Bool).boxed(),
        Kind::Fixed(w) => prop::collection::vec(any::<u8>(), w)
            .prop_map(V::Bytes)
            .boxed(),
        Kind::Float(w) => float_bits(w).prop_map(V::Bytes).boxed(),
        Kind::Utf8 => prop_oneof![".{0,6}", "[a-z]{20,60}"]
            .prop_map(V::Str)
            .boxed(),
        Kind::Binary => prop::collection::vec(any::<u8>(), 0..24)
            .prop_map(V::Bytes)
            .boxed(),
        Kind::Emb { width, size, float } => {
            let elem = if float {
                float_bits(width)
            } else {
                prop::collection::vec(any::<u8>(), width).boxed()
            };
            prop::collection::vec(elem, size)
                .prop_map(|e| V::Bytes(e.concat()))
                .boxed()
        }
    }
}

fn key(kind: KeyKind) -> BoxedStrategy<K> {
    match kind {
        // A small alphabet so that keys repeat; the empty key and NUL bytes included (an
        // inline key's length byte tells "a" from "a\0"). Keys around the inline limit (31
        // bytes) make some cases store their keys in offsets and data.
        KeyKind::Utf8 => prop_oneof![
            4 => "[ab☃\\x00]{0,3}",
            1 => "[a-z0-9_]{4,30}",
            1 => "[a-z]{30,33}",
        ]
        .prop_map(K::S)
        .boxed(),
        KeyKind::I64 => prop_oneof![
            4 => -4i64..4,
            1 => prop::sample::select(vec![i64::MIN, i64::MAX, i64::MIN + 1, -1]),
            1 => any::<i64>(),
        ]
        .prop_map(K::I)
        .boxed(),
        KeyKind::U64 => prop_oneof![
            4 => 0u64..8,
            1 => prop::sample::select(vec![u64::MAX, u64::MAX - 1, 1 << 63]),
            1 => any::<u64>(),
        ]
        .prop_map(K::U)
        .boxed(),
    }
}

fn case() -> impl Strategy<Value = Case> {
    let ncols = columns().len();
    (
        prop::sample::select(vec![KeyKind::Utf8, KeyKind::I64, KeyKind::U64]),
        prop::sample::select(vec![512u32, 4096, 65536]),
        prop::collection::vec(
            (any::<bool>(), prop::sample::select(vec![1.0, 0.7, 0.1])),
            ncols,
        ),
    )
        .prop_flat_map(|(key_kind, page_size, config)| {
            let cells: Vec<BoxedStrategy<Cell>> = columns()
                .iter()
                .zip(&config)
                .map(|(c, &(nullable, p_some))| {
                    if nullable && p_some < 1.0 {
                        prop::option::weighted(p_some, value(c.kind)).boxed()
                    } else {
                        value(c.kind).prop_map(Some).boxed()
                    }
                })
                .collect();
            let nullable: Vec<bool> = config.iter().map(|&(n, _)| n).collect();
            (
                Just(key_kind),
                Just(page_size),
                Just(nullable),
                prop::collection::vec((key(key_kind), cells), 0..40),
                prop::collection::vec(0usize..40, 0..4),
                any::<bool>(),
                any::<bool>(),
                prop::collection::vec(key(key_kind), 0..6),
            )
        })
        .prop_map(
            |(key_kind, page_size, nullable, rows, splits, sliced, child_nulls, probes)| Case {
                key_kind,
                page_size,
                nullable,
                rows,
                splits,
                sliced,
                child_nulls,
                probes,
            },
        )
}

// ----- Building batches from the model -----

fn schema(case: &Case) -> SchemaRef {
    let mut fields = vec![Field::new("key", case.key_kind.data_type(), false)];
    for (c, &nullable) in columns().iter().zip(&case.nullable) {
        fields.push(Field::new(&c.name, c.data_type.clone(), nullable));
    }
    Arc::new(Schema::new(fields))
}

fn key_array(kind: KeyKind, keys: &[&K]) -> ArrayRef {
    match kind {
        KeyKind::Utf8 => Arc::new(StringArray::from_iter_values(keys.iter().map(
            |k| match k {
                K::S(s) => s.as_str(),
                _ => unreachable!(),
            },
        ))),
        KeyKind::I64 => Arc::new(Int64Array::from_iter_values(keys.iter().map(|k| match k {
            K::I(v) => *v,
            _ => unreachable!(),
        }))),
        KeyKind::U64 => Arc::new(UInt64Array::from_iter_values(keys.iter().map(
            |k| match k {
                K::U(v) => *v,
                _ => unreachable!(),
            },
        ))),
    }
}

fn nulls_of(cells: &[&Cell]) -> Option<NullBuffer> {
    cells
        .iter()
        .any(|c| c.is_none())
        .then(|| NullBuffer::from(cells.iter().map(|c| c.is_some()).collect::<Vec<_>>()))
}

fn bytes_of(v: &V) -> &[u8] {
    match v {
        V::Bytes(b) => b,
        _ => unreachable!(),
    }
}

fn build_column(col: &Col, cells: &[&Cell], child_nulls: bool) -> ArrayRef {
    let n = cells.len();
    match col.kind {
        Kind::Bool => Arc::new(BooleanArray::from(
            cells
                .iter()
                .map(|c| {
                    c.as_ref().map(|v| match v {
                        V::Bool(b) => *b,
                        _ => unreachable!(),
                    })
                })
                .collect::<Vec<_>>(),
        )),
        Kind::Fixed(w) | Kind::Float(w) => {
            // Garbage under nulls: it must not leak into what is read back.
            let mut bytes = Vec::with_capacity(n * w);
            for c in cells {
                match c {
                    Some(v) => bytes.extend_from_slice(bytes_of(v)),
                    None => bytes.extend(std::iter::repeat_n(0xA5, w)),
                }
            }
            let data = ArrayData::builder(col.data_type.clone())
                .len(n)
                .add_buffer(Buffer::from_vec(bytes))
                .nulls(nulls_of(cells))
                .align_buffers(true)
                .build()
                .unwrap();
            make_array(data)
        }
        Kind::Utf8 => Arc::new(StringArray::from(
            cells
                .iter()
                .map(|c| {
                    c.as_ref().map(|v| match v {
                        V::Str(s) => s.as_str(),
                        _ => unreachable!(),
                    })
                })
                .collect::<Vec<_>>(),
        )),
        Kind::Binary => Arc::new(BinaryArray::from_opt_vec(
            cells
                .iter()
                .map(|c| c.as_ref().map(bytes_of))
                .collect::<Vec<_>>(),
        )),
        Kind::Emb { width, size, .. } => {
            let DataType::FixedSizeList(item, _) = &col.data_type else {
                unreachable!()
            };
            let mut bytes = Vec::with_capacity(n * width * size);
            for c in cells {
                match c {
                    Some(v) => bytes.extend_from_slice(bytes_of(v)),
                    None => bytes.extend(std::iter::repeat_n(0x5A, width * size)),
                }
            }
            let element_nulls = (child_nulls && item.is_nullable())
                .then(|| nulls_of(cells))
                .flatten()
                .map(|parent| {
                    NullBuffer::from(
                        (0..n * size)
                            .map(|e| parent.is_valid(e / size))
                            .collect::<Vec<_>>(),
                    )
                });
            let child = ArrayData::builder(item.data_type().clone())
                .len(n * size)
                .add_buffer(Buffer::from_vec(bytes))
                .nulls(element_nulls)
                .align_buffers(true)
                .build()
                .unwrap();
            Arc::new(
                FixedSizeListArray::try_new(
                    item.clone(),
                    size as i32,
                    make_array(child),
                    nulls_of(cells),
                )
                .unwrap(),
            )
        }
    }
}

fn build_batch(case: &Case, rows: &[&(K, Vec<Cell>)]) -> RecordBatch {
    let schema = schema(case);
    let keys: Vec<&K> = rows.iter().map(|r| &r.0).collect();
    let mut arrays = vec![key_array(case.key_kind, &keys)];
    for (i, col) in columns().iter().enumerate() {
        let cells: Vec<&Cell> = rows.iter().map(|r| &r.1[i]).collect();
        arrays.push(build_column(col, &cells, case.child_nulls));
    }
    RecordBatch::try_new(schema, arrays).unwrap()
}

/// The batches of a case, in write order.
fn batches(case: &Case) -> Vec<RecordBatch> {
    let n = case.rows.len();
    let mut cuts: Vec<usize> = case.splits.iter().map(|&s| s.min(n)).collect();
    cuts.sort_unstable();
    let mut bounds = vec![0];
    bounds.extend(cuts);
    bounds.push(n);
    bounds
        .windows(2)
        .map(|w| {
            let part: Vec<&(K, Vec<Cell>)> = case.rows[w[0]..w[1]].iter().collect();
            if case.sliced {
                // The same rows in the middle of a batch three times as long.
                let mut all: Vec<&(K, Vec<Cell>)> = part.iter().rev().copied().collect();
                all.extend(part.iter().copied());
                all.extend(part.iter().rev().copied());
                build_batch(case, &all).slice(part.len(), part.len())
            } else {
                build_batch(case, &part)
            }
        })
        .collect()
}

// ----- Reading back -----

fn extract_keys(a: &dyn Array) -> Vec<K> {
    match a.data_type() {
        DataType::Utf8 => a
            .as_string::<i32>()
            .iter()
            .map(|k| K::S(k.unwrap().to_owned()))
            .collect(),
        DataType::Int64 => a
            .as_primitive::<arrow_array::types::Int64Type>()
            .iter()
            .map(|k| K::I(k.unwrap()))
            .collect(),
        DataType::UInt64 => a
            .as_primitive::<arrow_array::types::UInt64Type>()
            .iter()
            .map(|k| K::U(k.unwrap()))
            .collect(),
        other => panic!("key array of type {other}"),
    }
}

fn fixed_bytes(data: &ArrayData, i: usize, w: usize) -> Vec<u8> {
    let start = (data.offset() + i) * w;
    data.buffers()[0].as_slice()[start..start + w].to_vec()
}

fn extract(col: &Col, a: &dyn Array) -> Vec<Cell> {
    let data = a.to_data();
    (0..a.len())
        .map(|i| {
            if a.is_null(i) {
                return None;
            }
            Some(match col.kind {
                Kind::Bool => V::Bool(a.as_boolean().value(i)),
                Kind::Fixed(w) | Kind::Float(w) => V::Bytes(fixed_bytes(&data, i, w)),
                Kind::Utf8 => V::Str(a.as_string::<i32>().value(i).to_owned()),
                Kind::Binary => V::Bytes(a.as_binary::<i32>().value(i).to_vec()),
                Kind::Emb { width, size, .. } => {
                    let list = a.as_fixed_size_list();
                    assert_eq!(
                        list.values().null_count(),
                        0,
                        "embedding elements read as null"
                    );
                    let value = list.value(i);
                    let child = value.to_data();
                    V::Bytes(
                        (0..size)
                            .flat_map(|e| fixed_bytes(&child, e, width))
                            .collect(),
                    )
                }
            })
        })
        .collect()
}

fn write(case: &Case) -> Vec<u8> {
    let mut w = SegmentWriter::new(schema(case), "key")
        .unwrap()
        .with_page_size(case.page_size)
        .unwrap();
    for b in batches(case) {
        w.push(&b).unwrap();
    }
    assert_eq!(w.rows(), case.rows.len() as u64);
    w.finish_to_vec().unwrap()
}

/// Writes the case, reads everything back and compares it with the model.
fn check(case: &Case) {
    let bytes = write(case);
    let seg = Segment::from_bytes(bytes, "roundtrip").unwrap();
    check_segment(case, &seg);
}

fn check_segment(case: &Case, seg: &Segment) {
    let cols = columns();
    // The model: the last row of each key wins.
    let mut model: BTreeMap<K, Vec<Cell>> = BTreeMap::new();
    for (k, cells) in &case.rows {
        model.insert(k.clone(), cells.clone());
    }

    seg.verify().unwrap();
    assert_eq!(seg.row_count(), model.len() as u64);
    assert_eq!(seg.key_name(), "key");

    // The schema reads back as written (the key is never nullable).
    let written = schema(case);
    let read = seg.schema();
    assert_eq!(read.fields().len(), written.fields().len());
    for (r, w) in read.fields().iter().zip(written.fields()) {
        assert_eq!(r.name(), w.name());
        assert_eq!(r.data_type(), w.data_type(), "column {}", w.name());
        assert_eq!(r.is_nullable(), w.is_nullable(), "column {}", w.name());
    }

    // Keys come back sorted and deduplicated.
    let model_keys: Vec<K> = model.keys().cloned().collect();
    let keys = seg.keys().unwrap();
    assert_eq!(keys.data_type(), &case.key_kind.data_type());
    assert_eq!(keys.null_count(), 0);
    assert_eq!(extract_keys(keys.as_ref()), model_keys);

    // Ask for every key (backwards, one twice) plus probes that may be absent.
    let mut query: Vec<&K> = model.keys().rev().collect();
    if let Some(first) = model.keys().next() {
        query.push(first);
    }
    query.extend(&case.probes);
    let query_array = key_array(case.key_kind, &query);
    let mut names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
    names.push("key");
    let (batch, found) = seg.get(query_array.as_ref(), &names).unwrap();
    assert_eq!(batch.num_rows(), query.len());
    let want_found: Vec<bool> = query.iter().map(|k| model.contains_key(k)).collect();
    assert_eq!(found, want_found);
    for (i, f) in batch.schema().fields().iter().enumerate() {
        assert_eq!(f.name(), names[i]);
        assert!(f.is_nullable());
        let want = written.field_with_name(names[i]).unwrap().data_type();
        assert_eq!(f.data_type(), want, "column {}", names[i]);
    }
    for (ci, col) in cols.iter().enumerate() {
        let got = extract(col, batch.column(ci).as_ref());
        let want: Vec<Cell> = query
            .iter()
            .map(|k| model.get(*k).and_then(|cells| cells[ci].clone()))
            .collect();
        assert_eq!(got, want, "column {}", col.name);
    }
    let key_col = batch.column(cols.len());
    for (i, k) in query.iter().enumerate() {
        if found[i] {
            assert_eq!(&extract_keys(&key_col.slice(i, 1))[0], *k);
        } else {
            assert!(key_col.is_null(i));
        }
    }

    // find gives each key's rank in sorted order; take reads the same as get.
    let rows = seg.find(query_array.as_ref()).unwrap();
    for (k, r) in query.iter().zip(&rows) {
        let rank = model_keys.binary_search(k).ok().map(|r| r as u32);
        assert_eq!(*r, rank);
    }
    assert_eq!(seg.take(&rows, &names).unwrap(), batch);

    // utf8 keys may also be asked for as large utf8 and utf8 view.
    if let KeyKind::Utf8 = case.key_kind {
        let strs: Vec<&str> = query
            .iter()
            .map(|k| match k {
                K::S(s) => s.as_str(),
                _ => unreachable!(),
            })
            .collect();
        let large = LargeStringArray::from(strs.clone());
        let view = StringViewArray::from(strs);
        for other in [&large as &dyn Array, &view] {
            let (b, f) = seg.get(other, &names).unwrap();
            assert_eq!(f, found);
            assert_eq!(b, batch);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_type_round_trips(case in case()) {
        check(&case);
    }
}

// ----- Fixed cases -----

/// A deterministic case of `n` rows with all columns nullable and some nulls.
fn fixed_case(key_kind: KeyKind, n: usize, page_size: u32) -> Case {
    let cols = columns();
    let mut rows = Vec::new();
    for i in 0..n {
        let k = match key_kind {
            KeyKind::Utf8 => K::S(format!("k{}", (i * 7919) % (n.max(1) * 3 / 4 + 1))),
            KeyKind::I64 => K::I(((i * 7919) % (n.max(1) * 3 / 4 + 1)) as i64 - 50),
            KeyKind::U64 => K::U(((i * 7919) % (n.max(1) * 3 / 4 + 1)) as u64),
        };
        let cells = cols
            .iter()
            .enumerate()
            .map(|(c, col)| {
                let seed = (i * 31 + c * 17) as u64;
                if seed.is_multiple_of(5) {
                    return None;
                }
                Some(match col.kind {
                    Kind::Bool => V::Bool(seed.is_multiple_of(2)),
                    Kind::Fixed(w) | Kind::Float(w) => V::Bytes(
                        seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_le_bytes()[..w].to_vec(),
                    ),
                    Kind::Utf8 => V::Str(format!("value {seed} ☃").repeat((seed % 4) as usize)),
                    Kind::Binary => V::Bytes(vec![seed as u8; (seed % 9) as usize]),
                    Kind::Emb { width, size, .. } => V::Bytes(
                        (0..width * size)
                            .map(|b| (seed as usize + b) as u8)
                            .collect(),
                    ),
                })
            })
            .collect();
        rows.push((k, cells));
    }
    Case {
        key_kind,
        page_size,
        nullable: vec![true; cols.len()],
        rows,
        splits: vec![n / 3, n / 2],
        sliced: false,
        child_nulls: false,
        probes: match key_kind {
            KeyKind::Utf8 => vec![K::S("absent".into()), K::S(String::new())],
            KeyKind::I64 => vec![K::I(i64::MIN), K::I(1 << 40)],
            KeyKind::U64 => vec![K::U(u64::MAX), K::U(1 << 40)],
        },
    }
}

const KEY_KINDS: [KeyKind; 3] = [KeyKind::Utf8, KeyKind::I64, KeyKind::U64];

#[test]
fn zero_and_one_rows() {
    for kind in KEY_KINDS {
        for n in [0, 1] {
            check(&fixed_case(kind, n, 4096));
        }
        // No batch pushed at all.
        let case = fixed_case(kind, 0, 512);
        let w = SegmentWriter::new(schema(&case), "key").unwrap();
        let seg = Segment::from_bytes(w.finish_to_vec().unwrap(), "empty").unwrap();
        check_segment(&case, &seg);
    }
}

#[test]
fn every_page_size_round_trips() {
    for kind in KEY_KINDS {
        let mut sizes = Vec::new();
        for page_size in [512, 4096, 65536] {
            let case = fixed_case(kind, 1500, page_size);
            check(&case);
            sizes.push(write(&case).len());
        }
        // The page tables differ in size; the data does not.
        assert!(sizes.windows(2).all(|w| w[0] != w[1]), "{sizes:?}");
    }
}

#[test]
fn nan_bit_patterns_survive() {
    let mut case = fixed_case(KeyKind::Utf8, 0, 4096);
    let cols = columns();
    let patterns: [(u16, u32, u64); 5] = [
        (0x7E01, 0x7FC0_0001, 0x7FF8_0000_0000_0001),
        (0xFE00, 0xFFC0_0000, 0xFFF8_0000_0000_0000),
        (0x7C01, 0x7F80_0001, 0x7FF0_0000_0000_0001),
        (0x7FFF, 0x7FFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF),
        (0x8000, 0x8000_0000, 0x8000_0000_0000_0000),
    ];
    for (i, (h, s, d)) in patterns.iter().enumerate() {
        let cells = cols
            .iter()
            .map(|c| {
                Some(match c.kind {
                    Kind::Float(2) => V::Bytes(h.to_le_bytes().to_vec()),
                    Kind::Float(4) => V::Bytes(s.to_le_bytes().to_vec()),
                    Kind::Float(_) => V::Bytes(d.to_le_bytes().to_vec()),
                    Kind::Emb { width: 2, size, .. } => V::Bytes(h.to_le_bytes().repeat(size)),
                    Kind::Emb { width: 4, size, .. } => V::Bytes(s.to_le_bytes().repeat(size)),
                    Kind::Emb { width, size, .. } => V::Bytes(vec![0x80; width * size]),
                    Kind::Bool => V::Bool(true),
                    Kind::Fixed(w) => V::Bytes(vec![0xFF; w]),
                    Kind::Utf8 => V::Str("nan".into()),
                    Kind::Binary => V::Bytes(vec![0xFF]),
                })
            })
            .collect();
        case.rows.push((K::S(format!("nan{i}")), cells));
    }
    check(&case);
}

#[test]
fn nullable_without_nulls_costs_nothing() {
    for kind in KEY_KINDS {
        let mut case = fixed_case(kind, 200, 4096);
        for (_, cells) in &mut case.rows {
            for (c, cell) in cells.iter_mut().enumerate() {
                if cell.is_none() {
                    // Any non-null value of the right kind: take it from another row.
                    *cell = fixed_case(kind, 200, 4096)
                        .rows
                        .iter()
                        .find_map(|r| r.1[c].clone());
                }
            }
        }
        check(&case);
        let nullable = write(&case);
        case.nullable = vec![false; case.nullable.len()];
        check(&case);
        assert_eq!(write(&case).len(), nullable.len());
    }
}

#[test]
fn embeddings_from_iter_primitive_with_null_values() {
    // The usual way to build a nullable embedding column puts null elements under the null
    // values; those are whole-value nulls and must be accepted.
    use arrow_array::types::{Float32Type, Int8Type};
    let f32s = FixedSizeListArray::from_iter_primitive::<Float32Type, _, _>(
        vec![
            Some(vec![Some(1.0), Some(f32::NAN), Some(-0.0)]),
            None,
            Some(vec![Some(3.5), Some(4.5), Some(5.5)]),
        ],
        3,
    );
    let i8s = FixedSizeListArray::from_iter_primitive::<Int8Type, _, _>(
        vec![None, Some(vec![Some(-128), Some(127)]), None],
        2,
    );
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("f", f32s.data_type().clone(), true),
        Field::new("i", i8s.data_type().clone(), true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec!["c", "a", "b"])),
            Arc::new(f32s),
            Arc::new(i8s),
        ],
    )
    .unwrap();
    let mut w = SegmentWriter::new(schema, "key").unwrap();
    w.push(&batch).unwrap();
    let seg = Segment::from_bytes(w.finish_to_vec().unwrap(), "emb").unwrap();
    let (out, found) = seg
        .get(&StringArray::from(vec!["a", "b", "c"]), &["f", "i"])
        .unwrap();
    assert_eq!(found, vec![true, true, true]);
    let f = out.column(0).as_fixed_size_list();
    assert!(f.is_null(0));
    let c = f.value(2);
    let c = c.as_primitive::<Float32Type>();
    assert_eq!(c.value(0).to_bits(), 1.0f32.to_bits());
    assert_eq!(c.value(1).to_bits(), f32::NAN.to_bits());
    assert_eq!(c.value(2).to_bits(), (-0.0f32).to_bits());
    let i = out.column(1).as_fixed_size_list();
    assert!(i.is_null(1) && i.is_null(2) && i.is_valid(0));
    assert_eq!(
        i.value(0).as_primitive::<Int8Type>().values().to_vec(),
        vec![-128, 127]
    );
}

/// Reading zero rows of a fixed-width column of width 2 or more: `keys()` of an empty segment
/// with an int64 key, and `get`/`take` of no keys. (Value buffers must be aligned for their
/// Arrow type even when empty.)
#[test]
fn empty_reads_of_fixed_width_columns() {
    for kind in KEY_KINDS {
        let case = fixed_case(kind, 0, 4096);
        let seg = Segment::from_bytes(write(&case), "empty").unwrap();
        assert_eq!(seg.keys().unwrap().len(), 0, "{kind:?}");

        let case = fixed_case(kind, 10, 4096);
        let seg = Segment::from_bytes(write(&case), "ten").unwrap();
        let names: Vec<String> = columns().into_iter().map(|c| c.name).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let none = key_array(kind, &[]);
        let (batch, found) = seg.get(none.as_ref(), &names).unwrap();
        assert_eq!((batch.num_rows(), found.len()), (0, 0));
        assert_eq!(seg.take(&[], &names).unwrap().num_rows(), 0);
    }
}

#[test]
fn key_column_in_the_middle() {
    // The segment's schema puts the key first, then the other columns in schema order.
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int32, true),
        Field::new("id", DataType::UInt64, false),
        Field::new("b", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(arrow_array::Int32Array::from(vec![Some(1), None, Some(3)])),
            Arc::new(UInt64Array::from(vec![30, 10, 20])),
            Arc::new(StringArray::from(vec!["x", "y", "z"])),
        ],
    )
    .unwrap();
    let mut w = SegmentWriter::new(schema, "id").unwrap();
    w.push(&batch).unwrap();
    let seg = Segment::from_bytes(w.finish_to_vec().unwrap(), "middle").unwrap();
    let names: Vec<String> = seg
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, vec!["id", "a", "b"]);
    assert_eq!(seg.key_name(), "id");
    let keys = seg.keys().unwrap();
    assert_eq!(
        keys.as_primitive::<arrow_array::types::UInt64Type>()
            .values()
            .to_vec(),
        vec![10, 20, 30]
    );
    let (out, found) = seg
        .get(&UInt64Array::from(vec![20, 10, 99]), &["b", "a"])
        .unwrap();
    assert_eq!(found, vec![true, true, false]);
    let b = out.column(0).as_string::<i32>();
    assert_eq!((b.value(0), b.value(1), b.is_null(2)), ("z", "y", true));
    let a = out
        .column(1)
        .as_primitive::<arrow_array::types::Int32Type>();
    assert_eq!((a.value(0), a.is_null(1), a.is_null(2)), (3, true, true));
}
