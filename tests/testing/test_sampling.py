"""vires_repo.testing.sampling: time arguments, sample times and the dipole field."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from vires_repo.testing.sampling import SWARM_ORBITS, dipole_field_nec, sample_times, to_datetime64


def test_dipole_field_at_the_equator_and_the_pole() -> None:
    radius = np.array([6371.2e3, 6371.2e3])
    field = dipole_field_nec(np.array([0.0, 90.0]), radius)

    assert np.allclose(field[0], [29404.8, 0.0, 0.0])
    assert np.allclose(field[1], [0.0, 0.0, 2 * 29404.8])


def test_time_arguments() -> None:
    from datetime import UTC, datetime, timezone

    expected = np.datetime64("2016-01-01T10:00:00", "us")
    plus_two = timezone(timedelta(hours=2))

    assert to_datetime64("2016-01-01T10:00:00Z") == expected
    assert to_datetime64(datetime(2016, 1, 1, 12, tzinfo=plus_two)) == expected
    assert to_datetime64(datetime(2016, 1, 1, 10, tzinfo=UTC)) == expected
    assert to_datetime64(np.datetime64("2016-01-01T10", "h")) == expected


def test_sample_times_include_the_end_and_skip_the_gaps() -> None:
    times = sample_times(
        "2016-01-01T00:00:00",
        "2016-01-01T00:00:10",
        timedelta(seconds=2),
        gaps=[("2016-01-01T00:00:04", "2016-01-01T00:00:08")],
    )

    assert times.dtype == np.dtype("datetime64[us]")
    assert [str(t)[17:19] for t in times] == ["00", "02", "08", "10"]


def test_swarm_orbits_turn_at_the_inclination() -> None:
    orbit = SWARM_ORBITS["A"]
    start = np.datetime64("2016-01-01T00:00:00", "us")
    times, kinds = orbit.turning_points(start, start + np.timedelta64(3, "h"))
    latitude, _, _ = orbit.positions(times)

    assert kinds.tolist()[:2] in ([1, -1], [-1, 1])
    assert np.allclose(np.abs(latitude), orbit.inclination_deg)
    assert np.allclose(np.sign(latitude), kinds)
