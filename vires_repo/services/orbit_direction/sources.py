"""Source collections: the collections with ``calculateOrbitDirection: true`` and their products.

Every source collection feeds the two tables (GEO and QD) of its (mission, spacecraft, grade);
there is at most one such collection per table (checked on ``product_collection import``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vires_repo.catalog import Catalog
from vires_repo.definitions.models import grade_of
from vires_repo.definitions.selection import CollectionFilter
from vires_repo.errors import DefinitionError, NotFoundError
from vires_repo.orbit_direction.missions import (
    KINDS,
    OrbitDirectionThresholds,
    TableKey,
    TableKind,
    thresholds_for_mission,
    vires_table_name,
)
from vires_repo.products import ProductRecord
from vires_repo.products import ProductSelection as IndexSelection
from vires_repo.services._collections import select_collections


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


def time_order(record: ProductRecord) -> tuple[datetime, str]:
    """The order products are added in: begin time, then identifier."""
    return record.begin_time, record.identifier


def collection_records(
    catalog: Catalog, collection: str, start: datetime | None = None, end: datetime | None = None
) -> list[ProductRecord]:
    """The products of a collection (overlapping ``[start, end]`` when given) in
    :func:`time_order`."""
    if start is None or end is None:
        records = catalog.products.select(IndexSelection(collections=(collection,)))
    else:
        records = catalog.products.in_window(collection, start, end + timedelta(microseconds=1))
    return sorted(records, key=time_order)


def product_location(record: ProductRecord) -> str:
    """The data file of a product (the first of its datasets when it has no location)."""
    if record.location:
        return record.location
    locations = record.dataset_locations()
    if not locations:
        raise NotFoundError(f"product {record.identifier} has no data file")
    return locations[0]
