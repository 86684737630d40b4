"""Orbit-direction tables of the catalogue: update, sync, rebuild, import, export, lookup.

Every collection with ``calculateOrbitDirection: true`` feeds the two tables (GEO and QD) of its
(mission, spacecraft, grade); there is at most one such collection per table (checked on
``product_collection import``). A product counts as processed when both tables list it.

* :func:`update_products` (``orbit_direction update``) and :func:`update_after_registration`
  (called by ``product register``): the given products in time order, each with its
  neighbours, which must already be in the tables or in the same batch; an integrity error
  falls back to a sync of the collection and then to a rebuild (reference 8.6).
* :func:`sync_tables`: drop the sources no longer in the collection, add the missing products.
* :func:`rebuild_tables`: the tables from scratch.

Tables are stored by :mod:`vires_repo.orbit_direction.store`; only the months a batch touches
are read and written, under the catalogue lock.
"""

from __future__ import annotations

import bisect
import contextlib
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from vires_repo.cached_products.conversion import CachedProductInfo
from vires_repo.catalog import Catalog
from vires_repo.definitions.models import grade_of
from vires_repo.definitions.selection import CollectionFilter
from vires_repo.errors import DefinitionError, NotFoundError, ViresRepoError
from vires_repo.orbit_direction import (
    Boundaries,
    OrbitDirectionIntegrityError,
    OrbitDirectionTable,
    OrbitDirectionThresholds,
    OrbitSamples,
    ProductInput,
    TableKey,
    extract_orbit_directions,
    extract_qd_orbit_directions,
    prepare_product_input,
    thresholds_for_mission,
)
from vires_repo.orbit_direction.positions import read_edge, read_positions
from vires_repo.orbit_direction.sql import orbit_direction_view_sql
from vires_repo.orbit_direction.store import (
    LoadedTable,
    TableFiles,
    TableStore,
    known_table_names,
    read_table,
    table_key_of_name,
    to_ms,
    write_table,
)
from vires_repo.orbit_direction.table import TableKind
from vires_repo.orbit_direction.vires_cdf import (
    read_vires_table,
    vires_table_name,
    write_vires_table,
)
from vires_repo.products import ProductRecord
from vires_repo.products import ProductSelection as IndexSelection
from vires_repo.services._batch import MAX_EXIT_CODE
from vires_repo.services._collections import select_collections
from vires_repo.timespec import parse_datetime

logger = logging.getLogger("vires_repo.orbit_direction")

Say = Callable[[str], None]
Int8Array = npt.NDArray[np.int8]
KINDS: tuple[TableKind, ...] = ("GEO", "QD")
_LOOKUP_PREFIXES: tuple[tuple[TableKind, str], ...] = (("GEO", ""), ("QD", "QD"))


@dataclass(frozen=True)
class Messages:
    """Where messages go: the logger by default, the console for the CLI commands."""

    info: Say = logger.info
    warning: Say = logger.warning
    error: Say = logger.error


LOG = Messages()
REGISTRATION_LOG = Messages(info=logger.debug)
"""Registration shows only the warnings and errors of its orbit-direction update (as VirES);
the per-product lines are debug messages there."""


@dataclass
class OrbitDirectionResult:
    """Counts of an update, sync or rebuild and its VirES summary lines (reference 8.6)."""

    total: int = 0
    processed: int = 0
    skipped: int = 0
    failed: int = 0
    removed: int = 0

    def summary_lines(self) -> list[str]:
        lines = []
        if self.processed:
            lines.append(f"{self.processed} of {self.total} product(s) processed.")
        if self.skipped:
            lines.append(f"{self.skipped} of {self.total} product(s) skipped.")
        if self.failed:
            lines.append(f"Failed to process {self.failed} of {self.total} product(s).")
        if self.removed:
            lines.append(f"{self.removed} old product(s) removed from lookup tables.")
        if self.total == 0:
            lines.append("No file processed.")
        return lines

    @property
    def exit_code(self) -> int:
        return min(self.failed, MAX_EXIT_CODE)

    def add(self, other: OrbitDirectionResult) -> None:
        self.total += other.total
        self.processed += other.processed
        self.skipped += other.skipped
        self.failed += other.failed
        self.removed += other.removed


