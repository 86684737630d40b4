"""Which product collections a selection names: the collection options of the CLI
(identifiers, ``-t``, ``-m``, ``-s``, ``-g``) matched against collection definitions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CollectionFilter:
    """The collection selection options; values within one option are OR-ed, options AND-ed."""

    identifiers: Sequence[str] = ()
    product_types: Sequence[str] = ()
    missions: Sequence[str] = ()
    spacecrafts: Sequence[str] = ()
    grades: Sequence[str] = ()

    def matches(self, collection: dict[str, Any]) -> bool:
        from vires_repo.definitions.models import grade_of  # pydantic: lookups go without

        checks: list[tuple[Sequence[str], Any]] = [
            (self.identifiers, collection.get("name")),
            (self.product_types, collection.get("productType")),
            (self.missions, collection.get("mission")),
            (self.spacecrafts, collection.get("spacecraft")),
            (self.grades, grade_of(collection)),
        ]
        return all(not wanted or value in wanted for wanted, value in checks)
