"""Job types and the queue: ``job types | run | submit | wait | abort | retry``.

A job is given as ``NAME [ARG...] [KEY=VALUE...]`` (udata's form, see
:mod:`vires_repo.jobs.job_type`); ``job run`` runs it in this process with the same record an
asynchronous run has, ``job submit`` queues it for the workers (``worker start``).
"""

from __future__ import annotations

import getpass
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vires_repo.errors import JobStateError, NotFoundError
from vires_repo.io.queue import JobQueue, process_label
from vires_repo.jobs.backend import JobBackend, JobResponse
from vires_repo.jobs.job_type import JobType, parse_arguments
from vires_repo.jobs.location import JobsLocation
from vires_repo.jobs.records import FINISHED_STATUSES, JobRecord, JobRecords, JobStatus
from vires_repo.jobs.runner import RunSettings, log_transition, now, run_job
from vires_repo.jobs.submission import Limits, accept
from vires_repo.services.job_types import job_type, job_types


def default_owner() -> str:
    """The operating-system user: the owner of a job submitted without ``--user``."""
    return getpass.getuser()


def limits() -> Limits:
    from vires_repo.settings import load_settings

    settings = load_settings()
    return Limits(settings.max_queued_jobs, settings.max_active_jobs)


def list_types() -> list[JobType]:
    return list(job_types().values())


def parse_job(name: str, words: Sequence[str]) -> tuple[JobType, dict[str, Any]]:
    """The job type and the canonical parameters of ``NAME ARG... KEY=VALUE...``."""
    kind = job_type(name)
    return kind, parse_arguments(kind, words)


@dataclass
class JobStores:
    """The records, back-end folders and queue of one jobs location (close when done)."""

    location: JobsLocation
    records: JobRecords
    backend: JobBackend
    _queue: JobQueue | None = None

    @classmethod
    def open(cls, location: JobsLocation) -> JobStores:
        return cls(location, location.open_records(), JobBackend(location.storage()))

    @property
    def queue(self) -> JobQueue:
        if self._queue is None:
            self._queue = JobQueue(self.location.database_url)
        return self._queue

    def close(self) -> None:
        self.records.close()
        if self._queue is not None:
            self._queue.close()

    def __enter__(self) -> JobStores:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def submit(
    location: JobsLocation,
    catalog_root: str,
    name: str,
    words: Sequence[str],
    *,
    owner: str | None = None,
) -> JobRecord:
    """Queue a job for the workers; returns its ACCEPTED record."""
    kind, parameters = parse_job(name, words)
    with JobStores.open(location) as stores:
        return accept(
            stores.records,
            stores.backend,
            stores.queue,
            kind,
            parameters,
            owner=owner or default_owner(),
            limits=limits(),
            catalog_root=catalog_root,
        )


def run(
    location: JobsLocation,
    catalog_root: str,
    name: str,
    words: Sequence[str],
    *,
    owner: str | None = None,
) -> JobRecord:
    """Run a job in this process (``job run``), recorded as a queued one would be; Ctrl-C
    or ``job abort`` from elsewhere ends it ABORTED. Returns the final record."""
    from vires_repo.settings import load_settings

    kind, parameters = parse_job(name, words)
    with JobStores.open(location) as stores:
        record = accept(
            stores.records,
            stores.backend,
            None,
            kind,
            parameters,
            owner=owner or default_owner(),
            limits=limits(),
            catalog_root=catalog_root,
        )
        settings = RunSettings(
            catalog_root=catalog_root,
            jobs=location,
            worker=process_label(),
            heartbeat_interval=load_settings().job_heartbeat_interval,
        )
        return run_job(stores.records, stores.backend, record.id, job_type, settings)


def wait(
    location: JobsLocation, job_id: str, *, timeout: float | None = None, poll: float = 0.1
) -> JobRecord:
    """Block until the job has ended (or ``timeout`` seconds passed); its latest record."""
    deadline = None if timeout is None else time.monotonic() + timeout
    with location.open_records() as records:
        while True:
            record = records.get(job_id)
            if record.status in FINISHED_STATUSES:
                return record
            if deadline is not None and time.monotonic() >= deadline:
                return record
            time.sleep(poll)


@dataclass(frozen=True)
class AbortOutcome:
    job_id: str
    aborted: bool
    """True: aborted while queued (ABORTED now); False: abort requested of a running job."""


def abort(location: JobsLocation, job_id: str) -> AbortOutcome:
    """Abort a job: a queued one never starts (ABORTED at once); a running one is asked to
    stop and its worker records ABORTED within a few seconds. JobStateError if it ended."""
    with JobStores.open(location) as stores:
        record = stores.records.get(job_id)
        message = "aborted on request before it started"
        if stores.records.transition(
            job_id, [JobStatus.ACCEPTED], JobStatus.ABORTED, ended=now(), message=message
        ):
            stores.backend.write_response(
                job_id, JobResponse(str(JobStatus.ABORTED), error=message)
            )
            stores.backend.finish(job_id)
            log_transition(record, JobStatus.ABORTED, message)
            return AbortOutcome(job_id, aborted=True)
        record = stores.records.get(job_id)
        if record.status is JobStatus.STARTED:
            stores.records.update(job_id, abort_requested=True)
            return AbortOutcome(job_id, aborted=False)
        raise JobStateError(f"job {job_id} cannot be aborted: it has ended ({record.status})")


def retry(
    location: JobsLocation, catalog_root: str, job_id: str, *, owner: str | None = None
) -> JobRecord:
    """Submit a FAILED or ABORTED job again with the same parameters, as a new job naming the
    old one (its owner unless ``owner`` is given)."""
    with JobStores.open(location) as stores:
        old = stores.records.get(job_id)
        if old.status not in (JobStatus.FAILED, JobStatus.ABORTED):
            raise JobStateError(
                f"job {job_id} cannot be retried: it is {old.status} (only FAILED or ABORTED "
                "jobs are)"
            )
        return accept(
            stores.records,
            stores.backend,
            stores.queue,
            job_type(old.process_id),
            old.parameters,
            owner=owner or old.owner,
            limits=limits(),
            catalog_root=catalog_root,
            retry_of=job_id,
        )


def require_job(location: JobsLocation, job_id: str) -> JobRecord:
    """The record of ``job_id`` (JobNotFoundError names it)."""
    if not location.database_exists():
        raise NotFoundError(f"job {job_id} does not exist")
    with location.open_records() as records:
        return records.get(job_id)