# -- source collections ---------------------------------------------------------------------


@dataclass(frozen=True)
class SourceCollection:
    """A collection feeding the orbit-direction tables of its (mission, spacecraft, grade)."""

    identifier: str
    mission: str
    spacecraft: str | None
    grade: str | None

    @property
    def thresholds(self) -> OrbitDirectionThresholds:
        return thresholds_for_mission(self.mission)

    def key(self, kind: TableKind) -> TableKey:
        return TableKey(self.mission, self.spacecraft, self.grade, kind)

    def table_names(self) -> list[str]:
        return [vires_table_name(self.key(kind)) for kind in KINDS]


def _source(collection: dict[str, Any]) -> SourceCollection:
    mission = collection.get("mission")
    if not mission:
        raise DefinitionError(
            f"collection {collection['name']} has calculateOrbitDirection but no mission"
        )
    source = SourceCollection(
        str(collection["name"]),
        str(mission),
        collection.get("spacecraft") or None,
        grade_of(collection),
    )
    source.table_names()  # fails clearly for a (mission, spacecraft, grade) without tables
    return source


def source_collections(
    catalog: Catalog, selection: CollectionFilter | None = None
) -> list[SourceCollection]:
    """The collections with ``calculateOrbitDirection: true`` matching ``selection``."""
    collections = select_collections(catalog, selection or CollectionFilter())
    return [_source(c) for c in collections if c.get("calculateOrbitDirection")]


def source_collection(catalog: Catalog, collection_id: str) -> SourceCollection | None:
    """The collection as an orbit-direction source, or None if it is not one."""
    if not catalog.product_collections.exists(collection_id):
        return None
    collection = catalog.product_collections.load(collection_id)
    return _source(collection) if collection.get("calculateOrbitDirection") else None


# -- the two tables of a source collection ----------------------------------------------------


@dataclass(frozen=True)
class _Extracted:
    """The boundaries of one product with its neighbours' edges (no samples: picklable and
    small, so that extraction can run in worker processes)."""

    product_id: str
    product: ProductInput
    geo: Boundaries
    qd: Boundaries
    warnings: tuple[str, ...]


def _extract(
    thresholds: OrbitDirectionThresholds,
    product_id: str,
    samples: OrbitSamples,
    previous: OrbitSamples | None,
    next_samples: OrbitSamples | None,
) -> _Extracted:
    product = prepare_product_input(
        samples,
        previous,
        next_samples,
        nominal_sampling=thresholds.nominal_sampling,
        gap_threshold=thresholds.gap_threshold,
    )
    warnings = [
        f"{product_id} ({role} samples): {message}"
        for role, issues in product.issues
        for message in issues.messages()
    ]
    geo = extract_orbit_directions(
        product.samples.times,
        product.samples.latitudes,
        thresholds.nominal_sampling,
        thresholds.gap_threshold,
    )
    qd = extract_qd_orbit_directions(
        product.samples, thresholds.nominal_sampling, thresholds.gap_threshold
    )
    if geo.skipped_nan or qd.skipped_nan:
        warnings.append(f"{product_id}: NaN value detected and skipped!")
    empty = OrbitSamples(*(np.empty(0, a.dtype) for a in _sample_arrays(product.samples)))
    return _Extracted(
        product_id,
        replace(product, samples=empty),
        geo.boundaries,
        qd.boundaries,
        tuple(warnings),
    )


def _sample_arrays(samples: OrbitSamples) -> tuple[npt.NDArray[Any], ...]:
    return samples.times, samples.latitudes, samples.longitudes, samples.radii


