"""One JSON file per definition: ``product_types/<name>.json``, ``product_collections/<name>.json``.

A stored file is the VirES export object without the computed keys: the identifier and the
``created``/``updated`` times first, then the definition keys in the order they were given.
Saving a definition equal to the stored one writes nothing, so re-importing leaves ``git status``
clean.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from vires_repo import jsonio
from vires_repo.errors import DefinitionError, NotFoundError
from vires_repo.io.storage import Storage
from vires_repo.manifests import plain_file_name
from vires_repo.timespec import format_datetime

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

SaveOutcome = Literal["created", "updated", "unchanged"]

MAX_DEFINITION_DEPTH = 32
"""Nesting levels of a definition: a product type nests five (datasets -> variables ->
attributes -> list -> value); the bound keeps validation and the (recursive) JSON writer far
from Python's recursion limit."""

# Keys VirES accepts on import but never stores as given (bug 6 of the reference fixed: created
# is ignored too); maxProductDuration is computed from the product index on export.
_IGNORED_ON_IMPORT = ("created", "updated", "removed", "maxProductDuration")


@dataclass(frozen=True)
class DefinitionKind:
    """What differs between product types and product collections on disk."""

    folder: str
    label: str
    model_name: str
    """The pydantic model in definitions/models.py (imported when a definition is validated:
    a lookup that only checks that a definition exists goes without pydantic)."""
    leading_keys: tuple[str, ...]
    """Keys written first (in this order) before the rest of the definition."""
    model_module: str = "vires_repo.definitions.models"

    @property
    def model(self) -> type[BaseModel]:
        model: type[BaseModel] = getattr(
            importlib.import_module(self.model_module), self.model_name
        )
        return model


PRODUCT_TYPES = DefinitionKind(
    folder="product_types",
    label="product type",
    model_name="ProductType",
    leading_keys=("name",),
)
PRODUCT_COLLECTIONS = DefinitionKind(
    folder="product_collections",
    label="product collection",
    model_name="ProductCollection",
    leading_keys=("name", "productType"),
)


# How pydantic names the member of a union in an error location: ``function-after[...]``.
_UNION_MEMBER = re.compile(r"[\w-]+\[.*\]")


def format_validation_error(error: ValidationError) -> str:
    """One line out of a pydantic error: ``loc: message; loc: message``.

    Union members (``nominalSampling``: a duration or a dict of durations) are left out of the
    locations, and so is a member's bare type mismatch when another member says what is wrong.
    """
    entries = []
    for item in error.errors(include_url=False):
        loc = [str(part) for part in item["loc"]]
        tag = next((i for i, part in enumerate(loc) if _UNION_MEMBER.fullmatch(part)), None)
        union = None if tag is None else tuple(loc[:tag])
        mismatch = tag == len(loc) - 1 and str(item["type"]).endswith("_type")
        location = ".".join(part for part in loc if not _UNION_MEMBER.fullmatch(part))
        entries.append((union, mismatch, location, str(item["msg"])))
    explained = {union for union, mismatch, _, _ in entries if union is not None and not mismatch}
    parts = []
    for union, mismatch, location, msg in entries:
        if mismatch and union in explained:
            continue
        message = msg.removeprefix("Value error, ")
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts)


def validate_definition(kind: DefinitionKind, item: Any) -> dict[str, Any]:
    """Validate one input object and return its canonical stored form (without times)."""
    if not isinstance(item, Mapping):
        raise DefinitionError(f"a {kind.label} definition must be a JSON object")
    if jsonio.nesting_depth(item) > MAX_DEFINITION_DEPTH:
        raise DefinitionError(f"the definition nests deeper than {MAX_DEFINITION_DEPTH} levels")
    definition = {k: v for k, v in item.items() if k not in _IGNORED_ON_IMPORT}
    from pydantic import ValidationError

    try:
        kind.model.model_validate(definition)
    except ValidationError as error:
        raise DefinitionError(format_validation_error(error), error) from None
    return keys_first(definition, kind.leading_keys)


