"""Back-end folders and records for the object-store job tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vires_repo.jobs.backend import JobBackend, JobResponse
from vires_repo.jobs.records import JobRecord, JobRecords, JobStatus


def fill_backend(backend: JobBackend) -> None:
    """``done`` (outputs and response), ``queued`` (task entry), ``running`` (task, scratch)."""
    output = backend.publish("done", "data/out.csv", b"a,b\n")
    backend.write_response("done", JobResponse("SUCCEEDED", (output,)))
    backend.create_task("queued")
    backend.create_task("running")
    backend.start("running")


def record(database_url: str, *job_ids: str) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with JobRecords.open(database_url) as records:
        for n, job_id in enumerate(job_ids):
            submitted = start + timedelta(hours=n)
            records.insert(JobRecord(job_id, "register", JobStatus.ACCEPTED, submitted))
