"""Running one job: the one code path of ``job run`` (in the shell) and of the workers.

The record moves ACCEPTED -> STARTED -> SUCCEEDED | FAILED | ABORTED through the store's
compare-and-set ``transition``, so a job aborted while queued never starts and a job taken
by one worker is never run by another. While the job runs a heartbeat thread stamps the
record every ``heartbeat_interval`` seconds and reads its abort flag: an abort asked from
another process interrupts the job (``KeyboardInterrupt`` in the running thread) within one
interval, and it ends ABORTED. A worker stopping (SIGTERM after the grace time, SIGINT) hands
the job back: to the queue for a rerun-safe type, else FAILED with a message saying so.
Each transition is one log line (logger ``vires_repo.jobs``).
"""

from __future__ import annotations

import _thread
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from vires_repo.errors import JobAbortedError, ViresRepoError
from vires_repo.jobs.backend import JobBackend, JobOutput, JobResponse
from vires_repo.jobs.job_type import JobType
from vires_repo.jobs.location import JobsLocation
from vires_repo.jobs.maintenance_mode import refuse_writer_during_maintenance
from vires_repo.jobs.records import JobRecord, JobRecords, JobStatus

LOG = logging.getLogger("vires_repo.jobs")
_PROGRESS_EVERY = 0.5
"""Seconds between two progress writes to the record (the last one is always written)."""


def now() -> datetime:
    return datetime.now(UTC)


def log_transition(record: JobRecord, to: JobStatus, message: str | None = None) -> None:
    """The one log line of a job's change of status (``record`` as it was before)."""
    text = f"job {record.id} ({record.process_id}) {record.status} -> {to}"
    LOG.info("%s", f"{text}: {message}" if message else text)


@dataclass
class RunningJob:
    """The :class:`~vires_repo.jobs.job_type.JobContext` of a running job."""

    records: JobRecords
    backend: JobBackend
    record: JobRecord
    catalog_root: str
    jobs: JobsLocation
    abort_event: threading.Event = field(default_factory=threading.Event)
    """Set by the heartbeat when an abort was asked."""
    _last_progress: float = 0.0
    _started: float = field(default_factory=time.monotonic)
    _done: int = 0
    _failed: int = 0
    outputs: list[JobOutput] = field(default_factory=list)

    @property
    def job_id(self) -> str:
        return self.record.id

    @property
    def owner(self) -> str | None:
        return self.record.owner

    @property
    def temp_folder(self) -> str:
        return self.backend.storage.path(self.backend.temp_path(self.job_id))

    def publish(self, name: str, data: bytes) -> None:
        self.outputs.append(self.backend.publish(self.job_id, name, data))

    def publish_file(self, name: str, local_file: str) -> None:
        self.outputs.append(self.backend.publish_file(self.job_id, name, local_file))

    def set_tasks(self, names: Sequence[str]) -> None:
        self.records.set_tasks(self.job_id, names)
        self.records.update(self.job_id, tasks_total=len(names), tasks_done=0, tasks_failed=0)

    def task_started(self, seq: int) -> None:
        self.records.update_task(self.job_id, seq, JobStatus.STARTED)

    def task_done(self, seq: int, *, failed: str | None = None) -> None:
        status = JobStatus.FAILED if failed is not None else JobStatus.SUCCEEDED
        self.records.update_task(self.job_id, seq, status, failed)
        self._done += failed is None
        self._failed += failed is not None
        self.records.update(self.job_id, tasks_done=self._done, tasks_failed=self._failed)

    def progress(self, done: int, total: int) -> None:
        self.check_abort()
        clock = time.monotonic()
        if done < total and clock - self._last_progress < _PROGRESS_EVERY:
            return
        self._last_progress = clock
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        message = f"{done} of {total} done"
        if 0 < done < total:
            left = (clock - self._started) / done * (total - done)
            message += f", about {_duration(left)} left"
        self.records.update(self.job_id, progress=percent, message=message)

    def message(self, text: str) -> None:
        self.records.update(self.job_id, message=text)

    def check_abort(self) -> None:
        if self.abort_event.is_set():
            raise JobAbortedError(self.job_id)


def _duration(seconds: float) -> str:
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


@dataclass(frozen=True)
class RunSettings:
    catalog_root: str
    jobs: JobsLocation
    worker: str
    """Who runs the job (``host:pid``), recorded on the job."""
    heartbeat_interval: float = 1.0
    in_worker: bool = False
    """True in a worker: an interruption hands the job back instead of aborting it."""