_Job = tuple[OrbitDirectionThresholds, str, str, str | None, str | None, np.datetime64]
"""(thresholds, product id, location, previous product's location, next product's location,
product start): what a worker needs to extract one product."""


def _job(
    source: SourceCollection,
    item: ProductRecord,
    previous: ProductRecord | None,
    following: ProductRecord | None,
) -> _Job:
    def location(record: ProductRecord | None) -> str | None:
        if record is None:
            return None
        try:
            return _location(record)
        except ViresRepoError:
            return None

    return (
        source.thresholds,
        item.identifier,
        location(item) or f"<product {item.identifier} has no data file>",
        location(previous),
        location(following),
        to_ms(item.begin_time),
    )


def _extract_job(job: _Job) -> _Extracted | str:
    """Read a product and its neighbours' edges and extract (in a worker process when many);
    an error is returned as its message. An unreadable neighbour is left out of the context
    (the tables keep whatever that neighbour contributed)."""
    thresholds, product_id, location, previous_location, next_location, start = job
    try:
        samples = read_positions(location)
    except (ViresRepoError, ValueError, OSError) as error:
        return str(error)
    previous = next_samples = None
    if previous_location is not None:
        with contextlib.suppress(ViresRepoError, ValueError, OSError):
            previous = read_edge(previous_location, "tail", start)
    if next_location is not None:
        with contextlib.suppress(ViresRepoError, ValueError, OSError):
            next_samples = read_edge(next_location, "head")
    try:
        return _extract(thresholds, product_id, samples, previous, next_samples)
    except (ViresRepoError, ValueError, OSError) as error:
        return str(error)


class _ProductIntegrityError(OrbitDirectionIntegrityError):
    """An integrity error while adding one product (names the product)."""

    def __init__(self, product_id: str, error: Exception) -> None:
        super().__init__(str(error))
        self.product_id = product_id


@dataclass
class _Tables:
    """The GEO and QD tables of one source collection, windows of them in memory."""

    source: SourceCollection
    geo: LoadedTable
    qd: LoadedTable
    changed: bool = False

    @classmethod
    def open(cls, catalog: Catalog, source: SourceCollection) -> _Tables:
        store = TableStore(catalog.storage)
        return cls(source, store.open(source.key("GEO")), store.open(source.key("QD")))

    @property
    def both(self) -> tuple[LoadedTable, LoadedTable]:
        return self.geo, self.qd

    def ensure(self, start: datetime | np.datetime64, end: datetime | np.datetime64) -> None:
        for loaded in self.both:
            loaded.ensure(to_ms(start), to_ms(end))

    def ensure_all(self) -> None:
        for loaded in self.both:
            loaded.ensure_all()

    def reset(self) -> None:
        for loaded in self.both:
            loaded.reset()
        self.changed = True

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
        extracted: _Extracted,
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
            raise _ProductIntegrityError(extracted.product_id, error) from error
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


# -- neighbours -----------------------------------------------------------------------------


class _Neighbours:
    """Neighbour search among products sorted by begin time (reference 8.5)."""

    def __init__(self, records: Sequence[ProductRecord], thresholds: OrbitDirectionThresholds):
        """``records`` sorted by :func:`_time_order` (as :func:`_collection_records` gives)."""
        self.records = records
        self.begins = [r.begin_time for r in records]
        self.min_gap = _timedelta(thresholds.min_product_gap)
        self.max_gap = _timedelta(thresholds.max_product_gap)

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


def _timedelta(value: np.timedelta64) -> timedelta:
    return timedelta(milliseconds=int(value / np.timedelta64(1, "ms")))


def _time_order(record: ProductRecord) -> tuple[datetime, str]:
    return record.begin_time, record.identifier


def _location(record: ProductRecord) -> str:
    if record.location:
        return record.location
    locations = record.dataset_locations()
    if not locations:
        raise NotFoundError(f"product {record.identifier} has no data file")
    return locations[0]


