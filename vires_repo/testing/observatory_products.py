"""Synthetic observatory products: ground observatories (``SW_AUX_OBSx2_``, ``CDF-OBS``) and
virtual observatories (``SW_VOBS_xM_2_``, ``CDF-VOBS``), records grouped by site with the
site codes and record ranges in global attributes; an axial-dipole field.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from vires_repo.io.cdf import CDF_EPOCH, AttributeEntry, datetime64_to_cdf_time
from vires_repo.testing.product_files import product_file_name, write_product_file
from vires_repo.testing.sampling import (
    EARTH_RADIUS_M,
    TimeLike,
    dipole_field_nec,
    sample_times,
    to_datetime64,
)
from vires_repo.timescales import TimeArray


@dataclass(frozen=True)
class Observatory:
    """A ground observatory: IAGA code and ITRF position (degrees, metres)."""

    code: str
    latitude: float
    longitude: float
    radius: float = EARTH_RADIUS_M


OBSERVATORIES = (
    Observatory("ABK", 68.36, 18.82, 6_360_700.0),
    Observatory("BOU", 40.14, -105.24, 6_370_800.0),
    Observatory("HER", -34.43, 19.23, 6_372_300.0),
    Observatory("HON", 21.32, -158.00, 6_375_900.0),
    Observatory("KAK", 36.23, 140.18, 6_370_400.0),
    Observatory("NGK", 52.07, 12.68, 6_365_100.0),
)
"""Real observatories (approximate positions), the default sites of an OBS product."""

VOBS_SITES = ((65, -51), (45, 15), (0, 0), (-30, 120), (-77, -114))
"""Latitude and longitude (degrees) of the default virtual observatories."""


# -- SW_AUX_OBSx2_ -----------------------------------------------------------------------


def write_obs_product(
    folder: str | os.PathLike[str],
    start: TimeLike,
    end: TimeLike,
    *,
    sampling: timedelta = timedelta(minutes=1),
    observatories: Sequence[Observatory | str] = OBSERVATORIES,
    time_type: str = CDF_EPOCH,
    file_type: str = "AUX_OBSM2_",
    version: str = "0102",
) -> str:
    """Write a ground-observatory product (``CDF-OBS``, e.g. ``SW_OPER_AUX_OBSM2_``).

    Records are grouped by observatory (``IAGA_code``), each group holding every ``sampling``
    from ``start`` to ``end``; global attributes ``IAGA_CODES`` and ``INDEX_RANGES`` name each
    group and its ``[start, stop)`` record range. A plain string in ``observatories`` is a code
    at a made-up position (e.g. an invalid code for tests).
    """
    sites = [_observatory(site, index) for index, site in enumerate(observatories)]
    times = sample_times(start, end, sampling)
    site_times, columns, ranges = _stack_sites(times, [len(times)] * len(sites), sites)
    b_nec = dipole_field_nec(columns["latitude"], columns["radius"])
    data: dict[str, tuple[npt.ArrayLike, str]] = {
        "IAGA_code": (columns["code"], "CDF_CHAR"),
        "Timestamp": (datetime64_to_cdf_time(site_times, time_type), time_type),
        "Latitude": (columns["latitude"], "CDF_DOUBLE"),
        "Longitude": (columns["longitude"], "CDF_DOUBLE"),
        "Radius": (columns["radius"], "CDF_DOUBLE"),
        "B_NEC": (b_nec, "CDF_DOUBLE"),
        "Quality": (np.full(len(site_times), "D"), "CDF_CHAR"),
    }
    attributes: dict[str, list[AttributeEntry]] = {
        "IAGA_CODES": [site.code for site in sites],
        "INDEX_RANGES": [([begin, stop], "CDF_INT8") for begin, stop in ranges],
    }
    name = product_file_name(f"SW_OPER_{file_type}", times[0], times[-1], version)
    return write_product_file(folder, name, "SW_AUX_OBSx2_", data, attributes)


def _observatory(site: Observatory | str, index: int) -> Observatory:
    if isinstance(site, Observatory):
        return site
    return Observatory(site, 10.0 * index - 30.0, 25.0 * index - 100.0)


def _stack_sites(
    times: TimeArray, counts: Sequence[int], sites: Sequence[Observatory]
) -> tuple[TimeArray, dict[str, npt.NDArray[Any]], list[tuple[int, int]]]:
    """Concatenate the first ``counts[i]`` of ``times`` for each site, with site columns."""
    stacked = np.concatenate([times[:count] for count in counts]) if sites else times[:0]
    columns: dict[str, npt.NDArray[Any]] = {
        "code": np.repeat([site.code for site in sites], counts),
        "latitude": np.repeat([site.latitude for site in sites], counts).astype(np.float64),
        "longitude": np.repeat([site.longitude for site in sites], counts).astype(np.float64),
        "radius": np.repeat([site.radius for site in sites], counts).astype(np.float64),
    }
    bounds = np.concatenate([[0], np.cumsum(counts)]).astype(int)
    ranges = [(int(begin), int(stop)) for begin, stop in zip(bounds[:-1], bounds[1:], strict=True)]
    return stacked, columns, ranges


# -- SW_VOBS_xM_2_ -----------------------------------------------------------------------


def vobs_site_code(latitude: int, longitude: int) -> str:
    """Virtual-observatory code of a grid position, e.g. ``(65, -51)`` -> ``N65W051``."""
    north = "N" if latitude >= 0 else "S"
    east = "E" if longitude >= 0 else "W"
    return f"{north}{abs(latitude):02d}{east}{abs(longitude):03d}"


def write_vobs_product(
    folder: str | os.PathLike[str],
    start: TimeLike,
    end: TimeLike,
    *,
    sites: Sequence[tuple[int, int]] = VOBS_SITES,
    months: int = 1,
    time_type: str = CDF_EPOCH,
    spacecraft: str = "S",
    version: str = "0201",
) -> str:
    """Write a virtual-observatory product (``CDF-VOBS``, e.g. ``SW_OPER_VOBS_1M_2_``).

    Observed and core-field values at the 15th of every ``months``-th month from ``start`` to
    ``end``; secular variation (``*_SV`` variables) half-way between consecutive values. Site
    codes in ``SITE_CODES``, record ranges in ``INDEX_RANGES`` and ``INDEX_RANGES_SV``.
    """
    first = to_datetime64(start).astype("datetime64[M]")
    last = to_datetime64(end)
    month_starts = np.arange(first, last.astype("datetime64[M]") + 1, months)
    mid_months = np.asarray(month_starts + np.timedelta64(14, "D"), dtype="datetime64[us]")
    times = mid_months[(mid_months >= to_datetime64(start)) & (mid_months <= last)]
    if times.size < 2:
        raise ValueError("a VOBS product needs at least two monthly values")
    times_sv = times[:-1] + (times[1:] - times[:-1]) // 2
    observatories = [
        Observatory(vobs_site_code(lat, lon), float(lat), float(lon), EARTH_RADIUS_M + 490e3)
        for lat, lon in sites
    ]
    obs_times, columns, ranges = _stack_sites(times, [times.size] * len(sites), observatories)
    sv_times, sv_columns, sv_ranges = _stack_sites(
        times_sv, [times_sv.size] * len(sites), observatories
    )
    b_obs = dipole_field_nec(columns["latitude"], columns["radius"])
    sigma = np.full(b_obs.shape, 2.0)
    sv = np.tile([10.0, -5.0, 20.0], (len(sv_times), 1))
    data: dict[str, tuple[npt.ArrayLike, str]] = {
        "SiteCode": (columns["code"], "CDF_CHAR"),
        "Timestamp": (datetime64_to_cdf_time(obs_times, time_type), time_type),
        "Latitude": (columns["latitude"], "CDF_DOUBLE"),
        "Longitude": (columns["longitude"], "CDF_DOUBLE"),
        "Radius": (columns["radius"], "CDF_DOUBLE"),
        "B_CF": (b_obs * 0.99, "CDF_DOUBLE"),
        "B_OB": (b_obs, "CDF_DOUBLE"),
        "sigma_CF": (sigma, "CDF_DOUBLE"),
        "sigma_OB": (sigma, "CDF_DOUBLE"),
        "SiteCode_SV": (sv_columns["code"], "CDF_CHAR"),
        "Timestamp_SV": (datetime64_to_cdf_time(sv_times, time_type), time_type),
        "Latitude_SV": (sv_columns["latitude"], "CDF_DOUBLE"),
        "Longitude_SV": (sv_columns["longitude"], "CDF_DOUBLE"),
        "Radius_SV": (sv_columns["radius"], "CDF_DOUBLE"),
        "B_SV": (sv, "CDF_DOUBLE"),
        "sigma_SV": (np.full(sv.shape, 1.0), "CDF_DOUBLE"),
    }
    attributes: dict[str, list[AttributeEntry]] = {
        "SITE_CODES": [site.code for site in observatories],
        "INDEX_RANGES": [([begin, stop], "CDF_INT8") for begin, stop in ranges],
        "INDEX_RANGES_SV": [([begin, stop], "CDF_INT8") for begin, stop in sv_ranges],
    }
    collection = f"SW_OPER_VOBS_{months}M_2_" if spacecraft == "S" else f"{spacecraft}_OPER_VOBS"
    name = product_file_name(collection, times[0], times[-1], version)
    return write_product_file(folder, name, "SW_VOBS_xM_2_", data, attributes)
