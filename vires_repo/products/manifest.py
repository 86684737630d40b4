"""The per-collection manifest: the commit point of the product index.

``products/collection=<ID>/_manifest-<ID>.json`` lists the live data files of the collection,
each with its row count, size, sha256, time range, identifier range and tombstones (identifiers
whose row in that file was replaced or de-registered). Data files are Parquet
(``part-<hash>-<ID>.parquet``) or JSON lines (``part-<hash>-<ID>.jsonl``, small batches); the
file name's extension tells the format, and both are listed alike, so format version 1 covers
both.

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
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from vires_repo.errors import DefinitionError
from vires_repo.manifests import (
    ManifestModel,
    manifest_text,
    parse_manifest,
    plain_file_name,
    validate,
)
from vires_repo.products.schema import FORMAT_VERSION
from vires_repo.timescales import from_micros, to_micros
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


def _micros_of_iso(value: object) -> object:
    return to_micros(datetime.fromisoformat(value)) if isinstance(value, str) else value


def _iso_of_micros(micros: int) -> str:
    return str(format_datetime(from_micros(micros)))


Micros = Annotated[int, BeforeValidator(_micros_of_iso), PlainSerializer(_iso_of_micros)]
"""A time in microseconds since 1970 UTC, written as ISO 8601 in the JSON."""


class FileEntry(ManifestModel):
    """One live data file (fields in the order of the JSON line)."""

    file: Annotated[str, AfterValidator(plain_file_name)]
    """A file of the collection's folder: a path elsewhere is refused when the manifest is read."""
    rows: int
    bytes: int
    sha256: str
    min_begin_time: Micros
    max_end_time: Micros
    min_identifier: str
    max_identifier: str
    """Written only when it differs from ``min_identifier`` (most files hold one product)."""
    tombstones: Annotated[frozenset[str], PlainSerializer(sorted)] = frozenset()
    """Identifiers whose row in this file was replaced or de-registered (written when any)."""

    @model_validator(mode="before")
    @classmethod
    def _max_identifier_defaults_to_min(cls, value: Any) -> Any:
        if isinstance(value, dict) and "max_identifier" not in value and "min_identifier" in value:
            return {**value, "max_identifier": value["min_identifier"]}
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FileEntry:
        """A hand edit must not make readers skip rows: the ranges are what file skipping
        trusts."""
        if self.rows < 0 or self.bytes < 0:
            raise ValueError("rows and bytes cannot be negative")
        if not _SHA256.fullmatch(self.sha256):
            raise ValueError("sha256 must be 64 lowercase hexadecimal digits")
        if self.max_end_time < self.min_begin_time:
            raise ValueError("max_end_time is before min_begin_time")
        if self.max_identifier < self.min_identifier:
            raise ValueError("max_identifier sorts before min_identifier")
        return self

    @model_serializer(mode="wrap")
    def _omit_defaults(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        entry: dict[str, Any] = handler(self)
        if self.max_identifier == self.min_identifier:
            del entry["max_identifier"]
        if not self.tombstones:
            del entry["tombstones"]
        return entry

    @property
    def live_rows(self) -> int:
        return self.rows - len(self.tombstones)

    def may_contain(self, identifier: str) -> bool:
        return self.min_identifier <= identifier <= self.max_identifier

    def holds(self, data: builtins.bytes) -> bool:  # (a field is called bytes)
        """Whether ``data`` are this file's bytes (by their checksum)."""
        return hashlib.sha256(data).hexdigest() == self.sha256


class Manifest(ManifestModel):
    """The committed state of one collection partition."""

    collection: str
    files: tuple[FileEntry, ...]

    @property
    def live_rows(self) -> int:
        return sum(entry.live_rows for entry in self.files)

    @property
    def tombstone_count(self) -> int:
        return sum(len(entry.tombstones) for entry in self.files)

    def with_tombstones(self, dead: dict[str, set[str]]) -> Manifest:
        """A manifest where the rows ``dead[file]`` (identifiers) are tombstoned."""
        files = tuple(
            entry.model_copy(update={"tombstones": entry.tombstones | dead[entry.file]})
            if dead.get(entry.file)
            else entry
            for entry in self.files
        )
        return self.model_copy(update={"files": files})

    def with_file(self, new: FileEntry) -> Manifest:
        """Add a data file; a file of the same (content-derived) name is replaced by it."""
        files = tuple(entry for entry in self.files if entry.file != new.file)
        return self.model_copy(update={"files": (*files, new)})

    def with_files(self, removed: Iterable[str], added: Sequence[FileEntry]) -> Manifest:
        gone = set(removed)
        kept = tuple(entry for entry in self.files if entry.file not in gone)
        return self.model_copy(update={"files": kept + tuple(added)})

    def dumps(self) -> str:
        """The canonical text (manifests.py): one line per data file."""
        head = {"format_version": FORMAT_VERSION, "collection": self.collection}
        entries = [entry.model_dump(mode="json") for entry in self.files]
        return manifest_text(head, "files", entries)

    @classmethod
    def loads(cls, text: str | bytes, where: str) -> Manifest:
        document = parse_manifest(text, where, "product index", FORMAT_VERSION)
        del document["format_version"]
        return validate(cls, document, where)
