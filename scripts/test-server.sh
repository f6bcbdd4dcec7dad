#!/usr/bin/env bash
# `murr serve` as a user runs it (server/, docs/SERVER.md): started on a temporary database
# and a free port with a bearer token; curl against /health, a table's creation, a JSON
# write, JSON and Arrow IPC fetches, a refused token; the Python remote client's tests
# (bindings/python/tests/test_remote.py) against it; a load test (tests/server_load.py:
# 8 clients for MURR_LOAD_SECONDS, default 60, no error, no lost write, flat memory);
# schemathesis over /openapi.json (no 5xx); then SIGTERM, which must close the
# database so that `murr get` reopens it and finds the writes.
#
# The Python tests run in the venv scripts/test-python.sh made (its libmurr wheel carries
# libmurr.remote), so test.sh runs this after the Python step.
#
# Environment (all optional):
#   CARGO_TARGET_DIR    cargo's target directory (default: target/)
#   MURR_PY_VENV        the venv with libmurr, pyarrow and pytest
#                       (default: $CARGO_TARGET_DIR/python-venv)
#   MURR_SERVER_PYTHON  "skip" to leave out the Python tests and schemathesis (no venv)
#   MURR_LOAD_SECONDS   the load test's length (default 60)
#   MURR_SCHEMATHESIS_EXAMPLES  examples per operation (default 50)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }
fail() { echo "test-server.sh: $*" >&2; exit 1; }
start=$(date +%s)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
venv=${MURR_PY_VENV:-$CARGO_TARGET_DIR/python-venv}
# The OpenAPI fuzzer, pinned (checked on these machines: 4.32.5).
schemathesis_version=4.32.5
command -v curl >/dev/null 2>&1 || fail "curl is needed (apt-get install curl)"
if [[ ${MURR_SERVER_PYTHON:-} != skip && ! -x $venv/bin/python ]]; then
    fail "no Python venv at $venv: run scripts/test-python.sh first (or set MURR_PY_VENV, or MURR_SERVER_PYTHON=skip)"
fi

step "build murr (debug)"
cargo build -p murr-cli --locked --quiet
murr=$CARGO_TARGET_DIR/debug/murr

