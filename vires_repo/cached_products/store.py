"""Cached products inside the catalogue: their files and the manifest that records them.

Layout below the catalogue root::

    cached_products/<output files>     e.g. aux_kp.cdf, SW_OPER_MCO_SHA_2C.shc(.source)
    cached_products/_manifest.json     one record per cached product, sorted by identifier

The manifest is the commit point of an update: the product's files are written first (each one
atomically, the companions before the data file), the manifest last. ``dump`` reads only the
manifest, so its output is exactly what git shows. The format::

    {
      "format_version": 1,
      "cached_products": [
        {
          "identifier": "GFZ_AUX_KP",
          "updated": "2026-11-23T11:05:41Z",
          "location": "cached_products/aux_kp.cdf",
          "sources": ["SW_OPER_AUX_KP__2__19980101T013000_19980102T103000_0001"],
          "checksum": "sha256:...",
          "files": [{"name": "aux_kp.cdf", "size": 5376, "checksum": "sha256:..."}]
        }
      ]
    }

``location`` is relative to the catalogue root; ``checksum`` is the data file's; ``files``
lists every file of the product, the data file first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from vires_repo import jsonio
from vires_repo.errors import IndexFormatError
from vires_repo.io.storage import Storage
from vires_repo.jsonio import typed
from vires_repo.timespec import format_datetime, parse_datetime

FOLDER = "cached_products"
MANIFEST_NAME = "_manifest.json"
MANIFEST_PATH = f"{FOLDER}/{MANIFEST_NAME}"
FORMAT_VERSION = 1


def relpath(name: str) -> str:
    """Catalogue-relative path of a cached product file."""
    return f"{FOLDER}/{name}"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class StoredFile:
    """One file of a cached product, as the manifest records it."""

    name: str
    size: int
    checksum: str

    @classmethod
    def of(cls, name: str, data: bytes) -> StoredFile:
        return cls(name=name, size=len(data), checksum=sha256(data))

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "size": self.size, "checksum": self.checksum}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> StoredFile:
        return cls(
            name=typed(value["name"], str),
            size=typed(value["size"], int),
            checksum=typed(value["checksum"], str),
        )


@dataclass(frozen=True)
class CachedProductRecord:
    """The manifest record of one cached product."""

    identifier: str
    updated: datetime
    """When the content last changed (UTC, whole seconds: the CDF ``CREATED`` attribute)."""
    location: str
    """Catalogue-relative path of the data file."""
    sources: tuple[str, ...]
    checksum: str
    """``sha256:<hex>`` of the data file."""
    files: tuple[StoredFile, ...]
    """All files of the product, the data file first."""

    def same_content(self, other: CachedProductRecord) -> bool:
        """True when both records describe the same bytes from the same sources."""
        return (
            self.location == other.location
            and self.sources == other.sources
            and self.files == other.files
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "identifier": self.identifier,
            "updated": format_datetime(self.updated),
            "location": self.location,
            "sources": list(self.sources),
            "checksum": self.checksum,
            "files": [entry.to_json() for entry in self.files],
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> CachedProductRecord:
        return cls(
            identifier=typed(value["identifier"], str),
            updated=parse_datetime(typed(value["updated"], str)),
            location=typed(value["location"], str),
            sources=tuple(typed(source, str) for source in typed(value["sources"], list)),
            checksum=typed(value["checksum"], str),
            files=tuple(StoredFile.from_json(entry) for entry in typed(value["files"], list)),
        )


@dataclass(frozen=True)
class CachedProductManifest:
    """All cached products of a catalogue, sorted by identifier."""

    products: tuple[CachedProductRecord, ...] = ()

    def get(self, identifier: str) -> CachedProductRecord | None:
        return next((r for r in self.products if r.identifier == identifier), None)

    def with_record(self, record: CachedProductRecord) -> CachedProductManifest:
        """The manifest with ``record`` added or replacing the one of the same identifier."""
        kept = [r for r in self.products if r.identifier != record.identifier]
        return replace(self, products=_sorted([*kept, record]))

    def dumps(self) -> str:
        document = {
            "format_version": FORMAT_VERSION,
            "cached_products": [record.to_json() for record in self.products],
        }
        return jsonio.dumps(document)

    @classmethod
    def loads(cls, text: str | bytes, where: str) -> CachedProductManifest:
        try:
            document = jsonio.loads(text)
        except ValueError as error:
            raise IndexFormatError(f"{where} is not valid JSON: {error}") from None
        if not isinstance(document, dict):
            raise IndexFormatError(f"{where} is not a cached-product manifest")
        version = document.get("format_version")
        if version != FORMAT_VERSION:
            raise IndexFormatError(
                f"{where} has cached-product manifest format version {version}; this "
                f"vires_repo reads version {FORMAT_VERSION} only"
            )
        try:
            records = [
                CachedProductRecord.from_json(entry)
                for entry in typed(document["cached_products"], list)
            ]
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise IndexFormatError(f"{where} is malformed: {error!r}") from None
        identifiers = [record.identifier for record in records]
        if len(set(identifiers)) != len(identifiers):
            raise IndexFormatError(f"{where} is malformed: duplicate identifiers")
        return cls(products=_sorted(records))


def load_manifest(storage: Storage) -> CachedProductManifest:
    """The catalogue's cached-product manifest (empty when there is none yet)."""
    if not storage.exists(MANIFEST_PATH):
        return CachedProductManifest()
    return CachedProductManifest.loads(
        storage.read_bytes(MANIFEST_PATH), storage.url_of(MANIFEST_PATH)
    )


def save_manifest(storage: Storage, manifest: CachedProductManifest) -> bool:
    """Write the manifest atomically unless it is unchanged; True if written."""
    return storage.write_if_changed(MANIFEST_PATH, manifest.dumps().encode("utf-8"))


def read_checked(storage: Storage, record: CachedProductRecord) -> bytes:
    """The data file of ``record``, refused if it is not the one the manifest records."""
    data = storage.read_bytes(record.location)
    if sha256(data) != record.checksum:
        raise IndexFormatError(
            f"{storage.url_of(record.location)} does not match its record in "
            f"{MANIFEST_PATH} (interrupted update?); run 'cached_product update "
            f"{record.identifier} ...' again"
        )
    return data


def _sorted(records: Iterable[CachedProductRecord]) -> tuple[CachedProductRecord, ...]:
    return tuple(sorted(records, key=lambda record: record.identifier))
