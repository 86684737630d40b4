"""The backups of a catalogue at a destination URL: layout, manifest, and reading them back.

Layout below the destination::

    <ID>/MANIFEST.json     every catalogue file with its sha256, size, row count and where it
                           is kept; the git commit, the check result, the package versions.
                           Written last: a folder without it is an unfinished backup
    <ID>/catalog.bundle    git bundle of the catalogue's repository (when it is in one)
    <ID>/files/<path>      the catalogue files the bundle does not hold as they are, and the
                           job records (``.state/jobs/``)
    <ID>/job_records.jsonl the job records when they are kept outside the catalogue
                           (PostgreSQL, a jobs root elsewhere), as JSON lines
    latest                 the ID of the newest complete backup

``ID`` is the creation time, ``YYYY-MM-DDTHHMMSSZ``, with ``-TAG`` appended when tagged.
A backup is a :class:`~vires_repo.replication.sources.Source`: a restore is a copy from it.
Product data files are never copied (their locations are in the product index, which is).
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator

from vires_repo.errors import GitError, NotFoundError
from vires_repo.io.storage import FileStamp, Storage
from vires_repo.manifest_model import ManifestModel, validate
from vires_repo.manifests import manifest_text, parse_manifest, plain_file_name
from vires_repo.parallel import ordered_map
from vires_repo.replication.checksums import sha256
from vires_repo.replication.files import Scope
from vires_repo.replication.git_snapshot import opened_bundle, read_blobs, tree_at

MANIFEST_NAME = "MANIFEST.json"
BUNDLE_NAME = "catalog.bundle"
JOB_RECORDS_NAME = "job_records.jsonl"
FILES_FOLDER = "files"
LATEST = "latest"
FORMAT_VERSION = 1
ID_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{6}Z(-[A-Za-z0-9_.-]+)?$")
TAG_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_WHAT = "backup"


def _relative_path(path: str) -> str:
    """A path below the catalogue root: a restore writes there, so nothing that leaves it."""
    for part in path.split("/"):
        plain_file_name(part)
    return path


class BackupFile(ManifestModel):
    """One catalogue file of a backup."""

    path: Annotated[str, AfterValidator(_relative_path)]
    sha256: str
    size: int
    rows: int | None = None
    stored: Literal["git", "files"]
    blob: str | None = None
    """The git blob id, for a file kept in the bundle."""


class GitState(ManifestModel):
    commit: str
    prefix: str
    bundle_sha256: str


class CheckSummary(ManifestModel):
    errors: int
    warnings: int
    forced: bool
    problems: list[str]
    """The first problems found (errors first)."""


class JobRecordsFile(ManifestModel):
    """The exported job records of a backup (``job_records.jsonl``)."""

    sha256: str
    size: int
    rows: int
    database: str
    """Where they came from (without password)."""


class BackupManifest(ManifestModel):
    format_version: int
    id: str
    created: str
    tag: str | None
    catalog: str
    git: GitState | None
    check: CheckSummary
    versions: dict[str, str]
    data_files: dict[str, object]
    files: list[BackupFile]
    job_records: JobRecordsFile | None = None

    @property
    def created_time(self) -> datetime:
        return datetime.fromisoformat(self.created.replace("Z", "+00:00"))

    @property
    def has_jobs(self) -> bool:
        return any(entry.path.startswith(".state/") for entry in self.files)

    def text(self) -> str:
        unset = set() if self.job_records is not None else {"job_records"}
        head = self.model_dump(mode="json", exclude={"files", *unset})
        entries = [entry.model_dump(mode="json") for entry in self.files]
        return manifest_text(head, "files", entries)


def backup_id(created: datetime, tag: str | None) -> str:
    stamp = created.strftime("%Y-%m-%dT%H%M%SZ")
    return f"{stamp}-{tag}" if tag else stamp


def read_manifest(storage: Storage, identifier: str) -> BackupManifest:
    where = storage.url_of(f"{identifier}/{MANIFEST_NAME}")
    text = storage.read_bytes(f"{identifier}/{MANIFEST_NAME}")
    return validate(BackupManifest, parse_manifest(text, where, _WHAT, FORMAT_VERSION), where)


def backup_ids(storage: Storage) -> list[str]:
    """The IDs of the complete backups (with a manifest), oldest first."""
    return [
        name
        for name in storage.listdirs()
        if ID_PATTERN.match(name) and storage.exists(f"{name}/{MANIFEST_NAME}")
    ]


def latest_id(storage: Storage) -> str | None:
    try:
        identifier = storage.read_text(LATEST).strip()
    except NotFoundError:
        return None
    return identifier or None


def resolve(storage: Storage, wanted: str) -> str:
    """The ID of backup ``wanted`` (an ID or ``latest``), else NotFoundError."""
    identifier = latest_id(storage) if wanted == LATEST else wanted
    if (
        identifier
        and ID_PATTERN.match(identifier)
        and storage.exists(f"{identifier}/{MANIFEST_NAME}")
    ):
        return identifier
    known = backup_ids(storage)
    listed = ", ".join(known[-5:]) if known else "none"
    raise NotFoundError(
        f"backup {wanted} does not exist at {storage.url} (backups there: {listed})"
    )


class BackupSource:
    """A backup as the source of a copy (restore): the catalogue files it holds, the git ones
    read from the bundle (a bare clone in a temporary folder, while :meth:`opened`)."""

    def __init__(self, storage: Storage, identifier: str) -> None:
        self.storage = storage
        self.identifier = identifier
        self.manifest = read_manifest(storage, identifier)
        self.url = storage.url_of(identifier)
        self._entries = {entry.path: entry for entry in self.manifest.files}
        self._blobs: dict[str, bytes] | None = None
        self._blobs_guard = threading.Lock()
        self._stack = ExitStack()

    @contextmanager
    def opened(self) -> Iterator[BackupSource]:
        with self._stack:
            yield self

    def listing(self, scope: Scope) -> dict[str, FileStamp]:
        return {
            path: FileStamp(entry.size, entry.sha256)
            for path, entry in self._entries.items()
            if scope(path)
        }

    def known_sha256(self, relpath: str) -> str | None:
        return self._entries[relpath].sha256

    def read(self, relpath: str) -> bytes:
        entry = self._entries[relpath]
        if entry.stored == "files":
            return self.storage.read_bytes(f"{self.identifier}/{FILES_FOLDER}/{relpath}")
        assert entry.blob is not None
        return self._git_blobs()[entry.blob]

    def _git_blobs(self) -> dict[str, bytes]:
        """Every blob of the backup, read at once on first use (copies run in threads)."""
        with self._blobs_guard:
            if self._blobs is None:
                repository = self._stack.enter_context(self.bundle_repository())
                wanted = sorted({e.blob for e in self._entries.values() if e.blob is not None})
                self._blobs = read_blobs(repository, wanted)
            return self._blobs

    @contextmanager
    def bundle_repository(self) -> Iterator[Path]:
        """A bare clone of the backup's bundle (fetched to a temporary file if remote)."""
        relpath = f"{self.identifier}/{BUNDLE_NAME}"
        if self.storage.is_local:
            with opened_bundle(Path(self.storage.path(relpath))) as repository:
                yield repository
            return
        with tempfile.TemporaryDirectory(prefix="vires-backup-") as folder:
            local = Path(folder) / BUNDLE_NAME
            local.write_bytes(self.storage.read_bytes(relpath))
            with opened_bundle(local) as repository:
                yield repository


