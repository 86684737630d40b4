"""What a change between two git revisions does to the catalogue: the pull-request plan.

:func:`make_plan` compares the catalogue at BASE with the catalogue at HEAD (a git revision or
the working tree) and reports

* product types and collections added, removed and changed (which keys, old -> new for short
  values), each with the products it affects;
* per collection, the semantic difference of the product index: products added,
  de-registered, superseded by overlap (removed while an added product overlaps its time range)
  and updated (same identifier, different row), computed from the manifests and the data files
  (files listed by both manifests with the same tombstones hold the same live rows and are not
  read);
* errors that make the change invalid: a definition at HEAD that does not validate, a
  collection at HEAD whose product type does not exist (e.g. removed), products at HEAD in a
  collection that is not defined (e.g. removed), an unreadable manifest or data file at HEAD.

:meth:`Plan.markdown` renders it for a CI job summary, in a deterministic order. Both revisions
are read from temporary copies (:mod:`.revisions`), the working tree is read in place; nothing
is written.
"""

from __future__ import annotations

import bisect
import json
import os
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from vires_repo import jsonio
from vires_repo.catalog import Catalog
from vires_repo.definitions.store import (
    PRODUCT_COLLECTIONS,
    PRODUCT_TYPES,
    DefinitionKind,
    validate_definition,
)
from vires_repo.errors import IndexFormatError, ViresRepoError
from vires_repo.gitops.revisions import CatalogLocation, locate, open_revision
from vires_repo.products.manifest import FileEntry, Manifest, partition_file, partition_folder
from vires_repo.timespec import format_datetime

Status = Literal["added", "removed", "changed"]
_BOOKKEEPING_KEYS = ("created", "updated")
_SHORT_VALUE = 40
_MAX_FIELDS = 12
_MAX_LISTED = 50


@dataclass(frozen=True)
class FieldChange:
    """One changed key (a dotted path for nested objects)."""

    key: str
    old: Any
    new: Any
    added: bool = False
    removed: bool = False

    def describe(self) -> str:
        if self.added:
            return f"`{self.key}` added" + _short(" = ", self.new)
        if self.removed:
            return f"`{self.key}` removed" + _short(" (was ", self.old, ")")
        old, new = _json(self.old), _json(self.new)
        if len(old) <= _SHORT_VALUE and len(new) <= _SHORT_VALUE:
            return f"`{self.key}`: `{old}` -> `{new}`"
        return f"`{self.key}` changed"


@dataclass(frozen=True)
class DefinitionChange:
    """A product type or collection added, removed or changed."""

    kind: str  # "product type" | "product collection"
    identifier: str
    status: Status
    fields: tuple[FieldChange, ...] = ()
    collections: int | None = None  # product types: collections using the type
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

    def markdown(self) -> str:
        return _render(self)


# -- reading one revision ---------------------------------------------------------------------


@dataclass
class _Snapshot:
    """What the plan needs of the catalogue at one revision."""

    catalog: Catalog
    label: str
    is_head: bool
    location: CatalogLocation
    types: dict[str, dict[str, Any]] = field(default_factory=dict)
    collections: dict[str, dict[str, Any]] = field(default_factory=dict)
    manifests: dict[str, Manifest] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def problem(self, message: str) -> None:
        self.problems.append(message if self.is_head else f"{message} (at {self.label})")

    def repo_path(self, relpath: str) -> str:
        return self.location.repo_path(relpath)

    def load(self) -> _Snapshot:
        self.types = self._definitions(PRODUCT_TYPES)
        self.collections = self._definitions(PRODUCT_COLLECTIONS)
        index = self.catalog.products
        for collection in index.collections():
            try:
                self.manifests[collection] = index.manifest(collection)
            except (IndexFormatError, ValueError) as error:
                self.problem(_relabel(str(error), self.catalog, self.location))
        return self

    def _definitions(self, kind: DefinitionKind) -> dict[str, dict[str, Any]]:
        storage = self.catalog.storage
        found = {}
        for name in storage.listdir(kind.folder):
            if not name.endswith(".json"):
                continue
            identifier = name[: -len(".json")]
            path = self.repo_path(f"{kind.folder}/{name}")
            try:
                stored = jsonio.loads(storage.read_bytes(f"{kind.folder}/{name}"))
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                self.problem(f"{path}: invalid JSON: {error}")
                continue
            try:
                validate_definition(kind, stored)
            except ViresRepoError as error:
                self.problem(f"{path}: invalid {kind.label}: {error}")
            else:
                if stored.get("name") != identifier:
                    self.problem(
                        f"{path}: name {stored.get('name')!r} does not match the file name"
                    )
            if isinstance(stored, dict):
                found[identifier] = stored
        return found

    def live_rows(self, collection: str, entries: Iterable[FileEntry]) -> dict[str, dict[str, Any]]:
        """Live rows (identifier -> row) of some data files of a collection."""
        from vires_repo.products.schema import read_data_file

        rows: dict[str, dict[str, Any]] = {}
        for entry in entries:
            relpath = partition_file(collection, entry.file)
            path = self.catalog.storage.path(relpath)
            try:
                table = read_data_file(path, self.repo_path(relpath))
            except (OSError, ValueError, ViresRepoError) as error:
                reason = "missing" if not Path(path).exists() else f"unreadable: {error}"
                self.problem(f"{self.repo_path(relpath)}: data file {reason}")
                continue
            for row in table.to_pylist():
                if row["identifier"] not in entry.tombstones:
                    rows[row["identifier"]] = row
        return rows


