"""The CDF seam: the only package that imports cdflib.

* :mod:`~vires_repo.io.cdf.reader`: :func:`open_cdf`, a guarded reader that reads only what
  is asked and turns every failure into a ProductFileError naming the file;
* :mod:`~vires_repo.io.cdf.guard`: the damaged-file checks made before cdflib opens a file;
* :mod:`~vires_repo.io.cdf.writer`: :func:`write_cdf`, the one writer (row-major,
  uncompressed, atomic);
* :mod:`~vires_repo.io.cdf.datatypes`: the CDF type names and codes, attribute entries, and the
  dispatch of the two time types to :mod:`vires_repo.timescales`;
* :mod:`~vires_repo.io.cdf.location`: local paths versus URLs (remote bytes go through the
  storage seam).

The names below are the seam's API; callers import them from ``vires_repo.io.cdf``.
"""

from vires_repo.io.cdf.datatypes import (
    CDF_EPOCH,
    CDF_TIME_TT2000,
    TEXT_TYPES,
    TIME_TYPES,
    AttributeEntry,
    cdf_time_to_datetime64,
    datetime64_to_cdf_time,
)
from vires_repo.io.cdf.reader import CdfReader, VariableInfo, open_cdf
from vires_repo.io.cdf.writer import CdfVariable, write_cdf

__all__ = [
    "CDF_EPOCH",
    "CDF_TIME_TT2000",
    "TEXT_TYPES",
    "TIME_TYPES",
    "AttributeEntry",
    "CdfReader",
    "CdfVariable",
    "VariableInfo",
    "cdf_time_to_datetime64",
    "datetime64_to_cdf_time",
    "open_cdf",
    "write_cdf",
]
