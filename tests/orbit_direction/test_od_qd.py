"""Quasi-Dipole latitude (apexpy) and the coarse-to-fine QD boundary extraction."""

from __future__ import annotations

import numpy as np
import pytest
from testdata import TESTDATA

from vires_repo.orbit_direction.extract import OrbitSamples
from vires_repo.orbit_direction.missions import (
    DEFAULT_THRESHOLDS,
    GOCE_THRESHOLDS,
    OrbitDirectionThresholds,
)
from vires_repo.orbit_direction.qd import (
    WGS84_A_M,
    WGS84_F,
    decimal_year,
    extract_qd_orbit_directions,
    geocentric_to_geodetic,
    qd_latitude,
)
from vires_repo.testing.sampling import SWARM_ORBITS, CircularOrbit

pytest.importorskip("apexpy")

QD_REFERENCE = TESTDATA / "qd/QuasiDipoleTestData.tsv"
GOCE_ORBIT = CircularOrbit(altitude_m=255e3, inclination_deg=96.7, node_deg=10.0)


def read_qd_reference() -> dict[str, np.ndarray]:
    lines = QD_REFERENCE.read_text().splitlines()
    header = lines[0].strip().split("\t")
    rows = np.array([[float(x) for x in line.split("\t")] for line in lines[1:] if line.strip()])
    return {name: rows[:, i] for i, name in enumerate(header)}


@pytest.fixture(scope="module")
def qd_reference() -> dict[str, np.ndarray]:
    if not QD_REFERENCE.exists():
        pytest.skip(f"{QD_REFERENCE} not available")
    return read_qd_reference()


def mjd2000_times(mjd2000: np.ndarray) -> np.ndarray:
    micros = np.rint(mjd2000 * 86400e6).astype(np.int64).astype("timedelta64[us]")
    return np.datetime64("2000-01-01T00:00:00", "us") + micros


def test_qd_latitude_matches_the_eoxmagmod_reference_table(qd_reference):
    samples = OrbitSamples(
        mjd2000_times(qd_reference["MJD2000"]),
        qd_reference["Latitude"],
        qd_reference["Longitude"],
        qd_reference["Radius"] * 1e3,
    )
    assert len(samples) == 1369
    error = np.abs(qd_latitude(samples) - qd_reference["QDLatitude"])
    assert error.max() < 1e-3


def test_decimal_year_matches_the_reference_table(qd_reference):
    years = decimal_year(mjd2000_times(qd_reference["MJD2000"]))
    assert np.abs(years - qd_reference["DecimalYear"]).max() < 1e-9


def test_geodetic_conversion_inverts_the_forward_formula():
    rng = np.random.default_rng(1)
    geodetic_lat = np.concatenate([[-90.0, 0.0, 90.0], rng.uniform(-90, 90, 1000)])
    height = np.concatenate([[450e3, 0.0, 6000e3], rng.uniform(0, 7000e3, 1000)])
    phi = np.radians(geodetic_lat)
    e2 = WGS84_F * (2 - WGS84_F)
    normal = WGS84_A_M / np.sqrt(1 - e2 * np.sin(phi) ** 2)
    p = (normal + height) * np.cos(phi)
    z = (normal * (1 - e2) + height) * np.sin(phi)

    lat, h = geocentric_to_geodetic(np.degrees(np.arctan2(z, p)), np.hypot(p, z))

    assert np.abs(lat - geodetic_lat).max() < 1e-9
    assert np.abs(h - height).max() < 1e-6


def test_epoch_is_set_for_every_call_despite_the_shared_fortran_state():
    times_2005 = np.array(["2005-06-01T00:00"] * 3, "datetime64[ms]")
    times_2025 = np.array(["2025-06-01T00:00"] * 3, "datetime64[ms]")
    position = (np.array([60.0, 70.0, -50.0]), np.array([10.0, -80.0, 140.0]), np.full(3, 6.8e6))
    first = qd_latitude(OrbitSamples(times_2005, *position))
    later = qd_latitude(OrbitSamples(times_2025, *position))
    again = qd_latitude(OrbitSamples(times_2005, *position))
    assert np.array_equal(first, again)
    assert np.abs(first - later).max() > 0.05  # two decades of secular variation


def test_a_sample_has_the_same_qd_latitude_in_any_batch(make_samples):
    samples = make_samples(SWARM_ORBITS["A"], "2016-03-01T23:00", "2016-03-02T01:00")
    whole = qd_latitude(samples)
    parts = np.concatenate(
        [qd_latitude(samples.take(slice(0, 100))), qd_latitude(samples.take(slice(100, None)))]
    )
    assert np.array_equal(whole, parts)
    # the epoch changes continuously across midnight
    assert np.abs(np.diff(whole)).max() < 0.1


