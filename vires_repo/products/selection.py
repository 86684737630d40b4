"""Which products a command works on: the VirES product selection options (reference 6.2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from vires_repo.definitions.selection import CollectionFilter


@dataclass(frozen=True)
class ProductSelection:
    """The product selection options, all AND-ed; an empty sequence restricts nothing.

    ``locations`` matches data-file locations exactly against any dataset of a product (the
    ``-l`` option). Missions, spacecraft and grades are properties of collection definitions,
    which the product index does not read: the services resolve them (and ``invalid_only``,
    which looks at the data files) before asking the index, see :meth:`in_collections`.
    """

    identifiers: Sequence[str] = ()
    locations: Sequence[str] = ()
    collections: Sequence[str] = ()
    product_types: Sequence[str] = ()
    missions: Sequence[str] = ()
    spacecrafts: Sequence[str] = ()
    grades: Sequence[str] = ()
    after: datetime | None = None  # begin_time >= after
    before: datetime | None = None  # end_time < before
    created_after: datetime | None = None  # created >= created_after
    created_before: datetime | None = None  # created < created_before
    updated_after: datetime | None = None  # updated >= updated_after
    updated_before: datetime | None = None  # updated < updated_before
    invalid_only: bool = False

    @property
    def names_products(self) -> bool:
        """Whether products are named (by identifier or by location)."""
        return bool(self.identifiers or self.locations)

    @property
    def restricts_collections(self) -> bool:
        return bool(
            self.product_types
            or self.missions
            or self.spacecrafts
            or self.grades
            or self.collections
        )

    @property
    def needs_definitions(self) -> bool:
        """Whether options remain that only collection definitions can resolve."""
        return bool(self.missions or self.spacecrafts or self.grades)

    def collection_filter(self) -> CollectionFilter:
        return CollectionFilter(
            identifiers=self.collections,
            product_types=self.product_types,
            missions=self.missions,
            spacecrafts=self.spacecrafts,
            grades=self.grades,
        )

    def in_collections(self, collections: Sequence[str]) -> ProductSelection:
        """This selection with its collection options resolved to ``collections``."""
        return replace(
            self,
            collections=tuple(collections),
            product_types=(),
            missions=(),
            spacecrafts=(),
            grades=(),
        )
