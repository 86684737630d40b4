"""``vires-repo job``: the queue's sub-commands (types, run, submit, wait, abort, retry,
schedule, unschedule, scheduled), on the same ``job`` group as the VirES ones of
:mod:`vires_repo.cli.job` (list, info, dump, remove, purge)."""

from __future__ import annotations

from typing import Annotated, Any

from cyclopts import Parameter

from vires_repo.cli import _common
from vires_repo.cli._options import JobsRoot
from vires_repo.cli.job import app

JobWords = Annotated[
    str,
    Parameter(
        name="ARG",
        allow_leading_hyphen=True,
        help="The job's arguments: a bare ARG fills the next parameter in order, KEY=VALUE "
        "names one (a list parameter takes the remaining ARGs, or comma-separated values).",
    ),
]
User = Annotated[
    str | None,
    Parameter(name=["--user", "-u"], help="Owner of the job (default: the operating-system user)."),
]


@app.command
def types() -> None:
    """List the job types with their parameters (udata's 'job list').

    Each type is followed by its parameters, in the order bare arguments fill them, with
    their type, default and meaning, and whether the type is safe to run again after an
    interruption (a worker killed mid-job then queues it again instead of failing it).
    """
    from vires_repo.services import job_queue

    lines = []
    for kind in job_queue.list_types():
        rerun = "rerun-safe" if kind.rerun_safe else "not rerun-safe"
        lines.append(f"{kind.name}: {kind.summary} ({rerun})")
        lines.extend(f"    {line}" for line in kind.parameter_lines())
    _common.print_lines(lines)


@app.command
def run(
    name: Annotated[str, Parameter(name="NAME", help="The job type (see 'job types').")],
    /,
    *words: JobWords,
    detach: Annotated[bool, Parameter(name=["--detach", "-d"])] = False,
    user: User = None,
    jobs_root: JobsRoot = None,
) -> int:
    """Run a job in this shell, recorded as a queued job is; -d queues it instead.

    Exit code 0 if the job SUCCEEDED, 1 otherwise. Ctrl-C, or 'job abort ID' from another
    shell, ends the job ABORTED.

    Parameters
    ----------
    detach
        Queue the job for the workers and print its identifier (as 'job submit').
    """
    if detach:
        return submit(name, *words, user=user, jobs_root=jobs_root)
    from vires_repo.services import job_queue

    record = job_queue.run(
        _common.session.jobs(jobs_root),
        _common.session.root(),
        name,
        words,
        owner=user,
    )
    return _ended(record)


@app.command
def submit(
    name: Annotated[str, Parameter(name="NAME", help="The job type (see 'job types').")],
    /,
    *words: JobWords,
    user: User = None,
    jobs_root: JobsRoot = None,
) -> int:
    """Queue a job for the workers ('worker start') and print its identifier.

    Refused ("server busy") when VIRES_MAX_QUEUED_JOBS (64) jobs are queued already, or
    when the owner has VIRES_MAX_ACTIVE_JOBS (2) jobs queued or running.
    """
    from vires_repo.services import job_queue

    record = job_queue.submit(
        _common.session.jobs(jobs_root), _common.session.root(), name, words, owner=user
    )
    _common.print_lines([record.id])
    return 0


@app.command
def wait(
    job_id: Annotated[str, Parameter(name="ID")],
    /,
    *,
    timeout: Annotated[float | None, Parameter(name="--timeout")] = None,
    jobs_root: JobsRoot = None,
) -> int:
    """Wait until a job has ended; exit 0 if it SUCCEEDED, 1 otherwise.

    Parameters
    ----------
    timeout
        Give up after this many seconds (exit 1, the job goes on).
    """
    from vires_repo.services import job_queue

    location = _common.session.jobs(jobs_root)
    job_queue.require_job(location, job_id)
    record = job_queue.wait(location, job_id, timeout=timeout)
    return _ended(record)


def _ended(record: Any) -> int:
    status = str(record.status)
    message = record.message
    text = f"job {record.id} {status}" + (f": {message}" if message else "")
    if status == "SUCCEEDED":
        _common.info(text)
        return 0
    if status in ("FAILED", "ABORTED"):
        _common.error(text)
    else:
        _common.error(f"{text} (still {status.lower()} after --timeout)")
    return 1


@app.command
def abort(
    job_ids: Annotated[tuple[str, ...], Parameter(name="ID")],
    /,
    *,
    jobs_root: JobsRoot = None,
) -> int:
    """Abort jobs: a queued job never starts; a running one stops within a few seconds and
    ends ABORTED. Exit code: the number of jobs that could not be aborted."""
    from vires_repo.errors import ViresRepoError
    from vires_repo.services import job_queue

    location = _common.session.jobs(jobs_root)
    failed = 0
    for job_id in job_ids:
        try:
            outcome = job_queue.abort(location, job_id)
        except ViresRepoError as error:
            _common.error(str(error))
            failed += 1
            continue
        if not outcome.aborted:  # (a queued job's transition to ABORTED is logged)
            _common.info(f"job {job_id} is running: abort requested")
    return min(failed, 255)


@app.command
def retry(
    job_ids: Annotated[tuple[str, ...], Parameter(name="ID")],
    /,
    *,
    user: User = None,
    jobs_root: JobsRoot = None,
) -> int:
    """Submit FAILED or ABORTED jobs again with the same parameters, each as a new job that
    names the old one; prints the new identifiers. Exit code: the number of jobs not retried.
    """
    from vires_repo.errors import ViresRepoError
    from vires_repo.services import job_queue

    location = _common.session.jobs(jobs_root)
    failed = 0
    for job_id in job_ids:
        try:
            record = job_queue.retry(location, _common.session.root(), job_id, owner=user)
        except ViresRepoError as error:
            _common.error(str(error))
            failed += 1
            continue
        _common.print_lines([record.id])
        _common.info(f"job {job_id} retried as job {record.id}")
    return min(failed, 255)


@app.command
def schedule(
    cron: Annotated[str, Parameter(name="CRON", help='5 cron fields (UTC), e.g. "0 3 * * *".')],
    name: Annotated[str, Parameter(name="NAME", help="The job type (see 'job types').")],
    /,
    *words: JobWords,
    user: User = None,
) -> None:
    """Schedule a job (a file under schedules/ in the catalogue); the same job with the same
    arguments again changes its crontab. The workers' scheduler submits it when due."""
    from vires_repo.services import schedules

    change = schedules.schedule(_common.session.catalog(), cron, name, words, owner=user)
    _common.info(change.message())


@app.command
def unschedule(
    name: Annotated[str, Parameter(name="NAME", help="The job type.")],
    /,
    *words: JobWords,
) -> None:
    """Remove the schedule of a job with exactly these arguments."""
    from vires_repo.services import schedules

    removed = schedules.unschedule(_common.session.catalog(), name, words)
    _common.info(f"Unscheduled Job {removed.label} with the following crontab: {removed.cron}")


@app.command
def scheduled() -> None:
    """List the schedules: 'Job LABEL ↦ CRON' (disabled ones marked)."""
    from vires_repo.services import schedules

    found = schedules.scheduled(_common.session.catalog())
    lines = [f"Job {s.label} ↦ {s.cron}" + ("" if s.enabled else " (disabled)") for s in found]
    _common.print_lines(lines)
