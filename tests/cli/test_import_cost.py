"""Each command imports only what its work needs (issue 12): the pinned import sets.

Every case runs the command in a fresh interpreter and looks at ``sys.modules`` afterwards.
The pins name what must stay out rather than list what may come in, so a new command group
registered in ``vires_repo/cli/app.py`` is covered without editing this file: its
``--help`` is checked like the others', and no lookup may load its module.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from vires_repo.catalog import Catalog
from vires_repo.cli.app import app
from vires_repo.products import ProductIndex, ProductRecord

REPO_ROOT = Path(__file__).resolve().parents[2]
COLLECTION = "SW_OPER_MAGA_LR_1B"
DAY = datetime(2016, 1, 1, tzinfo=UTC)

HEAVY = (
    "pydantic",
    "pydantic_settings",
    "pyarrow.compute",
    "pyarrow.dataset",
    "fsspec",
    "tenacity",
    "filelock",
    "cdflib",
    "duckdb",
    "apexpy",
    "pandas",
    "multiprocessing",
    "concurrent.futures",
)
"""What a lookup does without: validation models, writers' and other commands' libraries."""
NOT_FOR_HELP = (*HEAVY, "pyarrow", "numpy")
"""``--help`` reads no data at all."""

_RUNNER = """
import contextlib, io, json, sys
from vires_repo.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(sys.argv[2:])
with open(sys.argv[1], "w") as stream:
    json.dump({"code": code, "modules": sorted(sys.modules)}, stream)
"""


def _modules_after(
    tmp_path: Path, *argv: str, environment: dict[str, str] | None = None
) -> tuple[int, set[str]]:
    """The exit code of ``vires-repo ARGV`` and the modules loaded when it ended."""
    report = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", _RUNNER, str(report), *argv],
        cwd=REPO_ROOT,
        check=True,
        env={"PATH": "", "PYTHONPATH": str(REPO_ROOT), "COLUMNS": "120", **(environment or {})},
    )
    result = json.loads(report.read_text())
    return result["code"], set(result["modules"])


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(name for name in names if name in modules)


@pytest.fixture(scope="module")
def lookup_catalog(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Products in both data-file formats: a Parquet file and a JSON-lines file."""
    root = tmp_path_factory.mktemp("lookups") / "catalog"
    catalog = Catalog(str(root))
    catalog.product_collections.storage.makedirs("product_collections")
    catalog.storage.write_text(
        f"product_collections/{COLLECTION}.json",
        json.dumps({"name": COLLECTION, "productType": "SW_MAGx_LR_1B"}),
    )
    records = [
        ProductRecord(
            collection=COLLECTION,
            identifier=f"{COLLECTION}_{day:03d}",
            product_type="SW_MAGx_LR_1B",
            begin_time=DAY + timedelta(days=day),
            end_time=DAY + timedelta(days=day, seconds=86399),
            datasets={"MDR_MAG_LR": {"location": f"/data/{day:03d}.cdf"}},
        )
        for day in range(4)
    ]
    ProductIndex(catalog.storage, small_batch_rows=1).upsert(COLLECTION, records[:3])
    ProductIndex(catalog.storage).upsert(COLLECTION, records[3:])
    return str(root)


LOOKUPS = {
    "exists (Parquet)": (0, "product", "exists", f"{COLLECTION}_001"),
    "exists (JSON lines)": (0, "product", "exists", f"{COLLECTION}_003"),
    "exists -c": (0, "product", "exists", f"{COLLECTION}_001", "-c", COLLECTION),
    "exists, absent": (1, "product", "exists", "NOPE"),
    "list -c --after --before": (
        0,
        *("product", "list", "-c", COLLECTION),
        *("--after", "2016-01-02", "--before", "2016-01-03"),
    ),
    "list -l": (0, "product", "list", "-l", "/data/002.cdf"),
}