def keys_first(
    mapping: Mapping[str, Any], first: Iterable[str], then: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """``mapping`` with the keys ``first`` (those it has) in front, then ``then``, then the
    rest in their order."""
    leading = {key: mapping[key] for key in first if key in mapping}
    rest = {k: v for k, v in mapping.items() if k not in leading}
    return {**leading, **(then or {}), **rest}


class DefinitionStore:
    """The stored definitions of one kind in a catalogue."""

    def __init__(self, storage: Storage, kind: DefinitionKind) -> None:
        self.storage = storage
        self.kind = kind

    def relpath(self, identifier: str) -> str:
        """The definition's file (DefinitionError for an identifier that would name a path
        outside the kind's folder)."""
        try:
            plain_file_name(identifier)
        except ValueError:
            raise DefinitionError(f"Invalid {self.kind.label} identifier {identifier!r}") from None
        return f"{self.kind.folder}/{identifier}.json"

    def ids(self, identifiers: Iterable[str] | None = None) -> list[str]:
        """Stored identifiers, sorted; ``identifiers`` restricts (unknown ones skipped)."""
        names = self.storage.listdir(self.kind.folder)
        stored = sorted(name[: -len(".json")] for name in names if name.endswith(".json"))
        if identifiers is None:
            return stored
        wanted = set(identifiers)
        return [i for i in stored if i in wanted]

    def exists(self, identifier: str) -> bool:
        return self.storage.exists(self.relpath(identifier))

    def load(self, identifier: str) -> dict[str, Any]:
        """The stored object (with ``created``/``updated``); errors name the file."""
        relpath = self.relpath(identifier)
        if not self.storage.exists(relpath):
            raise NotFoundError(f"{self.kind.label} {identifier} does not exist")
        return self._parse(identifier, self.storage.read_bytes(relpath))

    def _parse(self, identifier: str, data: bytes) -> dict[str, Any]:
        relpath = self.relpath(identifier)
        try:
            stored = jsonio.loads(data)
        except json.JSONDecodeError as error:
            raise DefinitionError(f"{relpath}: invalid JSON: {error}") from None
        except RecursionError:
            raise DefinitionError(
                f"{relpath}: nests deeper than {MAX_DEFINITION_DEPTH} levels"
            ) from None
        try:
            validate_definition(self.kind, stored)
        except DefinitionError as error:
            raise DefinitionError(f"{relpath}: {error}", error.source) from None
        if stored.get("name") != identifier:
            raise DefinitionError(
                f"{relpath}: name {stored.get('name')!r} does not match the file name"
            )
        return dict(stored)

    def load_all(self, identifiers: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Stored objects sorted by identifier; ``identifiers`` restricts (unknown ones skipped)."""
        return [self.load(identifier) for identifier in self.ids(identifiers)]

    def save(self, definition: Mapping[str, Any], now: datetime) -> SaveOutcome:
        """Store a canonical definition; keep ``created``, bump ``updated`` only on change."""
        identifier = str(definition["name"])
        relpath = self.relpath(identifier)
        # the write is conditional on the version read (on an object store: see Storage.commit)
        snapshot = self.storage.read_snapshot(relpath)
        previous = None if snapshot.data is None else self._parse(identifier, snapshot.data)
        if previous is not None:
            unchanged = {k: v for k, v in previous.items() if k not in ("created", "updated")}
            if jsonio.dumps(unchanged) == jsonio.dumps(definition):
                return "unchanged"
        timestamp = format_datetime(now)
        created = previous.get("created", timestamp) if previous else timestamp
        stored = keys_first(
            definition, self.kind.leading_keys, {"created": created, "updated": timestamp}
        )
        self.storage.commit(relpath, jsonio.dumps(stored).encode("utf-8"), snapshot)
        return "updated" if previous is not None else "created"

    def remove(self, identifier: str) -> None:
        self.storage.remove(self.relpath(identifier))
