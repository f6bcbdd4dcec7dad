# Sourced by the scripts that run Go (setup.sh, test-go.sh): puts the Go toolchain that
# setup.sh installs into the cache first on PATH when the machine has no Go 1.21+ of its own.
# The version bindings/go needs (go.mod: go 1.25) is then fetched by Go itself.
MURR_GO_VERSION=go1.26.8
murr_go_dir="${XDG_CACHE_HOME:-$HOME/.cache}/libmurr/$MURR_GO_VERSION"

# Whether `go` on PATH is Go 1.21 or newer (old enough Go cannot fetch newer toolchains).
murr_go_ok() {
    command -v go >/dev/null 2>&1 || return 1
    local minor
    minor=$(go env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9][0-9]*\).*/\1/p')
    [ -n "$minor" ] && [ "$minor" -ge 21 ]
}

if ! murr_go_ok && [ -x "$murr_go_dir/bin/go" ]; then
    export PATH="$murr_go_dir/bin:$PATH"
fi
