"""``purge``: remove for good what the catalogue only hid or left behind (udata's ``purge``).

Kinds, each a section of the report (udata's ``-> Purging datasets`` lines):

* ``products``: de-registered (soft-deleted) product records, optionally only those deleted
  before ``--older-than``; their records go and the data files that held them are compacted,
  which drops the rows (the product data files named in the records stay where they are);
* ``cached products``: files under ``cached_products/`` that no cached product records any
  more (superseded versions, leftovers of an interrupted update);
* ``jobs``: the jobs (outputs, back-end folders, records) that finished more than
  ``--older-than`` (default :data:`JOB_RETENTION`, as ``job purge``) ago, in the jobs location
  given (the catalogue's default one otherwise);
* ``retention policies`` (``--policies``): each policy de-registers the products of its
  collections that ended before ``keepProducts`` ago and purges those deleted before
  ``purgeDeletedAfter`` ago.

A dry run lists exactly what the real run removes (same cut-off times, same order), without
the lock; the real run holds the catalogue lock, so it refuses in maintenance mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from vires_repo.errors import SettingsError, UsageError
from vires_repo.jobs.location import JobsLocation
from vires_repo.maintenance import current_user
from vires_repo.products import Deletion, ProductSelection
from vires_repo.timescales import from_micros, to_micros
from vires_repo.timespec import format_datetime, format_timedelta

if TYPE_CHECKING:
    from vires_repo.catalog import Catalog

JOB_RETENTION = timedelta(days=14)
"""How long finished jobs are kept when ``--older-than`` is not given (accsyn's 14 days)."""


@dataclass(frozen=True)
class PurgeOptions:
    products: bool = False
    cached_products: bool = False
    jobs: bool = False
    policies: bool = False
    older_than: timedelta | None = None
    """Products deleted (and jobs ended) at least this long ago (default: every deleted
    product, jobs ended :data:`JOB_RETENTION` ago)."""
    dry_run: bool = False

    def kinds(self) -> tuple[str, ...]:
        """The sections to run, in order; no kind at all means every kind but the policies."""
        chosen = [
            name
            for name, wanted in (
                ("retention policies", self.policies),
                ("products", self.products),
                ("cached products", self.cached_products),
                ("jobs", self.jobs),
            )
            if wanted
        ]
        return tuple(chosen) or ("products", "cached products", "jobs")


@dataclass
class PurgeSection:
    """What one kind removed (or would remove): ``lines`` are ``<action> <kind> <item>``."""

    title: str
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class PurgeReport:
    dry_run: bool
    sections: list[PurgeSection] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return [line for section in self.sections for line in section.lines]


def purge(
    catalog: Catalog,
    options: PurgeOptions,
    now: datetime | None = None,
    jobs_root: str | None = None,
) -> PurgeReport:
    """Purge the chosen kinds (see the module docstring); ``now`` fixes the cut-offs;
    ``jobs_root`` is where the jobs live (``--jobs-root``; default: the catalogue's)."""
    if options.older_than is not None and options.older_than < timedelta(0):
        raise UsageError("purge --older-than: the duration must not be negative")
    catalog.require_existing()
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    report = PurgeReport(dry_run=options.dry_run)
    for kind in options.kinds():
        section = PurgeSection(kind)
        report.sections.append(section)
        if kind == "jobs":
            try:
                location = JobsLocation.resolve(catalog.url, jobs_root)
            except SettingsError as error:  # e.g. a catalogue on S3 without VIRES_JOBS_DB
                section.notes.append(f"no jobs store: {error}")
                continue
            _purge_jobs(location, options, moment, section)
            continue
        if options.dry_run:
            _run(catalog, kind, options, moment, section)
        else:
            with catalog.writing():
                _run(catalog, kind, options, moment, section)
    return report


def _run(
    catalog: Catalog, kind: str, options: PurgeOptions, now: datetime, section: PurgeSection
) -> None:
    if kind == "products":
        cutoff = None if options.older_than is None else now - options.older_than
        collections = catalog.products.collections()
        purged = _purge_deleted(catalog, collections, cutoff, options.dry_run, section)
        section.notes.append(_count(purged, "deleted product record", options.dry_run, "purged"))
    elif kind == "cached products":
        removed = _purge_cached_files(catalog, options.dry_run, section)
        section.notes.append(
            _count(removed, "superseded cached-product file", options.dry_run, "removed")
        )
    else:
        _apply_policies(catalog, now, options.dry_run, section)


def _count(number: int, noun: str, dry_run: bool, verb: str) -> str:
    plural = "s" if number != 1 else ""
    return f"{number} {noun}{plural} {'would be ' if dry_run else ''}{verb}"


def _purge_deleted(
    catalog: Catalog,
    collections: list[str],
    cutoff: datetime | None,
    dry_run: bool,
    section: PurgeSection,
) -> int:
    index = catalog.products
    total = 0
    for collection in collections:
        if dry_run:
            limit = None if cutoff is None else to_micros(cutoff)
            records = [
                record
                for record in index.deleted(collection)
                if limit is None or record.deleted_at < limit
            ]
        else:
            records, _ = index.purge_deleted(collection, deleted_before=cutoff)
        for record in records:
            deleted = format_datetime(from_micros(record.deleted_at))
            why = f": {record.reason}" if record.reason else ""
            section.lines.append(
                f"purged product {collection}/{record.identifier} "
                f"(deleted {deleted} by {record.deleted_by}{why})"
            )
        total += len(records)
    return total


def _purge_jobs(
    jobs: JobsLocation, options: PurgeOptions, now: datetime, section: PurgeSection
) -> None:
    """The finished jobs past their retention (the jobs store has its own locking)."""
    import logging

    from vires_repo.services.jobs import purge_jobs
    from vires_repo.services.messages import Messages

    age = JOB_RETENTION if options.older_than is None else options.older_than
    result = purge_jobs(
        jobs,
        age,
        now=now,
        dry_run=options.dry_run,
        say=Messages.logged("purge", info_level=logging.DEBUG),  # the lines say it
    )
    section.lines += [f"purged job {job_id}" for job_id in result.outcomes.get("purged", [])]
    section.notes += [message for _job_id, message in result.failures]
    section.notes.append(
        _count(result.count("purged"), "finished job", options.dry_run, "purged")
        + f" (ended more than {format_timedelta(age)} ago)"
    )


def _purge_cached_files(catalog: Catalog, dry_run: bool, section: PurgeSection) -> int:
    from vires_repo.cached_products.store import FOLDER, MANIFEST_NAME, load_manifest, relpath

    storage = catalog.storage
    recorded = {entry.name for record in load_manifest(storage).products for entry in record.files}
    kept = recorded | {MANIFEST_NAME, ".gitignore"}
    superseded = [name for name in storage.listdir(FOLDER) if name not in kept]
    for name in superseded:
        if not dry_run:
            storage.remove(relpath(name))
        section.lines.append(f"removed cached_product {relpath(name)}")
    return len(superseded)


def _apply_policies(catalog: Catalog, now: datetime, dry_run: bool, section: PurgeSection) -> None:
    from vires_repo.definitions.retention import RetentionPolicy

    defined = catalog.product_collections.ids()
    policies = [RetentionPolicy.of(d) for d in catalog.retention_policies.load_all()]
    if not policies:
        section.notes.append("no retention policies defined (retention_policies/*.json)")
        return
    for policy in policies:
        covered = policy.covers(defined)
        deregistered = 0
        if policy.keep is not None:
            deregistered = _expire(
                catalog, policy.name, policy.keep, covered, now, dry_run, section
            )
        purged = 0
        if policy.purge_after is not None:
            purged = _purge_deleted(catalog, covered, now - policy.purge_after, dry_run, section)
        section.notes.append(
            f"policy {policy.name} ({len(covered)} collection(s)): "
            + _count(deregistered, "expired product", dry_run, "de-registered")
            + ", "
            + _count(purged, "deleted product record", dry_run, "purged")
        )


def _expire(
    catalog: Catalog,
    policy: str,
    keep: timedelta,
    collections: list[str],
    now: datetime,
    dry_run: bool,
    section: PurgeSection,
) -> int:
    """De-register (softly) the products of ``collections`` that ended more than ``keep``
    (the policy's ``keepProducts``) ago."""
    cutoff = now - keep
    reason = f"retention policy {policy}: keep {format_timedelta(keep)}"
    deletion = Deletion(by=current_user(), reason=reason, at=now)
    total = 0
    for collection in collections:
        table = catalog.products.read_table(
            ProductSelection(collections=(collection,), before=cutoff), columns=["identifier"]
        )
        expired = table["identifier"].to_pylist()
        if expired and not dry_run:
            catalog.products.delete(collection, expired, deletion)
        section.lines += [f"deregistered product {collection}/{name}" for name in expired]
        total += len(expired)
    return total
