"""Registered products: selection, export records, de-registration and compaction.

Registration from data files is ``product_registration.py``, import of exported records
``product_import.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from vires_repo.catalog import Catalog
from vires_repo.errors import NotFoundError, ViresRepoError
from vires_repo.maintenance import current_user
from vires_repo.products import Deletion, ProductRecord, ProductSelection
from vires_repo.products.locations import data_file_exists, normalize_location
from vires_repo.services._batch import BatchResult
from vires_repo.services._collections import select_collections
from vires_repo.services.definitions import NO_SELECTION_WARNING
from vires_repo.services.messages import Messages
from vires_repo.timespec import format_datetime

LOG = Messages.logged("product")

DEREGISTER_SUMMARY = (
    ("deregistered", "de-registered", True),
    ("failed", "failed to be de-registered", False),
)
UNDELETE_SUMMARY = (
    ("restored", "restored", True),
    ("failed", "failed to be restored", False),
)


# -- selection --------------------------------------------------------------------------


def resolve_collections(
    catalog: Catalog, selection: ProductSelection, say: Messages = LOG
) -> list[str]:
    """Collection identifiers the selection's collection options allow (all when unset)."""
    existing = []
    for identifier in selection.collections:
        if catalog.product_collections.exists(identifier):
            existing.append(identifier)
        else:
            say.warning(f"product collection {identifier} does not exist")
    if not selection.restricts_collections:
        return []
    if not (selection.product_types or selection.needs_definitions):
        return sorted(set(existing))  # named collections only: no definition to read
    return [c["name"] for c in select_collections(catalog, selection.collection_filter())]


def select_products(
    catalog: Catalog, selection: ProductSelection, say: Messages = LOG
) -> list[ProductRecord]:
    """Products matching the selection, sorted by collection, begin time and identifier."""
    resolved = _resolved(catalog, selection, say)
    if resolved is None:
        return []
    records = catalog.products.select(resolved)
    if selection.invalid_only:
        records = [r for r in records if _is_invalid(r, say)]
    return records


def selected_keys(
    catalog: Catalog, selection: ProductSelection, say: Messages = LOG
) -> list[tuple[str, str]]:
    """(collection, identifier) of the selected products. Read without the row checks
    (unless only invalid products are selected, which needs their records): de-registration
    must reach a row that readers refuse, a hand edit that broke the index rules."""
    if selection.invalid_only:
        return [(r.collection, r.identifier) for r in select_products(catalog, selection, say)]
    resolved = _resolved(catalog, selection, say)
    if resolved is None:
        return []
    columns = ["collection", "identifier"]
    table = catalog.products.read_table(resolved, columns, check_rows=False)
    return list(zip(*(table[name].to_pylist() for name in columns), strict=True))


def _resolved(
    catalog: Catalog, selection: ProductSelection, say: Messages
) -> ProductSelection | None:
    """The selection with its collection options resolved and locations normalized (None
    when the collection options match no collection)."""
    catalog.require_existing()
    collections = resolve_collections(catalog, selection, say)
    if selection.restricts_collections and not collections:
        return None
    locations = tuple(normalize_location(location) for location in selection.locations)
    return replace(selection.in_collections(collections), locations=locations)


def _is_invalid(record: ProductRecord, say: Messages) -> bool:
    """A product is invalid when a dataset location is set but is not an existing file."""
    for location in record.dataset_locations():
        if not data_file_exists(location):
            say.warning(
                f"Invalid product {record.identifier} detected! File {location} does not exist!"
            )
            return True
    return False


# -- export and import ------------------------------------------------------------------


def export_record(record: ProductRecord) -> dict[str, Any]:
    """The 9-key VirES export object of a product (reference 6.5)."""
    return {
        "identifier": record.identifier,
        "beginTime": format_datetime(record.begin_time),
        "endTime": format_datetime(record.end_time),
        "created": format_datetime(record.created),
        "updated": format_datetime(record.updated),
        "collection": record.collection,
        "productType": record.product_type,
        "metadata": dict(record.metadata),
        "datasets": {k: dict(v) for k, v in record.datasets.items()},
    }


# -- de-registration and maintenance ----------------------------------------------------


