"""``vires-repo job``: the VirES job commands (list, info, dump, remove) and purge.

The job group object ``app`` is shared: the queue commands (types, run, submit, wait, abort,
retry, schedule, ...) register on it from their own module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

from cyclopts import App, Parameter

from vires_repo.cli import _common
from vires_repo.cli._options import JobsRoot, OutputFile

if TYPE_CHECKING:
    from vires_repo.services.jobs import JobSelection

app = App(
    name="job",
    help="Asynchronous jobs: list, info, dump, remove, purge (VirES), and the job queue.",
)

Identifiers = Annotated[list[str] | None, Parameter(help="Job identifiers.")]
AllFlag = Annotated[bool, Parameter(name=["--all", "-a"])]


def time_option(option: str, value: str | None) -> datetime | None:
    """A time option's value (date, date-time or duration before now); a bad one is a usage
    error naming the option."""
    if value is None:
        return None
    from vires_repo.errors import TimeSpecError, UsageError
    from vires_repo.timespec import parse_time_spec

    try:
        return parse_time_spec(value)
    except TimeSpecError as error:
        raise UsageError(f"{option}: {error}") from None


def duration_option(option: str, value: str) -> timedelta:
    """An ISO-8601 duration option (``P14D``); a bad one is a usage error naming the option."""
    from vires_repo.errors import UsageError
    from vires_repo.timespec import parse_duration

    try:
        return parse_duration(value)
    except ValueError as error:
        raise UsageError(f"{option}: {error}") from None


def tri_state(name: str, negative: str) -> Parameter:
    return Parameter(name=name, negative=negative)


@Parameter(name="*")
@dataclass
class JobOptions:
    """The job selection of list, info, dump and remove (VirES's options)."""

    user: Annotated[str | None, Parameter(name=["--user", "-u"])] = None
    "Only jobs of this owner (user name)."
    no_user: Annotated[bool, Parameter(name=["--no-user", "-n"])] = False
    "Only jobs without an owner (ignored with --user)."
    status: Annotated[list[str] | None, Parameter(name=["--status", "-s"])] = None
    "Only jobs in this status (repeat for several): ACCEPTED, STARTED, SUCCEEDED, ABORTED, FAILED, UNDEFINED."  # noqa: E501
    submitted_after: Annotated[str | None, Parameter(name="--submitted-after")] = None
    "Only jobs submitted at or after this time (date, date-time, or duration before now: P1D)."
    submitted_before: Annotated[str | None, Parameter(name="--submitted-before")] = None
    "Only jobs submitted before this time."
    ended_after: Annotated[str | None, Parameter(name="--ended-after")] = None
    "Only jobs that ended at or after this time."
    ended_before: Annotated[str | None, Parameter(name="--ended-before")] = None
    "Only jobs that ended before this time."
    loose: Annotated[bool | None, tri_state("--loose", "--not-loose")] = None
    "Only loose jobs (a record the back-end does not know) / only jobs the back-end knows."
    active: Annotated[bool | None, tri_state("--active", "--not-active")] = None
    "Only jobs running now (a scratch folder exists) / only jobs not running (loose jobs are excluded by both)."  # noqa: E501
    finished: Annotated[bool | None, tri_state("--finished", "--not-finished")] = None
    "Only jobs no longer queued or running / only queued or running jobs."
    with_response: Annotated[bool | None, tri_state("--with-response", "--without-response")] = None
    "Only jobs with a response document / only jobs without one."

    def build(self, identifiers: list[str] | None) -> JobSelection:
        from vires_repo.services.jobs import JobSelection, parse_statuses

        return JobSelection(
            identifiers=tuple(identifiers or ()),
            user=self.user,
            no_user=self.no_user,
            statuses=parse_statuses(self.status or ()),
            submitted_after=time_option("--submitted-after", self.submitted_after),
            submitted_before=time_option("--submitted-before", self.submitted_before),
            ended_after=time_option("--ended-after", self.ended_after),
            ended_before=time_option("--ended-before", self.ended_before),
            loose=self.loose,
            active=self.active,
            finished=self.finished,
            with_response=self.with_response,
        )


@app.command(name="list")
def list_(
    identifiers: Identifiers = None,
    /,
    *,
    options: JobOptions | None = None,
    jobs_root: JobsRoot = None,
) -> None:
    """Print the identifiers of the selected jobs, by submission time, one per line."""
    from vires_repo.services import jobs

    selection = (options or JobOptions()).build(identifiers)
    _common.print_lines(jobs.list_jobs(_common.session.jobs(jobs_root), selection))


@app.command
def info(
    identifiers: Identifiers = None,
    /,
    *,
    options: JobOptions | None = None,
    jobs_root: JobsRoot = None,
) -> None:
    """Print the selected jobs as CSV (header always; values unquoted), by submission time.

    Columns: processId (the job type), identifier, owner (empty if none), status, submitted,
    started, ended (ISO-8601 UTC with Z, empty if not yet), exists (the back-end knows the
    job: False for a loose job), hasResponse (its response document exists), finished (it is
    no longer queued or running), active (it is running now), responseUrl (where its response
    document is).
    """
    from vires_repo.services import jobs

    selection = (options or JobOptions()).build(identifiers)
    _common.write_output("-", jobs.job_info_csv(_common.session.jobs(jobs_root), selection))


@app.command
def dump(
    identifiers: Identifiers = None,
    /,
    *,
    file: OutputFile = "-",
    options: JobOptions | None = None,
    jobs_root: JobsRoot = None,
) -> None:
    """Write the selected jobs as a JSON list, by submission time.

    Each object has the columns of 'job info' as keys: processId, identifier, owner (null if
    none), status, submitted, started, ended (ISO-8601 UTC with Z, null if not yet), exists,
    hasResponse, finished, active (true/false), responseUrl.
    """
    from vires_repo.services import jobs

    selection = (options or JobOptions()).build(identifiers)
    _common.write_output(file, jobs.job_dump_json(_common.session.jobs(jobs_root), selection))


@app.command
def remove(
    identifiers: Identifiers = None,
    /,
    *,
    all_: AllFlag = False,
    options: JobOptions | None = None,
    jobs_root: JobsRoot = None,
) -> int:
    """Remove the selected jobs: their back-end folders (queue entry, scratch, outputs), then
    their records. Loose jobs go the same way (job remove --loose --all).

    Without identifiers nothing is removed unless --all is given. Exit code: the number of jobs
    that could not be removed.

    Parameters
    ----------
    all_
        Remove every job the other options select.
    """
    from vires_repo.services import jobs

    selection = (options or JobOptions()).build(identifiers)
    return _common.report(jobs.remove_jobs(_common.session.jobs(jobs_root), selection, all_))


@app.command
def purge(
    *,
    older_than: Annotated[str, Parameter(name="--older-than")] = "P14D",
    jobs_root: JobsRoot = None,
) -> int:
    """Remove the outputs, folders and records of finished jobs (SUCCEEDED, FAILED, ABORTED)
    that ended longer ago than --older-than.

    Exit code: the number of jobs that could not be purged.

    Parameters
    ----------
    older_than
        ISO-8601 duration (default P14D: two weeks, as accsyn archives finished jobs).
    """
    from vires_repo.services import jobs

    age = duration_option("--older-than", older_than)
    return _common.report(jobs.purge_jobs(_common.session.jobs(jobs_root), age))
