"""The VirES job commands (reference 10.3 and 10.4): list, info, dump and remove job records
together with what the back-end knows of them, and purge old finished jobs.

A job is selected on its record (identifiers, owner, status, submission and end times), then on
its back-end state: *loose* (a record the back-end does not know), active (it has a scratch
folder), finished (no queue entry left), with a response document. ``list`` and ``remove`` ask
the back-end only when one of those filters is used; ``info`` and ``dump`` always do.

A read never creates the SQLite database: before the first submission there are no jobs.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any, TypeVar

from vires_repo import jsonio
from vires_repo.errors import NotFoundError, UsageError, ViresRepoError
from vires_repo.jobs.backend import BackendInfo, JobBackend, check_job_id
from vires_repo.jobs.location import JobsLocation
from vires_repo.jobs.records import (
    FINISHED_STATUSES,
    JobQuery,
    JobRecords,
    JobStatus,
    utc_now,
)
from vires_repo.services._batch import BatchResult
from vires_repo.services.messages import Messages

INFO_COLUMNS = (
    "processId",
    "identifier",
    "owner",
    "status",
    "submitted",
    "started",
    "ended",
    "exists",
    "hasResponse",
    "finished",
    "active",
    "responseUrl",
)
"""The columns of ``job info`` (CSV header) and the keys of ``job dump`` (VirES, in order)."""
PURGE_SUMMARY = (("purged", "purged", True), ("failed", "failed to be purged", False))


def locate(catalog_root: str, jobs_root: str | None = None) -> JobsLocation:
    """Where the jobs of the catalogue at ``catalog_root`` live (see
    :mod:`vires_repo.jobs.location`)."""
    return JobsLocation.resolve(catalog_root, jobs_root)


def parse_statuses(values: Sequence[str]) -> tuple[JobStatus, ...]:
    """Status labels (any case) as statuses; an unknown one is a usage error naming it."""
    statuses = []
    for value in values:
        try:
            statuses.append(JobStatus(value.upper()))
        except ValueError:
            choices = ", ".join(JobStatus)
            raise UsageError(
                f"job status {value!r} is invalid: expected one of {choices}"
            ) from None
    return tuple(statuses)


@dataclass(frozen=True)
class JobSelection:
    """The selection of ``job list|info|dump|remove``: record filters, then back-end filters
    (None = no filter)."""

    identifiers: tuple[str, ...] = ()
    user: str | None = None
    no_user: bool = False
    statuses: tuple[JobStatus, ...] = ()
    submitted_after: datetime | None = None
    submitted_before: datetime | None = None
    ended_after: datetime | None = None
    ended_before: datetime | None = None
    loose: bool | None = None
    active: bool | None = None
    finished: bool | None = None
    with_response: bool | None = None

    def query(self) -> JobQuery:
        return JobQuery(
            ids=self.identifiers or None,
            owners=(self.user,) if self.user is not None else (),
            no_owner=self.no_user,
            statuses=self.statuses,
            submitted_after=self.submitted_after,
            submitted_before=self.submitted_before,
            ended_after=self.ended_after,
            ended_before=self.ended_before,
        )

    @property
    def asks_backend(self) -> bool:
        filters = (self.loose, self.active, self.finished, self.with_response)
        return any(wanted is not None for wanted in filters)

    def keeps(self, info: BackendInfo | None) -> bool:
        """The back-end filters (VirES: active/not-active exclude loose jobs)."""
        if self.loose is not None and (info is None) != self.loose:
            return False
        for wanted, attribute in (
            (self.active, "is_active"),
            (self.finished, "is_finished"),
            (self.with_response, "response_exists"),
        ):
            if wanted is not None and (info is None or getattr(info, attribute) != wanted):
                return False
        return True


_T = TypeVar("_T")


def _read(
    location: JobsLocation,
    selection: JobSelection,
    read: Callable[[JobRecords, JobQuery], list[_T]],
    identifier: Callable[[_T], str],
) -> list[_T]:
    """``read`` of the selected records (none before the first submission: a read never
    creates the SQLite file). A named identifier without a record is an error."""
    for name in selection.identifiers:
        check_job_id(name)
    if not location.database_exists():
        _require_records(None, selection.identifiers, set())
        return []
    with location.open_records() as records:
        items = read(records, selection.query())
        if selection.identifiers:
            found = {identifier(item) for item in items}
            _require_records(records, selection.identifiers, found)
    return items


def _require_records(
    records: JobRecords | None, identifiers: Sequence[str], found: set[str]
) -> None:
    """Raise unless every named job has a record (selected, or filtered out)."""
    missing = [i for i in dict.fromkeys(identifiers) if i not in found]
    if missing and records is not None:
        present = set(records.select_ids(JobQuery(ids=tuple(missing))))
        missing = [i for i in missing if i not in present]
    if missing:
        noun = "job" if len(missing) == 1 else "jobs"
        verb = "does" if len(missing) == 1 else "do"
        raise NotFoundError(f"{noun} {', '.join(missing)} {verb} not exist")


def select_job_ids(location: JobsLocation, selection: JobSelection) -> list[str]:
    """The identifiers of the selected jobs by submission time; the back-end is asked only
    if a back-end filter is used."""
    ids = _read(location, selection, JobRecords.select_ids, str)
    if not selection.asks_backend:
        return ids
    responses = selection.with_response is not None
    scan = JobBackend(location.storage()).scan(ids, responses=responses)
    return [job_id for job_id in ids if selection.keeps(scan.info(job_id))]


def list_jobs(location: JobsLocation, selection: JobSelection) -> list[str]:
    """``job list``: the identifiers of the selected jobs."""
    return select_job_ids(location, selection)


@dataclass(frozen=True)
class JobTable:
    """The selected jobs as ``job info`` and ``job dump`` show them (:data:`INFO_COLUMNS`):
    their records (:data:`~vires_repo.jobs.records.VIRES_COLUMNS`, times as VirES text) and
    the back-end's state of those it knows, joined only as they are written: 10^5 jobs take
    no tuple of 12 values each."""

    records: list[tuple[Any, ...]]
    states: dict[str, BackendInfo]

    def _flags(self, loose: _T, flags: Callable[[BackendInfo], _T]) -> dict[BackendInfo | None, _T]:
        """``flags`` of each state found (a handful), and ``loose`` for a job without one."""
        return {None: loose, **{state: flags(state) for state in set(self.states.values())}}

    def csv(self) -> str:
        """VirES's CSV (as :func:`csv_text` writes it)."""
        flags = self._flags("False,False,False,False", lambda s: ",".join(map(str, (True, *s))))
        state = self.states.get
        lines = [
            f"{process},{job},{owner or ''},{status},{submitted},{started or ''},{ended or ''},"
            f"{flags[state(job)]},{url or ''}"
            for job, process, owner, status, submitted, started, ended, url in self.records
        ]
        return "\n".join([",".join(INFO_COLUMNS), *lines]) + "\n"

    def objects(self) -> list[dict[str, str | bool | None]]:
        """One object per job with the keys :data:`INFO_COLUMNS` (None: no owner or time),
        written out (a dict display is twice as fast as ``dict(zip(...))``)."""
        flags = self._flags((False, False, False, False), lambda s: (True, *s))
        state = self.states.get
        return [
            {
                "processId": process,
                "identifier": job,
                "owner": owner,
                "status": status,
                "submitted": submitted,
                "started": started,
                "ended": ended,
                "exists": exists,
                "hasResponse": has_response,
                "finished": finished,
                "active": active,
                "responseUrl": url,
            }
            for job, process, owner, status, submitted, started, ended, url in self.records
            for exists, has_response, finished, active in (flags[state(job)],)
        ]


