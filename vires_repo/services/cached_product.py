"""Cached products: update from source files, dump, and the tables behind the SQL views.

A cached product (reference 9) is converted from its sources into a local temporary folder,
then copied into ``cached_products/`` of the catalogue and recorded in the cached-product
manifest (:mod:`vires_repo.cached_products.store`), all under the catalogue lock. Same
sources, same bytes: an update that gives the content already stored keeps the previous
record, so no file (not even the manifest) changes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from vires_repo.cached_products import (
    CACHED_PRODUCT_TYPES,
    convert,
    get_cached_product_type,
    views,
)
from vires_repo.cached_products.conversion import CachedProductInfo
from vires_repo.cached_products.registry import CachedProductType, Provenance
from vires_repo.cached_products.store import (
    MANIFEST_PATH,
    CachedProductRecord,
    StoredFile,
    load_manifest,
    load_manifest_snapshot,
    relpath,
    remove_stale_files,
    save_manifest,
    write_files,
)
from vires_repo.catalog import Catalog
from vires_repo.errors import NotFoundError, ProductFileError, ViresRepoError
from vires_repo.io.storage import Storage
from vires_repo.services.messages import Messages
from vires_repo.timespec import format_datetime

LOG = Messages.logged("cached_product")

_TEMP_PREFIX = "vires-repo-cached-"


def cached_product_types() -> list[str]:
    """Identifiers of all cached product types, sorted (the choices of ``update``)."""
    return sorted(CACHED_PRODUCT_TYPES)


# -- update ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CachedProductUpdate:
    """Outcome of :func:`update_cached_product`."""

    record: CachedProductRecord
    changed: bool
    """False when the sources gave exactly the stored content (the record is the old one)."""
    given: int
    """Number of source files given (multi-source types may use fewer)."""
    written: tuple[str, ...]
    """Catalogue-relative paths written (files whose bytes were already right are skipped)."""
    removed: tuple[str, ...]
    """Files of the previous version that the new one no longer has."""

    def summary(self) -> str:
        """The one-line message of the ``update`` command."""
        identifier = self.record.identifier
        if not self.changed:
            return (
                f"{identifier} unchanged: the {self.given} source file(s) give the content "
                f"already cached on {format_datetime(self.record.updated)}."
            )
        used = len(self.record.sources)
        if 0 < used < self.given:
            return (
                f"{identifier} updated from {used} of {self.given} source files "
                f"(the others are superseded or not contiguous with the latest ones)."
            )
        return f"{identifier} updated from {self.given} source file(s)."


def update_cached_product(
    catalog: Catalog,
    type_id: str,
    sources: Sequence[str],
    *,
    now: datetime | None = None,
    say: Messages = LOG,
) -> CachedProductUpdate:
    """Convert ``sources`` (local paths or fsspec URLs) into the cached product ``type_id``.

    The conversion runs in a local temporary folder; only a successful result is copied into
    the catalogue (companion files first, then the data file, then the manifest, each write
    atomic). A failure leaves the stored product and the manifest as they were and raises a
    :class:`ViresRepoError` naming the type, the file and the problem.

    ``now`` (default: the current time) is the update time recorded when the content
    changes, in whole seconds as the CDF ``CREATED`` attribute holds it.
    """
    product_type = get_cached_product_type(type_id)
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    storage = catalog.storage
    with catalog.writing():
        manifest, snapshot = load_manifest_snapshot(storage)
        previous = manifest.get(product_type.identifier)
        say.debug(f"Updating {relpath(product_type.output_name)} from {', '.join(sources)}")
        with tempfile.TemporaryDirectory(prefix=_TEMP_PREFIX) as folder:
            # With the previous update time, unchanged sources reproduce the stored bytes.
            created = previous.updated if previous is not None else moment
            record, contents = _convert(product_type, sources, Path(folder, "first"), created, say)
            changed = previous is None or not record.same_content(previous)
            if not changed and previous is not None:
                say.debug(f"content equals the version cached on {format_datetime(created)}")
                record = previous
            elif previous is not None:
                if product_type.provenance is Provenance.CDF_ATTRIBUTES:
                    # the update time is inside the file: convert again with the new one
                    record, contents = _convert(
                        product_type, sources, Path(folder, "second"), moment, say
                    )
                record = record.model_copy(update={"updated": moment})
            written = write_files(storage, record, contents)
        if save_manifest(storage, manifest.with_record(record), snapshot):
            say.debug(f"wrote {MANIFEST_PATH}")
            written.append(MANIFEST_PATH)
        removed = remove_stale_files(storage, previous, record)
    return CachedProductUpdate(
        record=record,
        changed=changed,
        given=len(sources),
        written=tuple(written),
        removed=tuple(removed),
    )


def _convert(
    product_type: CachedProductType,
    sources: Sequence[str],
    folder: Path,
    created: datetime,
    say: Messages,
) -> tuple[CachedProductRecord, dict[str, bytes]]:
    try:
        result = convert(product_type.identifier, sources, folder, created=created)
    except ViresRepoError as error:
        message = f"Failed to update cached product {product_type.identifier}: {error}"
        raise type(error)(message) from error
    except OSError as error:  # an unreadable source the converter did not name itself
        where = f"{error.filename}: " if error.filename else ""
        raise ProductFileError(
            f"Failed to update cached product {product_type.identifier}: {where}"
            f"{error.strerror or error}"
        ) from error
    contents = {name: (folder / name).read_bytes() for name in result.files}
    files = tuple(StoredFile.of(name, contents[name]) for name in result.files)
    record = CachedProductRecord(
        identifier=result.identifier,
        updated=created,
        location=relpath(result.files[0]),
        sources=result.sources,
        checksum=files[0].checksum,
        files=files,
    )
    say.debug(
        f"converted {product_type.identifier}: {', '.join(result.files)} "
        f"from {', '.join(result.sources) or 'no source id'}"
    )
    return record, contents


# -- dump ------------------------------------------------------------------------------------


def cached_product_infos(catalog: Catalog) -> list[CachedProductInfo]:
    """What the catalogue holds of every cached product type, sorted by identifier.

    A type never updated has ``updated=None``, ``sources=[]`` and the location where its file
    would be (as VirES reports a missing file). Locations are catalogue-relative.
    """
    manifest = load_manifest(catalog.storage)
    infos = []
    for identifier in cached_product_types():
        record = manifest.get(identifier)
        if record is None:
            output = CACHED_PRODUCT_TYPES[identifier].output_name
            infos.append(CachedProductInfo(identifier, None, relpath(output), []))
        else:
            infos.append(
                CachedProductInfo(identifier, record.updated, record.location, list(record.sources))
            )
    return infos


def dump_cached_products(
    catalog: Catalog,
    identifiers: Sequence[str] = (),
    *,
    extra: Iterable[CachedProductInfo] = (),
) -> list[dict[str, Any]]:
    """The ``cached_product dump`` records (reference 9.4).

    Without ``identifiers``: every cached product type, sorted by identifier, followed by the
    ``extra`` records in their order (e.g. the orbit-direction tables, whose service provides
    them; their ``location`` is catalogue-relative too). With ``identifiers``: those records,
    in the order given, duplicates dropped; an identifier that is neither a cached product
    type nor an extra record is an error naming the valid ones.

    Each record is ``{"identifier", "updated", "location", "sources"}`` with ``updated`` in
    the VirES format (``Z`` suffix, ``null`` when never updated) and ``location`` the path or
    URL of the data file.
    """
    catalog.require_existing()
    infos = [*cached_product_infos(catalog), *extra]
    by_identifier: dict[str, CachedProductInfo] = {}
    for info in infos:
        by_identifier.setdefault(info.identifier, info)
    if identifiers:
        unknown = sorted({i for i in identifiers if i not in by_identifier})
        if unknown:
            names = ", ".join(repr(name) for name in unknown)
            raise NotFoundError(
                f"unknown cached product type{'s' if len(unknown) > 1 else ''} {names}; "
                f"expected one of {', '.join(sorted(by_identifier))}"
            )
        selected = [by_identifier[i] for i in dict.fromkeys(identifiers)]
    else:
        selected = list(by_identifier.values())
    return [_dump_record(catalog.storage, info) for info in selected]


def _dump_record(storage: Storage, info: CachedProductInfo) -> dict[str, Any]:
    return {
        "identifier": info.identifier,
        "updated": format_datetime(info.updated),
        "location": storage.url_of(info.location),
        "sources": list(info.sources),
    }


# -- tables for the SQL views ----------------------------------------------------------------


def cached_product_table(catalog: Catalog, type_id: str) -> pa.Table | None:
    """The table of one tabular cached product from the catalogue; None if not there yet.

    The data file is checked against the checksum of its manifest record first.
    """
    return views.cached_product_table(catalog.storage, type_id)


def cached_product_tables(catalog: Catalog) -> dict[str, pa.Table]:
    """One table per SQL view of the tabular cached products (see
    :func:`vires_repo.cached_products.views.cached_product_tables`)."""
    return views.cached_product_tables(catalog.storage)
