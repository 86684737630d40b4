"""``product register``: products from data files, their overlaps resolved, one index write.

Metadata are read in parallel (``vires_repo.parallel``); the orbit-direction tables are
updated afterwards unless the caller skips it, with the products of the batch registered before
that they lack (so that rerunning a batch killed after its index write completes it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vires_repo.catalog import Catalog
from vires_repo.errors import DefinitionError, NotFoundError, ViresRepoError
from vires_repo.io.locations import is_url
from vires_repo.parallel import TimeLimitExceeded, ordered_map, time_limit
from vires_repo.products import ProductRecord
from vires_repo.products.locations import normalize_location, product_identifier
from vires_repo.products.schema import identifier_problem, record_problem, shortened
from vires_repo.services._batch import BatchResult
from vires_repo.services._overlaps import plan_registration
from vires_repo.services.messages import Messages
from vires_repo.services.product import LOG

# The metadata reader and the orbit-direction service are imported where used: the spawned
# workers of the metadata reading import this module and need neither the orbit-direction
# stack nor, until they read, cdflib.
if TYPE_CHECKING:
    from vires_repo.products.metadata import ProductMetadata


Progress = Callable[[int, int], None]
"""Told (done, total) as files are read."""

# Below this many files a process pool costs more than it saves.
_PARALLEL_MIN_FILES = 64


def parse_file_list(data: bytes, source: str) -> list[str]:
    """Product file names, one per line; ``#`` starts a comment, blank lines are ignored."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DefinitionError(f"{source}: the file list is not UTF-8 text") from None
    names = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [name for name in names if name]


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
    say: Messages = LOG,
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
            problem: str | None = outcome
        else:
            record = _product_record(collection_id, product_type, identifier, location, outcome)
            problem = record_problem(record)
        if problem is not None:
            label = identifier if identifier_problem(identifier) is None else shortened(identifier)
            result.fail(
                identifier, f"Registration of {collection_id}/{label} failed! Reason: {problem}"
            )
            continue
        records.append(record)

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
        if event == "skipped":
            say.debug(f"product {collection_id}/{identifier} ignored")
        else:
            say.info(f"product {collection_id}/{identifier} {event}")
    result.deregistered = len(plan.deregistered)
    if plan.outcomes and not skip_post_registration_actions:
        from vires_repo.services.orbit_direction.registration import update_after_registration

        # the skipped products too: a run killed after its index commit left them out of the
        # tables, and its rerun skips them
        changed = [i for i, outcome in plan.outcomes if outcome != "skipped"]
        skipped = [i for i, outcome in plan.outcomes if outcome == "skipped"]
        result.post_registration_failures = update_after_registration(
            catalog, collection_id, changed, already_registered=skipped
        )
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


def _read_metadata(args: tuple[str, Mapping[str, Any], float]) -> ProductMetadata | str:
    """One file's metadata or its error message; a read that runs past ``seconds`` fails
    (in the serial path and in worker processes; threads, used for URLs, have no limit)."""
    from vires_repo.products import metadata

    location, product_type, seconds = args
    try:
        with time_limit(seconds):
            return metadata.read_product_metadata(location, product_type)
    except ViresRepoError as error:
        return str(error)
    except TimeLimitExceeded:
        return (
            f"{location}: reading its metadata took longer than {seconds:g} s "
            "(the limit, set by VIRES_METADATA_TIMEOUT)"
        )


def _read_all_metadata(
    locations: Sequence[str], product_type: Mapping[str, Any], progress: Progress | None
) -> list[ProductMetadata | str]:
    """Each file's metadata or its error message, in input order (threads for URLs, whose
    filesystems, e.g. memory://, live in this process)."""
    from vires_repo.settings import load_settings  # pydantic: only for a writer

    seconds = load_settings().metadata_timeout
    tasks = [(location, product_type, seconds) for location in locations]
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
