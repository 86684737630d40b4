"""``worker start``: the queue's consumer, the scheduler and the expired-heartbeat sweep.

The consumer (:meth:`vires_repo.io.queue.JobQueue.consume`) runs N worker processes, each
running the jobs it takes with :func:`vires_repo.jobs.runner.run_job`, and huey's scheduler
process, which every second

* sweeps the jobs whose heartbeat expired (their worker was killed, or its machine died): a
  rerun-safe job goes back to the queue, any other turns FAILED with a message saying so;
  and queues again the jobs ACCEPTED long ago that no queue holds (a submitter that died);
* reads the schedule files again (``job schedule`` and ``job unschedule`` take effect without
  a restart) and submits the jobs of those that are due (each firing claimed once in the
  shared queue database, so that several ``worker start`` on several machines submit it
  once), or, while the catalogue is in maintenance mode, skips them with a log line;
* forgets the workers that stopped publishing their heartbeat.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from vires_repo.errors import ViresRepoError
from vires_repo.io.database import redacted
from vires_repo.io.queue import JobQueue, process_label
from vires_repo.jobs.backend import JobBackend
from vires_repo.jobs.job_type import JobType
from vires_repo.jobs.location import JobsLocation
from vires_repo.jobs.records import JobQuery, JobRecord, JobRecords, JobStatus
from vires_repo.jobs.runner import (
    LOG,
    RunSettings,
    finish,
    hand_back,
    now,
    run_job,
)
from vires_repo.jobs.schedules import (
    Schedule,
    latest_fire_time,
    next_fire_time,
    previous_fire_time,
)
from vires_repo.jobs.submission import Limits, accept
from vires_repo.maintenance import maintenance_reason


@dataclass(frozen=True)
class WorkerSettings:
    workers: int = 1
    heartbeat_interval: float = 1.0
    heartbeat_timeout: float = 30.0
    """A STARTED job whose heartbeat is older than this lost its worker."""
    poll_interval: float = 0.1
    shutdown_timeout: float = 30.0
    """Seconds SIGTERM lets running jobs finish before handing them back."""


@dataclass(frozen=True)
class WorkerEnvironment:
    """What the worker needs from the layers above: where things are and what job types exist."""

    location: JobsLocation
    catalog_root: str
    resolve: Callable[[str], JobType]
    load_schedules: Callable[[], list[Schedule]]
    limits: Limits = field(default_factory=Limits)


def sweep_expired(
    records: JobRecords,
    backend: JobBackend,
    queue: JobQueue,
    resolve: Callable[[str], JobType],
    timeout: float,
) -> list[JobRecord]:
    """Settle the STARTED jobs whose heartbeat is older than ``timeout`` seconds."""
    settled = []
    for record in records.stale_started(now() - timedelta(seconds=timeout)):
        since = record.heartbeat.isoformat() if record.heartbeat else "its start"
        lost = f"worker {record.worker} stopped responding (no heartbeat since {since})"
        try:
            rerun_safe = resolve(record.process_id).rerun_safe
        except ViresRepoError:
            rerun_safe = False
        started = replace(record, status=JobStatus.STARTED)
        if rerun_safe:
            message = f"{lost}; queued again"
            if hand_back(records, backend, record, message):
                queue.enqueue(record.id)
                settled.append(record)
            continue
        message = f"{lost}; the job was interrupted ('job retry {record.id}' runs it again)"
        settled.append(finish(records, backend, started, JobStatus.FAILED, message))
    return settled


def requeue_unqueued(records: JobRecords, queue: JobQueue, timeout: float) -> list[str]:
    """Queue again the jobs ACCEPTED more than ``timeout`` seconds ago that are in no queue
    (their submitter died between the record and the queue, or a worker between taking the
    job and starting it); a job queued twice still runs once (the start is a compare-and-set)."""
    limit = now() - timedelta(seconds=timeout)
    waiting = records.select(JobQuery(statuses=(JobStatus.ACCEPTED,), submitted_before=limit))
    if not waiting:
        return []
    queued = set(queue.pending())
    lost = [record.id for record in waiting if record.id not in queued]
    for job_id in lost:
        LOG.warning("job %s was accepted but in no queue: queued again", job_id)
        queue.enqueue(job_id)
    return lost


@dataclass
class ScheduleClock:
    """Which schedules are due. A schedule fires at its cron times after the worker first saw
    it: the worker's start, or the previous look for one added or rescheduled while the worker
    runs (firings from before it existed, or while no worker ran, are not made up, as cron).
    Firings missed by a late look are made once, as the latest one, so that every worker
    claims that firing under the same time. Each schedule picked up or dropped is logged."""

    since: datetime
    """When the schedules were last looked at (first: when the worker started)."""
    _next: dict[tuple[str, str], tuple[Schedule, datetime]] = field(default_factory=dict)

    def due(self, schedules: list[Schedule], at: datetime) -> list[tuple[Schedule, datetime]]:
        """The schedules due at ``at`` with the firing time each is due for."""
        found = []
        live = set()
        for schedule in schedules:
            if not schedule.enabled:
                continue
            key = (schedule.key, schedule.cron)
            live.add(key)
            if key not in self._next:
                first = next_fire_time(schedule.cron, self.since)
                self._next[key] = schedule, first
                LOG.info(
                    "schedule %s (%s) picked up: next firing at %s",
                    schedule.label,
                    schedule.cron,
                    first.isoformat(),
                )
            if self._next[key][1] <= at:
                found.append((schedule, latest_fire_time(schedule.cron, at)))
                self._next[key] = schedule, next_fire_time(schedule.cron, at)
        for stale in sorted(set(self._next) - live):
            dropped, _fire = self._next.pop(stale)
            LOG.info("schedule %s (%s) dropped", dropped.label, dropped.cron)
        self.since = max(self.since, at)
        return found


def fire_schedules(
    environment: WorkerEnvironment,
    records: JobRecords,
    backend: JobBackend,
    queue: JobQueue,
    clock: ScheduleClock,
    at: datetime | None = None,
) -> None:
    """Submit the jobs of the schedules due ``at`` (now), each firing once across all
    workers; a schedule that cannot be submitted is logged and does not stop the others."""
    for schedule, fire in clock.due(environment.load_schedules(), at or now()):
        if not queue.claim(_firing(schedule, fire)):
            continue
        queue.release(_firing(schedule, previous_fire_time(schedule.cron, fire)))
        reason = maintenance_reason(environment.catalog_root)
        if reason is not None:
            LOG.info(
                "schedule %s (%s) skipped: the catalogue is in maintenance mode %s",
                schedule.label,
                schedule.cron,
                reason,
            )
            continue
        try:
            record = accept(
                records,
                backend,
                queue,
                environment.resolve(schedule.job),
                schedule.parameters,
                owner=schedule.owner,
                limits=environment.limits,
                catalog_root=environment.catalog_root,
            )
        except ViresRepoError as error:
            LOG.warning("schedule %s (%s) not submitted: %s", schedule.label, schedule.cron, error)
            continue
        except Exception:  # a job type's bug costs its own firing, not the other schedules'
            LOG.exception("schedule %s (%s) not submitted", schedule.label, schedule.cron)
            continue
        LOG.info("schedule %s (%s) submitted job %s", schedule.label, schedule.cron, record.id)


def _firing(schedule: Schedule, fire: datetime) -> str:
    """The key a firing is claimed under (only the latest one of a schedule is kept)."""
    return f"schedule:{schedule.key}:{fire.isoformat()}"


def run_worker(environment: WorkerEnvironment, settings: WorkerSettings) -> None:
    """Run the consumer in the foreground until SIGTERM or SIGINT (Ctrl-C)."""
    records_by_pid: dict[int, tuple[JobRecords, JobBackend]] = {}

    def stores() -> tuple[JobRecords, JobBackend]:  # one connection per (forked) process
        pid = os.getpid()
        if pid not in records_by_pid:
            records_by_pid.clear()
            location = environment.location
            opened = location.open_records(), JobBackend(location.storage())
            records_by_pid[pid] = opened
        return records_by_pid[pid]

    queue = JobQueue(environment.location.database_url)
    current: dict[str, str | None] = {"job": None}

    def state() -> dict[str, str | None]:
        return {"heartbeat": now().isoformat(), "job": current["job"]}

    def publish() -> None:
        try:
            queue.put_worker(process_label(), state())
        except Exception:  # the state is informative: the next heartbeat publishes it
            LOG.debug("worker state not published", exc_info=True)

    def handle(job_id: str) -> None:
        records, backend = stores()
        current["job"] = job_id
        publish()
        try:
            run_job(
                records,
                backend,
                job_id,
                environment.resolve,
                RunSettings(
                    catalog_root=environment.catalog_root,
                    jobs=environment.location,
                    worker=process_label(),
                    heartbeat_interval=settings.heartbeat_interval,
                    in_worker=True,
                ),
                requeue=queue.enqueue,
            )
        finally:
            current["job"] = None
            publish()

    clock = ScheduleClock(since=now())

    def tick() -> None:
        records, backend = stores()
        sweep_expired(records, backend, queue, environment.resolve, settings.heartbeat_timeout)
        requeue_unqueued(records, queue, settings.heartbeat_timeout)
        fire_schedules(environment, records, backend, queue, clock)
        forget_dead_workers(queue, settings.heartbeat_timeout)

    records, backend = stores()  # sweep what a killed consumer left before taking new jobs
    sweep_expired(records, backend, queue, environment.resolve, settings.heartbeat_timeout)
    requeue_unqueued(records, queue, settings.heartbeat_timeout)
    records.close()
    records_by_pid.clear()
    LOG.info(
        "worker %s started: %d worker process(es), queue %s",
        process_label(),
        settings.workers,
        redacted(environment.location.database_url),
    )
    queue.consume(
        handle,
        workers=settings.workers,
        tick=tick,
        worker_state=state,
        label=process_label,
        poll_interval=settings.poll_interval,
        shutdown_timeout=settings.shutdown_timeout,
        heartbeat_interval=settings.heartbeat_interval,
    )
    LOG.info("worker %s stopped", process_label())


def forget_dead_workers(queue: JobQueue, timeout: float) -> None:
    """Drop the published state of workers silent for ``timeout`` seconds (killed)."""
    limit = now() - timedelta(seconds=timeout)
    for label, state in queue.workers().items():
        try:
            beat = datetime.fromisoformat(str(state.get("heartbeat")))
        except ValueError:
            beat = None
        if beat is None or beat < limit:
            queue.remove_worker(label)
            LOG.info("worker %s forgotten (no heartbeat)", label)
