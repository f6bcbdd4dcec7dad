"""The package's ctypes declarations against include/murr.h, the header libmurr is built
with: every declared function's return and argument types, every struct's fields (names,
types, and offsets as a C compiler lays them out), and every status code against
`murr_status_name` and the exception classes. A change of the C ABI that the package does
not follow fails here instead of corrupting memory at run time."""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
from ctypes import POINTER, c_bool, c_char_p, c_float, c_int32, c_int64, c_size_t, c_uint32, c_uint64, c_void_p
from pathlib import Path

import pytest

from libmurr import _native, errors

HEADER = Path(__file__).resolve().parents[3] / "include" / "murr.h"


@pytest.fixture(scope="module")
def header() -> str:
    if not HEADER.is_file():
        pytest.skip(f"no {HEADER}: the header check runs in the repository")
    text = HEADER.read_text()
    # Comments out, so that prose mentioning a declaration does not look like one.
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _norm(c_type: str) -> str:
    """One spelling per C type: its words and stars, space-separated ("char * *")."""
    return " ".join(re.findall(r"\w+|\*", c_type))


def _ptr(t):
    return POINTER(t)


# A C type (normalized) -> the ctypes types that pass it correctly.
_OPAQUE = {c_void_p}
_C_TYPES_AS_WRITTEN = {
    "murr_status_t": {c_int32},
    "int32_t": {c_int32},
    "uint32_t": {c_uint32},
    "int64_t": {c_int64},
    "uint64_t": {c_uint64},
    "size_t": {c_size_t},
    "float": {c_float},
    "bool": {c_bool},
    "const char *": {c_char_p},
    "char *": {c_char_p, c_void_p},
    "char **": {_ptr(c_char_p)},
    "void *": _OPAQUE,
    "const void *": _OPAQUE,
    "const size_t *": _OPAQUE,
    "const char *const *": {_ptr(c_char_p), c_void_p},
    "const murr_db_t *": _OPAQUE,
    "murr_db_t *": _OPAQUE,
    "murr_db_t **": {_ptr(c_void_p)},
    "const murr_snapshot_t *": _OPAQUE,
    "murr_snapshot_t *": _OPAQUE,
    "murr_snapshot_t **": {_ptr(c_void_p)},
    "murr_error_t *": {_ptr(_native.Error)},
    "murr_options_t *": {_ptr(_native.Options)},
    "const murr_options_t *": {_ptr(_native.Options)},
    "murr_string_list_t *": {_ptr(_native.StringList)},
    "murr_table_stats_t *": {_ptr(_native.TableStats)},
    "murr_server_options_t *": {_ptr(_native.ServerOptions)},
    "const murr_server_options_t *": {_ptr(_native.ServerOptions)},
    "murr_server_t *": _OPAQUE,
    "const murr_server_t *": _OPAQUE,
    "murr_server_t **": {_ptr(c_void_p)},
    "murr_metrics_t *": {_ptr(_native.Metrics)},
    "const float *": _OPAQUE,
    "const murr_keys_t *": {_ptr(_native.Keys)},
    "struct ArrowSchema *": {_ptr(_native.ArrowSchema)},
    "const struct ArrowSchema *": {_ptr(_native.ArrowSchema)},
    "struct ArrowArray *": {_ptr(_native.ArrowArray)},
    "const struct ArrowArray *": {_ptr(_native.ArrowArray)},
    "struct ArrowArrayStream *": {_ptr(_native.ArrowArrayStream)},
    "uint64_t *": {_ptr(c_uint64), c_void_p},
    "int64_t *": {_ptr(c_int64), c_void_p},
    "uint8_t *": _OPAQUE,
    "float *": _OPAQUE,
}
_C_TYPES = {_norm(k): v for k, v in _C_TYPES_AS_WRITTEN.items()}


def _functions(header: str) -> dict:
    """name -> (return type, [argument types]) of every function the header declares."""
    out = {}
    for m in re.finditer(r"^([A-Za-z_][\w ]*?\**)\s*\b(murr_\w+)\(([^)]*)\);", header, re.M):
        ret, name, params = m.group(1), m.group(2), m.group(3)
        args = []
        for p in params.split(","):
            p = p.strip()
            if p in ("", "void"):
                continue
            # The parameter's name is the last identifier.
            args.append(_norm(re.sub(r"\b\w+$", "", p)))
        out[name] = (_norm(ret), args)
    return out


def test_every_declared_function_matches_the_header(header):
    declared = _functions(header)
    assert "murr_db_read_keys" in declared, "the header parser found no functions"
    for name, (restype, argtypes) in _native._SIGNATURES.items():
        assert name in declared, f"{name} is declared in _native.py but not in murr.h"
        c_ret, c_args = declared[name]
        if c_ret == "void":
            assert restype is None, f"{name} returns void"
        else:
            assert restype in _C_TYPES[c_ret], f"{name} returns {c_ret}, declared {restype}"
        assert len(argtypes) == len(c_args), f"{name}: {len(c_args)} arguments in murr.h, {len(argtypes)} declared"
        for i, (have, want) in enumerate(zip(argtypes, c_args)):
            assert want in _C_TYPES, f"{name}: argument {i} of C type {want!r} has no mapping in this test"
            assert have in _C_TYPES[want], f"{name}: argument {i} is {want} in murr.h, declared {have}"


