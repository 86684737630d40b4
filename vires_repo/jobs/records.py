"""The job records: the VirES ``Job`` table, in SQLite (the default) or PostgreSQL.

One row per job in ``vires_jobs`` (identifier, job type, owner, status, the submitted, started
and ended times, the response URL as VirES keeps them; plus the parameters, progress, task
counters, output size, last message, the job it retries, the worker running it, its heartbeat
and an abort request) and one row per task in ``vires_job_tasks``. The schema is the same on
both engines (:mod:`vires_repo.jobs.schema`); it is created on first open.

Status changes that race with other processes are compare-and-set updates
(:meth:`JobRecords.transition`): a worker starts a job only if it is still ACCEPTED, an abort
wins only over a job that has not ended.

(Over 400 lines: :class:`JobRecords` is the one API of the records that the job queue and the
commands share, jobs and tasks together; the schema is in :mod:`vires_repo.jobs.schema`.)
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from vires_repo.errors import ConflictError, JobNotFoundError
from vires_repo.io.database import Database
from vires_repo.jobs.schema import (
    JOB_COLUMNS,
    JOBS_TABLE,
    SUBMISSION_LOCK,
    TASK_COLUMNS,
    TASKS_TABLE,
    ensure_schema,
)

_MAX_SQL_IDS = 500
"""Beyond this many identifiers a selection filters in Python (SQLite's variable limit)."""


class JobStatus(StrEnum):
    """The VirES job statuses (UNDEFINED where the state cannot be determined)."""

    ACCEPTED = "ACCEPTED"
    STARTED = "STARTED"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ABORTED = "ABORTED"
    UNDEFINED = "UNDEFINED"


FINISHED_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.ABORTED})


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class JobRecord:
    """One job (times are aware UTC datetimes; ``parameters`` a JSON object)."""

    id: str
    process_id: str
    status: JobStatus
    submitted: datetime
    owner: str | None = None
    started: datetime | None = None
    ended: datetime | None = None
    response_url: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    progress: int = 0
    tasks_done: int = 0
    tasks_failed: int = 0
    tasks_total: int = 0
    output_size: int = 0
    message: str | None = None
    retry_of: str | None = None
    worker: str | None = None
    heartbeat: datetime | None = None
    abort_requested: bool = False

    @classmethod
    def new(
        cls,
        process_id: str,
        *,
        owner: str | None = None,
        parameters: dict[str, Any] | None = None,
        retry_of: str | None = None,
        response_url: str | None = None,
        submitted: datetime | None = None,
    ) -> JobRecord:
        """A new ACCEPTED job with a fresh identifier (``str(uuid4())``, as VirES)."""
        import uuid  # 10 ms of start-up that only submissions need

        return cls(
            id=str(uuid.uuid4()),
            process_id=process_id,
            status=JobStatus.ACCEPTED,
            submitted=submitted or utc_now(),
            owner=owner,
            response_url=response_url,
            parameters=dict(parameters or {}),
            retry_of=retry_of,
        )


VIRES_COLUMNS = ("id", "process_id", "owner", "status", "submitted", "started", "ended",
                 "response_url")  # fmt: skip
"""The columns of :meth:`JobRecords.vires_rows`: the VirES ``Job`` record."""


@dataclass(frozen=True)
class JobTask:
    """One task of a job (a file registered, a product read): ``seq`` counts from 0."""

    job_id: str
    seq: int
    name: str
    status: JobStatus
    started: datetime | None = None
    ended: datetime | None = None
    message: str | None = None


@dataclass(frozen=True)
class JobQuery:
    """A selection of job records; empty fields select everything. Times are inclusive lower
    and exclusive upper bounds, as VirES's ``--submitted-after/--submitted-before``."""

    ids: tuple[str, ...] | None = None
    owners: tuple[str, ...] = ()
    no_owner: bool = False
    statuses: tuple[JobStatus, ...] = ()
    process_ids: tuple[str, ...] = ()
    submitted_after: datetime | None = None
    submitted_before: datetime | None = None
    ended_after: datetime | None = None
    ended_before: datetime | None = None


_JOB_NAMES = tuple(name for name, _, _ in JOB_COLUMNS)
_TIME_COLUMNS = frozenset(name for name, kind, _ in JOB_COLUMNS if kind == "time")
_UPDATABLE = frozenset(_JOB_NAMES) - {"id"}


