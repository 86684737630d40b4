"""``vires-repo product_collection import|list|export|remove`` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from definitions_env import age_files, dump, file_states, parse_time

from vires_repo import jsonio
from vires_repo.catalog import Catalog
from vires_repo.io.storage import Storage

NO_SELECTION = (
    "WARNING: No identifier selected and no collection will be removed. "
    "Use the --all option to remove all matched items."
)
FOLDER = "product_collections"


def a_type(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "defaultDataset": "MDR",
        "datasets": {"MDR": {"Timestamp": {"dataType": "timestamp", "primaryTimestamp": True}}},
    }


def a_collection(name: str, product_type: str = "TYPE_A", **changes: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "name": name,
        "productType": product_type,
        "description": f"{name} test collection",
        "mission": "Swarm",
        "spacecraft": "A",
        "nominalSampling": "PT1S",
    }
    definition.update(changes)
    return definition


def defaults(vires_defaults: Path) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(
        (vires_defaults / "product_collections.json").read_text()
    )
    return items


def names(items: list[dict[str, Any]]) -> list[str]:
    return sorted(item["name"] for item in items)


def snapshot(root: str) -> dict[str, tuple[bytes, Any]]:
    return file_states(root, FOLDER)


def stored(root: str, name: str) -> dict[str, Any]:
    return Catalog(root).product_collections.load(name)


@pytest.fixture
def typed(cli: Any, catalog_root: str) -> str:
    """A catalogue holding the product types TYPE_A and TYPE_B."""
    code, _, _ = cli(
        "-C",
        catalog_root,
        "product_type",
        "import",
        stdin=dump([a_type("TYPE_A"), a_type("TYPE_B")]),
    )
    assert code == 0
    return catalog_root


@pytest.fixture
def vires(default_catalog: str) -> str:
    """A catalogue holding the VirES default types and collections (a copy of the session's)."""
    return default_catalog


# -- import ----------------------------------------------------------------------------------


def test_import_default_creates_the_151_vires_collections(
    cli: Any, catalog_root: str, vires_defaults: Path
) -> None:
    cli("-C", catalog_root, "product_type", "import", "--default")

    code, out, err = cli("--catalog", catalog_root, "product_collection", "import", "--default")

    assert code == 0
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == "INFO: Loading default product collections ..."
    assert lines[-1] == "INFO: 151 of 151 product collections created."
    assert not any(line.startswith(("ERROR", "WARNING")) for line in lines)
    assert Catalog(catalog_root).product_collections.ids() == names(defaults(vires_defaults))


def test_collections_need_their_product_types_first(cli: Any, catalog_root: str) -> None:
    code, out, err = cli("-C", catalog_root, "product_collection", "import", "-d")

    assert code == 151
    assert out == ""
    lines = err.splitlines()
    assert (
        "ERROR: Failed to create or update product collection SW_OPER_MAGA_LR_1B! "
        "The product type SW_MAGx_LR_1B does not exist."
    ) in lines
    assert sum(line.startswith("ERROR: ") for line in lines) == 151
    assert lines[-1] == "INFO: 151 of 151 product collections failed."
    assert Catalog(catalog_root).product_collections.ids() == []


def test_repeated_default_import_changes_no_file(cli: Any, vires: str) -> None:
    age_files(vires)
    before = snapshot(vires)

    code, _, err = cli("-C", vires, "product_collection", "import", "-d")

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 151 of 151 product collections unchanged."
    assert snapshot(vires) == before


def test_import_from_a_file(cli: Any, typed: str, tmp_path: Path) -> None:
    source = tmp_path / "collections.json"
    source.write_text(dump([a_collection("COL_B", "TYPE_B"), a_collection("COL_A")]))

    code, out, err = cli("-C", typed, "product_collection", "import", "-f", str(source))

    assert code == 0
    assert out == ""
    assert err.splitlines()[-1] == "INFO: 2 of 2 product collections created."
    assert stored(typed, "COL_B")["productType"] == "TYPE_B"


@pytest.mark.parametrize("argv", [["-f", "-"], []], ids=["-f -", "default"])
def test_import_from_standard_input(cli: Any, typed: str, argv: list[str]) -> None:
    code, _, err = cli(
        "-C", typed, "product_collection", "import", *argv, stdin=dump([a_collection("COL_A")])
    )

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 1 of 1 product collection created."


def test_import_from_an_interactive_terminal_asks_for_input(cli: Any, typed: str) -> None:
    code, _, err = cli("-C", typed, "product_collection", "import", tty=True)

    assert code == 2  # a usage error
    assert err == (
        "ERROR: no input: give --file FILE or pipe the data to standard input, or use --default\n"
    )


def test_an_update_keeps_created_and_changes_updated(cli: Any, typed: str) -> None:
    cli("-C", typed, "product_collection", "import", stdin=dump([a_collection("COL_A")]))
    first = stored(typed, "COL_A")

    changed = a_collection("COL_A", nominalSampling="PT0.5S", grade="FAST")
    code, _, err = cli("-C", typed, "product_collection", "import", stdin=dump([changed]))

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 1 of 1 product collection updated."
    second = stored(typed, "COL_A")
    assert second["created"] == first["created"]
    assert parse_time(second["updated"]) > parse_time(first["updated"])
    assert (second["nominalSampling"], second["grade"]) == ("PT0.5S", "FAST")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"productType": "NO_SUCH_TYPE"},
            "Failed to create or update product collection COL_A! "
            "The product type NO_SUCH_TYPE does not exist.",
        ),
        (
            {"nominalSampling": "1 second"},
            "Failed to create or update product collection COL_A! "
            "nominalSampling: Invalid ISO-8601 duration '1 second'",
        ),
        (
            {"nominalSampling": {"crossover": "-PT20M"}},
            "Failed to create or update product collection COL_A! "
            "nominalSampling.crossover: Duration '-PT20M' must not be negative",
        ),
        (
            {"name": "COL A"},
            "Failed to create or update product collection COL A! "
            "name: String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'",
        ),
        (
            {"mission": None},
            "Failed to create or update product collection COL_A! spacecraft given without mission",
        ),
    ],
    ids=["unknown-type", "sampling", "sampling-per-dataset", "identifier", "no-mission"],
)
def test_an_invalid_collection_fails_and_keeps_the_stored_one(
    cli: Any, typed: str, changes: dict[str, Any], message: str
) -> None:
    cli("-C", typed, "product_collection", "import", stdin=dump([a_collection("COL_A")]))
    age_files(typed)
    before = snapshot(typed)

    code, out, err = cli(
        "-C",
        typed,
        "product_collection",
        "import",
        stdin=dump([{**a_collection("COL_A"), **changes}]),
    )

    assert code == 1
    assert out == ""
    assert err.splitlines() == [f"ERROR: {message}", "INFO: 1 of 1 product collection failed."]
    assert snapshot(typed) == before


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{", "ERROR: <stdin>: invalid JSON: "),
        ("true", "ERROR: <stdin>: expected a JSON list of definitions, got bool"),
    ],
)
def test_an_unreadable_document_changes_nothing(
    cli: Any, vires: str, document: str, message: str
) -> None:
    before = snapshot(vires)

    code, _, err = cli("-C", vires, "product_collection", "import", stdin=document)

    assert code == 1
    assert err.startswith(message)
    assert len(err.splitlines()) == 1
    assert snapshot(vires) == before


