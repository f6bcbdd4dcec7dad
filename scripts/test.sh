#!/usr/bin/env bash
# Every test of every language libmurr has, in the order a failure is cheapest to find.
# Run through `make test` (which runs scripts/setup.sh first) or by `.ci/run`.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)

step "rustfmt"
cargo fmt --all -- --check

step "every document the repository cites is in it"
scripts/check-refs.sh

step "clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings
# ffi's optional in-process server (murr_server_start; on in the Python wheel).
cargo clippy -p murr-ffi --all-targets --features server --locked -- -D warnings
# ffi's optional exports (murr_db_export_*; on in the Python wheel).
cargo clippy -p murr-ffi --all-targets --features export --locked -- -D warnings

step "Rust tests (unit, integration, doc)"
cargo test --workspace --locked
step "the C ABI's in-process server (murr-ffi with its feature server, as the Python wheel builds it)"
cargo test -p murr-ffi --features server --test server --locked
step "the C ABI's exports (murr-ffi with its feature export, as the Python wheel builds it)"
cargo test -p murr-ffi --features export --test table_export --locked

step "exports read by pyiceberg, DuckDB (iceberg_scan, read_parquet) and pyarrow"
scripts/test-export.sh
step "include/murr.h is what scripts/gen-header.sh generates"
fresh=$(mktemp --suffix=.h)
trap 'rm -f "$fresh"' EXIT
scripts/gen-header.sh "$fresh"
if ! diff -u include/murr.h "$fresh"; then
    echo "include/murr.h is stale: run scripts/gen-header.sh and commit it" >&2
    exit 1
fi

step "murr.h compiles as C99 and C++17 with -Werror, alone and after other Arrow headers"
for def in "" -DMURR_ARROW_FIRST; do
    gcc -std=c99 -Wall -Wextra -Wpedantic -Werror $def -Iinclude \
        -c ffi/tests/c/header_hygiene.c -o /dev/null
    g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror $def -Iinclude \
        -x c++ -c ffi/tests/c/header_hygiene.c -o /dev/null
done

step "core builds for wasm32 without mmap (the browser reader's configuration)"
cargo check -p murr-core --no-default-features --target wasm32-unknown-unknown --locked
cargo check -p murr-wasm --target wasm32-unknown-unknown --locked

step "docs build without warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "C and C++ (tests/c, bindings/cpp: release libmurr, ASan + UBSan, install (stripped, < 10 MB), examples)"
scripts/test-c.sh

step "WASM segment reader (wasm/: build with wasm-bindgen, Node tests on the golden files)"
scripts/test-wasm.sh

step "Python binding (bindings/python: manylinux wheel and sdist, pip install into fresh venvs, pytest + README doctest)"
scripts/test-python.sh

step "murr serve (curl and the Python remote client against a running server, SIGTERM, reopen)"
scripts/test-server.sh

step "Go binding (bindings/go: CMake-installed libmurr through pkg-config, shared and static, -race, cgocheck2, install test)"
scripts/test-go.sh

step "WASM package in headless Chromium (demo page, remote reads of a 108 MB segment)"
scripts/test-browser.sh

step "Java binding (bindings/java: JNI glue, Maven + Surefire JUnit 5 tests, mvn install, install test)"
scripts/test-java.sh

printf '\nAll tests passed in %ss.\n' "$(( $(date +%s) - start ))"
