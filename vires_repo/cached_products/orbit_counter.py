"""Orbit counters: Swarm/CryoSat-2 text files and GFZ CDF files -> one VirES orbit-counter CDF.

An orbit starts at its ascending-node crossing (``MJD2000``); orbit k lasts until the crossing
of orbit k+1, so the lookup is a "previous value" one and gives -1 outside the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vires_repo.cached_products.attributes import attribute_texts, single_source_attributes
from vires_repo.cached_products.interpolation import previous_value
from vires_repo.cached_products.sources import basename, open_source_cdf, product_id, read_text
from vires_repo.cached_products.tables import column, sample_times, table_from_cdf
from vires_repo.cached_products.text_tables import Column, parse_table, require_increasing
from vires_repo.errors import ProductFileError
from vires_repo.io.cdf import CDF_EPOCH, CdfVariable, write_cdf
from vires_repo.timescales import cdf_epoch_to_mjd2000

NO_ORBIT = -1

_TEXT_COLUMNS = (
    Column("orbit", "int64", int),
    Column("MJD2000", "float64"),
    Column("date", "str", str),
    Column("UT", "str", str),
    Column("phi_AN", "float64"),
    Column("Source", "int64", int),
)
_GFZ_VARIABLES = ("Timestamp", "OrbitNo", "Longitude")


def convert_text_orbit_counter(
    sources: Sequence[str], target: Path, created: datetime
) -> list[str]:
    """Swarm orbit-counter text (``%orbit MJD2000 date UT phi_AN Source``) -> CDF."""
    (source,) = sources
    name = basename(source)
    text = read_text(source)
    _check_text_header(text, name)
    data = parse_table(text, name, _TEXT_COLUMNS, comment_prefixes=("%", "#"))
    identifier = product_id(source)
    _write_orbit_counter(
        target,
        name,
        data["orbit"],
        data["MJD2000"],
        data["phi_AN"],
        data["Source"],
        identifier,
        created,
    )
    return [identifier]


def convert_gfz_orbit_counter(sources: Sequence[str], target: Path, created: datetime) -> list[str]:
    """GFZ orbit-counter CDF (``Timestamp``, ``OrbitNo``, ``Longitude``) -> CDF."""
    (source,) = sources
    name = basename(source)
    with open_source_cdf(source) as cdf:
        missing = [v for v in _GFZ_VARIABLES if v not in cdf.variable_names()]
        if missing:
            raise ProductFileError(
                f"{name}: not a GFZ orbit-counter CDF, missing variable(s) {', '.join(missing)}"
            )
        time_type = cdf.variable_info("Timestamp").data_type
        if time_type != CDF_EPOCH:
            raise ProductFileError(f"{name}: Timestamp must be CDF_EPOCH, found {time_type}")
        times = cdf_epoch_to_mjd2000(cdf.read_variable("Timestamp"))
        orbits = cdf.read_variable("OrbitNo")
        longitudes = cdf.read_variable("Longitude").astype("float64")
        titles = attribute_texts(cdf.global_attributes(), "TITLE")
    if not times.shape == orbits.shape == longitudes.shape:
        raise ProductFileError(
            f"{name}: Timestamp, OrbitNo and Longitude differ in length "
            f"({times.size}, {orbits.size}, {longitudes.size})"
        )
    identifier = titles[0] if titles and titles[0].strip() else product_id(source)
    _write_orbit_counter(
        target, name, orbits, times, longitudes, np.zeros(times.shape, "uint8"), identifier, created
    )
    return [identifier]


def _check_text_header(text: str, name: str) -> None:
    expected = [c.name for c in _TEXT_COLUMNS]
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("%") and line[1:].split() != expected:
            raise ProductFileError(
                f"{name}: line {number}: header {line.strip()!r} is not '%{' '.join(expected)}'"
            )


def _write_orbit_counter(
    target: Path,
    name: str,
    orbits: npt.NDArray[Any],
    times: npt.NDArray[np.float64],
    longitudes: npt.NDArray[np.float64],
    quality: npt.NDArray[Any],
    identifier: str,
    created: datetime,
) -> None:
    if times.size == 0:
        raise ProductFileError(f"{name}: no orbits")
    require_increasing(times, name, "ascending-node times")
    if np.any(np.diff(orbits) <= 0) or orbits.min() < 0:
        raise ProductFileError(f"{name}: orbit numbers are not positive and increasing")
    if np.any(np.abs(longitudes) > 180):
        raise ProductFileError(f"{name}: ascending-node longitude outside [-180, 180] deg")
    if quality.min() < 0 or quality.max() > 255:
        raise ProductFileError(f"{name}: Source flag outside 0..255")
    write_cdf(
        target,
        {
            "orbit": CdfVariable(orbits.astype("uint32"), "CDF_UINT4"),
            "MJD2000": CdfVariable(times, "CDF_DOUBLE"),
            "phi_AN": CdfVariable(longitudes, "CDF_DOUBLE"),
            "Source": CdfVariable(quality.astype("uint8"), "CDF_UINT1"),
        },
        single_source_attributes(created, identifier, times),
    )


def read_orbit_counter_table(location: str) -> pa.Table:
    """Columns ``time, mjd2000, orbit, phi_an, source`` (one row per ascending node)."""
    return table_from_cdf(
        location, "MJD2000", {"orbit": "orbit", "phi_an": "phi_AN", "source": "Source"}
    )


def orbit_number_at(table: pa.Table, mjd2000: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Orbit number at each time; -1 before the first and after the last ascending node."""
    orbits = column(table, "orbit").astype("int64")
    return previous_value(mjd2000, sample_times(table), orbits, NO_ORBIT).astype("int64")