def test_the_exit_code_is_capped_at_255(cli: Any, typed: str) -> None:
    items = [a_collection(f"COL_{i}", "NO_SUCH_TYPE") for i in range(300)]

    code, _, err = cli("-C", typed, "product_collection", "import", stdin=dump(items))

    assert code == 255
    assert err.splitlines()[-1] == "INFO: 300 of 300 product collections failed."


# -- selection -------------------------------------------------------------------------------


def _expected(vires_defaults: Path, **wanted: set[str | None]) -> list[str]:
    """Names of the default collections whose keys take one of the wanted values."""
    selected = []
    for item in defaults(vires_defaults):
        values = {key: item.get(key) or None for key in wanted}
        if all(values[key] in options for key, options in wanted.items()):
            selected.append(item["name"])
    return sorted(selected)


@pytest.mark.parametrize(
    ("options", "wanted"),
    [
        (
            ["-t", "SW_MAGx_HR_1B", "-t", "SW_MAGx_LR_1B"],
            {"productType": {"SW_MAGx_HR_1B", "SW_MAGx_LR_1B"}},
        ),
        (["--product-type", "SW_MODx_SC_1B"], {"productType": {"SW_MODx_SC_1B"}}),
        (["-m", "GRACE", "--mission", "CHAMP"], {"mission": {"GRACE", "CHAMP"}}),
        (["-s", "A", "--spacecraft", "1"], {"spacecraft": {"A", "1"}}),
        (["-g", "FAST"], {"grade": {"FAST"}}),
        (["--grade", "FAST"], {"grade": {"FAST"}}),
        (["--class", "FAST"], {"grade": {"FAST"}}),
        (
            ["-m", "Swarm", "-s", "A", "-g", "FAST"],
            {"mission": {"Swarm"}, "spacecraft": {"A"}, "grade": {"FAST"}},
        ),
        (
            ["-m", "Swarm", "-s", "B", "-s", "C", "-t", "SW_EFIx_LP_1B"],
            {"mission": {"Swarm"}, "spacecraft": {"B", "C"}, "productType": {"SW_EFIx_LP_1B"}},
        ),
        (["-m", "GRACE-FO", "-s", "A"], {"mission": {"GRACE-FO"}, "spacecraft": {"A"}}),
    ],
    ids=[
        "two-types",
        "long-type",
        "missions",
        "spacecrafts",
        "-g",
        "--grade",
        "--class",
        "and-across",
        "or-within-and-across",
        "empty",
    ],
)
def test_list_filters(
    cli: Any,
    vires: str,
    vires_defaults: Path,
    options: list[str],
    wanted: dict[str, set[str | None]],
) -> None:
    code, out, err = cli("-C", vires, "product_collection", "list", *options)

    assert code == 0
    assert err == ""
    assert out.splitlines() == _expected(vires_defaults, **wanted)


