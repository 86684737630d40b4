"""Writing and reading the CDF files of the cached products (cdflib underneath).

Attribute entries keep their CDF data type so that copied attributes (MMA merge) and the
``VALIDITY``/``SOURCE_TIME_RANGES`` values read back exactly as VirES wrote them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import cdflib
import numpy as np
import numpy.typing as npt
from cdflib.cdfwrite import CDF as CdfWriter

from vires_repo.cached_products.sources import basename
from vires_repo.errors import ProductFileError

CREATOR = "vires-repo"
CREATED_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""Format of the ``CREATED`` attribute (UTC, whole seconds)."""

# CDF type name -> cdflib writer code
_CDF_TYPES: dict[str, int] = {
    name: int(getattr(CdfWriter, name))
    for name in (
        "CDF_INT1",
        "CDF_INT2",
        "CDF_INT4",
        "CDF_INT8",
        "CDF_UINT1",
        "CDF_UINT2",
        "CDF_UINT4",
        "CDF_REAL4",
        "CDF_REAL8",
        "CDF_FLOAT",
        "CDF_DOUBLE",
        "CDF_EPOCH",
        "CDF_CHAR",
        "CDF_UCHAR",
        "CDF_BYTE",
    )
}


@dataclass(frozen=True)
class AttributeEntry:
    """One entry of a CDF attribute: a string, or numbers with their CDF type."""

    value: str | float | list[float] | list[int]
    cdf_type: str = "CDF_CHAR"


@dataclass(frozen=True)
class CdfVariable:
    """A zVariable to write; ``data`` holds the records along its first axis."""

    name: str
    data: npt.NDArray[Any]
    cdf_type: str
    attributes: Mapping[str, AttributeEntry] = field(default_factory=dict)


def text_entry(value: str) -> AttributeEntry:
    return AttributeEntry(value)


def double_entry(value: float | list[float]) -> AttributeEntry:
    return AttributeEntry(value, "CDF_DOUBLE")


def created_attributes(created: datetime) -> dict[str, list[AttributeEntry]]:
    """``CREATED`` (read back as the "updated" time of a cached product) and ``CREATOR``."""
    return {
        "CREATED": [text_entry(created.strftime(CREATED_FORMAT))],
        "CREATOR": [text_entry(CREATOR)],
    }


def validity_attribute(times: npt.NDArray[np.float64]) -> list[AttributeEntry]:
    """``VALIDITY``: two entries, the first and last MJD2000 time of the data."""
    return [double_entry(float(times.min())), double_entry(float(times.max()))]


def single_source_attributes(
    created: datetime, source: str, times: npt.NDArray[np.float64]
) -> dict[str, list[AttributeEntry]]:
    """Global attributes of a product converted from one source: ``CREATED``, ``CREATOR``,
    ``SOURCE`` (the source product id) and ``VALIDITY`` (the MJD2000 range of ``times``)."""
    return {
        **created_attributes(created),
        "SOURCE": [text_entry(source)],
        "VALIDITY": validity_attribute(times),
    }


def _entry_value(entry: AttributeEntry) -> Any:
    if entry.cdf_type in ("CDF_CHAR", "CDF_UCHAR"):
        return entry.value
    return [entry.value, entry.cdf_type]


def write_cdf(
    path: Path,
    variables: Sequence[CdfVariable],
    global_attributes: Mapping[str, Sequence[AttributeEntry]],
) -> None:
    """Write a new row-major, uncompressed CDF file at ``path`` (which must end in ``.cdf``)."""
    writer = CdfWriter(path, cdf_spec={"Majority": "row_major", "Compressed": 0})
    try:
        writer.write_globalattrs(
            {
                name: {index: _entry_value(entry) for index, entry in enumerate(entries)}
                for name, entries in global_attributes.items()
            }
        )
        for variable in variables:
            data = np.ascontiguousarray(variable.data)
            writer.write_var(
                {
                    "Variable": variable.name,
                    "Var_Type": "zVariable",
                    "Data_Type": _CDF_TYPES[variable.cdf_type],
                    "Num_Elements": 1,
                    "Rec_Vary": True,
                    "Dim_Sizes": list(data.shape[1:]),
                    "Compress": 0,
                },
                var_attrs={
                    name: _entry_value(entry) for name, entry in variable.attributes.items()
                },
                var_data=data,
            )
    finally:
        writer.close()


def open_cdf(path: Path, source_name: str | None = None) -> cdflib.CDF:
    """Open a CDF for reading; an unreadable file is a ProductFileError naming it."""
    try:
        return cdflib.CDF(path)
    except Exception as error:  # cdflib raises plain OSError/ValueError/... on bad files
        raise ProductFileError(
            f"{source_name or basename(str(path))}: not a readable CDF file ({error})"
        ) from None


def variable_names(cdf: cdflib.CDF) -> list[str]:
    info = cdf.cdf_info()
    return list(info.zVariables) + list(info.rVariables)


def read_variable(cdf: cdflib.CDF, name: str) -> npt.NDArray[Any]:
    """All records of a variable, records along the first axis (also for one record)."""
    data = np.asarray(cdf.varget(name))
    dims = cdf.varinq(name).Dim_Sizes
    return data.reshape((-1, *dims)) if dims else data.reshape(-1)


def global_attributes(cdf: cdflib.CDF) -> dict[str, list[AttributeEntry]]:
    """All global attributes with their entries and CDF types."""
    result: dict[str, list[AttributeEntry]] = {}
    for name, values in cdf.globalattsget().items():
        result[name] = [_read_entry(cdf.attget(name, index)) for index in range(len(values))]
    return result


def variable_attributes(cdf: cdflib.CDF, variable: str) -> dict[str, AttributeEntry]:
    return {name: _read_entry(cdf.attget(name, variable)) for name in cdf.varattsget(variable)}


def _read_entry(data: Any) -> AttributeEntry:
    value = data.Data
    if data.Data_Type in ("CDF_CHAR", "CDF_UCHAR"):
        return AttributeEntry(str(value), data.Data_Type)
    items = np.asarray(value).ravel().tolist()
    return AttributeEntry(items[0] if len(items) == 1 else items, data.Data_Type)


def attribute_texts(cdf: cdflib.CDF, name: str) -> list[str]:
    """The entries of a global attribute as strings (empty when it is absent)."""
    values = cdf.globalattsget().get(name)
    if values is None:
        return []
    return [str(value) for value in values]
