"""Products: registration from data files, selection, export/import, de-registration."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vires_repo.catalog import Catalog
from vires_repo.errors import DefinitionError, NotFoundError, ViresRepoError
from vires_repo.parallel import ordered_map
from vires_repo.products import ProductRecord, ProductSelection
from vires_repo.services._batch import BatchResult
from vires_repo.services._collections import select_collections
from vires_repo.services._overlaps import plan_registration
from vires_repo.services.definitions import NO_SELECTION_WARNING
from vires_repo.timespec import format_datetime

if TYPE_CHECKING:  # the readers import cdflib, which lookups do not need
    from vires_repo.products.metadata import ProductMetadata

logger = logging.getLogger("vires_repo.product")

Warn = Callable[[str], None]
Progress = Callable[[int, int], None]

DEREGISTER_SUMMARY = (
    ("deregistered", "de-registered", True),
    ("failed", "failed to be de-registered", False),
)
# Below this many files a process pool costs more than it saves.
_PARALLEL_MIN_FILES = 64


# -- locations and identifiers ---------------------------------------------------------


def is_url(location: str) -> bool:
    return "://" in location


def normalize_location(location: str) -> str:
    """Local paths become absolute (as VirES stores them); URLs stay as given."""
    # abspath, not resolve: VirES keeps symbolic links in the stored location
    return location if is_url(location) else os.path.abspath(location)  # noqa: PTH100


def product_identifier(location: str) -> str:
    """The file name without its last extension (reference 6.1.1)."""
    name = location.rstrip("/").rsplit("/", 1)[-1]
    stem, dot, _extension = name.rpartition(".")
    return stem if dot and stem else name


def data_file_exists(location: str) -> bool:
    if not is_url(location):
        return Path(location).is_file()
    import fsspec

    fs, path = fsspec.core.url_to_fs(location)
    return bool(fs.isfile(path))


def parse_file_list(data: bytes, source: str) -> list[str]:
    """Product file names, one per line; ``#`` starts a comment, blank lines are ignored."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DefinitionError(f"{source}: the file list is not UTF-8 text") from None
    names = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [name for name in names if name]


# -- selection --------------------------------------------------------------------------


def resolve_collections(catalog: Catalog, selection: ProductSelection, warn: Warn) -> list[str]:
    """Collection identifiers the selection's collection options allow (all when unset)."""
    for identifier in selection.collections:
        if not catalog.product_collections.exists(identifier):
            warn(f"product collection {identifier} does not exist")
    if not selection.restricts_collections:
        return []
    return [c["name"] for c in select_collections(catalog, selection.collection_filter())]


def select_products(
    catalog: Catalog, selection: ProductSelection, warn: Warn
) -> list[ProductRecord]:
    """Products matching the selection, sorted by collection, begin time and identifier."""
    catalog.require_existing()
    collections = resolve_collections(catalog, selection, warn)
    if selection.restricts_collections and not collections:
        return []
    locations = tuple(normalize_location(location) for location in selection.locations)
    records = catalog.products.select(
        replace(selection.in_collections(collections), locations=locations)
    )
    if selection.invalid_only:
        records = [r for r in records if _is_invalid(r, warn)]
    return records


def _is_invalid(record: ProductRecord, warn: Warn) -> bool:
    """A product is invalid when a dataset location is set but is not an existing file."""
    for location in record.dataset_locations():
        if not data_file_exists(location):
            warn(f"Invalid product {record.identifier} detected! File {location} does not exist!")
            return True
    return False


# -- registration -----------------------------------------------------------------------


@dataclass
class RegistrationResult(BatchResult):
    """Outcome of ``product register``; counts per outcome plus the overlaps removed."""

    deregistered: int = 0
    post_registration_failures: int = 0
    """Products registered whose orbit-direction update failed (reported on stderr; not
    registration failures, so not in the exit code: 'orbit_direction sync' retries them)."""

    def summary_lines(self) -> list[str]:
        """The VirES summary (printed without the ``INFO:`` prefix, reference 6.1.7)."""
        total = self.total
        lines = []
        registered = self.count("registered")
        if registered or total == 0:
            lines.append(f"{registered} of {total} product(s) registered.")
        for outcome in ("updated", "skipped"):
            if self.count(outcome):
                lines.append(f"{self.count(outcome)} of {total} product(s) {outcome}.")
        if self.deregistered:
            lines.append(f"{self.deregistered} overlapping product(s) de-registered.")
        if self.failures:
            lines.append(f"Failed to register {len(self.failures)} of {total} product(s).")
        return lines