def with_gaps_and_nans(samples: OrbitSamples) -> OrbitSamples:
    times = samples.times
    gap = (times >= times[0] + np.timedelta64(30000, "s")) & (
        times < times[0] + np.timedelta64(30020, "s")
    )
    latitudes = samples.latitudes.copy()
    latitudes[[3, 40000, 60000]] = np.nan
    return OrbitSamples(times, latitudes, samples.longitudes, samples.radii).take(~gap)


def assert_same_boundaries(fast, full) -> None:
    assert fast.skipped_nan == full.skipped_nan
    assert np.array_equal(fast.boundaries.types, full.boundaries.types)
    assert np.array_equal(fast.boundaries.directions, full.boundaries.directions)
    difference = np.abs((fast.boundaries.times - full.boundaries.times).astype(np.int64))
    assert difference.max() <= 1


@pytest.mark.parametrize(
    ("orbit", "day"),
    [
        (SWARM_ORBITS["A"], "2014-02-10"),
        (SWARM_ORBITS["B"], "2016-12-31"),
        (SWARM_ORBITS["C"], "2019-07-04"),
        (
            CircularOrbit(altitude_m=430e3, inclination_deg=87.35, node_deg=200.0, u0_deg=77.0),
            "2023-03-21",
        ),
    ],
    ids=["A-2014", "B-2016", "C-2019", "A-2023"],
)
def test_coarse_to_fine_equals_the_full_resolution_computation(make_samples, orbit, day):
    samples = with_gaps_and_nans(make_samples(orbit, day, np.datetime64(day) + 1))
    thresholds = DEFAULT_THRESHOLDS
    arguments = (thresholds.nominal_sampling, thresholds.gap_threshold)

    fast = extract_qd_orbit_directions(samples, *arguments)
    full = extract_qd_orbit_directions(samples, *arguments, step=1)

    assert len(full.boundaries) > 30
    assert full.skipped_nan == 3
    assert_same_boundaries(fast, full)


@pytest.mark.parametrize("step", [2, 7, 200])
def test_coarse_to_fine_equals_full_resolution_for_any_step(make_samples, step):
    samples = make_samples(SWARM_ORBITS["B"], "2015-05-05T00:00", "2015-05-05T08:00")
    arguments = (DEFAULT_THRESHOLDS.nominal_sampling, DEFAULT_THRESHOLDS.gap_threshold)
    assert_same_boundaries(
        extract_qd_orbit_directions(samples, *arguments, step=step),
        extract_qd_orbit_directions(samples, *arguments, step=1),
    )


def test_coarse_to_fine_equals_full_resolution_at_goce_sampling(make_samples):
    samples = make_samples(GOCE_ORBIT, "2012-06-01", "2012-06-03", step_ms=16000)
    thresholds: OrbitDirectionThresholds = GOCE_THRESHOLDS
    arguments = (thresholds.nominal_sampling, thresholds.gap_threshold)
    assert_same_boundaries(
        extract_qd_orbit_directions(samples, *arguments),
        extract_qd_orbit_directions(samples, *arguments, step=1),
    )


def test_short_segments_are_evaluated_whole(make_samples):
    samples = make_samples(SWARM_ORBITS["A"], "2016-01-01T00:00", "2016-01-01T00:02")
    arguments = (DEFAULT_THRESHOLDS.nominal_sampling, DEFAULT_THRESHOLDS.gap_threshold)
    fast = extract_qd_orbit_directions(samples, *arguments)
    assert fast.boundaries.types.tolist() == [1, -1]
    assert_same_boundaries(fast, extract_qd_orbit_directions(samples, *arguments, step=1))


def test_times_outside_the_magnetic_model_fail_instead_of_ending_the_process() -> None:
    # apexpy's Fortran library stops the interpreter for such dates; the check comes first.
    from vires_repo.errors import QuasiDipoleRangeError

    times = np.array(["2030-06-01T00:00:00", "2030-06-01T00:00:01"], dtype="datetime64[us]")
    samples = OrbitSamples(
        times, np.array([10.0, 10.1]), np.array([20.0, 20.0]), np.array([6.8e6, 6.8e6])
    )
    with pytest.raises(QuasiDipoleRangeError, match="not available for 2030.4"):
        qd_latitude(samples)
