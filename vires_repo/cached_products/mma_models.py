"""Magnetospheric models (MMA_SHA_2F, MMA_SHA_2C, CHAOS MMA): many CDF files -> one merged CDF.

Every coefficient set is a group ``t_*`` (times), ``nm_*`` (degrees and orders) and the
coefficients, all single-record arrays with time along their first dimension. The merge
concatenates times and coefficients of the selected files in time order and takes ``nm_*``,
the variable attributes and the global attributes from the latest file (reference 9.3).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vires_repo.cached_products.attributes import created_attributes
from vires_repo.cached_products.product_time import require_valid_times
from vires_repo.cached_products.selection import TimedProduct, newest_end_first, select_latest
from vires_repo.cached_products.sources import basename, open_source_cdf
from vires_repo.errors import ProductFileError
from vires_repo.io.cdf import CDF_EPOCH, AttributeEntry, CdfVariable, write_cdf
from vires_repo.timescales import cdf_epoch_to_mjd2000

MAX_GAP = timedelta(hours=2)


@dataclass(frozen=True)
class CoefficientSet:
    time: str
    degrees: str
    coefficients: str


@dataclass(frozen=True)
class MmaLayout:
    """Variables kept in the merged file; ``sets[0].time`` defines the source time ranges."""

    product_type: str  # the 10-character type in the product names
    sets: tuple[CoefficientSet, ...]


MMA_2F_LAYOUT = MmaLayout(
    "MMA_SHA_2F",
    (CoefficientSet("t_qs", "nm_qs", "qs_geo"), CoefficientSet("t_gh", "nm_gh", "gh_geo")),
)


def _dipole_layout(product_type: str) -> MmaLayout:
    return MmaLayout(
        product_type,
        tuple(
            CoefficientSet(f"t_{kind}_{index}", f"nm_{kind}_{index}", f"{kind}_{index}")
            for kind in ("qs", "gh")
            for index in (1, 2)
        ),
    )


MMA_2C_LAYOUT = _dipole_layout("MMA_SHA_2C")
MMA_CHAOS_LAYOUT = _dipole_layout("MMA_CHAOS_")


@dataclass
class _SourceData:
    product: TimedProduct
    arrays: dict[str, npt.NDArray[Any]]
    types: dict[str, str]
    attributes: dict[str, dict[str, AttributeEntry]]
    global_attributes: dict[str, list[AttributeEntry]]


def select_sources(sources: Sequence[str], layout: MmaLayout) -> list[TimedProduct]:
    """The applicable files: latest contiguous chain (2-hour gap rule), chronological."""
    return select_latest(sources, layout.product_type, MAX_GAP, newest_end_first)


def _read_source(product: TimedProduct, layout: MmaLayout) -> _SourceData:
    name = basename(product.source)
    wanted = [
        variable
        for group in layout.sets
        for variable in (group.time, group.degrees, group.coefficients)
    ]
    with open_source_cdf(product.source) as cdf:
        missing = [v for v in wanted if v not in cdf.variable_names()]
        if missing:
            raise ProductFileError(
                f"{name}: not a {layout.product_type} CDF, missing variable(s) {', '.join(missing)}"
            )
        data = _SourceData(
            product,
            {v: cdf.read_variable(v) for v in wanted},
            {v: cdf.variable_info(v).data_type for v in wanted},
            {v: cdf.variable_attributes(v) for v in wanted},
            cdf.attribute_entries(),
        )
    for group in layout.sets:
        times, coefficients = data.arrays[group.time], data.arrays[group.coefficients]
        if times.ndim != 2 or times.shape[0] != 1 or times.shape[1] == 0:
            raise ProductFileError(f"{name}: {group.time} is not one record of times")
        if coefficients.ndim < 2 or coefficients.shape[:2] != times.shape:
            raise ProductFileError(
                f"{name}: {group.coefficients} does not match the {times.shape[1]} times "
                f"of {group.time}"
            )
        require_valid_times(cdf_epoch_to_mjd2000(times), name, f"{group.time} (in MJD2000)")
        if np.any(np.diff(times[0]) <= 0):
            raise ProductFileError(f"{name}: {group.time} is not strictly increasing")
    return data


def _time_ranges(first_last: list[tuple[float, float]]) -> list[AttributeEntry]:
    """Per source ``[start, end]`` (CDF_EPOCH); inner bounds reach into the neighbours.

    The model is interpolated linearly across a file boundary, so a file is in use from the
    last time of the previous file to the first time of the next one.
    """
    ranges: list[AttributeEntry] = []
    for index, (first, last) in enumerate(first_last):
        start = first if index == 0 else first_last[index - 1][1]
        end = last if index == len(first_last) - 1 else first_last[index + 1][0]
        ranges.append(([start, end], CDF_EPOCH))
    return ranges


def merge_mma(
    sources: Sequence[str], target: Path, created: datetime, layout: MmaLayout
) -> list[str]:
    selected = [_read_source(product, layout) for product in select_sources(sources, layout)]
    latest = selected[-1]
    variables: dict[str, CdfVariable] = {}
    for group in layout.sets:
        for data in selected:
            degrees, reference = data.arrays[group.degrees], latest.arrays[group.degrees]
            if not np.array_equal(degrees, reference):
                raise ProductFileError(
                    f"{basename(data.product.source)}: {group.degrees} differs from "
                    f"{basename(latest.product.source)}"
                )
        times = np.concatenate([data.arrays[group.time] for data in selected], axis=1)
        if np.any(np.diff(times[0]) < 0):
            raise ProductFileError(
                f"{layout.product_type}: {group.time} of the selected files overlap in time"
            )
        coefficients = np.concatenate(
            [data.arrays[group.coefficients] for data in selected], axis=1
        )
        for name, array in (
            (group.time, times),
            (group.degrees, latest.arrays[group.degrees]),
            (group.coefficients, coefficients),
        ):
            variables[name] = CdfVariable(array, latest.types[name], latest.attributes[name])
    reference_time = layout.sets[0].time
    ranges = _time_ranges(
        [
            (float(data.arrays[reference_time][0, 0]), float(data.arrays[reference_time][0, -1]))
            for data in selected
        ]
    )
    attributes = dict(latest.global_attributes)
    title = attributes.get("TITLE")
    attributes.update(
        {
            "TITLE": ["Merged " + str(title[0]) if title else "Merged"],
            "SOURCES": [data.product.identifier for data in selected],
            "SOURCE_TIME_RANGES": ranges,
            **created_attributes(created),
        }
    )
    write_cdf(target, variables, attributes)
    return [data.product.identifier for data in selected]


def mma_converter(
    layout: MmaLayout,
) -> Callable[[Sequence[str], Path, datetime], list[str]]:
    """Converter merging the applicable sources of ``layout``'s product type."""

    def convert(sources: Sequence[str], target: Path, created: datetime) -> list[str]:
        return merge_mma(sources, target, created, layout)

    return convert
