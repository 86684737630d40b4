"""The VirES job commands (reference 10.3 and 10.4): list, info, dump and remove job records
together with what the back-end knows of them, and purge old finished jobs.

A job is selected on its record (identifiers, owner, status, submission and end times), then on
its back-end state: *loose* (a record the back-end does not know), active (it has a scratch
folder), finished (no queue entry left), with a response document. ``list`` and ``remove`` ask
the back-end only when one of those filters is used; ``info`` and ``dump`` always do.

A read never creates the SQLite database: before the first submission there are no jobs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vires_repo.errors import NotFoundError, UsageError, ViresRepoError
from vires_repo.jobs.backend import BackendInfo, JobBackend, check_job_id
from vires_repo.jobs.location import JobsLocation
from vires_repo.jobs.records import (
    FINISHED_STATUSES,
    JobQuery,
    JobRecords,
    JobStatus,
    JobSummary,
    utc_now,
)
from vires_repo.services._batch import BatchResult
from vires_repo.services.definitions import NO_SELECTION_WARNING
from vires_repo.services.messages import Messages
from vires_repo.timespec import format_datetime

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


@dataclass(frozen=True)
class JobView:
    """A selected job: its record's VirES columns and what the back-end knows (None: loose,
    or the back-end was not asked)."""

    job: JobSummary
    backend: BackendInfo | None


def select_jobs(
    location: JobsLocation, selection: JobSelection, *, ask_backend: bool | None = None
) -> list[JobView]:
    """The selected jobs by submission time; the back-end is asked if ``ask_backend`` (default:
    if a back-end filter is used). A named identifier without a record is an error."""
    for identifier in selection.identifiers:
        check_job_id(identifier)
    jobs: list[JobSummary] = []
    if location.database_exists():
        with JobRecords.open(location.database_url) as records:
            jobs = records.summaries(selection.query())
            if selection.identifiers:
                _require_records(records, selection.identifiers, {job.id for job in jobs})
    elif selection.identifiers:
        _require_records(None, selection.identifiers, set())
    if not (selection.asks_backend if ask_backend is None else ask_backend):
        return [JobView(job, None) for job in jobs]
    known = JobBackend(location.storage()).list([job.id for job in jobs])
    views = (JobView(job, known.get(job.id)) for job in jobs)
    return [view for view in views if selection.keeps(view.backend)]


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


def list_jobs(location: JobsLocation, selection: JobSelection) -> list[str]:
    """``job list``: the identifiers of the selected jobs."""
    return [view.job.id for view in select_jobs(location, selection)]


def _time(value: datetime | None) -> str | None:
    return format_datetime(value)


def job_info_rows(location: JobsLocation, selection: JobSelection) -> list[tuple[Any, ...]]:
    """``job info``/``job dump``: one tuple per job in :data:`INFO_COLUMNS` order (owner and
    times None when missing, the flags booleans)."""
    rows = []
    for view in select_jobs(location, selection, ask_backend=True):
        job, info = view.job, view.backend
        rows.append(
            (
                job.process_id,
                job.id,
                job.owner,
                str(job.status),
                _time(job.submitted),
                _time(job.started),
                _time(job.ended),
                info is not None,
                info is not None and info.response_exists,
                info is not None and info.is_finished,
                info is not None and info.is_active,
                job.response_url,
            )
        )
    return rows


def csv_lines(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Iterator[str]:
    """VirES's CSV: the header always, values unquoted, None empty, booleans True/False."""
    yield ",".join(columns)
    for row in rows:
        yield ",".join("" if value is None else str(value) for value in row)


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
        result.warnings.append(NO_SELECTION_WARNING.format(noun="job"))
        return result
    views = select_jobs(location, selection)
    result.total = len(views)
    if views:
        _purge(location, [view.job.id for view in views], result, "removed", say)
    return result


def _purge(
    location: JobsLocation, job_ids: Sequence[str], result: BatchResult, verb: str, say: Messages
) -> None:
    """Folders first, then the record: an interruption leaves a loose job, still removable."""
    backend = JobBackend(location.storage())
    with JobRecords.open(location.database_url) as records:
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
) -> BatchResult:
    """Remove the outputs, folders and records of the jobs that finished (SUCCEEDED, FAILED,
    ABORTED) more than ``older_than`` before ``now``: ``job purge --older-than P14D`` and the
    ``job_purge`` job type."""
    say = say or Messages.logged("jobs")
    limit = (now or utc_now()) - older_than
    result = BatchResult(noun="finished job", patterns=PURGE_SUMMARY)
    if not location.database_exists():
        return result
    selection = JobSelection(statuses=tuple(sorted(FINISHED_STATUSES)), ended_before=limit)
    job_ids = [view.job.id for view in select_jobs(location, selection)]
    result.total = len(job_ids)
    if job_ids:
        _purge(location, job_ids, result, "purged", say)
    return result
