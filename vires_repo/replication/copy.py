"""Carry a copy out: list both sides, hash, plan, then copy in the plan's order.

:func:`copy_catalogue` copies into a catalogue (mirror, restore, sync). It holds the
destination's write lock for the whole run (listing included, so the plan matches what is
there), optionally puts it into maintenance mode (mirror and restore: writers refuse while the
destination passes through states no writer should build on; readers keep working, since every
manifest still names files that exist), and appends a line to its events log when it starts
and when it ends. ``dry_run`` only lists, hashes and plans: nothing is written, not even the
checksum record. :func:`execute_plan` is the copying itself, also used by backups.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from vires_repo.catalog import Catalog
from vires_repo.errors import ConflictError
from vires_repo.io.storage import FileStamp, Storage
from vires_repo.maintenance import enter_maintenance, leave_maintenance, maintenance_state
from vires_repo.parallel import ordered_map
from vires_repo.replication.checksums import OWN_FILES, ChecksumRecord, hash_side, sha256
from vires_repo.replication.events import actor, append_event
from vires_repo.replication.files import Scope, is_catalogue_file, list_files
from vires_repo.replication.plan import CopyPlan, make_plan
from vires_repo.replication.sources import Source

_PARALLEL_FROM = 8
logger = logging.getLogger("vires_repo.replication")
MAINTENANCE_BY_PREFIX = "vires-repo "
"""How the maintenance flag a copy sets names its holder: a copy killed midway left it, and
the rerun may take it over and clear it (a flag an operator set stays)."""


class Purge(Enum):
    """Which destination files that the source does not have are removed."""

    NONE = "none"
    ALL = "all"
    """Every one in scope (mirror --purge, restore)."""
    SYNCED = "synced"
    """Only those an earlier copy from the same source brought (sync)."""


@dataclass(frozen=True)
class CopyOptions:
    """How a copy runs (``event`` names it in the events log and the maintenance flag)."""

    event: str
    scope: Scope = is_catalogue_file
    purge: Purge = Purge.NONE
    rehash_source: bool = False
    rehash_destination: bool = False
    dry_run: bool = False
    repair: bool = True
    """Copy the destination files found damaged (``rehash_destination``); without it they
    are only reported, and stay as they are unless the source changed."""
    maintenance: bool = False
    """Hold the destination in maintenance mode while copying (mirror, restore)."""
    lock_timeout: float | None = None
    """Seconds to wait for the destination's lock (None: the catalogue's own setting; 0:
    fail at once naming the holder)."""
    details: dict[str, object] = field(default_factory=dict)
    """Added to the events-log lines (e.g. the backup restored)."""


@dataclass(frozen=True)
class CopyResult:
    plan: CopyPlan
    damaged: tuple[str, ...]
    """Destination files whose bytes differed from what was recorded for them."""
    hashed: int
    """Files read to hash them (both sides)."""
    source_sha256: dict[str, str]
    source_files: dict[str, FileStamp]


def copy_catalogue(source: Source, destination: Catalog, options: CopyOptions) -> CopyResult:
    """Make the destination's files in scope equal to the source's (see the module doc)."""
    storage = destination.storage
    if options.dry_run:
        return _compare(source, storage, options, ChecksumRecord.load(storage))
    with destination.writing(options.lock_timeout, during_maintenance=options.maintenance):
        own_flag = _enter_maintenance(storage, options.event) if options.maintenance else False
        details = {"source": source.url, **options.details}
        append_event(storage, options.event, status="started", **details)
        try:
            record = ChecksumRecord.load(storage)
            result = _compare(source, storage, options, record)
            execute_plan(
                source.read,
                storage,
                result.plan,
                result.source_sha256,
                source.url,
                before_manifests=lambda: _unchanged_source(source, options, result),
            )
            _record_copies(storage, result, record)
        except BaseException as error:
            append_event(storage, options.event, status="failed", error=str(error), **details)
            raise
        plan = result.plan
        append_event(
            storage,
            options.event,
            status="finished",
            copied=len(plan.copies),
            removed=len(plan.remove),
            bytes=plan.copy_bytes,
            **details,
        )
        if own_flag:
            leave_maintenance(storage)
        return result


def execute_plan(
    read: Callable[[str], bytes],
    destination: Storage,
    plan: CopyPlan,
    sha256s: Mapping[str, str],
    source_url: str,
    before_manifests: Callable[[], None] = lambda: None,
) -> None:
    """Copy the plan's data files, then its manifests, then remove what it removes.

    The source is not locked: a writer may replace a manifest meanwhile, naming data files
    the plan does not copy. So every file copied must still have the sha256 the plan was made
    with (``sha256s``), and ``before_manifests`` may check that nothing changed while the
    data files were copied; either stops the copy with :class:`ConflictError` before any
    manifest that could name missing files is written. A rerun plans again.
    """

    def copy_one(path: str) -> str:
        data = read(path)
        if sha256(data) != sha256s[path]:
            raise _changed(source_url, path)
        destination.write_bytes(path, data)
        return path

    for paths in (plan.data, plan.manifests):
        if paths is plan.manifests:
            before_manifests()
        for path in ordered_map(copy_one, paths, min_parallel=_PARALLEL_FROM, in_process=True):
            logger.debug("copied %s", path)
    for path in plan.remove:
        destination.remove(path)
        logger.debug("removed %s", path)


def _changed(source_url: str, path: str) -> ConflictError:
    return ConflictError(
        f"source {source_url}: {path} changed during the copy (a writer is at work there); "
        "no manifest naming missing files was written: run the copy again"
    )


def _unchanged_source(source: Source, options: CopyOptions, planned: CopyResult) -> None:
    """Fail if the source's files in scope are not those the plan was made from (listed
    again: a file hashed after a writer replaced it has another stamp now)."""
    now = source.listing(options.scope)
    for path in sorted(set(now) | set(planned.source_files)):
        if now.get(path) != planned.source_files.get(path):
            raise _changed(source.url, path)


def _enter_maintenance(storage: Storage, event: str) -> bool:
    """Set the flag unless an operator's is on; True if the copy owns it (clears it at the end)."""
    earlier = maintenance_state(storage)
    if earlier is not None and not earlier.by.startswith(MAINTENANCE_BY_PREFIX):
        return False
    enter_maintenance(
        storage, f"{event} in progress", f"{MAINTENANCE_BY_PREFIX}{event} ({actor()})"
    )
    return True