def _relabel(message: str, catalog: Catalog, location: CatalogLocation) -> str:
    """Name files by their path in the repository instead of a temporary folder."""
    root = catalog.storage.root.rstrip("/") + "/"
    return message.replace(root, location.repo_path("") + "/" if location.prefix else "")


# -- comparing -------------------------------------------------------------------------------


def make_plan(catalog_root: str | os.PathLike[str], base: str, head: str | None = None) -> Plan:
    """Compare the catalogue ``catalog_root`` at git revision ``base`` with ``head`` (a git
    revision, or None for the working tree)."""
    location = locate(catalog_root)
    head_label = head if head is not None else "working tree"
    with ExitStack() as stack:
        base_catalog = open_revision(catalog_root, base, stack, must_exist=False)
        head_catalog = open_revision(catalog_root, head, stack, must_exist=False)
        old = _Snapshot(base_catalog, base, False, location).load()
        new = _Snapshot(head_catalog, head_label, True, location).load()
        plan = Plan(base=base, head=head_label)
        plan.definitions = _definition_changes(old, new)
        plan.index = _index_changes(old, new)
        # Problems at BASE do not make the change invalid (it may be the fix).
        plan.warnings = list(old.problems)
        plan.errors = [*new.problems, *_consistency_errors(new)]
    return plan


def _product_count(snapshot: _Snapshot, collection: str) -> int:
    manifest = snapshot.manifests.get(collection)
    return manifest.live_rows if manifest else 0


def _definition_changes(old: _Snapshot, new: _Snapshot) -> list[DefinitionChange]:
    changes = []
    for kind, before, after in (
        (PRODUCT_TYPES, old.types, new.types),
        (PRODUCT_COLLECTIONS, old.collections, new.collections),
    ):
        for identifier in sorted(before.keys() | after.keys()):
            a, b = before.get(identifier), after.get(identifier)
            status: Status
            fields: tuple[FieldChange, ...]
            if a is None:
                status, fields = "added", ()
            elif b is None:
                status, fields = "removed", ()
            else:
                fields = tuple(_field_changes(_strip(a), _strip(b)))
                if not fields:
                    continue
                status = "changed"
            snapshot = old if status == "removed" else new
            if kind is PRODUCT_TYPES:
                users = [
                    name
                    for name, definition in sorted(snapshot.collections.items())
                    if definition.get("productType") == identifier
                ]
                products = sum(_product_count(snapshot, name) for name in users)
                changes.append(
                    DefinitionChange(kind.label, identifier, status, fields, len(users), products)
                )
            else:
                products = _product_count(snapshot, identifier)
                changes.append(
                    DefinitionChange(kind.label, identifier, status, fields, None, products)
                )
    return changes


def _strip(definition: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in definition.items() if k not in _BOOKKEEPING_KEYS}


def _field_changes(old: Any, new: Any, prefix: str = "") -> Iterable[FieldChange]:
    for key in sorted(old.keys() | new.keys()):
        path = f"{prefix}{key}"
        if key not in old:
            yield FieldChange(path, None, new[key], added=True)
        elif key not in new:
            yield FieldChange(path, old[key], None, removed=True)
        elif old[key] != new[key]:
            if isinstance(old[key], dict) and isinstance(new[key], dict):
                yield from _field_changes(old[key], new[key], f"{path}.")
            else:
                yield FieldChange(path, old[key], new[key])


def _index_changes(old: _Snapshot, new: _Snapshot) -> list[IndexChange]:
    changes = []
    for collection in sorted(old.manifests.keys() | new.manifests.keys()):
        before = old.manifests.get(collection, Manifest(collection=collection, files=()))
        after = new.manifests.get(collection, Manifest(collection=collection, files=()))
        same = set(before.files) & set(after.files)  # same file, same tombstones: same rows
        base_rows = old.live_rows(collection, (e for e in before.files if e not in same))
        head_rows = new.live_rows(collection, (e for e in after.files if e not in same))
        change = IndexChange(collection, before.live_rows, after.live_rows)
        added = sorted(head_rows.keys() - base_rows.keys())
        removed = sorted(base_rows.keys() - head_rows.keys())
        change.updated = sorted(
            name
            for name in head_rows.keys() & base_rows.keys()
            if head_rows[name] != base_rows[name]
        )
        change.added = [_span(head_rows[name]) for name in added]
        _split_removed(change, [_span(base_rows[name]) for name in removed])
        if not change.empty:
            changes.append(change)
    return changes