def test_the_filters_select_what_the_manual_shows(cli: Any, vires: str) -> None:
    _, out, _ = cli(
        "-C", vires, "product_collection", "list", "-t", "SW_MAGx_HR_1B", "-t", "SW_MAGx_LR_1B"
    )

    assert [line for line in out.splitlines() if line.startswith("SW_OPER")] == [
        "SW_OPER_MAGA_HR_1B",
        "SW_OPER_MAGA_LR_1B",
        "SW_OPER_MAGB_HR_1B",
        "SW_OPER_MAGB_LR_1B",
        "SW_OPER_MAGC_HR_1B",
        "SW_OPER_MAGC_LR_1B",
    ]
    _, fast_a, _ = cli(
        "-C", vires, "product_collection", "list", "-m", "Swarm", "-s", "A", "-g", "FAST"
    )
    assert fast_a.splitlines() == [
        "SW_FAST_AEJALPL_2F",
        "SW_FAST_AEJAPBL_2F",
        "SW_FAST_AOBAFAC_2F",
        "SW_FAST_EFIA_LP_1B",
        "SW_FAST_FACATMS_2F",
        "SW_FAST_MAGA_HR_1B",
        "SW_FAST_MAGA_LR_1B",
        "SW_FAST_MODA_SC_1B",
        "SW_FAST_TECATMS_2F",
    ]