def _compare(
    source: Source, storage: Storage, options: CopyOptions, record: ChecksumRecord
) -> CopyResult:
    """List and hash both sides (updating ``record``) and plan the copy."""
    source_files = source.listing(options.scope)
    destination_files = list_files(storage, options.scope)
    source_known = record.side(source.url)
    synced_before = set(source_known)
    source_hashes = hash_side(
        source_files,
        source_known,
        source.read,
        rehash=options.rehash_source,
        given=source.known_sha256,
    )
    common = {p: s for p, s in destination_files.items() if p in source_files}
    destination_known = record.side(OWN_FILES)
    destination_hashes = hash_side(
        common, destination_known, storage.read_bytes, rehash=options.rehash_destination
    )
    for known, present in ((source_known, source_files), (destination_known, destination_files)):
        for path in [p for p in known if options.scope(p) and p not in present]:
            del known[path]
    removable = {
        Purge.NONE: {},
        Purge.ALL: destination_files,
        Purge.SYNCED: {p: s for p, s in destination_files.items() if p in synced_before},
    }[options.purge]
    destination_sha256 = dict(destination_hashes.sha256)
    if not options.repair:  # left as it is: compared and recorded as if undamaged
        destination_sha256.update(destination_hashes.damaged)
        for path, recorded in destination_hashes.damaged.items():
            destination_known[path] = (destination_known[path][0], recorded)
    plan = make_plan(source_files, source_hashes.sha256, destination_sha256, removable)
    return CopyResult(
        plan,
        tuple(destination_hashes.damaged),
        source_hashes.read + destination_hashes.read,
        source_hashes.sha256,
        source_files,
    )


def _record_copies(storage: Storage, result: CopyResult, record: ChecksumRecord) -> None:
    """Record the hashes of the copied files under their new stamps, drop the removed ones."""
    known = record.side(OWN_FILES)
    for path in result.plan.remove:
        known.pop(path, None)
    copied = set(result.plan.copies)
    if copied:
        stamps = storage.walk()
        for path in copied:
            key = stamps[path].key if path in stamps else None
            if key:
                known[path] = (key, result.source_sha256[path])
            else:
                known.pop(path, None)
    record.save(storage)