def _span(row: Mapping[str, Any]) -> ProductSpan:
    return ProductSpan(row["identifier"], row["begin_time"], row["end_time"])


def _split_removed(change: IndexChange, removed: list[ProductSpan]) -> None:
    """Removed products overlapping an added one (inclusive, as VirES) were superseded."""
    added = sorted(change.added, key=lambda span: (span.begin, span.identifier))
    begins = [span.begin for span in added]
    longest = max((span.end - span.begin for span in added), default=None)
    for old in removed:
        by = None
        if longest is not None:
            first = bisect.bisect_left(begins, old.begin - longest)
            last = bisect.bisect_right(begins, old.end)
            by = next((span for span in added[first:last] if span.end >= old.begin), None)
        if by is None:
            change.deregistered.append(old)
        else:
            change.superseded.append((old, by.identifier))


def _consistency_errors(new: _Snapshot) -> list[str]:
    errors = []
    for name, definition in sorted(new.collections.items()):
        type_id = definition.get("productType")
        if isinstance(type_id, str) and type_id not in new.types:
            path = new.repo_path(f"{PRODUCT_COLLECTIONS.folder}/{name}.json")
            errors.append(
                f"{path}: product collection {name} uses product type {type_id}, "
                "which does not exist"
            )
    for name in sorted(new.manifests):
        count = _product_count(new, name)
        if count and name not in new.collections:
            errors.append(
                f"{new.repo_path(partition_folder(name))}: {count} product(s) registered in "
                f"collection {name}, which is not defined (de-register them first)"
            )
    return errors


# -- Markdown ---------------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _short(before: str, value: Any, after: str = "") -> str:
    text = _json(value)
    return f"{before}`{text}`{after}" if len(text) <= _SHORT_VALUE else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _time(value: datetime) -> str:
    return str(format_datetime(value))


def _limited(items: list[str]) -> list[str]:
    if len(items) <= _MAX_LISTED:
        return items
    return [*items[:_MAX_LISTED], f"... and {len(items) - _MAX_LISTED} more"]


def _render(plan: Plan) -> str:
    lines = [f"## Catalogue plan: `{plan.base}` -> `{plan.head}`", ""]
    if plan.errors:
        lines += [f"**Invalid change: {len(plan.errors)} error(s).**", "", "### Errors", ""]
        lines += [f"- {_cell(message)}" for message in plan.errors]
        lines.append("")
    elif not plan.definitions and not plan.index:
        lines += ["No change to the catalogue.", ""]
    else:
        lines += ["The change is valid.", ""]
    if plan.warnings:
        lines += ["### Warnings", ""]
        lines += [f"- {_cell(message)}" for message in plan.warnings]
        lines.append("")
    for kind, title in (
        ("product type", "Product types"),
        ("product collection", "Product collections"),
    ):
        changes = [c for c in plan.definitions if c.kind == kind]
        if not changes:
            continue
        lines += [f"### {title}", ""]
        if kind == "product type":
            lines += [
                "| Change | Product type | Keys | Collections | Products |",
                "|---|---|---|---:|---:|",
            ]
        else:
            lines += ["| Change | Collection | Keys | Products |", "|---|---|---|---:|"]
        for definition in changes:
            shown = [f.describe() for f in definition.fields[:_MAX_FIELDS]]
            if len(definition.fields) > _MAX_FIELDS:
                shown.append(f"... and {len(definition.fields) - _MAX_FIELDS} more")
            keys = _cell("; ".join(shown)) or "-"
            row = f"| {definition.status} | `{definition.identifier}` | {keys} |"
            if definition.collections is not None:
                row += f" {definition.collections} |"
            lines.append(f"{row} {definition.products} |")
        lines.append("")
    if plan.index:
        lines += [
            "### Product index",
            "",
            "| Collection | Added | De-registered | Superseded | Updated | Products |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for change in plan.index:
            lines.append(
                f"| `{change.collection}` | {len(change.added)} | {len(change.deregistered)} | "
                f"{len(change.superseded)} | {len(change.updated)} | "
                f"{change.base_count} -> {change.head_count} |"
            )
        lines.append("")
        for change in plan.index:
            lines += [f"<details><summary>{change.collection}</summary>", ""]
            items = [
                f"- added `{s.identifier}` {_time(s.begin)}/{_time(s.end)}" for s in change.added
            ]
            items += [f"- superseded `{old.identifier}` by `{by}`" for old, by in change.superseded]
            items += [f"- de-registered `{s.identifier}`" for s in change.deregistered]
            items += [f"- updated `{name}`" for name in change.updated]
            lines += _limited(items)
            lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
