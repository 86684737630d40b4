"""Orbit directions at given times, read from the stored tables (reference 8.7)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from vires_repo.catalog import Catalog
from vires_repo.orbit_direction.missions import TableKey, TableKind
from vires_repo.orbit_direction.store import TableStore
from vires_repo.timescales import to_datetime64

Int8Array = npt.NDArray[np.int8]
_LOOKUP_PREFIXES: tuple[tuple[TableKind, str], ...] = (("GEO", ""), ("QD", "QD"))


def lookup_orbit_directions(
    catalog: Catalog,
    mission: str,
    spacecraft: str | None,
    grade: str | None,
    times: npt.ArrayLike,
) -> dict[str, Int8Array]:
    """``OrbitDirection``, ``OrbitDirectionBoundaryType``, ``QDOrbitDirection`` and
    ``QDOrbitDirectionBoundaryType`` at ``times``: the values of the last boundary point at
    or before each time; 0 and -1 outside the tables' coverage.

    Only the months around the requested times are read.
    """
    values = np.asarray(times).astype("datetime64[us]")
    store = TableStore(catalog.storage)
    output: dict[str, Int8Array] = {}
    for kind, prefix in _LOOKUP_PREFIXES:
        loaded = store.open(TableKey(mission, spacecraft, grade or None, kind))
        if values.size and loaded.exists:
            loaded.ensure(to_datetime64(values.min(), "ms"), to_datetime64(values.max(), "ms"))
        directions, types = loaded.table.lookup(values)
        output[f"{prefix}OrbitDirection"] = directions
        output[f"{prefix}OrbitDirectionBoundaryType"] = types
    return output
