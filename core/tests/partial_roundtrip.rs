//! Partial rows round trip: random rows that leave columns unwritten and delete keys, pushed
//! in random batches with random presence and tombstone masks (and garbage under every cell
//! that is not written), read back exactly as a model says through `get_partial`, `get`,
//! `take`, `is_tombstone` and `is_present`. And rows that write every column give the same
//! bytes through `push_partial` as through `push`, with no presence or tombstone section.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::types::Float32Type;
use arrow_array::{
    Array, ArrayRef, BinaryArray, BooleanArray, FixedSizeListArray, Float64Array, Int32Array,
    Int64Array, RecordBatch, StringArray, UInt64Array,
};
use arrow_buffer::BooleanBuffer;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use murr_core::segment::layout::{FORMAT_VERSION, Footer, SectionKind};
use murr_core::segment::{Segment, SegmentWriter};
use proptest::prelude::*;

/// The value columns: (name, nullable). Two fixed scalars, a bool, two variable-width
/// columns and an embedding: every kind of storage, nullable and not.
const COLUMNS: [(&str, bool); 6] = [
    ("i", true),
    ("f", false),
    ("t", true),
    ("s", true),
    ("b", false),
    ("e", true),
];

/// A cell as a test writes it: `None` = null, else a value derived from the number.
type Cell = Option<u16>;

#[derive(Clone, Debug, PartialEq)]
enum Op {
    /// Deletes the key.
    Tombstone,
    /// Per value column: `None` = not written, `Some(cell)` = written.
    Write(Vec<Option<Cell>>),
}

#[derive(Clone, Copy, Debug)]
enum KeyKind {
    Utf8,
    I64,
    U64,
}

#[derive(Clone, Debug)]
struct Case {
    key_kind: KeyKind,
    page_size: u32,
    /// Rows in write order: a key number and what the row does.
    rows: Vec<(u8, Op)>,
    /// Where batches split `rows`.
    splits: Vec<usize>,
    /// Per row and column, what a cell that is not written holds (`None` = null, even in a
    /// non-nullable column).
    garbage: Vec<Cell>,
    /// Give a mask that is all true (or no tombstone) as `Some` rather than `None`.
    explicit_masks: bool,
}

fn op() -> impl Strategy<Value = Op> {
    let cell = |nullable: bool| -> BoxedStrategy<Option<Cell>> {
        let value = if nullable {
            prop::option::weighted(0.8, any::<u16>()).boxed()
        } else {
            any::<u16>().prop_map(Some).boxed()
        };
        prop::option::weighted(0.6, value).boxed()
    };
    let cells: Vec<_> = COLUMNS.iter().map(|&(_, n)| cell(n)).collect();
    prop_oneof![
        1 => Just(Op::Tombstone),
        4 => cells.prop_map(Op::Write),
        1 => Just(Op::Write(COLUMNS.iter().map(|_| Some(Some(7))).collect())),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(vec![KeyKind::Utf8, KeyKind::I64, KeyKind::U64]),
        prop::sample::select(vec![512u32, 4096]),
        prop::collection::vec((0u8..12, op()), 0..48),
        prop::collection::vec(0usize..48, 0..4),
        prop::collection::vec(prop::option::of(any::<u16>()), 48 * COLUMNS.len()),
        any::<bool>(),
    )
        .prop_map(
            |(key_kind, page_size, rows, splits, garbage, explicit_masks)| Case {
                key_kind,
                page_size,
                rows,
                splits,
                garbage,
                explicit_masks,
            },
        )
}

// ----- Arrays -----

fn item() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Float32, true))
}

fn data_type(column: &str) -> DataType {
    match column {
        "i" => DataType::Int32,
        "f" => DataType::Float64,
        "t" => DataType::Boolean,
        "s" => DataType::Utf8,
        "b" => DataType::Binary,
        _ => DataType::FixedSizeList(item(), 2),
    }
}

fn schema(kind: KeyKind) -> SchemaRef {
    let key = match kind {
        KeyKind::Utf8 => DataType::Utf8,
        KeyKind::I64 => DataType::Int64,
        KeyKind::U64 => DataType::UInt64,
    };
    let mut fields = vec![Field::new("key", key, false)];
    fields.extend(
        COLUMNS
            .iter()
            .map(|&(name, nullable)| Field::new(name, data_type(name), nullable)),
    );
    Arc::new(Schema::new(fields))
}