def _collection_records(
    catalog: Catalog, collection: str, start: datetime | None = None, end: datetime | None = None
) -> list[ProductRecord]:
    if start is None or end is None:
        records = catalog.products.select(IndexSelection(collections=(collection,)))
    else:
        records = catalog.products.in_window(collection, start, end + timedelta(microseconds=1))
    return sorted(records, key=_time_order)


# -- adding products ------------------------------------------------------------------------


@dataclass
class _Batch:
    """Per-product messages held back until the batch is saved (a batch that falls back to a
    sync reports the sync instead)."""

    result: OrbitDirectionResult = field(default_factory=OrbitDirectionResult)
    lines: list[tuple[Say, str]] = field(default_factory=list)

    def flush(self) -> None:
        for say, line in self.lines:
            say(line)
        self.lines.clear()


def _add_batch(
    tables: _Tables,
    items: Sequence[ProductRecord],
    neighbours: _Neighbours,
    batch: _Batch,
    say: Messages,
    *,
    check_neighbours: bool,
) -> OrbitDirectionResult:
    """Add the products (sorted by begin time) that are not in the tables yet, each with the
    edges of its neighbours, save the tables, then report. Extraction may run in worker
    processes; the merge is in time order. A product that fails is reported and left out; an
    unreadable neighbour is left out of its neighbours' context."""
    batch_ids = {r.identifier for r in items}
    result = batch.result
    plan: list[tuple[ProductRecord, ProductRecord | None]] = []
    jobs: list[_Job] = []
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
                    raise _ProductIntegrityError(
                        item.identifier,
                        OrbitDirectionIntegrityError(
                            f"{neighbour.identifier} not found in orbit direction lookup table!"
                        ),
                    )
        plan.append((item, previous))
        jobs.append(_job(tables.source, item, previous, following))
    for (item, previous), outcome in zip(plan, _run_extraction(jobs), strict=True):
        if isinstance(outcome, str):
            result.failed += 1
            batch.lines.append(
                (say.error, f"Processing of {item.identifier} failed! Reason: {outcome}")
            )
            continue
        span_start = to_ms(previous.begin_time if previous else item.begin_time)
        tables.merge(outcome, previous.identifier if previous else None, span_start, say)
        result.processed += 1
        batch.lines.append((say.info, f"{item.identifier} orbit direction lookup table extracted"))
    tables.save()
    batch.flush()
    return result


def _update_collection(
    catalog: Catalog, source: SourceCollection, items: Sequence[ProductRecord], say: Messages
) -> OrbitDirectionResult:
    """Add products of one collection with the neighbour check; raises on integrity errors."""
    items = sorted(items, key=_time_order)
    gap = _timedelta(source.thresholds.max_product_gap)
    start = min(r.begin_time for r in items) - gap
    end = max(r.end_time for r in items) + gap
    neighbours = _Neighbours(
        _collection_records(catalog, source.identifier, start, end), source.thresholds
    )
    tables = _Tables.open(catalog, source)
    span = neighbours.records or list(items)  # the products and their neighbours
    tables.ensure(min(r.begin_time for r in span), max(r.end_time for r in span))
    return _add_batch(tables, items, neighbours, _Batch(), say, check_neighbours=True)


def sync_collection(
    catalog: Catalog, source: SourceCollection, say: Messages = LOG
) -> OrbitDirectionResult:
    """Remove the sources no longer in the collection, add the products missing (reference
    8.6); saves only if something changed. Raises :class:`OrbitDirectionIntegrityError`."""
    say.info(f"Synchronizing orbit direction lookup tables for collection {source.identifier} ...")
    records = _collection_records(catalog, source.identifier)
    tables = _Tables.open(catalog, source)
    tables.ensure_all()
    present = {r.identifier for r in records}
    batch = _Batch()
    for product_id in sorted(tables.source_ids() - present):
        tables.remove(product_id)
        batch.result.removed += 1
        batch.lines.append((say.info, f"{product_id} removed from orbit direction lookup tables"))
    for loaded in tables.both:
        if not loaded.table.sources and len(loaded.table):
            loaded.table = OrbitDirectionTable(loaded.key)  # no source left: no points either
    return _add_batch(
        tables, records, _Neighbours(records, source.thresholds), batch, say, check_neighbours=False
    )


