"""Legacy GFZ Kp (``Kp_MJD_1998_QL.dat``) -> ``aux_kp.cdf``.

Times are the centres of the 3-hour intervals; values hold from one sample time to the next
("previous" lookup), as VirES reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vires_repo.cached_products.attributes import single_source_attributes
from vires_repo.cached_products.interpolation import previous_value
from vires_repo.cached_products.product_time import render_product_id
from vires_repo.cached_products.sources import basename, read_text
from vires_repo.cached_products.tables import column, sample_times, table_from_cdf
from vires_repo.cached_products.text_tables import (
    Column,
    flag_parser,
    parse_table,
    require_increasing,
)
from vires_repo.errors import ProductFileError
from vires_repo.io.cdf import CdfVariable, write_cdf

KP_FLAGS = {"D": 0, "Q": 1}  # definitive, quick-look
PRODUCT_ID_TEMPLATE = "SW_OPER_AUX_KP__2__{start}_{end}_0001"

_COLUMNS = (
    Column("MJD2000", "float64"),
    Column("Kp10", "int64", int),
    Column("ap", "int64", int),
    Column("Flag", "uint8", flag_parser(KP_FLAGS)),
)


def convert_kp(sources: Sequence[str], target: Path, created: datetime) -> list[str]:
    (source,) = sources
    name = basename(source)
    data = parse_table(read_text(source), name, _COLUMNS)
    times = data["MJD2000"]
    require_increasing(times, name, "MJD2000")
    for label, values, upper in (("Kp10", data["Kp10"], 90), ("ap", data["ap"], 400)):
        if values.min() < 0 or values.max() > upper:
            raise ProductFileError(f"{name}: {label} values outside 0..{upper}")
    identifier = render_product_id(PRODUCT_ID_TEMPLATE, times)
    write_cdf(
        target,
        {
            "time": CdfVariable(times, "CDF_DOUBLE"),
            "kp": CdfVariable(data["Kp10"].astype("uint16"), "CDF_UINT2"),
            "ap": CdfVariable(data["ap"].astype("uint16"), "CDF_UINT2"),
            "flag": CdfVariable(data["Flag"], "CDF_UINT1"),
        },
        single_source_attributes(created, identifier, times),
    )
    return [identifier]


def read_kp_table(location: str) -> pa.Table:
    """Columns ``time, mjd2000, kp10, ap, flag`` (``kp10`` is Kp times 10, e.g. 13 = 1+)."""
    return table_from_cdf(location, "time", {"kp10": "kp", "ap": "ap", "flag": "flag"})


def kp_at(table: pa.Table, mjd2000: npt.ArrayLike) -> dict[str, npt.NDArray[np.float64]]:
    """Kp10 and ap of the last sample at or before each time; NaN outside the series."""
    times = sample_times(table)
    return {
        name: previous_value(mjd2000, times, column(table, name).astype("float64"), np.nan)
        for name in ("kp10", "ap")
    }
