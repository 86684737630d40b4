"""Time scales of the cached products: MJD2000 (days), CDF_EPOCH (ms) and product-name times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

MJD2000_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
CDF_EPOCH_OF_MJD2000 = 63113904000000.0  # CDF_EPOCH (ms since 0000-01-01) of 2000-01-01T00:00
MS_PER_DAY = 86_400_000.0
_US_PER_DAY = 86_400_000_000.0
_NAME_TIME_FORMAT = "%Y%m%dT%H%M%S"

FloatArray = npt.NDArray[np.float64]


def mjd2000_to_datetime(mjd2000: float) -> datetime:
    return MJD2000_EPOCH + timedelta(days=float(mjd2000))


def cdf_epoch_to_mjd2000(cdf_epoch: npt.ArrayLike) -> FloatArray:
    return (np.asarray(cdf_epoch, dtype="float64") - CDF_EPOCH_OF_MJD2000) / MS_PER_DAY


def mjd2000_to_timestamps(mjd2000: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
    """UTC timestamps (microsecond resolution) of MJD2000 values."""
    micros = np.rint(np.asarray(mjd2000, dtype="float64") * _US_PER_DAY).astype("int64")
    return np.datetime64("2000-01-01T00:00:00", "us") + micros.astype("timedelta64[us]")


def format_name_time(mjd2000: float) -> str:
    """Product-name time of a MJD2000 value, rounded to the second as VirES renders it."""
    return (mjd2000_to_datetime(mjd2000) + timedelta(microseconds=500_000)).strftime(
        _NAME_TIME_FORMAT
    )


def parse_name_time(text: str) -> datetime:
    """Time of a ``YYYYMMDDThhmmss`` product-name field (UTC)."""
    return datetime.strptime(text, _NAME_TIME_FORMAT).replace(tzinfo=UTC)


def render_product_id(template: str, times: FloatArray) -> str:
    """Product id of a derived file, e.g. ``SW_OPER_AUX_KP__2__{start}_{end}_0001``."""
    return template.format(
        start=format_name_time(float(times.min())), end=format_name_time(float(times.max()))
    )
