"""Absurd and NaN times in cached-product inputs (issue 11): ``cached_product update`` refuses
them with one ``ERROR:`` line naming the file and keeps the stored product; ``check`` reports a
stored table whose rows have no valid time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_cached_product_cli import DST, F107, KP, MCO_2C, ORBCNT_A, snapshot

from vires_repo.cached_products.store import MANIFEST_PATH, sha256
from vires_repo.catalog import Catalog
from vires_repo.io.cdf import CdfVariable, write_cdf

CliRunner = Callable[..., Any]


def _replace_time(source: Path, data_line: int, value: str) -> str:
    """The text of ``source`` with the first token of its ``data_line``-th data line (0-based,
    -1 for the last) replaced by ``value``."""
    lines = source.read_text(encoding="ascii").splitlines()
    data = [i for i, line in enumerate(lines) if line.strip() and line.lstrip()[0] not in "#%"]
    index = data[data_line]
    tokens = lines[index].split()
    lines[index] = "  ".join([value, *tokens[1:]])
    return "\n".join(lines) + "\n"


def _only_data_line(source: Path, value: str) -> str:
    """``source`` with all data lines but the first dropped, its time set to ``value``."""
    lines = source.read_text(encoding="ascii").splitlines()
    comments = [line for line in lines if not line.strip() or line.lstrip()[0] in "#%"]
    first = _replace_time(source, 0, value).splitlines()
    data = [line for line in first if line.strip() and line.lstrip()[0] not in "#%"]
    return "\n".join([*comments, data[0]]) + "\n"


# (type, valid source, bad text, what the message names)
_F107_BAD = [
    ("nan-first", _replace_time(F107, 0, "nan")),
    ("huge-last", _replace_time(F107, -1, "1e15")),
    ("negative-huge", _replace_time(F107, 0, "-1e15")),
    ("inf", _replace_time(F107, -1, "inf")),
    ("no-valid-row", _only_data_line(F107, "nan")),
    ("one-huge-row", _only_data_line(F107, "1e15")),
]
CASES = [
    *(pytest.param("AUX_F10_2_", F107, text, id=f"f107-{name}") for name, text in _F107_BAD),
    pytest.param("GFZ_AUX_KP", KP, _replace_time(KP, -1, "1e15"), id="kp-huge"),
    pytest.param("GFZ_AUX_KP", KP, _only_data_line(KP, "nan"), id="kp-no-valid-row"),
    pytest.param("GFZ_AUX_DST", DST, _replace_time(DST, 0, "-1e15"), id="dst-negative-huge"),
    pytest.param("GFZ_AUX_DST", DST, _only_data_line(DST, "1e15"), id="dst-one-huge-row"),
]


@pytest.fixture
def run(cli: CliRunner, catalog_root: str) -> CliRunner:
    def command(*argv: str | Path) -> Any:
        return cli("--catalog", catalog_root, *map(str, argv))

    return command


def _assert_one_time_error(err: str, type_id: str, name: str) -> None:
    assert err.startswith(f"ERROR: Failed to update cached product {type_id}: {name}: "), err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "not a time between the years 0001 and 9999" in err or "not a year between" in err


@pytest.mark.parametrize(("type_id", "source", "text"), CASES)
def test_bad_times_are_refused_and_keep_the_product(
    run: CliRunner, catalog: Catalog, tmp_path: Path, type_id: str, source: Path, text: str
) -> None:
    assert run("cached_product", "update", type_id, source).code == 0
    before = snapshot(catalog)
    bad = tmp_path / source.name
    bad.write_text(text, encoding="ascii")

    code, out, err = run("cached_product", "update", type_id, bad)

    assert (code, out) == (1, "")
    _assert_one_time_error(err, type_id, source.name)
    assert snapshot(catalog) == before


def test_an_orbit_counter_with_a_huge_time(
    run: CliRunner, catalog: Catalog, tmp_path: Path
) -> None:
    assert run("cached_product", "update", "AUXAORBCNT", ORBCNT_A).code == 0
    before = snapshot(catalog)
    bad = tmp_path / ORBCNT_A.name
    lines = ORBCNT_A.read_text(encoding="ascii").splitlines()
    fields = lines[4].split()
    fields[1] = "1e15"
    lines[4] = "  ".join(fields)
    bad.write_text("\n".join(lines) + "\n", encoding="ascii")

    code, _, err = run("cached_product", "update", "AUXAORBCNT", bad)

    assert code == 1
    _assert_one_time_error(err, "AUXAORBCNT", ORBCNT_A.name)
    assert "1000000000000000.0" in err and "data record 4" in err
    assert snapshot(catalog) == before


def test_a_shc_model_time_outside_the_years_1_to_9999(
    run: CliRunner, catalog: Catalog, tmp_path: Path
) -> None:
    assert run("cached_product", "update", "MCO_SHA_2C", MCO_2C).code == 0
    before = snapshot(catalog)
    bad = tmp_path / MCO_2C.name
    bad.write_text(
        MCO_2C.read_text(encoding="ascii").replace("2013.8980", "1e15", 1), encoding="ascii"
    )

    code, _, err = run("cached_product", "update", "MCO_SHA_2C", bad)

    assert code == 1
    _assert_one_time_error(err, "MCO_SHA_2C", MCO_2C.name)
    assert snapshot(catalog) == before


# -- check -----------------------------------------------------------------------------------


def _plant_f107(catalog: Catalog, tmp_path: Path, times: list[float]) -> None:
    """Replace the stored F10.7 product by a CDF with ``times``, its manifest made to match."""
    path = tmp_path / "planted.cdf"
    values = np.full(len(times), 70.0)
    write_cdf(
        path,
        {
            "MJD2000": CdfVariable(np.asarray(times, dtype="float64"), "CDF_DOUBLE"),
            "F10.7": CdfVariable(values, "CDF_DOUBLE"),
            "F10.7_avg81d": CdfVariable(values, "CDF_DOUBLE"),
            "F10.7_avg81d_count": CdfVariable(np.ones(len(times), "int32"), "CDF_INT4"),
        },
        {},
    )
    data = path.read_bytes()
    storage = catalog.storage
    document = json.loads(storage.read_bytes(MANIFEST_PATH))
    (record,) = [r for r in document["cached_products"] if r["identifier"] == "AUX_F10_2_"]
    storage.write_bytes(record["location"], data)
    record["checksum"] = record["files"][0]["checksum"] = sha256(data)
    record["files"][0]["size"] = len(data)
    storage.write_bytes(MANIFEST_PATH, json.dumps(document, indent=2).encode("utf-8"))


def test_check_accepts_valid_cached_products(run: CliRunner) -> None:
    assert run("cached_product", "update", "AUX_F10_2_", F107).code == 0
    assert run("cached_product", "update", "GFZ_AUX_KP", KP).code == 0

    code, out, _ = run("check", "--only", "cached-products")

    assert code == 0, out


@pytest.mark.parametrize(
    ("times", "problem"),
    [
        pytest.param([6660.5, 1e15, 6662.5], "1 row(s) without a valid time", id="huge"),
        pytest.param([float("nan"), 6661.5], "1 row(s) without a valid time", id="nan"),
        pytest.param([6661.5, 6660.5], "times are not strictly increasing", id="unsorted"),
    ],
)
def test_check_reports_a_stored_table_with_bad_times(
    run: CliRunner, catalog: Catalog, tmp_path: Path, times: list[float], problem: str
) -> None:
    assert run("cached_product", "update", "AUX_F10_2_", F107).code == 0
    _plant_f107(catalog, tmp_path, times)

    code, out, err = run("check", "--only", "cached-products")

    assert code == 1
    assert f"cached product AUX_F10_2_: {problem}" in out + err


def test_check_reports_a_cached_file_that_does_not_match_the_manifest(
    run: CliRunner, catalog: Catalog
) -> None:
    assert run("cached_product", "update", "MCO_SHA_2C", MCO_2C).code == 0
    catalog.storage.write_bytes("cached_products/SW_OPER_MCO_SHA_2C.shc", b"edited by hand\n")
    catalog.storage.remove("cached_products/SW_OPER_MCO_SHA_2C.shc.source")

    code, out, err = run("check", "--only", "cached-products")

    assert code == 1
    text = out + err
    assert re.search(r"SW_OPER_MCO_SHA_2C\.shc does not match its checksum", text), text
    assert "SW_OPER_MCO_SHA_2C.shc.source is missing" in text
