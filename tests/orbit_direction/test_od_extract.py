"""Boundary extraction from latitude series (reference 8.3) on synthetic circular orbits."""

from __future__ import annotations

import numpy as np
import pytest

from vires_repo.orbit_direction.extract import (
    BoundaryType,
    OrbitDirection,
    OrbitSamples,
    extract_orbit_directions,
    sanitize_samples,
)
from vires_repo.orbit_direction.missions import (
    DEFAULT_THRESHOLDS,
    GOCE_THRESHOLDS,
    OrbitDirectionThresholds,
)
from vires_repo.testing.sampling import SWARM_ORBITS, CircularOrbit

GOCE_ORBIT = CircularOrbit(altitude_m=255e3, inclination_deg=96.7, node_deg=10.0)


def extract(samples: OrbitSamples, thresholds: OrbitDirectionThresholds = DEFAULT_THRESHOLDS):
    return extract_orbit_directions(
        samples.times, samples.latitudes, thresholds.nominal_sampling, thresholds.gap_threshold
    )


def deviation_ms(found: np.ndarray, expected: np.ndarray) -> np.ndarray:
    return np.abs((found.astype("datetime64[us]") - expected).astype(np.float64)) / 1000.0


@pytest.mark.parametrize(
    ("orbit", "thresholds"),
    [
        (SWARM_ORBITS["A"], DEFAULT_THRESHOLDS),
        (SWARM_ORBITS["B"], DEFAULT_THRESHOLDS),
        (SWARM_ORBITS["C"], DEFAULT_THRESHOLDS),
        (GOCE_ORBIT, GOCE_THRESHOLDS),
    ],
    ids=["swarm-a", "swarm-b", "swarm-c", "goce-thresholds"],
)
def test_turning_points_of_a_1hz_day_match_the_analytic_ones(make_samples, orbit, thresholds):
    samples = make_samples(orbit, "2016-12-31", "2017-01-01")
    result = extract(samples, thresholds)
    boundaries = result.boundaries
    expected_times, kinds = orbit.turning_points(samples.times[0], samples.times[-1])

    assert result.skipped_nan == 0
    assert len(boundaries) == expected_times.size + 2
    assert deviation_ms(boundaries.times[1:-1], expected_times).max() <= 10.0
    # a maximum (kind +1) turns the orbit descending
    assert np.array_equal(boundaries.directions[1:-1], -kinds)
    assert boundaries.types.tolist() == [1] + [0] * expected_times.size + [-1]
    assert boundaries.times[0] == samples.times[0]
    assert boundaries.times[-1] == samples.times[-1] + thresholds.nominal_sampling
    assert boundaries.directions[-1] == OrbitDirection.UNDEFINED
    assert boundaries.directions[0] == -boundaries.directions[1]


def test_goce_16s_sampling_finds_every_turning_point(make_samples):
    samples = make_samples(GOCE_ORBIT, "2012-06-01", "2012-06-02", step_ms=16000)
    boundaries = extract(samples, GOCE_THRESHOLDS).boundaries
    expected_times, kinds = GOCE_ORBIT.turning_points(samples.times[0], samples.times[-1])

    assert np.array_equal(boundaries.directions[1:-1], -kinds)
    # the parabola through 16 s samples is less exact than through 1 s samples
    assert deviation_ms(boundaries.times[1:-1], expected_times).max() <= 100.0
    assert boundaries.times[-1] == samples.times[-1] + np.timedelta64(16, "s")


def test_gaps_longer_than_the_threshold_split_the_input_into_blocks(make_samples):
    samples = make_samples(SWARM_ORBITS["A"], "2016-01-01T00:00", "2016-01-01T06:00")
    times = samples.times
    gap = (times >= np.datetime64("2016-01-01T02:00:00")) & (
        times < np.datetime64("2016-01-01T02:00:16")
    )
    short_gap = (times >= np.datetime64("2016-01-01T04:00:00")) & (
        times < np.datetime64("2016-01-01T04:00:14")
    )
    boundaries = extract(samples.take(~(gap | short_gap))).boundaries

    flagged = boundaries.types != BoundaryType.REGULAR
    assert boundaries.types[flagged].tolist() == [1, -1, 1, -1]
    assert boundaries.times[flagged].astype(str).tolist() == [
        "2016-01-01T00:00:00.000",
        "2016-01-01T02:00:00.000",  # last sample before the 17 s gap + 1 s
        "2016-01-01T02:00:16.000",
        "2016-01-01T06:00:00.000",
    ]
    expected_times, _ = SWARM_ORBITS["A"].turning_points(times[0], times[-1])
    assert deviation_ms(boundaries.times[~flagged], expected_times).max() <= 10.0


