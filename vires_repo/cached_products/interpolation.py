"""Value lookups at given times, with the VirES no-data rule: nothing outside the data range.

"previous" takes the last sample at or before the time; "linear" interpolates between the two
neighbours. Both give ``nodata`` before the first and after the last sample time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


def previous_value(
    times: npt.ArrayLike,
    sample_times: npt.NDArray[np.float64],
    values: npt.NDArray[Any],
    nodata: float | int,
) -> npt.NDArray[Any]:
    query = np.asarray(times, dtype="float64")
    dtype = np.result_type(values.dtype, np.asarray(nodata).dtype)
    result = np.full(query.shape, nodata, dtype=dtype)
    if sample_times.size == 0:
        return result
    index = np.searchsorted(sample_times, query, side="right") - 1
    inside = (index >= 0) & (query <= sample_times[-1])
    result[inside] = values[index[inside]]
    return result


def linear_value(
    times: npt.ArrayLike, sample_times: npt.NDArray[np.float64], values: npt.NDArray[Any]
) -> npt.NDArray[np.float64]:
    query = np.asarray(times, dtype="float64")
    if sample_times.size == 0:
        return np.full(query.shape, np.nan)
    return np.asarray(
        np.interp(
            query, sample_times, np.asarray(values, dtype="float64"), left=np.nan, right=np.nan
        ),
        dtype="float64",
    )
