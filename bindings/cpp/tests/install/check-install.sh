#!/usr/bin/env bash
# Installs a configured bindings/cpp build into a temporary prefix, moves the prefix (the
# package must be relocatable), checks the libraries are stripped (debug info split into
# lib/.debug/) and, for an optimised libmurr, that libmurr.so is under 10 MB; then builds and
# runs consumers with find_package(murr) (shared, static, C++ quick-start) and with
# pkg-config (murr: C and C++; murr-static: C).
#   check-install.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/murr-install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build" --prefix "$tmp/staged" >"$tmp/install.log"
mv "$tmp/staged" "$tmp/prefix"
p="$tmp/prefix"
libdir=$(dirname "$(find "$p" -name libmurr.a | head -1)")

for f in include/murr.h include/murr/murr.hpp include/murr/batch.hpp; do
    [ -f "$p/$f" ] || { echo "missing $f" >&2; exit 1; }
done
for f in libmurr.so.0.2.0 libmurr.a cmake/murr/murrConfig.cmake cmake/murr/murrConfigVersion.cmake pkgconfig/murr.pc \
         pkgconfig/murr-static.pc; do
    [ -f "$libdir/$f" ] || { echo "missing $libdir/$f" >&2; exit 1; }
done
[ "$(readlink "$libdir/libmurr.so.0")" = libmurr.so.0.2.0 ] || { echo "libmurr.so.0 is not a link to libmurr.so.0.2.0" >&2; exit 1; }
[ "$(readlink "$libdir/libmurr.so")" = libmurr.so.0 ] || { echo "libmurr.so is not a link to libmurr.so.0" >&2; exit 1; }
if readelf -d "$libdir/libmurr.so.0.2.0" | grep -c 'SONAME.*\[libmurr\.so\.0\]' >/dev/null; then
    echo "soname: libmurr.so.0"
else
    echo "warning: libmurr.so.0.2.0 has no soname libmurr.so.0 (the ffi crate must set it)" >&2
fi

# Stripped, the debug info beside it (when the build installs stripped: MURR_INSTALL_STRIP).
so="$libdir/libmurr.so.0.2.0"
so_bytes=$(stat -c %s "$so")
a_bytes=$(stat -c %s "$libdir/libmurr.a")
echo "installed: libmurr.so.0.2.0 $so_bytes bytes, libmurr.a $a_bytes bytes"
if grep -q '^MURR_INSTALL_STRIP:BOOL=ON' "$build/CMakeCache.txt"; then
    dbg="$libdir/.debug/libmurr.so.0.2.0.debug"
    [ -f "$dbg" ] || { echo "missing $dbg" >&2; exit 1; }
    readelf -S "$so" | grep -c '\.debug_' >/dev/null && { echo "$so still has debug sections" >&2; exit 1; }
    readelf -S "$dbg" | grep -c '\.debug_line' >/dev/null || { echo "$dbg has no debug info" >&2; exit 1; }
    readelf -p .gnu_debuglink "$so" | grep -c 'libmurr\.so\.0\.2\.0\.debug' >/dev/null || { echo "$so has no .gnu_debuglink" >&2; exit 1; }
    echo "debug info: $(stat -c %s "$dbg") bytes in lib/.debug/"
fi
# An optimised libmurr (a release profile: what a Release build installs) must stay under
# 10 MB.
cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }
lib_from=$(cache_value MURR_LIBRARY_DIR)
if [[ "$lib_from" == */release || ( -z "$lib_from" && "$(cache_value CMAKE_BUILD_TYPE)" =~ ^(Release|RelWithDebInfo|MinSizeRel)$ ) ]]; then
    if [ "$so_bytes" -ge $((10 * 1024 * 1024)) ]; then
        echo "libmurr.so.0.2.0 is $so_bytes bytes; it must stay under 10 MB" >&2
        exit 1
    fi
    echo "libmurr.so.0.2.0 under 10 MB: ok"
fi

echo "== find_package(murr)"
cmake -S "$here/consumer" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$p" -DCMAKE_BUILD_TYPE=Debug >"$tmp/configure.log" \
    || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$tmp/consumer" -j2 >"$tmp/build.log" || { cat "$tmp/build.log"; exit 1; }
for exe in consumer_shared consumer_static consumer_cpp; do
    mkdir -p "$tmp/db-$exe"
    "$tmp/consumer/$exe" "$tmp/db-$exe"
done
# The static consumer does not need libmurr.so at run time.
if ldd "$tmp/consumer/consumer_static" | grep -c libmurr >/dev/null; then
    echo "consumer_static links libmurr.so" >&2; exit 1
fi

echo "== pkg-config murr"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
pkg-config --exists murr
[ "$(pkg-config --modversion murr)" = 0.2.0 ]
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror -o "$tmp/pc_c" "$here/consumer/consumer.c" $(pkg-config --cflags --libs murr)
# shellcheck disable=SC2046
c++ -std=c++17 -Wall -Wextra -Werror -o "$tmp/pc_cpp" "$here/../../examples/quick_start.cpp" $(pkg-config --cflags --libs murr)
LD_LIBRARY_PATH="$libdir" "$tmp/pc_c" "$tmp/db-pc-c"
LD_LIBRARY_PATH="$libdir" "$tmp/pc_cpp" "$tmp/db-pc-cpp"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror -o "$tmp/pc_static" "$here/consumer/consumer.c" $(pkg-config --cflags --libs murr-static)
if ldd "$tmp/pc_static" | grep -c libmurr >/dev/null; then
    echo "pkg-config murr-static links libmurr.so" >&2; exit 1
fi
"$tmp/pc_static" "$tmp/db-pc-static"
echo "install and consumers: ok"
