"""Every path taken from a product manifest or an identifier option stays inside its folder,
and a manifest listing a missing file is one ``ERROR:`` line naming the manifest and the file.

Each hand-edited manifest points at a real data file planted outside the collection's folder:
a reader that followed the path would list its product (and succeed)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pcli_env import MAG_A, ProductEnv, labelled

MANIFEST = f"products/collection={MAG_A}/_manifest-{MAG_A}.json"


@pytest.fixture
def registered(local_env: ProductEnv) -> ProductEnv:
    result = local_env.register(MAG_A, local_env.mag("2016-01-01T00:00:00", "2016-01-01T00:59:00"))
    assert result.code == 0, result.err
    return local_env


def _edit_entry(env: ProductEnv, file: str) -> str:
    """Set the manifest's only entry to ``file``; returns the original (real) file name."""
    path = Path(env.root, MANIFEST)
    document = json.loads(path.read_text())
    original: str = document["files"][0]["file"]
    document["files"][0]["file"] = file
    path.write_text(json.dumps(document))
    return original


def _plant_outside(env: ProductEnv, original: str) -> Path:
    """Move the real data file to the catalogue root (outside its folder)."""
    planted = Path(env.root, original)
    shutil.move(Path(env.root, f"products/collection={MAG_A}", original), planted)
    return planted


def _one_error(result: object, *parts: str) -> None:
    code, _out, err = result  # type: ignore[misc]
    assert code == 1, err
    errors = labelled(err, "ERROR")
    assert len(errors) == 1 and len(err.strip().splitlines()) == 1, err
    for part in parts:
        assert part in errors[0], errors[0]


@pytest.mark.parametrize("command", ["list", "export"])
@pytest.mark.parametrize("how", ["relative", "absolute"])
def test_a_manifest_entry_outside_its_folder_is_refused(
    registered: ProductEnv, command: str, how: str
) -> None:
    original = _edit_entry(registered, "")
    planted = _plant_outside(registered, original)
    _edit_entry(registered, f"../../{original}" if how == "relative" else str(planted))

    result = registered("product", command)

    _one_error(result, MANIFEST, "files.0.file", "not a plain file name")
    assert result.out == ""


@pytest.mark.parametrize("name", ["..", ".", "a\\b", "a\x00b", ""])
def test_other_names_that_are_not_a_file_of_the_folder_are_refused(
    registered: ProductEnv, name: str
) -> None:
    _edit_entry(registered, name)

    _one_error(registered("product", "list"), MANIFEST, "files.0.file")


@pytest.mark.parametrize("command", ["list", "export"])
def test_a_manifest_listing_a_missing_file_names_the_manifest_and_the_file(
    registered: ProductEnv, command: str
) -> None:
    original = _edit_entry(registered, "")
    _edit_entry(registered, original)
    Path(registered.root, f"products/collection={MAG_A}", original).unlink()

    _one_error(registered("product", command), MANIFEST, original, "does not exist")


@pytest.mark.parametrize(
    "argv",
    [
        ("product", "list", "-c", f"../product_collections/{MAG_A}"),
        ("product", "export", "-c", "a\\b"),
        ("product_collection", "remove", f"../product_collections/{MAG_A}"),
        ("product_type", "remove", "../planted"),
    ],
)
def test_an_identifier_option_naming_a_path_is_refused(
    registered: ProductEnv, argv: tuple[str, ...]
) -> None:
    """The definition files reached through ``..`` exist (a product type is planted at the
    catalogue root): reading or removing them would succeed."""
    types = Path(registered.root, "product_types")
    stored = json.loads(next(types.glob("*.json")).read_text())
    Path(registered.root, "planted.json").write_text(json.dumps({**stored, "name": "../planted"}))

    _one_error(registered(*argv), "Invalid product", "identifier")
    assert Path(registered.root, "planted.json").exists()
    assert Path(registered.root, f"product_collections/{MAG_A}.json").exists()


def test_register_into_a_collection_named_by_a_path_is_refused(registered: ProductEnv) -> None:
    location = registered.mag("2016-01-02T00:00:00", "2016-01-02T00:59:00")

    result = registered.register(f"../product_collections/{MAG_A}", location)

    _one_error(result, "Invalid product collection identifier")


def test_check_reports_a_manifest_entry_outside_its_folder(registered: ProductEnv) -> None:
    """Before, ``check`` verified the planted file (same checksum) and found nothing."""
    original = _edit_entry(registered, "")
    _plant_outside(registered, original)
    _edit_entry(registered, f"../../{original}")

    result = registered("check")

    assert result.code == 1, result.err
    index_files = [line for line in result.err.splitlines() if "[index-files]" in line]
    assert len(index_files) == 1, result.err
    assert f"{MANIFEST} is malformed: files.0.file" in index_files[0]


def test_sql_refuses_a_manifest_entry_outside_its_folder(registered: ProductEnv) -> None:
    """(A missing file in ``sql`` is still DuckDB's error: translated by the sql code.)"""
    original = _edit_entry(registered, "")
    _plant_outside(registered, original)
    _edit_entry(registered, f"../../{original}")

    result = registered("sql", "SELECT count(*) FROM products")

    _one_error(result, MANIFEST, "files.0.file")
    assert result.out == ""
