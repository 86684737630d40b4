"""Time scales: the one home of every conversion between the time representations in use.

* Python ``datetime`` (aware, UTC) and microseconds since 1970 (the stored integer of the
  index's ``timestamp[us]`` columns);
* ``numpy.datetime64`` at a chosen unit (``us`` for product times, ``ms`` for the
  orbit-direction tables);
* CDF_EPOCH (float milliseconds since 0000-01-01) and CDF_TIME_TT2000 (integer nanoseconds
  since 2000-01-01T12:00 TT, with leap seconds), vectorised: cdflib's own epoch helpers loop in
  Python and cost about a second per day of 1 Hz data;
* MJD2000 (float days since 2000-01-01T00:00 UTC), the time scale of the cached products.

Invalid CDF times (CDF_EPOCH fill ``-1e31`` or padding ``0.0``, TT2000 fill/pad, NaN) become
:data:`INVALID_TIME`, ``9999-12-31T23:59:59.999999`` as in VirES. Pure numpy: no I/O.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

TimeArray = npt.NDArray[np.datetime64]
FloatArray = npt.NDArray[np.float64]
Int64Array = npt.NDArray[np.int64]

UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MJD2000_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MS_PER_DAY = 86_400_000.0
EARLIEST_TIME = datetime.min.replace(tzinfo=UTC)
LATEST_TIME = datetime.max.replace(tzinfo=UTC)
"""The range of Python's ``datetime`` (years 0001 to 9999): every time the catalogue stores
lies inside it, so that every reader can turn it into a ``datetime``."""
_US_PER_DAY = 86_400_000_000.0

CDF_EPOCH_1970_MS = 62_167_219_200_000.0
"""CDF_EPOCH (milliseconds since 0000-01-01) of 1970-01-01T00:00:00."""
CDF_EPOCH_OF_MJD2000 = 63_113_904_000_000.0
"""CDF_EPOCH of 2000-01-01T00:00:00 (MJD2000 day 0)."""
# Valid CDF_EPOCH values: from 0001-01-01 (Python's datetime range) to before the ISTP fill
# value 9999-12-31T23:59:59.999.
_CDF_EPOCH_MIN_MS = 31_622_400_000.0
_CDF_EPOCH_FILL_MS = 315_569_519_999_999.0
INVALID_TIME = np.datetime64("9999-12-31T23:59:59.999999", "us")

_TT2000_FILL = np.iinfo(np.int64).min
_TT2000_PAD = _TT2000_FILL + 1
_J2000_NOON_US = np.datetime64("2000-01-01T12:00:00", "us").astype(np.int64)
_MJD2000_US = np.datetime64("2000-01-01T00:00:00", "us").astype(np.int64)
_TT_MINUS_TAI_NS = 32_184_000_000

LEAP_SECONDS: tuple[tuple[str, int], ...] = (
    ("1972-01-01", 10), ("1972-07-01", 11), ("1973-01-01", 12), ("1974-01-01", 13),
    ("1975-01-01", 14), ("1976-01-01", 15), ("1977-01-01", 16), ("1978-01-01", 17),
    ("1979-01-01", 18), ("1980-01-01", 19), ("1981-07-01", 20), ("1982-07-01", 21),
    ("1983-07-01", 22), ("1985-07-01", 23), ("1988-01-01", 24), ("1990-01-01", 25),
    ("1991-01-01", 26), ("1992-07-01", 27), ("1993-07-01", 28), ("1994-07-01", 29),
    ("1996-01-01", 30), ("1997-07-01", 31), ("1999-01-01", 32), ("2006-01-01", 33),
    ("2009-01-01", 34), ("2012-07-01", 35), ("2015-07-01", 36), ("2017-01-01", 37),
)  # fmt: skip
"""UTC day from which TAI-UTC is that many seconds (the integer era that began in 1972).

