"""Synthetic Swarm magnetic products: ``SW_MAGx_LR_1B`` (dataset ``MDR_MAG_LR``, full or
minimal, one or many tiny ones for bulk benchmarks) and the ``SW_ULFxMAG_2F``-like product whose
time span is a global attribute. Positions from :data:`~vires_repo.testing.sampling.SWARM_ORBITS`,
an axial-dipole field.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import numpy.typing as npt

from vires_repo.io.cdf import CDF_EPOCH, AttributeEntry, datetime64_to_cdf_time
from vires_repo.testing.product_files import product_file_name, write_product_file
from vires_repo.testing.sampling import (
    SWARM_ORBITS,
    CircularOrbit,
    Interval,
    TimeLike,
    dipole_field_nec,
    in_intervals,
    sample_times,
    to_datetime64,
)
from vires_repo.timescales import TimeArray

MAG_LR_MINIMAL_VARIABLES = (
    "Timestamp", "Latitude", "Longitude", "Radius", "F", "B_NEC",
    "Flags_F", "Flags_B", "Flags_q", "Flags_Platform",
)  # fmt: skip


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
    latitude[in_intervals(times, nan_latitudes)] = np.nan
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
    return write_product_file(folder, name, "SW_MAGx_LR_1B", data, attributes)


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
    return write_product_file(folder, name, "SW_ULFxMAG_2F", data, {attribute_name: list(entries)})
