"""Product metadata from the content of a product file (reference section 6.1.2).

The product type's ``fileType`` selects the reader:

* ``CDF-generic`` (also when absent): global attribute ``TIME_EXTENT`` entry 0 if it holds two
  CDF times, else the first and the last record of the default dataset's primary time variable
  (its ``source`` name in the file). Only those two records are read.
* ``CDF-with-timespan-attribute``: two ``UTC=YYYY-MM-DDThh:mm:ss`` entries of a global
  attribute (``timespanAttributeName``, default ``Timespan``); the end gets + 0.999999 s.
* ``CDF-OBS`` / ``CDF-VOBS``: min/max of ``Timestamp`` plus one dataset per observatory from the
  ``IAGA_CODES``/``SITE_CODES`` and ``INDEX_RANGES`` (and ``INDEX_RANGES_SV``) attributes.
* ``CDF-CON_EPH_2_``: union of the crossover intervals and the plane-alignment times, plus the
  longest crossover interval as ``max_record_duration``.

Beyond VirES, observatory codes and index ranges are validated (garbage such as ``'\\x02OX'``
once reached the VirES catalogue) and a time extent that is invalid or runs backwards is
refused. File problems raise :class:`ProductFileError`, type-definition problems
:class:`DefinitionError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from vires_repo.errors import DefinitionError
from vires_repo.io.cdf import (
    TIME_TYPES,
    CdfReader,
    cdf_time_to_datetime64,
    open_cdf,
)
from vires_repo.timescales import INVALID_TIME, TimeArray
from vires_repo.timespec import format_datetime

CDF_GENERIC = "CDF-generic"
CDF_WITH_TIMESPAN_ATTRIBUTE = "CDF-with-timespan-attribute"
CDF_OBS = "CDF-OBS"
CDF_VOBS = "CDF-VOBS"
CDF_CON_EPH = "CDF-CON_EPH_2_"

TIME_EXTENT_ATTRIBUTE = "TIME_EXTENT"
DEFAULT_TIMESPAN_ATTRIBUTE = "Timespan"
SECULAR_VARIATION_DATASET = "SecularVariation"

IAGA_CODE_PATTERN = re.compile(r"[A-Z0-9]{3}")
VOBS_SITE_CODE_PATTERN = re.compile(r"[NS][0-9]{2}[EW][0-9]{3}")  # e.g. N65W051
_TIMESPAN_VALUE = re.compile(r"UTC=(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})")
_MAX_SUBSECOND = timedelta(seconds=1) - timedelta(microseconds=1)


@dataclass(frozen=True)
class ProductMetadata:
    """What registration needs from a product file.

    ``datasets`` holds only what a reader adds (per-observatory entries of OBS/VOBS products
    with ``indexRange``, ``beginTime``, ``endTime``, ``geographicLocation``); registration adds
    the ``location`` of every dataset.
    """

    begin_time: datetime
    end_time: datetime
    metadata: dict[str, Any]
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)


def read_product_metadata(location: str, product_type: Mapping[str, Any]) -> ProductMetadata:
    """Read the metadata of the product file at ``location`` (local path or fsspec URL).

    ``product_type`` is the VirES product-type JSON object.
    """
    file_type = product_type.get("fileType") or CDF_GENERIC
    reader = METADATA_READERS.get(file_type)
    if reader is None:
        raise DefinitionError(
            f"Unsupported product file type {file_type}! "
            f"(product type {product_type.get('name')}; known: {', '.join(METADATA_READERS)})"
        )
    return reader(location, product_type)


# -- CDF-generic -------------------------------------------------------------------------


def primary_time_variable(product_type: Mapping[str, Any]) -> str:
    """Name in the file of the default dataset's primary time variable (``source`` or name)."""
    datasets = product_type.get("datasets") or {}
    variables = datasets.get(product_type.get("defaultDataset")) or {}
    for name, definition in variables.items():
        if definition.get("primaryTimestamp"):
            return str(definition.get("source", name))
    raise DefinitionError(
        f"Failed to find primary time variable of {product_type.get('name')}! "
        "(no primaryTimestamp variable in its defaultDataset)"
    )


def _read_generic(location: str, product_type: Mapping[str, Any]) -> ProductMetadata:
    time_variable = primary_time_variable(product_type)
    with open_cdf(location) as cdf:
        extent = _time_extent_attribute(cdf)
        if extent is None:
            extent = cdf.first_and_last_times(time_variable)
        begin, end = _checked_extent(cdf, extent[0], extent[1])
    return ProductMetadata(begin, end, {"format": CDF_GENERIC})


