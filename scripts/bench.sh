#!/usr/bin/env bash
# make bench: every workload of docs/WORKLOAD.md through libmurr and its peers (in-memory
# baselines, RocksDB, Redis), at 1M and 10M rows (and 100M rows of libmurr alone with
# BENCH_100M=1), in release mode (core/benches/suite). Prints the tables, writes them into
# BENCHMARKS.md (between the "make bench" markers) with the machine, the date, the commit and
# the command, and plots R1 and O1 against N into BENCHMARKS-scaling.png.
#   scripts/bench.sh                 1M (with R5, R6) and 10M
#   BENCH_100M=1 scripts/bench.sh    and 100M rows of libmurr and the baseline (W1, R1, O1, M1)
#   BENCH_ROWS="1000000" scripts/bench.sh   other sizes (the first one runs R5 and R6)
#   BENCH_BATCHES=2000               measured batches per read workload
# Starts Debian's redis-server on 127.0.0.1:6399 (no persistence, in a temporary directory)
# and stops it at the end whatever happens; installs redis-server, libclang-dev (RocksDB's
# bindings) and python3-venv with apt when missing, and matplotlib into a venv under
# ~/.cache/libmurr. Takes about 30 minutes on 2 cores (RocksDB's C++ build alone: ~11 min,
# the first time); needs ~20 GB of disk at 100M.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if command -v dpkg >/dev/null 2>&1; then
    dpkg -s libclang-dev >/dev/null 2>&1 || need+=(libclang-dev)
    dpkg -s python3-venv >/dev/null 2>&1 || need+=(python3-venv)
fi
if [ ${#need[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need[@]}"
fi
venv="${XDG_CACHE_HOME:-$HOME/.cache}/libmurr/bench-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check matplotlib
fi

rows_list=${BENCH_ROWS:-"1000000 10000000"}
batches=${BENCH_BATCHES:-2000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/bench-suite}
cargo build --release --locked --manifest-path core/benches/suite/Cargo.toml
bin="$CARGO_TARGET_DIR/release/murr-bench"

port=6399
tmp=$(mktemp -d)
redis_pid=""
cleanup() {
    if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" \
    --daemonize no --loglevel warning &
redis_pid=$!
for _ in $(seq 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
done
export MURR_REDIS="127.0.0.1:$port" MURR_REDIS_PID="$redis_pid"

# The data directories go next to the build (a real disk), not to a tmpfs /tmp.
data="$CARGO_TARGET_DIR/data"
mkdir -p "$data"
json="$tmp/scaling.jsonl"
first=1
for rows in $rows_list; do
    wide=(); [ "$first" = 1 ] && wide=(--wide); first=0
    "$bin" --rows "$rows" --batches "$batches" "${wide[@]}" --dir "$data" \
        --out "$tmp/rows-$rows.md" --json "$json"
done
if [ "${BENCH_100M:-0}" = 1 ]; then
    "$bin" --rows 100000000 --batches "$batches" --murr-only --dir "$data" \
        --out "$tmp/rows-100000000.md" --json "$json"
fi

cmd="make bench"
[ "${BENCH_100M:-0}" = 1 ] && cmd="make bench BENCH_100M=1"
[ -n "${BENCH_ROWS:-}" ] && cmd="BENCH_ROWS=\"$BENCH_ROWS\" $cmd"
"$venv/bin/python" scripts/bench-report.py --json "$json" --chart BENCHMARKS-scaling.png \
    --benchmarks BENCHMARKS.md --command "$cmd" --batches "$batches" "$tmp"/rows-*.md
echo "BENCHMARKS.md and BENCHMARKS-scaling.png written"
