"""Where a copy reads from: a catalogue's storage, or anything else that lists files with their
stamps and reads them (a backup, :mod:`vires_repo.replication.backups`)."""

from __future__ import annotations

from typing import Protocol

from vires_repo.errors import NotFoundError
from vires_repo.io.storage import FileStamp, Storage
from vires_repo.replication.files import Scope, list_files


class Source(Protocol):
    """The files a copy takes, by catalogue-relative path."""

    url: str

    def listing(self, scope: Scope) -> dict[str, FileStamp]:
        """The files in scope with their stamps."""

    def known_sha256(self, relpath: str) -> str | None:
        """The file's sha256 when the source records it (None: hash the bytes)."""

    def read(self, relpath: str) -> bytes:
        """The file's bytes."""


class StorageSource:
    """A catalogue (or any folder) read through the storage seam; it must exist."""

    def __init__(self, storage: Storage) -> None:
        if not storage.exists():
            raise NotFoundError(f"source {storage.url} does not exist")
        self.storage = storage
        self.url = storage.url_of()

    def listing(self, scope: Scope) -> dict[str, FileStamp]:
        return list_files(self.storage, scope)

    def known_sha256(self, relpath: str) -> str | None:
        return None

    def read(self, relpath: str) -> bytes:
        return self.storage.read_bytes(relpath)
