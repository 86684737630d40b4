"""OrbitDirection / QDOrbitDirection from the orbit-direction tables and OrbitNumber from the
orbit counters (reference vires-data-extraction.md, section 5.1), against the table rows."""

from __future__ import annotations

from datetime import UTC, datetime

import cdflib
import numpy as np
import pytest
from testdata import TESTDATA

from vires_repo.catalog import Catalog
from vires_repo.errors import ExtractionRequestError, NotFoundError
from vires_repo.extraction.auxiliaries import AuxiliarySource
from vires_repo.services.cached_product import update_cached_product
from vires_repo.services.orbit_direction.vires_files import import_vires_table

OD_TABLE = TESTDATA / "orbit_direction" / "SW_VIRE_AUXBODBGEO_test_orbit_directions.cdf"
ORBIT_COUNTER_A = TESTDATA / "aux" / "SW_OPER_AUXAORBCNT_sample.TXT"
MS = np.timedelta64(1, "ms")


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    catalog = Catalog(str(tmp_path_factory.mktemp("catalog")))
    import_vires_table(catalog, str(OD_TABLE))
    update_cached_product(catalog, "AUXAORBCNT", [str(ORBIT_COUNTER_A)])
    return catalog


@pytest.fixture(scope="module")
def table_rows() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The VirES table itself, read with cdflib: times, directions and boundary types."""
    cdf = cdflib.CDF(str(OD_TABLE))
    times = np.array(cdflib.cdfepoch.to_datetime(cdf.varget("Timestamp")), "datetime64[ms]")
    return times, cdf.varget("OrbitDirection"), cdf.varget("BoundaryType")


def lookup(catalog: Catalog, name: str, times: np.ndarray, spacecraft: str = "B") -> np.ndarray:
    source = AuxiliarySource(
        catalog, datetime(2016, 12, 31, tzinfo=UTC), datetime(2017, 1, 1, tzinfo=UTC)
    )
    columns = {"Timestamp": times.astype("datetime64[ns]")}
    return source.compute(name, columns, mission="Swarm", spacecraft=spacecraft)


def test_orbit_direction_is_that_of_the_last_boundary_at_or_before(
    catalog: Catalog, table_rows: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> None:
    times, directions, types = table_rows
    assert len(times) == 33
    # at each boundary, a millisecond before it, and half-way to the next one
    at = np.concatenate((times, times[1:] - MS, times[:-1] + (times[1:] - times[:-1]) // 2))
    expected_index = np.concatenate((np.arange(33), np.arange(32), np.arange(32)))

    direction = lookup(catalog, "OrbitDirection", at)
    boundary = lookup(catalog, "OrbitDirectionBoundaryType", at)

    assert direction.dtype == np.int8 and boundary.dtype == np.int8
    assert direction.tolist() == directions[expected_index].tolist()
    assert boundary.tolist() == types[expected_index].tolist()
    assert set(direction.tolist()) == {-1, 0, 1}


def test_outside_the_table_vires_no_data_values(
    catalog: Catalog, table_rows: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> None:
    times = table_rows[0]
    at = np.array([times[0] - MS, times[-1] + MS, times[-1] + np.timedelta64(1, "D")])

    assert lookup(catalog, "OrbitDirection", at).tolist() == [0, 0, 0]
    assert lookup(catalog, "OrbitDirectionBoundaryType", at).tolist() == [-1, -1, -1]


def test_a_table_not_built_yet_covers_nothing(catalog: Catalog) -> None:
    at = np.array(["2016-12-31T12:00:00"], "datetime64[ms]")

    assert lookup(catalog, "QDOrbitDirection", at).tolist() == [0]
    assert lookup(catalog, "QDOrbitDirectionBoundaryType", at).tolist() == [-1]


def test_orbit_number_from_the_orbit_counter(catalog: Catalog) -> None:
    # orbit 1 starts 2013-11-22T13:21:46.532, orbit 2 at 14:56:22.135, the last listed, 100,
    # at 2013-11-29T01:26:23.8637 (MJD2000 5081.0599984224): after the last node no data (-1),
    # as VirES (its look-up table ends there)
    at = np.array(
        [
            "2013-11-22T13:21:46.531",
            "2013-11-22T13:21:46.533",
            "2013-11-22T14:56:22.134",
            "2013-11-22T14:56:22.136",
            "2013-11-29T01:26:23.863",
            "2013-11-29T01:26:23.864",
            "2014-06-01T00:00:00",
        ],
        "datetime64[ms]",
    )

    numbers = lookup(catalog, "OrbitNumber", at, spacecraft="A")

    assert numbers.dtype == np.int32
    assert numbers.tolist() == [-1, 1, 1, 2, 99, -1, -1]


def test_orbit_number_of_a_spacecraft_without_counter_data(catalog: Catalog) -> None:
    at = np.array(["2016-12-31T12:00:00"], "datetime64[ms]")

    with pytest.raises(NotFoundError) as caught:
        lookup(catalog, "OrbitNumber", at, spacecraft="B")
    assert "cached product AUXBORBCNT is not in the catalogue" in str(caught.value)


def test_what_is_available_for_which_mission(catalog: Catalog) -> None:
    source = AuxiliarySource(
        catalog, datetime(2016, 1, 1, tzinfo=UTC), datetime(2016, 1, 2, tzinfo=UTC)
    )

    assert source.available("OrbitDirection", mission="Swarm", spacecraft="A")
    assert source.available("QDOrbitDirection", mission="Swarm", spacecraft="C", grade="FAST")
    assert source.available("OrbitNumber", mission="GOCE", spacecraft=None)
    assert source.available("OrbitDirection", mission="CryoSat-2", spacecraft=None)
    assert not source.available("OrbitDirection", mission="Swarm", spacecraft="D")
    assert not source.available("OrbitNumber", mission="Observatories", spacecraft=None)
    assert source.available("Kp", mission="Observatories", spacecraft=None)
    assert not source.available("B_NEC", mission="Swarm", spacecraft="A")

    with pytest.raises(ExtractionRequestError) as caught:
        source.compute(
            "OrbitDirection",
            {"Timestamp": np.array(["2016-01-01"], "datetime64[ns]")},
            mission="Swarm",
            spacecraft="D",
        )
    assert str(caught.value) == (
        "Invalid input value of 'variables'! No orbit directions for Swarm/D/-"
    )
