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
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from vires_repo.errors import DefinitionError, IndexFormatError
from vires_repo.jsonio import typed
from vires_repo.products.schema import FORMAT_VERSION
from vires_repo.timescales import from_micros, to_micros
from vires_repo.timespec import format_datetime

PRODUCTS_FOLDER = "products"
_PARTITION_PREFIX = "collection="
LEGACY_MANIFEST_NAME = "_manifest.json"  # the name before the collection was part of it


def partition_folder(collection: str) -> str:
    """The folder of a collection relative to the catalogue root."""
    if not collection or "/" in collection or collection in (".", ".."):
        raise DefinitionError(f"Invalid collection identifier {collection!r}")
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


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One live data file; times in microseconds since 1970 UTC (ISO 8601 in the JSON)."""

    file: str
    sha256: str
    bytes: int
    rows: int
    min_begin_time: int
    max_end_time: int
    min_identifier: str
    max_identifier: str
    tombstones: frozenset[str] = frozenset()

    @property
    def live_rows(self) -> int:
        return self.rows - len(self.tombstones)

    def may_contain(self, identifier: str) -> bool:
        return self.min_identifier <= identifier <= self.max_identifier

    def holds(self, data: builtins.bytes) -> bool:  # (a field is called bytes)
        """Whether ``data`` are this file's bytes (by their checksum)."""
        return hashlib.sha256(data).hexdigest() == self.sha256

    def to_json(self) -> dict[str, object]:
        entry: dict[str, object] = {
            "file": self.file,
            "rows": self.rows,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "min_begin_time": _iso(self.min_begin_time),
            "max_end_time": _iso(self.max_end_time),
            "min_identifier": self.min_identifier,
        }
        if self.max_identifier != self.min_identifier:  # most files hold one product
            entry["max_identifier"] = self.max_identifier
        if self.tombstones:
            entry["tombstones"] = sorted(self.tombstones)
        return entry

    @classmethod
    def from_json(cls, entry: dict[str, object]) -> FileEntry:
        tombstones = entry.get("tombstones", [])
        if not isinstance(tombstones, list):
            raise TypeError("tombstones must be a list")
        return cls(
            file=typed(entry["file"], str),
            sha256=typed(entry["sha256"], str),
            bytes=typed(entry["bytes"], int),
            rows=typed(entry["rows"], int),
            min_begin_time=_micros(typed(entry["min_begin_time"], str)),
            max_end_time=_micros(typed(entry["max_end_time"], str)),
            min_identifier=typed(entry["min_identifier"], str),
            max_identifier=typed(entry.get("max_identifier", entry["min_identifier"]), str),
            tombstones=frozenset(typed(item, str) for item in tombstones),
        )


@dataclass(frozen=True, slots=True)
class Manifest:
    """The committed state of one collection partition."""

    collection: str
    files: tuple[FileEntry, ...] = field(default_factory=tuple)

    @property
    def live_rows(self) -> int:
        return sum(entry.live_rows for entry in self.files)

    @property
    def tombstone_count(self) -> int:
        return sum(len(entry.tombstones) for entry in self.files)

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
        """Deterministic text: fixed key order, one line per data file, trailing newline."""
        lines = [
            "{",
            f'  "format_version": {FORMAT_VERSION},',
            f'  "collection": {json.dumps(self.collection, ensure_ascii=False)},',
        ]
        if self.files:
            lines.append('  "files": [')
            body = [
                "    " + json.dumps(entry.to_json(), ensure_ascii=False) for entry in self.files
            ]
            lines.append(",\n".join(body))
            lines.append("  ]")
        else:
            lines.append('  "files": []')
        lines.append("}")
        return "\n".join(lines) + "\n"

    @classmethod
    def loads(cls, text: str | bytes, where: str) -> Manifest:
        try:
            document = json.loads(text)
        except ValueError as error:
            raise IndexFormatError(f"{where} is not valid JSON: {error}") from None
        if not isinstance(document, dict):
            raise IndexFormatError(f"{where} is not a product index manifest")
        version = document.get("format_version")
        if version != FORMAT_VERSION:
            raise IndexFormatError(
                f"{where} has product index format version {version}; this vires_repo reads "
                f"version {FORMAT_VERSION} only (upgrade vires_repo or rebuild the index)"
            )
        try:
            collection = typed(document["collection"], str)
            files = tuple(FileEntry.from_json(entry) for entry in document["files"])
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise IndexFormatError(f"{where} is malformed: {error!r}") from None
        return cls(collection=collection, files=files)


def _iso(micros: int) -> str:
    return str(format_datetime(from_micros(micros)))


def _micros(text: str) -> int:
    return to_micros(datetime.fromisoformat(text))