def register_products(
    catalog: Catalog,
    collection_id: str,
    files: Sequence[str],
    *,
    update: bool = False,
    ignore_overlaps: bool = False,
    skip_post_registration_actions: bool = False,
    progress: Progress | None = None,
) -> RegistrationResult:
    """Register product files into a collection (reference 6.1).

    Metadata are read in parallel; a file that cannot be read fails alone. The overlaps are
    then resolved in memory in input order and the collection's index is written once.
    """
    catalog.require_existing()
    if not catalog.product_collections.exists(collection_id):
        raise NotFoundError(f"The product collection {collection_id} does not exist!")
    collection = catalog.product_collections.load(collection_id)
    product_type = catalog.product_types.load(collection["productType"])
    locations = [normalize_location(name) for name in files]
    result = RegistrationResult(noun="product", total=len(locations))

    records: list[ProductRecord] = []
    for location, outcome in zip(
        locations, _read_all_metadata(locations, product_type, progress), strict=True
    ):
        identifier = product_identifier(location)
        if isinstance(outcome, str):
            result.fail(
                identifier,
                f"Registration of {collection_id}/{identifier} failed! Reason: {outcome}",
            )
            continue
        records.append(_product_record(collection_id, product_type, identifier, location, outcome))

    with catalog.writing():
        index = catalog.products
        spans = [(r.identifier, r.begin_time, r.end_time) for r in records]
        related = {o.existing_identifier for o in index.find_overlaps(collection_id, spans)}
        related.update(r.identifier for r in records)
        existing = index.find(sorted(related), [collection_id])
        plan = plan_registration(existing, records, update=update, ignore_overlaps=ignore_overlaps)
        if plan.upserts or plan.deletions:
            index.upsert(collection_id, plan.upserts, delete=plan.deletions)
    for identifier, outcome in plan.outcomes:
        result.add(outcome, identifier)
    for identifier, event in plan.events:  # in registration order
        level = logging.DEBUG if event == "skipped" else logging.INFO
        verb = "ignored" if event == "skipped" else event
        logger.log(level, "product %s/%s %s", collection_id, identifier, verb)
    result.deregistered = len(plan.deregistered)
    changed = [i for i, outcome in plan.outcomes if outcome != "skipped"]
    if changed and not skip_post_registration_actions:
        # imported here: the orbit-direction service loads cdflib, which lookups do not need
        from vires_repo.services.orbit_direction import update_after_registration

        failures = update_after_registration(catalog, collection_id, changed)
        result.post_registration_failures = failures
    return result


def _product_record(
    collection_id: str,
    product_type: Mapping[str, Any],
    identifier: str,
    location: str,
    metadata: ProductMetadata,
) -> ProductRecord:
    """The record VirES stores: every declared dataset points at the file (reference 6.1.3)."""
    unsorted = set(product_type.get("unsortedDatasets") or ())
    datasets: dict[str, dict[str, Any]] = {}
    for dataset in product_type["datasets"]:
        entry: dict[str, Any] = {"location": location}
        if dataset in unsorted:
            entry["isSorted"] = False
        datasets[dataset] = entry
    for dataset, extra in metadata.datasets.items():
        entry = {"location": location, **datasets.get(dataset, {})}
        entry.update({k: v for k, v in extra.items() if v is not None})
        datasets[dataset] = entry
    default = product_type.get("defaultDataset")
    return ProductRecord(
        collection=collection_id,
        identifier=identifier,
        product_type=str(product_type["name"]),
        begin_time=metadata.begin_time,
        end_time=metadata.end_time,
        metadata=metadata.metadata,
        datasets=datasets,
        location=datasets[default]["location"] if default in datasets else location,
    )


