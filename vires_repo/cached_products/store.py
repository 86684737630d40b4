"""Cached products inside the catalogue: their files and the manifest that records them.

Layout below the catalogue root::

    cached_products/<output files>     e.g. aux_kp.cdf, SW_OPER_MCO_SHA_2C.shc(.source)
    cached_products/_manifest.json     one record per cached product, sorted by identifier

The manifest is the commit point of an update: the product's files are written first (each one
atomically, the companions before the data file), the manifest last. ``dump`` reads only the
manifest, so its output is exactly what git shows. The format (the canonical manifest layout
of :mod:`vires_repo.manifests`, one record a line)::

    {
      "format_version": 1,
      "cached_products": [
        {"identifier": "GFZ_AUX_KP", "updated": "2026-11-23T11:05:41Z", "location": ...
      ]
    }

where a record holds ``identifier``, ``updated``, ``location``, ``sources``, ``checksum`` and
``files`` (e.g. ``[{"name": "aux_kp.cdf", "size": 5376, "checksum": "sha256:..."}]``).
``location`` is relative to the catalogue root; ``checksum`` is the data file's; ``files``
lists every file of the product, the data file first.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    PlainSerializer,
    StrictInt,
    StrictStr,
    model_validator,
)

from vires_repo.errors import IndexFormatError
from vires_repo.io.object_commit import Snapshot
from vires_repo.io.storage import Storage
from vires_repo.manifest_model import ManifestModel, validate
from vires_repo.manifests import manifest_text, parse_manifest, plain_file_name
from vires_repo.timespec import format_datetime, parse_datetime

FOLDER = "cached_products"
MANIFEST_NAME = "_manifest.json"
MANIFEST_PATH = f"{FOLDER}/{MANIFEST_NAME}"
FORMAT_VERSION = 1
_LIST_KEY = "cached_products"

logger = logging.getLogger(__name__)


def relpath(name: str) -> str:
    """Catalogue-relative path of a cached product file."""
    return f"{FOLDER}/{name}"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _parse_time(value: Any) -> Any:
    if isinstance(value, str):
        return parse_datetime(value)
    if not isinstance(value, datetime):
        raise ValueError("expected an ISO-8601 date-time string")
    return value


UtcTime = Annotated[
    datetime, BeforeValidator(_parse_time), PlainSerializer(format_datetime, return_type=str)
]
"""An aware UTC time, written as VirES writes times (``...Z``)."""


class StoredFile(ManifestModel):
    """One file of a cached product, as the manifest records it."""

    name: Annotated[StrictStr, AfterValidator(plain_file_name)]
    """A file of ``cached_products/``: a path elsewhere is refused when the manifest is read."""
    size: StrictInt
    checksum: StrictStr

    @classmethod
    def of(cls, name: str, data: bytes) -> StoredFile:
        return cls(name=name, size=len(data), checksum=sha256(data))


class CachedProductRecord(ManifestModel):
    """The manifest record of one cached product."""

    identifier: StrictStr
    updated: UtcTime
    """When the content last changed (UTC, whole seconds: the CDF ``CREATED`` attribute)."""
    location: StrictStr
    """Catalogue-relative path of the data file."""
    sources: tuple[StrictStr, ...]
    checksum: StrictStr
    """``sha256:<hex>`` of the data file."""
    files: tuple[StoredFile, ...]
    """All files of the product, the data file first."""

    @model_validator(mode="after")
    def _location_is_the_data_file(self) -> CachedProductRecord:
        """The data file is read at ``location``: it must be the first of ``files``, inside
        the folder (not any path a hand edit put there)."""
        if not self.files:
            raise ValueError("files must list the data file")
        if self.location != relpath(self.files[0].name):
            raise ValueError(f"location must be {relpath(self.files[0].name)!r}, the first file")
        return self

    def same_content(self, other: CachedProductRecord) -> bool:
        """True when both records describe the same bytes from the same sources."""
        return (
            self.location == other.location
            and self.sources == other.sources
            and self.files == other.files
        )


class _ManifestDocument(ManifestModel):
    """The manifest file as stored (validated before it becomes a manifest)."""

    format_version: int
    cached_products: tuple[CachedProductRecord, ...]


class CachedProductManifest(ManifestModel):
    """All cached products of a catalogue, sorted by identifier."""

    products: tuple[CachedProductRecord, ...] = ()

    def get(self, identifier: str) -> CachedProductRecord | None:
        return next((r for r in self.products if r.identifier == identifier), None)

    def with_record(self, record: CachedProductRecord) -> CachedProductManifest:
        """The manifest with ``record`` added or replacing the one of the same identifier."""
        kept = [r for r in self.products if r.identifier != record.identifier]
        return CachedProductManifest(products=_sorted([*kept, record]))

    def dumps(self) -> str:
        entries = [record.model_dump(mode="json") for record in self.products]
        return manifest_text({"format_version": FORMAT_VERSION}, _LIST_KEY, entries)

    @classmethod
    def loads(cls, text: str | bytes, where: str) -> CachedProductManifest:
        document = parse_manifest(text, where, "cached products", FORMAT_VERSION)
        records = validate(_ManifestDocument, document, where).cached_products
        identifiers = [record.identifier for record in records]
        if len(set(identifiers)) != len(identifiers):
            raise IndexFormatError(f"{where} is malformed: duplicate identifiers")
        return cls(products=_sorted(records))


def load_manifest(storage: Storage) -> CachedProductManifest:
    """The catalogue's cached-product manifest (empty when there is none yet)."""
    return load_manifest_snapshot(storage)[0]


def load_manifest_snapshot(storage: Storage) -> tuple[CachedProductManifest, Snapshot]:
    """:func:`load_manifest` and the version read, on which :func:`save_manifest` is
    conditional."""
    snapshot = storage.read_snapshot(MANIFEST_PATH)
    if snapshot.data is None:
        return CachedProductManifest(), snapshot
    return CachedProductManifest.loads(snapshot.data, storage.url_of(MANIFEST_PATH)), snapshot


def save_manifest(storage: Storage, manifest: CachedProductManifest, read: Snapshot) -> bool:
    """Replace the manifest read as ``read`` atomically unless it is unchanged (refused on an
    object store if another writer committed meanwhile); True if written."""
    data = manifest.dumps().encode("utf-8")
    if data == read.data:
        return False
    storage.commit(MANIFEST_PATH, data, read)
    return True


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


def write_files(
    storage: Storage, record: CachedProductRecord, contents: dict[str, bytes]
) -> list[str]:
    """Write the files whose bytes differ: companions first, the data file last."""
    data_file, *companions = [entry.name for entry in record.files]
    written = []
    for name in [*companions, data_file]:
        path = relpath(name)
        if storage.write_if_changed(path, contents[name]):
            logger.debug("wrote %s (%d bytes)", path, len(contents[name]))
            written.append(path)
        else:
            logger.debug("%s already holds these bytes", path)
    return written


def remove_stale_files(
    storage: Storage, previous: CachedProductRecord | None, record: CachedProductRecord
) -> list[str]:
    """Remove the files of ``previous`` that ``record`` no longer has; their paths."""
    if previous is None:
        return []
    current = {entry.name for entry in record.files}
    removed = []
    for entry in previous.files:
        if entry.name not in current:
            storage.remove(relpath(entry.name))
            logger.debug("removed %s", relpath(entry.name))
            removed.append(relpath(entry.name))
    return removed


def _sorted(records: Iterable[CachedProductRecord]) -> tuple[CachedProductRecord, ...]:
    return tuple(sorted(records, key=lambda record: record.identifier))