def run_job(
    records: JobRecords,
    backend: JobBackend,
    job_id: str,
    resolve: Callable[[str], JobType],
    settings: RunSettings,
    requeue: Callable[[str], None] | None = None,
) -> JobRecord:
    """Run the queued job ``job_id`` to its end and return its final record (or the record
    as found when the job is no longer ACCEPTED: aborted while queued, taken by another)."""
    record = records.get(job_id)
    try:  # known before the job starts, so that an interruption can always hand it back
        job_type: JobType | None = resolve(record.process_id)
        unknown: ViresRepoError | None = None
    except ViresRepoError as error:
        job_type, unknown = None, error
    started = now()
    if not records.transition(
        job_id,
        [JobStatus.ACCEPTED],
        JobStatus.STARTED,
        started=started,
        worker=settings.worker,
        heartbeat=started,
    ):
        return records.get(job_id)
    log_transition(record, JobStatus.STARTED, f"on {settings.worker}")
    record = replace(record, status=JobStatus.STARTED, started=started, worker=settings.worker)
    abort = threading.Event()
    try:  # from here on, every way out ends the job or hands it back
        if job_type is None:
            raise unknown or ViresRepoError(f"unknown job type {record.process_id}")
        refuse_writer_during_maintenance(job_type, settings.catalog_root)  # queued before
        backend.start(job_id)
        context = RunningJob(records, backend, record, settings.catalog_root, settings.jobs, abort)
        parameters = job_type.validate(record.parameters)
        with _Heartbeat(records, context, settings.heartbeat_interval):
            outcome = job_type.run(context, parameters)
    except (JobAbortedError, KeyboardInterrupt):
        if abort.is_set() or not settings.in_worker:
            reason = "aborted on request" if abort.is_set() else "interrupted"
            return finish(records, backend, record, JobStatus.ABORTED, reason)
        return _hand_back(records, backend, record, job_type, settings, requeue)
    except ViresRepoError as error:
        return finish(records, backend, record, JobStatus.FAILED, str(error))
    except Exception as error:  # a bug in a job type: the job fails, the worker goes on
        LOG.debug("job %s failed", job_id, exc_info=True)
        problem = f"{type(error).__name__}: {error}"
        return finish(records, backend, record, JobStatus.FAILED, problem)
    status = JobStatus.FAILED if outcome.failed else JobStatus.SUCCEEDED
    return finish(records, backend, record, status, outcome.message, context.outputs)


def finish(
    records: JobRecords,
    backend: JobBackend,
    record: JobRecord,
    status: JobStatus,
    message: str,
    outputs: Sequence[JobOutput] = (),
) -> JobRecord:
    """End a STARTED job: its response document, its folders, its record (and the log line)."""
    error = None if status is JobStatus.SUCCEEDED else message
    backend.write_response(record.id, JobResponse(str(status), tuple(outputs), error))
    backend.finish(record.id)
    size = sum(output.size for output in outputs)
    fields: dict[str, object] = {"ended": now(), "message": message, "output_size": size}
    if status is JobStatus.SUCCEEDED:
        fields["progress"] = 100
    if records.transition(record.id, [JobStatus.STARTED], status, **fields):
        log_transition(record, status, message)
    return records.get(record.id)


def _hand_back(
    records: JobRecords,
    backend: JobBackend,
    record: JobRecord,
    job_type: JobType | None,
    settings: RunSettings,
    requeue: Callable[[str], None] | None,
) -> JobRecord:
    """The worker stops while the job runs: back to the queue if rerun-safe, else FAILED."""
    if job_type is not None and job_type.rerun_safe and requeue is not None:
        message = f"handed back by worker {settings.worker}, which stopped"
        if hand_back(records, backend, record, message):
            requeue(record.id)
        return records.get(record.id)
    message = (
        f"interrupted: worker {settings.worker} stopped while the job ran "
        f"('job retry {record.id}' runs it again)"
    )
    return finish(records, backend, record, JobStatus.FAILED, message)


def hand_back(records: JobRecords, backend: JobBackend, record: JobRecord, message: str) -> bool:
    """A started job goes back to ACCEPTED (its worker stopped or was lost, and its type is
    safe to rerun): scratch dropped, progress reset. False if its status changed meanwhile;
    the caller queues it again."""
    drop_scratch(backend, record.id)
    if not records.transition(
        record.id,
        [JobStatus.STARTED],
        JobStatus.ACCEPTED,
        started=None,
        worker=None,
        heartbeat=None,
        progress=0,
        message=message,
    ):
        return False
    log_transition(replace(record, status=JobStatus.STARTED), JobStatus.ACCEPTED, message)
    return True


def drop_scratch(backend: JobBackend, job_id: str) -> None:
    """A job goes back to the queue: no scratch folder (not active), the task entry stays."""
    backend.storage.remove_tree(backend.temp_path(job_id))


class _Heartbeat:
    """Stamps the record and watches its abort flag while the job runs."""

    def __init__(self, records: JobRecords, context: RunningJob, interval: float) -> None:
        self._records = records
        self._context = context
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="job-heartbeat", daemon=True)
        self._interrupt = threading.current_thread() is threading.main_thread()

    def __enter__(self) -> None:
        self._thread.start()

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _beat(self) -> None:
        job_id = self._context.job_id
        while not self._stop.wait(self._interval):
            try:
                self._records.update(job_id, heartbeat=now())
                aborting = self._records.get(job_id).abort_requested
            except Exception:  # the database may be busy: try again next time
                LOG.debug("heartbeat of job %s failed", job_id, exc_info=True)
                continue
            if aborting and not self._context.abort_event.is_set():
                self._context.abort_event.set()
                if self._interrupt and not self._stop.is_set():
                    _thread.interrupt_main()
