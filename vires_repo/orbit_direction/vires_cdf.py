"""Import and export of VirES orbit-direction table files (CDF, reference 8.2).

A VirES table (``SW_VIRE_AUXAODBGEO.cdf``, ...) holds ``Timestamp`` (CDF_EPOCH),
``BoundaryType`` and ``OrbitDirection`` (CDF_INT1) and lists its source products in the global
attributes ``SOURCES`` and ``SOURCE_TIME_RANGES``. CDF access goes through
:mod:`vires_repo.io.cdf`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from vires_repo import __version__
from vires_repo.errors import ProductFileError
from vires_repo.io.cdf import (
    AttributeEntry,
    CdfVariable,
    open_cdf,
    write_cdf,
)
from vires_repo.orbit_direction.extract import Boundaries
from vires_repo.orbit_direction.missions import TableKey, vires_table_name
from vires_repo.orbit_direction.table import OrbitDirectionTable, Source
from vires_repo.timescales import cdf_epoch_to_datetime64, datetime64_to_cdf_epoch

NEIGHBOUR_DISTANCE_MS = 1000.0
NEIGHBOUR_OVERLAP_MS = 3000.0
_DESCRIPTIONS = {
    "GEO": "Orbit directions boundaries in geographic coordinates.",
    "QD": "Orbit directions boundaries in quasi-dipole coordinates.",
}
_VARIABLE_DESCRIPTIONS = {
    "Timestamp": "Time stamp",
    "BoundaryType": "Boundary type (regular 0, block start 1, block end -1)",
    "OrbitDirection": "Orbit direction after this point. (ascending 1, descending -1, undefined 0)",
}


def read_vires_table(location: str | os.PathLike[str], key: TableKey) -> OrbitDirectionTable:
    """Load a VirES orbit-direction table file (local path or fsspec URL)."""
    with open_cdf(location) as cdf:
        boundaries = Boundaries(
            cdf.read_times("Timestamp").astype("datetime64[ms]"),
            cdf.read_variable("BoundaryType").astype(np.int8),
            cdf.read_variable("OrbitDirection").astype(np.int8),
        )
        attributes = cdf.global_attributes()
        product_ids = [str(value) for value in attributes.get("SOURCES", [])]
        ranges = attributes.get("SOURCE_TIME_RANGES", [])
        if len(ranges) != len(product_ids):
            raise cdf.error(
                f"{len(product_ids)} SOURCES but {len(ranges)} SOURCE_TIME_RANGES entries"
            )
        sources = []
        for product_id, time_range in zip(product_ids, ranges, strict=True):
            start, end = _time_range(cdf.location, product_id, time_range)
            sources.append(Source(product_id, start, end))
    return OrbitDirectionTable(key, boundaries, sources)


def _time_range(
    location: str, product_id: str, values: object
) -> tuple[np.datetime64, np.datetime64]:
    epochs = np.asarray(values, np.float64).ravel()
    if epochs.size != 2:
        raise ProductFileError(f"{location}: SOURCE_TIME_RANGES of {product_id} is not a pair")
    start, end = cdf_epoch_to_datetime64(epochs).astype("datetime64[ms]")
    return start, end


def write_vires_table(
    table: OrbitDirectionTable,
    location: str | os.PathLike[str],
    title: str | None = None,
    created: datetime | None = None,
) -> None:
    """Write ``table`` as a VirES table file, atomically; verified first (VirES saves only
    valid tables). ``title`` defaults to the VirES file name of the table's key."""
    table.verify()
    boundaries = table.boundaries
    sources = table.sources
    created = created or datetime.now(UTC)

    def variable(data: npt.NDArray[np.generic], data_type: str, name: str) -> CdfVariable:
        attributes = {"UNITS": "-", "DESCRIPTION": _VARIABLE_DESCRIPTIONS[name]}
        return CdfVariable(data, data_type, attributes)

    attributes: dict[str, list[AttributeEntry]] = {
        "CREATED": [created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")],
        "CREATOR": [f"vires-repo-{__version__}"],
        "TITLE": [title or vires_table_name(table.key)],
        "PRODUCT_DESCRIPTION": [_DESCRIPTIONS[table.key.kind]],
        "SOURCES": [source.product_id for source in sources],
        "SOURCE_TIME_RANGES": [
            (datetime64_to_cdf_epoch(np.array([s.start, s.end])).tolist(), "CDF_EPOCH")
            for s in sources
        ],
        "NEIGHBOUR_DISTANCE": [([NEIGHBOUR_DISTANCE_MS], "CDF_FLOAT")],
        "NEIGHBOUR_OVERLAP": [([NEIGHBOUR_OVERLAP_MS], "CDF_FLOAT")],
    }
    write_cdf(
        location,
        {
            "Timestamp": variable(
                datetime64_to_cdf_epoch(boundaries.times), "CDF_EPOCH", "Timestamp"
            ),
            "BoundaryType": variable(boundaries.types, "CDF_INT1", "BoundaryType"),
            "OrbitDirection": variable(boundaries.directions, "CDF_INT1", "OrbitDirection"),
        },
        {name: entries for name, entries in attributes.items() if entries},
    )