def test_list_without_filters_prints_all_sorted(cli: Any, vires: str, vires_defaults: Path) -> None:
    code, out, _ = cli("-C", vires, "product_collection", "list")

    assert code == 0
    assert out.splitlines() == names(defaults(vires_defaults))


def test_identifiers_and_filters_combine(cli: Any, vires: str) -> None:
    code, out, _ = cli(
        "-C",
        vires,
        "product_collection",
        "list",
        "SW_OPER_MAGA_LR_1B",
        "SW_FAST_MAGA_LR_1B",
        "SW_OPER_MAGB_LR_1B",
        "NO_SUCH_COLLECTION",
        "-s",
        "A",
    )

    assert code == 0
    assert out == "SW_FAST_MAGA_LR_1B\nSW_OPER_MAGA_LR_1B\n"


# -- export ----------------------------------------------------------------------------------


def test_export_adds_max_product_duration_after_the_times(cli: Any, typed: str) -> None:
    items = [a_collection("COL_B", "TYPE_B"), a_collection("COL_A", grade="FAST")]
    cli("-C", typed, "product_collection", "import", stdin=dump(items))

    code, out, err = cli("-C", typed, "product_collection", "export")

    assert code == 0
    assert err == ""
    exported = json.loads(out)
    assert [item["name"] for item in exported] == ["COL_A", "COL_B"]
    first = exported[0]
    assert list(first)[:5] == ["name", "productType", "created", "updated", "maxProductDuration"]
    assert first["maxProductDuration"] == "PT0S"
    without_duration = {k: v for k, v in first.items() if k != "maxProductDuration"}
    assert without_duration == stored(typed, "COL_A")
    assert out == jsonio.dumps(exported)


def test_export_with_identifiers_and_filters(cli: Any, vires: str) -> None:
    code, out, _ = cli(
        "-C", vires, "product_collection", "export", "-t", "SW_MAGx_LR_1B", "--class", "FAST"
    )

    assert code == 0
    assert [item["name"] for item in json.loads(out)] == [
        "SW_FAST_MAGA_LR_1B",
        "SW_FAST_MAGB_LR_1B",
        "SW_FAST_MAGC_LR_1B",
    ]
    _, out, _ = cli("-C", vires, "product_collection", "export", "SW_OPER_MAGC_HR_1B", "GFZ_KP")
    assert [item["name"] for item in json.loads(out)] == ["GFZ_KP", "SW_OPER_MAGC_HR_1B"]


def test_export_to_a_file(cli: Any, typed: str, tmp_path: Path) -> None:
    cli("-C", typed, "product_collection", "import", stdin=dump([a_collection("COL_A")]))
    target = tmp_path / "out.json"

    code, out, err = cli("-C", typed, "product_collection", "export", "-f", str(target))

    assert (code, out, err) == (0, "", "")
    assert [item["name"] for item in json.loads(target.read_text())] == ["COL_A"]


# -- remove ----------------------------------------------------------------------------------


def test_remove_named_collections(cli: Any, vires: str) -> None:
    code, out, err = cli(
        "-C", vires, "product_collection", "remove", "SW_OPER_MAGA_HR_1B", "SW_OPER_MAGC_HR_1B"
    )

    assert code == 0
    assert out == ""
    assert err.splitlines()[-1] == "INFO: 2 of 2 matched product collections removed."
    remaining = Catalog(vires).product_collections.ids()
    assert len(remaining) == 149
    assert "SW_OPER_MAGA_HR_1B" not in remaining
    assert "SW_OPER_MAGB_HR_1B" in remaining


def test_remove_without_identifiers_or_all_removes_nothing(cli: Any, vires: str) -> None:
    before = snapshot(vires)

    code, out, err = cli("-C", vires, "product_collection", "remove", "-t", "SW_MAGx_HR_1B")

    assert code == 0
    assert out == ""
    assert err.splitlines() == [NO_SELECTION, "INFO: 0 of 0 matched product collection removed."]
    assert snapshot(vires) == before


