"""CDF data type names and codes, attribute entries, and the time-type dispatch to timescales.

The conversions themselves live in :mod:`vires_repo.timescales`; only the choice by CDF type
name is made here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from vires_repo.timescales import (
    TimeArray,
    cdf_epoch_to_datetime64,
    datetime64_to_cdf_epoch,
    datetime64_to_tt2000,
    tt2000_to_datetime64,
)

CDF_EPOCH = "CDF_EPOCH"
CDF_TIME_TT2000 = "CDF_TIME_TT2000"
TIME_TYPES = (CDF_EPOCH, CDF_TIME_TT2000)
TEXT_TYPES = ("CDF_CHAR", "CDF_UCHAR")

AttributeEntry = str | tuple[Sequence[float] | Sequence[int], str]
"""An attribute entry as written and copied: a string (``CDF_CHAR``), or
``(values, CDF type name)``."""

# CDF data type codes (CDF specification, table "CDF data types").
CDF_TYPE_CODES: dict[str, int] = {
    "CDF_INT1": 1,
    "CDF_INT2": 2,
    "CDF_INT4": 4,
    "CDF_INT8": 8,
    "CDF_UINT1": 11,
    "CDF_UINT2": 12,
    "CDF_UINT4": 14,
    "CDF_REAL4": 21,
    "CDF_REAL8": 22,
    CDF_EPOCH: 31,
    CDF_TIME_TT2000: 33,
    "CDF_BYTE": 41,
    "CDF_FLOAT": 44,
    "CDF_DOUBLE": 45,
    "CDF_CHAR": 51,
    "CDF_UCHAR": 52,
}

TYPE_BYTES = {  # bytes per element; the 8-byte types are the default
    "CDF_INT1": 1, "CDF_UINT1": 1, "CDF_BYTE": 1, "CDF_CHAR": 1, "CDF_UCHAR": 1,
    "CDF_INT2": 2, "CDF_UINT2": 2,
    "CDF_INT4": 4, "CDF_UINT4": 4, "CDF_REAL4": 4, "CDF_FLOAT": 4,
    "CDF_EPOCH16": 16,
}  # fmt: skip


def cdf_time_to_datetime64(values: npt.ArrayLike, time_type: str) -> TimeArray:
    """Raw CDF time values of ``time_type`` (CDF_EPOCH or CDF_TIME_TT2000) to ``datetime64``."""
    if time_type == CDF_EPOCH:
        return cdf_epoch_to_datetime64(values)
    if time_type == CDF_TIME_TT2000:
        return tt2000_to_datetime64(values)
    raise ValueError(f"unsupported CDF time type {time_type}")


def datetime64_to_cdf_time(times: npt.ArrayLike, time_type: str) -> npt.NDArray[Any]:
    """``datetime64`` to raw CDF time values of ``time_type``."""
    if time_type == CDF_EPOCH:
        return datetime64_to_cdf_epoch(times)
    if time_type == CDF_TIME_TT2000:
        return datetime64_to_tt2000(times)
    raise ValueError(f"unsupported CDF time type {time_type}")


def empty_records(data_type: str, shape: tuple[int, ...]) -> npt.NDArray[Any]:
    """No records of a variable of ``data_type`` with ``shape`` per record."""
    dtype = np.str_ if data_type in TEXT_TYPES else np.float64
    return np.empty((0, *shape), dtype=dtype)
