"""Adding a batch of products to the two tables of a source collection.

The products go in begin-time order, each with the edges of its neighbours (reference 8.5):
the extraction may run in worker processes, the merge into the tables stays in time order in
this process, and the tables are verified and saved together at the end of the batch.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import numpy as np

from vires_repo.catalog import Catalog
from vires_repo.errors import (
    OrbitDirectionIntegrityError,
    ProductIntegrityError,
    ViresRepoError,
)
from vires_repo.orbit_direction.loaded_table import LoadedTable
from vires_repo.orbit_direction.missions import OrbitDirectionThresholds
from vires_repo.orbit_direction.product_extraction import (
    ExtractedProduct,
    ExtractionJob,
    extract_products,
    run_extraction_job,
)
from vires_repo.orbit_direction.store import TableStore
from vires_repo.products import ProductRecord
from vires_repo.services.messages import Messages, Say
from vires_repo.services.orbit_direction.reporting import OrbitDirectionResult
from vires_repo.services.orbit_direction.sources import SourceCollection, product_location
from vires_repo.timescales import to_datetime64


def _ms(time: datetime | np.datetime64) -> np.datetime64:
    return to_datetime64(time, "ms")


@dataclass
class CollectionTables:
    """The GEO and QD tables of one source collection, windows of them in memory."""

    source: SourceCollection
    geo: LoadedTable
    qd: LoadedTable
    changed: bool = False

    @classmethod
    def open(cls, catalog: Catalog, source: SourceCollection) -> CollectionTables:
        store = TableStore(catalog.storage)
        return cls(source, store.open(source.key("GEO")), store.open(source.key("QD")))

    @classmethod
    def replacing(cls, catalog: Catalog, source: SourceCollection) -> CollectionTables:
        """Empty tables that replace the stored ones on save, whatever their format."""
        store = TableStore(catalog.storage)
        geo, qd = store.replacing(source.key("GEO")), store.replacing(source.key("QD"))
        return cls(source, geo, qd, changed=True)

    @property
    def both(self) -> tuple[LoadedTable, LoadedTable]:
        return self.geo, self.qd

    def ensure(self, start: datetime | np.datetime64, end: datetime | np.datetime64) -> None:
        for loaded in self.both:
            loaded.ensure(_ms(start), _ms(end))

    def ensure_all(self) -> None:
        for loaded in self.both:
            loaded.ensure_all()

    def contains(self, product_id: str) -> bool:
        return all(product_id in loaded.table for loaded in self.both)

    def source_ids(self) -> set[str]:
        return {s.product_id for loaded in self.both for s in loaded.table.sources}

    def remove(self, product_id: str) -> None:
        for loaded in self.both:
            if product_id in loaded.table:
                loaded.table.remove(product_id)
        self.changed = True

    def merge(
        self,
        extracted: ExtractedProduct,
        previous_id: str | None,
        span_start: np.datetime64,
        say: Messages,
    ) -> None:
        for message in extracted.warnings:
            say.warning(message)
        product = extracted.product
        self.ensure(min(span_start, product.trim_start), product.trim_end)
        try:
            self.geo.table.update(extracted.product_id, extracted.geo, product, previous_id)
            self.qd.table.update(extracted.product_id, extracted.qd, product, previous_id)
        except OrbitDirectionIntegrityError as error:
            raise ProductIntegrityError(extracted.product_id, error) from error
        self.changed = True

    def save(self) -> None:
        """Verify both windows, then write both; nothing is written if either is invalid."""
        if not self.changed:
            return
        for loaded in self.both:
            loaded.verify()
        now = datetime.now(UTC)
        for loaded in self.both:
            loaded.save(now)
        self.changed = False


class Neighbours:
    """Neighbour search among products sorted by begin time (reference 8.5)."""

    def __init__(self, records: Sequence[ProductRecord], thresholds: OrbitDirectionThresholds):
        """``records`` in :func:`~.sources.time_order` (as :func:`~.sources.collection_records`
        gives them)."""
        self.records = records
        self.begins = [r.begin_time for r in records]
        self.min_gap = as_timedelta(thresholds.min_product_gap)
        self.max_gap = as_timedelta(thresholds.max_product_gap)

    def _first_in(self, low: datetime, high: datetime) -> ProductRecord | None:
        """The first product (by begin time) with ``begin <= high and end >= low``."""
        stop = bisect.bisect_right(self.begins, high)
        for record in self.records[:stop]:
            if record.end_time >= low:
                return record
        return None

    def previous(self, record: ProductRecord) -> ProductRecord | None:
        start = record.begin_time
        return self._first_in(start - self.max_gap, start - self.min_gap)

    def next(self, record: ProductRecord) -> ProductRecord | None:
        end = record.end_time
        return self._first_in(end + self.min_gap, end + self.max_gap)


def as_timedelta(value: np.timedelta64) -> timedelta:
    """A threshold as a ``timedelta`` (to compare with product times)."""
    return timedelta(milliseconds=int(value / np.timedelta64(1, "ms")))


def extraction_job(
    source: SourceCollection,
    item: ProductRecord,
    previous: ProductRecord | None,
    following: ProductRecord | None,
) -> ExtractionJob:
    """The job extracting ``item`` with its neighbours (a neighbour without a file is left out;
    a product without one fails in the job)."""

    def location(record: ProductRecord | None) -> str | None:
        if record is None:
            return None
        try:
            return product_location(record)
        except ViresRepoError:
            return None

    return ExtractionJob(
        source.thresholds,
        item.identifier,
        location(item) or f"<product {item.identifier} has no data file>",
        location(previous),
        location(following),
        _ms(item.begin_time),
    )


def _closed_before_failures(
    jobs: Sequence[ExtractionJob], outcomes: list[ExtractedProduct | str]
) -> list[ExtractedProduct | str]:
    """``outcomes``, where a product preceding one that failed is extracted again without it.

    A product's last block runs on into the next product, whose extraction closes it; when
    that extraction fails (a product readable as a neighbour, e.g. beyond apexpy's years), the
    table would end in an open block, which the save refuses, losing the whole batch. Without
    the failed follower the block closes at the product's end, as at the end of the data.
    """
    for index in range(1, len(jobs)):
        before = jobs[index - 1]
        failed = isinstance(outcomes[index], str)
        if (
            failed
            and not isinstance(outcomes[index - 1], str)
            and (before.next_location == jobs[index].location)
        ):
            outcomes[index - 1] = run_extraction_job(replace(before, next_location=None))
    return outcomes


@dataclass
class Batch:
    """Per-product messages held back until the batch is saved (a batch that falls back to a
    sync reports the sync instead)."""

    result: OrbitDirectionResult = field(default_factory=OrbitDirectionResult)
    lines: list[tuple[Say, str]] = field(default_factory=list)

    def flush(self) -> None:
        for say, line in self.lines:
            say(line)
        self.lines.clear()


def add_batch(
    tables: CollectionTables,
    items: Sequence[ProductRecord],
    neighbours: Neighbours,
    batch: Batch,
    say: Messages,
    *,
    check_neighbours: bool,
) -> OrbitDirectionResult:
    """Add the products (sorted by begin time) that are not in the tables yet, each with the
    edges of its neighbours, save the tables, then report. A product that fails is reported
    and left out; an unreadable neighbour is left out of its neighbours' context.

    With ``check_neighbours``, a neighbour neither in the tables nor in the batch raises
    :class:`ProductIntegrityError` (the caller falls back to a sync)."""
    batch_ids = {r.identifier for r in items}
    result = batch.result
    plan: list[tuple[ProductRecord, ProductRecord | None]] = []
    jobs: list[ExtractionJob] = []
    for item in items:
        result.total += 1
        if tables.contains(item.identifier):
            result.skipped += 1
            if check_neighbours:  # sync does not list what it skips
                line = f"{item.identifier} orbit direction lookup table extraction skipped"
                batch.lines.append((say.info, line))
            continue
        previous, following = neighbours.previous(item), neighbours.next(item)
        if check_neighbours:
            for neighbour in (previous, following):
                if (
                    neighbour is not None
                    and neighbour.identifier not in batch_ids
                    and not tables.contains(neighbour.identifier)
                ):
                    raise ProductIntegrityError(
                        item.identifier,
                        OrbitDirectionIntegrityError(
                            f"{neighbour.identifier} not found in orbit direction lookup table!"
                        ),
                    )
        plan.append((item, previous))
        jobs.append(extraction_job(tables.source, item, previous, following))
    outcomes = _closed_before_failures(jobs, list(extract_products(jobs)))
    for (item, previous), outcome in zip(plan, outcomes, strict=True):
        if isinstance(outcome, str):
            result.failed += 1
            batch.lines.append(
                (say.error, f"Processing of {item.identifier} failed! Reason: {outcome}")
            )
            continue
        span_start = _ms(previous.begin_time if previous else item.begin_time)
        tables.merge(outcome, previous.identifier if previous else None, span_start, say)
        result.processed += 1
        batch.lines.append((say.info, f"{item.identifier} orbit direction lookup table extracted"))
    tables.save()
    batch.flush()
    return result
