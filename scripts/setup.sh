#!/usr/bin/env bash
# Installs what libmurr's build and tests need on a Debian machine with rustup's Rust.
# Idempotent and quiet when everything is already there.
#
#   scripts/setup.sh        everything `make test` needs (every language, WASM, browser)
#   scripts/setup.sh demo   only what `make demo` needs: Rust and a C compiler/linker
set -euo pipefail
mode=${1:-all}
case "$mode" in
    all | demo) ;;
    *)
        printf "[setup] unknown mode \"%s\" (expected: demo, or nothing for all)\n" "$mode" >&2
        exit 2
        ;;
esac

say() { printf '[setup] %s\n' "$*" >&2; }

if ! command -v cargo >/dev/null 2>&1; then
    say "cargo not found. libmurr needs Rust 1.89 or newer from rustup (https://rustup.rs);"
    say "Debian's own rustc is too old for edition 2024."
    exit 1
fi

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v make >/dev/null 2>&1 || need_apt+=(make)
if [ "$mode" = demo ]; then
    # The demo is one Rust binary (cli/): cargo and a linker are all it needs.
    if [ ${#need_apt[@]} -gt 0 ]; then
        say "installing ${need_apt[*]} with apt-get"
        SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need_apt[@]}"
    fi
    exit 0
fi
# curl: scripts/test-server.sh talks to `murr serve` with it.
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
# The C/C++ side (scripts/test-c.sh): CMake, g++, GoogleTest, pkg-config.
command -v cmake >/dev/null 2>&1 || need_apt+=(cmake)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
# The WASM reader's tests (scripts/test-wasm.sh): Node 18 or newer and npm.
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if command -v dpkg >/dev/null 2>&1 && ! dpkg -s libgtest-dev >/dev/null 2>&1; then need_apt+=(libgtest-dev); fi
if [ ${#need_apt[@]} -gt 0 ]; then
    say "installing ${need_apt[*]} with apt-get"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

if command -v rustup >/dev/null 2>&1; then
    installed_targets=$(rustup target list --installed)
    if ! grep -qx wasm32-unknown-unknown <<<"$installed_targets"; then
        say "adding the wasm32-unknown-unknown target"
        rustup target add wasm32-unknown-unknown >&2
    fi
    components=$(rustup component list --installed)
    for c in clippy rustfmt; do
        if ! grep -q "^$c" <<<"$components"; then
            say "adding the $c component"
            rustup component add "$c" >&2
        fi
    done
else
    say "rustup not found: skipping the wasm32 target check (install rustup for the full test run)"
fi

# cbindgen generates include/murr.h (scripts/gen-header.sh); the tests check the checked-in
# header against a fresh one.
if ! command -v cbindgen >/dev/null 2>&1; then
    say "installing cbindgen 0.29.4 (a few minutes, once)"
    cargo install cbindgen --version 0.29.4 --locked >&2 \
        || cargo install cbindgen --version 0.29.4 >&2
fi

# wasm-bindgen generates the JS glue of the WASM reader (scripts/build-wasm.sh); its version
# must equal the wasm-bindgen crate's (`=0.2.130` in wasm/Cargo.toml). `--locked` fails for it.
WASM_BINDGEN_VERSION=0.2.130
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 5 minutes, once)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" >&2
fi

# ---- Python binding (scripts/test-python.sh) ------------------------------------------
# Python 3.9+ with venv and pip; the test script makes its own venv and installs pyarrow,
# pandas, numpy, polars and pytest into it from PyPI.
if ! command -v python3 >/dev/null 2>&1 \
    || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    say "installing python3, python3-venv and python3-pip with apt-get"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq python3 python3-venv python3-pip
fi
# ---- end Python binding -----------------------------------------------------------------

# --- Go binding (scripts/test-go.sh) -------------------------------------------------------
# bindings/go needs Go 1.25 or newer (arrow-go v18.8's floor) with cgo and a C compiler. A Go
# 1.21+ fetches the toolchain go.mod asks for by itself (GOTOOLCHAIN=auto, through the Go
# module proxy). Without one (Debian 12's golang-go is 1.19, too old for that), Go itself is
# taken from the module proxy as the go command would (golang.org/toolchain), into the cache
# that scripts/go-env.sh puts on PATH.
. "$(dirname "$0")/go-env.sh"
if ! murr_go_ok; then
    case "$(uname -m)" in
        x86_64) go_arch=amd64 ;;
        aarch64 | arm64) go_arch=arm64 ;;
        *) go_arch="" ;;
    esac
    if [ -z "$go_arch" ]; then
        say "no Go 1.21+ found and no Go toolchain for $(uname -m): install Go 1.25+ for the Go binding"
    else
        for tool in curl unzip; do
            if ! command -v "$tool" >/dev/null 2>&1; then
                SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
                $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "$tool"
            fi
        done
        proxy=$( (go env GOPROXY 2>/dev/null || echo "${GOPROXY:-https://proxy.golang.org}") \
            | cut -d, -f1 | cut -d'|' -f1)
        case "$proxy" in http*) ;; *) proxy=https://proxy.golang.org ;; esac
        module="golang.org/toolchain@v0.0.1-$MURR_GO_VERSION.linux-$go_arch"
        say "installing Go $MURR_GO_VERSION from the Go module proxy ($proxy) into $murr_go_dir"
        tmp=$(mktemp -d)
        curl -fsSL "$proxy/golang.org/toolchain/@v/v0.0.1-$MURR_GO_VERSION.linux-$go_arch.zip" \
            -o "$tmp/go.zip"
        unzip -q "$tmp/go.zip" -d "$tmp"
        mkdir -p "$(dirname "$murr_go_dir")"
        rm -rf "$murr_go_dir"
        mv "$tmp/$module" "$murr_go_dir"
        rm -rf "$tmp"
        # Module zips keep no file modes: the go command marks these executable itself.
        chmod -R +x "$murr_go_dir/bin" "$murr_go_dir/pkg/tool"
        export PATH="$murr_go_dir/bin:$PATH"
        murr_go_ok || { say "the Go toolchain in $murr_go_dir does not run"; exit 1; }
    fi
fi
# --- end Go binding ------------------------------------------------------------------------

# --- The browser test of the WASM package (scripts/test-browser.sh): headless Chromium and
# chromedriver from Debian. ---
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    say "installing chromium and chromium-driver with apt-get"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium chromium-driver
fi
# --- end of the browser test's block ---

# ---- Java binding (scripts/test-java.sh, bindings/java) ----------------------------------
# A JDK 17 (javac, jar; headers for the JNI glue) and Maven; the Maven build fetches Arrow
# Java and JUnit from Maven Central into ~/.m2 on its first run.
need_java=()
if ! command -v javac >/dev/null 2>&1 || ! javac -version 2>&1 | grep -Eq 'javac (1[7-9]|[2-9][0-9])'; then
    need_java+=(openjdk-17-jdk-headless)
fi
command -v mvn >/dev/null 2>&1 || need_java+=(maven)
if [ ${#need_java[@]} -gt 0 ]; then
    say "installing ${need_java[*]} with apt-get"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need_java[@]}"
fi
# ---- end Java binding ---------------------------------------------------------------------
