"""Product types: import, list, export, remove."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..catalog import Catalog
from ..definitions import load_defaults
from ._batch import BatchResult
from .definitions import import_definitions, remove_definitions, select_for_removal


def import_types(catalog: Catalog, items: Sequence[Any]) -> BatchResult:
    """Create or update product types (an identical definition is left untouched)."""
    return import_definitions(catalog, catalog.product_types, items)


def default_types() -> list[dict[str, Any]]:
    """The product types VirES ships (``product_type import --default``)."""
    return load_defaults("product_types")


def list_types(catalog: Catalog, identifiers: Sequence[str] = ()) -> list[str]:
    """Identifiers of the stored types, sorted; ``identifiers`` restricts the list."""
    catalog.require_existing()
    available = catalog.product_types.ids()
    if identifiers:
        wanted = set(identifiers)
        return [i for i in available if i in wanted]
    return available


def export_types(catalog: Catalog, identifiers: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The stored type objects in VirES export form, sorted by identifier."""
    catalog.require_existing()
    return catalog.product_types.load_all(identifiers or None)


def collections_using_type(catalog: Catalog, type_id: str) -> list[str]:
    return [
        c["name"] for c in catalog.product_collections.load_all() if c.get("productType") == type_id
    ]


def remove_types(catalog: Catalog, identifiers: Sequence[str], all_: bool) -> BatchResult:
    """Remove types not used by any collection; without identifiers only with ``all_``."""
    catalog.require_existing()
    store = catalog.product_types
    selected, warnings = select_for_removal(
        store, identifiers, all_, list_types(catalog, identifiers)
    )

    def in_use(type_id: str) -> str | None:
        users = collections_using_type(catalog, type_id)
        if users:
            return f"The product type is still used by product collection(s) {', '.join(users)}."
        return None

    result = remove_definitions(catalog, store, selected, in_use)
    result.warnings[:0] = warnings
    return result
