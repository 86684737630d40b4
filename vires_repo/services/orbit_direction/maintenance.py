"""``orbit_direction update``, ``sync`` and ``rebuild``: keeping the tables in step with the
source collections (reference 8.6).

* :func:`update_products`: the given products in time order, each with its neighbours, which
  must already be in the tables or in the same batch; an integrity error falls back to a sync
  of the collection and then to a rebuild;
* :func:`sync_tables`: drop the sources no longer in the collection, add the missing products;
* :func:`rebuild_tables`: the tables from scratch.

Only the months a batch touches are read and written, under the catalogue lock.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from vires_repo.catalog import Catalog
from vires_repo.definitions.selection import CollectionFilter
from vires_repo.errors import OrbitDirectionIntegrityError
from vires_repo.orbit_direction.product_extraction import extract_products
from vires_repo.orbit_direction.table import OrbitDirectionTable
from vires_repo.products import ProductRecord
from vires_repo.services.messages import Messages
from vires_repo.services.orbit_direction.batches import (
    Batch,
    CollectionTables,
    Neighbours,
    add_batch,
    as_timedelta,
    extraction_job,
)
from vires_repo.services.orbit_direction.reporting import LOG, OrbitDirectionResult
from vires_repo.services.orbit_direction.sources import (
    SourceCollection,
    collection_records,
    source_collections,
    time_order,
)
from vires_repo.timescales import to_datetime64


def update_collection(
    catalog: Catalog,
    source: SourceCollection,
    items: Sequence[ProductRecord],
    say: Messages,
    *,
    unless_processed: Collection[str] = frozenset(),
) -> OrbitDirectionResult:
    """Add products of one collection with the neighbour check; raises on integrity errors.

    The products named in ``unless_processed`` are left out without a word (not counted as
    skipped) when the tables already hold them."""
    items = sorted(items, key=time_order)
    tables = CollectionTables.open(catalog, source)
    if unless_processed:
        tables.ensure(min(r.begin_time for r in items), max(r.end_time for r in items))
        items = [
            r
            for r in items
            if r.identifier not in unless_processed or not tables.contains(r.identifier)
        ]
        if not items:
            return OrbitDirectionResult()
    gap = as_timedelta(source.thresholds.max_product_gap)
    start = min(r.begin_time for r in items) - gap
    end = max(r.end_time for r in items) + gap
    neighbours = Neighbours(
        collection_records(catalog, source.identifier, start, end), source.thresholds
    )
    span = neighbours.records or list(items)  # the products and their neighbours
    tables.ensure(min(r.begin_time for r in span), max(r.end_time for r in span))
    return add_batch(tables, items, neighbours, Batch(), say, check_neighbours=True)


def sync_collection(
    catalog: Catalog, source: SourceCollection, say: Messages = LOG
) -> OrbitDirectionResult:
    """Remove the sources no longer in the collection, add the products missing (reference
    8.6); saves only if something changed. Raises :class:`OrbitDirectionIntegrityError`."""
    tables = CollectionTables.open(catalog, source)  # unreadable: fails before any message
    say.info(f"Synchronizing orbit direction lookup tables for collection {source.identifier} ...")
    records = collection_records(catalog, source.identifier)
    tables.ensure_all()
    present = {r.identifier for r in records}
    batch = Batch()
    for product_id in sorted(tables.source_ids() - present):
        tables.remove(product_id)
        batch.result.removed += 1
        batch.lines.append((say.info, f"{product_id} removed from orbit direction lookup tables"))
    for loaded in tables.both:
        if not loaded.table.sources and len(loaded.table):
            loaded.table = OrbitDirectionTable(loaded.key)  # no source left: no points either
    return add_batch(
        tables, records, Neighbours(records, source.thresholds), batch, say, check_neighbours=False
    )


def rebuild_collection(
    catalog: Catalog, source: SourceCollection, say: Messages = LOG
) -> OrbitDirectionResult:
    """The tables from scratch, products in begin-time order, each with the previous one as
    neighbour when the gap is below ``max_product_gap`` (reference 8.6); always saved, over
    stored tables of any format version (a manifest that cannot be read is replaced too).

    With many local product files the extraction runs in worker processes (one per CPU);
    the merge stays in time order in this process."""
    say.info(f"Rebuilding orbit direction lookup tables for collection {source.identifier} ...")
    records = collection_records(catalog, source.identifier)
    tables = CollectionTables.replacing(catalog, source)
    result = OrbitDirectionResult()
    max_gap = as_timedelta(source.thresholds.max_product_gap)
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
    jobs = [extraction_job(source, item, previous, None) for item, previous in plan]
    failed: set[str] = set()
    for (item, previous), outcome in zip(plan, extract_products(jobs), strict=True):
        if isinstance(outcome, str):
            failed.add(item.identifier)
            result.failed += 1
            say.error(f"Processing of {item.identifier} failed! Reason: {outcome}")
            continue
        previous_id = (
            None if previous is None or previous.identifier in failed else previous.identifier
        )
        tables.merge(outcome, previous_id, to_datetime64(item.begin_time, "ms"), say)
        result.processed += 1
    tables.save()
    return result


def sync_or_rebuild(
    catalog: Catalog, source: SourceCollection, say: Messages
) -> OrbitDirectionResult:
    """The fallback of a failed update: a sync, and a rebuild if the sync fails too."""
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
                result.add(update_collection(catalog, source, items, say))
            except OrbitDirectionIntegrityError as error:
                result.total += len(items)
                say.warning(str(error))
                result.add(sync_or_rebuild(catalog, source, say))
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
