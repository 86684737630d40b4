"""Paths of the real sample files and small writers for synthetic inputs (cdflib)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from cdflib.cdfwrite import CDF as CdfWriter
from testdata import TESTDATA

AUX = TESTDATA / "aux"
MODELS = TESTDATA / "models"

ORBIT_COUNTER_A = AUX / "SW_OPER_AUXAORBCNT_sample.TXT"
KP_SAMPLE = AUX / "Kp_MJD_1998_QL_sample.dat"
DST_SAMPLE = AUX / "Dst_MJD_1998_sample.dat"
F107_SAMPLE = AUX / "SW_OPER_AUX_F10_2__sample.DBL"

CDF_EPOCH_2000 = 63113904000000.0  # CDF_EPOCH of 2000-01-01T00:00:00
MS_PER_DAY = 86_400_000.0

_TYPE_CODES = {
    "CDF_EPOCH": CdfWriter.CDF_EPOCH,
    "CDF_DOUBLE": CdfWriter.CDF_DOUBLE,
    "CDF_INT2": CdfWriter.CDF_INT2,
    "CDF_INT4": CdfWriter.CDF_INT4,
    "CDF_UINT4": CdfWriter.CDF_UINT4,
}


def write_test_cdf(
    path: Path,
    variables: Mapping[str, tuple[np.ndarray[Any, Any], str]],
    global_attributes: Mapping[str, str] | None = None,
    variable_attributes: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    """Write a row-major CDF with record-varying zVariables (records along axis 0)."""
    writer = CdfWriter(path, cdf_spec={"Majority": "row_major"})
    writer.write_globalattrs(
        {name: {0: value} for name, value in (global_attributes or {}).items()}
    )
    for name, (data, cdf_type) in variables.items():
        writer.write_var(
            {
                "Variable": name,
                "Data_Type": _TYPE_CODES[cdf_type],
                "Num_Elements": 1,
                "Rec_Vary": True,
                "Dim_Sizes": list(data.shape[1:]),
            },
            var_attrs=dict((variable_attributes or {}).get(name, {})),
            var_data=data,
        )
    writer.close()
    return path
