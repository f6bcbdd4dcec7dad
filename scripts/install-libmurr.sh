#!/usr/bin/env bash
# Installs libmurr into PREFIX the way bindings/cpp/README.md says (CMake: configure
# bindings/cpp, `cmake --install`), from the release build in the workspace's target
# directory (cargo build --release -p murr-ffi, a no-op when test-c.sh built it already):
# headers, stripped libmurr.so/.a (debug info in lib/.debug/), murrConfig.cmake, murr.pc and
# murr-static.pc. Used by test-go.sh and test-java.sh for their install tests.
#   scripts/install-libmurr.sh PREFIX
#
# Environment (optional):
#   CARGO_TARGET_DIR  cargo's target directory (default: target/)
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 PREFIX" >&2; exit 2; }
prefix=$1
cd "$(dirname "$0")/.."
root=$(pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}

cargo build -p murr-ffi --locked --release --target-dir "$target_dir"
build=$target_dir/cpp-install
# Tests and examples off: configuring compiles nothing but CMake's compiler checks.
cmake -S bindings/cpp -B "$build" -DCMAKE_BUILD_TYPE=Release -DMURR_LIBRARY_DIR="$target_dir/release" \
    -DMURR_BUILD_TESTS=OFF -DMURR_BUILD_EXAMPLES=OFF >/dev/null
cmake --install "$build" --prefix "$prefix" >/dev/null
echo "libmurr installed into $prefix (PKG_CONFIG_PATH=$prefix/$(cd "$prefix" && dirname "$(find . -name murr.pc | head -1)" | sed 's|^\./||'))"