def rebuild_collection(
    catalog: Catalog, source: SourceCollection, say: Messages = LOG
) -> OrbitDirectionResult:
    """The tables from scratch, products in begin-time order, each with the previous one as
    neighbour when the gap is below ``max_product_gap`` (reference 8.6); always saved.

    With many local product files the extraction runs in worker processes (one per CPU);
    the merge stays in time order in this process."""
    say.info(f"Rebuilding orbit direction lookup tables for collection {source.identifier} ...")
    records = _collection_records(catalog, source.identifier)
    tables = _Tables.open(catalog, source)
    tables.reset()
    result = OrbitDirectionResult()
    max_gap = _timedelta(source.thresholds.max_product_gap)
    plan: list[tuple[ProductRecord, ProductRecord | None]] = []
    last: ProductRecord | None = None
    for item in records:
        result.total += 1
        if last is not None and not last.begin_time < item.begin_time:
            say.warning(f"{item.identifier} orbit direction lookup table extraction skipped")
            result.skipped += 1
            continue
        gap_ok = last is not None and item.begin_time - last.end_time < max_gap
        plan.append((item, last if gap_ok else None))
        last = item
    jobs = [_job(source, item, previous, None) for item, previous in plan]
    failed: set[str] = set()
    for (item, previous), outcome in zip(plan, _run_extraction(jobs), strict=True):
        if isinstance(outcome, str):
            failed.add(item.identifier)
            result.failed += 1
            say.error(f"Processing of {item.identifier} failed! Reason: {outcome}")
            continue
        previous_id = (
            None if previous is None or previous.identifier in failed else previous.identifier
        )
        tables.merge(outcome, previous_id, to_ms(item.begin_time), say)
        result.processed += 1
    tables.save()
    return result


_PARALLEL_MIN_PRODUCTS = 16
"""Below this many products, starting worker processes (spawned: about 0.3 s) costs more
than it saves."""


def _run_extraction(jobs: Sequence[_Job]) -> Iterable[_Extracted | str]:
    """The extraction of each job, in order: in worker processes for many local files."""
    workers = min(os.cpu_count() or 1, 8)
    local = all("://" not in (location or "") for job in jobs for location in job[2:5])
    if len(jobs) < _PARALLEL_MIN_PRODUCTS or workers < 2 or not local:
        return (_extract_job(job) for job in jobs)
    return _pool_map(jobs, workers)


