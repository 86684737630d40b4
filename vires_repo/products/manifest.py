"""The per-collection manifest: the commit point of the product index.

``products/collection=<ID>/_manifest-<ID>.json`` lists the live data files of the collection,
each with its row count, size, sha256, time range, identifier range and tombstones (identifiers
whose row in that file was replaced or de-registered). Data files are Parquet
(``part-<hash>-<ID>.parquet``) or JSON lines (``part-<hash>-<ID>.jsonl``, small batches); the
file name's extension tells the format, and both are listed alike, so format version 1 covers
both.

De-registered products are deleted softly (udata's ``deleted`` timestamp): their rows stay in
their data files, tombstoned like replaced rows (so every reader skips them, at no cost), and
the manifest's ``deleted`` list (written only when not empty, one line per product, sorted by
identifier) records which file holds each one, when, by whom and why. ``product undelete``
lifts the tombstone; compaction keeps these rows (still tombstoned); ``purge`` removes the
records and then compacts their files, which drops the rows for good.

A writer adds data files first and replaces the manifest last, atomically; readers open only
the files listed here, so files left by an interrupted writer are invisible until compaction
removes them.

The text is deterministic and line-oriented (one line per data file), so a registration shows
up in a diff as one added line plus the changed tombstone lines.

Why every file name ends with the collection identifier: git chooses delta bases among blobs
whose paths end alike (it hashes the last 16 characters of the path) and are of similar size.
When all 150 manifests were called ``_manifest.json``, a new version was stored as a delta
against another collection's manifest of the same size and paid for all its checksums again;
named after their collection, a manifest deltas against its own previous version and a
compaction output against the previous one. A simulated year of daily registrations into
150 collections, pushed daily, grew the git repository by 48 MiB with the shared names and by
33 MiB with these (``scripts/bench_product_index.py --git``).
"""

from __future__ import annotations

import builtins
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from vires_repo.errors import DefinitionError
from vires_repo.manifest_checks import (
    checked_field,
    file_name,
    integer,
    json_list,
    malformed,
    micros,
    names,
    only_keys,
    string,
)
from vires_repo.manifests import manifest_text, parse_manifest, plain_file_name
from vires_repo.products.schema import FORMAT_VERSION
from vires_repo.timescales import from_micros
from vires_repo.timespec import format_datetime

PRODUCTS_FOLDER = "products"
_PARTITION_PREFIX = "collection="
LEGACY_MANIFEST_NAME = "_manifest.json"  # the name before the collection was part of it
_SHA256 = re.compile("[0-9a-f]{64}")


def partition_folder(collection: str) -> str:
    """The folder of a collection relative to the catalogue root (DefinitionError for an
    identifier that would name a path outside ``products/``)."""
    try:
        plain_file_name(collection)
    except ValueError:
        raise DefinitionError(f"Invalid collection identifier {collection!r}") from None
    return f"{PRODUCTS_FOLDER}/{_PARTITION_PREFIX}{collection}"


def manifest_name(collection: str) -> str:
    """The manifest's file name in the collection's folder (see the module docstring for why
    it names the collection)."""
    return f"_manifest-{collection}.json"


def partition_file(collection: str, name: str) -> str:
    """A file of a collection's folder (data file or manifest) relative to the catalogue root."""
    return f"{partition_folder(collection)}/{name}"


def manifest_path(collection: str) -> str:
    """The manifest of a collection relative to the catalogue root."""
    return partition_file(collection, manifest_name(collection))


def collection_of_folder(name: str) -> str | None:
    return name[len(_PARTITION_PREFIX) :] if name.startswith(_PARTITION_PREFIX) else None