def _time_extent_attribute(cdf: CdfReader) -> TimeArray | None:
    """Entry 0 of ``TIME_EXTENT`` if it holds two CDF times, else ``None`` (fall back)."""
    entry = cdf.global_attribute_entry(TIME_EXTENT_ATTRIBUTE, 0)
    if entry is None:
        return None
    values, data_type = entry
    if data_type not in TIME_TYPES or values.shape != (2,):
        return None
    try:
        return cdf_time_to_datetime64(values, data_type)
    except ValueError:
        return None


# -- CDF-with-timespan-attribute ---------------------------------------------------------


def _read_timespan(location: str, product_type: Mapping[str, Any]) -> ProductMetadata:
    attribute = product_type.get("timespanAttributeName") or DEFAULT_TIMESPAN_ATTRIBUTE
    with open_cdf(location) as cdf:
        entries = cdf.global_attribute(attribute)
        if len(entries) != 2 or not all(isinstance(entry, str) for entry in entries):
            raise cdf.error(
                f"Failed to read the {attribute} global attribute! "
                f"(expected two UTC=YYYY-MM-DDThh:mm:ss entries, found {entries!r})"
            )
        begin = _parse_timespan_value(cdf, entries[0])
        end = _parse_timespan_value(cdf, entries[1]) + _MAX_SUBSECOND
        if begin > end:
            raise cdf.error(f"{attribute} begins after it ends: {entries[0]} > {entries[1]}")
    return ProductMetadata(begin, end, {"format": CDF_WITH_TIMESPAN_ATTRIBUTE})


def _parse_timespan_value(cdf: CdfReader, value: str) -> datetime:
    match = _TIMESPAN_VALUE.fullmatch(value)
    try:
        if match is None:
            raise ValueError(value)
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise cdf.error(f"Invalid timestamp value {value!r}!") from None


# -- CDF-OBS and CDF-VOBS ----------------------------------------------------------------


@dataclass(frozen=True)
class _SiteSeries:
    """One time series of an observatory product and how its sites are named."""

    index_ranges_attribute: str
    time_variable: str
    position_variables: tuple[str, str, str]  # latitude, longitude, radius
    dataset_prefix: str = ""


_OBS_SERIES = _SiteSeries("INDEX_RANGES", "Timestamp", ("Latitude", "Longitude", "Radius"))
_VOBS_SV_SERIES = _SiteSeries(
    "INDEX_RANGES_SV",
    "Timestamp_SV",
    ("Latitude_SV", "Longitude_SV", "Radius_SV"),
    dataset_prefix=f"{SECULAR_VARIATION_DATASET}:",
)


def _read_obs(location: str, product_type: Mapping[str, Any]) -> ProductMetadata:
    del product_type
    return _read_observatories(location, CDF_OBS, "IAGA_CODES", IAGA_CODE_PATTERN, [_OBS_SERIES])


def _read_vobs(location: str, product_type: Mapping[str, Any]) -> ProductMetadata:
    del product_type
    return _read_observatories(
        location, CDF_VOBS, "SITE_CODES", VOBS_SITE_CODE_PATTERN, [_OBS_SERIES, _VOBS_SV_SERIES]
    )


def _read_observatories(
    location: str,
    file_type: str,
    codes_attribute: str,
    code_pattern: re.Pattern[str],
    series_list: Sequence[_SiteSeries],
) -> ProductMetadata:
    """Time extent from the first series' times; one dataset per site and series."""
    datasets: dict[str, dict[str, Any]] = {}
    with open_cdf(location) as cdf:
        codes = _site_codes(cdf, codes_attribute, code_pattern)
        times_of = {series: cdf.read_times(series.time_variable) for series in series_list}
        extent_times = times_of[series_list[0]]
        if extent_times.size == 0:
            raise cdf.error(f"time variable {series_list[0].time_variable} is empty")
        for series, times in times_of.items():
            positions = [cdf.read_variable(name) for name in series.position_variables]
            for name, values in zip(series.position_variables, positions, strict=True):
                if len(values) != len(times):
                    raise cdf.error(
                        f"variable {name} has {len(values)} records, "
                        f"{series.time_variable} has {len(times)}"
                    )
            ranges = _index_ranges(cdf, series.index_ranges_attribute, codes, len(times))
            for code, (start, stop) in zip(codes, ranges, strict=True):
                latitude, longitude, radius = (float(values[start]) for values in positions)
                datasets[f"{series.dataset_prefix}{code}"] = {
                    "indexRange": [start, stop],
                    "beginTime": format_datetime(_to_datetime(times[start])),
                    "endTime": format_datetime(_to_datetime(times[stop - 1])),
                    "geographicLocation": {
                        "crs": "ITRF",
                        "latitude": latitude,
                        "longitude": longitude,
                        "radius": radius,
                    },
                }
        begin, end = _checked_extent(cdf, extent_times.min(), extent_times.max())
    return ProductMetadata(begin, end, {"format": file_type}, datasets)