work=$(mktemp -d)
pid=
cleanup() {
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
db=$work/db
token=tok-$RANDOM$RANDOM

step "murr serve $db --create --http-port 0 --flight-port 0 --token ..."
"$murr" serve "$db" --create --http-port 0 --flight-port 0 --token "$token" >"$work/out" 2>"$work/err" &
pid=$!
url=
for _ in $(seq 300); do
    url=$(sed -n 's/^murr serve: \(http:.*\)$/\1/p' "$work/out")
    [[ -n $url ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/err" >&2; fail "murr serve exited"; }
    sleep 0.1
done
[[ -n $url ]] || fail "murr serve printed no address in 30 s"
echo "serving at $url"
grep -q '^murr serve: grpc://127.0.0.1:[0-9]* (Arrow Flight)$' "$work/out" || fail "no Flight address: $(cat "$work/out")"

auth=(-H "Authorization: Bearer $token")
# curl_check STATUS ARGS...: runs curl, checks the status, leaves the body in $work/body.
curl_check() {
    local want=$1; shift
    local got
    got=$(curl -sS -o "$work/body" -w '%{http_code}' "$@")
    [[ $got == "$want" ]] || { cat "$work/body" >&2; echo >&2; fail "curl $* answered $got, not $want"; }
}

step "curl: health, create, write (JSON), fetch (JSON and Arrow IPC), token refused"
curl_check 200 "$url/health"
curl_check 401 "$url/api/v1/table"
curl_check 401 -H "Authorization: Bearer wrong" "$url/api/v1/table"
curl_check 201 "${auth[@]}" -X PUT -H 'Content-Type: application/json' "$url/api/v1/table/users" \
    -d '{"key": "id", "columns": {"id": {"dtype": "utf8", "nullable": false}, "score": {"dtype": "float32"}, "clicks": {"dtype": "int64"}}}'
curl_check 200 "${auth[@]}" "$url/api/v1/table/users/schema"
grep -q '"key":"id"' "$work/body" || fail "schema: $(cat "$work/body")"
curl_check 200 "${auth[@]}" -X PUT -H 'Content-Type: application/json' "$url/api/v1/table/users/write" \
    -d '{"columns": {"id": ["ann", "bob"], "score": [0.5, 1.5], "clicks": [3, 4]}}'
grep -Eq '^\{"seq":[0-9]+\}$' "$work/body" || fail "write: $(cat "$work/body")"
curl_check 200 "${auth[@]}" -H 'Content-Type: application/json' -H 'Accept: application/json' \
    "$url/api/v1/table/users/fetch" -d '{"keys": ["bob", "eve"], "columns": ["score", "clicks"]}'
want='{"columns":{"score":[1.5,null],"clicks":[4,null]},"found":[true,false]}'
[[ $(cat "$work/body") == "$want" ]] || fail "fetch JSON: $(cat "$work/body"), not $want"
curl_check 200 "${auth[@]}" -H 'Content-Type: application/json' -D "$work/headers" \
    "$url/api/v1/table/users/fetch" -d '{"keys": ["ann", "eve"]}'
grep -qi '^content-type: application/vnd.apache.arrow.stream' "$work/headers" || fail "fetch IPC: $(cat "$work/headers")"
grep -qi '^x-murr-found: 10' "$work/headers" || fail "fetch IPC found: $(cat "$work/headers")"
# An IPC stream starts with a continuation marker (0xFFFFFFFF).
[[ $(head -c 4 "$work/body" | od -An -tx1 | tr -d ' \n') == ffffffff ]] || fail "fetch IPC: not an Arrow stream"
cp "$work/body" "$work/fetch.arrows"
curl_check 404 "${auth[@]}" "$url/api/v1/table/ghost/schema"
grep -q '"error"' "$work/body" || fail "404 without an error message"
curl_check 200 "${auth[@]}" "$url/metrics"
grep -q 'murr_keys_fetched_total 4' "$work/body" || fail "metrics: $(cat "$work/body")"

if [[ ${MURR_SERVER_PYTHON:-} != skip ]]; then
    step "Python remote client (tests/test_remote.py in $venv)"
    "$venv/bin/python" - "$work/fetch.arrows" <<'PY'
import sys
import pyarrow as pa
batch = pa.ipc.open_stream(open(sys.argv[1], "rb").read()).read_all()
assert batch.column_names == ["id", "score", "clicks"], batch.column_names
assert batch.column("clicks").to_pylist() == [3, None], batch
print("the IPC fetch decodes with pyarrow:", batch.to_pydict())
PY
    if ! MURR_SERVER_URL=$url MURR_SERVER_TOKEN=$token "$venv/bin/python" -m pytest -p no:cacheprovider \
        -q -rs bindings/python/tests/test_remote.py 2>&1 | tee "$work/pytest"; then
        fail "Python remote client tests failed"
    fi
    grep -Eq '[0-9]+ passed' "$work/pytest" || fail "pytest reported no passed test"
    ! grep -Eq '[0-9]+ skipped' "$work/pytest" || fail "pytest skipped tests"
fi

step "load: 8 clients, ${MURR_LOAD_SECONDS:-60} s of mixed JSON fetches and writes (tests/server_load.py)"
python3 tests/server_load.py "$url" "$pid" --token "$token" --clients 8 --seconds "${MURR_LOAD_SECONDS:-60}" \
    || fail "the load test failed"

if [[ ${MURR_SERVER_PYTHON:-} != skip ]]; then
    step "schemathesis against /openapi.json: no server error (5xx) for any generated request"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "schemathesis==$schemathesis_version"
    # The path parameter {name} names a real table, so that generated bodies reach the
    # handlers (not only the 404 of an unknown table).
    printf '[parameters]\n"path.name" = "users"\n' >"$work/schemathesis.toml"
    # Fuzzing and stateful phases only: schemathesis 4.32.5's coverage phase raised its own
    # "Inconsistent results" error while generating a write body in one CI run (an error of
    # the generator, not an answer of the server), which fails the run.
    (cd "$work" && "$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" run "$url/openapi.json" \
        --url "$url" -H "Authorization: Bearer $token" --checks not_a_server_error \
        --phases fuzzing,stateful \
        --max-examples "${MURR_SCHEMATHESIS_EXAMPLES:-50}" --seed 1 --workers 2 2>&1 | tee "$work/st") \
        || fail "schemathesis found a server error (see above)"
    grep -Eq '[0-9]+ generated, [0-9]+ passed' "$work/st" || fail "schemathesis ran no test case"
    if grep -Eq '[0-9]+ failed' "$work/st"; then fail "schemathesis: failed cases"; fi
fi

step "SIGTERM: the server stops and closes the database"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
[[ $status == 0 ]] || { cat "$work/err" >&2; fail "murr serve exited with $status after SIGTERM"; }
grep -q 'database closed' "$work/err" || fail "no 'database closed' from murr serve: $(cat "$work/err")"

step "the database reopens with the writes"
"$murr" get "$db" users bob --columns clicks | tee "$work/get"
grep -q '4' "$work/get" || fail "murr get after the server: $(cat "$work/get")"

printf '\nmurr serve tests passed in %ss.\n' "$(( $(date +%s) - start ))"