def _struct_fields(header: str, tag: str) -> list:
    m = re.search(r"struct " + tag + r" \{(.*?)\};", header, re.S)
    assert m, f"struct {tag} not in murr.h"
    fields = []
    for decl in m.group(1).split(";"):
        decl = " ".join(decl.split())
        if not decl:
            continue
        fn = re.match(r".*\(\*(\w+)\)\(.*\)$", decl)
        if fn:
            fields.append((fn.group(1), "fnptr", None))
            continue
        arr = re.match(r"(.*?)(\w+)\[(\w+)\]$", decl)
        if arr:
            count = arr.group(3)
            if not count.isdigit():
                # A length named by a constant: its #define.
                define = re.search(r"#define " + count + r" (\d+)", header)
                assert define, f"struct {tag}: array length {count} not defined in murr.h"
                count = define.group(1)
            fields.append((arr.group(2), _norm(arr.group(1)), int(count)))
            continue
        ty, name = re.match(r"(.*?)(\w+)$", decl).groups()
        fields.append((name, _norm(ty), None))
    return fields


_STRUCTS = [
    ("murr_error", _native.Error),
    ("murr_options", _native.Options),
    ("murr_string_list", _native.StringList),
    ("murr_keys", _native.Keys),
    ("murr_table_stats", _native.TableStats),
    ("murr_server_options", _native.ServerOptions),
    ("murr_metrics", _native.Metrics),
]


@pytest.mark.parametrize("tag,cls", _STRUCTS)
def test_struct_fields_match_the_header(header, tag, cls):
    c_fields = _struct_fields(header, tag)
    py_fields = cls._fields_
    assert [f[0] for f in py_fields] == [f[0] for f in c_fields], f"struct {tag}: field names differ"
    for (name, py_type), (_, c_type, count) in zip(py_fields, c_fields):
        if c_type == "fnptr":
            assert py_type is c_void_p, f"{tag}.{name}: a function pointer"
        elif count is not None:
            assert issubclass(py_type, ctypes.Array) and py_type._length_ == count, f"{tag}.{name}[{count}]"
            assert py_type._type_ in _C_TYPES[c_type], f"{tag}.{name}: {c_type}[{count}]"
        else:
            assert c_type in _C_TYPES, f"{tag}.{name}: C type {c_type!r} has no mapping in this test"
            assert py_type in _C_TYPES[c_type], f"{tag}.{name} is {c_type} in murr.h, declared {py_type}"


def test_struct_layouts_match_a_c_compiler(tmp_path, header):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    lines = ['#include <stddef.h>', '#include <stdio.h>', '#include "murr.h"', "int main(void) {"]
    for tag, cls in _STRUCTS:
        lines.append(f'printf("{tag} sizeof %zu\\n", sizeof(struct {tag}));')
        for name, _ in cls._fields_:
            lines.append(f'printf("{tag} {name} %zu\\n", offsetof(struct {tag}, {name}));')
    lines.append("return 0; }")
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines))
    exe = tmp_path / "layout"
    subprocess.run([cc, "-std=c99", "-I", str(HEADER.parent), str(src), "-o", str(exe)], check=True)
    c_layout = {}
    for line in subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.splitlines():
        tag, field, value = line.split()
        c_layout[(tag, field)] = int(value)
    for tag, cls in _STRUCTS:
        assert ctypes.sizeof(cls) == c_layout[(tag, "sizeof")], f"sizeof(struct {tag})"
        for name, _ in cls._fields_:
            assert getattr(cls, name).offset == c_layout[(tag, name)], f"offsetof(struct {tag}, {name})"


def test_key_kinds_match_the_header(header):
    for name in ("CSTR", "UTF8", "INT64", "UINT64", "ARROW"):
        m = re.search(rf"#define MURR_KEYS_{name} (\d+)", header)
        assert m, f"MURR_KEYS_{name} not in murr.h"
        assert getattr(_native, f"KEYS_{name}") == int(m.group(1)), f"MURR_KEYS_{name}"


def _status_codes(header: str) -> dict:
    """MURR_* status name -> code, from the header's defines (the status block only: from
    MURR_OK, codes numbered on without a gap; codes are appended after MURR_UNKNOWN)."""
    start = header.index("#define MURR_OK ")
    codes = {}
    for m in re.finditer(r"#define (MURR_\w+) (\d+)", header[start:]):
        if int(m.group(2)) != len(codes):
            break
        codes[m.group(1)] = int(m.group(2))
    return codes


def test_every_status_code_against_murr_status_name_and_the_exceptions(header):
    codes = _status_codes(header)
    assert codes["MURR_OK"] == 0 and len(codes) >= 17, codes
    for name, code in codes.items():
        assert _native.lib.murr_status_name(code).decode() == name, f"{name} = {code}"
        if code == 0:
            continue
        cls = type(errors.error_for(code, ""))
        if name == "MURR_UNKNOWN":
            assert cls is errors.MurrError
            continue
        # Each exception class is documented as its status: a renumbered or new code shows.
        assert cls is not errors.MurrError, f"{name} ({code}) has no exception class"
        assert cls.__doc__.startswith(f"{name}:"), f"{name} ({code}) maps to {cls.__name__}"
        assert errors.error_for(code, "").code == name
    past = max(codes.values()) + 1
    assert _native.lib.murr_status_name(past).decode() == "MURR_UNKNOWN"
    assert type(errors.error_for(past, "")) is errors.MurrError