def test_remove_all_with_filters_removes_only_the_matches(
    cli: Any, vires: str, vires_defaults: Path
) -> None:
    code, _, err = cli(
        "-C",
        vires,
        "product_collection",
        "remove",
        "-t",
        "SW_MAGx_HR_1B",
        "-t",
        "SW_MAGx_LR_1B",
        "--all",
    )

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 12 of 12 matched product collections removed."
    gone = set(_expected(vires_defaults, productType={"SW_MAGx_HR_1B", "SW_MAGx_LR_1B"}))
    remaining = Catalog(vires).product_collections.ids()
    assert set(remaining) == set(names(defaults(vires_defaults))) - gone


@pytest.mark.parametrize("option", ["--all", "-a"])
def test_remove_all(cli: Any, vires: str, option: str) -> None:
    code, _, err = cli("-C", vires, "product_collection", "remove", option)

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 151 of 151 matched product collections removed."
    assert Catalog(vires).product_collections.ids() == []
    # With the collections gone, every type can go.
    code, _, err = cli("-C", vires, "product_type", "remove", "--all")
    assert code == 0
    assert err.splitlines()[-1] == "INFO: 52 of 52 matched product types removed."


def test_remove_of_an_unknown_collection_warns(cli: Any, vires: str) -> None:
    code, _, err = cli("-C", vires, "product_collection", "remove", "NOPE")

    assert code == 0
    assert err.splitlines() == [
        "WARNING: product collection NOPE does not exist",
        "INFO: 0 of 0 matched product collection removed.",
    ]
    assert len(Catalog(vires).product_collections.ids()) == 151


