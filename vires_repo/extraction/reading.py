"""Reading one product slice: only the variables asked for, only the records of the window.

Sorted datasets: two binary searches on the time variable find the record range, then each
variable is read for that range alone. Unsorted datasets (observatory ``__all__``) are read
whole, stably sorted by time and cut to the window (reference 2.1). An observatory site reads
its index range of the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from vires_repo.extraction.selection import ProductSlice
from vires_repo.io.cdf import open_cdf

Columns = Mapping[str, npt.NDArray[Any]]
"""One product's window: variable name -> array of n records (Timestamp as datetime64[ns])."""

TIMESTAMP = "Timestamp"


def read_slice(
    piece: ProductSlice,
    variables: Mapping[str, str],
    time_variable: str,
    *,
    is_sorted: bool = True,
) -> dict[str, npt.NDArray[Any]]:
    """The records of ``piece`` for ``variables`` (output name -> name in the file);
    ``time_variable`` is the file's primary time variable, returned as ``Timestamp``."""
    start, stop = piece.index_range or (0, None)
    with open_cdf(piece.location, piece.identifier) as cdf:
        if is_sorted:
            low, high = cdf.time_record_range(time_variable, piece.begin, piece.end, start, stop)
            times = cdf.read_times(time_variable, low, high)
            columns = {
                name: cdf.read_variable(source, low, high)
                for name, source in variables.items()
                if name != TIMESTAMP
            }
        else:
            times = cdf.read_times(time_variable, start, stop)
            order = np.argsort(times, kind="stable")
            ordered = times[order]
            low, high = np.searchsorted(ordered, [piece.begin, piece.end], side="left")
            picked = order[low:high]
            times = ordered[low:high]
            columns = {
                name: cdf.read_variable(source, start, stop)[picked]
                for name, source in variables.items()
                if name != TIMESTAMP
            }
    columns[TIMESTAMP] = times.astype("datetime64[ns]")
    return columns