def _read_metadata(args: tuple[str, Mapping[str, Any]]) -> ProductMetadata | str:
    from vires_repo.products.metadata import read_product_metadata

    location, product_type = args
    try:
        return read_product_metadata(location, product_type)
    except ViresRepoError as error:
        return str(error)


def _read_all_metadata(
    locations: Sequence[str], product_type: Mapping[str, Any], progress: Progress | None
) -> list[ProductMetadata | str]:
    """Each file's metadata or its error message, in input order (threads for URLs, whose
    filesystems, e.g. memory://, live in this process)."""
    tasks = [(location, product_type) for location in locations]
    outcomes = ordered_map(
        _read_metadata,
        tasks,
        min_parallel=_PARALLEL_MIN_FILES,
        in_process=any(is_url(location) for location in locations),
        chunks_per_worker=8,
    )
    results: list[ProductMetadata | str] = []
    for outcome in outcomes:
        results.append(outcome)
        if progress:
            progress(len(results), len(tasks))
    return results


# -- export and import ------------------------------------------------------------------


def export_record(record: ProductRecord) -> dict[str, Any]:
    """The 9-key VirES export object of a product (reference 6.5)."""
    return {
        "identifier": record.identifier,
        "beginTime": format_datetime(record.begin_time),
        "endTime": format_datetime(record.end_time),
        "created": format_datetime(record.created),
        "updated": format_datetime(record.updated),
        "collection": record.collection,
        "productType": record.product_type,
        "metadata": dict(record.metadata),
        "datasets": {k: dict(v) for k, v in record.datasets.items()},
    }


# -- de-registration and maintenance ----------------------------------------------------


def delete_records(catalog: Catalog, records: Iterable[ProductRecord], result: BatchResult) -> None:
    by_collection: dict[str, list[str]] = {}
    for record in records:
        by_collection.setdefault(record.collection, []).append(record.identifier)
    for collection, identifiers in sorted(by_collection.items()):
        try:
            catalog.products.delete(collection, identifiers)
        except ViresRepoError as error:
            for identifier in identifiers:
                result.fail(
                    identifier,
                    f"Failed to de-register product {identifier} from collection "
                    f"{collection}! {error}",
                )
            continue
        for identifier in identifiers:
            result.add("deregistered", identifier)
            logger.info("product %s/%s de-registered", collection, identifier)


def deregister_products(
    catalog: Catalog, selection: ProductSelection, *, all_: bool, warn: Warn = logger.warning
) -> BatchResult:
    """De-register the selected products; without identifiers only with ``all_``
    (``invalid_only`` counts as a selection of its own, reference 1.5)."""
    catalog.require_existing()  # before writing() would create the root
    result = BatchResult(noun="matched product", patterns=DEREGISTER_SUMMARY)
    if not selection.names_products and not all_ and not selection.invalid_only:
        result.warnings.append(NO_SELECTION_WARNING.format(noun="product"))
        return result
    with catalog.writing():
        records = select_products(catalog, selection, warn)
        result.total = len(records)
        delete_records(catalog, records, result)
    from vires_repo.services.orbit_direction import deregistration_note  # loads cdflib

    removed = set(result.outcomes.get("deregistered", ()))
    note = deregistration_note(catalog, {r.collection for r in records if r.identifier in removed})
    if note:
        logger.info(note)
    return result


def compact(catalog: Catalog, collections: Sequence[str] = ()) -> list[str]:
    """Compact the index of the given collections (all by default); one line per collection."""
    catalog.require_existing()
    for collection in collections:
        if not catalog.product_collections.exists(collection):
            raise NotFoundError(f"The product collection {collection} does not exist!")
    lines = []
    with catalog.writing():
        indexed = catalog.products.collections()
        for collection in list(collections) or indexed:
            if collection not in indexed:  # no index yet: compacting would create one
                lines.append(f"product index of {collection} compacted: 0 -> 0 file(s)")
                continue
            for done in catalog.products.compact(collection):
                lines.append(
                    f"product index of {done.collection} compacted: "
                    f"{done.files_before} -> {done.files_after} file(s)"
                )
    return lines