def verify_backup(storage: Storage, identifier: str) -> list[str]:
    """Every checksum of a backup: its files, its bundle, and each catalogue file in the
    bundle against the manifest. Returns the problems (each naming the file)."""
    source = BackupSource(storage, identifier)
    manifest = source.manifest
    files_folder = f"{identifier}/{FILES_FOLDER}/"
    expected = {
        f"{files_folder}{entry.path}": entry for entry in manifest.files if entry.stored == "files"
    }
    present = storage.walk(files_folder.rstrip("/"))
    problems = [
        f"{storage.url_of(path)}: missing (listed in {MANIFEST_NAME})"
        for path in sorted(set(expected) - set(present))
    ]
    problems += [
        f"{storage.url_of(path)}: not listed in {MANIFEST_NAME}"
        for path in sorted(set(present) - set(expected))
    ]
    checked = sorted(set(expected) & set(present))
    digests = ordered_map(
        lambda path: sha256(storage.read_bytes(path)), checked, min_parallel=8, in_process=True
    )
    for path, digest in zip(checked, digests, strict=True):
        if digest != expected[path].sha256:
            problems.append(f"{storage.url_of(path)}: sha256 differs from {MANIFEST_NAME}")
    if manifest.git is not None:
        problems += _verify_bundle(source, manifest.git)
    if manifest.job_records is not None:
        relpath = f"{identifier}/{JOB_RECORDS_NAME}"
        try:
            if sha256(storage.read_bytes(relpath)) != manifest.job_records.sha256:
                problems.append(f"{storage.url_of(relpath)}: sha256 differs from {MANIFEST_NAME}")
        except NotFoundError:
            problems.append(f"{storage.url_of(relpath)}: missing (listed in {MANIFEST_NAME})")
    return problems


def _verify_bundle(source: BackupSource, git: GitState) -> list[str]:
    storage, relpath = source.storage, f"{source.identifier}/{BUNDLE_NAME}"
    name = storage.url_of(relpath)
    try:
        bundle = storage.read_bytes(relpath)
    except NotFoundError:
        return [f"{name}: missing (the manifest records git commit {git.commit})"]
    if sha256(bundle) != git.bundle_sha256:
        return [f"{name}: sha256 differs from {MANIFEST_NAME}"]
    entries = [entry for entry in source.manifest.files if entry.stored == "git"]
    try:
        with source.bundle_repository() as repository:
            tree = tree_at(repository, git.commit, git.prefix)
            blobs = read_blobs(repository, sorted({e.blob for e in entries if e.blob}))
    except GitError as error:
        return [f"{name}: {error}"]
    problems = []
    for entry in entries:
        where = f"{name}:{git.prefix}{entry.path}"
        if entry.blob is None or tree.get(entry.path) != entry.blob:
            problems.append(f"{where}: not in commit {git.commit[:12]} as {MANIFEST_NAME} says")
        elif sha256(blobs[entry.blob]) != entry.sha256:
            problems.append(f"{where}: sha256 differs from {MANIFEST_NAME}")
    return problems
