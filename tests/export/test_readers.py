"""Real readers of libmurr's exports (scripts/test-export.sh).

core/tests/export_iceberg.rs `readers_scenario` (run with MURR_EXPORT_OUT=<dir>) leaves in
<dir>: an Iceberg table exported seven times during a seeded random sequence of full and
partial upserts, deletes, added columns, flushes and compactions; each export's expected
rows (what `Db::scan` returned then; the first export is of the empty table) as Arrow IPC; a Parquet export beside each; and
exports.json. These tests check that pyiceberg and DuckDB's iceberg extension read every
snapshot id as exactly those rows, and that pyarrow and DuckDB's read_parquet read the
Parquet exports with the same values and types.
"""

import glob
import json
import os

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from pyiceberg.table import StaticTable

OUT = os.environ.get("MURR_EXPORT_OUT")
pytestmark = pytest.mark.skipif(not OUT, reason="MURR_EXPORT_OUT is not set (scripts/test-export.sh sets it)")


def exports():
    with open(os.path.join(OUT, "exports.json")) as f:
        return json.load(f)


def expected(export):
    with pa.memory_map(export["expected"]) as source:
        return pa.ipc.open_file(source).read_all()


def iceberg_type(t):
    """The Arrow type an Iceberg reader returns for a libmurr column type (docs/ICEBERG.md)."""
    if pa.types.is_int8(t) or pa.types.is_int16(t) or pa.types.is_uint8(t) or pa.types.is_uint16(t):
        return pa.int32()
    if pa.types.is_uint32(t) or pa.types.is_uint64(t):
        return pa.int64()
    if pa.types.is_float16(t):
        return pa.float32()
    if pa.types.is_timestamp(t):
        return pa.timestamp("us", tz="UTC" if t.tz else None)
    if pa.types.is_fixed_size_list(t):
        return pa.list_(iceberg_type(t.value_type))
    return t


def as_iceberg(table):
    cols = []
    for name, col in zip(table.column_names, table.columns):
        if pa.types.is_fixed_size_list(col.type):
            # FixedSizeList -> List: values widened element by element.
            col = pa.chunked_array(
                [pa.array([None if v is None else list(v) for v in c.to_pylist()], iceberg_type(col.type)) for c in col.chunks],
                iceberg_type(col.type),
            )
        else:
            col = col.cast(iceberg_type(col.type))
        cols.append(col)
    return pa.table(cols, names=table.column_names)


def sorted_by_key(table):
    return table.take(pc.sort_indices(table, sort_keys=[("k", "ascending")]))


def assert_same_rows(got, want, reader):
    got = sorted_by_key(got)
    want = sorted_by_key(want)
    assert got.num_rows == want.num_rows, f"{reader}: {got.num_rows} rows, expected {want.num_rows}"
    for name in want.column_names:
        assert name in got.column_names, f"{reader}: no column {name}"
        g = got.column(name).to_pylist()
        w = want.column(name).to_pylist()
        if g != w:
            bad = next(i for i, (a, b) in enumerate(zip(g, w)) if a != b)
            raise AssertionError(f"{reader}: column {name} row {bad} (key {want.column('k')[bad]}): {g[bad]!r} != {w[bad]!r}")
    for name in got.column_names:
        if name not in want.column_names:
            # A column added after this snapshot, read through a later schema: all null.
            assert got.column(name).null_count == got.num_rows, f"{reader}: unexpected column {name}"


def test_scenario_covers_several_exports_and_schemas():
    ex = exports()
    assert len(ex) >= 3
    assert len({e["snapshot_id"] for e in ex}) == len(ex)
    assert len({tuple(expected(e).column_names) for e in ex}) >= 2, "no column was added between exports"
    assert ex[0]["rows"] == 0, "the first export is of the empty table"
    assert all(e["rows"] > 0 for e in ex[1:])
    assert len({e["rows"] for e in ex}) > 1, "every export has the same row count: a weak scenario"


def test_the_comparison_sees_a_difference():
    ex = exports()
    table = StaticTable.from_metadata(ex[-1]["metadata"])
    first = table.scan(snapshot_id=ex[1]["snapshot_id"]).to_arrow()
    with pytest.raises(AssertionError):
        assert_same_rows(first, as_iceberg(expected(ex[-1])), "second snapshot against the last export")
    want = as_iceberg(expected(ex[1]))
    changed = want.set_column(want.column_names.index("f64"), "f64", pc.add(want.column("f64"), 1.0))
    with pytest.raises(AssertionError):
        assert_same_rows(first, changed, "a changed value")


def test_pyiceberg_reads_every_snapshot_as_the_scan_at_its_export():
    ex = exports()
    table = StaticTable.from_metadata(ex[-1]["metadata"])
    assert table.metadata.current_snapshot_id == ex[-1]["snapshot_id"]
    assert_same_rows(table.scan().to_arrow(), as_iceberg(expected(ex[-1])), "pyiceberg current")
    for e in ex:
        got = table.scan(snapshot_id=e["snapshot_id"]).to_arrow()
        assert_same_rows(got, as_iceberg(expected(e)), f"pyiceberg snapshot {e['snapshot_id']}")
        # The metadata of that export, read on its own, is that snapshot.
        own = StaticTable.from_metadata(e["metadata"])
        assert_same_rows(own.scan().to_arrow(), as_iceberg(expected(e)), f"pyiceberg {e['metadata']}")


