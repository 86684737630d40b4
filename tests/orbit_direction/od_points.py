"""Hand-written boundary points for the orbit-direction store and invariant tests."""

from __future__ import annotations

import numpy as np

from vires_repo.orbit_direction.extract import Boundaries
from vires_repo.orbit_direction.missions import TableKey

GEO_A = TableKey("Swarm", "A", None, "GEO")
QD_A = TableKey("Swarm", "A", None, "QD")
MS = "datetime64[ms]"


def boundaries(*points: tuple[str, int, int]) -> Boundaries:
    """Points from (time, boundary type, orbit direction) triples."""
    return Boundaries(
        np.array([p[0] for p in points], MS),
        np.array([p[1] for p in points], np.int8),
        np.array([p[2] for p in points], np.int8),
    )