def _site_codes(cdf: CdfReader, attribute: str, pattern: re.Pattern[str]) -> list[str]:
    codes = cdf.global_attribute(attribute)
    for code in codes:
        if not isinstance(code, str) or not pattern.fullmatch(code):
            raise cdf.error(
                f"invalid observatory code {code!r} in {attribute} "
                f"(expected a match of {pattern.pattern})"
            )
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise cdf.error(f"duplicate observatory codes in {attribute}: {', '.join(duplicates)}")
    return [str(code) for code in codes]


def _index_ranges(
    cdf: CdfReader, attribute: str, codes: Sequence[str], records: int
) -> list[tuple[int, int]]:
    entries = cdf.global_attribute(attribute)
    if len(entries) != len(codes):
        raise cdf.error(
            f"{attribute} has {len(entries)} entries for {len(codes)} observatory codes"
        )
    ranges = []
    for code, entry in zip(codes, entries, strict=True):
        values = np.asarray(entry).ravel()
        if values.shape != (2,) or not np.issubdtype(values.dtype, np.integer):
            raise cdf.error(f"{attribute} entry of {code} is not a [start, stop) pair: {entry!r}")
        start, stop = int(values[0]), int(values[1])
        if not 0 <= start < stop <= records:
            raise cdf.error(
                f"invalid index range [{start}, {stop}) of {code} in {attribute} "
                f"({records} records)"
            )
        ranges.append((start, stop))
    return ranges


# -- CDF-CON_EPH_2_ ----------------------------------------------------------------------


def _read_con_eph(location: str, product_type: Mapping[str, Any]) -> ProductMetadata:
    del product_type
    with open_cdf(location) as cdf:
        starts = cdf.read_times("crossover_time_1")
        ends = cdf.read_times("crossover_time_2")
        if starts.shape != ends.shape:
            raise cdf.error("Shape mismatch between the start and end times!")
        if np.any(starts > ends):
            raise cdf.error("Start times after end times detected!")
        alignments = cdf.read_times("plane_alignment_time")
        extents = []
        if starts.size:
            extents.append((starts.min(), ends.max()))
        if alignments.size:
            extents.append((alignments.min(), alignments.max()))
        if not extents:
            raise cdf.error("Failed to extract time-range. Product contains no data.")
        begin, end = _checked_extent(
            cdf, min(extent[0] for extent in extents), max(extent[1] for extent in extents)
        )
    longest = (ends - starts).max() / np.timedelta64(1, "s") if starts.size else 0.0
    metadata = {
        "format": CDF_CON_EPH,
        "max_record_duration": {"crossover": f"PT{math.ceil(longest)}S"},
    }
    return ProductMetadata(begin, end, metadata)


# -- common ------------------------------------------------------------------------------


def _to_datetime(value: np.datetime64) -> datetime:
    moment: datetime = value.astype("datetime64[us]").item()
    return moment.replace(tzinfo=UTC)


def _checked_extent(
    cdf: CdfReader, begin: np.datetime64, end: np.datetime64
) -> tuple[datetime, datetime]:
    if INVALID_TIME in (begin, end) or begin > end:
        raise cdf.error(f"Invalid temporal extent! {begin}Z/{end}Z")
    return _to_datetime(begin), _to_datetime(end)


MetadataReader = Callable[[str, Mapping[str, Any]], ProductMetadata]

METADATA_READERS: dict[str, MetadataReader] = {
    CDF_GENERIC: _read_generic,
    CDF_WITH_TIMESPAN_ATTRIBUTE: _read_timespan,
    CDF_OBS: _read_obs,
    CDF_VOBS: _read_vobs,
    CDF_CON_EPH: _read_con_eph,
}
"""Metadata reader of each product-type ``fileType``."""