fn keys(kind: KeyKind, keys: &[u8]) -> ArrayRef {
    match kind {
        KeyKind::Utf8 => Arc::new(StringArray::from_iter_values(
            keys.iter().map(|k| format!("key{k}")),
        )),
        KeyKind::I64 => Arc::new(Int64Array::from_iter_values(
            keys.iter().map(|&k| i64::from(k) * 1_000_003 - 6_000_000),
        )),
        KeyKind::U64 => Arc::new(UInt64Array::from_iter_values(
            keys.iter().map(|&k| u64::MAX - u64::from(k)),
        )),
    }
}

/// An array of `column` holding `cells`.
fn array(column: &str, cells: &[Cell]) -> ArrayRef {
    let it = cells.iter().copied();
    match column {
        "i" => Arc::new(Int32Array::from_iter(
            it.map(|c| c.map(|v| i32::from(v) - 1000)),
        )),
        "f" => Arc::new(Float64Array::from_iter(
            it.map(|c| c.map(|v| f64::from(v) / 4.0)),
        )),
        "t" => Arc::new(BooleanArray::from_iter(it.map(|c| c.map(|v| v % 3 == 0)))),
        "s" => Arc::new(StringArray::from_iter(
            it.map(|c| c.map(|v| format!("s{v}").repeat(usize::from(v % 4)))),
        )),
        "b" => Arc::new(BinaryArray::from_iter(
            it.map(|c| c.map(|v| vec![v as u8; usize::from(v % 5)])),
        )),
        _ => Arc::new(
            FixedSizeListArray::from_iter_primitive::<Float32Type, _, _>(
                it.map(|c| c.map(|v| [Some(f32::from(v)), Some(-f32::from(v))])),
                2,
            ),
        ),
    }
}

// ----- Writing -----

/// The batches of `case` with their presence masks and tombstones.
type Pushed = (
    RecordBatch,
    Vec<Option<BooleanBuffer>>,
    Option<BooleanBuffer>,
);

fn batches(case: &Case) -> Vec<Pushed> {
    // Cells that are not written may be null in any column, so the batches declare every
    // column nullable (as a memtable's merged batch does); the writer keeps its own schema.
    let schema = Arc::new(Schema::new(
        schema(case.key_kind)
            .fields()
            .iter()
            .map(|f| f.as_ref().clone().with_nullable(f.name() != "key"))
            .collect::<Vec<_>>(),
    ));
    let mut cuts: Vec<usize> = case
        .splits
        .iter()
        .map(|&s| s.min(case.rows.len()))
        .collect();
    cuts.push(0);
    cuts.push(case.rows.len());
    cuts.sort_unstable();
    cuts.windows(2)
        .map(|w| {
            let (start, rows) = (w[0], &case.rows[w[0]..w[1]]);
            let key_numbers: Vec<u8> = rows.iter().map(|(k, _)| *k).collect();
            let mut columns = vec![keys(case.key_kind, &key_numbers)];
            let mut present = Vec::new();
            for (c, &(name, _)) in COLUMNS.iter().enumerate() {
                let garbage = |r: usize| case.garbage[((start + r) * COLUMNS.len() + c) % 288];
                let cells: Vec<Cell> = rows
                    .iter()
                    .enumerate()
                    .map(|(r, (_, op))| match op {
                        Op::Write(cells) => cells[c].unwrap_or_else(|| garbage(r)),
                        Op::Tombstone => garbage(r),
                    })
                    .collect();
                columns.push(array(name, &cells));
                let bits: Vec<bool> = rows
                    .iter()
                    .map(|(_, op)| match op {
                        Op::Write(cells) => cells[c].is_some(),
                        // Presence bits of a tombstone are ignored; alternate them.
                        Op::Tombstone => c % 2 == 0,
                    })
                    .collect();
                let all = bits.iter().all(|&b| b);
                present.push((!all || case.explicit_masks).then(|| BooleanBuffer::from(bits)));
            }
            let tomb: Vec<bool> = rows.iter().map(|(_, op)| *op == Op::Tombstone).collect();
            let any = tomb.iter().any(|&t| t);
            let tombstones = (any || case.explicit_masks).then(|| BooleanBuffer::from(tomb));
            let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
            (batch, present, tombstones)
        })
        .collect()
}

