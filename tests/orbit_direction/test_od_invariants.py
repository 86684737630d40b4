"""Verification of runs of points of a table (windows of a stored table) against the invariants."""

from __future__ import annotations

import pytest
from od_points import GEO_A, boundaries

from vires_repo.errors import OrbitDirectionIntegrityError
from vires_repo.orbit_direction.invariants import verify_boundaries


def test_a_window_may_begin_and_end_inside_a_block() -> None:
    inside = boundaries(("2016-01-01T00:10", 0, 1), ("2016-01-01T00:50", 0, -1))
    verify_boundaries(inside, GEO_A, at_start=False, at_end=False)
    closing = boundaries(
        ("2016-01-01T00:10", 0, 1), ("2016-01-01T00:20", -1, 0), ("2016-01-01T00:30", 1, 1)
    )
    verify_boundaries(closing, GEO_A, at_start=False, at_end=False)
    with pytest.raises(OrbitDirectionIntegrityError, match="must begin with a block START"):
        verify_boundaries(inside, GEO_A, at_start=True, at_end=False)
    with pytest.raises(OrbitDirectionIntegrityError, match="must end with a block END"):
        verify_boundaries(inside, GEO_A, at_start=False, at_end=True)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ((("2016-01-01T00:10", 0, 1), ("2016-01-01T00:20", 0, 1)), "do not alternate"),
        (
            (("2016-01-01T00:10", -1, 0), ("2016-01-01T00:20", 0, 1)),
            "points between the block END",
        ),
        ((("2016-01-01T00:10", 1, 1), ("2016-01-01T00:20", 1, 1)), "do not alternate"),
        ((("2016-01-01T00:10", 0, 1), ("2016-01-01T00:10", 0, -1)), "strictly increasing"),
        ((("2016-01-01T00:10", 0, 0), ("2016-01-01T00:20", -1, 0)), "undefined orbit"),
    ],
)
def test_broken_windows_are_refused(points, message) -> None:
    with pytest.raises(OrbitDirectionIntegrityError, match=message):
        verify_boundaries(boundaries(*points), GEO_A, at_start=False, at_end=False)
