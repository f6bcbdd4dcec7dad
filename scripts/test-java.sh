#!/usr/bin/env bash
# libmurr's Java binding (bindings/java): builds libmurr (cargo build --release -p murr-ffi,
# the build test-c.sh made), compiles the JNI glue against libmurr.a into one self-contained
# libmurrjni.so (bindings/java/build-native.sh), then `mvn install`: compiles the classes,
# runs the JUnit 5 tests with Surefire (every call, misuse, concurrency, 100,000-read memory
# check, the --add-opens check in a forked JVM), packs the jar with the library inside and
# installs it into the local Maven repository (~/.m2) as the README says; then loads the
# library from the jar in a fresh JVM, and runs the install test: a Maven project in a temp
# directory depending on dev.murr:murr-java runs the README's quick-start.
#
# Environment (all optional):
#   CARGO_TARGET_DIR  cargo's target directory (default: target/)
#   MURR_PROFILE      release (default) or debug: which libmurr.a to link
#   MVN_ARGS          extra arguments for mvn (e.g. -o once the dependencies are cached)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)
target_dir=${CARGO_TARGET_DIR:-$root/target}
profile=${MURR_PROFILE:-release}
release_flag=()
[ "$profile" = release ] && release_flag=(--release)

step "libmurr (cargo build -p murr-ffi, $profile)"
cargo build -p murr-ffi --locked "${release_flag[@]}" --target-dir "$target_dir"

step "JNI glue (bindings/java/build-native.sh: gcc -Werror, linked with libmurr.a)"
MURR_LIB_DIR="$target_dir/$profile" bindings/java/build-native.sh

step "mvn install (JUnit 5 tests through Surefire, the jar, into the local repository)"
# shellcheck disable=SC2086
mvn -B -ntp -Dstyle.color=never -f bindings/java/pom.xml ${MVN_ARGS:-} install

step "the jar loads its own JNI library in a fresh JVM"
jar=bindings/java/target/murr-java.jar
jar tf "$jar" | grep -c 'dev/murr/native/.*/libmurrjni.so' >/dev/null \
    || { echo "no libmurrjni.so in $jar" >&2; exit 1; }
unzip -p "$jar" META-INF/MANIFEST.MF | grep -c '^Automatic-Module-Name: dev\.murr' >/dev/null \
    || { echo "no Automatic-Module-Name in $jar's manifest" >&2; exit 1; }
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

step "install test: a Maven project outside the repository depending on dev.murr:murr-java (README)"
app=$fallback/app
mkdir -p "$app/src/main/java/example"
cat >"$app/pom.xml" <<'POM'
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>murr-app</artifactId>
  <version>1.0</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>dev.murr</groupId>
      <artifactId>murr-java</artifactId>
      <version>0.2.0</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.13.0</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-resources-plugin</artifactId>
        <version>3.3.1</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
      </plugin>
    </plugins>
  </build>
</project>
POM
# The quick-start of bindings/java/README.md.
cat >"$app/src/main/java/example/QuickStart.java" <<'JAVA'
package example;

import dev.murr.MurrDb;
import dev.murr.Options;
import dev.murr.TableStats;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

public class QuickStart {
  public static void main(String[] args) {
    Schema schema =
        new Schema(
            List.of(
                new Field("user", FieldType.notNullable(new ArrowType.Utf8()), null),
                new Field(
                    "ctr",
                    FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
                    null)));
    try (BufferAllocator allocator = new RootAllocator();
        MurrDb db = MurrDb.open(Path.of(args[0]), new Options().allocator(allocator));
        VectorSchemaRoot batch = VectorSchemaRoot.create(schema, allocator)) {
      db.createTable("users", schema, "user");
      VarCharVector user = (VarCharVector) batch.getVector("user");
      Float4Vector ctr = (Float4Vector) batch.getVector("ctr");
      user.setSafe(0, "ann".getBytes());
      ctr.setSafe(0, 0.5f);
      user.setSafe(1, "bob".getBytes());
      ctr.setSafe(1, 0.25f);
      batch.setRowCount(2);
      db.write("users", batch);
      float[] x = db.readDense("users", new String[] {"bob", "cid"}, new String[] {"ctr"}, -1f);
      TableStats stats = db.tableStats("users");
      System.out.println("libmurr " + MurrDb.version() + ": " + x[0] + " " + x[1]
          + ", " + stats.memtableBytes() + " memtable bytes");
    }
  }
}
JAVA
# shellcheck disable=SC2086
mvn -B -q -ntp -Dstyle.color=never -f "$app/pom.xml" ${MVN_ARGS:-} compile dependency:build-classpath \
    -Dmdep.outputFile="$app/classpath.txt" -Dmdep.includeScope=runtime
out=$(java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$app/target/classes:$(cat "$app/classpath.txt")" \
    example.QuickStart "$fallback/app-db")
echo "$out"
grep -q '^libmurr 0.2.0: 0.25 -1.0, [1-9][0-9]* memtable bytes$' <<<"$out"

printf '\nJava tests passed in %ss.\n' "$(( $(date +%s) - start ))"
