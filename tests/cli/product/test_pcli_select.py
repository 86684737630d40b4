"""Product selection on ``list``, ``exists``, ``export`` and ``deregister``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pcli_env import (
    EXPORT_KEYS,
    FAST_A,
    MAG_A,
    MAG_B,
    MINUTE,
    ProductEnv,
    ident,
    labelled,
    remove_file,
)

from vires_repo.testing.observatory_products import write_obs_product

OBS = "SW_OPER_AUX_OBSM2_"


@dataclass
class Catalogue:
    """The registered products of the selection tests, by collection."""

    env: ProductEnv
    files: dict[str, list[str]]

    def line(self, collection: str, index: int) -> str:
        return f"{collection}/{ident(self.files[collection][index])}"


@pytest.fixture
def populated(env: ProductEnv) -> Catalogue:
    return populate(env)


def populate(env: ProductEnv) -> Catalogue:
    """MAG A: 3 hourly products on 2016-01-01 (00-00:59, 01-01:59, 02-02:59); MAG B: 2 on
    2016-01-02; FAST MAG A: 1 on 2016-01-03; AUX_OBSM2_: 1 on 2016-01-01 (no mission)."""
    files = {
        MAG_A: env.hourly("2016-01-01", range(3)),
        MAG_B: env.hourly("2016-01-02", range(2), spacecraft="B"),
        FAST_A: env.hourly("2016-01-03", range(1), file_class="FAST"),
        OBS: [
            write_obs_product(
                env.data, "2016-01-01T00:00:00", "2016-01-01T00:09:00", sampling=MINUTE
            )
        ],
    }
    # registered in reverse order: the listing order must not depend on it
    for collection, locations in reversed(files.items()):
        result = env.register(collection, *reversed(locations))
        assert result.code == 0, result.err
    return Catalogue(env, files)


ALL_LINES = [
    (FAST_A, 0),
    (OBS, 0),
    (MAG_A, 0),
    (MAG_A, 1),
    (MAG_A, 2),
    (MAG_B, 0),
    (MAG_B, 1),
]
MAGS = [key for key in ALL_LINES if key[0] != OBS]


def lines(cat: Catalogue, keys: list[tuple[str, int]]) -> list[str]:
    """The ``product list`` lines of the products ``keys``, in the listing order."""
    return [cat.line(collection, index) for collection, index in sorted(keys, key=ALL_LINES.index)]


# -- list ----------------------------------------------------------------------------------


def test_list_sorts_by_collection_begin_time_and_identifier(populated: Catalogue) -> None:
    result = populated.env("product", "list")
    assert result.code == 0
    assert result.out.splitlines() == lines(populated, ALL_LINES)
    assert result.err == ""


def test_list_sorts_equal_begin_times_by_identifier(env: ProductEnv) -> None:
    files = [
        env.mag("2016-01-01T00:00:00", "2016-01-01T00:30:00", version=version)
        for version in ("0502", "0501", "0503")
    ]
    later = env.mag("2016-01-01T00:00:00", "2016-01-01T00:20:00", version="0401")
    assert env.register(MAG_A, later, *files, options=("--ignore-overlaps",)).code == 0
    # "..._0401" sorts before the others by identifier but not by end time: begin times tie
    names = sorted(ident(location) for location in [*files, later])
    assert env.listed() == [f"{MAG_A}/{name}" for name in names]


COLLECTION_FILTERS = [
    (["-t", "SW_MAGx_LR_1B"], MAGS),
    (["--product-type", "SW_AUX_OBSx2_"], [(OBS, 0)]),
    (["-t", "SW_AUX_OBSx2_", "-t", "SW_MAGx_LR_1B"], ALL_LINES),
    (["-m", "Swarm"], MAGS),
    (["--mission", "CryoSat-2"], []),
    (["-s", "B"], [(MAG_B, 0), (MAG_B, 1)]),
    (["--spacecraft", "A", "-g", "FAST"], [(FAST_A, 0)]),
    (["-g", "FAST"], [(FAST_A, 0)]),
    (["--grade", "FAST"], [(FAST_A, 0)]),
    (["--class", "FAST"], [(FAST_A, 0)]),
    (["-c", MAG_B], [(MAG_B, 0), (MAG_B, 1)]),
    (["-c", MAG_B, "--collection", OBS], [(MAG_B, 0), (MAG_B, 1), (OBS, 0)]),
    (["--product-collection", MAG_A, "-s", "B"], []),
    (["-c", MAG_A, "-t", "SW_MAGx_LR_1B", "-m", "Swarm"], [(MAG_A, 0), (MAG_A, 1), (MAG_A, 2)]),
]


def test_list_collection_filters(populated: Catalogue) -> None:
    for argv, expected in COLLECTION_FILTERS:
        assert populated.env.listed(*argv) == lines(populated, expected), argv


TIME_FILTERS = [
    # --after: begin_time >= T (inclusive)
    (
        ["--after", "2016-01-01T01:00:00Z"],
        [(FAST_A, 0), (MAG_A, 1), (MAG_A, 2), (MAG_B, 0), (MAG_B, 1)],
    ),
    (["--after", "2016-01-01T01:00:01"], [(FAST_A, 0), (MAG_A, 2), (MAG_B, 0), (MAG_B, 1)]),
    (["--after", "2016-01-02"], [(FAST_A, 0), (MAG_B, 0), (MAG_B, 1)]),
    # --before: end_time < T (strict); the first MAG A product ends at 00:59:00
    (["--before", "2016-01-01T00:59:00"], [(OBS, 0)]),
    (["--before", "2016-01-01T00:59:00.000001Z"], [(MAG_A, 0), (OBS, 0)]),
    (["--before", "2016-01-01T01:59:00+00:00"], [(MAG_A, 0), (OBS, 0)]),
    (["--before", "2016-01-01T02:59:00+01:00"], [(MAG_A, 0), (OBS, 0)]),
    (["--before", "20160102"], [(MAG_A, 0), (MAG_A, 1), (MAG_A, 2), (OBS, 0)]),
    (["--after", "2016-01-01T01:00:00", "--before", "2016-01-02"], [(MAG_A, 1), (MAG_A, 2)]),
    # all the products are from 2016: older than any recent duration
    (["--before", "P31D"], ALL_LINES),
    (["--after", "P31D"], []),
    (["--after", "PT1H", "-c", MAG_A], []),
]


def test_list_time_filters(populated: Catalogue) -> None:
    for argv, expected in TIME_FILTERS:
        assert populated.env.listed(*argv) == lines(populated, expected), argv


def test_list_created_and_updated_filters(populated: Catalogue) -> None:
    env = populated.env
    assert env.listed("--created-after", "P1D") == lines(populated, ALL_LINES)
    assert env.listed("--created-before", "P1D") == []
    assert env.listed("--created-after", "2016-01-01") == lines(populated, ALL_LINES)
    assert env.listed("--created-before", "2016-01-01T00:00:00Z") == []
    assert env.listed("--updated-after", "P31D") == lines(populated, ALL_LINES)
    assert env.listed("--updated-before", "P31D") == []

    # update one product: only it was updated at or after its new "updated" time
    location = populated.files[MAG_A][1]
    assert env.register(MAG_A, location, options=("--update",)).code == 0
    [record] = env.exported(ident(location))
    assert env.listed("--updated-after", record["updated"]) == [populated.line(MAG_A, 1)]
    older = [key for key in ALL_LINES if key != (MAG_A, 1)]
    assert env.listed("--updated-before", record["updated"]) == lines(populated, older)
    # its creation time did not change
    assert populated.line(MAG_A, 1) not in env.listed("--created-after", record["updated"])


@pytest.mark.parametrize("command", ["list", "export", "deregister"])
def test_bad_time_value_is_a_usage_error(local_env: ProductEnv, command: str) -> None:
    [location] = local_env.hourly("2016-01-01", range(1))
    assert local_env.register(MAG_A, location).code == 0
    options = ["--after", "--before", "--created-after", "--created-before"]
    options += ["--updated-after", "--updated-before"]
    for option in options:
        for value in ["yesterday", "2016-13-01", "-P1D", "P1X", "2016-01-01T25:00"]:
            extra = ["--all"] if command == "deregister" else []
            result = local_env("product", command, f"{option}={value}", *extra)
            assert result.code == 2, (option, value)
            assert result.out == ""
            assert value in result.err
            assert "Traceback" not in result.err
    assert local_env.listed() == [f"{MAG_A}/{ident(location)}"]


def test_list_identifiers(populated: Catalogue) -> None:
    wanted = [ident(populated.files[MAG_B][1]), ident(populated.files[MAG_A][0]), "NO_SUCH_ID"]
    assert populated.env.listed(*wanted) == lines(populated, [(MAG_A, 0), (MAG_B, 1)])
    assert populated.env.listed(wanted[0], "-c", MAG_A) == []


def test_list_locations(populated: Catalogue) -> None:
    env = populated.env
    location = populated.files[MAG_B][0]
    assert env.listed("-l", location) == [populated.line(MAG_B, 0)]
    assert env.listed("--location", location, populated.files[OBS][0]) == lines(
        populated, [(MAG_B, 0), (OBS, 0)]
    )
    assert env.listed("--product-location", location) == [populated.line(MAG_B, 0)]
    # an identifier is not a location and vice versa
    assert env.listed("-l", ident(location)) == []
    assert env.listed(location) == []


def test_relative_locations_are_made_absolute(local_env: ProductEnv) -> None:
    [location] = local_env.hourly("2016-01-01", range(1))
    assert local_env.register(MAG_A, location).code == 0
    relative = str(Path(location).relative_to(Path.cwd()))
    assert not Path(relative).is_absolute()
    assert local_env.listed("-l", relative) == [f"{MAG_A}/{ident(location)}"]
    assert local_env.listed("-l", f"./data/../{relative}") == [f"{MAG_A}/{ident(location)}"]
    result = local_env("product", "exists", "-l", relative)
    assert result.code == 0


def test_invalid_only_reports_products_whose_file_is_gone(populated: Catalogue) -> None:
    env = populated.env
    assert env.listed("--invalid-only") == []
    gone = populated.files[MAG_A][1]
    remove_file(gone)
    result = env("product", "list", "--invalid-only")
    assert result.code == 0
    assert result.out.splitlines() == [populated.line(MAG_A, 1)]
    assert labelled(result.err, "WARNING") == [
        f"WARNING: Invalid product {ident(gone)} detected! File {gone} does not exist!"
    ]
    assert env.listed("--invalid-only", "-c", MAG_B) == []
    # without the option the product is still listed
    assert populated.line(MAG_A, 1) in env.listed()


def test_unknown_collection_selects_nothing(populated: Catalogue) -> None:
    result = populated.env("product", "list", "-c", "SW_OPER_NOPE")
    assert result.code == 0
    assert result.out == ""


def test_list_of_an_empty_catalogue(env: ProductEnv) -> None:
    result = env("product", "list")
    assert (result.code, result.out) == (0, "")


# -- exists --------------------------------------------------------------------------------


def test_exists(populated: Catalogue) -> None:
    env = populated.env
    identifier = ident(populated.files[MAG_A][2])
    result = env("product", "exists", identifier)
    assert result.code == 0
    assert result.err.splitlines() == [f"INFO: product {MAG_A}/{identifier} exists"]
    assert result.out == ""

    result = env("product", "exists", identifier, "--not")
    assert result.code == 1
    assert result.err.splitlines() == [f"INFO: product {MAG_A}/{identifier} exists"]


def test_exists_not(populated: Catalogue) -> None:
    env = populated.env
    result = env("product", "exists", "NO_SUCH_PRODUCT")
    assert result.code == 1
    assert result.err.splitlines() == ["INFO: product NO_SUCH_PRODUCT does not exist"]
    result = env("product", "exists", "NO_SUCH_PRODUCT", "--not")
    assert result.code == 0
    assert result.err.splitlines() == ["INFO: product NO_SUCH_PRODUCT does not exist"]


def test_exists_with_selection_and_location(populated: Catalogue) -> None:
    env = populated.env
    identifier = ident(populated.files[MAG_B][0])
    assert env("product", "exists", identifier, "-c", MAG_A).code == 1
    assert env("product", "exists", identifier, "-s", "B", "--before", "2016-01-03").code == 0
    location = populated.files[MAG_B][0]
    result = env("product", "exists", "-l", location)
    assert result.code == 0
    assert result.err.splitlines() == [f"INFO: product {MAG_B}/{identifier} exists"]
    assert env("product", "exists", "-l", location + ".missing", "--not").code == 0


def test_exists_invalid_only(populated: Catalogue) -> None:
    env = populated.env
    location = populated.files[OBS][0]
    identifier = ident(location)
    assert env("product", "exists", identifier, "--invalid-only").code == 1
    remove_file(location)
    result = env("product", "exists", identifier, "--invalid-only")
    assert result.code == 0
    assert result.err.splitlines() == [
        f"WARNING: Invalid product {identifier} detected! File {location} does not exist!",
        f"INFO: product {OBS}/{identifier} exists",
    ]


def test_exists_takes_exactly_one_identifier(populated: Catalogue) -> None:
    assert populated.env("product", "exists").code == 2
    assert populated.env("product", "exists", "A", "B").code == 2


# -- export --------------------------------------------------------------------------------


def test_export_format(populated: Catalogue) -> None:
    result = populated.env("product", "export")
    assert result.code == 0
    records = json.loads(result.out)
    assert result.out.endswith("]\n")
    assert result.out.startswith('[\n  {\n    "identifier": ')  # 2-space indent
    assert [f"{r['collection']}/{r['identifier']}" for r in records] == lines(populated, ALL_LINES)
    for record in records:
        assert list(record) == EXPORT_KEYS
        for key in ("beginTime", "endTime", "created", "updated"):
            assert record[key].endswith("Z")
            assert "+00:00" not in record[key]
    first = records[2]
    assert first["beginTime"] == "2016-01-01T00:00:00Z"
    assert first["endTime"] == "2016-01-01T00:59:00Z"
    assert first["productType"] == "SW_MAGx_LR_1B"
    assert first["datasets"] == {"MDR_MAG_LR": {"location": populated.files[MAG_A][0]}}


def test_export_selection_and_file(populated: Catalogue, tmp_path: Path) -> None:
    env = populated.env
    result = env("product", "export", "-s", "B", "-f", "selected.json")
    assert result.code == 0
    assert result.out == ""
    records = json.loads((tmp_path / "selected.json").read_text())
    assert [r["identifier"] for r in records] == [ident(f) for f in populated.files[MAG_B]]
    result = env("product", "export", "--file", "-", ident(populated.files[MAG_B][0]))
    assert json.loads(result.out) == records[:1]


def test_export_nothing(populated: Catalogue) -> None:
    result = populated.env("product", "export", "NO_SUCH_PRODUCT")
    assert (result.code, result.out) == (0, "[]\n")


# -- deregister ----------------------------------------------------------------------------


def test_deregister_without_identifiers_needs_all(populated: Catalogue) -> None:
    env = populated.env
    result = env("product", "deregister", "-c", MAG_A)
    assert result.code == 0
    assert result.err.splitlines() == [
        "WARNING: No identifier selected and no product will be removed. "
        "Use the --all option to remove all matched items.",
        "INFO: 0 of 0 matched product de-registered.",
    ]
    assert env.listed() == lines(populated, ALL_LINES)


def test_deregister_identifiers(populated: Catalogue) -> None:
    env = populated.env
    one = ident(populated.files[MAG_A][1])
    result = env("product", "deregister", one)
    assert result.code == 0
    assert f"INFO: product {MAG_A}/{one} de-registered" in result.err
    assert result.err.splitlines()[-1] == "INFO: 1 of 1 matched product de-registered."
    remaining = [key for key in ALL_LINES if key != (MAG_A, 1)]
    assert env.listed() == lines(populated, remaining)

    two = [ident(populated.files[MAG_B][0]), ident(populated.files[FAST_A][0]), "NO_SUCH_ID"]
    result = env("product", "deregister", *two, "-s", "B")  # the filters narrow the ids
    assert result.err.splitlines()[-1] == "INFO: 1 of 1 matched product de-registered."
    result = env("product", "deregister", *two)
    assert result.err.splitlines()[-1] == "INFO: 1 of 1 matched product de-registered."
    assert env.listed("-c", MAG_B, "-c", FAST_A) == [populated.line(MAG_B, 1)]

    result = env("product", "deregister", "NO_SUCH_ID")
    assert result.code == 0
    assert result.err.splitlines() == ["INFO: 0 of 0 matched product de-registered."]


def test_deregister_all_with_filters(populated: Catalogue) -> None:
    env = populated.env
    result = env("product", "deregister", "--all", "-c", MAG_A, "--before", "P183D")
    assert result.code == 0
    assert result.err.splitlines()[-1] == "INFO: 3 of 3 matched products de-registered."
    assert len([line for line in result.err.splitlines() if line.endswith(" de-registered")]) == 3
    result = env("product", "deregister", "-a", "-t", "SW_MAGx_LR_1B", "--after", "2016-01-02")
    assert result.err.splitlines()[-1] == "INFO: 3 of 3 matched products de-registered."
    assert env.listed() == [populated.line(OBS, 0)]


def test_deregister_locations(populated: Catalogue) -> None:
    env = populated.env
    result = env("product", "deregister", "-l", populated.files[MAG_A][0])
    assert result.err.splitlines()[-1] == "INFO: 1 of 1 matched product de-registered."
    assert populated.line(MAG_A, 0) not in env.listed()


def test_deregister_invalid_only_needs_no_all(populated: Catalogue) -> None:
    env = populated.env
    gone = [populated.files[MAG_A][0], populated.files[MAG_B][1]]
    for location in gone:
        remove_file(location)
    result = env("product", "deregister", "--invalid-only")
    assert result.code == 0
    assert labelled(result.err, "WARNING") == [
        f"WARNING: Invalid product {ident(location)} detected! File {location} does not exist!"
        for location in gone
    ]
    assert result.err.splitlines()[-1] == "INFO: 2 of 2 matched products de-registered."
    remaining = [key for key in ALL_LINES if key not in ((MAG_A, 0), (MAG_B, 1))]
    assert env.listed() == lines(populated, remaining)
    result = env("product", "deregister", "--invalid-only")
    assert result.err.splitlines() == ["INFO: 0 of 0 matched product de-registered."]


def test_same_identifier_in_two_collections_is_two_products(env: ProductEnv) -> None:
    [location] = env.hourly("2016-01-01", range(1))
    assert env.register(MAG_A, location).code == 0
    assert env.register(FAST_A, location).code == 0
    identifier = ident(location)
    assert env.listed(identifier) == [f"{FAST_A}/{identifier}", f"{MAG_A}/{identifier}"]
    result = env("product", "exists", identifier)
    assert result.code == 0
    assert result.err.splitlines() == [
        f"INFO: product {FAST_A}/{identifier} exists",
        f"INFO: product {MAG_A}/{identifier} exists",
    ]
    result = env("product", "deregister", identifier, "-g", "FAST")
    assert result.err.splitlines()[-1] == "INFO: 1 of 1 matched product de-registered."
    assert env.listed() == [f"{MAG_A}/{identifier}"]


@pytest.mark.parametrize(
    "argv",
    [
        ["product", "list"],
        ["product", "exists", "X"],
        ["product", "export"],
        ["product", "deregister", "--all"],
        ["product", "import"],
        ["product", "register", "-c", MAG_A, "X.cdf"],
        ["product", "compact"],
    ],
)
def test_missing_catalogue_is_an_error(cli: Any, tmp_path: Path, argv: list[str]) -> None:
    root = tmp_path / "no-catalogue"
    result = cli("--catalog", str(root), *argv, stdin="[]")
    assert result.code == 1
    assert result.err.splitlines() == [
        f"ERROR: catalogue {root} does not exist (set --catalog or VIRES_CATALOG, or create it "
        "with 'vires-repo product_type import --default')"
    ]
    assert not root.exists()


def test_invalid_is_accepted_for_invalid_only(populated: Catalogue) -> None:
    """The VirES registration script calls ``product deregister --invalid`` (an argparse
    prefix of --invalid-only)."""
    env = populated.env
    gone = populated.files[MAG_B][0]
    remove_file(gone)
    assert env.listed("--invalid") == [populated.line(MAG_B, 0)]
    result = env("product", "deregister", "--invalid")
    assert result.code == 0
    assert result.err.splitlines()[-1] == "INFO: 1 of 1 matched product de-registered."
    assert populated.line(MAG_B, 0) not in env.listed()


def test_export_invalid_only_and_not_before_the_identifier(populated: Catalogue) -> None:
    env = populated.env
    gone = populated.files[MAG_A][2]
    remove_file(gone)
    result = env("product", "export", "--invalid-only")
    assert [r["identifier"] for r in json.loads(result.out)] == [ident(gone)]
    assert labelled(result.err, "WARNING") == [
        f"WARNING: Invalid product {ident(gone)} detected! File {gone} does not exist!"
    ]
    result = env("product", "exists", "--not", ident(gone))
    assert result.code == 1
    result = env("product", "exists", "--not", "XYZ")
    assert (result.code, result.err) == (0, "INFO: product XYZ does not exist\n")


def test_export_selects_what_list_selects(populated: Catalogue) -> None:
    env = populated.env
    for argv, expected in [*COLLECTION_FILTERS, *TIME_FILTERS]:
        records = env.exported(*argv)
        assert [f"{r['collection']}/{r['identifier']}" for r in records] == lines(
            populated, expected
        ), argv


def test_deregister_removes_what_list_selects(local_env: ProductEnv) -> None:
    populated_catalogue = populate(local_env)
    env = local_env
    dump = env("product", "export").out
    for argv, expected in [*COLLECTION_FILTERS[::2], *TIME_FILTERS[::2]]:
        result = env("product", "deregister", "--all", *argv)
        assert result.code == 0, (argv, result.err)
        removed = lines(populated_catalogue, expected)
        remaining = [line for line in lines(populated_catalogue, ALL_LINES) if line not in removed]
        assert env.listed() == remaining, argv
        assert env("product", "import", stdin=dump).code == 0


def test_deregister_failures_are_reported_per_product(
    populated: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vires_repo.errors import IndexFormatError
    from vires_repo.products.index import ProductIndex

    original = ProductIndex.delete

    def delete(self: ProductIndex, collection: str, identifiers: Any, deletion: Any) -> Any:
        if collection == MAG_B:
            raise IndexFormatError("the index of MAG B is damaged")
        return original(self, collection, identifiers, deletion)

    monkeypatch.setattr(ProductIndex, "delete", delete)
    env = populated.env
    result = env("product", "deregister", "--all", "-c", MAG_A, "-c", MAG_B)
    assert result.code == 2
    assert labelled(result.err, "ERROR") == [
        f"ERROR: Failed to de-register product {ident(location)} from collection {MAG_B}! "
        "the index of MAG B is damaged"
        for location in populated.files[MAG_B]
    ]
    assert result.err.splitlines()[-2:] == [
        "INFO: 3 of 5 matched products de-registered.",
        "INFO: 2 of 5 matched products failed to be de-registered.",
    ]
    assert env.listed() == lines(populated, [(FAST_A, 0), (OBS, 0), (MAG_B, 0), (MAG_B, 1)])
