"""The back-end's job folders (minimal stand-in of the jobs-store helper's module, to be
replaced by it when its branch is merged)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass

from vires_repo.io.storage import Storage
from vires_repo.jobs.records import JobStatus


@dataclass(frozen=True)
class JobFolders:
    output: str
    temp: str


class JobBackend:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def response_url(self, job_id: str) -> str:
        return self.storage.url_of(f"perm/{job_id}/response.json")

    def accept(self, job_id: str) -> None:
        self.storage.write_bytes(f"task/{job_id}", b"{}")

    def start(self, job_id: str) -> JobFolders:
        self.storage.makedirs(f"temp/{job_id}")
        self.storage.makedirs(f"perm/{job_id}")
        return JobFolders(self.storage.path(f"perm/{job_id}"), self.storage.path(f"temp/{job_id}"))

    def requeue(self, job_id: str) -> None:
        self._rmtree(f"temp/{job_id}")

    def finish(self, job_id: str, status: JobStatus, error: str | None) -> int:
        self._rmtree(f"temp/{job_id}")
        response: dict[str, object] = {"status": str(status), "outputs": [], "error": error}
        self.storage.write_bytes(f"perm/{job_id}/response.json", json.dumps(response).encode())
        with contextlib.suppress(Exception):
            self.storage.remove(f"task/{job_id}")
        return 0

    def _rmtree(self, relpath: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.storage.fs.rm(self.storage.path(relpath), recursive=True)
