#!/usr/bin/env bash
# libmurr's Java binding (bindings/java): builds libmurr (cargo build -p murr-ffi), compiles
# the JNI glue against libmurr.a into one self-contained libmurrjni.so
# (bindings/java/build-native.sh), then `mvn package`: compiles the classes, runs the JUnit 5
# tests with Surefire (every call, misuse, concurrency, 100,000-read memory check) and packs
# the jar with the library inside; last, loads the library from the jar in a fresh JVM.
#
# Environment (all optional):
#   CARGO_TARGET_DIR  cargo's target directory (default: target/)
#   MURR_PROFILE      debug (default) or release: which libmurr.a to link
#   MVN_ARGS          extra arguments for mvn (e.g. -o once the dependencies are cached)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)
target_dir=${CARGO_TARGET_DIR:-$root/target}
profile=${MURR_PROFILE:-debug}
release_flag=()
[ "$profile" = release ] && release_flag=(--release)

step "libmurr (cargo build -p murr-ffi, $profile)"
cargo build -p murr-ffi --locked "${release_flag[@]}" --target-dir "$target_dir"

step "JNI glue (bindings/java/build-native.sh: gcc -Werror, linked with libmurr.a)"
MURR_LIB_DIR="$target_dir/$profile" bindings/java/build-native.sh

step "mvn package (JUnit 5 tests through Surefire, then the jar)"
# shellcheck disable=SC2086
mvn -B -ntp -Dstyle.color=never -f bindings/java/pom.xml ${MVN_ARGS:-} package

step "the jar loads its own JNI library in a fresh JVM"
jar=bindings/java/target/murr-java.jar
jar tf "$jar" | grep -q 'dev/murr/native/.*/libmurrjni.so' \
    || { echo "no libmurrjni.so in $jar" >&2; exit 1; }
cp_file=bindings/java/target/classpath.txt
# shellcheck disable=SC2086
mvn -B -q -ntp -Dstyle.color=never -f bindings/java/pom.xml ${MVN_ARGS:-} dependency:build-classpath \
    -Dmdep.outputFile="$root/$cp_file" -Dmdep.includeScope=runtime
out=$(java --add-opens=java.base/java.nio=ALL-UNNAMED -Djava.library.path=/nonexistent \
    -cp "$jar:$(cat "$cp_file")" dev.murr.MurrDb)
echo "$out"
grep -q '^libmurr [0-9.]* (JNI library: resource:' <<<"$out"

step "without the packed library: System.loadLibrary(\"murr\"), then \"murrjni\""
fallback=$(mktemp -d)
trap 'rm -rf "$fallback"' EXIT
mkdir -p "$fallback/classes" "$fallback/murr" "$fallback/murrjni" "$fallback/c"
(cd "$fallback/classes" && jar xf "$root/$jar" && rm -r dev/murr/native)
so=$(find bindings/java/target/classes/dev/murr/native -name libmurrjni.so | head -1)
cp "$so" "$fallback/murr/libmurr.so"
cp "$so" "$fallback/murrjni/libmurrjni.so"
cp "$target_dir/$profile/libmurr.so" "$fallback/c/libmurr.so"
run_from() {
    java --add-opens=java.base/java.nio=ALL-UNNAMED -Djava.library.path="$1" \
        -cp "$fallback/classes:$(cat "$cp_file")" dev.murr.MurrDb
}
out=$(run_from "$fallback/murr")
echo "$out"
grep -q '(JNI library: java.library.path:murr)' <<<"$out"
# The plain C libmurr.so found first (no JNI entry points), the JNI library next to it.
out=$(run_from "$fallback/c:$fallback/murrjni")
echo "$out"
grep -q '(JNI library: java.library.path:murrjni)' <<<"$out"

printf '\nJava tests passed in %ss.\n' "$(( $(date +%s) - start ))"
