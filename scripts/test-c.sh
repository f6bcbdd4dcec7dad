#!/usr/bin/env bash
# libmurr's C and C++ side: builds libmurr (cargo build --release -p murr-ffi: the build the
# install test ships and measures, and the one test-go.sh and test-java.sh reuse), configures
# and builds bindings/cpp with CMake (the C tests of tests/c, the C++ layer's GoogleTest
# tests, the example; Debug, with the sanitizers), runs ctest (every test under
# AddressSanitizer + UndefinedBehaviorSanitizer, then the install test: stripped libraries,
# libmurr.so under 10 MB, find_package/pkg-config consumers running the README's
# quick-start), then the inference-server example with small sizes.
#
# Environment (all optional):
#   MURR_MANIFEST     Cargo.toml of the workspace to build libmurr from (default: this repo's)
#   MURR_INCLUDE_DIR  directory holding murr.h (default: include/ of this repo)
#   CARGO_TARGET_DIR  cargo's target directory (default: target/)
#   MURR_PROFILE      the libmurr build the tests link: release (default) or debug
#   MURR_BUILD_DIR    CMake build directory (default: target/cpp-build)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)
manifest=${MURR_MANIFEST:-$root/Cargo.toml}
include_dir=${MURR_INCLUDE_DIR:-$root/include}
target_dir=${CARGO_TARGET_DIR:-$(dirname "$manifest")/target}
build_dir=${MURR_BUILD_DIR:-$root/target/cpp-build}
jobs=${MURR_JOBS:-2}

profile=${MURR_PROFILE:-release}
release_flag=()
[ "$profile" = release ] && release_flag=(--release)

step "libmurr (cargo build -p murr-ffi, $profile)"
cargo build -p murr-ffi --locked "${release_flag[@]}" --manifest-path "$manifest" --target-dir "$target_dir"
lib_dir="$target_dir/$profile"
[ -f "$include_dir/murr.h" ] || { echo "no murr.h in $include_dir" >&2; exit 1; }

step "configure and build bindings/cpp (C tests, C++ tests, example)"
cmake -S bindings/cpp -B "$build_dir" -DCMAKE_BUILD_TYPE=Debug \
    -DMURR_LIBRARY_DIR="$lib_dir" -DMURR_INCLUDE_DIR="$include_dir" >/dev/null
cmake --build "$build_dir" -j "$jobs"

step "ctest (ASan + UBSan; install + consumers)"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"

step "example: quick_start (the README's)"
qs_dir=$(mktemp -d)
"$build_dir/examples/quick_start" "$qs_dir/db"
rm -rf "$qs_dir"

step "example: inference_server (small)"
"$build_dir/examples/inference_server" --rows 20000 --requests 300 --batch 256

printf '\nC/C++ tests passed in %ss.\n' "$(( $(date +%s) - start ))"