def delete_records(
    catalog: Catalog,
    keys: Iterable[tuple[str, str]],
    result: BatchResult,
    say: Messages = LOG,
    *,
    reason: str = "",
) -> None:
    """De-register products given as (collection, identifier), softly: hidden from every
    read, restorable with :func:`undelete_products` until purged; who, when and ``reason``
    are recorded."""
    deletion = Deletion(by=current_user(), reason=reason)
    by_collection: dict[str, list[str]] = {}
    for collection, identifier in keys:
        by_collection.setdefault(collection, []).append(identifier)
    for collection, identifiers in sorted(by_collection.items()):
        try:
            catalog.products.delete(collection, identifiers, deletion)
        except ViresRepoError as error:
            for identifier in identifiers:
                result.fail(
                    identifier,
                    f"Failed to de-register product {identifier} from collection "
                    f"{collection}! {error}",
                )
            continue
        for identifier in identifiers:
            result.add("deregistered", identifier)
            say.info(f"product {collection}/{identifier} de-registered")


def deregister_products(
    catalog: Catalog,
    selection: ProductSelection,
    *,
    all_: bool,
    reason: str = "",
    say: Messages = LOG,
) -> BatchResult:
    """De-register the selected products (softly, see :func:`delete_records`); without
    identifiers only with ``all_`` (``invalid_only`` counts as a selection of its own,
    reference 1.5)."""
    catalog.require_existing()  # before writing() would create the root
    result = BatchResult(noun="matched product", patterns=DEREGISTER_SUMMARY)
    if not selection.names_products and not all_ and not selection.invalid_only:
        result.warnings.append(NO_SELECTION_WARNING.format(noun="product"))
        return result
    with catalog.writing():
        keys = selected_keys(catalog, selection, say)
        result.total = len(keys)
        delete_records(catalog, keys, result, say, reason=reason)
    # imported here: it loads cdflib, which the selection commands of this module do not need
    from vires_repo.services.orbit_direction.registration import deregistration_note

    removed = set(result.outcomes.get("deregistered", ()))
    note = deregistration_note(catalog, {c for c, identifier in keys if identifier in removed})
    if note:
        say.info(note)
    return result


def undelete_products(
    catalog: Catalog,
    identifiers: Sequence[str],
    collections: Sequence[str] = (),
    say: Messages = LOG,
) -> BatchResult:
    """Restore soft-deleted products (in the given collections, else in any) as they were
    when de-registered; an identifier that is not a deleted product fails."""
    catalog.require_existing()
    for collection in collections:
        if not catalog.product_collections.exists(collection):
            raise NotFoundError(f"The product collection {collection} does not exist!")
    wanted = list(dict.fromkeys(identifiers))
    result = BatchResult(noun="product", total=len(wanted), patterns=UNDELETE_SUMMARY)
    found: set[str] = set()
    with catalog.writing():
        for collection in sorted(set(collections)) or catalog.products.collections():
            deleted = {record.identifier for record in catalog.products.deleted(collection)}
            names = [name for name in wanted if name in deleted]
            for name in catalog.products.undelete(collection, names) if names else ():
                found.add(name)
                result.add("restored", f"{collection}/{name}")
                say.info(f"product {collection}/{name} restored")
    for name in wanted:
        if name not in found:
            result.fail(
                name,
                f"product {name} is not a deleted product (never de-registered, registered "
                "again or purged); nothing restored",
            )
    return result


def compact(catalog: Catalog, collections: Sequence[str] = ()) -> list[str]:
    """Compact the index of the given collections (all by default); one line per collection."""
    catalog.require_existing()
    for collection in collections:
        if not catalog.product_collections.exists(collection):
            raise NotFoundError(f"The product collection {collection} does not exist!")
    lines = []
    with catalog.writing():
        indexed = catalog.products.collections()
        for collection in list(collections) or indexed:
            if collection not in indexed:  # no index yet: compacting would create one
                lines.append(f"product index of {collection} compacted: 0 -> 0 file(s)")
                continue
            for done in catalog.products.compact(collection):
                lines.append(
                    f"product index of {done.collection} compacted: "
                    f"{done.files_before} -> {done.files_after} file(s)"
                )
    return lines
