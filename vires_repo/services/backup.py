"""``vires-repo backup create|list|verify|restore`` (CRDS backup_server and restore_server).

A backup is a dated folder at a destination URL (layout in
:mod:`vires_repo.replication.backups`): a git bundle when the catalogue is in a git
repository, every catalogue file git does not hold as it is, the job records (copied with
``.state/jobs/``, or exported as JSON lines when they live in a database elsewhere), and a
``MANIFEST.json`` with each file's sha256, size and row count, the git commit, the result of
``check`` and the package versions. Product data files are not copied. ``check`` runs first;
an inconsistent catalogue is backed up only when forced, and the manifest says so. A restore is
a copy from the backup onto the catalogue, through the same path as a mirror.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vires_repo.catalog import Catalog
from vires_repo.errors import ConflictError, SettingsError, UsageError
from vires_repo.io.database import redacted, sqlite_url
from vires_repo.io.storage import FileStamp, Storage
from vires_repo.jobs.location import JOBS_FOLDER, SQLITE_FILE, JobsLocation
from vires_repo.replication.backups import (
    BUNDLE_NAME,
    FILES_FOLDER,
    FORMAT_VERSION,
    JOB_RECORDS_NAME,
    LATEST,
    MANIFEST_NAME,
    TAG_PATTERN,
    BackupFile,
    BackupManifest,
    BackupSource,
    CheckSummary,
    GitState,
    JobRecordsFile,
    backup_id,
    backup_ids,
    latest_id,
    read_manifest,
    resolve,
    verify_backup,
)
from vires_repo.replication.checksums import OWN_FILES, ChecksumRecord, hash_side, sha256
from vires_repo.replication.copy import (
    CopyOptions,
    CopyResult,
    Purge,
    copy_catalogue,
    execute_plan,
)
from vires_repo.replication.events import append_event
from vires_repo.replication.files import is_catalogue_file, list_files, with_jobs
from vires_repo.replication.git_snapshot import GitSnapshot, create_bundle, git_snapshot
from vires_repo.replication.plan import make_plan
from vires_repo.services.check import CheckOptions, run_checks, select_checks
from vires_repo.services.info import package_versions
from vires_repo.services.messages import Messages

DEFAULT_KEEP_DAYS = 550
_LISTED_PROBLEMS = 20


def destination(explicit: str | None) -> str:
    """``--dest``, else ``VIRES_BACKUP_DEST``; a usage error when neither is given."""
    from vires_repo.settings import load_settings

    found = explicit or load_settings().backup_dest
    if not found:
        raise UsageError("no backup destination: give --dest URL or set VIRES_BACKUP_DEST")
    return found


@dataclass(frozen=True)
class CreatedBackup:
    manifest: BackupManifest
    url: str
    pruned: tuple[str, ...]

    def summary(self) -> str:
        """``backup ID at URL: ... N file(s) recorded, M copied``."""
        manifest = self.manifest
        stored = "git bundle and " if manifest.git else ""
        copied = sum(1 for f in manifest.files if f.stored == "files")
        return (
            f"backup {manifest.id} at {self.url}: {stored}{len(manifest.files)} file(s) "
            f"recorded, {copied} copied"
        )


def create(
    catalog: Catalog,
    destination_url: str,
    *,
    tag: str | None = None,
    keep_days: int = DEFAULT_KEEP_DAYS,
    force: bool = False,
    say: Messages | None = None,
) -> CreatedBackup:
    """Back the catalogue up into a new dated folder at ``destination_url``, then prune the
    backups older than ``keep_days`` (never the newest)."""
    say = say or Messages.logged("backup")
    if tag is not None and not TAG_PATTERN.match(tag):
        raise UsageError(f"backup tag {tag!r} is not 1-64 letters, digits, '.', '_' or '-'")
    if keep_days < 1:
        raise UsageError(f"--keep-days {keep_days}: keep backups for at least one day")
    catalog.require_existing()
    destination = Storage(destination_url)
    outside = jobs_outside(catalog)
    if outside is not None:
        say.warning(
            f"the job records ({redacted(outside.database_url)}) and outputs ({outside.root}) "
            f"are not in the catalogue's {JOBS_FOLDER}/: the records are exported into the "
            f"backup ({JOB_RECORDS_NAME}), the outputs are not (copy the jobs root with its "
            "own tools)"
        )
    with catalog.writing(during_maintenance=True):  # a state no writer changes meanwhile
        check = _check(catalog, force, say)
        storage = catalog.storage
        files = list_files(storage, with_jobs)
        record = ChecksumRecord.load(storage)
        hashes = hash_side(files, record.side(OWN_FILES), storage.read_bytes).sha256
        record.save(storage)
        snapshot = git_snapshot(Path(storage.root)) if storage.is_local else None
        created = datetime.now(UTC).replace(microsecond=0)
        identifier = backup_id(created, tag)
        if destination.exists(identifier):
            raise ConflictError(f"backup {identifier} already exists at {destination.url}")
        entries = _entries(storage, files, hashes, snapshot)
        manifest = BackupManifest(
            format_version=FORMAT_VERSION,
            id=identifier,
            created=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            tag=tag,
            catalog=storage.url_of(),
            git=None,
            check=check,
            versions=package_versions(),
            data_files=_data_files(catalog),
            files=entries,
        )
        try:
            if outside is not None and outside.database_exists():
                manifest = _export_job_records(destination, manifest, outside)
            manifest = _write(destination, manifest, storage, files, hashes, snapshot)
        except BaseException:
            destination.remove_tree(identifier)  # a partial backup is no backup
            raise
        append_event(storage, "backup", backup=identifier, dest=destination.url_of())
    pruned = _prune(destination, keep_days, keep=identifier, now=created)
    return CreatedBackup(manifest, destination.url_of(identifier), pruned)


def jobs_outside(catalog: Catalog) -> JobsLocation | None:
    """The jobs location when its records database (``VIRES_JOBS_DB``) or its root
    (``VIRES_JOBS_ROOT``) is not the catalogue's ``.state/jobs/``, which a backup copies with
    the catalogue; None when they are there (or there is no jobs store)."""
    try:
        location = JobsLocation.resolve(catalog.url)
    except SettingsError:  # a catalogue on an object store without VIRES_JOBS_DB: no jobs
        return None
    inside = catalog.storage.is_local and location.root == catalog.storage.path(JOBS_FOLDER)
    if inside and location.database_url == sqlite_url(f"{location.root}/{SQLITE_FILE}"):
        return None
    return location


def _export_job_records(
    destination: Storage, manifest: BackupManifest, location: JobsLocation
) -> BackupManifest:
    """Write the records as JSON lines next to the manifest; the manifest records them."""
    from vires_repo.jobs.export import export_lines

    with location.open_records() as records:
        lines = list(export_lines(records))
    data = "".join(lines).encode("utf-8")
    destination.write_bytes(f"{manifest.id}/{JOB_RECORDS_NAME}", data)
    exported = JobRecordsFile(
        sha256=sha256(data),
        size=len(data),
        rows=len(lines),
        database=redacted(location.database_url),
    )
    return manifest.model_copy(update={"job_records": exported})


def _check(catalog: Catalog, force: bool, say: Messages) -> CheckSummary:
    report = run_checks(catalog, select_checks(), CheckOptions())
    errors = [p for o in report.outcomes if o.check.severity == "error" for p in o.problems]
    warnings = [p for o in report.outcomes if o.check.severity == "warning" for p in o.problems]
    if errors and not force:
        raise ConflictError(
            f"catalogue {catalog.url} fails check with {len(errors)} error(s) (first: "
            f"{errors[0]}); backup refused ('--force' backs it up anyway and says so in "
            f"its {MANIFEST_NAME})"
        )
    if errors:
        say.warning(f"backing up an inconsistent catalogue: {len(errors)} check error(s)")
    return CheckSummary(
        errors=len(errors),
        warnings=len(warnings),
        forced=bool(errors),
        problems=(errors + warnings)[:_LISTED_PROBLEMS],
    )


def _entries(
    storage: Storage,
    files: dict[str, FileStamp],
    hashes: dict[str, str],
    snapshot: GitSnapshot | None,
) -> list[BackupFile]:
    blobs = snapshot.blobs if snapshot is not None else {}
    entries = []
    for path, stamp in files.items():
        blob = blobs.get(path) if is_catalogue_file(path) else None
        entries.append(
            BackupFile(
                path=path,
                sha256=hashes[path],
                size=stamp.size,
                rows=_rows(storage, path),
                stored="files" if blob is None else "git",
                blob=blob,
            )
        )
    return entries


def _rows(storage: Storage, path: str) -> int | None:
    """Row count of a Parquet or JSON-lines file (None for other files)."""
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        try:
            return int(pq.ParquetFile(io.BytesIO(storage.read_bytes(path))).metadata.num_rows)
        except (OSError, ValueError):  # not readable as Parquet: check reports it
            return None
    if path.endswith(".jsonl"):
        return sum(1 for line in storage.read_bytes(path).splitlines() if line.strip())
    return None


def _data_files(catalog: Catalog) -> dict[str, object]:
    index = catalog.products
    products = sum(index.manifest(c).live_rows for c in index.collections())
    return {
        "copied": False,
        "products": products,
        "note": "product data files are not in the backup: their locations are in the "
        "product index, which is; 'vires-repo check --files' verifies them",
    }


def _write(
    destination: Storage,
    manifest: BackupManifest,
    storage: Storage,
    files: dict[str, FileStamp],
    hashes: dict[str, str],
    snapshot: GitSnapshot | None,
) -> BackupManifest:
    """Bundle, files, then the manifest (the backup's commit point), then ``latest``."""
    identifier = manifest.id
    if snapshot is not None:
        with tempfile.TemporaryDirectory(prefix="vires-backup-") as folder:
            bundle = Path(folder) / BUNDLE_NAME
            create_bundle(snapshot, bundle)
            data = bundle.read_bytes()
        destination.write_bytes(f"{identifier}/{BUNDLE_NAME}", data)
        git = GitState(commit=snapshot.commit, prefix=snapshot.prefix, bundle_sha256=sha256(data))
        manifest = manifest.model_copy(update={"git": git})
    kept = {e.path: files[e.path] for e in manifest.files if e.stored == "files"}
    files_storage = Storage(destination.url_of(f"{identifier}/{FILES_FOLDER}"))
    execute_plan(
        storage.read_bytes, files_storage, make_plan(kept, hashes, {}, {}), hashes, storage.url
    )
    destination.write_text(f"{identifier}/{MANIFEST_NAME}", manifest.text())
    destination.write_text(LATEST, f"{identifier}\n")
    return manifest


def _prune(destination: Storage, keep_days: int, *, keep: str, now: datetime) -> tuple[str, ...]:
    limit = now - timedelta(days=keep_days)
    pruned = []
    for identifier in backup_ids(destination):
        if identifier == keep:
            continue
        if read_manifest(destination, identifier).created_time < limit:
            destination.remove_tree(identifier)
            pruned.append(identifier)
    return tuple(pruned)


def list_backups(destination_url: str) -> list[tuple[BackupManifest, bool]]:
    """The complete backups at the destination, oldest first, each with whether it is the
    ``latest`` one."""
    destination = Storage(destination_url)
    latest = latest_id(destination)
    return [(read_manifest(destination, i), i == latest) for i in backup_ids(destination)]


def verify(destination_url: str, wanted: str = LATEST) -> tuple[str, list[str]]:
    """Check every checksum of backup ``wanted``: (its ID, the problems found)."""
    destination = Storage(destination_url)
    identifier = resolve(destination, wanted)
    return identifier, verify_backup(destination, identifier)


def restore(
    catalog: Catalog,
    destination_url: str,
    wanted: str = LATEST,
    *,
    dry_run: bool = False,
    say: Messages | None = None,
) -> tuple[str, CopyResult]:
    """Make the catalogue what backup ``wanted`` holds: a mirror from the backup onto the
    catalogue (files added since are removed; job records restored when the backup has them:
    copied back into ``.state/jobs/``, or, exported from a database elsewhere, added to the
    jobs database as it is configured now).
    Allowed onto an ``ops`` instance: restoring is the exception to that rule."""
    destination = Storage(destination_url)
    identifier = resolve(destination, wanted)
    source = BackupSource(destination, identifier)
    options = CopyOptions(
        event="restore",
        scope=with_jobs if source.manifest.has_jobs else is_catalogue_file,
        purge=Purge.ALL,
        dry_run=dry_run,
        maintenance=True,
        details={"backup": identifier},
    )
    with source.opened():
        result = copy_catalogue(source, catalog, options)
    exported = source.manifest.job_records
    if exported is not None and not dry_run:
        _import_job_records(destination, identifier, catalog, say or Messages.logged("backup"))
    return identifier, result


def _import_job_records(
    destination: Storage, identifier: str, catalog: Catalog, say: Messages
) -> None:
    """Add the backup's exported job records that the jobs database lacks."""
    from vires_repo.jobs.export import import_records

    location = JobsLocation.resolve(catalog.url)
    text = destination.read_text(f"{identifier}/{JOB_RECORDS_NAME}")
    with location.open_records() as records:
        added, present = import_records(records, text.splitlines())
    say.info(
        f"job records restored into {redacted(location.database_url)}: {added} added, "
        f"{present} already there"
    )
