"""Value lookups at given times, with the VirES no-data rule: nothing outside the data range.

"previous" takes the last sample at or before the time; "linear" interpolates between the two
neighbours. Both give ``nodata`` before the first and after the last sample time.
:func:`segmented_value` adds VirES's gaps and neighbourhoods (how the data extraction reads
Kp and Dst).
"""

from __future__ import annotations

from typing import Any, Literal

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


# -- VirES's segmented interpolation (reference vires-data-extraction.md, section 2.5) -----

InterpolationKind = Literal["nearest", "previous", "linear"]


def segmented_value(
    times: npt.ArrayLike,
    sample_times: npt.NDArray[np.float64],
    values: npt.NDArray[Any],
    kind: InterpolationKind,
    *,
    gap_threshold: float,
    neighbourhood: float,
) -> npt.NDArray[np.float64]:
    """Values at ``times`` by VirES's rules for an auxiliary series (NaN where none applies).

    The samples are split into segments where consecutive times differ by more than
    ``gap_threshold``; each segment reaches ``min(neighbourhood, gap_threshold)`` beyond its
    last sample, and for "nearest" and "linear" as far before its first one (bounds
    inclusive). "nearest" takes the closest sample of the segment (the earlier one at a tie),
    "previous" the last sample at or before the time, "linear" interpolates between the two
    neighbours and extrapolates from the end pair beyond a segment's ends (NaN for a segment
    of one sample). Times and thresholds in one unit (e.g. MJD2000 days).
    """
    query = np.asarray(times, dtype="float64")
    data = np.asarray(values, dtype="float64")
    result = np.full(query.shape, np.nan)
    count = sample_times.size
    if count == 0:
        return result
    reach = min(neighbourhood, gap_threshold)
    segment = np.concatenate(([0], np.cumsum(np.diff(sample_times) > gap_threshold)))
    left = np.searchsorted(sample_times, query, side="right") - 1
    right = left + 1
    has_left, has_right = left >= 0, right < count
    left_c, right_c = np.clip(left, 0, count - 1), np.clip(right, 0, count - 1)
    to_left = query - sample_times[left_c]
    to_right = sample_times[right_c] - query
    inside = has_left & has_right & (segment[left_c] == segment[right_c])
    after_end = has_left & ~inside & (to_left <= reach)
    if kind == "previous":
        valid = has_left & (inside | after_end)
        result[valid] = data[left[valid]]
        return result
    before_start = has_right & ~inside & (to_right <= reach)
    take_left = inside | after_end
    take_left &= ~(before_start & (to_right < to_left))  # both ends within reach: nearer one
    take_right = before_start & ~take_left
    if kind == "nearest":
        nearer_right = inside & (to_right < to_left)
        pick_left = take_left & ~nearer_right
        pick_right = take_right | (inside & nearer_right)
        result[pick_left] = data[left[pick_left]]
        result[pick_right] = data[right[pick_right]]
        return result
    # linear: between the neighbours, or from the end pair of the segment beyond its ends
    first = np.where(inside, left_c, np.where(take_left, left_c - 1, right_c))
    second = np.where(inside, right_c, np.where(take_left, left_c, right_c + 1))
    in_range = (first >= 0) & (second < count)
    first_c, second_c = np.clip(first, 0, count - 1), np.clip(second, 0, count - 1)
    valid = (inside | take_left | take_right) & in_range & (segment[first_c] == segment[second_c])
    t0, t1 = sample_times[first_c[valid]], sample_times[second_c[valid]]
    v0, v1 = data[first_c[valid]], data[second_c[valid]]
    result[valid] = v0 + (v1 - v0) * (query[valid] - t0) / (t1 - t0)
    return result
