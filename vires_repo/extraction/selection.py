"""Which products of a source a window reads, and which part of each (reference 2.1-2.3).

* Time window: the products with ``end_time >= start - tol`` and ``begin_time < stop + tol``
  in begin-time order, ``tol`` VirES's per-type tolerance (:data:`QUERY_TOLERANCE`); a product
  covers ``[begin_time, end_time + 1 ms)``.
* Overlaps within a collection: "later acquisitions take precedence": a product is clipped at
  the begin time of the next one.
* Several collections (master first, then gap fillers): one stream in begin-time order (ties:
  list order); a product of an equal or higher priority clips the held one, a lower-priority
  product only fills what lies beyond the held one's end.

Each resulting :class:`ProductSlice` is read for ``[max(start, begin), min(stop, end))``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from vires_repo.catalog import Catalog
from vires_repo.extraction.request import Source
from vires_repo.products import ProductRecord
from vires_repo.timescales import to_datetime64

_TIME_PRECISION = np.timedelta64(1, "ms")
QUERY_TOLERANCE: dict[str, np.timedelta64] = {
    "SW_AUX_IMF_2_": np.timedelta64(61, "m"),
    "GFZ_KP": np.timedelta64(181, "m"),
    "WDC_DST": np.timedelta64(61, "m"),
}
"""VirES's time tolerance of the product query per product type (reference 2.4; 0 for the
others): products of hourly or three-hourly records are found from just beyond the window."""


def query_window(
    product_type: str, start: np.datetime64, stop: np.datetime64
) -> tuple[np.datetime64, np.datetime64]:
    """The ``[start, stop)`` the product query of a type uses for the window ``[start, stop)``."""
    tolerance = QUERY_TOLERANCE.get(product_type, np.timedelta64(0, "m"))
    return start - tolerance, stop + tolerance


@dataclass(frozen=True)
class ProductSlice:
    """The part ``[begin, end)`` of one product that a source reads."""

    source_index: int
    """Position of the product's collection in the source (VirES's ``DataSource``)."""
    product: ProductRecord
    location: str
    index_range: tuple[int, int] | None
    """Rows ``[start, stop)`` of an observatory site in the file, if a site was asked for."""
    begin: np.datetime64
    end: np.datetime64

    @property
    def identifier(self) -> str:
        return self.product.identifier


def select_slices(
    catalog: Catalog, source: Source, start: np.datetime64, stop: np.datetime64
) -> list[ProductSlice]:
    """The slices of ``[start, stop)`` of a source, in time order."""
    streams = [
        _clipped(_records(catalog, source, index, start, stop))
        for index in range(len(source.collections))
    ]
    merged = sorted(
        (record for stream in streams for record in stream),
        key=lambda record: (record.begin, record.source_index),
    )
    slices = []
    for record in _fill_gaps(merged):
        begin, end = max(start, record.begin), min(stop, record.end)
        if begin < end:
            slices.append(replace(record, begin=begin, end=end))
    return slices


def _records(
    catalog: Catalog, source: Source, index: int, start: np.datetime64, stop: np.datetime64
) -> Iterator[ProductSlice]:
    collection = source.collections[index]
    low, high = query_window(collection.type_name, start, stop)
    records = catalog.products.in_window(collection.name, low.astype(object), high.astype(object))
    for record in records:
        entry = record.datasets.get(source.dataset) or {}
        if source.site is not None and "indexRange" not in entry:
            continue  # VirES skips products without the requested site
        location = entry.get("location") or record.location
        if not isinstance(location, str):
            continue
        index_range = entry.get("indexRange")
        yield ProductSlice(
            source_index=index,
            product=record,
            location=location,
            index_range=(int(index_range[0]), int(index_range[1])) if index_range else None,
            begin=to_datetime64(record.begin_time),
            end=to_datetime64(record.end_time) + _TIME_PRECISION,
        )


def _clipped(records: Iterator[ProductSlice]) -> list[ProductSlice]:
    """Each product's end moved back to the next product's begin where they overlap."""
    ordered = sorted(records, key=lambda record: record.begin)
    result = []
    for index, current in enumerate(ordered):
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        if following is not None and current.end > following.begin:
            current = replace(current, end=following.begin)
        result.append(current)
    return result


def _fill_gaps(records: list[ProductSlice]) -> Iterator[ProductSlice]:
    """VirES's clipping product selector over the merged stream (module docstring)."""
    held: ProductSlice | None = None
    for record in records:
        if held is None:
            held = record
        elif held.end <= record.begin:
            yield held
            held = record
        elif record.source_index <= held.source_index:
            yield replace(held, end=record.begin)
            held = record
        elif held.end < record.end:
            yield held
            held = replace(record, begin=held.end)
        # else: a lower-priority product inside the held one is dropped
    if held is not None:
        yield held
