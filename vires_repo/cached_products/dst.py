"""Legacy Dst (``Dst_MJD_1998.dat``) -> ``aux_dst.cdf`` with the Dst rate of change dDst."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vires_repo.cached_products.attributes import single_source_attributes
from vires_repo.cached_products.interpolation import linear_value, previous_value
from vires_repo.cached_products.product_time import render_product_id
from vires_repo.cached_products.sources import basename, read_text
from vires_repo.cached_products.tables import column, sample_times, table_from_cdf
from vires_repo.cached_products.text_tables import (
    Column,
    flag_parser,
    parse_table,
    require_increasing,
)
from vires_repo.io.cdf import CdfVariable, write_cdf

DST_FLAGS = {"D": 0, "P": 1}  # definitive, provisional
PRODUCT_ID_TEMPLATE = "SW_OPER_AUX_DST_2__{start}_{end}_0001"
HOURS_PER_DAY = 24.0

_COLUMNS = (
    Column("MJD2000", "float64"),
    Column("Dst", "float64"),
    Column("Est", "float64"),
    Column("Ist", "float64"),
    Column("Flag", "uint8", flag_parser(DST_FLAGS)),
)


def dst_rate(
    times: npt.NDArray[np.float64], dst: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """``|dDst/dt|`` in nT/h from each sample to the next; the last sample has none (NaN)."""
    rate = np.full(dst.shape, np.nan)
    rate[:-1] = np.abs(np.diff(dst) / (np.diff(times) * HOURS_PER_DAY))
    return rate


def convert_dst(sources: Sequence[str], target: Path, created: datetime) -> list[str]:
    (source,) = sources
    name = basename(source)
    data = parse_table(read_text(source), name, _COLUMNS)
    times = data["MJD2000"]
    require_increasing(times, name, "MJD2000")
    identifier = render_product_id(PRODUCT_ID_TEMPLATE, times)
    write_cdf(
        target,
        {
            "time": CdfVariable(times, "CDF_DOUBLE"),
            "dst": CdfVariable(data["Dst"], "CDF_DOUBLE"),
            "est": CdfVariable(data["Est"], "CDF_DOUBLE"),
            "ist": CdfVariable(data["Ist"], "CDF_DOUBLE"),
            "flag": CdfVariable(data["Flag"], "CDF_UINT1"),
            "ddst": CdfVariable(dst_rate(times, data["Dst"]), "CDF_DOUBLE"),
        },
        single_source_attributes(created, identifier, times),
    )
    return [identifier]


def read_dst_table(location: str) -> pa.Table:
    """Columns ``time, mjd2000, dst, est, ist, flag, ddst`` (hourly, nT and nT/h)."""
    return table_from_cdf(
        location, "time", {"dst": "dst", "est": "est", "ist": "ist", "flag": "flag", "ddst": "ddst"}
    )


def dst_at(table: pa.Table, mjd2000: npt.ArrayLike) -> dict[str, npt.NDArray[np.float64]]:
    """Dst interpolated linearly and dDst of the previous sample; NaN outside the series."""
    times = sample_times(table)
    return {
        "dst": linear_value(mjd2000, times, column(table, "dst")),
        "ddst": previous_value(mjd2000, times, column(table, "ddst"), np.nan),
    }
