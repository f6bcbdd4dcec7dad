"""Murr's Python API on libmurr: `LocalMurr`, and the built-in exceptions Murr's client
raises (`FileNotFoundError` for an unknown table, `ValueError` for a clashing table)."""

import errno

import pyarrow as pa
import pytest

import libmurr
from libmurr import ColumnSchema, DType, LocalMurr, Murr, TableSchema
from conftest import users_batch, users_schema


@pytest.fixture
def local(tmp_path):
    with LocalMurr(cache_dir=str(tmp_path / "cache"), sync="never") as db:
        yield db


def test_local_murr_roundtrip(local):
    local.create_table("users", users_schema())
    local.write("users", users_batch())
    got = local.read("users", ["c", "a"], ["score"])
    assert got.column("score").to_pylist() == [3.0, 1.0]
    assert local.list_tables()["users"] == users_schema()
    assert local.get_schema("users") == users_schema()


def test_local_murr_is_a_murr(tmp_path):
    db = LocalMurr(tmp_path / "db")
    assert isinstance(db, Murr) and db.path == str(tmp_path / "db")
    db.close()
    started = Murr.start_local(cache_dir=tmp_path / "db2")
    assert isinstance(started, LocalMurr)
    started.close()
    opened = LocalMurr.open(tmp_path / "db3")
    assert isinstance(opened, LocalMurr)
    opened.close()


def test_local_murr_without_cache_dir_uses_a_new_directory():
    with LocalMurr() as a, LocalMurr() as b:
        assert a.path != b.path


def test_local_murr_persists_across_instances(tmp_path):
    first = LocalMurr(cache_dir=str(tmp_path))
    first.create_table("t", users_schema())
    first.write("t", users_batch())
    del first  # Murr's client is closed by dropping it
    second = LocalMurr(cache_dir=str(tmp_path))
    assert second.read("t", ["c"], ["score"]).column("score").to_pylist() == [3.0]
    second.close()


@pytest.mark.parametrize(
    "call",
    [
        lambda db: db.read("nope", ["a"], ["x"]),
        lambda db: db.get_schema("nope"),
        lambda db: db.write("nope", users_batch()),
        lambda db: db.read_tensor("nope", ["a"], ["x"]),
        lambda db: db.drop_table("nope"),
    ],
)
def test_unknown_table_is_file_not_found(local, call):
    with pytest.raises(FileNotFoundError) as e:
        call(local)
    assert isinstance(e.value, libmurr.UnknownTableError)
    assert isinstance(e.value, libmurr.MurrError) and isinstance(e.value, LookupError)
    assert e.value.errno == errno.ENOENT
    assert "nope" in str(e.value)


def test_table_exists_with_another_schema_is_value_error(local):
    local.create_table("t", users_schema())
    local.create_table("t", users_schema())  # the same schema again: nothing happens
    other = TableSchema("id", {"id": ColumnSchema(DType.UTF8, nullable=False)})
    with pytest.raises(ValueError) as e:
        local.create_table("t", other)
    assert isinstance(e.value, libmurr.TableExistsError)
    assert isinstance(e.value, libmurr.MurrError)
    assert "'t'" in str(e.value) or "t" in e.value.message


def test_other_errors_are_not_file_not_found(local):
    local.create_table("users", users_schema())
    with pytest.raises(libmurr.UnknownColumnError) as e:
        local.read("users", ["a"], ["nope"])
    assert not isinstance(e.value, FileNotFoundError)
    with pytest.raises(libmurr.InvalidArgumentError):
        local.write("users", pa.table({"id": ["a"], "age": ["old"]}))
