#!/usr/bin/env bash
# Builds the JNI glue (src/main/c, C over include/murr.h) into one self-contained shared
# library, libmurrjni.so, statically linked with libmurr.a, at
# target/native/<os>-<arch>/libmurrjni.so, where the Maven build packs it into the jar
# (resource dev/murr/native/<os>-<arch>/). Only the JNI entry points are exported.
#
# Environment:
#   MURR_LIB_DIR      directory holding libmurr.a (required)
#   MURR_INCLUDE_DIR  directory holding murr.h (default: include/ of this repository)
#   JAVA_HOME         the JDK (default: found from javac)
#   MURR_JNI_DEBUG    1: keep debug info (default: stripped, so the jar stays small)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${MURR_LIB_DIR:?set MURR_LIB_DIR to the directory holding libmurr.a}"
include_dir=${MURR_INCLUDE_DIR:-$root/include}
if [ -z "${JAVA_HOME:-}" ]; then
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
fi
os=$(uname -s | tr '[:upper:]' '[:lower:]')
arch=$(uname -m)
case "$arch" in amd64) arch=x86_64 ;; arm64) arch=aarch64 ;; esac
out_dir="$here/target/native/$os-$arch"
mkdir -p "$out_dir"
obj_dir=$(mktemp -d)
trap 'rm -rf "$obj_dir"' EXIT

cat >"$obj_dir/exports.map" <<'MAP'
{ global: Java_dev_murr_*; JNI_OnLoad; local: *; };
MAP
for src in "$here"/src/main/c/*.c; do
    gcc -std=c11 -O2 -fPIC -Wall -Wextra -Wpedantic -Werror \
        -I"$include_dir" -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/$os" \
        -c "$src" -o "$obj_dir/$(basename "$src" .c).o"
done
gcc -shared -o "$out_dir/libmurrjni.so" "$obj_dir"/*.o "$MURR_LIB_DIR/libmurr.a" \
    -Wl,--version-script="$obj_dir/exports.map" -Wl,--gc-sections -Wl,-z,defs \
    -lpthread -ldl -lm
[ "${MURR_JNI_DEBUG:-0}" = 1 ] || strip --strip-unneeded "$out_dir/libmurrjni.so"
echo "$out_dir/libmurrjni.so"