@pytest.mark.parametrize("command", [["list"], ["export"], ["remove", "--all"]], ids=" ".join)
def test_commands_on_a_missing_catalogue_fail_in_one_line(
    cli: Any, tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "nowhere"

    code, out, err = cli("-C", str(missing), "product_collection", *command)

    assert code == 1
    assert out == ""
    assert err.startswith(f"ERROR: catalogue {missing} does not exist")
    assert len(err.splitlines()) == 1


# -- round trips on the real VirES definitions -----------------------------------------------


def test_the_real_vires_file_imports_unchanged(
    cli: Any, catalog_root: str, vires_defaults: Path
) -> None:
    cli(
        "-C",
        catalog_root,
        "product_type",
        "import",
        "-f",
        str(vires_defaults / "product_types.json"),
    )
    source = vires_defaults / "product_collections.json"

    code, _, err = cli("-C", catalog_root, "product_collection", "import", "-f", str(source))

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 151 of 151 product collections created."
    for item in defaults(vires_defaults):
        kept = stored(catalog_root, item["name"])
        del kept["created"], kept["updated"]
        assert kept == item
    for relpath, (data, _) in snapshot(catalog_root).items():
        assert data == jsonio.dumps(jsonio.loads(data)).encode(), relpath


def test_export_import_export_round_trip(cli: Any, vires: str, tmp_path: Path) -> None:
    _, types, _ = cli("-C", vires, "product_type", "export")
    _, first, _ = cli("-C", vires, "product_collection", "export")
    fresh = str(tmp_path / "fresh")

    cli("-C", fresh, "product_type", "import", stdin=types)
    code, _, err = cli("-C", fresh, "product_collection", "import", stdin=first)
    _, second, _ = cli("-C", fresh, "product_collection", "export")

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 151 of 151 product collections created."

    def without_times(text: str) -> list[dict[str, Any]]:
        items = json.loads(text)
        for item in items:
            del item["created"], item["updated"]
        return items

    assert without_times(second) == without_times(first)
    assert [list(i) for i in json.loads(second)] == [list(i) for i in json.loads(first)]
    # Importing an export into the catalogue it came from changes nothing.
    code, _, err = cli("-C", vires, "product_collection", "import", stdin=first)
    assert err.splitlines()[-1] == "INFO: 151 of 151 product collections unchanged."


def test_a_created_key_in_the_input_is_ignored(cli: Any, typed: str) -> None:
    """Bug 6 fixed: ``created`` (and the computed maxProductDuration) are not stored."""
    item = {
        **a_collection("COL_A"),
        "created": "2000-01-01T00:00:00Z",
        "updated": "2000-01-02T00:00:00Z",
        "maxProductDuration": "P1D",
    }

    cli("-C", typed, "product_collection", "import", stdin=dump([item]))

    kept = stored(typed, "COL_A")
    assert kept["created"] == kept["updated"] != "2000-01-01T00:00:00Z"
    assert "maxProductDuration" not in kept


def test_the_kebab_case_alias(cli: Any, typed: str) -> None:
    cli("-C", typed, "product-collection", "import", stdin=dump([a_collection("COL_A")]))

    assert cli("-C", typed, "product-collection", "list") == (0, "COL_A\n", "")


# -- collections holding products ------------------------------------------------------------


@pytest.fixture
def with_products(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Pretend the product index holds products: collection -> count."""
    counts: dict[str, int] = {}

    def product_count(catalog: Catalog, collection_id: str) -> int:
        return counts.get(collection_id, 0)

    monkeypatch.setattr("vires_repo.services.product_collection.product_count", product_count)
    return counts


def test_a_collection_holding_products_is_not_removed(
    cli: Any, vires: str, with_products: dict[str, int]
) -> None:
    with_products["SW_OPER_MAGA_LR_1B"] = 3
    before = snapshot(vires)

    code, out, err = cli(
        "-C", vires, "product_collection", "remove", "SW_OPER_MAGA_LR_1B", "SW_OPER_MAGB_LR_1B"
    )

    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "ERROR: Failed to remove product collection SW_OPER_MAGA_LR_1B! "
        "The collection still contains 3 registered product(s).",
        "INFO: 1 of 2 matched product collection removed.",
        "INFO: 1 of 2 matched product collection failed to be removed.",
    ]
    after = snapshot(vires)
    assert (
        after["product_collections/SW_OPER_MAGA_LR_1B.json"]
        == (before["product_collections/SW_OPER_MAGA_LR_1B.json"])
    )
    assert "product_collections/SW_OPER_MAGB_LR_1B.json" not in after


def test_the_removal_exit_code_is_capped_at_255(
    cli: Any, typed: str, with_products: dict[str, int]
) -> None:
    items = [a_collection(f"COL_{i:03d}") for i in range(300)]
    cli("-C", typed, "product_collection", "import", stdin=dump(items))
    with_products.update({item["name"]: 1 for item in items})

    code, _, err = cli("-C", typed, "product_collection", "remove", "--all")

    assert code == 255
    assert err.count("ERROR: Failed to remove product collection COL_") == 300
    assert err.splitlines()[-1] == (
        "INFO: 300 of 300 matched product collections failed to be removed."
    )
    assert len(Catalog(typed).product_collections.ids()) == 300


def test_a_collection_with_an_unreadable_index_is_kept(cli: Any, vires: str) -> None:
    from vires_repo.products.manifest import manifest_path

    manifest = manifest_path("SW_OPER_MAGA_LR_1B")
    Storage(vires).write_bytes(manifest, b"not json")

    code, _, err = cli(
        "-C", vires, "product_collection", "remove", "SW_OPER_MAGA_LR_1B", "SW_OPER_MAGB_LR_1B"
    )

    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith("ERROR: Failed to remove product collection SW_OPER_MAGA_LR_1B! ")
    assert lines[1:] == [
        "INFO: 1 of 2 matched product collection removed.",
        "INFO: 1 of 2 matched product collection failed to be removed.",
    ]
    assert Catalog(vires).product_collections.exists("SW_OPER_MAGA_LR_1B")
    assert not Catalog(vires).product_collections.exists("SW_OPER_MAGB_LR_1B")