The same table as the CDF library's ``CDFLeapSeconds.txt``; a test compares the two, so a
new leap second in a cdflib release fails it until it is added here. TT2000 values before
1972 (fractional TAI-UTC drift) are rejected."""

_LEAP_UTC_US = np.array(
    [np.datetime64(day, "us").astype(np.int64) for day, _ in LEAP_SECONDS], np.int64
)
_LEAP_TT_MINUS_UTC_NS = np.array(
    [seconds * 1_000_000_000 + _TT_MINUS_TAI_NS for _, seconds in LEAP_SECONDS], np.int64
)
# TT2000 value at which each leap-second era begins.
_LEAP_TT2000 = (_LEAP_UTC_US - _J2000_NOON_US) * 1000 + _LEAP_TT_MINUS_UTC_NS
# Last representable UTC microsecond of each era: a value inside an inserted leap second
# (23:59:60.x) is clamped to 23:59:59.999999, so times never run backwards and a product
# ending in a leap second does not spill into the next day.
_LEAP_ERA_LAST_US = np.append(_LEAP_UTC_US[1:] - 1, np.iinfo(np.int64).max)


# -- Python datetimes ----------------------------------------------------------------------


def to_utc(value: datetime) -> datetime:
    """An aware UTC datetime; a naive value is taken as UTC."""
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_micros(value: datetime) -> int:
    """Microseconds since 1970-01-01 UTC (the stored integer of a timestamp[us] column)."""
    delta = to_utc(value) - UNIX_EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    """The aware UTC datetime of microseconds since 1970-01-01."""
    return UNIX_EPOCH + timedelta(microseconds=micros)


# -- numpy datetime64 ----------------------------------------------------------------------


def to_datetime64(value: datetime | np.datetime64 | str, unit: str = "us") -> np.datetime64:
    """One time as ``datetime64[unit]``: an aware ``datetime`` is converted to UTC first, a
    naive one and ISO-8601 text are taken as UTC."""
    if isinstance(value, datetime):
        value = to_utc(value).replace(tzinfo=None)
    result: np.datetime64 = np.asarray(value).astype(f"datetime64[{unit}]").reshape(-1)[0]
    return result


# -- CDF time types ------------------------------------------------------------------------


def cdf_epoch_to_datetime64(values: npt.ArrayLike) -> TimeArray:
    """CDF_EPOCH milliseconds to ``datetime64[us]``, rounded to the microsecond."""
    epochs = np.asarray(values, dtype=np.float64)
    valid = (epochs >= _CDF_EPOCH_MIN_MS) & (epochs < _CDF_EPOCH_FILL_MS)  # False for NaN
    since_1970 = np.where(valid, epochs, CDF_EPOCH_1970_MS) - CDF_EPOCH_1970_MS  # exact
    whole_ms = np.floor(since_1970)
    # integer milliseconds and their fraction apart: float64 cannot hold 1e17 microseconds
    micros = whole_ms.astype(np.int64) * 1000 + np.rint((since_1970 - whole_ms) * 1000.0).astype(
        np.int64
    )
    return np.where(valid, micros.astype("datetime64[us]"), INVALID_TIME)


def datetime64_to_cdf_epoch(times: npt.ArrayLike) -> FloatArray:
    """``datetime64`` (any unit) to CDF_EPOCH milliseconds."""
    micros = np.asarray(times, dtype="datetime64[us]").astype(np.int64)
    epochs: FloatArray = micros / 1000.0 + CDF_EPOCH_1970_MS
    return epochs


def tt2000_to_datetime64(values: npt.ArrayLike) -> TimeArray:
    """CDF_TIME_TT2000 nanoseconds to UTC ``datetime64[us]`` (floor to the microsecond).

    A time inside a leap second becomes 23:59:59.999999 of that day. Raises ``ValueError``
    for times before 1972-01-01.
    """
    tt2000 = np.asarray(values, dtype=np.int64)
    valid = (tt2000 != _TT2000_FILL) & (tt2000 != _TT2000_PAD)
    era = np.searchsorted(_LEAP_TT2000, tt2000, side="right") - 1
    if np.any(valid & (era < 0)):
        raise ValueError("CDF_TIME_TT2000 values before 1972-01-01 are not supported")
    era = np.maximum(era, 0)
    utc_ns = tt2000 - _LEAP_TT_MINUS_UTC_NS[era]
    utc_us = np.floor_divide(utc_ns, 1000) + _J2000_NOON_US
    utc_us = np.minimum(utc_us, _LEAP_ERA_LAST_US[era])
    return np.where(valid, utc_us.astype("datetime64[us]"), INVALID_TIME)


def datetime64_to_tt2000(times: npt.ArrayLike) -> Int64Array:
    """UTC ``datetime64`` (any unit) to CDF_TIME_TT2000 nanoseconds."""
    utc_us = np.asarray(times, dtype="datetime64[us]").astype(np.int64)
    era = np.searchsorted(_LEAP_UTC_US, utc_us, side="right") - 1
    if np.any(era < 0):
        raise ValueError("CDF_TIME_TT2000 values before 1972-01-01 are not supported")
    tt2000: Int64Array = (utc_us - _J2000_NOON_US) * 1000 + _LEAP_TT_MINUS_UTC_NS[era]
    return tt2000


# -- MJD2000 -------------------------------------------------------------------------------


def mjd2000_to_datetime(mjd2000: float) -> datetime:
    return MJD2000_EPOCH + timedelta(days=float(mjd2000))


def cdf_epoch_to_mjd2000(cdf_epoch: npt.ArrayLike) -> FloatArray:
    return (np.asarray(cdf_epoch, dtype="float64") - CDF_EPOCH_OF_MJD2000) / MS_PER_DAY


def mjd2000_to_datetime64(mjd2000: npt.ArrayLike) -> TimeArray:
    """UTC ``datetime64[us]`` of MJD2000 values."""
    micros = np.rint(np.asarray(mjd2000, dtype="float64") * _US_PER_DAY).astype("int64")
    return np.datetime64("2000-01-01T00:00:00", "us") + micros.astype("timedelta64[us]")


# -- milliseconds and calendar months (the orbit-direction tables) --------------------------


def to_epoch_ms(time: np.datetime64) -> int:
    """Integer milliseconds since 1970 (finer units truncated towards the past)."""
    return int(np.asarray(time).astype("datetime64[ms]").astype(np.int64))


def format_ms(time: np.datetime64) -> str:
    """ISO-8601 UTC text with milliseconds: ``2016-02-01T00:00:00.000Z``."""
    return f"{np.datetime_as_string(np.asarray(time).astype('datetime64[ms]'), 'ms')}Z"


def month_of(time: np.datetime64 | str) -> str:
    """The calendar month of a time (or of ``YYYY-MM`` text) as ``YYYY-MM``."""
    return str(np.asarray(time).astype("datetime64[M]"))


def month_start(month: str) -> np.datetime64:
    """The first millisecond of a month given as ``YYYY-MM``."""
    return to_datetime64(np.datetime64(month, "M"), "ms")


def month_end(month: str) -> np.datetime64:
    """The first millisecond of the month after ``month`` (the end, exclusive)."""
    return to_datetime64(np.datetime64(month, "M") + 1, "ms")


def datetime64_to_mjd2000(times: npt.ArrayLike) -> FloatArray:
    """MJD2000 (days since 2000-01-01T00:00 UTC) of ``datetime64`` times (any unit)."""
    micros = np.asarray(times).astype("datetime64[us]").astype(np.int64)
    mjd2000: FloatArray = (micros - _MJD2000_US) / _US_PER_DAY
    return mjd2000
