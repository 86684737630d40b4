"""Collection lookups that several services share (products, collections, orbit directions).

It imports no other service, so that the services depending on it form no cycle.
"""

from __future__ import annotations

from typing import Any

from vires_repo.catalog import Catalog
from vires_repo.definitions.selection import CollectionFilter


def select_collections(catalog: Catalog, selection: CollectionFilter) -> list[dict[str, Any]]:
    """Stored collection objects matching the filter, sorted by identifier."""
    catalog.require_existing()
    candidates = catalog.product_collections.load_all(selection.identifiers or None)
    return [c for c in candidates if selection.matches(c)]