def test_a_single_sample_segment_is_skipped_and_two_samples_make_a_block():
    times = np.array(
        ["2016-01-01T00:00:00", "2016-01-01T00:01:00", "2016-01-01T00:01:01"], "datetime64[ms]"
    )
    boundaries = extract_orbit_directions(
        times, np.array([5.0, 10.0, 9.0]), np.timedelta64(1, "s"), np.timedelta64(15, "s")
    ).boundaries
    assert boundaries.times.astype(str).tolist() == [
        "2016-01-01T00:01:00.000",
        "2016-01-01T00:01:02.000",
    ]
    assert boundaries.types.tolist() == [1, -1]
    assert boundaries.directions.tolist() == [-1, 0]


def test_nan_latitudes_are_skipped_and_counted(make_samples):
    samples = make_samples(SWARM_ORBITS["B"], "2016-01-01T00:00", "2016-01-01T03:00")
    latitudes = samples.latitudes.copy()
    nan_at = np.array([0, 5, 777, 2850, 2851, 5000])
    latitudes[nan_at] = np.nan
    result = extract_orbit_directions(
        samples.times, latitudes, np.timedelta64(1, "s"), np.timedelta64(15, "s")
    )
    keep = np.isfinite(latitudes)
    clean = extract_orbit_directions(
        samples.times[keep], latitudes[keep], np.timedelta64(1, "s"), np.timedelta64(15, "s")
    )
    assert result.skipped_nan == nan_at.size
    assert result.boundaries.equals(clean.boundaries)


def test_unsorted_and_repeated_times_are_sanitized_and_reported(make_samples):
    samples = make_samples(SWARM_ORBITS["A"], "2016-01-01T00:00", "2016-01-01T03:00")
    rng = np.random.default_rng(7)
    order = rng.permutation(len(samples))
    repeated = np.concatenate([order, rng.choice(len(samples), 50, replace=False)])
    messy = samples.take(repeated)

    cleaned, issues = sanitize_samples(messy)

    assert issues.unsorted and issues.duplicates == 50
    assert issues.messages() == [
        "Timestamp values are not sorted!",
        "Timestamp values are not unique!",
    ]
    assert np.array_equal(cleaned.times, samples.times)
    assert np.array_equal(cleaned.latitudes, samples.latitudes)
    assert extract(cleaned).boundaries.equals(extract(samples).boundaries)
    _, clean_issues = sanitize_samples(samples)
    assert clean_issues.messages() == []


def test_duplicate_times_keep_the_first_sample():
    times = np.array(
        ["2016-01-01T00:00:01", "2016-01-01T00:00:00", "2016-01-01T00:00:01"], "M8[ms]"
    )
    values = np.array([1.0, 2.0, 3.0])
    cleaned, issues = sanitize_samples(OrbitSamples(times, values, values, values))
    assert cleaned.latitudes.tolist() == [2.0, 1.0]
    assert issues.unsorted and issues.duplicates == 1


def test_extraction_refuses_unsanitized_times():
    times = np.array(["2016-01-01T00:00:01", "2016-01-01T00:00:00"], "datetime64[ms]")
    with pytest.raises(ValueError, match="strictly increasing"):
        extract_orbit_directions(
            times, np.array([1.0, 2.0]), np.timedelta64(1, "s"), np.timedelta64(15, "s")
        )


def test_microsecond_times_give_millisecond_boundaries(make_samples):
    samples = make_samples(SWARM_ORBITS["A"], "2016-01-01T00:00", "2016-01-01T03:00")
    in_us = extract_orbit_directions(
        samples.times.astype("datetime64[us]"),
        samples.latitudes,
        np.timedelta64(1, "s"),
        np.timedelta64(15, "s"),
    ).boundaries
    assert in_us.times.dtype == np.dtype("datetime64[ms]")
    assert in_us.equals(extract(samples).boundaries)