@pytest.mark.parametrize("case", sorted(LOOKUPS))
def test_a_lookup_imports_no_heavy_module_and_no_other_command(
    tmp_path: Path, lookup_catalog: str, case: str
) -> None:
    expected_code, *argv = LOOKUPS[case]

    code, modules = _modules_after(tmp_path, "--catalog", lookup_catalog, *map(str, argv))

    assert code == expected_code
    assert _loaded(modules, (*HEAVY, "cyclopts")) == []  # the quick path of cli/lookups.py
    other_commands = {m for m in modules if m.startswith("vires_repo.cli.")} - {
        "vires_repo.cli._common",
        "vires_repo.cli.lookups",
    }
    assert other_commands == set()


def test_a_lookup_in_the_catalogue_of_vires_catalog_validates_no_setting(
    tmp_path: Path, lookup_catalog: str
) -> None:
    """$VIRES_CATALOG is read as it is; a bad value of a setting the lookup does not use
    (validated by pydantic) does not stop it."""
    environment = {"VIRES_CATALOG": lookup_catalog, "VIRES_LOCK_TIMEOUT": "soon"}

    code, modules = _modules_after(
        tmp_path, "product", "exists", f"{COLLECTION}_001", environment=environment
    )

    assert code == 0
    assert _loaded(modules, (*HEAVY, "cyclopts", "vires_repo.settings")) == []


def _command_paths() -> list[tuple[str, ...]]:
    """The root and every registered command group (whatever other changes add)."""
    names = {name for name in app if not name.startswith("-")}
    aliases = {name for name in names if "-" in name and name.replace("-", "_") in names}
    return [(), *((name,) for name in sorted(names - aliases))]


@pytest.mark.parametrize("command", _command_paths(), ids=lambda path: " ".join(path) or "root")
def test_help_imports_no_data_library(tmp_path: Path, command: tuple[str, ...]) -> None:
    code, modules = _modules_after(tmp_path, *command, "--help")

    assert code == 0
    assert _loaded(modules, NOT_FOR_HELP) == []


def test_the_pins_would_catch_a_heavy_import(tmp_path: Path, lookup_catalog: str) -> None:
    """The runner sees what a command loads: a write command does load pydantic."""
    _code, modules = _modules_after(
        tmp_path, "--catalog", lookup_catalog, "product_type", "import", "--default"
    )

    assert "pydantic" in modules


# -- product register (the registration target of issue 12) ------------------------------------

NOT_FOR_REGISTRATION = (
    "pyarrow.compute",
    "pyarrow.dataset",
    "fsspec",
    "duckdb",
    "pandas",
    "vires_repo.manifest_model",
)
"""What registering local files with their orbit-direction update does without: the index
and table writers call Arrow kernels directly, local files go through ``os``, and the tables'
manifests are plain dataclasses (pydantic stays for the definitions and settings)."""


def test_register_with_orbit_direction_update_imports_only_what_it_uses(
    tmp_path: Path,
) -> None:
    from vires_repo.services import product_collection, product_type
    from vires_repo.testing.mag_products import write_mag_lr_product

    catalog = Catalog(str(tmp_path / "catalog"))
    types = [t for t in product_type.default_types() if t["name"] == "SW_MAGx_LR_1B"]
    collections = [c for c in product_collection.default_collections() if c["name"] == COLLECTION]
    assert not product_type.import_types(catalog, types).failures
    assert not product_collection.import_collections(catalog, collections).failures
    days = [np.datetime64("2016-01-01T00:00:00") + np.timedelta64(day, "D") for day in range(2)]
    files = [write_mag_lr_product(tmp_path, day, day + np.timedelta64(86399, "s")) for day in days]
    argv = ("--catalog", catalog.url, "product", "register", "-c", COLLECTION)
    assert _modules_after(tmp_path, *argv, files[0])[0] == 0

    code, modules = _modules_after(tmp_path, *argv, files[1])

    assert code == 0
    assert "apexpy" in modules  # the orbit-direction update ran (its QD table needs apexpy)
    assert _loaded(modules, NOT_FOR_REGISTRATION) == []
