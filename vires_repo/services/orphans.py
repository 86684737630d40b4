"""``check orphans``: the three-way comparison of definitions, product index and storage
(CRDS ``orphan_files``), in both directions, with the intersections.

* definitions: the product collections defined in ``product_collections/``;
* the product index: every registered product (de-registered ones too, until purged: their
  files are still needed by ``product undelete``) and the data-file locations of its datasets;
* storage: the files in each collection's source folders, the folders holding the data files
  its products name (listed once, without recursion; dot files are left out), and the files of
  ``cached_products/``.

Categories (each finding is one line ``<category> <what>``):

``index:not-in:definitions``  products of a collection that is not defined
``index:not-in:storage``      a product whose data file is missing
``storage:not-in:index``      a file in a source folder that no product names (an orphan)
``cached:not-in:storage``     a cached product whose recorded file is missing
``storage:not-in:cached``     a file of ``cached_products/`` that no cached product records
``cached:not-in:index``       a cached product built from a product that was de-registered

``--purge`` (opt-in: the default only reports) removes the orphan files of both storage
categories and de-registers (softly, restorable) the products whose data file is missing; the
other findings need a decision (a definition, a rebuild) and stay.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vires_repo.io.locations import files_in_folder, remove_location
from vires_repo.maintenance import current_user
from vires_repo.products import Deletion, ProductSelection

if TYPE_CHECKING:
    from vires_repo.catalog import Catalog

CATEGORIES = (
    "index:not-in:definitions",
    "index:not-in:storage",
    "storage:not-in:index",
    "cached:not-in:storage",
    "storage:not-in:cached",
    "cached:not-in:index",
)
PURGED = ("index:not-in:storage", "storage:not-in:index", "storage:not-in:cached")
MISSING_FILE_REASON = "data file missing (check orphans --purge)"


@dataclass(frozen=True)
class _Reference:
    collection: str
    identifier: str
    deleted: bool


@dataclass
class OrphanReport:
    """Findings per category (sorted lines), intersections and figures."""

    findings: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})
    intersections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    purged: bool = False
    missing_products: list[tuple[str, str]] = field(default_factory=list)
    """(collection, identifier) of the registered products whose data file is missing."""

    @property
    def lines(self) -> list[str]:
        return [f"{category} {item}" for category in CATEGORIES for item in self.findings[category]]

    @property
    def unresolved(self) -> int:
        """Findings left after the run (all of them without ``--purge``)."""
        return sum(
            len(items)
            for category, items in self.findings.items()
            if not (self.purged and category in PURGED)
        )


def find_orphans(catalog: Catalog, *, purge: bool = False) -> OrphanReport:
    """Compare definitions, index and storage; with ``purge`` remove what can be removed
    (under the catalogue lock, so not in maintenance mode)."""
    catalog.require_existing()
    if not purge:
        return _compare(catalog)
    with catalog.writing():
        report = _compare(catalog)
        _purge(catalog, report)
    return report


def _compare(catalog: Catalog) -> OrphanReport:
    report = OrphanReport()
    found = report.findings
    defined = set(catalog.product_collections.ids())
    indexed = catalog.products.collections()
    references = _references(catalog, indexed)
    for collection in indexed:
        if collection not in defined:
            count = catalog.products.manifest(collection).live_rows
            found["index:not-in:definitions"].append(f"{collection} ({count} products)")
    empty = len(defined - set(indexed))
    report.notes.append(f"{empty} defined collection(s) without products (not a problem)")

    folders = sorted({location.rsplit("/", 1)[0] for location in references if "/" in location})
    stored: set[str] = set()
    for folder in folders:
        stored.update(files_in_folder(folder))
    missing = sorted(set(references) - stored)
    deleted_missing = 0
    for location in missing:
        for ref in references[location]:
            note = " (de-registered)" if ref.deleted else ""
            found["index:not-in:storage"].append(
                f"{ref.collection}/{ref.identifier} {location}{note}"
            )
            if ref.deleted:
                deleted_missing += 1
            else:
                report.missing_products.append((ref.collection, ref.identifier))
    found["storage:not-in:index"] = sorted(stored - set(references))
    report.notes.append(
        f"{len(references)} data file(s) named by the index, {len(stored)} file(s) in "
        f"{len(folders)} source folder(s)"
    )
    _compare_cached(catalog, report, indexed)
    undefined = {c for c in indexed if c not in defined}
    both = sum(
        1 for location in missing for ref in references[location] if ref.collection in undefined
    )
    report.intersections.append(
        f"index:not-in:storage & index:not-in:definitions: {both} product(s) missing everywhere"
    )
    deleted_missing = sum(1 for line in found["index:not-in:storage"] if line.endswith(")"))
    report.intersections.append(
        f"index:not-in:storage & de-registered: {deleted_missing} product(s)"
    )
    return report


def _references(catalog: Catalog, collections: Iterable[str]) -> dict[str, list[_Reference]]:
    """Data-file location -> the products (live or de-registered) that name it."""
    references: dict[str, list[_Reference]] = {}
    index = catalog.products
    for collection in collections:
        live = index.read_table(
            ProductSelection(collections=(collection,)), columns=["identifier", "datasets"]
        )
        deleted = index.deleted_table(collection, ["identifier", "datasets"])
        for table, is_deleted in ((live, False), (deleted, True)):
            for identifier, datasets in zip(
                table["identifier"].to_pylist(), table["datasets"].to_pylist(), strict=True
            ):
                reference = _Reference(collection, identifier, is_deleted)
                for location in _locations(datasets):
                    references.setdefault(location, []).append(reference)
    return references


def _locations(datasets: str) -> list[str]:
    parsed = json.loads(datasets)
    found = (entry.get("location") for entry in parsed.values() if isinstance(entry, dict))
    return list(dict.fromkeys(location for location in found if isinstance(location, str)))


def _compare_cached(catalog: Catalog, report: OrphanReport, indexed: Iterable[str]) -> None:
    from vires_repo.cached_products.store import FOLDER, MANIFEST_NAME, load_manifest, relpath

    storage = catalog.storage
    records = load_manifest(storage).products
    present = set(storage.listdir(FOLDER))
    recorded = {entry.name for record in records for entry in record.files}
    found = report.findings
    for record in records:
        for entry in record.files:
            if entry.name not in present:
                found["cached:not-in:storage"].append(f"{record.identifier} {relpath(entry.name)}")
    extra = present - recorded - {MANIFEST_NAME, ".gitignore"}
    found["storage:not-in:cached"] = [relpath(name) for name in sorted(extra)]
    deregistered = {
        record.identifier
        for collection in indexed
        for record in catalog.products.deleted(collection)
    }
    for record in records:
        for source in record.sources:
            if source in deregistered:
                found["cached:not-in:index"].append(
                    f"{record.identifier} source {source} (de-registered)"
                )


def _purge(catalog: Catalog, report: OrphanReport) -> None:
    found = report.findings
    for location in found["storage:not-in:index"]:
        remove_location(location)
    for path in found["storage:not-in:cached"]:
        catalog.storage.remove(path)
    live_missing: dict[str, set[str]] = {}
    for collection, identifier in report.missing_products:
        live_missing.setdefault(collection, set()).add(identifier)
    deletion = Deletion(by=current_user(), reason=MISSING_FILE_REASON)
    for collection, identifiers in sorted(live_missing.items()):
        catalog.products.delete(collection, sorted(identifiers), deletion)
    report.purged = True
