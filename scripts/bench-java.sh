#!/usr/bin/env bash
# R1 (docs/WORKLOAD.md) from Java against the Rust API, in one session: builds the release
# libmurr and the Java binding (no tests), runs bindings/java's R1Bench (the canonical table
# loaded through MurrDb.write), then `cargo bench -p murr-ffi --bench abi` (the Rust API's
# Db::read and the C ABI on the same table and keys). Not part of `make test`.
#
#   scripts/bench-java.sh [ROWS] [BATCHES]     (defaults: 1000000 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rows=${1:-1000000}
batches=${2:-2000}
rounds=${3:-1}
target_dir=${CARGO_TARGET_DIR:-$root/target}

cargo build -p murr-ffi --locked --release --target-dir "$target_dir"
MURR_LIB_DIR="$target_dir/release" bindings/java/build-native.sh >/dev/null
mvn -B -q -ntp -Dstyle.color=never -f bindings/java/pom.xml -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile="$root/bindings/java/target/classpath.txt" -Dmdep.includeScope=test
cp="bindings/java/target/test-classes:bindings/java/target/murr-java.jar"
cp="$cp:$(cat bindings/java/target/classpath.txt)"

cargo bench --no-run --locked -p murr-ffi --bench abi --target-dir "$target_dir" 2>/dev/null

for round in $(seq 1 "$rounds"); do
    printf '\n==> round %s: R1 from Java (%s rows, %s batches)\n' "$round" "$rows" "$batches"
    java --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx2g -cp "$cp" dev.murr.bench.R1Bench \
        --rows "$rows" --batches "$batches"

    printf '\n==> round %s: R1 through the Rust API and the C ABI (cargo bench --bench abi)\n' \
        "$round"
    cargo bench --locked -p murr-ffi --bench abi --target-dir "$target_dir" -- \
        --rows "$rows" --batches "$batches"
done