def job_table(location: JobsLocation, selection: JobSelection) -> JobTable:
    """The selected jobs, by submission time, and their back-end state."""
    records = _read(location, selection, JobRecords.vires_rows, itemgetter(0))
    states = JobBackend(location.storage()).scan([row[0] for row in records]).states()
    if selection.asks_backend:
        records = [row for row in records if selection.keeps(states.get(row[0]))]
    return JobTable(records, states)


def job_info_csv(location: JobsLocation, selection: JobSelection) -> str:
    """``job info``: the selected jobs as VirES's CSV."""
    with _cycle_collector_paused():
        return job_table(location, selection).csv()


def job_dump_json(location: JobsLocation, selection: JobSelection) -> bytes:
    """``job dump``: the selected jobs as a JSON list of objects (UTF-8)."""
    with _cycle_collector_paused():
        return jsonio.dumps_objects(job_table(location, selection).objects())


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """The rows of 10^5 jobs (strings and booleans) make no reference cycle, yet allocating
    them runs the cycle collector hundreds of times over every object of the process: 5% of
    job info/dump. It pauses meanwhile."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def csv_text(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """VirES's CSV: the header always, values unquoted, None empty, booleans True/False."""
    cells = [  # column by column: 10^6 values, no Python call for most of them
        ["" if value is None else value for value in column]
        if set(map(type, column)) <= {str, type(None)}
        else ["" if value is None else str(value) for value in column]
        for column in zip(*rows, strict=True)
    ]
    lines = [",".join(columns), *map(",".join, zip(*cells, strict=True))]
    return "\n".join(lines) + "\n"


