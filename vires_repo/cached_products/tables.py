"""pyarrow views of the tabular cached products (orbit counters, F10.7, Kp, Dst).

Every table has a ``time`` column (timestamp, UTC, microseconds) and the ``mjd2000`` time it
comes from, then the product's own columns, so SQL views can be built on them directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vires_repo.cached_products.product_time import is_valid_time
from vires_repo.io.cdf import open_cdf
from vires_repo.timescales import mjd2000_to_datetime64


def table_from_cdf(location: str, time_variable: str, columns: Mapping[str, str]) -> pa.Table:
    """Table of a converted CDF (local path or fsspec URL): ``columns`` maps table column
    names to CDF variable names."""
    with open_cdf(location) as cdf:
        mjd2000 = cdf.read_variable(time_variable).astype("float64")
        valid = is_valid_time(mjd2000)  # an invalid time is null (``check`` reports it)
        times = mjd2000_to_datetime64(np.where(valid, mjd2000, 0.0))
        arrays: dict[str, Any] = {
            "time": pa.array(times, type=pa.timestamp("us", tz="UTC"), mask=~valid),
            "mjd2000": pa.array(mjd2000),
        }
        for column, variable in columns.items():
            arrays[column] = pa.array(cdf.read_variable(variable))
    return pa.table(arrays)


def column(table: pa.Table, name: str) -> npt.NDArray[Any]:
    return np.asarray(table.column(name).to_numpy())


def sample_times(table: pa.Table) -> npt.NDArray[np.float64]:
    return np.asarray(table.column("mjd2000").to_numpy(), dtype="float64")
