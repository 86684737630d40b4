"""The job queue and its consumer: the one module that imports huey.

The queue holds job identifiers only (the job's parameters are on its record); huey keeps it in
the same database as the job records: its SQLite storage in the same file (WAL mode, strict
FIFO), or its SQL storage (peewee) on the same PostgreSQL database, so that workers on several
machines consume one queue (``SELECT ... FOR UPDATE SKIP LOCKED`` hands each job to one
worker). Huey's key-value table also keeps the small shared state of the workers: their
heartbeats and the claims that make a schedule fire once across machines.

The consumer runs huey's own process pool (``fork``): N worker processes plus huey's
scheduler process, in which :meth:`JobQueue.consume` calls ``tick`` about once a second.
SIGTERM stops it gracefully (running jobs get ``shutdown_timeout`` seconds to finish, then are
interrupted); SIGINT (Ctrl-C) interrupts running jobs at once. An interrupted job sees
``KeyboardInterrupt`` in its worker process.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from huey import SqliteHuey
from huey.api import Huey
from huey.consumer import Consumer, Scheduler, Worker

from vires_repo.errors import JobsDatabaseError
from vires_repo.io.database import POSTGRES_PREFIXES, SQLITE_PREFIX, Database, redacted

QUEUE_NAME = "vires_jobs"
TASK_NAME = "vires_job"
_WORKER_KEY = "worker:"
_TABLES_LOCK = 0x68756579
"""PostgreSQL advisory lock key ("huey") serializing the creation of huey's tables."""

JobHandler = Callable[[str], None]
"""Runs one job (by identifier) in a worker process."""


def _open_huey(database_url: str) -> Huey:
    """Huey on the records' database (``sqlite:///PATH`` or ``postgresql://...``)."""
    if database_url.startswith(SQLITE_PREFIX):
        path = database_url[len(SQLITE_PREFIX) :]
        return SqliteHuey(
            QUEUE_NAME, filename=path, results=False, strict_fifo=True, timeout=30, fsync=False
        )
    if database_url.startswith(POSTGRES_PREFIXES):
        from huey.contrib.sql_huey import SqlHuey

        with _tables_lock(database_url):
            return SqlHuey(QUEUE_NAME, database=database_url, results=False)
    raise JobsDatabaseError(
        f"jobs database {redacted(database_url)!r} is not a sqlite:///PATH or postgresql://... URL"
    )


@contextmanager
def _tables_lock(database_url: str) -> Iterator[None]:
    """Hold the lock that serializes the opening of huey's SQL storage on PostgreSQL: it creates
    its tables (``CREATE TABLE IF NOT EXISTS``), and PostgreSQL refuses two such statements at
    once on a fresh database (a unique violation in its catalogue), so that all but one of the
    workers started together on several machines would fail."""
    with Database(database_url) as guard, guard.transaction():
        guard.advisory_lock(_TABLES_LOCK)
        yield


class JobQueue:
    """The FIFO queue of job identifiers and the workers' shared state."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._huey = _open_huey(database_url)
        self._handler: JobHandler | None = None

        @self._huey.task(name=TASK_NAME)  # type: ignore[untyped-decorator]
        def _run(job_id: str) -> None:
            if self._handler is None:  # pragma: no cover - only a consumer dequeues
                raise RuntimeError("no job handler in this process")
            self._handler(job_id)

        self._task = _run

    def close(self) -> None:
        self._huey.storage.close()

    def __enter__(self) -> JobQueue:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- the queue ---------------------------------------------------------------------

    def enqueue(self, job_id: str) -> None:
        self._task(job_id)

    def pending(self) -> list[str]:
        """The queued job identifiers, first to run first."""
        return [str(task.args[0]) for task in self._huey.pending()]

    # -- shared state ------------------------------------------------------------------

    def claim(self, key: str) -> bool:
        """Take ``key`` once for everyone: True for the first caller only."""
        return bool(self._huey.put_if_empty(key, True))

    def release(self, key: str) -> None:
        self._huey.delete(key)

    def put_worker(self, label: str, state: dict[str, Any]) -> None:
        """Publish a worker's state (its heartbeat) under its label (host:pid)."""
        self._huey.storage.put_data(_WORKER_KEY + label, json.dumps(state).encode())

    def remove_worker(self, label: str) -> None:
        self._huey.storage.delete_data(_WORKER_KEY + label)

    def workers(self) -> dict[str, dict[str, Any]]:
        """Every worker's last published state, by label."""
        items = self._huey.storage.result_items()
        return {
            key.removeprefix(_WORKER_KEY): json.loads(bytes(value))
            for key, value in sorted(items.items())
            if key.startswith(_WORKER_KEY)
        }

    # -- the consumer ------------------------------------------------------------------

    def consume(
        self,
        handler: JobHandler,
        *,
        workers: int,
        tick: Callable[[], None],
        worker_state: Callable[[], dict[str, Any]],
        label: Callable[[], str],
        poll_interval: float = 0.1,
        shutdown_timeout: float = 30.0,
        heartbeat_interval: float = 1.0,
    ) -> None:
        """Run the consumer in the foreground until SIGTERM or SIGINT.

        ``handler`` runs each job in a worker process; ``tick`` runs in the scheduler process
        about once a second; every worker process publishes ``worker_state()`` under
        ``label()`` every ``heartbeat_interval`` seconds while it lives.
        """
        self._handler = handler
        queue = self

        class _Worker(Worker):  # type: ignore[misc]
            def initialize(self) -> None:
                super().initialize()
                self._stop_beat = threading.Event()
                name = label()

                def beat() -> None:
                    while not self._stop_beat.wait(heartbeat_interval):
                        _quietly(queue.put_worker, name, worker_state())

                _quietly(queue.put_worker, name, worker_state())
                threading.Thread(target=beat, name="worker-heartbeat", daemon=True).start()

            def shutdown(self) -> None:
                self._stop_beat.set()
                _quietly(queue.remove_worker, label())
                super().shutdown()

        class _Scheduler(Scheduler):  # type: ignore[misc]
            def loop(self, now: Any = None) -> None:
                _quietly(tick)
                super().loop(now)

        class _Consumer(Consumer):  # type: ignore[misc]
            worker_class = _Worker
            scheduler_class = _Scheduler

        consumer = _Consumer(
            self._huey,
            workers=workers,
            worker_type="process",
            periodic=False,
            initial_delay=poll_interval / 4,
            backoff=1.5,
            max_delay=poll_interval,
            scheduler_interval=1,
            check_worker_health=True,
            health_check_interval=1,
            shutdown_timeout=shutdown_timeout,
            graceful_signal="TERM",
        )
        with _huey_logs_quiet():
            consumer.run()


def _quietly(function: Callable[..., None], *args: Any) -> None:
    """Call a periodic duty; an error is logged and the next period tries again."""
    try:
        function(*args)
    except Exception:
        logging.getLogger("vires_repo.jobs").exception("periodic duty %s failed", function)


@contextmanager
def _huey_logs_quiet() -> Iterator[None]:
    """Huey logs every task at INFO; the workers log their own line per job transition."""
    logger = logging.getLogger("huey")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def process_label() -> str:
    """``host:pid`` of this process, as job records and worker states name workers."""
    return f"{socket.gethostname()}:{os.getpid()}"
