"""Readers trust nothing they read: a hand-edited data file or manifest with bad values is one
ERROR line naming the file (and the product) on read, ``check`` reports it, and the repair
works (de-registering the bad product, or restoring the file)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pcli_env import MAG_A, ProductEnv, ident, labelled

from vires_repo.products.manifest import manifest_path

Edit = Callable[[dict[str, Any]], None]


def registered(env: ProductEnv) -> list[str]:
    files = env.hourly("2016-01-01", range(3))
    assert env.register(MAG_A, *files).code == 0
    return [ident(name) for name in files]


def data_file(env: ProductEnv) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """The collection's one JSON-lines data file, its manifest document and entry."""
    manifest = json.loads((Path(env.root) / manifest_path(MAG_A)).read_text())
    [entry] = manifest["files"]
    assert entry["file"].endswith(".jsonl")
    return Path(env.root) / manifest_path(MAG_A).rsplit("/", 1)[0] / entry["file"], manifest, entry


def hand_edit(env: ProductEnv, edit: Edit, *, rehash: bool = True) -> None:
    """Change the second row of the data file; with ``rehash`` the manifest entry records the
    new checksum and size, as a careful hand (or a buggy writer) would leave it."""
    path, manifest, entry = data_file(env)
    lines = path.read_bytes().splitlines()
    row = json.loads(lines[1])
    edit(row)
    lines[1] = json.dumps(row, ensure_ascii=False).encode("utf-8")
    data = b"\n".join(lines) + b"\n"
    path.write_bytes(data)
    if rehash:
        entry["sha256"] = hashlib.sha256(data).hexdigest()
        entry["bytes"] = len(data)
        write_manifest(env, manifest)


def write_manifest(env: ProductEnv, manifest: dict[str, Any]) -> None:
    (Path(env.root) / manifest_path(MAG_A)).write_text(json.dumps(manifest))


def backwards(row: dict[str, Any]) -> None:
    row["end_time"] = "2016-01-01T00:00:00.000000Z"


def no_begin_time(row: dict[str, Any]) -> None:
    row["begin_time"] = None


def control_character(row: dict[str, Any]) -> None:
    row["identifier"] += "\n"  # still between its neighbours, as the manifest's range says


def nested_metadata(row: dict[str, Any]) -> None:
    row["metadata"] = "[" * 40 + "]" * 40


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (backwards, "end time is before begin time"),
        (no_begin_time, "no begin_time"),
        (control_character, "'/' or a control character"),
        (nested_metadata, "metadata nests deeper than 32 levels"),
    ],
    ids=["end-before-begin", "null-time", "identifier", "metadata-depth"],
)
def test_a_bad_row_is_one_error_naming_file_and_product_and_deregistering_it_repairs(
    local_env: ProductEnv, edit: Edit, problem: str
) -> None:
    env = local_env
    first, second, third = registered(env)
    hand_edit(env, edit)
    path, _manifest, _entry = data_file(env)
    bad = second + "\n" if edit is control_character else second

    for command in (("product", "list"), ("product", "export"), ("product", "exists", bad)):
        result = env(*command)
        assert result.code == 1, result.err
        assert "Traceback" not in result.err
        [line] = labelled(result.err, "ERROR")
        assert str(path) in line
        assert f"product {bad!r}" in line
        assert problem in line
    checked = env("check", "--only", "index-files")
    assert checked.code == 1
    assert problem in checked.err and path.name in checked.err

    repaired = env("product", "deregister", bad)
    assert repaired.code == 0, repaired.err
    assert [line.split("/", 1)[1] for line in env.listed()] == [first, third]
    assert env("check", "--only", "index-files").code == 0


def test_a_file_changed_after_it_was_written_is_refused_until_restored(
    local_env: ProductEnv,
) -> None:
    env = local_env
    registered(env)
    path, _manifest, _entry = data_file(env)
    original = path.read_bytes()
    hand_edit(env, backwards, rehash=False)

    result = env("product", "list")
    assert result.code == 1
    [line] = labelled(result.err, "ERROR")
    assert str(path) in line and "checksum differs from its manifest entry" in line
    checked = env("check", "--only", "index-files")
    assert checked.code == 1 and "checksum differs" in checked.err

    path.write_bytes(original)  # the documented fix: restore it (git checkout -- FILE)
    assert len(env.listed()) == 3
    assert env("check", "--only", "index-files").code == 0


def test_a_manifest_with_a_wrong_row_count_is_refused(local_env: ProductEnv) -> None:
    env = local_env
    registered(env)
    path, manifest, entry = data_file(env)
    text = (Path(env.root) / manifest_path(MAG_A)).read_text()
    entry["rows"] = 4
    write_manifest(env, manifest)

    result = env("product", "list")
    assert result.code == 1
    [line] = labelled(result.err, "ERROR")
    assert str(path) in line and "3 rows, its manifest entry says 4" in line
    checked = env("check", "--only", "index-files")
    assert checked.code == 1 and "3 rows" in checked.err

    (Path(env.root) / manifest_path(MAG_A)).write_text(text)  # restored from git
    assert len(env.listed()) == 3


def test_a_bad_row_already_deregistered_is_not_read(local_env: ProductEnv) -> None:
    env = local_env
    first, second, third = registered(env)
    assert env("product", "deregister", second).code == 0
    hand_edit(env, no_begin_time)  # a tombstoned row: no reader returns it
    assert [line.split("/", 1)[1] for line in env.listed()] == [first, third]
    assert env("check", "--only", "index-files").code == 0


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("max_end_time", "2000-01-01T00:00:00Z", "max_end_time is before min_begin_time"),
        ("min_begin_time", None, "files.0.min_begin_time"),
        ("max_identifier", "A", "max_identifier sorts before min_identifier"),
        ("sha256", "not a checksum", "sha256 must be 64 lowercase hexadecimal digits"),
        ("file", "../../definitions/x.json", "is not a plain file name"),
    ],
    ids=["time-range", "null-time", "identifier-range", "checksum", "path"],
)
def test_a_manifest_entry_with_bad_values_is_one_error_naming_the_manifest(
    local_env: ProductEnv, key: str, value: Any, problem: str
) -> None:
    env = local_env
    registered(env)
    _path, manifest, entry = data_file(env)
    text = (Path(env.root) / manifest_path(MAG_A)).read_text()
    entry[key] = value
    write_manifest(env, manifest)

    result = env("product", "list")
    assert result.code == 1
    [line] = labelled(result.err, "ERROR")
    assert manifest_path(MAG_A) in line and problem in line
    checked = env("check", "--only", "index-files")
    assert checked.code == 1 and problem in checked.err

    (Path(env.root) / manifest_path(MAG_A)).write_text(text)  # restored from git
    assert len(env.listed()) == 3
