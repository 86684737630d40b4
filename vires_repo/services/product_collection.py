"""Product collections: import, list, export, remove."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..catalog import Catalog
from ..definitions import load_defaults
from ..definitions.models import grade_of
from ..errors import DefinitionError
from ..timespec import format_timedelta
from ._batch import BatchResult
from .definitions import import_definitions, remove_definitions, select_for_removal


@dataclass(frozen=True)
class CollectionFilter:
    """The collection selection options; values within one option are OR-ed, options AND-ed."""

    identifiers: Sequence[str] = ()
    product_types: Sequence[str] = ()
    missions: Sequence[str] = ()
    spacecrafts: Sequence[str] = ()
    grades: Sequence[str] = ()

    def matches(self, collection: dict[str, Any]) -> bool:
        checks: list[tuple[Sequence[str], Any]] = [
            (self.identifiers, collection.get("name")),
            (self.product_types, collection.get("productType")),
            (self.missions, collection.get("mission")),
            (self.spacecrafts, collection.get("spacecraft")),
            (self.grades, grade_of(collection)),
        ]
        return all(not wanted or value in wanted for wanted, value in checks)


def import_collections(catalog: Catalog, items: Sequence[Any]) -> BatchResult:
    """Create or update collections; their product type must exist."""

    def check(definition: dict[str, Any]) -> None:
        type_id = definition["productType"]
        if not catalog.product_types.exists(type_id):
            raise DefinitionError(f"The product type {type_id} does not exist.")

    return import_definitions(catalog, catalog.product_collections, items, check)


def default_collections() -> list[dict[str, Any]]:
    """The product collections VirES ships (``product_collection import --default``)."""
    return load_defaults("product_collections")


def select_collections(catalog: Catalog, selection: CollectionFilter) -> list[dict[str, Any]]:
    """Stored collection objects matching the filter, sorted by identifier."""
    catalog.require_existing()
    candidates = catalog.product_collections.load_all(selection.identifiers or None)
    return [c for c in candidates if selection.matches(c)]


def list_collections(catalog: Catalog, selection: CollectionFilter) -> list[str]:
    return [c["name"] for c in select_collections(catalog, selection)]


def export_collections(catalog: Catalog, selection: CollectionFilter) -> list[dict[str, Any]]:
    """Collections in VirES export form, with ``maxProductDuration`` from the product index."""
    from .product import max_product_durations

    collections = select_collections(catalog, selection)
    durations = max_product_durations(catalog, [c["name"] for c in collections])
    exported = []
    for collection in collections:
        leading = {k: collection[k] for k in ("name", "productType", "created", "updated")}
        duration = format_timedelta(durations[collection["name"]])
        rest = {k: v for k, v in collection.items() if k not in leading}
        exported.append({**leading, "maxProductDuration": duration, **rest})
    return exported


def remove_collections(catalog: Catalog, selection: CollectionFilter, all_: bool) -> BatchResult:
    """Remove collections that hold no products; without identifiers only with ``all_``."""
    from .product import product_count

    store = catalog.product_collections
    matched = list_collections(catalog, selection)
    selected, warnings = select_for_removal(store, selection.identifiers, all_, matched)

    def in_use(collection_id: str) -> str | None:
        count = product_count(catalog, collection_id)
        if count:
            return f"The collection still contains {count} registered product(s)."
        return None

    result = remove_definitions(catalog, store, selected, in_use)
    result.warnings[:0] = warnings
    return result
