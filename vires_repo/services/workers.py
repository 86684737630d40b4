"""``worker start | status``: the queue's consumer in the foreground, and what it is doing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vires_repo.catalog import Catalog
from vires_repo.errors import ViresRepoError
from vires_repo.io.queue import JobQueue
from vires_repo.jobs.location import JobsLocation
from vires_repo.jobs.records import JobQuery, JobRecord, JobStatus
from vires_repo.jobs.runner import now
from vires_repo.jobs.schedules import Schedule, ScheduleStore, next_fire_time
from vires_repo.jobs.worker import WorkerEnvironment, WorkerSettings, run_worker
from vires_repo.services.job_queue import limits
from vires_repo.services.job_types import job_type


def worker_settings(workers: int) -> WorkerSettings:
    from vires_repo.settings import load_settings

    settings = load_settings()
    return WorkerSettings(
        workers=workers,
        heartbeat_interval=settings.job_heartbeat_interval,
        heartbeat_timeout=settings.job_heartbeat_timeout,
        shutdown_timeout=settings.worker_shutdown_timeout,
    )


def start(location: JobsLocation, catalog_root: str, workers: int = 1) -> None:
    """Run ``workers`` worker processes and the scheduler until SIGTERM or Ctrl-C."""
    store = ScheduleStore(Catalog(catalog_root).storage)
    location.storage().makedirs()
    environment = WorkerEnvironment(
        location=location,
        catalog_root=catalog_root,
        resolve=job_type,
        load_schedules=lambda: _valid_schedules(store),
        limits=limits(),
    )
    run_worker(environment, worker_settings(workers))


def _valid_schedules(store: ScheduleStore) -> list[Schedule]:
    """The schedules that load (an invalid one is reported by ``check`` and skipped)."""
    schedules = []
    for key in store.keys():
        try:
            schedules.append(store.load(key))
        except ViresRepoError:
            continue
    return schedules


@dataclass(frozen=True)
class WorkerStatus:
    queued: list[JobRecord]
    running: list[JobRecord]
    scheduled: list[tuple[Schedule, datetime]]
    """Enabled schedules with their next firing time."""
    workers: dict[str, dict[str, Any]]
    """Live worker processes (host:pid) with their last heartbeat and current job."""


def status(location: JobsLocation, catalog_root: str) -> WorkerStatus:
    store = ScheduleStore(Catalog(catalog_root).storage)
    at = now()
    scheduled = [(s, next_fire_time(s.cron, at)) for s in _valid_schedules(store) if s.enabled]
    if not location.database_exists():
        return WorkerStatus([], [], scheduled, {})
    with location.open_records() as records, JobQueue(location.database_url) as queue:
        order = {job_id: n for n, job_id in enumerate(queue.pending())}
        queued = records.select(JobQuery(statuses=(JobStatus.ACCEPTED,)))
        queued.sort(key=lambda r: (order.get(r.id, len(order)), r.submitted))
        running = records.select(JobQuery(statuses=(JobStatus.STARTED,)))
        return WorkerStatus(queued, running, scheduled, queue.workers())
