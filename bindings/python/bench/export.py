"""Export of the canonical table (docs/WORKLOAD.md) to Parquet: libmurr's
`Murr.export_parquet` against DuckDB's `COPY ... TO ... (FORMAT parquet)` of the same rows,
in the same run, and `Murr.export_iceberg` beside them.

    python bench/export.py [--rows 10000000] [--repeats 3]

The rows (key `doc_{i}`, f_c = ((i*31 + c) % 1000) / 1000 as float32) are loaded into a
libmurr database through `Murr.write` in 100,000-row batches, then compacted; and into a
DuckDB table (an on-disk database) from the same Arrow batches. Each repeat then writes
every row to a fresh directory: libmurr (zstd level 1; the scan on one thread, the
Parquet encoder on another), DuckDB (all its threads) with zstd and
with its default (snappy), in rotating order; the time of each is wall clock around the
call, files fsynced by libmurr (DuckDB does not fsync COPY output). Reports the median
per system and the ratio libmurr / DuckDB. Needs duckdb (pip install duckdb) and a
libmurr built with exports (the wheel, or MURR_LIBRARY pointing at a libmurr.so built by
`cargo build --release -p murr-ffi --features export`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from libmurr import ColumnSchema, DType, Murr, TableSchema

WIDTH = 10
BATCH = 100_000


def batch(start: int, n: int) -> pa.RecordBatch:
    i = np.arange(start, start + n, dtype=np.int64)
    cols = {"key": pa.array([f"doc_{j}" for j in range(start, start + n)], pa.utf8())}
    for c in range(WIDTH):
        cols[f"f{c}"] = pa.array((((i * 31 + c) % 1000).astype(np.float32) / np.float32(1000.0)))
    return pa.RecordBatch.from_pydict(cols)


def size_of(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="murr-export-bench-"))
    try:
        schema = TableSchema(
            key="key",
            columns={"key": ColumnSchema(DType.UTF8, nullable=False)}
            | {f"f{c}": ColumnSchema(DType.FLOAT32, nullable=False) for c in range(WIDTH)},
        )
        db = Murr.open(work / "murr", sync="never")
        db.create_table("features", schema)
        duck = duckdb.connect(str(work / "duck.db"))
        first = True
        t0 = time.perf_counter()
        for start in range(0, args.rows, BATCH):
            b = batch(start, min(BATCH, args.rows - start))
            db.write("features", b)
            t = pa.Table.from_batches([b])
            if first:
                duck.execute("CREATE TABLE features AS SELECT * FROM t")
                first = False
            else:
                duck.execute("INSERT INTO features SELECT * FROM t")
        db.compact()
        duck.execute("CHECKPOINT")
        print(f"loaded {args.rows} rows into both in {time.perf_counter() - t0:.1f} s")
        threads = duck.execute("SELECT current_setting('threads')").fetchone()[0]

        def murr_parquet(out: Path) -> int:
            return db.export_parquet("features", out)

        def murr_iceberg(out: Path) -> int:
            db.export_iceberg("features", out)
            return args.rows

        def duck_zstd(out: Path) -> int:
            out.mkdir()
            duck.execute(f"COPY features TO '{out}/data.parquet' (FORMAT parquet, COMPRESSION zstd)")
            return args.rows

        def duck_default(out: Path) -> int:
            out.mkdir()
            duck.execute(f"COPY features TO '{out}/data.parquet' (FORMAT parquet)")
            return args.rows

        systems = {
            "libmurr export_parquet (zstd 1; a scan thread + an encoder thread)": murr_parquet,
            f"DuckDB COPY parquet zstd ({threads} threads)": duck_zstd,
            f"DuckDB COPY parquet default snappy ({threads} threads)": duck_default,
            "libmurr export_iceberg (same)": murr_iceberg,
        }
        times = {name: [] for name in systems}
        sizes = {}
        names = list(systems)
        for r in range(args.repeats):
            for name in names[r % len(names):] + names[: r % len(names)]:
                out = work / f"out-{r}-{names.index(name)}"
                t = time.perf_counter()
                rows = systems[name](out)
                times[name].append(time.perf_counter() - t)
                assert rows == args.rows, (name, rows)
                sizes[name] = size_of(out)
                shutil.rmtree(out)
        base = statistics.median(times[names[1]])
        print(f"\n{args.rows} rows, median of {args.repeats}; ratio to DuckDB zstd")
        print(f"| system | median s | Mrows/s | bytes | ratio |")
        print(f"|---|---|---|---|---|")
        for name in names:
            m = statistics.median(times[name])
            print(f"| {name} | {m:.2f} | {args.rows / m / 1e6:.2f} | {sizes[name]} | {m / base:.2f}x |")
        db.close()
        duck.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
