"""Accepting a job: the limits of VirES, the record, the back-end task entry, the queue.

VirES refuses a download request when its owner already has ``MAX_ACTIVE_JOBS`` (2) jobs
ACCEPTED or STARTED, and its back-end refuses one beyond ``max_queued_jobs`` (64) queued
jobs; both refusals are :class:`~vires_repo.errors.ServerBusyError`. The limits are counted on
the records (ACCEPTED = queued), which every worker and submitter shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from vires_repo.errors import ServerBusyError
from vires_repo.io.queue import JobQueue
from vires_repo.jobs.backend import JobBackend
from vires_repo.jobs.job_type import JobType
from vires_repo.jobs.maintenance_mode import refuse_writer_during_maintenance
from vires_repo.jobs.records import JobRecord, JobRecords, JobStatus
from vires_repo.jobs.runner import LOG

MAX_ACTIVE_JOBS = 2
MAX_QUEUED_JOBS = 64


@dataclass(frozen=True)
class Limits:
    max_queued_jobs: int = MAX_QUEUED_JOBS
    max_active_jobs: int = MAX_ACTIVE_JOBS
    """Per owner; jobs without an owner (scheduled ones) are bound by the queue only."""


def check_limits(
    records: JobRecords, owner: str | None, limits: Limits, *, queued: bool = True
) -> None:
    """Raise ServerBusyError when the job may not be accepted now (a job that is not queued,
    run in the shell at once, is bound by its owner's limit only)."""
    active = (JobStatus.ACCEPTED, JobStatus.STARTED)
    if owner is not None and records.count(statuses=active, owner=owner) >= limits.max_active_jobs:
        raise ServerBusyError(
            "Per user maximum number of allowed active asynchronous download requests "
            f"exceeded! ({owner} has {limits.max_active_jobs} jobs accepted or started)"
        )
    if queued and records.count(statuses=[JobStatus.ACCEPTED]) >= limits.max_queued_jobs:
        raise ServerBusyError(
            f"server busy: {limits.max_queued_jobs} jobs are queued already "
            "(max_queued_jobs); submit again later"
        )


def accept(
    records: JobRecords,
    backend: JobBackend,
    queue: JobQueue | None,
    job_type: JobType,
    parameters: Mapping[str, Any],
    *,
    owner: str | None,
    limits: Limits,
    catalog_root: str,
    retry_of: str | None = None,
) -> JobRecord:
    """Record a new ACCEPTED job and, with a queue, enqueue it (``job run`` passes none:
    it runs the job in the shell at once). Returns the record. The parameters are validated
    (and stored in full); a writer is refused while the catalogue is in maintenance mode;
    the type's ``admit`` may refuse the owner."""
    validated = job_type.validate(parameters)
    refuse_writer_during_maintenance(job_type, catalog_root)
    if job_type.admit is not None:
        job_type.admit(catalog_root, owner, validated)
    job_name = job_type.name
    record = JobRecord.new(
        job_name, owner=owner, parameters=validated.model_dump(mode="json"), retry_of=retry_of
    )
    record = replace(record, response_url=backend.response_url(record.id))
    with records.transaction():  # the limits hold: no other submission between count and insert
        records.lock_for_submission()
        check_limits(records, owner, limits, queued=queue is not None)
        records.insert(record)
    backend.create_task(record.id)
    job_id = record.id
    LOG.info("job %s (%s) submitted by %s: ACCEPTED", job_id, job_name, owner or "nobody")
    if queue is not None:
        queue.enqueue(job_id)
    return record