def remove_jobs(
    location: JobsLocation,
    selection: JobSelection,
    all_: bool,
    say: Messages | None = None,
) -> BatchResult:
    """``job remove``: purge each selected job's back-end folders, then its record. Without
    identifiers only with ``all_`` (else a warning and nothing removed)."""
    say = say or Messages.logged("jobs")
    result = BatchResult(noun="job")
    if not selection.identifiers and not all_:
        from vires_repo.services.definitions import NO_SELECTION_WARNING  # (loads the models)

        result.warnings.append(NO_SELECTION_WARNING.format(noun="job"))
        return result
    job_ids = select_job_ids(location, selection)
    result.total = len(job_ids)
    if job_ids:
        _purge(location, job_ids, result, "removed", say)
    return result


def _purge(
    location: JobsLocation, job_ids: Sequence[str], result: BatchResult, verb: str, say: Messages
) -> None:
    """Folders first, then the record: an interruption leaves a loose job, still removable."""
    backend = JobBackend(location.storage())
    with location.open_records() as records:
        for job_id in job_ids:
            try:
                backend.purge(job_id)
                records.delete([job_id])
            except (OSError, ViresRepoError) as error:
                result.fail(job_id, f"Failed to remove job {job_id}! {error}")
                continue
            result.add(verb, job_id)
            say.info(f"job {job_id} {verb}")


def purge_jobs(
    location: JobsLocation,
    older_than: timedelta,
    *,
    now: datetime | None = None,
    say: Messages | None = None,
    dry_run: bool = False,
) -> BatchResult:
    """Remove the outputs, folders and records of the jobs that finished (SUCCEEDED, FAILED,
    ABORTED) more than ``older_than`` before ``now``: ``job purge --older-than P14D``, the
    ``job_purge`` job type and ``purge --jobs``. ``dry_run`` counts them as purged and removes
    nothing."""
    say = say or Messages.logged("jobs")
    limit = (now or utc_now()) - older_than
    result = BatchResult(noun="finished job", patterns=PURGE_SUMMARY)
    if not location.database_exists():
        return result
    selection = JobSelection(statuses=tuple(sorted(FINISHED_STATUSES)), ended_before=limit)
    job_ids = select_job_ids(location, selection)
    result.total = len(job_ids)
    if dry_run:
        for job_id in job_ids:
            result.add("purged", job_id)
    elif job_ids:
        _purge(location, job_ids, result, "purged", say)
    return result
