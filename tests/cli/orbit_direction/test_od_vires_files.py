"""``orbit_direction import`` and ``export``: the VirES table CDF migration."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from od_env import OdEnv
from testdata import TESTDATA

from vires_repo.io.cdf import open_cdf
from vires_repo.services.orbit_direction.info import cached_product_records

REAL_TABLE = Path(TESTDATA / "orbit_direction/SW_VIRE_AUXBODBGEO_test_orbit_directions.cdf")


@pytest.mark.skipif(not REAL_TABLE.exists(), reason="real VirES table not available")
def test_the_real_swarm_b_table_imports_and_exports_unchanged(odenv: OdEnv, tmp_path) -> None:
    result = odenv("orbit_direction", "import", str(REAL_TABLE))
    assert result.code == 0, result.err
    assert result.err == (
        "INFO: SW_VIRE_AUXBODBGEO imported: 33 boundary point(s), 1 source product(s).\n"
    )
    target = tmp_path / "exported.cdf"
    result = odenv("orbit_direction", "export", "SW_VIRE_AUXBODBGEO", "-f", str(target))
    assert result.code == 0, result.err

    with open_cdf(REAL_TABLE) as original, open_cdf(target) as exported:
        assert exported.variable_names() == original.variable_names()
        for name in original.variable_names():
            assert exported.variable_info(name).data_type == original.variable_info(name).data_type
            assert np.array_equal(exported.read_variable(name), original.read_variable(name))
            assert exported._cdf.varattsget(name) == original._cdf.varattsget(name)
        before, after = original.global_attributes(), exported.global_attributes()
    assert sorted(after) == sorted(before)
    for name in ("PRODUCT_DESCRIPTION", "SOURCES"):
        assert after[name] == before[name]
    for name in ("SOURCE_TIME_RANGES", "NEIGHBOUR_DISTANCE", "NEIGHBOUR_OVERLAP"):
        assert np.array_equal(np.asarray(after[name]), np.asarray(before[name]))
    assert after["TITLE"] == ["SW_VIRE_AUXBODBGEO"]

    records = cached_product_records(odenv.catalog)
    [record] = [r for r in records if r.identifier == "SW_VIRE_AUXBODBGEO"]
    assert record.sources == before["SOURCES"]
    assert record.updated and record.location.endswith("orbit_direction/SW_VIRE_AUXBODBGEO")


def test_import_needs_a_table_name(odenv: OdEnv, tmp_path) -> None:
    result = odenv("orbit_direction", "import", str(tmp_path / "table.cdf"))
    assert result.code == 1
    assert "cannot tell which table" in result.err
    result = odenv("orbit_direction", "export", "SW_VIRE_AUXCODBGEO", "-f", str(tmp_path / "x"))
    assert (result.code, result.err) == (
        1,
        "ERROR: orbit-direction table SW_VIRE_AUXCODBGEO does not exist\n",
    )
