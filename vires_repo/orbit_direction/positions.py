"""Spacecraft positions of a product file: ``Timestamp``, ``Latitude``, ``Longitude``, ``Radius``.

The orbit-direction tables are extracted from the positions of the source products (reference
8.1). A product is read whole; of a neighbouring product only its edge is needed (the last
samples before the product, the first samples after it), so :func:`read_edge` reads a few
records at one end and falls back to the whole file when those are not enough or not sorted.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from vires_repo.io.cdf import CdfReader, open_cdf
from vires_repo.orbit_direction.extract import OrbitSamples
from vires_repo.orbit_direction.table import INPUT_MARGIN

POSITION_VARIABLES = ("Latitude", "Longitude", "Radius")
TIME_VARIABLE = "Timestamp"
_EDGE_RECORDS = 64


def _read(cdf: CdfReader, start: int = 0, stop: int | None = None) -> OrbitSamples:
    times = cdf.read_times(TIME_VARIABLE, start, stop)
    values = [
        np.asarray(cdf.read_variable(name, start, stop), np.float64).reshape(times.shape)
        for name in POSITION_VARIABLES
    ]
    return OrbitSamples(times, *values)


def read_positions(location: str) -> OrbitSamples:
    """All position samples of a product file (local path or fsspec URL)."""
    with open_cdf(location) as cdf:
        return _read(cdf)


def read_edge(
    location: str, side: Literal["head", "tail"], limit: np.datetime64 | None = None
) -> OrbitSamples:
    """The first (``head``) or last (``tail``) samples of a product file.

    For ``tail`` only samples before ``limit`` count (a previous product may overlap the next
    one); enough of them are returned for :func:`~.table.prepare_product_input`.
    """
    with open_cdf(location) as cdf:
        records = cdf.time_variable_info(TIME_VARIABLE).records
        if records <= _EDGE_RECORDS:
            return _read(cdf)
        if side == "head":
            part = _read(cdf, 0, _EDGE_RECORDS)
        else:
            part = _read(cdf, records - _EDGE_RECORDS, None)
        times = part.times
        ordered = bool(np.all(times[1:] > times[:-1]))
        enough = side == "head" or limit is None or np.count_nonzero(times < limit) > INPUT_MARGIN
        if ordered and enough:
            return part
        return _read(cdf)
