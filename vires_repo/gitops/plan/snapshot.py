"""The catalogue at one revision, as far as the plan needs it: definitions, manifests, rows.

Problems met while reading (invalid JSON or definitions, unreadable manifests or data files)
are collected, not raised: at HEAD they make the change invalid, at BASE they are warnings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vires_repo import jsonio
from vires_repo.catalog import Catalog
from vires_repo.definitions.retention import RETENTION_POLICIES
from vires_repo.definitions.store import (
    PRODUCT_COLLECTIONS,
    PRODUCT_TYPES,
    DefinitionKind,
    validate_definition,
)
from vires_repo.errors import IndexFormatError, ViresRepoError
from vires_repo.gitops.revisions import CatalogLocation
from vires_repo.jobs.schedules import ScheduleStore
from vires_repo.products.manifest import FileEntry, Manifest, partition_file


@dataclass
class Snapshot:
    """What the plan needs of the catalogue at one revision."""

    catalog: Catalog
    label: str
    is_head: bool
    location: CatalogLocation
    types: dict[str, dict[str, Any]] = field(default_factory=dict)
    collections: dict[str, dict[str, Any]] = field(default_factory=dict)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    manifests: dict[str, Manifest] = field(default_factory=dict)
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Valid schedule files by key (``schedules/<key>.json``), as JSON objects."""
    problems: list[str] = field(default_factory=list)

    def problem(self, message: str) -> None:
        self.problems.append(message if self.is_head else f"{message} (at {self.label})")

    def repo_path(self, relpath: str) -> str:
        return self.location.repo_path(relpath)

    def product_count(self, collection: str) -> int:
        """Live products of a collection (0 without a manifest)."""
        manifest = self.manifests.get(collection)
        return manifest.live_rows if manifest else 0

    def load(self) -> Snapshot:
        self.types = self._definitions(PRODUCT_TYPES)
        self.collections = self._definitions(PRODUCT_COLLECTIONS)
        self.policies = self._definitions(RETENTION_POLICIES)
        self.schedules = self._schedules()
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

    def _schedules(self) -> dict[str, dict[str, Any]]:
        store = ScheduleStore(self.catalog.storage)
        found = {}
        for key in store.keys():
            try:
                found[key] = store.load(key).model_dump(mode="json")
            except ViresRepoError as error:  # the message starts with the file's relpath
                self.problem(self.repo_path(str(error)))
        return found

    def live_rows(self, collection: str, entries: Iterable[FileEntry]) -> dict[str, dict[str, Any]]:
        """Live rows (identifier -> row) of some data files of a collection."""
        from vires_repo.products.data_files import read_data_file

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
