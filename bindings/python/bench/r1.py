"""R1 from Python (docs/WORKLOAD.md): 1000 uniformly random existing keys (seed 42) x all 10
float32 columns of the canonical 1M-row table, read to a pandas DataFrame, against the
Rust API's R1 measured in the same session (`cargo bench -p murr-ffi --bench abi`).

    python bench/r1.py [--rows 1000000] [--batches 2000] [--no-rust]

The table (keys `doc_{i}`, f_c = ((i*31 + c) % 1000) / 1000) is loaded through
`Murr.write` in 100,000-row batches, compacted into its sorted run and closed; each
system then reads its own copy of the directory (as the Rust bench does, so that no
system finds in cache what the one before it read). Per batch the systems take turns in
a rotating order, each call timed alone with time.perf_counter_ns; 200 warm-up batches.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from libmurr import ColumnSchema, DType, Murr, TableSchema

WIDTH = 10
KEYS = 1000
WARMUP = 200
TABLE = "features"
COLUMNS = [f"f{c}" for c in range(WIDTH)]
MASK64 = (1 << 64) - 1


def random_rows(seed: int, n: int, count: int) -> np.ndarray:
    """`count` draws of core's workload::random_rows (SplitMix64 from `seed`, mapped to
    0..n by a 128-bit multiply), vectorized with uint64 wrapping arithmetic."""
    with np.errstate(over="ignore"):
        steps = np.arange(1, count + 1, dtype=np.uint64)
        z = np.uint64(seed) + steps * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
        # (z * n) >> 64 for n < 2^32: split z into 32-bit halves.
        hi, lo = z >> np.uint64(32), z & np.uint64(0xFFFFFFFF)
        return (hi * np.uint64(n) + ((lo * np.uint64(n)) >> np.uint64(32))) >> np.uint64(32)


def value(i: np.ndarray, c: int) -> np.ndarray:
    return ((i * 31 + c) % 1000).astype(np.float32) / np.float32(1000.0)


def load(path: Path, rows: int) -> None:
    schema = TableSchema(
        key="key",
        columns={"key": ColumnSchema(DType.UTF8, nullable=False),
                 **{c: ColumnSchema(DType.FLOAT32, nullable=False) for c in COLUMNS}},
    )
    with Murr.open(path, sync="never", memtable_bytes=4 << 30, background_threads=0) as db:
        db.create_table(TABLE, schema)
        for start in range(0, rows, 100_000):
            i = np.arange(start, min(rows, start + 100_000), dtype=np.int64)
            data = {"key": pa.array([f"doc_{j}" for j in i.tolist()], pa.utf8())}
            data.update({c: pa.array(value(i, n)) for n, c in enumerate(COLUMNS)})
            db.write(TABLE, pa.RecordBatch.from_pydict(data))
        db.compact()


def percentile(times: list, p: float) -> float:
    t = sorted(times)
    return t[round((len(t) - 1) * p)]


def run_rust(rows: int, batches: int) -> dict:
    """Runs the Rust bench; returns {label: (median, p99)} from its table."""
    manifest = Path(__file__).resolve().parents[3] / "Cargo.toml"
    cmd = ["cargo", "bench", "-p", "murr-ffi", "--bench", "abi", "--locked",
           "--manifest-path", str(manifest), "--", "--rows", str(rows), "--batches", str(batches)]
    print("running: " + " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    results = {}
    for line in out.splitlines():
        m = re.match(r"\| (.+?) \| ([\d.]+) \| ([\d.]+) \|", line)
        if m:
            results[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    return results


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--batches", type=int, default=2000)
    ap.add_argument("--no-rust", action="store_true", help="skip the Rust bench")
    ap.add_argument("--breakdown", action="store_true",
                    help="also time the parts of read(): key preparation, native call, import")
    args = ap.parse_args()

    root = Path(tempfile.mkdtemp(prefix="murr-r1-"))
    try:
        print(f"loading {args.rows} rows ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        load(root / "base", args.rows)
        print(f"loaded in {time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)

        total = WARMUP + args.batches
        rows = random_rows(42, args.rows, total * KEYS).reshape(total, KEYS)
        key_lists = [[f"doc_{i}" for i in b.tolist()] for b in rows]
        key_arrays = [pa.array(k, pa.utf8()) for k in key_lists]

        systems = [
            ("read(list of str keys).to_pandas()  [R1 -> pandas]", lambda db, b: db.read(TABLE, key_lists[b], COLUMNS).to_pandas()),
            ("read(list of str keys) -> RecordBatch", lambda db, b: db.read(TABLE, key_lists[b], COLUMNS)),
            ("read(pyarrow keys).to_pandas()", lambda db, b: db.read(TABLE, key_arrays[b], COLUMNS).to_pandas()),
            ("read_tensor(list of str keys) -> numpy 1000 x 10", lambda db, b: db.read_tensor(TABLE, key_lists[b], COLUMNS)),
        ]
        dbs = []
        for s in range(len(systems)):
            shutil.copytree(root / "base", root / f"s{s}", ignore=shutil.ignore_patterns("LOCK"))
            dbs.append(Murr.open(root / f"s{s}", background_threads=0))

        # Correctness, outside the timing: every system's first answer.
        expect = np.stack([value(rows[0].astype(np.int64), c) for c in range(WIDTH)], axis=1)
        for s, (_, fn) in enumerate(systems):
            got = fn(dbs[s], 0)
            got = got.to_pandas() if isinstance(got, pa.RecordBatch) else got
            np.testing.assert_array_equal(np.asarray(got, dtype=np.float32), expect)

        times = [[] for _ in systems]
        perf = time.perf_counter_ns
        for b in range(total):
            for j in range(len(systems)):
                s = (b + j) % len(systems)
                fn, db = systems[s][1], dbs[s]
                t = perf()
                result = fn(db, b)
                us = (perf() - t) / 1000
                del result
                if b >= WARMUP:
                    times[s].append(us)
        parts = breakdown(dbs[1], key_lists) if args.breakdown else None
        for db in dbs:
            db.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)

    rust = {} if args.no_rust else run_rust(args.rows, args.batches)
    rust_label = "Rust Db::read (StringArray keys)"
    base = rust.get(rust_label, (None, None))[0]

    import pandas
    print(f"\n### R1 from Python: {args.rows} rows, 1000 random keys x {WIDTH} float32 columns, "
          f"{args.batches} batches (Python {sys.version.split()[0]}, pyarrow {pa.__version__}, "
          f"pandas {pandas.__version__}, numpy {np.__version__})\n")
    print("| system | median us | p99 us | vs Rust Db::read |")
    print("|---|---:|---:|---:|")
    for (label, _), t in zip(systems, times):
        m = percentile(t, 0.5)
        ratio = f"{m / base:.2f}x" if base else "-"
        print(f"| Python {label} | {m:.1f} | {percentile(t, 0.99):.1f} | {ratio} |")
    for label, (m, p99) in rust.items():
        ratio = f"{m / base:.2f}x" if base else "-"
        print(f"| {label} | {m:.1f} | {p99:.1f} | {ratio} |")
    if parts:
        print("\nParts of `read(list of str keys)` (medians, us): "
              + ", ".join(f"{name} {np.median(t):.1f}" for name, t in parts.items()))


def breakdown(db, key_lists) -> dict:
    """Times the three parts of a read separately, after the timed runs: the keys made
    into a `char **` (Python), the native murr_db_read_str call, the pyarrow import."""
    from libmurr import _arrow, _keys, _native
    from libmurr.db import _read_into
    from libmurr.errors import Call

    names = _native.names_array(COLUMNS)
    parts = {"keys -> char**": [], "murr_db_read_str": [], "import to pyarrow": []}
    perf = time.perf_counter_ns
    for b, keys in enumerate(key_lists):
        t0 = perf()
        k = _keys.prepare(keys)
        t1 = perf()
        array, schema, call = _native.ArrowArray(), _native.ArrowSchema(), Call(db._handle.lib)
        call.check(_read_into(db._handle, None, TABLE.encode(), k, names, array, schema, call))
        t2 = perf()
        batch = _arrow.import_batch(array, schema)
        t3 = perf()
        del batch
        if b >= WARMUP:
            for name, t in zip(parts, (t1 - t0, t2 - t1, t3 - t2)):
                parts[name].append(t / 1000)
    return parts


if __name__ == "__main__":
    main()
