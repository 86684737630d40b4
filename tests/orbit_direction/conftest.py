"""Synthetic orbit samples for the orbit-direction tests (circular orbits, 1 Hz days)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from vires_repo.orbit_direction.extract import OrbitSamples
from vires_repo.testing.sampling import CircularOrbit

SamplesFactory = Callable[..., OrbitSamples]


def orbit_samples(
    orbit: CircularOrbit,
    start: str | np.datetime64,
    end: str | np.datetime64,
    step_ms: int = 1000,
) -> OrbitSamples:
    """Samples of ``orbit`` every ``step_ms`` in ``[start, end)``."""
    times = np.arange(
        np.datetime64(start, "ms"), np.datetime64(end, "ms"), np.timedelta64(step_ms, "ms")
    )
    return OrbitSamples(times, *orbit.positions(times))


def daily_products(orbit: CircularOrbit, first_day: str, days: int) -> list[OrbitSamples]:
    """Consecutive daily 1 Hz products (00:00:00 to 23:59:59)."""
    day = np.datetime64(first_day, "D")
    return [orbit_samples(orbit, day + k, day + k + 1) for k in range(days)]


@pytest.fixture
def make_samples() -> SamplesFactory:
    return orbit_samples


@pytest.fixture
def make_daily_products() -> Callable[[CircularOrbit, str, int], list[OrbitSamples]]:
    return daily_products
