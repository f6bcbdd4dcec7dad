"""Builds libmurr (the `murr-ffi` crate) with cargo and ships libmurr.so inside the package.

The package itself is pure Python (ctypes over the C ABI of include/murr.h); only the
shared library is native, so the wheel is tagged `py3-none-<platform>`.

Environment (all optional):
  MURR_MANIFEST        Cargo.toml of the libmurr workspace (default: ../../Cargo.toml)
  CARGO_TARGET_DIR     cargo's target directory (default: target/ of the workspace)
  MURR_CARGO_PROFILE   cargo profile to build: "release" (default) or "dev" (debug build)
  MURR_PREBUILT_LIB    a libmurr.so to ship instead of building one
  MURR_STRIP           "0" keeps the library's debug info (stripped by default)
"""

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = Path(__file__).resolve().parent
LIB_NAME = "libmurr.so"


def _workspace_manifest() -> Path:
    manifest = os.environ.get("MURR_MANIFEST")
    if manifest:
        return Path(manifest).resolve()
    return (HERE / ".." / ".." / "Cargo.toml").resolve()


def _build_libmurr() -> Path:
    prebuilt = os.environ.get("MURR_PREBUILT_LIB")
    if prebuilt:
        return Path(prebuilt)
    manifest = _workspace_manifest()
    if not manifest.is_file():
        raise RuntimeError(
            f"libmurr: no libmurr workspace at {manifest}; set MURR_MANIFEST to its Cargo.toml "
            "(or MURR_PREBUILT_LIB to a built libmurr.so)"
        )
    if shutil.which("cargo") is None:
        raise RuntimeError("libmurr: building libmurr needs cargo (Rust 1.89+ from rustup)")
    profile = os.environ.get("MURR_CARGO_PROFILE", "release")
    target_dir = Path(os.environ.get("CARGO_TARGET_DIR") or manifest.parent / "target")
    cmd = [
        "cargo", "build", "-p", "murr-ffi", "--locked",
        "--manifest-path", str(manifest), "--target-dir", str(target_dir),
        "--profile", profile,
    ]
    print("libmurr: " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    out_dir = "debug" if profile == "dev" else profile
    lib = target_dir / out_dir / LIB_NAME
    if not lib.is_file():
        raise RuntimeError(f"libmurr: cargo built no {lib}")
    return lib


class BuildPyWithLibmurr(build_py):
    """build_py that also builds libmurr and copies it into the package."""

    def run(self):
        super().run()
        lib = _build_libmurr()
        dest = Path(self.build_lib) / "libmurr" / LIB_NAME
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(lib, dest)
        # The shipped library needs no debug info (it is most of a debug build's size).
        if os.environ.get("MURR_STRIP", "1") != "0" and shutil.which("strip"):
            subprocess.run(["strip", "--strip-debug", str(dest)], check=True)


class BinaryDistribution(Distribution):
    """The package carries a native library: its wheel is platform-specific."""

    def has_ext_modules(self):
        return True


class BdistWheelAnyPython(bdist_wheel):
    """No CPython extension inside: any Python 3 on this platform (py3-none-<plat>)."""

    def get_tag(self):
        _, _, plat = super().get_tag()
        return "py3", "none", plat


setup(
    distclass=BinaryDistribution,
    cmdclass={"build_py": BuildPyWithLibmurr, "bdist_wheel": BdistWheelAnyPython},
)
