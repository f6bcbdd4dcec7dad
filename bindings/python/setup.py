"""Builds the libmurr package: Python over libmurr's C ABI (include/murr.h, through ctypes)
with libmurr.so and libmurr_server.so inside, built from the Rust workspace by
setuptools-rust.

setuptools-rust builds the `murr-ffi` crate twice as a plain cdylib (`Binding.NoBinding`:
no CPython extension module, no pyo3), strips their debug info and copies them to
`libmurr/libmurr.so` (the C library, without the server: what every database opens
through, under 10 MB) and `libmurr/libmurr_server.so` (the same C ABI with cargo feature
`server`, libmurr's HTTP/Flight server in the process: loaded only to serve, by
`Murr.open(path, server=True)` and `Murr.start_local(http_port=...)`). The wheel is tagged
`py3-none-<platform>`: one wheel serves every Python 3.9+; `auditwheel repair` turns the
platform into a manylinux tag.

Where the Rust sources are: in a checkout, the repository (`../..`); in an sdist, the copy
this file's `sdist` command put under `rust/` (the workspace Cargo.toml with only the
members the two libraries need, Cargo.lock, core/, ffi/, server/, include/).

Environment (all optional):
  CARGO_TARGET_DIR     cargo's target directory (default: target/ of the workspace)
  MURR_CARGO_PROFILE   "release" (default) or "dev" (a debug build, not stripped)
  MURR_WORKSPACE       the Rust workspace to build (default: rust/, else ../..)
"""

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.sdist import sdist
from setuptools_rust import Binding, RustExtension, Strip, build_rust

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = Path(__file__).resolve().parent
SDIST_RUST = "rust"
"""The sdist's copy of the Rust workspace, next to this file."""

# What the sdist carries of the workspace: the crates of libmurr.so and libmurr_server.so
# (core, ffi; server for the latter) and the header.
RUST_DIRS = ("core", "ffi", "server", "include")
RUST_FILES = ("Cargo.toml", "Cargo.lock")
# Not needed to build libmurr.so: the peers benchmark (a workspace of its own that builds
# RocksDB), build output, fuzzing state.
SKIP_DIRS = {"target", "suite", "node_modules", "corpus", "artifacts", "__pycache__"}


def _workspace() -> Path:
    override = os.environ.get("MURR_WORKSPACE")
    if override:
        return Path(override).resolve()
    vendored = HERE / SDIST_RUST
    if (vendored / "Cargo.toml").is_file():
        return vendored
    return (HERE / ".." / "..").resolve()


def _in_checkout(workspace: Path) -> bool:
    return workspace != HERE / SDIST_RUST


class BuildRustLibmurr(build_rust):
    """Installs each cdylib as `libmurr/<its extension's name>.so` (`libmurr/libmurr.so`,
    `libmurr/libmurr_server.so`; setuptools-rust would name them as CPython extensions,
    `libmurr.cpython-311-x86_64-linux-gnu.so`, which ctypes need not and a py3-none wheel
    must not carry)."""

    def get_dylib_ext_path(self, ext, target_fname):
        path = super().get_dylib_ext_path(ext, target_fname)
        return os.path.join(os.path.dirname(path), ext.name.rsplit(".", 1)[-1] + ".so")


class BdistWheelAnyPython(bdist_wheel):
    """No CPython extension inside: any Python 3 on this platform (py3-none-<plat>)."""

    def get_tag(self):
        _, _, plat = super().get_tag()
        return "py3", "none", plat


class SdistWithRust(sdist):
    """The sdist also carries the Rust workspace under rust/, so that it builds outside
    the repository: its Cargo.toml lists only the members that libmurr.so needs (cargo
    then drops the other members' entries from the copied Cargo.lock and keeps every
    version it pins)."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        workspace = _workspace()
        dest = Path(base_dir) / SDIST_RUST
        for name in RUST_FILES:
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(workspace / name, dest / name)
        for name in RUST_DIRS:
            for src in _tracked_files(workspace, name):
                out = dest / src.relative_to(workspace)
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, out)
        manifest = dest / "Cargo.toml"
        manifest.write_text(_only_members(manifest.read_text(), ["core", "ffi", "server"]))


def _tracked_files(workspace: Path, top: str):
    """The files under `workspace/top` to ship: git's tracked files in a checkout (no
    build output, nothing ignored), else every file outside SKIP_DIRS."""
    if (workspace / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(
            ["git", "-C", str(workspace), "ls-files", "-z", "--", top],
            check=True, capture_output=True,
        ).stdout.decode().split("\0")
        files = [workspace / f for f in listed if f]
    else:
        files = [p for p in (workspace / top).rglob("*") if p.is_file()]
    rel = lambda p: p.relative_to(workspace / top).parts  # noqa: E731
    return [p for p in files if p.is_file() and not SKIP_DIRS.intersection(rel(p)[:-1])]


def _only_members(manifest: str, members) -> str:
    """The workspace manifest with `members = [...]` naming only `members`."""
    lines = manifest.splitlines()
    for i, line in enumerate(lines):
        if line.replace(" ", "").startswith("members=["):
            lines[i] = "members = [" + ", ".join(f'"{m}"' for m in members) + "]"
            return "\n".join(lines) + "\n"
    raise RuntimeError("libmurr: no `members = [...]` line in the workspace Cargo.toml")


def _libmurr(name: str, features) -> RustExtension:
    """The murr-ffi cdylib with cargo `features`, installed as `libmurr/<name>.so`."""
    return RustExtension(
        f"libmurr.{name}",
        path=str(workspace / "ffi" / "Cargo.toml"),
        binding=Binding.NoBinding,
        py_limited_api=False,
        debug=debug,
        features=features,
        # The release profile keeps line tables for profiling (`debug = 1`): most of
        # the library's size, stripped here (`strip -S`).
        strip=Strip.Debug,
        # In a checkout Cargo.lock is the repository's, exactly; an sdist's drops the
        # members it does not carry, which --locked would refuse.
        cargo_manifest_args=["--locked"] if _in_checkout(workspace) else [],
    )


workspace = _workspace()
debug = os.environ.get("MURR_CARGO_PROFILE", "release") == "dev"
setup(
    rust_extensions=[
        # The C library, as scripts/test-c.sh installs it (about 8 MB stripped): what
        # `Murr.open` and `LocalMurr` load.
        _libmurr("libmurr", []),
        # `Murr.start_local(http_port=...)` / `Murr.serve`: the same C ABI with libmurr's
        # HTTP and Flight server in the process (murr_server_start), which the C library
        # leaves out (about 16 MB of this library's 24 MB: tokio, hyper, tonic, parquet).
        # Loaded only by a database opened for serving (`Murr.open(path, server=True)`).
        # `Murr.export_parquet` / `export_iceberg` (murr_db_export_*) are here too: the
        # Parquet writer and Iceberg's Avro metadata, which the C library leaves out (the
        # parquet crate is in the server already; Avro adds little).
        _libmurr("libmurr_server", ["server", "export"]),
    ],
    cmdclass={
        "build_rust": BuildRustLibmurr,
        "bdist_wheel": BdistWheelAnyPython,
        "sdist": SdistWithRust,
    },
)