def _iso_of_micros(micros: int) -> str:
    return str(format_datetime(from_micros(micros)))


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One live data file (fields in the order of the JSON line).

    A plain dataclass checked by :func:`_entry_of`, not a pydantic model like the other
    stores' manifests: every lookup command reads these manifests, and pydantic would add a
    quarter to its start-up (``scripts/bench_floor.py``).
    """

    file: str
    """A file of the collection's folder: a path elsewhere is refused when the manifest is read."""
    rows: int
    bytes: int
    sha256: str
    min_begin_time: int
    """Microseconds since 1970 UTC, written as ISO 8601 (as is ``max_end_time``)."""
    max_end_time: int
    min_identifier: str
    max_identifier: str = ""
    """Written only when it differs from ``min_identifier`` (most files hold one product);
    empty means the same as ``min_identifier``."""
    tombstones: frozenset[str] = frozenset()
    """Identifiers whose row in this file was replaced or de-registered (written when any)."""

    def __post_init__(self) -> None:
        if not self.max_identifier:
            object.__setattr__(self, "max_identifier", self.min_identifier)
        if not isinstance(self.tombstones, frozenset):
            object.__setattr__(self, "tombstones", frozenset(self.tombstones))

    @property
    def live_rows(self) -> int:
        return self.rows - len(self.tombstones)

    def may_contain(self, identifier: str) -> bool:
        return self.min_identifier <= identifier <= self.max_identifier

    def holds(self, data: builtins.bytes) -> bool:  # (a field is called bytes)
        """Whether ``data`` are this file's bytes (by their checksum)."""
        return hashlib.sha256(data).hexdigest() == self.sha256

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the manifest line (defaults omitted, times as ISO 8601)."""
        entry: dict[str, Any] = {
            "file": self.file,
            "rows": self.rows,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "min_begin_time": _iso_of_micros(self.min_begin_time),
            "max_end_time": _iso_of_micros(self.max_end_time),
            "min_identifier": self.min_identifier,
        }
        if self.max_identifier != self.min_identifier:
            entry["max_identifier"] = self.max_identifier
        if self.tombstones:
            entry["tombstones"] = sorted(self.tombstones)
        return entry


@dataclass(frozen=True, slots=True)
class DeletedEntry:
    """A de-registered product kept until purged (fields in the order of the JSON line;
    checked by :func:`_deleted_of`, a plain dataclass for the reason :class:`FileEntry` is)."""

    identifier: str
    file: str
    """The data file holding its (tombstoned) row."""
    deleted_at: int
    """Microseconds since 1970 UTC, written as ISO 8601."""
    deleted_by: str
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the manifest line (time as ISO 8601)."""
        return {
            "identifier": self.identifier,
            "file": self.file,
            "deleted_at": _iso_of_micros(self.deleted_at),
            "deleted_by": self.deleted_by,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Manifest:
    """The committed state of one collection partition."""

    collection: str
    files: tuple[FileEntry, ...]
    deleted: tuple[DeletedEntry, ...] = ()
    """Soft-deleted products, sorted by identifier (each tombstoned in its ``file``)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "files", tuple(self.files))
        object.__setattr__(self, "deleted", tuple(self.deleted))

    @property
    def live_rows(self) -> int:
        return sum(entry.live_rows for entry in self.files)

    @property
    def tombstone_count(self) -> int:
        return sum(len(entry.tombstones) for entry in self.files)

    @property
    def dead_rows(self) -> int:
        """Tombstoned rows that compaction may drop (replaced, or deleted and purged)."""
        return self.tombstone_count - len(self.deleted)

    def deleted_in(self, file: str) -> set[str]:
        """Identifiers of the soft-deleted products whose row is in ``file``."""
        return {record.identifier for record in self.deleted if record.file == file}

    def with_deleted(self, records: Iterable[DeletedEntry]) -> Manifest:
        """This manifest with ``deleted`` replaced by ``records`` (sorted)."""
        ordered = tuple(sorted(records, key=lambda record: record.identifier))
        return replace(self, deleted=ordered)

    def without_tombstones(self, alive: dict[str, set[str]]) -> Manifest:
        """A manifest where the rows ``alive[file]`` (identifiers) are live again."""
        files = tuple(
            replace(entry, tombstones=entry.tombstones - alive[entry.file])
            if alive.get(entry.file)
            else entry
            for entry in self.files
        )
        return replace(self, files=files)

    def with_tombstones(self, dead: dict[str, set[str]]) -> Manifest:
        """A manifest where the rows ``dead[file]`` (identifiers) are tombstoned."""
        files = tuple(
            replace(entry, tombstones=entry.tombstones | dead[entry.file])
            if dead.get(entry.file)
            else entry
            for entry in self.files
        )
        return replace(self, files=files)

    def with_file(self, new: FileEntry) -> Manifest:
        """Add a data file; a file of the same (content-derived) name is replaced by it."""
        files = tuple(entry for entry in self.files if entry.file != new.file)
        return replace(self, files=(*files, new))

    def with_files(self, removed: Iterable[str], added: Sequence[FileEntry]) -> Manifest:
        gone = set(removed)
        kept = tuple(entry for entry in self.files if entry.file not in gone)
        return replace(self, files=kept + tuple(added))

    def dumps(self) -> str:
        """The canonical text (manifests.py): one line per data file."""
        head = {"format_version": FORMAT_VERSION, "collection": self.collection}
        entries = [entry.to_json() for entry in self.files]
        deleted = [record.to_json() for record in self.deleted]
        return manifest_text(head, "files", entries, {"deleted": deleted})

    @classmethod
    def loads(cls, text: str | builtins.bytes, where: str) -> Manifest:
        """The manifest in ``text``; anything malformed is an IndexFormatError naming the
        first wrong key (``files.0.rows: Input should be a valid integer``)."""
        document = parse_manifest(text, where, "product index", FORMAT_VERSION)
        del document["format_version"]
        only_keys(document, ("collection", "files", "deleted"), where, "")
        collection = checked_field(document, "collection", string, where, "")
        files = checked_field(document, "files", json_list, where, "")
        entries = tuple(_entry_of(entry, where, f"files.{n}.") for n, entry in enumerate(files))
        deleted = (
            tuple(
                _deleted_of(record, where, f"deleted.{n}.")
                for n, record in enumerate(checked_field(document, "deleted", json_list, where, ""))
            )
            if "deleted" in document
            else ()
        )
        tombstones = {entry.file: entry.tombstones for entry in entries}
        for n, record in enumerate(deleted):
            if record.identifier not in tombstones.get(record.file, ()):
                raise malformed(
                    where,
                    f"deleted.{n}",
                    f"deleted product {record.identifier} is not a tombstone of {record.file}",
                )
        return cls(collection=collection, files=entries, deleted=deleted)


# -- checking a manifest read from JSON ---------------------------------------------------

_ENTRY_KEYS = tuple(field.name for field in fields(FileEntry))
_ENTRY_CHECKS: dict[str, Callable[[Any], Any]] = {
    "file": file_name,
    "rows": integer,
    "bytes": integer,
    "sha256": string,
    "min_begin_time": micros,
    "max_end_time": micros,
    "min_identifier": string,
}
_OPTIONAL_ENTRY_CHECKS: dict[str, Callable[[Any], Any]] = {
    "max_identifier": string,
    "tombstones": names,
}


def _entry_of(value: Any, where: str, prefix: str) -> FileEntry:
    if not isinstance(value, dict):
        raise malformed(where, prefix.rstrip("."), "Input should be a valid dictionary")
    only_keys(value, _ENTRY_KEYS, where, prefix)
    checked = {
        key: checked_field(value, key, check, where, prefix) for key, check in _ENTRY_CHECKS.items()
    }
    for key, check in _OPTIONAL_ENTRY_CHECKS.items():
        if key in value:
            checked[key] = checked_field(value, key, check, where, prefix)
    entry = FileEntry(**checked)
    problem = _inconsistency(entry)
    if problem:
        raise malformed(where, prefix.rstrip("."), f"Value error, {problem}")
    return entry


def _inconsistency(entry: FileEntry) -> str | None:
    """A hand edit must not make readers skip rows: the ranges are what file skipping
    trusts."""
    if entry.rows < 0 or entry.bytes < 0:
        return "rows and bytes cannot be negative"
    if not _SHA256.fullmatch(entry.sha256):
        return "sha256 must be 64 lowercase hexadecimal digits"
    if entry.max_end_time < entry.min_begin_time:
        return "max_end_time is before min_begin_time"
    if entry.max_identifier < entry.min_identifier:
        return "max_identifier sorts before min_identifier"
    return None


_DELETED_CHECKS: dict[str, Callable[[Any], Any]] = {
    "identifier": string,
    "file": file_name,
    "deleted_at": micros,
    "deleted_by": string,
}


def _deleted_of(value: Any, where: str, prefix: str) -> DeletedEntry:
    if not isinstance(value, dict):
        raise malformed(where, prefix.rstrip("."), "Input should be a valid dictionary")
    only_keys(value, (*_DELETED_CHECKS, "reason"), where, prefix)
    checked = {
        key: checked_field(value, key, check, where, prefix)
        for key, check in _DELETED_CHECKS.items()
    }
    if "reason" in value:
        checked["reason"] = checked_field(value, "reason", string, where, prefix)
    return DeletedEntry(**checked)
