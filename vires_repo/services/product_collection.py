"""Product collections: import, list, export, remove."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vires_repo.catalog import Catalog
from vires_repo.definitions import load_defaults
from vires_repo.definitions.selection import CollectionFilter
from vires_repo.definitions.store import keys_first
from vires_repo.errors import DefinitionError
from vires_repo.services._batch import BatchResult
from vires_repo.services._collections import select_collections
from vires_repo.services.definitions import import_definitions, remove_definitions
from vires_repo.timespec import format_timedelta


def import_collections(catalog: Catalog, items: Sequence[Any]) -> BatchResult:
    """Create or update collections; their product type must exist, and at most one collection
    may feed the orbit-direction tables of a (mission, spacecraft, grade)."""
    sources = _OrbitDirectionSources(catalog, items)

    def check(definition: dict[str, Any]) -> None:
        type_id = definition["productType"]
        if not catalog.product_types.exists(type_id):
            raise DefinitionError(f"The product type {type_id} does not exist.")
        sources.check(definition)

    return import_definitions(catalog, catalog.product_collections, items, check)


class _OrbitDirectionSources:
    """The source collection of each orbit-direction table once the import is done: the stored
    collections with the imported ones replacing theirs (so flipping the flag in two files
    works in either order). An item is refused when a stored collection, or an earlier item,
    already feeds the same tables."""

    def __init__(self, catalog: Catalog, items: Sequence[Any]) -> None:
        self.final = {c["name"]: c for c in catalog.product_collections.load_all()}
        self.position: dict[str, int] = {}
        for position, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                self.final[item["name"]] = item
                self.position.setdefault(item["name"], position)

    def check(self, definition: dict[str, Any]) -> None:
        if not definition.get("calculateOrbitDirection"):
            return
        from vires_repo.definitions.models import grade_of  # pydantic: not for --help

        name = definition["name"]
        key = (definition.get("mission"), definition.get("spacecraft"), grade_of(definition))
        for other, collection in sorted(self.final.items()):
            if other == name or not collection.get("calculateOrbitDirection"):
                continue
            if (
                collection.get("mission"),
                collection.get("spacecraft"),
                grade_of(collection),
            ) != key:
                continue
            if other in self.position and self.position[other] > self.position.get(name, -1):
                continue  # a later item: that one is refused instead
            mission, spacecraft, grade = key
            raise DefinitionError(
                f"The collection {other} already feeds the orbit-direction tables of "
                f"{mission}/{spacecraft or '-'}/{grade or '-'}; only one collection per "
                "(mission, spacecraft, grade) may set calculateOrbitDirection."
            )


def default_collections() -> list[dict[str, Any]]:
    """The product collections VirES ships (``product_collection import --default``)."""
    return load_defaults("product_collections")


def list_collections(catalog: Catalog, selection: CollectionFilter) -> list[str]:
    return [c["name"] for c in select_collections(catalog, selection)]


def export_collections(catalog: Catalog, selection: CollectionFilter) -> list[dict[str, Any]]:
    """Collections in VirES export form, with ``maxProductDuration`` from the product index."""
    collections = select_collections(catalog, selection)
    durations = {c["name"]: catalog.products.max_product_duration(c["name"]) for c in collections}
    return [  # maxProductDuration goes after the identifiers and times
        keys_first(
            collection,
            ("name", "productType", "created", "updated"),
            {"maxProductDuration": format_timedelta(durations[collection["name"]])},
        )
        for collection in collections
    ]


def remove_collections(catalog: Catalog, selection: CollectionFilter, all_: bool) -> BatchResult:
    """Remove collections that hold no products; without identifiers only with ``all_``."""
    matched = list_collections(catalog, selection)

    def in_use(collection_id: str) -> str | None:
        count = product_count(catalog, collection_id)
        if count:
            return f"The collection still contains {count} registered product(s)."
        return None

    return remove_definitions(
        catalog, catalog.product_collections, selection.identifiers, all_, matched, in_use
    )


def product_count(catalog: Catalog, collection_id: str) -> int:
    """Registered products of a collection (0 when it has none)."""
    return catalog.products.manifest(collection_id).live_rows