def _pool_map(jobs: Sequence[_Job], workers: int) -> Iterable[_Extracted | str]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: forking a process that already runs pyarrow's threads can kill the child
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield from pool.map(_extract_job, jobs, chunksize=max(1, len(jobs) // (workers * 4)))


# -- the commands ---------------------------------------------------------------------------


def _sync_or_rebuild(
    catalog: Catalog, source: SourceCollection, say: Messages
) -> OrbitDirectionResult:
    try:
        return sync_collection(catalog, source, say)
    except OrbitDirectionIntegrityError as error:
        say.warning(
            f"Failed to synchronize orbit direction table for {source.identifier} collection! "
            f"{error}"
        )
        return rebuild_collection(catalog, source, say)


def update_products(
    catalog: Catalog, product_ids: Sequence[str], say: Messages = LOG
) -> OrbitDirectionResult:
    """``orbit_direction update``: the given products, found in any source collection."""
    catalog.require_existing()
    result = OrbitDirectionResult()
    unique = list(dict.fromkeys(product_ids))
    with catalog.writing():
        sources = {s.identifier: s for s in source_collections(catalog)}
        found: dict[str, ProductRecord] = {}
        for match in catalog.products.find(unique, sorted(sources)) if sources else []:
            found.setdefault(match.identifier, match)
        by_collection: dict[str, list[ProductRecord]] = {}
        for product_id in unique:
            record = found.get(product_id)
            if record is None:
                result.total += 1
                result.failed += 1
                say.error(
                    f"Processing of {product_id} failed! "
                    "Product not found in any allowed collections!"
                )
                continue
            by_collection.setdefault(record.collection, []).append(record)
        for collection, items in sorted(by_collection.items()):
            source = sources[collection]
            try:
                result.add(_update_collection(catalog, source, items, say))
            except OrbitDirectionIntegrityError as error:
                result.total += len(items)
                say.warning(str(error))
                result.add(_sync_or_rebuild(catalog, source, say))
    return result


def sync_tables(
    catalog: Catalog, selection: CollectionFilter | None = None, say: Messages = LOG
) -> OrbitDirectionResult:
    """``orbit_direction sync``: every selected source collection (all by default)."""
    return _each_source(catalog, selection, say, sync_collection)


def rebuild_tables(
    catalog: Catalog, selection: CollectionFilter | None = None, say: Messages = LOG
) -> OrbitDirectionResult:
    """``orbit_direction rebuild``: every selected source collection (all by default)."""
    return _each_source(catalog, selection, say, rebuild_collection)


def _each_source(
    catalog: Catalog,
    selection: CollectionFilter | None,
    say: Messages,
    action: Callable[[Catalog, SourceCollection, Messages], OrbitDirectionResult],
) -> OrbitDirectionResult:
    catalog.require_existing()
    result = OrbitDirectionResult()
    with catalog.writing():
        for source in source_collections(catalog, selection):
            result.add(action(catalog, source, say))
    return result


def update_after_registration(
    catalog: Catalog,
    collection_id: str,
    product_ids: Sequence[str],
    say: Messages = REGISTRATION_LOG,
) -> int:
    """Post-registration action (reference 6.1.6): add the registered or updated products to
    the tables of their collection, falling back to a sync and then a rebuild on integrity
    errors. Never raises for a product; returns the number of products that failed."""
    if not product_ids:
        return 0
    try:
        source = source_collection(catalog, collection_id)
        if source is None:
            return 0
        with catalog.writing():
            items = catalog.products.find(list(product_ids), [collection_id])
            if not items:
                return 0
            try:
                result = _update_collection(catalog, source, items, say)
            except OrbitDirectionIntegrityError as error:
                product_id = getattr(error, "product_id", ", ".join(product_ids))
                say.warning(
                    f"Failed to update orbit direction table for {product_id} product! {error}"
                )
                result = _sync_or_rebuild(catalog, source, say)
    except ViresRepoError as error:
        say.error(f"Failed to update the orbit direction tables of {collection_id}! {error}")
        return len(product_ids)
    return result.failed


def deregistration_note(catalog: Catalog, collections: Iterable[str]) -> str | None:
    """The INFO line ``product deregister`` prints when it removed products of source
    collections: their boundaries stay in the tables until the next sync."""
    affected = []
    for collection in sorted(set(collections)):
        try:
            if source_collection(catalog, collection) is not None:
                affected.append(collection)
        except ViresRepoError:
            continue
    if not affected:
        return None
    names = " ".join(affected)
    return (
        f"The orbit-direction tables still hold the boundaries of the de-registered products "
        f"of {', '.join(affected)}; run 'orbit_direction sync {names}' to remove them."
    )


# -- migration: VirES table files -----------------------------------------------------------


def _table_name_of_file(location: str) -> str:
    base = location.rstrip("/").rsplit("/", 1)[-1]
    for name in sorted(known_table_names(), key=len, reverse=True):
        if base.startswith(name):
            return name
    raise DefinitionError(
        f"cannot tell which table {location} holds from its name; give the table name"
    )


def import_vires_table(
    catalog: Catalog, location: str, table_name: str | None = None
) -> tuple[str, int, int]:
    """Replace a table with the content of a VirES table CDF (verified first).

    The table is named by ``table_name`` or by the start of the file name
    (``SW_VIRE_AUXBODBGEO_....cdf``). Returns (table name, points, sources).
    """
    name = table_name or _table_name_of_file(location)
    key = table_key_of_name(name)
    table = read_vires_table(location, key)
    table.verify()
    with catalog.writing():
        write_table(TableStore(catalog.storage), table)
    return name, len(table), len(table.sources)


def export_vires_table(catalog: Catalog, table_name: str, location: str) -> tuple[int, int]:
    """Write a stored table as a VirES table CDF; returns (points, sources)."""
    table_key_of_name(table_name)  # an unknown name fails as such
    store = TableStore(catalog.storage)
    manifest = store.manifest(table_name)
    if manifest is None:
        raise NotFoundError(f"orbit-direction table {table_name} does not exist")
    table = read_table(store, manifest)
    created = None
    if manifest.updated:
        created = datetime.fromisoformat(manifest.updated.replace("Z", "+00:00"))
    write_vires_table(table, location, created=created)
    return len(table), len(table.sources)


# -- reading --------------------------------------------------------------------------------


def lookup_orbit_directions(
    catalog: Catalog,
    mission: str,
    spacecraft: str | None,
    grade: str | None,
    times: npt.ArrayLike,
) -> dict[str, Int8Array]:
    """``OrbitDirection``, ``OrbitDirectionBoundaryType``, ``QDOrbitDirection`` and
    ``QDOrbitDirectionBoundaryType`` at ``times`` (reference 8.7): the values of the last
    boundary point at or before each time; 0 and -1 outside the tables' coverage.

    Only the months around the requested times are read.
    """
    values = np.asarray(times).astype("datetime64[us]")
    store = TableStore(catalog.storage)
    output: dict[str, Int8Array] = {}
    for kind, prefix in _LOOKUP_PREFIXES:
        loaded = store.open(TableKey(mission, spacecraft, grade or None, kind))
        if values.size and loaded.exists:
            loaded.ensure(to_ms(values.min()), to_ms(values.max()))
        directions, types = loaded.table.lookup(values)
        output[f"{prefix}OrbitDirection"] = directions
        output[f"{prefix}OrbitDirectionBoundaryType"] = types
    return output


def table_files(catalog: Catalog) -> list[TableFiles]:
    """The live files of every stored table (for the DuckDB views)."""
    store = TableStore(catalog.storage)
    found = (store.files(name) for name in store.table_names())
    return [files for files in found if files is not None]


def cached_product_records(catalog: Catalog) -> list[CachedProductInfo]:
    """The tables as ``cached_product dump`` records: identifier (table name), updated,
    catalogue-relative location, sources. Tables of source collections that were never built
    are listed with no update time and no sources (as VirES lists missing files)."""
    store = TableStore(catalog.storage)
    names = set(store.table_names())
    for source in source_collections(catalog):
        names.update(source.table_names())
    records = []
    for name in sorted(names):
        manifest = store.manifest(name)
        sources: list[str] = []
        if manifest is not None:
            table = read_table(store, manifest)
            sources = [s.product_id for s in table.sources]
        updated = manifest.updated if manifest else None
        records.append(
            CachedProductInfo(
                identifier=name,
                updated=parse_datetime(updated) if updated else None,
                location=store.folder(name),
                sources=sources,
            )
        )
    return records


def view_statements(catalog: Catalog) -> list[str]:
    """``CREATE VIEW`` statements of ``orbit_direction_boundaries`` and
    ``orbit_direction_sources`` over the files the tables' manifests list now (for
    :func:`vires_repo.query.open_connection` and ``vires-repo sql``)."""
    return orbit_direction_view_sql(table_files(catalog))
