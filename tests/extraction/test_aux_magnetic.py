"""QDLat, QDLon and MLT (reference section 5.3): against apexpy called directly at each
sample's own epoch, and against eoxmagmod's reference values (what VirES outputs)."""

from __future__ import annotations

from datetime import timedelta

import apexpy
import numpy as np
import pytest
from testdata import TESTDATA

from vires_repo.errors import QuasiDipoleRangeError
from vires_repo.extraction.auxiliaries.knots import place_knots
from vires_repo.extraction.auxiliaries.magnetic import magnetic_coordinates
from vires_repo.orbit_direction.qd import decimal_year, geocentric_to_geodetic
from vires_repo.testing.sampling import SWARM_ORBITS, sample_times
from vires_repo.timescales import mjd2000_to_datetime64


def wrap(angle: np.ndarray, period: float = 360.0) -> np.ndarray:
    return (angle + period / 2) % period - period / 2


def apexpy_directly(times: np.ndarray, lat: np.ndarray, lon: np.ndarray, radius_m: np.ndarray):
    """QD latitude, longitude and MLT from apexpy, one call per sample at its decimal year."""
    geodetic_lat, height_m = geocentric_to_geodetic(lat, radius_m)
    apex = apexpy.Apex(date=2016.0, refh=0)
    result = np.empty((3, times.size))
    for i, (time, epoch) in enumerate(zip(times, decimal_year(times), strict=True)):
        apex.set_epoch(float(epoch))  # apexpy instances share one Fortran state: set it each time
        qd_lat, qd_lon = apex.geo2qd(geodetic_lat[i], lon[i], height_m[i] * 1e-3)
        mlt = apex.mlon2mlt(qd_lon, time.astype("datetime64[us]").item())
        result[:, i] = qd_lat, qd_lon, mlt
    return result


@pytest.fixture(scope="module")
def swarm_day() -> tuple[np.ndarray, ...]:
    times = sample_times("2016-03-01T00:00:00Z", "2016-03-01T23:59:59Z", timedelta(seconds=1))
    times = times.astype("datetime64[ns]")
    lat, lon, radius = SWARM_ORBITS["A"].positions(times)
    return times, lat, lon, radius


def test_a_day_of_swarm_positions_equals_apexpy(swarm_day: tuple[np.ndarray, ...]) -> None:
    times, lat, lon, radius = swarm_day

    result = magnetic_coordinates(times, lat, lon, radius)

    # every 97th sample (about 900): knots and samples between them, poles included
    picked = np.arange(0, times.size, 97)
    qd_lat, qd_lon, mlt = apexpy_directly(times[picked], lat[picked], lon[picked], radius[picked])
    assert np.abs(result["QDLat"][picked] - qd_lat).max() < 1e-4
    arc = wrap(result["QDLon"][picked] - qd_lon) * np.cos(np.radians(qd_lat))
    assert np.abs(arc).max() < 1e-4
    assert np.abs(wrap(result["QDLon"][picked] - qd_lon)).max() < 5e-3  # near the QD pole
    assert np.abs(wrap(result["MLT"][picked] - mlt, 24.0)).max() < 5e-4  # hours (2 s)
    assert result["QDLon"].min() >= -180.0 and result["QDLon"].max() <= 180.0
    assert result["MLT"].min() >= 0.0 and result["MLT"].max() < 24.0
    assert np.abs(result["QDLat"]).max() > 80.0  # the orbit reaches the QD poles


def test_values_do_not_depend_on_the_window(swarm_day: tuple[np.ndarray, ...]) -> None:
    times, lat, lon, radius = swarm_day
    whole = magnetic_coordinates(times, lat, lon, radius)

    part = slice(3_601, 3_601 + 600)
    window = magnetic_coordinates(times[part], lat[part], lon[part], radius[part])

    for name in ("QDLat", "QDLon", "MLT"):
        np.testing.assert_allclose(window[name], whole[name][part], atol=2e-4, err_msg=name)


def test_gaps_and_jumps_split_the_knots() -> None:
    times = np.array(
        [
            "2016-01-01T00:00:00",
            "2016-01-01T00:00:01",
            "2016-01-01T00:05:00",
            "2016-01-01T00:05:01",
            "2016-01-01T00:05:02",
            "2016-01-01T00:05:02",
        ],
        "datetime64[ns]",
    )
    lat = np.array([0.0, 0.06, 10.0, 10.06, 10.12, -45.0])
    lon = np.array([0.0, 0.0, 20.0, 20.0, 20.0, 100.0])

    knots = place_knots(times, lat, lon)

    assert knots.indices.tolist() == [0, 1, 2, 4, 5]
    assert knots.segment_of_sample.tolist() == [0, 0, 1, 1, 1, 2]
    assert knots.knot_count.tolist() == [2, 2, 1]


def test_quasi_dipole_reference_values_of_eoxmagmod() -> None:
    # eoxmagmod's QuasiDipoleTestData.tsv: geocentric positions (radius in km) all over the
    # globe from 2000 to 2030, one per row: every sample is its own segment, all exact.
    table = np.loadtxt(TESTDATA / "qd" / "QuasiDipoleTestData.tsv", skiprows=1)
    mjd2000, lat, lon, radius_km = table[:, 0], table[:, 2], table[:, 3], table[:, 4]
    inside = decimal_year(mjd2000_to_datetime64(mjd2000)) <= 2029.9
    times = mjd2000_to_datetime64(mjd2000[inside]).astype("datetime64[ns]")

    result = magnetic_coordinates(times, lat[inside], lon[inside], radius_km[inside] * 1e3)

    qd_lat, qd_lon, mlt = table[inside, 5], table[inside, 6], table[inside, 12]
    # apexpy and eoxmagmod agree to 5e-4 deg (reference swarm-data-formats.md section 4)
    assert np.abs(result["QDLat"] - qd_lat).max() < 1e-3
    arc = wrap(result["QDLon"] - qd_lon) * np.cos(np.radians(qd_lat))
    assert np.abs(arc).max() < 1e-3
    # MLT: apexpy maps the sub-solar point differently from eoxmagmod (16 s at most)
    assert np.abs(wrap(result["MLT"] - mlt, 24.0)).max() < 0.01


def test_non_finite_positions_give_nan() -> None:
    times = np.array(["2016-01-01T00:00:00", "2016-01-01T00:00:01"], "datetime64[ns]")

    result = magnetic_coordinates(
        times, np.array([10.0, np.nan]), np.array([5.0, 5.0]), np.array([6.8e6, 6.8e6])
    )

    assert np.isfinite(result["QDLat"][0]) and np.isnan(result["QDLat"][1])
    assert np.isnan(result["MLT"][1])


def test_times_beyond_the_model_are_refused() -> None:
    times = np.array(["2031-01-01T00:00:00"], "datetime64[ns]")

    with pytest.raises(QuasiDipoleRangeError):
        magnetic_coordinates(times, np.zeros(1), np.zeros(1), np.full(1, 6.8e6))
