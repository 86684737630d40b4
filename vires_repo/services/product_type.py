"""Product types: import, list, export, remove."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from vires_repo.catalog import Catalog
from vires_repo.definitions import load_defaults
from vires_repo.services._batch import BatchResult
from vires_repo.services.definitions import import_definitions, remove_definitions


def import_types(catalog: Catalog, items: Sequence[Any]) -> BatchResult:
    """Create or update product types (an identical definition is left untouched)."""
    return import_definitions(catalog, catalog.product_types, items)


def default_types() -> list[dict[str, Any]]:
    """The product types VirES ships (``product_type import --default``)."""
    return load_defaults("product_types")


def list_types(catalog: Catalog, identifiers: Sequence[str] = ()) -> list[str]:
    """Identifiers of the stored types, sorted; ``identifiers`` restricts the list."""
    catalog.require_existing()
    return catalog.product_types.ids(identifiers or None)


def export_types(catalog: Catalog, identifiers: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The stored type objects in VirES export form, sorted by identifier."""
    catalog.require_existing()
    return catalog.product_types.load_all(identifiers or None)


def remove_types(catalog: Catalog, identifiers: Sequence[str], all_: bool) -> BatchResult:
    """Remove types not used by any collection; without identifiers only with ``all_``."""
    matched = list_types(catalog, identifiers)

    @cache  # read the collections once for the whole batch (a failed read is tried again)
    def users() -> dict[str, list[str]]:
        by_type: dict[str, list[str]] = {}
        for collection in catalog.product_collections.load_all():
            by_type.setdefault(str(collection.get("productType")), []).append(collection["name"])
        return by_type

    def in_use(type_id: str) -> str | None:
        using = users().get(type_id)
        if using:
            return f"The product type is still used by product collection(s) {', '.join(using)}."
        return None

    return remove_definitions(catalog, catalog.product_types, identifiers, all_, matched, in_use)