def probe_keys(want, n=12):
    keys = sorted(want.column("k").to_pylist())
    step = max(1, len(keys) // n)
    # Existing keys, and keys between them or past either end that do not exist.
    return keys[::step] + [keys[0][:-1], keys[-1] + "~", keys[len(keys) // 2] + "!"]


def test_pyiceberg_filters_by_key_with_the_manifests_bounds():
    from pyiceberg.expressions import And, EqualTo, GreaterThanOrEqual, LessThan

    e = exports()[-1]
    table = StaticTable.from_metadata(e["metadata"])
    want = as_iceberg(expected(e))
    all_files = len(list(table.scan().plan_files()))
    assert all_files > 1, "one data file: the bounds prune nothing to check"
    for key in probe_keys(want):
        got = table.scan(row_filter=EqualTo("k", key)).to_arrow()
        rows = want.filter(pc.equal(want.column("k"), key))
        assert_same_rows(got, rows, f"pyiceberg k = {key}")
        planned = len(list(table.scan(row_filter=EqualTo("k", key)).plan_files()))
        assert planned <= 1, f"k = {key} planned {planned} of {all_files} files: bounds unused"
    keys = sorted(want.column("k").to_pylist())
    lo, hi = keys[len(keys) // 4], keys[len(keys) // 2]
    got = table.scan(row_filter=And(GreaterThanOrEqual("k", lo), LessThan("k", hi))).to_arrow()
    rows = want.filter(pc.and_(pc.greater_equal(want.column("k"), lo), pc.less(want.column("k"), hi)))
    assert_same_rows(got, rows, f"pyiceberg {lo} <= k < {hi}")


def extension(name):
    import importlib

    mod = importlib.import_module(f"duckdb_extension_{name}")
    found = glob.glob(os.path.join(os.path.dirname(mod.__file__), "extensions", f"v{duckdb.__version__}", f"{name}.duckdb_extension"))
    assert found, f"no {name}.duckdb_extension for duckdb {duckdb.__version__} in {mod.__file__}"
    return found[0]


@pytest.fixture
def con():
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{extension('avro')}'")
    con.execute(f"LOAD '{extension('iceberg')}'")
    con.execute("SET TimeZone = 'UTC'")
    yield con
    con.close()


def test_duckdb_iceberg_scan_reads_every_snapshot_as_the_scan_at_its_export(con):
    ex = exports()
    latest = ex[-1]["metadata"]
    got = con.execute("SELECT * FROM iceberg_scan(?)", [latest]).to_arrow_table()
    assert_same_rows(got, as_iceberg(expected(ex[-1])), "duckdb current")
    location = os.path.dirname(os.path.dirname(latest))
    got = con.execute("SELECT * FROM iceberg_scan(?)", [location]).to_arrow_table()
    assert_same_rows(got, as_iceberg(expected(ex[-1])), "duckdb via version-hint.text")
    for e in ex:
        got = con.execute(
            f"SELECT * FROM iceberg_scan(?, snapshot_from_id => {int(e['snapshot_id'])})", [latest]
        ).to_arrow_table()
        assert_same_rows(got, as_iceberg(expected(e)), f"duckdb snapshot {e['snapshot_id']}")


def test_duckdb_filters_by_key(con):
    e = exports()[-1]
    want = as_iceberg(expected(e))
    for key in probe_keys(want):
        got = con.execute("SELECT * FROM iceberg_scan(?) WHERE k = ?", [e["metadata"], key]).to_arrow_table()
        assert_same_rows(got, want.filter(pc.equal(want.column("k"), key)), f"duckdb k = {key}")


def test_pyarrow_reads_the_parquet_export_with_the_same_values_and_types():
    for e in exports():
        want = expected(e)
        files = sorted(glob.glob(os.path.join(e["parquet_dir"], "*.parquet")))
        assert files
        got = pa.concat_tables([pq.read_table(f) for f in files])
        assert got.schema.names == want.schema.names
        assert got.schema.types == want.schema.types
        assert not got.schema.field("k").nullable
        assert got.column("k").to_pylist() == want.column("k").to_pylist(), "files follow key order"
        assert_same_rows(got, want, "pyarrow")


def test_duckdb_read_parquet_reads_the_parquet_export_with_the_same_values(con):
    for e in exports():
        want = expected(e)
        pattern = os.path.join(e["parquet_dir"], "*.parquet")
        got = con.execute("SELECT * FROM read_parquet(?)", [pattern]).to_arrow_table()
        assert got.column_names == want.column_names
        assert_same_rows(got, want, "duckdb read_parquet")
