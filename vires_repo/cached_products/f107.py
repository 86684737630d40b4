"""Daily F10.7 solar flux (``SW_OPER_AUX_F10_2_`` text) -> CDF with its 81-day centred mean."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vires_repo.cached_products.attributes import single_source_attributes
from vires_repo.cached_products.interpolation import linear_value
from vires_repo.cached_products.product_time import require_valid_times
from vires_repo.cached_products.sources import basename, product_id, read_text
from vires_repo.cached_products.tables import column, sample_times, table_from_cdf
from vires_repo.cached_products.text_tables import Column, parse_table
from vires_repo.errors import ProductFileError
from vires_repo.io.cdf import CdfVariable, write_cdf

NOMINAL_SAMPLING_DAYS = 1.0
SAMPLING_TOLERANCE_DAYS = 1e-8
AVERAGING_HALF_WINDOW = 40  # days on each side of the centre: an 81-day window

_COLUMNS = (Column("MJD2000", "float64"), Column("F10.7", "float64"))


def centred_mean(
    values: npt.NDArray[np.float64], half_window: int = AVERAGING_HALF_WINDOW
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int32]]:
    """Box-car mean over ``2 * half_window + 1`` samples ignoring NaN, and the values counted.

    The window is truncated at the ends of the series; a window without values gives NaN.
    """
    valid = np.isfinite(values)
    sums = np.concatenate(([0.0], np.cumsum(np.where(valid, values, 0.0))))
    counts = np.concatenate(([0], np.cumsum(valid)))
    index = np.arange(values.size)
    low = np.maximum(index - half_window, 0)
    high = np.minimum(index + half_window + 1, values.size)
    count = counts[high] - counts[low]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, (sums[high] - sums[low]) / count, np.nan)
    return mean, count.astype("int32")


def convert_f107(sources: Sequence[str], target: Path, created: datetime) -> list[str]:
    (source,) = sources
    name = basename(source)
    data = parse_table(read_text(source), name, _COLUMNS)
    times, flux = data["MJD2000"], data["F10.7"]
    require_valid_times(times, name, "MJD2000")
    steps = np.diff(times)
    deviating = np.abs(steps - NOMINAL_SAMPLING_DAYS) > SAMPLING_TOLERANCE_DAYS
    if np.any(deviating):
        index = int(np.argmax(deviating))
        raise ProductFileError(
            f"{name}: F10.7 data sampling deviates from the expected nominal sampling! "
            f"(1 day expected, {steps[index]:g} days between MJD2000 {times[index]:g} "
            f"and {times[index + 1]:g})"
        )
    mean, count = centred_mean(flux)
    identifier = product_id(source)
    write_cdf(
        target,
        {
            "MJD2000": CdfVariable(times, "CDF_DOUBLE"),
            "F10.7": CdfVariable(flux, "CDF_DOUBLE"),
            "F10.7_avg81d": CdfVariable(mean, "CDF_DOUBLE"),
            "F10.7_avg81d_count": CdfVariable(count, "CDF_INT4"),
        },
        single_source_attributes(created, identifier, times),
    )
    return [identifier]


def read_f107_table(location: str) -> pa.Table:
    """Columns ``time, mjd2000, f107, f107_avg81d, f107_avg81d_count`` (daily)."""
    return table_from_cdf(
        location,
        "MJD2000",
        {"f107": "F10.7", "f107_avg81d": "F10.7_avg81d", "f107_avg81d_count": "F10.7_avg81d_count"},
    )


def f107_at(table: pa.Table, mjd2000: npt.ArrayLike) -> dict[str, npt.NDArray[np.float64]]:
    """F10.7 and its 81-day mean, interpolated linearly; NaN outside the series."""
    times = sample_times(table)
    return {
        "f107": linear_value(mjd2000, times, column(table, "f107")),
        "f107_avg81d": linear_value(mjd2000, times, column(table, "f107_avg81d")),
    }
