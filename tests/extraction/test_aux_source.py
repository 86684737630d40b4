"""AuxiliarySource: one per request, each computation once per product's columns, F from
B_NEC, the Sun from the columns it needs, and the variable registry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from vires_repo.catalog import Catalog
from vires_repo.errors import ExtractionRequestError
from vires_repo.extraction.auxiliaries import AUXILIARY_VARIABLES, AuxiliarySource
from vires_repo.extraction.auxiliaries import source as source_module
from vires_repo.extraction.auxiliaries.sun import sun_position
from vires_repo.timescales import datetime64_to_mjd2000

BEGIN, END = datetime(2016, 1, 1, tzinfo=UTC), datetime(2016, 1, 2, tzinfo=UTC)


@pytest.fixture
def source(tmp_path: Any) -> AuxiliarySource:
    return AuxiliarySource(Catalog(str(tmp_path)), BEGIN, END)


def product_columns(size: int = 50) -> dict[str, np.ndarray]:
    times = np.datetime64("2016-01-01T00:00:00", "ns") + np.arange(size) * np.timedelta64(1, "s")
    return {
        "Timestamp": times,
        "Latitude": np.linspace(-10.0, -6.9, size),
        "Longitude": np.full(size, 20.0),
        "Radius": np.full(size, 6_830_000.0),
        "B_NEC": np.tile([3.0, 4.0, 12.0], (size, 1)),
    }


def test_the_registry_names_vires_variables() -> None:
    expected = {
        "OrbitNumber",
        "OrbitDirection",
        "OrbitDirectionBoundaryType",
        "QDOrbitDirection",
        "QDOrbitDirectionBoundaryType",
        "Kp",
        "Kp10",
        "Dst",
        "dDst",
        "F107",
        "F10_INDEX",
        "QDLat",
        "QDLon",
        "MLT",
        "SunDeclination",
        "SunRightAscension",
        "SunHourAngle",
        "SunAzimuthAngle",
        "SunZenithAngle",
        "SunLongitude",
        "SunVector",
        "F",
    }
    assert set(AUXILIARY_VARIABLES) == expected
    assert AUXILIARY_VARIABLES["SunVector"].shape == (3,)
    assert AUXILIARY_VARIABLES["QDLat"].requires == ("Timestamp", "Latitude", "Longitude", "Radius")
    assert AUXILIARY_VARIABLES["F"].requires == ("B_NEC",)
    assert all(v.unit and v.description for v in AUXILIARY_VARIABLES.values())


def test_intensity_of_b_nec(source: AuxiliarySource) -> None:
    values = source.compute("F", product_columns(), mission="Swarm", spacecraft="A")

    assert values.dtype == np.float64
    assert values.tolist() == [13.0] * 50


def test_variables_computed_together_are_evaluated_once(
    source: AuxiliarySource, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = source_module.magnetic_coordinates

    def counting(*args: Any) -> dict[str, np.ndarray]:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(source_module, "magnetic_coordinates", counting)
    columns = product_columns()

    lat = source.compute("QDLat", columns, mission="Swarm", spacecraft="A")
    lon = source.compute("QDLon", columns, mission="Swarm", spacecraft="A")
    mlt = source.compute("MLT", columns, mission="Swarm", spacecraft="A")
    assert len(calls) == 1
    assert lat.shape == lon.shape == mlt.shape == (50,)

    # another product (new arrays): computed again
    source.compute("QDLat", product_columns(), mission="Swarm", spacecraft="A")
    assert len(calls) == 2


def test_sun_variables_need_only_their_columns(source: AuxiliarySource) -> None:
    columns = product_columns()
    times_only = {"Timestamp": columns["Timestamp"]}

    declination = source.compute("SunDeclination", times_only, mission="Swarm", spacecraft="A")
    zenith = source.compute("SunZenithAngle", columns, mission="Swarm", spacecraft="A")
    vector = source.compute("SunVector", columns, mission="Swarm", spacecraft="A")

    expected = sun_position(
        datetime64_to_mjd2000(columns["Timestamp"]),
        columns["Latitude"],
        columns["Longitude"],
        columns["Radius"] * 1e-3,
    )
    np.testing.assert_array_equal(declination, expected["SunDeclination"])
    np.testing.assert_array_equal(zenith, expected["SunZenithAngle"])
    assert vector.shape == (50, 3)


def test_an_unknown_name_is_a_request_error(source: AuxiliarySource) -> None:
    with pytest.raises(ExtractionRequestError) as caught:
        source.compute("B_NEC_Model", product_columns(), mission="Swarm", spacecraft="A")
    assert str(caught.value) == (
        "Invalid input value of 'variables'! 'B_NEC_Model' is not an auxiliary variable"
    )
