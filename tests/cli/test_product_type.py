"""``vires-repo product_type import|list|export|remove`` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from definitions_env import age_files, dump, file_states, parse_time

from vires_repo import jsonio
from vires_repo.catalog import Catalog
from vires_repo.io.storage import Storage

NO_INPUT = "ERROR: no input: give --file FILE or pipe the data to standard input, or use --default"
NO_SELECTION = (
    "WARNING: No identifier selected and no type will be removed. "
    "Use the --all option to remove all matched items."
)


def a_type(name: str, **changes: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "name": name,
        "description": f"{name} test type",
        "fileType": "CDF-generic",
        "defaultDataset": "MDR",
        "datasets": {
            "MDR": {
                "Timestamp": {"dataType": "timestamp", "primaryTimestamp": True},
                "F": {"dataType": "float64", "attributes": {"UNITS": "nT"}},
            }
        },
    }
    definition.update(changes)
    return definition


def a_collection(name: str, product_type: str) -> dict[str, Any]:
    return {"name": name, "productType": product_type, "mission": "Swarm", "spacecraft": "A"}


def default_type_names(vires_defaults: Path) -> list[str]:
    return sorted(
        t["name"] for t in json.loads((vires_defaults / "product_types.json").read_text())
    )


def snapshot(root: str) -> dict[str, tuple[bytes, Any]]:
    return file_states(root, "product_types")


def stored(root: str, name: str) -> dict[str, Any]:
    return Catalog(root).product_types.load(name)


# -- import ----------------------------------------------------------------------------------


def test_import_default_creates_the_52_vires_types(
    cli: Any, catalog_root: str, vires_defaults: Path
) -> None:
    code, out, err = cli("--catalog", catalog_root, "product_type", "import", "--default")

    assert code == 0
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == "INFO: Loading default product types ..."
    assert lines[-1] == "INFO: 52 of 52 product types created."
    assert not any(line.startswith(("ERROR", "WARNING")) for line in lines)
    assert Catalog(catalog_root).product_types.ids() == default_type_names(vires_defaults)


def test_import_d_is_the_short_form(cli: Any, catalog_root: str) -> None:
    code, _, err = cli("-C", catalog_root, "product_type", "import", "-d")

    assert code == 0
    assert "INFO: 52 of 52 product types created." in err.splitlines()


@pytest.mark.usefixtures("default_catalog")
def test_repeated_default_import_changes_no_file(cli: Any, catalog_root: str) -> None:
    age_files(catalog_root)
    before = snapshot(catalog_root)

    code, out, err = cli("-C", catalog_root, "product_type", "import", "-d")

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 52 of 52 product types unchanged."
    assert "created." not in err
    assert snapshot(catalog_root) == before


def test_import_from_a_file(cli: Any, catalog_root: str, tmp_path: Path) -> None:
    source = tmp_path / "types.json"
    source.write_text(dump([a_type("TYPE_B"), a_type("TYPE_A")]))

    code, out, err = cli("-C", catalog_root, "product_type", "import", "-f", str(source))

    assert code == 0
    assert out == ""
    assert err.splitlines()[-1] == "INFO: 2 of 2 product types created."
    assert Catalog(catalog_root).product_types.ids() == ["TYPE_A", "TYPE_B"]


def test_import_long_option_from_a_memory_url(cli: Any, catalog_root: str) -> None:
    Storage("memory://inputs").write_text("types.json", dump([a_type("TYPE_A")]))

    code, _, err = cli(
        "-C", catalog_root, "product_type", "import", "--file", "memory://inputs/types.json"
    )

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 1 of 1 product type created."


@pytest.mark.parametrize("argv", [["-f", "-"], ["--file", "-"], []], ids=["-f -", "--file -", ""])
def test_import_from_standard_input(cli: Any, catalog_root: str, argv: list[str]) -> None:
    code, _, err = cli(
        "-C", catalog_root, "product_type", "import", *argv, stdin=dump([a_type("TYPE_A")])
    )

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 1 of 1 product type created."
    assert stored(catalog_root, "TYPE_A")["description"] == "TYPE_A test type"


def test_import_from_an_interactive_terminal_asks_for_input(cli: Any, catalog_root: str) -> None:
    code, out, err = cli("-C", catalog_root, "product_type", "import", tty=True)

    assert code == 2  # a usage error
    assert out == ""
    assert err == NO_INPUT + "\n"


def test_import_of_a_missing_file(cli: Any, catalog_root: str, tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"

    code, _, err = cli("-C", catalog_root, "product_type", "import", "-f", str(missing))

    assert code == 1
    assert err == f"ERROR: input file {missing} does not exist\n"


def test_import_of_a_folder(cli: Any, catalog_root: str, tmp_path: Path) -> None:
    code, _, err = cli("-C", catalog_root, "product_type", "import", "-f", str(tmp_path))

    assert code == 1
    assert err == f"ERROR: input file {tmp_path} is a directory\n"


def test_a_single_object_imports_as_a_list_of_one(cli: Any, catalog_root: str) -> None:
    code, _, err = cli("-C", catalog_root, "product_type", "import", stdin=dump(a_type("T")))

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 1 of 1 product type created."


def test_an_empty_list_creates_nothing(cli: Any, catalog_root: str) -> None:
    code, _, err = cli("-C", catalog_root, "product_type", "import", stdin="[]")

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 0 of 0 product type created."


def test_an_update_keeps_created_and_changes_updated(cli: Any, catalog_root: str) -> None:
    cli("-C", catalog_root, "product_type", "import", stdin=dump([a_type("T")]))
    first = stored(catalog_root, "T")

    code, _, err = cli(
        "-C", catalog_root, "product_type", "import", stdin=dump([a_type("T", description="new")])
    )

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 1 of 1 product type updated."
    second = stored(catalog_root, "T")
    assert second["created"] == first["created"]
    assert parse_time(second["updated"]) > parse_time(first["updated"])
    assert second["description"] == "new"


def test_a_mixed_batch_reports_every_outcome(cli: Any, catalog_root: str) -> None:
    cli("-C", catalog_root, "product_type", "import", stdin=dump([a_type("SAME"), a_type("CHG")]))
    items = [
        a_type("NEW"),
        a_type("SAME"),
        a_type("CHG", description="changed"),
        a_type("BAD", defaultDataset="NOPE"),
    ]

    code, out, err = cli("-C", catalog_root, "product_type", "import", stdin=dump(items))

    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "ERROR: Failed to create or update product type BAD! "
        "defaultDataset 'NOPE' is not a declared dataset",
        "INFO: 1 of 4 product type created.",
        "INFO: 1 of 4 product type updated.",
        "INFO: 1 of 4 product type unchanged.",
        "INFO: 1 of 4 product type failed.",
    ]
    assert Catalog(catalog_root).product_types.ids() == ["CHG", "NEW", "SAME"]


# -- bad input: one ERROR line, nothing in the catalogue lost or half-written ------------------


@pytest.fixture
def populated(cli: Any, catalog_root: str) -> dict[str, tuple[bytes, Any]]:
    """A catalogue with types A and B; returns its snapshot."""
    code, _, _ = cli(
        "-C", catalog_root, "product_type", "import", stdin=dump([a_type("A"), a_type("B")])
    )
    assert code == 0
    age_files(catalog_root)
    return snapshot(catalog_root)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('[{"name": "A",', "ERROR: <stdin>: invalid JSON: Expecting property name enclosed in"),
        ("", "ERROR: <stdin>: invalid JSON: Expecting value: line 1 column 1 (char 0)"),
        ("42", "ERROR: <stdin>: expected a JSON list of definitions, got int"),
        ('"A"', "ERROR: <stdin>: expected a JSON list of definitions, got str"),
        ("null", "ERROR: <stdin>: expected a JSON list of definitions, got NoneType"),
    ],
    ids=["truncated", "empty", "number", "string", "null"],
)
def test_an_unreadable_document_is_one_error_and_changes_nothing(
    cli: Any, catalog_root: str, populated: dict[str, Any], document: str, message: str
) -> None:
    code, out, err = cli("-C", catalog_root, "product_type", "import", stdin=document)

    assert code == 1
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(message)
    assert snapshot(catalog_root) == populated


def test_bad_json_in_a_file_names_the_file(
    cli: Any, catalog_root: str, populated: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "broken.json"
    source.write_text("[1, 2")

    code, _, err = cli("-C", catalog_root, "product_type", "import", "-f", str(source))

    assert code == 1
    assert err.startswith(f"ERROR: {source}: invalid JSON: ")
    assert snapshot(catalog_root) == populated


_TS = {"dataType": "timestamp", "primaryTimestamp": True}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"name": "A-1"},
            "Failed to create or update product type A-1! "
            "name: String should match pattern '^[A-Za-z_][A-Za-z0-9_]*$'",
        ),
        (
            {"datasets": {"MDR": {"F": {"dataType": "float64"}}}},
            "Failed to create or update product type A! "
            "No primary timestamp parameter found in dataset MDR",
        ),
        (
            {"datasets": {"MDR": {"T1": _TS, "T2": _TS}}},
            "Failed to create or update product type A! "
            "Multiple primary timestamp parameters T1, T2 found in dataset MDR",
        ),
        (
            {"defaultDataset": "SP3"},
            "Failed to create or update product type A! "
            "defaultDataset 'SP3' is not a declared dataset",
        ),
        (
            {"datasets": {"MDR": {"T1": {**_TS, "intervalEnd": "T9"}}}},
            "Failed to create or update product type A! "
            "intervalEnd of MDR:T1 refers to 'T9', which is not a variable of dataset MDR",
        ),
        (
            {"datasets": None},
            "Failed to create or update product type A! "
            "datasets: Input should be a valid dictionary",
        ),
    ],
    ids=["identifier", "no-primary", "two-primaries", "default-dataset", "interval-end", "none"],
)
def test_an_invalid_definition_fails_and_keeps_the_stored_one(
    cli: Any,
    catalog_root: str,
    populated: dict[str, Any],
    changes: dict[str, Any],
    message: str,
) -> None:
    code, out, err = cli(
        "-C", catalog_root, "product_type", "import", stdin=dump([{**a_type("A"), **changes}])
    )

    assert code == 1
    assert out == ""
    assert err.splitlines() == [f"ERROR: {message}", "INFO: 1 of 1 product type failed."]
    assert snapshot(catalog_root) == populated


def test_an_item_that_is_not_an_object_is_numbered(cli: Any, catalog_root: str) -> None:
    code, _, err = cli("-C", catalog_root, "product_type", "import", stdin=dump([a_type("A"), 5]))

    assert code == 1
    assert err.splitlines() == [
        "ERROR: Failed to create or update product type #2! "
        "a product type definition must be a JSON object",
        "INFO: 1 of 2 product type created.",
        "INFO: 1 of 2 product type failed.",
    ]


def test_the_exit_code_counts_failures_and_never_wraps(cli: Any, catalog_root: str) -> None:
    """Bug 10 fixed: 300 failures exit 255, not 300 % 256 = 44 (256 would even exit 0)."""
    items = [a_type(f"BAD_{i}", defaultDataset="NOPE") for i in range(300)]

    code, _, err = cli("-C", catalog_root, "product_type", "import", stdin=dump(items))

    assert code == 255
    assert err.count("ERROR: Failed to create or update product type BAD_") == 300
    assert err.splitlines()[-1] == "INFO: 300 of 300 product types failed."


def test_three_failures_exit_3(cli: Any, catalog_root: str) -> None:
    items = [a_type(f"BAD_{i}", defaultDataset="NOPE") for i in range(3)] + [a_type("GOOD")]

    code, _, _ = cli("-C", catalog_root, "product_type", "import", stdin=dump(items))

    assert code == 3


# -- list ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("default_catalog")
def test_list_prints_sorted_identifiers(cli: Any, catalog_root: str, vires_defaults: Path) -> None:
    code, out, err = cli("-C", catalog_root, "product_type", "list")

    assert code == 0
    assert err == ""
    assert out.splitlines() == default_type_names(vires_defaults)
    assert out.endswith("\n")


@pytest.mark.usefixtures("default_catalog")
def test_list_restricted_to_identifiers(cli: Any, catalog_root: str) -> None:
    code, out, _ = cli(
        "-C", catalog_root, "product_type", "list", "SW_MAGx_LR_1B", "NO_SUCH", "GFZ_KP"
    )

    assert code == 0
    assert out == "GFZ_KP\nSW_MAGx_LR_1B\n"


def test_list_of_an_empty_catalogue_prints_nothing(cli: Any, catalog_root: str) -> None:
    Storage(catalog_root).makedirs()

    assert cli("-C", catalog_root, "product_type", "list") == (0, "", "")


# -- export ----------------------------------------------------------------------------------


def test_export_writes_the_stored_objects_sorted(cli: Any, catalog_root: str) -> None:
    cli("-C", catalog_root, "product_type", "import", stdin=dump([a_type("B"), a_type("A")]))

    code, out, err = cli("-C", catalog_root, "product_type", "export")

    assert code == 0
    assert err == ""
    exported = json.loads(out)
    assert [item["name"] for item in exported] == ["A", "B"]
    assert list(exported[0])[:3] == ["name", "created", "updated"]
    assert exported[0] == stored(catalog_root, "A")
    assert out == jsonio.dumps(exported)


@pytest.mark.usefixtures("default_catalog")
def test_export_restricted_to_identifiers(cli: Any, catalog_root: str) -> None:
    code, out, _ = cli("-C", catalog_root, "product_type", "export", "SW_MAGx_LR_1B", "GFZ_KP")

    assert code == 0
    assert [item["name"] for item in json.loads(out)] == ["GFZ_KP", "SW_MAGx_LR_1B"]


@pytest.mark.parametrize("option", ["-f", "--file"])
def test_export_to_a_file(cli: Any, catalog_root: str, tmp_path: Path, option: str) -> None:
    cli("-C", catalog_root, "product_type", "import", stdin=dump([a_type("A")]))
    target = tmp_path / "export.json"

    code, out, err = cli("-C", catalog_root, "product_type", "export", option, str(target))

    assert (code, out, err) == (0, "", "")
    assert json.loads(target.read_text()) == [stored(catalog_root, "A")]


def test_export_to_an_unwritable_place_is_one_error(
    cli: Any, catalog_root: str, tmp_path: Path
) -> None:
    cli("-C", catalog_root, "product_type", "import", stdin=dump([a_type("A")]))
    target = tmp_path / "no" / "such" / "folder" / "x.json"
    (tmp_path / "no").write_text("a file, not a folder")

    code, out, err = cli("-C", catalog_root, "product_type", "export", "-f", str(target))

    assert code == 1
    assert out == ""
    assert err.startswith(f"ERROR: cannot write output file {target}: ")
    assert len(err.splitlines()) == 1


# -- remove ----------------------------------------------------------------------------------


def test_remove_named_types(cli: Any, catalog_root: str) -> None:
    cli("-C", catalog_root, "product_type", "import", stdin=dump([a_type(n) for n in "ABC"]))

    code, out, err = cli("-C", catalog_root, "product_type", "remove", "A", "C")

    assert code == 0
    assert out == ""
    assert err.splitlines()[-1] == "INFO: 2 of 2 matched product types removed."
    assert Catalog(catalog_root).product_types.ids() == ["B"]


def test_remove_without_identifiers_or_all_removes_nothing(cli: Any, catalog_root: str) -> None:
    cli("-C", catalog_root, "product_type", "import", stdin=dump([a_type("A")]))
    before = snapshot(catalog_root)

    code, out, err = cli("-C", catalog_root, "product_type", "remove")

    assert code == 0
    assert out == ""
    assert err.splitlines() == [NO_SELECTION, "INFO: 0 of 0 matched product type removed."]
    assert snapshot(catalog_root) == before


@pytest.mark.parametrize("option", ["--all", "-a"])
def test_remove_all_keeps_the_types_still_in_use(cli: Any, catalog_root: str, option: str) -> None:
    cli("-C", catalog_root, "product_type", "import", stdin=dump([a_type(n) for n in "ABC"]))
    collections = [a_collection("COL_2", "B"), a_collection("COL_1", "B")]
    cli("-C", catalog_root, "product_collection", "import", stdin=dump(collections))

    code, out, err = cli("-C", catalog_root, "product_type", "remove", option)

    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "ERROR: Failed to remove product type B! "
        "The product type is still used by product collection(s) COL_1, COL_2.",
        "INFO: 2 of 3 matched product types removed.",
        "INFO: 1 of 3 matched product type failed to be removed.",
    ]
    assert Catalog(catalog_root).product_types.ids() == ["B"]


@pytest.mark.usefixtures("default_catalog")
def test_removing_a_type_used_by_a_collection_is_refused(cli: Any, catalog_root: str) -> None:
    before = snapshot(catalog_root)

    code, _, err = cli("-C", catalog_root, "product_type", "remove", "SW_MAGx_LR_1B", "GFZ_KP")

    assert code == 2
    assert err.splitlines() == [
        "ERROR: Failed to remove product type GFZ_KP! The product type is still used by "
        "product collection(s) GFZ_KP.",
        "ERROR: Failed to remove product type SW_MAGx_LR_1B! The product type is still used by "
        "product collection(s) SW_FAST_MAGA_LR_1B, SW_FAST_MAGB_LR_1B, SW_FAST_MAGC_LR_1B, "
        "SW_OPER_MAGA_LR_1B, SW_OPER_MAGB_LR_1B, SW_OPER_MAGC_LR_1B.",
        "INFO: 2 of 2 matched product types failed to be removed.",
    ]
    assert snapshot(catalog_root) == before


def test_remove_of_an_unknown_type_warns(cli: Any, catalog_root: str) -> None:
    cli("-C", catalog_root, "product_type", "import", stdin=dump([a_type("A")]))

    code, _, err = cli("-C", catalog_root, "product_type", "remove", "NOPE")

    assert code == 0
    assert err.splitlines() == [
        "WARNING: product type NOPE does not exist",
        "INFO: 0 of 0 matched product type removed.",
    ]
    assert Catalog(catalog_root).product_types.ids() == ["A"]


# -- a missing catalogue ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["list"], ["export"], ["remove", "A"], ["remove", "--all"]], ids=" ".join
)
def test_read_commands_on_a_missing_catalogue_fail_in_one_line(
    cli: Any, tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "nowhere"

    code, out, err = cli("-C", str(missing), "product_type", *command)

    assert code == 1
    assert out == ""
    assert err == (
        f"ERROR: catalogue {missing} does not exist (set --catalog or VIRES_CATALOG, or create "
        "it with 'vires-repo product_type import --default')\n"
    )
    assert not missing.exists()


# -- round trips on the real VirES definitions -----------------------------------------------


def test_the_real_vires_file_imports_unchanged(
    cli: Any, catalog_root: str, vires_defaults: Path
) -> None:
    source = vires_defaults / "product_types.json"
    items = json.loads(source.read_text())

    code, _, err = cli("-C", catalog_root, "product_type", "import", "-f", str(source))

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 52 of 52 product types created."
    for item in items:
        kept = stored(catalog_root, item["name"])
        del kept["created"], kept["updated"]
        assert kept == item
    code, _, err = cli("-C", catalog_root, "product_type", "import", "-d")
    assert err.splitlines()[-1] == "INFO: 52 of 52 product types unchanged."


def test_stored_files_are_canonical(cli: Any, catalog_root: str) -> None:
    cli("-C", catalog_root, "product_type", "import", "-d")

    for relpath, (data, _) in snapshot(catalog_root).items():
        assert data == jsonio.dumps(jsonio.loads(data)).encode(), relpath


@pytest.mark.usefixtures("default_catalog")
def test_export_import_export_round_trip(cli: Any, catalog_root: str, tmp_path: Path) -> None:
    _, first, _ = cli("-C", catalog_root, "product_type", "export")
    fresh = str(tmp_path / "fresh")

    code, _, err = cli("-C", fresh, "product_type", "import", stdin=first)
    _, second, _ = cli("-C", fresh, "product_type", "export")

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 52 of 52 product types created."

    def without_times(text: str) -> list[dict[str, Any]]:
        items = json.loads(text)
        for item in items:
            del item["created"], item["updated"]
        return items

    assert without_times(second) == without_times(first)
    assert [list(i) for i in json.loads(second)] == [list(i) for i in json.loads(first)]


def test_a_created_key_in_the_input_is_ignored(cli: Any, catalog_root: str) -> None:
    """Bug 6 fixed: an exported ``created`` does not override the real one."""
    item = {**a_type("A"), "created": "2000-01-01T00:00:00Z", "updated": "2000-01-02T00:00:00Z"}

    cli("-C", catalog_root, "product_type", "import", stdin=dump([item]))
    first = stored(catalog_root, "A")
    assert first["created"] == first["updated"]
    assert first["created"] != "2000-01-01T00:00:00Z"

    code, _, err = cli("-C", catalog_root, "product_type", "import", stdin=dump([item]))

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 1 of 1 product type unchanged."
    assert stored(catalog_root, "A") == first
    _, out, _ = cli("-C", catalog_root, "product_type", "export")
    assert json.loads(out)[0]["created"] == first["created"]


# -- aliases ---------------------------------------------------------------------------------


def test_the_kebab_case_alias(cli: Any, catalog_root: str) -> None:
    cli("-C", catalog_root, "product-type", "import", stdin=dump([a_type("A")]))

    assert cli("-C", catalog_root, "product-type", "list") == (0, "A\n", "")


def test_a_corrupt_stored_file_is_named_in_the_error(cli: Any, catalog_root: str) -> None:
    cli("-C", catalog_root, "product_type", "import", stdin=dump([a_type("A"), a_type("B")]))
    Storage(catalog_root).write_bytes("product_types/B.json", b'<<<<<<< HEAD\n{"name": "B"')

    assert cli("-C", catalog_root, "product_type", "list") == (0, "A\nB\n", "")
    code, out, err = cli("-C", catalog_root, "product_type", "export")

    assert code == 1
    assert out == ""
    assert err.startswith("ERROR: product_types/B.json: invalid JSON: Expecting value: line 1")
    assert len(err.splitlines()) == 1
    code, out, _ = cli("-C", catalog_root, "product_type", "export", "A")
    assert code == 0
    assert [item["name"] for item in json.loads(out)] == ["A"]


def test_a_removal_that_cannot_be_checked_fails_alone(cli: Any, catalog_root: str) -> None:
    """A failing item never stops the batch: each type is reported, none removed blindly."""
    cli("-C", catalog_root, "product_type", "import", stdin=dump([a_type("A"), a_type("B")]))
    Storage(catalog_root).write_bytes("product_collections/C.json", b"{")
    before = snapshot(catalog_root)

    code, out, err = cli("-C", catalog_root, "product_type", "remove", "--all")

    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert [line.split("!")[0] for line in lines[:2]] == [
        "ERROR: Failed to remove product type A",
        "ERROR: Failed to remove product type B",
    ]
    assert all("product_collections/C.json: invalid JSON" in line for line in lines[:2])
    assert lines[2:] == ["INFO: 2 of 2 matched product types failed to be removed."]
    assert snapshot(catalog_root) == before


def test_non_ascii_text_is_kept_as_utf8(cli: Any, catalog_root: str) -> None:
    item = a_type("A", description="Ørsted-like fluxgate ✓", citation="Olsen, N. (2021) – Swarm")

    cli("-C", catalog_root, "product_type", "import", stdin=dump([item]).encode("utf-8"))

    data = Storage(catalog_root).read_bytes("product_types/A.json")
    assert "Ørsted-like fluxgate ✓".encode() in data
    assert b"\\u" not in data
    _, out, _ = cli("-C", catalog_root, "product_type", "export", "A")
    assert json.loads(out)[0]["citation"] == "Olsen, N. (2021) – Swarm"


def test_input_with_a_byte_order_mark_is_read(cli: Any, catalog_root: str) -> None:
    code, _, err = cli(
        "-C",
        catalog_root,
        "product_type",
        "import",
        stdin=b"\xef\xbb\xbf" + dump([a_type("A")]).encode(),
    )

    assert code == 0
    assert err.splitlines()[-1] == "INFO: 1 of 1 product type created."
