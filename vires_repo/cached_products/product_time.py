"""Times in the names of cached products (``YYYYMMDDThhmmss``, from MJD2000 values)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vires_repo.timescales import FloatArray, mjd2000_to_datetime

_NAME_TIME_FORMAT = "%Y%m%dT%H%M%S"


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
