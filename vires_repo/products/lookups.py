"""Lookups in the product index: by identifier or location, time windows, overlaps, and
per-collection figures (the hot paths use pyarrow directly: a DuckDB connection costs more to
open than these lookups take, see scripts/bench_product_index.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa

from vires_repo.products import kernels
from vires_repo.products.reading import IndexReader
from vires_repo.products.row_filter import RowFilter
from vires_repo.products.schema import SCHEMA, ProductRecord, sort_rows, table_to_records
from vires_repo.products.selection import ProductSelection
from vires_repo.timescales import from_micros, to_micros


@dataclass(frozen=True)
class Overlap:
    """An existing product whose time range overlaps (inclusively) a new product's range."""

    identifier: str
    existing_identifier: str
    existing_begin_time: datetime
    existing_end_time: datetime


@dataclass(frozen=True)
class CollectionSummary:
    """What ``get_collection_info`` reports per collection (reference section 12)."""

    collection: str
    product_count: int
    begin_time: datetime | None
    end_time: datetime | None
    last_updated: datetime | None
    max_product_duration: timedelta


def vires_max_product_duration(duration: timedelta) -> timedelta:
    """Round a product duration as VirES does: up to whole seconds, plus a 1 s buffer."""
    extra = 2 if duration.microseconds else 1
    return timedelta(days=duration.days, seconds=duration.seconds + extra)


class IndexLookups(IndexReader):
    """The lookups that services and extraction ask of the product index."""

    def find(
        self, identifiers: Sequence[str], collections: Sequence[str] = ()
    ) -> list[ProductRecord]:
        """Products by identifier, in the given collections or in any collection."""
        if not identifiers:
            return []
        return self.select(ProductSelection(identifiers=identifiers, collections=collections))

    def exists(self, identifier: str, collection: str | None = None) -> bool:
        selection = ProductSelection(
            identifiers=(identifier,), collections=(collection,) if collection else ()
        )
        return bool(self.read_table(selection, columns=["identifier"]).num_rows > 0)

    def find_by_location(
        self, locations: Sequence[str], collections: Sequence[str] = ()
    ) -> list[ProductRecord]:
        """Products with a dataset whose data-file location equals one of ``locations``."""
        if not locations:
            return []
        return self.select(ProductSelection(locations=locations, collections=collections))

    def in_window(self, collection: str, start: datetime, stop: datetime) -> list[ProductRecord]:
        """Products of a collection with data in ``[start, stop)``, by begin_time: the run-time
        query of VirES (``end_time >= start and begin_time < stop``, reference section 12)."""
        row_filter = RowFilter.overlapping(to_micros(start), to_micros(stop) - 1)
        parts = self._scan(collection, row_filter, SCHEMA.names)
        if not parts:
            return []
        table = sort_rows(pa.concat_tables([table for _entry, table in parts]))
        return table_to_records(table)

    def find_overlaps(
        self, collection: str, products: Iterable[tuple[str, datetime, datetime]]
    ) -> list[Overlap]:
        """Existing products of ``collection`` overlapping each new ``(identifier, begin, end)``.

        Overlap is inclusive, as in VirES: ``existing.begin <= new.end and existing.end >=
        new.begin`` (touching intervals overlap). A product with the same identifier is
        reported too; the caller decides whether it is an update or a conflict.
        """
        new = [(name, to_micros(begin), to_micros(end)) for name, begin, end in products]
        if not new:
            return []
        low = min(begin for _name, begin, _end in new)
        high = max(end for _name, _begin, end in new)
        columns = ["identifier", "begin_time", "end_time"]
        parts = self._scan(collection, RowFilter.overlapping(low, high), columns)
        if not parts:
            return []
        table = pa.concat_tables([table for _entry, table in parts])
        table = kernels.sorted_rows(table, [("begin_time", "ascending")])
        begins = kernels.cast(table["begin_time"], pa.int64()).to_numpy()
        ends = kernels.cast(table["end_time"], pa.int64()).to_numpy()
        names = table["identifier"].to_pylist()
        longest = int((ends - begins).max())
        overlaps = []
        for name, begin, end in new:
            first = int(np.searchsorted(begins, begin - longest, side="left"))
            last = int(np.searchsorted(begins, end, side="right"))
            for position in np.nonzero(ends[first:last] >= begin)[0] + first:
                overlaps.append(
                    Overlap(
                        identifier=name,
                        existing_identifier=names[position],
                        existing_begin_time=from_micros(int(begins[position])),
                        existing_end_time=from_micros(int(ends[position])),
                    )
                )
        return overlaps

    def max_product_duration(self, collection: str) -> timedelta:
        """The collection's ``maxProductDuration`` derived from its live products (VirES
        rounding: whole seconds plus a 1 s buffer; format with ``timespec.format_timedelta``)."""
        import pyarrow.compute as pc  # not a lookup: kernels.py says why it is imported here

        longest: int | None = None
        for _entry, table in self._scan(collection, RowFilter(), ["begin_time", "end_time"]):
            spans = pc.subtract(
                table["end_time"].cast(pa.int64()), table["begin_time"].cast(pa.int64())
            )
            longest = max(longest or 0, pc.max(spans).as_py())
        if longest is None:
            return timedelta(0)  # no products: the VirES default
        return vires_max_product_duration(timedelta(microseconds=longest))

    def summaries(self, collections: Sequence[str] = ()) -> list[CollectionSummary]:
        """Per collection: product count, first begin, last end, last update, max duration."""
        import pyarrow.compute as pc  # not a lookup: kernels.py says why it is imported here

        summaries = []
        for collection in sorted(set(collections)) or self.collections():
            columns = ["begin_time", "end_time", "updated"]
            parts = self._scan(collection, RowFilter(), columns)
            if not parts:
                summaries.append(CollectionSummary(collection, 0, None, None, None, timedelta(0)))
                continue
            table = pa.concat_tables([table for _entry, table in parts])
            begins = table["begin_time"].cast(pa.int64())
            ends = table["end_time"].cast(pa.int64())
            longest = pc.max(pc.subtract(ends, begins)).as_py()
            summaries.append(
                CollectionSummary(
                    collection=collection,
                    product_count=table.num_rows,
                    begin_time=pc.min(table["begin_time"]).as_py(),
                    end_time=pc.max(table["end_time"]).as_py(),
                    last_updated=pc.max(table["updated"]).as_py(),
                    max_product_duration=vires_max_product_duration(
                        timedelta(microseconds=longest)
                    ),
                )
            )
        return summaries