fn write(case: &Case) -> Vec<u8> {
    let mut w = SegmentWriter::new(schema(case.key_kind), "key")
        .unwrap()
        .with_page_size(case.page_size)
        .unwrap();
    for (batch, present, tombstones) in batches(case) {
        w.push_partial(&batch, &present, tombstones.as_ref())
            .unwrap();
    }
    w.finish_to_vec().unwrap()
}

fn footer(bytes: &[u8]) -> Footer {
    let t = bytes.len() - 64;
    let at = |i: usize| u64::from_le_bytes(bytes[t + i..t + i + 8].try_into().unwrap());
    let version = u32::from_le_bytes(bytes[t + 8..t + 12].try_into().unwrap());
    let (offset, len) = (at(16), at(24));
    Footer::decode(
        &bytes[offset as usize..(offset + len) as usize],
        version,
        offset,
        "test",
    )
    .unwrap()
}

// ----- Checking -----

fn check(case: &Case) {
    let mut model: BTreeMap<u8, Op> = BTreeMap::new();
    for (k, op) in &case.rows {
        model.insert(*k, op.clone());
    }
    let bytes = write(case);
    let seg = Segment::from_bytes(bytes.clone(), "partial").unwrap();
    seg.verify().unwrap();
    assert_eq!(seg.format_version(), FORMAT_VERSION);
    assert_eq!(seg.row_count(), model.len() as u64);

    let held = |op: &Op, c: usize| match op {
        Op::Tombstone => None,
        Op::Write(cells) => cells[c],
    };
    let partial = model.values().any(|op| match op {
        Op::Tombstone => true,
        Op::Write(cells) => cells.iter().any(Option::is_none),
    });
    assert_eq!(seg.has_partial_rows(), partial);
    let kinds: Vec<SectionKind> = footer(&bytes).sections.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds.contains(&SectionKind::Tombstones),
        model.values().any(|op| *op == Op::Tombstone)
    );
    for (c, _) in COLUMNS.iter().enumerate() {
        let needs = model
            .values()
            .any(|op| matches!(op, Op::Write(cells) if cells[c].is_none()));
        assert_eq!(footer(&bytes).columns[c].presence != u32::MAX, needs);
    }

    // Every key (sorted, as stored) plus absent ones; the key in its key order is its key
    // number's order only for utf8 and u64 (reversed), so go by the model's keys instead.
    let mut asked: Vec<u8> = model.keys().copied().collect();
    asked.extend([12, 13, 200]);
    let query = keys(case.key_kind, &asked);
    let mut names = vec!["key"];
    names.extend(COLUMNS.iter().map(|&(n, _)| n));
    let p = seg.get_partial(query.as_ref(), &names).unwrap();
    assert_eq!(p.len(), asked.len());
    let mut complete = true;
    for (i, k) in asked.iter().enumerate() {
        let op = model.get(k);
        assert_eq!(p.found(i), op.is_some(), "key {k}");
        assert_eq!(p.tombstone(i), op == Some(&Op::Tombstone), "key {k}");
        let live = op.is_some_and(|op| *op != Op::Tombstone);
        assert_eq!(p.present(0, i), live, "key {k}: the key column");
        complete &= op.is_none_or(|op| *op != Op::Tombstone);
        for c in 0..COLUMNS.len() {
            let h = op.and_then(|op| held(op, c));
            assert_eq!(p.present(c + 1, i), h.is_some(), "key {k} column {c}");
            complete &= op.is_none() || h.is_some();
        }
    }
    assert_eq!(p.complete(), complete);
    assert!(!p.found(asked.len()) && !p.present(99, 0) && !p.tombstone(asked.len()));

    // Values: held cells as written, every other cell null.
    let batch = p.batch();
    let live_keys: Vec<Option<u8>> = asked
        .iter()
        .map(|k| {
            model
                .get(k)
                .is_some_and(|op| *op != Op::Tombstone)
                .then_some(*k)
        })
        .collect();
    let want_keys = keys(case.key_kind, &asked);
    let want_keys = arrow_select::nullif::nullif(
        want_keys.as_ref(),
        &BooleanArray::from_iter(live_keys.iter().map(|k| Some(k.is_none()))),
    )
    .unwrap();
    assert_eq!(batch.column(0).to_data(), want_keys.to_data());
    for (c, &(name, _)) in COLUMNS.iter().enumerate() {
        let cells: Vec<Cell> = asked
            .iter()
            .map(|k| model.get(k).and_then(|op| held(op, c)).flatten())
            .collect();
        assert_eq!(
            batch.column(c + 1).to_data(),
            array(name, &cells).to_data(),
            "column {name}"
        );
    }

    // get: tombstones are absent; the same values.
    let (got, found) = seg.get(query.as_ref(), &names).unwrap();
    assert_eq!(&got, batch);
    let want_found: Vec<bool> = live_keys.iter().map(Option::is_some).collect();
    assert_eq!(found, want_found);

    // A projection in another order reads the same cells.
    let reversed: Vec<&str> = names.iter().rev().copied().collect();
    let q = seg.get_partial(query.as_ref(), &reversed).unwrap();
    for c in 0..names.len() {
        let r = names.len() - 1 - c;
        assert_eq!(q.batch().column(r), batch.column(c));
        for i in 0..asked.len() {
            assert_eq!(q.present(r, i), p.present(c, i));
        }
    }

    // Row-level access, through find.
    let rows = seg.find(query.as_ref()).unwrap();
    for (i, (row, k)) in rows.iter().zip(&asked).enumerate() {
        let Some(row) = *row else {
            assert!(!p.found(i));
            continue;
        };
        let op = &model[k];
        assert_eq!(seg.is_tombstone(row).unwrap(), *op == Op::Tombstone);
        assert_eq!(seg.is_present("key", row).unwrap(), *op != Op::Tombstone);
        for (c, &(name, _)) in COLUMNS.iter().enumerate() {
            assert_eq!(seg.is_present(name, row).unwrap(), held(op, c).is_some());
        }
    }
    assert_eq!(seg.take(&rows, &names).unwrap(), got);
    assert_eq!(seg.keys().unwrap().len(), model.len());
    let n = seg.row_count() as u32;
    assert!(seg.is_tombstone(n).is_err());
    assert!(seg.is_present("i", n).is_err());
    assert!(seg.is_present("nope", 0).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn partial_rows_read_back_as_the_model_says(case in case()) {
        check(&case);
    }

    /// Rows that write every column and delete nothing, given through `push_partial` with
    /// no masks, or with masks that are all true and tombstones that are all false: the
    /// bytes `push` writes, and no presence or tombstone section.
    #[test]
    fn full_rows_are_written_as_by_push(
        key_kind in prop::sample::select(vec![KeyKind::Utf8, KeyKind::I64, KeyKind::U64]),
        rows in prop::collection::vec((0u8..12, prop::collection::vec(prop::option::of(any::<u16>()), COLUMNS.len())), 0..30),
        split in 0usize..30,
    ) {
        let rows: Vec<(u8, Op)> = rows
            .into_iter()
            .map(|(k, cells)| {
                let cells = cells
                    .into_iter()
                    .zip(COLUMNS)
                    .map(|(c, (_, nullable))| Some(if nullable { c } else { c.or(Some(1)) }))
                    .collect();
                (k, Op::Write(cells))
            })
            .collect();
        let mut case = Case {
            key_kind,
            page_size: 512,
            rows,
            splits: vec![split],
            garbage: vec![None; COLUMNS.len()],
            explicit_masks: false,
        };
        let mut w = SegmentWriter::new(schema(key_kind), "key").unwrap().with_page_size(512).unwrap();
        for (batch, _, _) in batches(&case) {
            w.push(&batch).unwrap();
        }
        let pushed = w.finish_to_vec().unwrap();
        prop_assert_eq!(&write(&case), &pushed);
        case.explicit_masks = true;
        prop_assert!(batches(&case).iter().all(|(_, p, t)| p.iter().all(Option::is_some) && t.is_some()));
        prop_assert_eq!(&write(&case), &pushed);
        let seg = Segment::from_bytes(pushed.clone(), "full").unwrap();
        prop_assert!(!seg.has_partial_rows());
        let f = footer(&pushed);
        prop_assert!(f.sections.iter().all(|s| s.kind != SectionKind::Presence && s.kind != SectionKind::Tombstones));
        prop_assert!(!f.has_partial_rows());
        check(&case);
    }
}
