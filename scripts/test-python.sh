#!/usr/bin/env bash
# The Python binding (bindings/python): in a fresh venv, builds the wheel (pip wheel) and
# checks that it carries libmurr.so, installs the package with `pip install ./bindings/python`,
# then runs its pytest tests and the README's quickstart doctest, and fails unless tests ran.
#
# Environment (all optional):
#   PYTHON              the Python 3.9+ to make the venv with (default: python3)
#   CARGO_TARGET_DIR    cargo's target directory (default: target/)
#   MURR_CARGO_PROFILE  profile the package build compiles libmurr with (default here: dev,
#                       the debug build scripts/test-c.sh already made; users get release)
#   MURR_PY_VENV        the venv directory (default: $CARGO_TARGET_DIR/python-venv), recreated
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)
python=${PYTHON:-python3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
export MURR_CARGO_PROFILE=${MURR_CARGO_PROFILE:-dev}
venv=${MURR_PY_VENV:-$CARGO_TARGET_DIR/python-venv}
wheel_dir=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$wheel_dir" "$log"' EXIT

step "fresh venv at $venv: pyarrow, pandas, numpy, polars, pytest from PyPI"
"$python" -m venv --clear "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check pyarrow pandas numpy polars pytest

# setuptools builds in the source tree: start from no earlier build's files.
rm -rf bindings/python/build bindings/python/src/libmurr.egg-info

step "wheel (pip wheel ./bindings/python: cargo builds libmurr, the wheel ships it)"
"$venv/bin/python" -m pip wheel -q --disable-pip-version-check --no-deps -w "$wheel_dir" ./bindings/python
"$venv/bin/python" - "$wheel_dir" <<'PY'
import pathlib, sys, zipfile
wheels = list(pathlib.Path(sys.argv[1]).glob("libmurr-*.whl"))
assert len(wheels) == 1, wheels
names = zipfile.ZipFile(wheels[0]).namelist()
assert "libmurr/libmurr.so" in names and "libmurr/__init__.py" in names, names
assert "-py3-none-" in wheels[0].name, wheels[0].name
print(f"{wheels[0].name}: {len(names)} files, libmurr.so inside")
PY

step "pip install ./bindings/python"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps ./bindings/python
# The tests must import the installed package, not the source tree.
"$venv/bin/python" -c '
import libmurr, sys
assert "site-packages" in libmurr.__file__, libmurr.__file__
print("libmurr", libmurr.__version__, "(library", libmurr.version() + ") from", libmurr.LIBRARY_PATH)'

step "pytest (tests/ and the README quickstart)"
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
passed=$(grep -Eo '[0-9]+ passed' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
if [ "$passed" -le 0 ]; then
    echo "pytest reported no passed test" >&2
    exit 1
fi

printf '\nPython tests passed (%s) in %ss.\n' "$passed" "$(( $(date +%s) - start ))"
