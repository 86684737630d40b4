"""Import and export of VirES orbit-direction table CDFs, with the real Swarm B test table."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from testdata import TESTDATA

from vires_repo.errors import OrbitDirectionIntegrityError
from vires_repo.io.cdf import open_cdf
from vires_repo.orbit_direction.extract import Boundaries
from vires_repo.orbit_direction.missions import TableKey
from vires_repo.orbit_direction.table import (
    OrbitDirectionTable,
    Source,
)
from vires_repo.orbit_direction.vires_cdf import read_vires_table, write_vires_table

REAL_TABLE = Path(str(TESTDATA / "orbit_direction/SW_VIRE_AUXBODBGEO_test_orbit_directions.cdf"))
KEY = TableKey("Swarm", "B", None, "GEO")
SOURCE_ID = "SW_OPER_MAGB_LR_1B_20161231T000000_20161231T235959_0505_MDR_MAG_LR"


@pytest.fixture(scope="module")
def real_table() -> OrbitDirectionTable:
    if not REAL_TABLE.exists():
        pytest.skip(f"{REAL_TABLE} not available")
    return read_vires_table(REAL_TABLE, KEY)


def test_the_real_swarm_b_table_imports(real_table):
    boundaries = real_table.boundaries
    assert len(boundaries) == 33
    assert boundaries.times[:3].astype(str).tolist() == [
        "2016-12-31T00:00:00.000",
        "2016-12-31T00:02:41.838",
        "2016-12-31T00:50:04.756",
    ]
    assert boundaries.types[:3].tolist() == [1, 0, 0]
    assert boundaries.directions[:3].tolist() == [1, -1, 1]
    assert str(boundaries.times[-2]) == "2016-12-31T23:43:56.792"
    assert (str(boundaries.times[-1]), int(boundaries.types[-1])) == ("2017-01-01T00:00:00.000", -1)
    assert real_table.sources == [
        Source(
            SOURCE_ID,
            np.datetime64("2016-12-31T00:00:00.000"),
            np.datetime64("2016-12-31T23:59:59.000"),
        )
    ]
    real_table.verify()


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2016-12-31T08:00", "2016-12-31T20:00", slice(11, 28)),
        ("2016-12-31T12:00", "2016-12-31T12:00", slice(16, 18)),
        ("2016-12-30T00:00", "2016-12-31T00:00", slice(0, 2)),
    ],
)
def test_subsets_match_the_vires_reader_tests(real_table, start, end, expected):
    subset = real_table.subset(np.datetime64(start, "ms"), np.datetime64(end, "ms"))
    assert subset.equals(real_table.boundaries.slice(expected.start, expected.stop))


def test_lookup_on_the_real_table(real_table):
    times = np.array(
        [
            "2016-12-30T23:59:59",
            "2016-12-31T00:01:00",
            "2016-12-31T00:02:41.838",
            "2016-12-31T12:00",
            "2016-12-31T23:59:59.999",
            "2017-01-01T00:00",
            "2017-01-02",
        ],
        "datetime64[ms]",
    )
    directions, types = real_table.lookup(times)
    assert directions.tolist() == [0, 1, -1, int(real_table.boundaries.directions[16]), -1, 0, 0]
    assert types.tolist() == [-1, 1, 0, 0, 0, -1, -1]


def test_export_then_import_gives_the_same_table(real_table, tmp_path):
    target = tmp_path / "SW_VIRE_AUXBODBGEO.cdf"
    write_vires_table(real_table, target, created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))

    loaded = read_vires_table(target, KEY)

    assert loaded.boundaries.equals(real_table.boundaries)
    assert loaded.sources == real_table.sources
    with open_cdf(target) as cdf:
        assert cdf.variable_info("Timestamp").data_type == "CDF_EPOCH"
        assert cdf.variable_info("BoundaryType").data_type == "CDF_INT1"
        assert cdf.variable_info("OrbitDirection").data_type == "CDF_INT1"
        attributes = cdf.global_attributes()
    assert attributes["TITLE"] == ["SW_VIRE_AUXBODBGEO"]
    assert attributes["PRODUCT_DESCRIPTION"] == [
        "Orbit directions boundaries in geographic coordinates."
    ]
    assert attributes["SOURCES"] == [SOURCE_ID]
    assert attributes["CREATED"] == ["2026-01-02T03:04:05Z"]
    assert float(attributes["NEIGHBOUR_DISTANCE"][0]) == 1000.0
    assert float(attributes["NEIGHBOUR_OVERLAP"][0]) == 3000.0
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_export_of_a_multi_source_qd_table(tmp_path):
    key = TableKey("Swarm", "A", "FAST", "QD")
    times = np.array(
        [
            "2016-01-01T00:00",
            "2016-01-01T00:30",
            "2016-01-01T01:00",
            "2016-01-01T02:00",
            "2016-01-01T02:10",
        ],
        "datetime64[ms]",
    )
    table = OrbitDirectionTable(
        key,
        Boundaries(
            times, np.array([1, 0, -1, 1, -1], np.int8), np.array([1, -1, 0, 1, 0], np.int8)
        ),
        [
            Source("X", times[0], times[2] - np.timedelta64(1, "s")),
            Source("Y", times[3], times[4] - np.timedelta64(1, "s")),
        ],
    )
    target = tmp_path / "table.cdf"
    write_vires_table(table, target)
    loaded = read_vires_table(target, key)
    assert loaded.boundaries.equals(table.boundaries) and loaded.sources == table.sources
    with open_cdf(target) as cdf:
        attributes = cdf.global_attributes()
    assert attributes["TITLE"] == ["SW_FAST_AUXAODBMAG"]
    assert attributes["PRODUCT_DESCRIPTION"] == [
        "Orbit directions boundaries in quasi-dipole coordinates."
    ]


def test_an_invalid_table_is_not_written(tmp_path):
    times = np.array(["2016-01-01T00:00", "2016-01-01T00:30"], "datetime64[ms]")
    table = OrbitDirectionTable(
        KEY, Boundaries(times, np.array([0, -1], np.int8), np.array([1, 0], np.int8))
    )
    with pytest.raises(OrbitDirectionIntegrityError):
        write_vires_table(table, tmp_path / "bad.cdf")
    assert not list(tmp_path.iterdir())
