"""Synthetic Swarm-like product files for tests, the demo and benchmarks.

No real Swarm product file is available offline, so these writers produce files with the
variables, CDF types and global attributes of the real products (VirES product types
``SW_MAGx_LR_1B``, ``SW_AUX_OBSx2_``, ``SW_VOBS_xM_2_``, ``MM_CON_EPH_2_``, ``SW_ULFxMAG_2F``)
and realistic values: positions from :mod:`vires_repo.testing.orbit_model`, an axial-dipole magnetic
field. Variable attributes (``DESCRIPTION``, ``UNITS``) come from the shipped product types.

Every writer takes a destination folder (local path or fsspec URL), names the file after the
Swarm grammar (``SW_OPER_MAGA_LR_1B_20160101T000000_20160101T235959_0409_MDR_MAG_LR.cdf``: the
first and last record times, baseline and file counter) and returns the file's full location.
The same arguments always give the same bytes.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from vires_repo.definitions import load_defaults
from vires_repo.io.cdf import (
    CDF_EPOCH,
    AttributeEntry,
    CdfVariable,
    datetime64_to_cdf_time,
    write_cdf,
)
from vires_repo.testing.orbit_model import EARTH_RADIUS_M, SWARM_ORBITS, CircularOrbit
from vires_repo.timescales import TimeArray
from vires_repo.timespec import parse_datetime

TimeLike = datetime | np.datetime64 | str
"""A UTC time: aware or naive (UTC) ``datetime``, ``datetime64`` or ISO-8601 text."""
Interval = tuple[TimeLike, TimeLike]
FloatArray = npt.NDArray[np.float64]

DIPOLE_G10_NT = -29404.8  # IGRF-13 axial dipole coefficient, epoch 2020

MAG_LR_MINIMAL_VARIABLES = (
    "Timestamp", "Latitude", "Longitude", "Radius", "F", "B_NEC",
    "Flags_F", "Flags_B", "Flags_q", "Flags_Platform",
)  # fmt: skip


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


# -- file names and times ----------------------------------------------------------------


def product_file_name(
    collection: str,
    start: TimeLike,
    end: TimeLike,
    version: str,
    *,
    dataset: str | None = None,
    extension: str = ".cdf",
) -> str:
    """Swarm product file name: ``<collection>_<start>_<end>_<version>[_<dataset>]<ext>``."""
    parts = [collection, _compact(to_datetime64(start)), _compact(to_datetime64(end)), version]
    if dataset:
        parts.append(dataset)
    return "_".join(parts) + extension


def to_datetime64(value: TimeLike) -> np.datetime64:
    """A :data:`TimeLike` as UTC ``datetime64[us]``."""
    if isinstance(value, np.datetime64):
        moment: np.datetime64 = value.astype("datetime64[us]")
        return moment
    if isinstance(value, str):
        value = parse_datetime(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return np.datetime64(value, "us")


def sample_times(
    start: TimeLike, end: TimeLike, sampling: timedelta, gaps: Sequence[Interval] = ()
) -> TimeArray:
    """Times ``start, start + sampling, ...`` up to ``end`` inclusive, minus ``gaps``.

    A gap ``(begin, end)`` removes the records with ``begin <= t < end``.
    """
    step = np.timedelta64(sampling, "us")
    first, last = to_datetime64(start), to_datetime64(end)
    times = np.arange(first, last + np.timedelta64(1, "us"), step)
    return times[~_in_intervals(times, gaps)]


def _in_intervals(times: TimeArray, intervals: Sequence[Interval]) -> npt.NDArray[np.bool_]:
    inside = np.zeros(times.shape, dtype=bool)
    for begin, end in intervals:
        inside |= (times >= to_datetime64(begin)) & (times < to_datetime64(end))
    return inside


def _compact(moment: np.datetime64) -> str:
    return str(np.datetime_as_string(moment, unit="s")).replace("-", "").replace(":", "")


# -- magnetic field and attributes -------------------------------------------------------


def dipole_field_nec(latitude: FloatArray, radius: FloatArray) -> FloatArray:
    """Axial-dipole field (nT) in the North-East-Centre frame at geocentric positions."""
    colatitude = np.radians(90.0 - latitude)
    scale = (EARTH_RADIUS_M / radius) ** 3
    b_radial = 2.0 * DIPOLE_G10_NT * scale * np.cos(colatitude)
    b_theta = DIPOLE_G10_NT * scale * np.sin(colatitude)
    return np.stack([-b_theta, np.zeros_like(b_theta), -b_radial], axis=-1)


@functools.cache
def _variable_attributes(product_type: str) -> dict[str, dict[str, str]]:
    """``DESCRIPTION``/``UNITS`` of each variable of a shipped type, by its name in the file."""
    attributes: dict[str, dict[str, str]] = {}
    for definition in load_defaults("product_types"):
        if definition["name"] != product_type:
            continue
        for variables in definition["datasets"].values():
            for name, variable in variables.items():
                source = variable.get("source", name)
                attributes.setdefault(source, dict(variable.get("attributes", {})))
    return attributes


def _write(
    folder: str | os.PathLike[str],
    name: str,
    product_type: str,
    data: Mapping[str, tuple[npt.ArrayLike, str]],
    attributes: Mapping[str, Sequence[AttributeEntry]] | None = None,
) -> str:
    """Write ``data`` (variable -> values and CDF type, with the shipped attributes of
    ``product_type``) as ``folder/name``; return the location."""
    known = _variable_attributes(product_type)
    variables = {
        variable: CdfVariable(np.asarray(values), data_type, known.get(variable, {}))
        for variable, (values, data_type) in data.items()
    }
    folder = os.fspath(folder)
    location = f"{folder.rstrip('/')}/{name}" if folder else name
    write_cdf(location, variables, attributes)
    return location


# -- SW_MAGx_LR_1B -----------------------------------------------------------------------


def write_mag_lr_product(
    folder: str | os.PathLike[str],
    start: TimeLike,
    end: TimeLike,
    *,
    spacecraft: str = "A",
    sampling: timedelta = timedelta(seconds=1),
    time_type: str = CDF_EPOCH,
    with_time_extent: bool = False,
    gaps: Sequence[Interval] = (),
    nan_latitudes: Sequence[Interval] = (),
    file_class: str = "OPER",
    version: str = "0409",
    minimal: bool = False,
    orbit: CircularOrbit | None = None,
) -> str:
    """Write a ``SW_MAGx_LR_1B`` (dataset ``MDR_MAG_LR``) product; return its location.

    Records every ``sampling`` from ``start`` to ``end`` (inclusive) except in ``gaps``;
    ``Latitude`` is NaN in ``nan_latitudes``. ``time_type`` is ``CDF_EPOCH`` (as ESA's files)
    or ``CDF_TIME_TT2000``. ``with_time_extent`` adds the VirES ``TIME_EXTENT`` attribute.
    ``minimal`` writes only :data:`MAG_LR_MINIMAL_VARIABLES` (cheaper, for bulk benchmarks).
    The default orbit is the spacecraft's from :data:`SWARM_ORBITS`.
    """
    times = sample_times(start, end, sampling, gaps)
    if times.size == 0:
        raise ValueError("no records between start and end outside the gaps")
    return _write_mag_lr(
        folder,
        times,
        spacecraft=spacecraft,
        time_type=time_type,
        with_time_extent=with_time_extent,
        nan_latitudes=nan_latitudes,
        file_class=file_class,
        version=version,
        minimal=minimal,
        orbit=orbit or SWARM_ORBITS[spacecraft],
    )


def _write_mag_lr(
    folder: str | os.PathLike[str],
    times: TimeArray,
    *,
    spacecraft: str,
    time_type: str,
    with_time_extent: bool,
    nan_latitudes: Sequence[Interval],
    file_class: str,
    version: str,
    minimal: bool,
    orbit: CircularOrbit,
) -> str:
    latitude, longitude, radius = orbit.positions(times)
    b_nec = dipole_field_nec(latitude, radius)
    latitude[_in_intervals(times, nan_latitudes)] = np.nan
    count = times.size
    zeros, vectors = np.zeros(count), np.zeros((count, 3))
    data: dict[str, tuple[npt.ArrayLike, str]] = {
        "Timestamp": (datetime64_to_cdf_time(times, time_type), time_type),
        "SyncStatus": (np.zeros(count, np.uint16), "CDF_UINT2"),
        "Latitude": (latitude, "CDF_DOUBLE"),
        "Longitude": (longitude, "CDF_DOUBLE"),
        "Radius": (radius, "CDF_DOUBLE"),
        "F": (np.linalg.norm(b_nec, axis=1), "CDF_DOUBLE"),
        "dF_Sun": (zeros, "CDF_DOUBLE"),
        "dF_AOCS": (zeros, "CDF_DOUBLE"),
        "dF_other": (zeros, "CDF_DOUBLE"),
        "F_error": (np.full(count, 0.3), "CDF_DOUBLE"),
        "B_VFM": (b_nec[:, [1, 0, 2]] * [1.0, 1.0, -1.0], "CDF_DOUBLE"),
        "B_NEC": (b_nec, "CDF_DOUBLE"),
        "dB_Sun": (vectors, "CDF_DOUBLE"),
        "dB_AOCS": (vectors, "CDF_DOUBLE"),
        "dB_other": (vectors, "CDF_DOUBLE"),
        "B_error": (np.full((count, 3), 0.5), "CDF_DOUBLE"),
        "q_NEC_CRF": (np.tile([1.0, 0.0, 0.0, 0.0], (count, 1)), "CDF_DOUBLE"),
        "Att_error": (zeros, "CDF_DOUBLE"),
        "Flags_F": (np.zeros(count, np.uint8), "CDF_UINT1"),
        "Flags_B": (np.zeros(count, np.uint8), "CDF_UINT1"),
        "Flags_q": (np.zeros(count, np.uint8), "CDF_UINT1"),
        "Flags_Platform": (np.zeros(count, np.uint16), "CDF_UINT2"),
        "ASM_Freq_Dev": (zeros, "CDF_DOUBLE"),
    }
    if minimal:
        data = {name: data[name] for name in MAG_LR_MINIMAL_VARIABLES}
    attributes: dict[str, list[AttributeEntry]] = {}
    if with_time_extent:
        extent = datetime64_to_cdf_time(times[[0, -1]], time_type)
        attributes["TIME_EXTENT"] = [(extent.tolist(), time_type)]
    collection = f"SW_{file_class}_MAG{spacecraft}_LR_1B"
    name = product_file_name(collection, times[0], times[-1], version, dataset="MDR_MAG_LR")
    return _write(folder, name, "SW_MAGx_LR_1B", data, attributes)


def write_small_mag_lr_products(
    folder: str | os.PathLike[str],
    count: int,
    *,
    start: TimeLike = "2016-01-01",
    period: timedelta = timedelta(days=1),
    records: int = 4,
    spacecraft: str = "A",
) -> list[str]:
    """``count`` consecutive tiny ``SW_MAGx_LR_1B`` products for bulk benchmarks.

    Product ``k`` covers ``[start + k * period, start + (k + 1) * period - 1 s]`` with
    ``records`` records spread evenly over it (whole seconds, first and last at the ends) and
    the minimal variables, so it registers like a full daily product but costs about a
    millisecond to write.
    """
    if records < 2:
        raise ValueError("a small product needs at least 2 records")
    first = to_datetime64(start)
    span_s = period.total_seconds() - 1
    offsets = np.rint(np.linspace(0.0, span_s, records)).astype(np.int64).astype("timedelta64[s]")
    return [
        _write_mag_lr(
            folder,
            first + index * np.timedelta64(period, "us") + offsets,
            spacecraft=spacecraft,
            time_type=CDF_EPOCH,
            with_time_extent=False,
            nan_latitudes=(),
            file_class="OPER",
            version="0409",
            minimal=True,
            orbit=SWARM_ORBITS[spacecraft],
        )
        for index in range(count)
    ]


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
    return _write(folder, name, "SW_AUX_OBSx2_", data, attributes)


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
    return _write(folder, name, "SW_VOBS_xM_2_", data, attributes)


# -- MM_CON_EPH_2_ -----------------------------------------------------------------------


def write_con_eph_product(
    folder: str | os.PathLike[str],
    start: TimeLike,
    end: TimeLike,
    *,
    crossover_step: timedelta | None = timedelta(minutes=20),
    plane_alignment_step: timedelta | None = timedelta(days=1),
    time_type: str = CDF_EPOCH,
    version: str = "0101",
) -> str:
    """Write a multi-mission conjunctions product (``CDF-CON_EPH_2_``).

    A crossover every ``crossover_step`` (``None``: none) lasting 1 to 60 minutes (a fixed
    pattern, the longest 3600 s), a plane alignment every ``plane_alignment_step`` (``None``:
    none) at noon.
    """
    first, last = to_datetime64(start), to_datetime64(end)
    crossovers = (
        sample_times(first, last, crossover_step) if crossover_step else np.array([], "M8[us]")
    )
    duration_s = (np.arange(crossovers.size) * 7 % 60 + 1) * 60.0
    crossovers_end = crossovers + (duration_s * 1e6).astype("timedelta64[us]")
    noon = first.astype("datetime64[D]").astype("datetime64[us]") + np.timedelta64(12, "h")
    alignments = (
        sample_times(noon, last, plane_alignment_step)
        if plane_alignment_step
        else np.array([], "M8[us]")
    )
    satellites = ["SW_A", "SW_B", "GF_1", "CS_2"]
    pick = np.arange(crossovers.size) % len(satellites)
    pick_pa = np.arange(alignments.size) % len(satellites)
    n_cross, n_align = crossovers.size, alignments.size
    data: dict[str, tuple[npt.ArrayLike, str]] = {
        "crossover_time_1": (datetime64_to_cdf_time(crossovers, time_type), time_type),
        "crossover_time_2": (datetime64_to_cdf_time(crossovers_end, time_type), time_type),
        "crossover_time_difference": (duration_s, "CDF_DOUBLE"),
        "crossover_satellite_1": (np.array(satellites)[pick], "CDF_CHAR"),
        "crossover_satellite_2": (np.array(satellites)[(pick + 1) % 4], "CDF_CHAR"),
        "crossover_altitude_1": (np.full(n_cross, 460.0), "CDF_DOUBLE"),
        "crossover_altitude_2": (np.full(n_cross, 510.0), "CDF_DOUBLE"),
        "crossover_latitude": (np.linspace(-85.0, 85.0, n_cross), "CDF_DOUBLE"),
        "crossover_longitude": (np.linspace(-180.0, 180.0, n_cross), "CDF_DOUBLE"),
        "crossover_magnetic_latitude": (np.linspace(-80.0, 80.0, n_cross), "CDF_DOUBLE"),
        "crossover_magnetic_longitude": (np.linspace(-170.0, 170.0, n_cross), "CDF_DOUBLE"),
        "crossover_local_solar_time_1": (np.full(n_cross, 10.0), "CDF_DOUBLE"),
        "crossover_local_solar_time_2": (np.full(n_cross, 22.0), "CDF_DOUBLE"),
        "plane_alignment_time": (datetime64_to_cdf_time(alignments, time_type), time_type),
        "plane_alignment_satellite_1": (np.array(satellites)[pick_pa], "CDF_CHAR"),
        "plane_alignment_satellite_2": (np.array(satellites)[(pick_pa + 2) % 4], "CDF_CHAR"),
        "plane_alignment_altitude_1": (np.full(n_align, 460.0), "CDF_DOUBLE"),
        "plane_alignment_altitude_2": (np.full(n_align, 510.0), "CDF_DOUBLE"),
        "plane_alignment_ltan_1": (np.full(n_align, 10.5), "CDF_DOUBLE"),
        "plane_alignment_ltan_2": (np.full(n_align, 10.5), "CDF_DOUBLE"),
        "plane_alignment_ltan_rate_1": (np.full(n_align, -0.04), "CDF_DOUBLE"),
        "plane_alignment_ltan_rate_2": (np.full(n_align, -0.03), "CDF_DOUBLE"),
    }
    name = product_file_name("MM_OPER_CON_EPH_2_", first, last, version)
    return _write(folder, name, "MM_CON_EPH_2_", data)


# -- SW_ULFxMAG_2F (time span attribute) -------------------------------------------------


def write_timespan_product(
    folder: str | os.PathLike[str],
    start: TimeLike,
    end: TimeLike,
    *,
    spacecraft: str = "A",
    sampling: timedelta = timedelta(seconds=1),
    attribute_name: str = "Timespan",
    timespan: tuple[str, str] | None = None,
    version: str = "0101",
) -> str:
    """Write a ``SW_ULFxMAG_2F``-like product whose time span is a global attribute.

    ``attribute_name`` holds two entries ``UTC=YYYY-MM-DDThh:mm:ss`` (``start`` and ``end``
    to the second) unless ``timespan`` gives the two entry texts verbatim.
    """
    times = sample_times(start, end, sampling)
    latitude, longitude, radius = SWARM_ORBITS[spacecraft].positions(times)
    data: dict[str, tuple[npt.ArrayLike, str]] = {
        "Timestamp": (datetime64_to_cdf_time(times, CDF_EPOCH), CDF_EPOCH),
        "Latitude": (latitude, "CDF_DOUBLE"),
        "Longitude": (longitude, "CDF_DOUBLE"),
        "Radius": (radius, "CDF_DOUBLE"),
        "Flag_Pc3": (np.zeros(times.size, np.uint8), "CDF_UINT1"),
    }
    first, last = to_datetime64(start), to_datetime64(end)
    entries = timespan or tuple(
        f"UTC={np.datetime_as_string(moment, unit='s')}" for moment in (first, last)
    )
    name = product_file_name(f"SW_OPER_ULF{spacecraft}MAG_2F", first, last, version)
    return _write(folder, name, "SW_ULFxMAG_2F", data, {attribute_name: list(entries)})
