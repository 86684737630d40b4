"""Times of cached products: the valid MJD2000 range of their inputs and the
``YYYYMMDDThhmmss`` times in their names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from vires_repo.errors import ProductFileError
from vires_repo.timescales import (
    EARLIEST_TIME,
    LATEST_TIME,
    MJD2000_EPOCH,
    FloatArray,
    mjd2000_to_datetime,
)

_NAME_TIME_FORMAT = "%Y%m%dT%H%M%S"

EARLIEST_MJD2000 = (EARLIEST_TIME - MJD2000_EPOCH) / timedelta(days=1)
LATEST_MJD2000 = (LATEST_TIME - timedelta(seconds=1) - MJD2000_EPOCH) / timedelta(days=1)
"""Input times span years 0001 to 9999; the last second is kept free for the rounding of
product-name times."""


def is_valid_time(mjd2000: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Which MJD2000 values :func:`require_valid_times` accepts."""
    return np.isfinite(mjd2000) & (mjd2000 >= EARLIEST_MJD2000) & (mjd2000 <= LATEST_MJD2000)


def require_valid_times(times: npt.ArrayLike, source_name: str, label: str) -> None:
    """Reject NaN, infinite and out-of-range (before 0001, after 9999) MJD2000 times."""
    values = np.ravel(np.asarray(times, dtype="float64"))
    valid = is_valid_time(values)
    if not np.all(valid):
        index = int(np.argmin(valid))
        raise ProductFileError(
            f"{source_name}: {label} value {float(values[index])!r} of data record "
            f"{index + 1} is not a time between the years 0001 and 9999"
        )


def format_name_time(mjd2000: float) -> str:
    """Product-name time of a MJD2000 value, rounded to the second as VirES renders it."""
    moment = mjd2000_to_datetime(mjd2000) + timedelta(microseconds=500_000)
    return f"{moment.year:04d}{moment:%m%dT%H%M%S}"  # strftime's %Y drops leading zeros


def parse_name_time(text: str) -> datetime:
    """Time of a ``YYYYMMDDThhmmss`` product-name field (UTC)."""
    return datetime.strptime(text, _NAME_TIME_FORMAT).replace(tzinfo=UTC)


def render_product_id(template: str, times: FloatArray) -> str:
    """Product id of a derived file, e.g. ``SW_OPER_AUX_KP__2__{start}_{end}_0001``."""
    return template.format(
        start=format_name_time(float(times.min())), end=format_name_time(float(times.max()))
    )
