"""``vires-repo dangling_job``: back-end jobs (folders under the jobs root) without a job record:
list, info, dump, remove (VirES reference 10.5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from cyclopts import App, Parameter

from vires_repo.cli import _common
from vires_repo.cli._options import JobsRoot, OutputFile
from vires_repo.cli.job import AllFlag, Identifiers, tri_state

if TYPE_CHECKING:
    from vires_repo.services.dangling_jobs import DanglingSelection

app = App(name="dangling_job", help="Back-end jobs without a job record: list, info, dump, remove.")


@Parameter(name="*")
@dataclass
class DanglingOptions:
    """The back-end filters of the dangling_job commands."""

    active: Annotated[bool | None, tri_state("--active", "--not-active")] = None
    "Only jobs running now (a scratch folder exists) / only jobs not running."
    finished: Annotated[bool | None, tri_state("--finished", "--not-finished")] = None
    "Only jobs no longer queued or running / only queued or running jobs."
    with_response: Annotated[bool | None, tri_state("--with-response", "--without-response")] = None
    "Only jobs with a response document / only jobs without one."

    def build(self, identifiers: list[str] | None) -> DanglingSelection:
        from vires_repo.services.dangling_jobs import DanglingSelection

        return DanglingSelection(
            identifiers=tuple(identifiers or ()),
            active=self.active,
            finished=self.finished,
            with_response=self.with_response,
        )


@app.command(name="list")
def list_(
    identifiers: Identifiers = None,
    /,
    *,
    options: DanglingOptions | None = None,
    jobs_root: JobsRoot = None,
) -> None:
    """Print the identifiers of the dangling jobs (sorted), one per line."""
    from vires_repo.services import dangling_jobs

    selection = (options or DanglingOptions()).build(identifiers)
    location = _common.session.jobs(jobs_root)
    _common.print_lines(dangling_jobs.list_dangling(location, selection))


@app.command
def info(
    identifiers: Identifiers = None,
    /,
    *,
    options: DanglingOptions | None = None,
    jobs_root: JobsRoot = None,
) -> None:
    """Print the dangling jobs as CSV (header always): identifier, hasResponse (its response
    document exists), finished (it is no longer queued or running), active (it is running)."""
    from vires_repo.services import dangling_jobs, jobs

    selection = (options or DanglingOptions()).build(identifiers)
    rows = dangling_jobs.dangling_info_rows(_common.session.jobs(jobs_root), selection)
    _common.write_output("-", jobs.csv_text(dangling_jobs.INFO_COLUMNS, rows))


@app.command
def dump(
    identifiers: Identifiers = None,
    /,
    *,
    file: OutputFile = "-",
    options: DanglingOptions | None = None,
    jobs_root: JobsRoot = None,
) -> None:
    """Write the dangling jobs as a JSON list of objects with the keys identifier, hasResponse,
    finished and active (true/false)."""
    from vires_repo import jsonio
    from vires_repo.services import dangling_jobs

    selection = (options or DanglingOptions()).build(identifiers)
    rows = dangling_jobs.dangling_info_rows(_common.session.jobs(jobs_root), selection)
    objects: list[dict[str, str | bool | None]] = [
        dict(zip(dangling_jobs.INFO_COLUMNS, row, strict=True)) for row in rows
    ]
    _common.write_output(file, jsonio.dumps_objects(objects))


@app.command
def remove(
    identifiers: Identifiers = None,
    /,
    *,
    all_: AllFlag = False,
    options: DanglingOptions | None = None,
    jobs_root: JobsRoot = None,
) -> int:
    """Remove the folders (queue entry, scratch, outputs) of the selected dangling jobs.

    Without identifiers nothing is removed unless --all is given. Exit code: the number of jobs
    that could not be removed.

    Parameters
    ----------
    all_
        Remove every dangling job the other options select.
    """
    from vires_repo.services import dangling_jobs

    selection = (options or DanglingOptions()).build(identifiers)
    location = _common.session.jobs(jobs_root)
    return _common.report(dangling_jobs.remove_dangling(location, selection, all_))
