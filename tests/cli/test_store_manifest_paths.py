"""The orbit-direction and cached-product manifests name files of their own folder only: a
hand-edited name reaching a (planted, readable) file elsewhere is one ``ERROR:`` line naming
the manifest, and the planted file is not read."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from od_env import OdEnv
from testdata import TESTDATA

CliRunner = Callable[..., Any]
GEO_MANIFEST = "orbit_direction/SW_VIRE_AUXAODBGEO/_manifest.json"
CACHED_MANIFEST = "cached_products/_manifest.json"


def _one_error(result: Any, *parts: str) -> None:
    assert result.code == 1, result.err
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR: "), result.err
    for part in parts:
        assert part in lines[0], lines[0]


@pytest.mark.parametrize("field", ["points", "sources"])
def test_an_orbit_direction_month_naming_a_file_elsewhere_is_refused(
    local_odenv: OdEnv, field: str
) -> None:
    assert local_odenv.register(local_odenv.product(0)).code == 0
    root = Path(local_odenv.root)
    manifest = root / GEO_MANIFEST
    document = json.loads(manifest.read_text())
    month = document["months"][0]
    real = (
        root / f"orbit_direction/SW_VIRE_AUXAODBGEO/{field}/{month['month']}-{month[field]}.parquet"
    )
    shutil.copy(real, root / "planted.parquet")
    month[field] = "x/../../../../planted"
    manifest.write_text(json.dumps(document))

    result = local_odenv("orbit_direction", "export", "SW_VIRE_AUXAODBGEO", "-f", "out.cdf")

    _one_error(result, GEO_MANIFEST, f"months.0.{field}")


@pytest.mark.parametrize("how", ["location", "file name"])
def test_a_cached_product_record_naming_a_file_elsewhere_is_refused(
    cli: CliRunner, tmp_path: Path, how: str
) -> None:
    root = tmp_path / "catalog"
    kp = TESTDATA / "aux" / "Kp_MJD_1998_QL_sample.dat"
    assert cli("--catalog", str(root), "cached_product", "update", "GFZ_AUX_KP", str(kp)).code == 0
    shutil.move(root / "cached_products/aux_kp.cdf", root / "aux_kp.cdf")
    manifest = root / CACHED_MANIFEST
    document = json.loads(manifest.read_text())
    record = document["cached_products"][0]
    if how == "location":
        record["location"] = "aux_kp.cdf"
    else:
        record["location"] = "cached_products/../aux_kp.cdf"
        record["files"][0]["name"] = "../aux_kp.cdf"
    manifest.write_text(json.dumps(document))

    for argv in (("sql", "SELECT count(*) FROM kp"), ("cached_product", "dump")):
        _one_error(cli("--catalog", str(root), *argv), CACHED_MANIFEST, "cached_products.0")