def canonical_json(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class JobRecords:
    """The record store of one jobs database (open with :meth:`open`; a context manager)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @classmethod
    def open(cls, database_url: str) -> JobRecords:
        """Open the records at ``database_url`` (``sqlite:///...``, ``postgresql://...``),
        creating the schema if it is missing."""
        records = cls(Database(database_url))
        try:
            ensure_schema(records.database)
        except BaseException:
            records.close()
            raise
        return records

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> JobRecords:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return self.database.url

    # -- values ----------------------------------------------------------------------------

    def _param(self, name: str, value: Any) -> Any:
        if name in _TIME_COLUMNS:
            return self.database.time_param(value)
        if name == "parameters":
            return canonical_json(value)
        if name == "abort_requested":
            return bool(value)
        if name == "status":
            return str(JobStatus(value))
        return value

    def _record(self, row: Sequence[Any]) -> JobRecord:
        time = self.database.time_value
        values = dict(zip(_JOB_NAMES, row, strict=True))
        for name in _TIME_COLUMNS:
            values[name] = time(values[name])
        values["status"] = JobStatus(values["status"])
        values["parameters"] = json.loads(values["parameters"])
        values["abort_requested"] = bool(values["abort_requested"])
        return JobRecord(**values)

    def _assignments(self, fields_: dict[str, Any]) -> tuple[str, list[Any]]:
        unknown = sorted(set(fields_) - _UPDATABLE)
        if unknown:
            raise TypeError(f"not job record fields: {', '.join(unknown)}")
        names = sorted(fields_)
        return ", ".join(f"{n} = ?" for n in names), [self._param(n, fields_[n]) for n in names]

    # -- jobs ------------------------------------------------------------------------------

    def insert(self, record: JobRecord) -> None:
        """Add a job (``ConflictError`` if its identifier exists already)."""
        values = [self._param(name, getattr(record, name)) for name in _JOB_NAMES]
        marks = ", ".join("?" for _ in _JOB_NAMES)
        try:
            self.database.execute(
                f"INSERT INTO {JOBS_TABLE} ({', '.join(_JOB_NAMES)}) VALUES ({marks})", values
            )
        except ConflictError:
            raise ConflictError(f"job {record.id} exists already") from None

    def insert_many(self, records: Sequence[JobRecord]) -> None:
        """Add many jobs in one transaction (imports, benchmarks)."""
        marks = ", ".join("?" for _ in _JOB_NAMES)
        rows = [[self._param(name, getattr(r, name)) for name in _JOB_NAMES] for r in records]
        with self.database.transaction():
            self.database.execute_many(
                f"INSERT INTO {JOBS_TABLE} ({', '.join(_JOB_NAMES)}) VALUES ({marks})", rows
            )

    def get(self, job_id: str) -> JobRecord:
        rows = self.database.query(
            f"SELECT {', '.join(_JOB_NAMES)} FROM {JOBS_TABLE} WHERE id = ?", (job_id,)
        )
        if not rows:
            raise JobNotFoundError(job_id)
        return self._record(rows[0])

    def exists(self, job_id: str) -> bool:
        return bool(self.database.query(f"SELECT 1 FROM {JOBS_TABLE} WHERE id = ?", (job_id,)))

    def transition(
        self,
        job_id: str,
        from_statuses: Collection[JobStatus],
        to: JobStatus,
        **fields_: Any,
    ) -> bool:
        """Set the status to ``to`` (and ``fields_``) only if it is one of ``from_statuses``,
        atomically; False if it was not (``JobNotFoundError`` if the job does not exist)."""
        if not from_statuses:
            return False
        assignments, values = self._assignments({**fields_, "status": to})
        statuses = sorted(str(JobStatus(s)) for s in from_statuses)
        marks = ", ".join("?" for _ in statuses)
        changed = self.database.execute(
            f"UPDATE {JOBS_TABLE} SET {assignments} WHERE id = ? AND status IN ({marks})",
            [*values, job_id, *statuses],
        )
        if changed:
            return True
        if not self.exists(job_id):
            raise JobNotFoundError(job_id)
        return False

    def update(self, job_id: str, **fields_: Any) -> None:
        """Set fields of a job whatever its status (progress, counters, message, heartbeat,
        abort_requested, output_size, ...)."""
        if not fields_:
            return
        assignments, values = self._assignments(fields_)
        changed = self.database.execute(
            f"UPDATE {JOBS_TABLE} SET {assignments} WHERE id = ?", [*values, job_id]
        )
        if not changed:
            raise JobNotFoundError(job_id)

    def _where(self, query: JobQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []

        def among(column: str, values: Sequence[str]) -> None:
            clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)

        if query.ids is not None:
            if not query.ids:
                clauses.append("1 = 0")
            elif len(query.ids) <= _MAX_SQL_IDS:
                among("id", sorted(set(query.ids)))
        if query.owners:
            among("owner", sorted(set(query.owners)))
        elif query.no_owner:
            clauses.append("owner IS NULL")
        if query.statuses:
            among("status", sorted({str(JobStatus(s)) for s in query.statuses}))
        if query.process_ids:
            among("process_id", sorted(set(query.process_ids)))
        time = self.database.time_param
        for column, after, before in (
            ("submitted", query.submitted_after, query.submitted_before),
            ("ended", query.ended_after, query.ended_before),
        ):
            if after is not None:
                clauses.append(f"{column} >= ?")
                params.append(time(after))
            if before is not None:
                clauses.append(f"{column} < ?")
                params.append(time(before))
        return (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params

    def _selected_rows(self, columns: str, query: JobQuery) -> list[tuple[Any, ...]]:
        where, params = self._where(query)
        rows = self.database.query(
            f"SELECT {columns} FROM {JOBS_TABLE}{where} ORDER BY submitted, id", params
        )
        if query.ids is not None and len(query.ids) > _MAX_SQL_IDS:
            wanted = set(query.ids)
            rows = [row for row in rows if row[0] in wanted]
        return rows

    def select(self, query: JobQuery | None = None) -> list[JobRecord]:
        """The matching records, by submission time then identifier."""
        rows = self._selected_rows(", ".join(_JOB_NAMES), query or JobQuery())
        return [self._record(row) for row in rows]

    def select_ids(self, query: JobQuery | None = None) -> list[str]:
        """The identifiers of :meth:`select`, without building the records."""
        return [row[0] for row in self._selected_rows("id", query or JobQuery())]

    def vires_rows(self, query: JobQuery | None = None) -> list[tuple[Any, ...]]:
        """The :data:`VIRES_COLUMNS` of the matching jobs, in :meth:`select` order, with the
        times as VirES text (``2026-01-01T00:00:00Z``; microseconds only when not zero): what
        ``job info`` shows, read for 10^5 jobs without a Python object per value."""
        time = self.database.time_text
        columns = ", ".join(time(c) if c in _TIME_COLUMNS else c for c in VIRES_COLUMNS)
        return self._selected_rows(columns, query or JobQuery())

    def count(self, *, statuses: Collection[JobStatus], owner: str | None = None) -> int:
        """How many jobs have one of ``statuses`` (of ``owner`` if given)."""
        query = JobQuery(statuses=tuple(statuses), owners=(owner,) if owner is not None else ())
        if not query.statuses:
            return 0
        where, params = self._where(query)
        return int(self.database.query(f"SELECT count(*) FROM {JOBS_TABLE}{where}", params)[0][0])

    def stale_started(self, older_than: datetime) -> list[JobRecord]:
        """STARTED jobs whose last heartbeat (or start, if none) is older than ``older_than``."""
        rows = self.database.query(
            f"SELECT {', '.join(_JOB_NAMES)} FROM {JOBS_TABLE} WHERE status = ? "
            "AND COALESCE(heartbeat, started, submitted) < ? ORDER BY submitted, id",
            (str(JobStatus.STARTED), self.database.time_param(older_than)),
        )
        return [self._record(row) for row in rows]

    def delete(self, job_ids: Collection[str]) -> int:
        """Remove jobs and their tasks; how many job records there were."""
        removed = 0
        ids = sorted(set(job_ids))
        with self.database.transaction():
            for start in range(0, len(ids), _MAX_SQL_IDS):
                chunk = ids[start : start + _MAX_SQL_IDS]
                marks = ", ".join("?" for _ in chunk)
                self.database.execute(f"DELETE FROM {TASKS_TABLE} WHERE job_id IN ({marks})", chunk)
                removed += self.database.execute(
                    f"DELETE FROM {JOBS_TABLE} WHERE id IN ({marks})", chunk
                )
        return removed

    # -- tasks -----------------------------------------------------------------------------

    def set_tasks(self, job_id: str, names: Sequence[str]) -> None:
        """Replace the tasks of a job by ``names`` (all ACCEPTED, numbered from 0) and reset
        its task counters (``tasks_total`` = their number)."""
        with self.database.transaction():
            self.update(job_id, tasks_total=len(names), tasks_done=0, tasks_failed=0)
            self.database.execute(f"DELETE FROM {TASKS_TABLE} WHERE job_id = ?", (job_id,))
            self.database.execute_many(
                f"INSERT INTO {TASKS_TABLE} (job_id, seq, name, status) VALUES (?, ?, ?, ?)",
                [(job_id, seq, name, str(JobStatus.ACCEPTED)) for seq, name in enumerate(names)],
            )

    def update_task(
        self, job_id: str, seq: int, status: JobStatus, message: str | None = None
    ) -> None:
        """Set a task's status (STARTED stamps its start, SUCCEEDED/FAILED/ABORTED its end) and
        recount the job's ``tasks_done`` (SUCCEEDED) and ``tasks_failed`` (FAILED)."""
        now = self.database.time_param(utc_now())
        status = JobStatus(status)
        stamp = ", started = ?" if status is JobStatus.STARTED else ""
        if status in FINISHED_STATUSES:
            stamp = ", ended = ?"
        stamps = [now] if stamp else []
        with self.database.transaction():
            changed = self.database.execute(
                f"UPDATE {TASKS_TABLE} SET status = ?, message = ?{stamp} "
                "WHERE job_id = ? AND seq = ?",
                [str(status), message, *stamps, job_id, seq],
            )
            if not changed:
                raise JobNotFoundError(f"{job_id} task {seq}")
            self.database.execute(
                f"UPDATE {JOBS_TABLE} SET "
                f"tasks_done = (SELECT count(*) FROM {TASKS_TABLE} "
                "WHERE job_id = ? AND status = ?), "
                f"tasks_failed = (SELECT count(*) FROM {TASKS_TABLE} "
                "WHERE job_id = ? AND status = ?) WHERE id = ?",
                [job_id, str(JobStatus.SUCCEEDED), job_id, str(JobStatus.FAILED), job_id],
            )

    def insert_tasks(self, tasks: Sequence[JobTask]) -> None:
        """Add tasks as they were, times and messages included (restoring exported records;
        the jobs' counters are restored with the jobs)."""
        time = self.database.time_param
        names = ", ".join(name for name, _, _ in TASK_COLUMNS)
        marks = ", ".join("?" for _ in TASK_COLUMNS)
        rows = [
            (t.job_id, t.seq, t.name, str(t.status), time(t.started), time(t.ended), t.message)
            for t in tasks
        ]
        with self.database.transaction():
            self.database.execute_many(
                f"INSERT INTO {TASKS_TABLE} ({names}) VALUES ({marks})", rows
            )

    def tasks(self, job_id: str) -> list[JobTask]:
        rows = self.database.query(
            f"SELECT {', '.join(name for name, _, _ in TASK_COLUMNS)} FROM {TASKS_TABLE} "
            "WHERE job_id = ? ORDER BY seq",
            (job_id,),
        )
        return [self._task(row) for row in rows]

    def _task(self, row: Sequence[Any]) -> JobTask:
        job_id, seq, name, status, started, ended, message = row
        time = self.database.time_value
        return JobTask(
            job_id, int(seq), name, JobStatus(status), time(started), time(ended), message
        )

    def all_tasks(self) -> Iterator[JobTask]:
        """Every task of every job, by job then sequence number."""
        rows = self.database.query(
            f"SELECT {', '.join(name for name, _, _ in TASK_COLUMNS)} FROM {TASKS_TABLE} "
            "ORDER BY job_id, seq"
        )
        return (self._task(row) for row in rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Several changes that commit together (e.g. check a limit, then insert)."""
        with self.database.transaction():
            yield

    def lock_for_submission(self) -> None:
        """Inside :meth:`transaction`: serialize with other submitters (queue bound and
        per-owner limit are checked, then the job inserted, without a race)."""
        self.database.advisory_lock(SUBMISSION_LOCK)
