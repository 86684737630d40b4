"""VirES's segmented interpolation of auxiliary series (reference vires-data-extraction.md,
section 2.5): segments, neighbourhoods, nearest / previous / linear."""

from __future__ import annotations

import numpy as np
import pytest

from vires_repo.cached_products.interpolation import segmented_value

NAN = np.nan
# two segments: 0, 1, 2 and 10, 11 (gap 8 > threshold 3), a lone sample at 20
TIMES = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 20.0])
VALUES = np.array([0.0, 10.0, 30.0, 100.0, 90.0, 7.0])


def interpolate(kind: str, at: list[float], reach: float = 0.5) -> list[float]:
    result = segmented_value(
        np.array(at),
        TIMES,
        VALUES,
        kind,
        gap_threshold=3.0,
        neighbourhood=reach,  # type: ignore[arg-type]
    )
    return result.tolist()


def same(expected: list[float]) -> object:
    return pytest.approx(expected, nan_ok=True)


def test_previous() -> None:
    at = [-0.1, 0.0, 0.9, 1.0, 2.0, 2.5, 2.6, 9.9, 10.0, 11.5, 11.6, 20.0, 20.5, 20.6]
    assert interpolate("previous", at) == same(
        [NAN, 0.0, 0.0, 10.0, 30.0, 30.0, NAN, NAN, 100.0, 90.0, NAN, 7.0, 7.0, NAN]
    )


def test_nearest() -> None:
    at = [-0.6, -0.5, 0.5, 0.6, 2.5, 2.6, 9.5, 10.5, 11.5, 19.5, 20.5, 20.6]
    assert interpolate("nearest", at) == same(
        [NAN, 0.0, 0.0, 10.0, 30.0, NAN, 100.0, 100.0, 90.0, 7.0, 7.0, NAN]
    )


def test_linear_interpolates_and_extrapolates_within_the_neighbourhood() -> None:
    at = [-0.6, -0.5, 0.5, 1.5, 2.5, 2.6, 9.5, 10.5, 11.5, 20.0]
    assert interpolate("linear", at) == same(
        [NAN, -5.0, 5.0, 20.0, 40.0, NAN, 105.0, 95.0, 85.0, NAN]
    )


def test_the_neighbourhood_never_exceeds_the_gap_threshold() -> None:
    assert interpolate("previous", [5.0, 5.1], reach=10.0) == same([30.0, NAN])


def test_overlapping_neighbourhoods_take_the_nearer_segment() -> None:
    times, values = np.array([0.0, 1.0, 5.0, 6.0]), np.array([1.0, 2.0, 3.0, 4.0])
    result = segmented_value(
        np.array([2.9, 3.1]), times, values, "nearest", gap_threshold=3.0, neighbourhood=3.0
    )
    assert result.tolist() == [2.0, 3.0]


def test_no_samples() -> None:
    result = segmented_value(
        np.array([1.0]), np.array([]), np.array([]), "linear", gap_threshold=1, neighbourhood=1
    )
    assert np.isnan(result).all()
