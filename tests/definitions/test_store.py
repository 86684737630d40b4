"""One JSON file per definition: layout, canonical bytes, created/updated, errors naming files."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vires_repo import jsonio
from vires_repo.catalog import Catalog
from vires_repo.definitions import load_defaults
from vires_repo.definitions.store import (
    PRODUCT_COLLECTIONS,
    PRODUCT_TYPES,
    DefinitionStore,
    validate_definition,
)
from vires_repo.errors import DefinitionError, NotFoundError

T1 = datetime(2024, 1, 1, 10, 0, 0, tzinfo=UTC)
T2 = datetime(2024, 1, 2, 11, 30, 0, 123456, tzinfo=UTC)


def a_type(name: str = "SW_TEST_1B", **changes: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "name": name,
        "description": "test type",
        "defaultDataset": "MDR",
        "datasets": {"MDR": {"Timestamp": {"dataType": "timestamp", "primaryTimestamp": True}}},
    }
    definition.update(changes)
    return validate_definition(PRODUCT_TYPES, definition)


def a_collection(name: str = "SW_OPER_TESTA_1B", **changes: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "description": "collection first, name later",
        "name": name,
        "mission": "Swarm",
        "productType": "SW_TEST_1B",
    }
    definition.update(changes)
    return validate_definition(PRODUCT_COLLECTIONS, definition)


@pytest.fixture
def types(catalog: Catalog) -> DefinitionStore:
    return catalog.product_types


@pytest.fixture
def collections(catalog: Catalog) -> DefinitionStore:
    return catalog.product_collections


# -- validate_definition ---------------------------------------------------------------------


def test_times_and_computed_keys_of_the_input_are_ignored() -> None:
    """Bug 6 of VirES fixed: a ``created`` key in the input is not stored."""
    item = {
        "name": "X",
        "created": "2000-01-01T00:00:00Z",
        "updated": "2000-01-02T00:00:00Z",
        "removed": "2000-01-03T00:00:00Z",
        "datasets": {"D": {"t": {"dataType": "timestamp", "primaryTimestamp": True}}},
    }

    assert validate_definition(PRODUCT_TYPES, item) == {"name": "X", "datasets": item["datasets"]}
    collection = {"name": "C", "productType": "X", "maxProductDuration": "P1D", "created": "x"}
    assert validate_definition(PRODUCT_COLLECTIONS, collection) == {"name": "C", "productType": "X"}


def test_leading_keys_come_first_and_the_rest_keeps_its_order() -> None:
    item = {"zeta": 1, "productType": "T", "alpha": 2, "name": "C"}

    assert list(validate_definition(PRODUCT_COLLECTIONS, item)) == [
        "name",
        "productType",
        "zeta",
        "alpha",
    ]


# -- saving ----------------------------------------------------------------------------------


def test_a_new_definition_is_created_with_times_after_the_leading_keys(
    types: DefinitionStore,
) -> None:
    assert types.save(a_type(), T1) == "created"

    stored = types.load("SW_TEST_1B")
    assert list(stored) == [
        "name",
        "created",
        "updated",
        "description",
        "defaultDataset",
        "datasets",
    ]
    assert stored["created"] == stored["updated"] == "2024-01-01T10:00:00Z"
    assert types.ids() == ["SW_TEST_1B"]


def test_a_collection_file_starts_with_name_product_type_and_times(
    collections: DefinitionStore,
) -> None:
    collections.save(a_collection(), T1)

    assert list(collections.load("SW_OPER_TESTA_1B")) == [
        "name",
        "productType",
        "created",
        "updated",
        "description",
        "mission",
    ]


def test_the_file_is_canonical_json_at_the_documented_path(
    catalog: Catalog, types: DefinitionStore
) -> None:
    types.save(a_type(), T1)

    data = catalog.storage.read_bytes("product_types/SW_TEST_1B.json")
    assert data == jsonio.dumps(jsonio.loads(data)).encode()
    assert data.endswith(b"}\n")
    assert data.startswith(b'{\n  "name": "SW_TEST_1B",\n  "created": "2024-01-01T10:00:00Z",\n')


def test_saving_an_identical_definition_writes_nothing(
    catalog: Catalog, types: DefinitionStore
) -> None:
    types.save(a_type(), T1)
    before = catalog.storage.read_bytes("product_types/SW_TEST_1B.json")

    assert types.save(a_type(), T2) == "unchanged"
    assert catalog.storage.read_bytes("product_types/SW_TEST_1B.json") == before


def test_saving_an_identical_definition_keeps_the_local_mtime(tmp_path: Path) -> None:
    types = Catalog(tmp_path / "cat").product_types
    types.save(a_type(), T1)
    path = tmp_path / "cat/product_types/SW_TEST_1B.json"
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))

    types.save(a_type(), T2)

    assert path.stat().st_mtime_ns == 1_000_000_000


def test_a_change_keeps_created_and_bumps_updated(types: DefinitionStore) -> None:
    types.save(a_type(), T1)

    assert types.save(a_type(description="changed"), T2) == "updated"

    stored = types.load("SW_TEST_1B")
    assert stored["created"] == "2024-01-01T10:00:00Z"
    assert stored["updated"] == "2024-01-02T11:30:00.123456Z"
    assert stored["description"] == "changed"


def test_an_update_replaces_the_whole_definition(types: DefinitionStore) -> None:
    types.save(a_type(citation="cite me"), T1)
    types.save(a_type(), T2)

    assert "citation" not in types.load("SW_TEST_1B")


def test_a_reordered_definition_is_a_change(types: DefinitionStore) -> None:
    definition = a_type()
    types.save(definition, T1)
    reordered = {"name": definition["name"], **{k: definition[k] for k in reversed(definition)}}

    assert types.save(reordered, T2) == "updated"


# -- reading ---------------------------------------------------------------------------------


def test_ids_are_sorted_and_only_json_files_count(catalog: Catalog, types: DefinitionStore) -> None:
    for name in ("b_type", "A_type", "a_type"):
        types.save(a_type(name), T1)
    catalog.storage.write_bytes("product_types/README.md", b"notes")
    catalog.storage.write_bytes("product_types/.tmp-abc.part", b"half")
    catalog.storage.write_bytes("product_types/sub/x.json", b"{}")

    assert types.ids() == ["A_type", "a_type", "b_type"]


def test_a_missing_folder_has_no_ids(types: DefinitionStore) -> None:
    assert types.ids() == []


def test_loading_a_missing_definition_names_it(types: DefinitionStore) -> None:
    with pytest.raises(NotFoundError, match=r"^product type NOPE does not exist$"):
        types.load("NOPE")


def test_a_file_with_bad_json_is_reported_with_its_path(
    catalog: Catalog, types: DefinitionStore
) -> None:
    catalog.storage.write_bytes("product_types/BROKEN.json", b'{"name": "BROKEN",')

    with pytest.raises(DefinitionError, match=r"^product_types/BROKEN\.json: invalid JSON: "):
        types.load("BROKEN")


def test_an_invalid_stored_definition_is_reported_with_its_path(
    catalog: Catalog, collections: DefinitionStore
) -> None:
    catalog.storage.write_bytes(
        "product_collections/C.json", b'{"name": "C", "productType": "T", "spacecraft": "A"}'
    )

    with pytest.raises(
        DefinitionError, match=r"^product_collections/C\.json: spacecraft given without mission$"
    ):
        collections.load("C")


def test_a_file_whose_name_differs_from_its_identifier_is_rejected(
    catalog: Catalog, types: DefinitionStore
) -> None:
    types.save(a_type("REAL"), T1)
    catalog.storage.write_bytes(
        "product_types/ALIAS.json", catalog.storage.read_bytes("product_types/REAL.json")
    )

    with pytest.raises(
        DefinitionError,
        match=r"^product_types/ALIAS\.json: name 'REAL' does not match the file name$",
    ):
        types.load("ALIAS")


def test_load_all_is_sorted_and_restricts_to_existing_identifiers(
    types: DefinitionStore,
) -> None:
    for name in ("C", "A", "B"):
        types.save(a_type(name), T1)

    assert [d["name"] for d in types.load_all()] == ["A", "B", "C"]
    assert [d["name"] for d in types.load_all(["C", "A", "ZZZ"])] == ["A", "C"]
    assert types.load_all([]) == []


def test_remove_deletes_the_file(catalog: Catalog, types: DefinitionStore) -> None:
    types.save(a_type("A"), T1)
    types.save(a_type("B"), T1)

    types.remove("A")

    assert types.ids() == ["B"]
    assert not catalog.storage.exists("product_types/A.json")
    assert not types.exists("A")
    assert types.exists("B")


# -- the real VirES defaults -----------------------------------------------------------------


def test_the_vires_defaults_are_stored_unchanged_and_canonical(catalog: Catalog) -> None:
    for store, name in (
        (catalog.product_types, "product_types"),
        (catalog.product_collections, "product_collections"),
    ):
        items = load_defaults(name)
        for item in items:
            assert store.save(validate_definition(store.kind, item), T1) == "created"
        for item in items:
            stored = store.load(item["name"])
            without_times = {k: v for k, v in stored.items() if k not in ("created", "updated")}
            assert without_times == item
            assert list(without_times) == list(validate_definition(store.kind, item))
            data = catalog.storage.read_bytes(store.relpath(item["name"]))
            assert data == jsonio.dumps(jsonio.loads(data)).encode()
        assert len(store.ids()) == len(items)
