#!/usr/bin/env bash
# Exports read by real readers (docs/ICEBERG.md): core/tests/export_iceberg.rs
# `readers_scenario` exports a table to Iceberg seven times (the first while it is empty)
# during a seeded random sequence of upserts, partial upserts, deletes, added columns,
# flushes and compactions (and to Parquet beside each), keeping each export's expected
# rows; then tests/export/test_readers.py reads every snapshot id with pyiceberg and
# DuckDB's iceberg_scan, and the Parquet exports with pyarrow and DuckDB's read_parquet, in
# a venv with those packages from PyPI.
# DuckDB's extensions come from PyPI too (duckdb-extension-iceberg/-avro, versions matching
# duckdb's), loaded from the installed packages: no INSTALL, no network at test time.
#
# Environment (all optional):
#   PYTHON              the Python 3.9+ to make the venv with (default: python3)
#   CARGO_TARGET_DIR    cargo's target directory (default: target/)
#   MURR_EXPORT_VENV    the venv (default: $CARGO_TARGET_DIR/export-venv), reused if it has
#                       the packages
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
python=${PYTHON:-python3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
venv=${MURR_EXPORT_VENV:-$CARGO_TARGET_DIR/export-venv}
duckdb_version=1.5.5
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

packages=(pyarrow pyiceberg pytest "duckdb==$duckdb_version"
    "duckdb-extension-iceberg==$duckdb_version" "duckdb-extension-avro==$duckdb_version")
if ! "$venv/bin/python" -c 'import duckdb, pyiceberg, pyarrow, pytest, duckdb_extension_iceberg, duckdb_extension_avro
assert duckdb.__version__ == "'$duckdb_version'"' 2>/dev/null; then
    printf '==> venv at %s: %s\n' "$venv" "${packages[*]}"
    "$python" -m venv --clear "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "${packages[@]}"
fi

printf '==> the export scenario (cargo test -p murr-core --test export_iceberg readers_scenario)\n'
MURR_EXPORT_OUT=$out cargo test -p murr-core --test export_iceberg --locked readers_scenario
[ -f "$out/exports.json" ] || { echo "the scenario wrote no exports.json" >&2; exit 1; }

printf '==> pyiceberg, DuckDB iceberg_scan and read_parquet, pyarrow on the exports\n'
set +e
MURR_EXPORT_OUT=$out "$venv/bin/python" -m pytest -p no:cacheprovider -q tests/export/test_readers.py
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "pytest collected no tests" >&2
    exit 1
fi
exit "$rc"
