"""The plan of a catalogue change as plain data: what :func:`.compare.make_plan` returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Status = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class FieldChange:
    """One changed key (a dotted path for nested objects)."""

    key: str
    old: Any
    new: Any
    added: bool = False
    removed: bool = False


@dataclass(frozen=True)
class DefinitionChange:
    """A product type or collection added, removed or changed."""

    kind: str  # "product type" | "product collection" | "retention policy"
    identifier: str
    status: Status
    fields: tuple[FieldChange, ...] = ()
    collections: int | None = None  # types: collections using it; policies: covered
    products: int = 0  # products affected


@dataclass(frozen=True)
class ProductSpan:
    identifier: str
    begin: datetime
    end: datetime


@dataclass
class IndexChange:
    """The semantic difference of one collection's product index."""

    collection: str
    base_count: int
    head_count: int
    added: list[ProductSpan] = field(default_factory=list)
    deregistered: list[ProductSpan] = field(default_factory=list)
    superseded: list[tuple[ProductSpan, str]] = field(default_factory=list)  # (old, by)
    updated: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.deregistered or self.superseded or self.updated)


@dataclass
class Plan:
    base: str
    head: str
    definitions: list[DefinitionChange] = field(default_factory=list)
    index: list[IndexChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors
