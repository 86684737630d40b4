"""Hostile definitions through ``product_type import`` and ``product_collection import``:
identifiers the file system cannot hold and JSON nested beyond any use are refused by the
model with one ``ERROR:`` line each, and the rest of the batch is imported (issue 11)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from definitions_env import dump

from vires_repo.catalog import Catalog
from vires_repo.definitions.models import MAX_IDENTIFIER_LENGTH
from vires_repo.definitions.store import MAX_DEFINITION_DEPTH


def a_type(name: str, **changes: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "name": name,
        "datasets": {
            "MDR": {
                "Timestamp": {"dataType": "timestamp", "primaryTimestamp": True},
                "F": {"dataType": "float64", "attributes": {"UNITS": "nT"}},
            }
        },
    }
    definition.update(changes)
    return definition


def nested(depth: int) -> Any:
    """A JSON value of that many levels of lists (built without recursion)."""
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def deeply_nested_text(depth: int) -> str:
    return "[" * depth + "]" * depth


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("ERROR")]


def run(cli: Any, root: str, kind: str, text: str) -> Any:
    return cli("-C", root, kind, "import", stdin=text)


def test_a_type_name_too_long_for_a_file_name_is_refused_by_the_model(
    cli: Any, catalog_root: str
) -> None:
    too_long = "T" * (MAX_IDENTIFIER_LENGTH + 1)
    longest = "L" * MAX_IDENTIFIER_LENGTH
    for name in ("T" * 300, too_long):
        items = [a_type("TYPE_A"), a_type(name), a_type(longest), a_type("TYPE_B")]
        code, _, err = run(cli, catalog_root, "product_type", dump(items))

        assert "Traceback" not in err
        assert code == 1
        [error] = errors(err)
        assert error.startswith(f"ERROR: Failed to create or update product type {name}! name:")
        assert f"at most {MAX_IDENTIFIER_LENGTH} characters" in error
        assert ".tmp" not in error
        assert sorted(Catalog(catalog_root).product_types.ids()) == [longest, "TYPE_A", "TYPE_B"]


@pytest.mark.usefixtures("default_catalog")
def test_the_longest_collection_name_holds_its_product_files(cli: Any, catalog_root: str) -> None:
    """The bound is what the longest derived file name (a Parquet data file) allows."""
    longest = "C" * MAX_IDENTIFIER_LENGTH
    collections = [
        {"name": longest, "productType": "SW_MAGx_LR_1B"},
        {"name": longest + "X", "productType": "SW_MAGx_LR_1B"},
    ]
    code, _, err = run(cli, catalog_root, "product_collection", dump(collections))
    assert code == 1
    [error] = errors(err)
    assert f"at most {MAX_IDENTIFIER_LENGTH} characters" in error

    records = [
        {
            "identifier": f"P{n:04d}",
            "collection": longest,
            "beginTime": f"2016-01-01T00:{n // 60:02d}:{n % 60:02d}Z",
            "endTime": f"2016-01-01T00:{n // 60:02d}:{n % 60:02d}Z",
            "datasets": {"MDR_MAG_LR": {"location": f"/data/P{n:04d}.cdf"}},
        }
        for n in range(1200)  # past the JSON-lines batch size: a Parquet data file
    ]
    code, _, err = cli("-C", catalog_root, "product", "import", stdin=json.dumps(records))
    assert code == 0, err
    code, out, _ = cli("-C", catalog_root, "product", "list", "-c", longest)
    assert code == 0
    assert len(out.splitlines()) == 1200


@pytest.mark.parametrize("kind", ["product_type", "product_collection"])
def test_a_document_nested_beyond_the_parser_is_one_error_line(
    cli: Any, catalog_root: str, kind: str
) -> None:
    text = dump([a_type("TYPE_A")])[:-1] + ", " + deeply_nested_text(100_000) + "]"
    code, _, err = run(cli, catalog_root, kind, text)

    assert "Traceback" not in err
    assert code == 1
    assert err.splitlines() == ["ERROR: <stdin>: invalid JSON: nested too deeply"]


def test_a_definition_nested_beyond_the_bound_fails_alone(cli: Any, catalog_root: str) -> None:
    deep = a_type("TYPE_DEEP", extra=nested(MAX_DEFINITION_DEPTH))
    deepest_allowed = a_type("TYPE_OK", extra=nested(MAX_DEFINITION_DEPTH - 1))
    # 900 levels: parsed, but beyond what validation and the JSON writer can recurse into
    very_deep = a_type("TYPE_VERY_DEEP", extra=nested(900))
    items = [deep, deepest_allowed, very_deep, a_type("TYPE_B")]
    code, _, err = run(cli, catalog_root, "product_type", dump(items))

    assert "Traceback" not in err
    assert code == 2
    assert errors(err) == [
        f"ERROR: Failed to create or update product type {name}! "
        f"the definition nests deeper than {MAX_DEFINITION_DEPTH} levels"
        for name in ("TYPE_DEEP", "TYPE_VERY_DEEP")
    ]
    assert Catalog(catalog_root).product_types.ids() == ["TYPE_B", "TYPE_OK"]


def test_a_stored_definition_nested_too_deeply_is_reported_with_its_path(
    cli: Any, catalog_root: str
) -> None:
    assert run(cli, catalog_root, "product_type", dump([a_type("TYPE_A")])).code == 0
    catalog = Catalog(catalog_root)
    catalog.storage.write_bytes(
        "product_types/TYPE_A.json",
        ('{"name": "TYPE_A", "x": ' + deeply_nested_text(100_000) + "}").encode(),
    )
    code, _, err = cli("-C", catalog_root, "product_type", "export")

    assert "Traceback" not in err
    assert code == 1
    [error] = errors(err)
    assert error.startswith("ERROR: product_types/TYPE_A.json: nests deeper than")
