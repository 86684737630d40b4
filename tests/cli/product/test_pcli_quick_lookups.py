"""The lookups' quick path (vires_repo/cli/lookups.py) answers exactly as cyclopts does.

Each command line runs twice in this process: through ``main`` (the quick path when it reads
the line) and through ``main(quick=False)`` (always cyclopts). Exit code, stdout and
stderr must be the same; the cases say which lines the quick path must take itself, so that a
change that silently sends every lookup to cyclopts fails too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from vires_repo.catalog import Catalog
from vires_repo.cli import lookups, main
from vires_repo.products import ProductIndex, ProductRecord

MAG_A, MAG_B = "SW_OPER_MAGA_LR_1B", "SW_OPER_MAGB_LR_1B"
DAY = datetime(2016, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Four daily products in each of two collections; one of them de-registered."""
    folder = tmp_path_factory.mktemp("quick") / "catalog"
    catalog = Catalog(str(folder))
    catalog.storage.makedirs("product_collections")
    for name in (MAG_A, MAG_B):
        definition = {"name": name, "productType": "SW_MAGx_LR_1B"}
        catalog.storage.write_text(f"product_collections/{name}.json", json.dumps(definition))
        records = [
            ProductRecord(
                collection=name,
                identifier=f"{name}_{day:03d}",
                product_type="SW_MAGx_LR_1B",
                begin_time=DAY + timedelta(days=day),
                end_time=DAY + timedelta(days=day, seconds=86399),
                datasets={"MDR_MAG_LR": {"location": f"/data/{name}/{day:03d}.cdf"}},
            )
            for day in range(4)
        ]
        ProductIndex(catalog.storage).upsert(name, records)
    ProductIndex(catalog.storage).delete(MAG_B, [f"{MAG_B}_002"])
    return str(folder)


QUICK = [
    ("product", "exists", f"{MAG_A}_001"),
    ("product", "exists", f"{MAG_A}_001", "-c", MAG_A),
    ("product", "exists", f"{MAG_A}_001", "-c", MAG_B),
    ("product", "exists", f"{MAG_A}_001", "--not"),
    ("product", "exists", "NOPE"),
    ("product", "exists", "NOPE", "--not", "--collection", MAG_A),
    ("product", "exists", f"{MAG_B}_002"),  # de-registered
    ("product", "exists", "/data/SW_OPER_MAGA_LR_1B/003.cdf", "-l"),
    ("product", "exists", f"{MAG_A}_001", "--after", "2016-01-02"),
    ("product", "list"),
    ("product", "list", "-c", MAG_B, "-c", MAG_A),
    ("product", "list", "--product-collection", MAG_B, "--after", "2016-01-02"),
    ("product", "list", "-c", MAG_A, "--after", "2016-01-02", "--before", "2016-01-04"),
    ("product", "list", "--before", "2016-01-02T12:00:00Z"),
    ("product", "list", "--before", "P1D"),  # a duration before now
    ("product", "list", f"{MAG_A}_003", f"{MAG_B}_000", "NOPE"),
    ("product", "list", "--product-location", "/data/SW_OPER_MAGB_LR_1B/001.cdf"),
    ("product", "list", "-t", "SW_MAGx_LR_1B", "-c", MAG_B),
    ("product", "list", "--product-type", "SW_MAGx_LR_1B"),
    ("product", "list", "-c", "SW_OPER_NONE_XX_1B"),
    ("-v", "0", "product", "exists", f"{MAG_A}_001"),
    ("--verbosity", "2", "--no-wait", "--traceback", "product", "list", "-c", MAG_A),
]
"""Lines the quick path reads (the catalogue option is put in front of them)."""

FALLBACK = [
    ("product", "exists"),
    ("product", "exists", f"{MAG_A}_001", f"{MAG_A}_002"),
    ("product", "exists", f"{MAG_A}_001", "--not", "--not"),
    ("product", "list", f"--collection={MAG_A}"),
    ("product", "list", "-c"),
    ("product", "list", "--after", "yesterday"),
    ("product", "list", "--after", "2016-01-01", "--after", "2016-01-02"),
    ("product", "list", "--mission", "Swarm"),
    ("product", "list", "--invalid-only"),
    ("product", "list", "--unknown"),
    ("product", "list", "--", "-x"),
    ("-v", "5", "product", "list"),
    ("-v", "1", "-v", "2", "product", "list"),
    ("product", "lists"),
    ("product",),
]
"""Lines it leaves to cyclopts (a usage error, or options it does not read)."""


def _outcome(
    capsys: pytest.CaptureFixture[str], argv: list[str], *, quick: bool = True
) -> tuple[int, str, str]:
    code = main(argv, quick=quick)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("line", QUICK, ids=" ".join)
def test_the_quick_path_answers_as_cyclopts_does(
    root: str, capsys: pytest.CaptureFixture[str], line: tuple[str, ...]
) -> None:
    argv = ["--catalog", root, *line]

    quick = _outcome(capsys, argv)
    full = _outcome(capsys, argv, quick=False)

    assert lookups.parse(argv) is not None
    assert quick == full
    assert quick[1] or quick[2]  # it printed something: not an empty success


@pytest.mark.parametrize("line", FALLBACK, ids=" ".join)
def test_other_lines_go_to_cyclopts(
    root: str, capsys: pytest.CaptureFixture[str], line: tuple[str, ...]
) -> None:
    argv = ["-C", root, *line]

    assert lookups.parse(argv) is None
    assert _outcome(capsys, argv) == _outcome(capsys, argv, quick=False)


def test_the_catalogue_option_in_either_spelling(
    root: str, capsys: pytest.CaptureFixture[str]
) -> None:
    short = _outcome(capsys, ["-C", root, "product", "list", "-c", MAG_A])
    long = _outcome(capsys, ["--catalog", root, "product", "list", "-c", MAG_A])

    assert short == long
    assert short[1].splitlines() == [f"{MAG_A}/{MAG_A}_{day:03d}" for day in range(4)]


def test_a_catalogue_that_is_not_one_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["-C", str(tmp_path / "missing"), "product", "exists", "X"]

    quick = _outcome(capsys, argv)

    assert quick == _outcome(capsys, argv, quick=False)
    assert quick[0] == 1
    assert quick[2].startswith(f"ERROR: catalogue {tmp_path / 'missing'} does not exist")
    assert len(quick[2].splitlines()) == 1
