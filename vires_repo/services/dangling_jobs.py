"""The VirES ``dangling_job`` commands (reference 10.5): back-end jobs (folders under the jobs
root) that have no job record, listed, shown and removed.

Selection: the named identifiers (else every job the back-end knows) minus those with a record,
then the back-end filters active, finished and with-response.
"""

from __future__ import annotations

from dataclasses import dataclass

from vires_repo.errors import NotFoundError, ViresRepoError
from vires_repo.jobs.backend import BackendInfo, JobBackend, check_job_id
from vires_repo.jobs.location import JobsLocation
from vires_repo.jobs.records import JobQuery
from vires_repo.services._batch import BatchResult
from vires_repo.services.jobs import JobSelection
from vires_repo.services.messages import Messages

INFO_COLUMNS = ("identifier", "hasResponse", "finished", "active")
"""The columns of ``dangling_job info`` and the keys of ``dangling_job dump`` (VirES)."""


@dataclass(frozen=True)
class DanglingSelection:
    """The selection of ``dangling_job list|info|dump|remove`` (None = no filter)."""

    identifiers: tuple[str, ...] = ()
    active: bool | None = None
    finished: bool | None = None
    with_response: bool | None = None

    def keeps(self, info: BackendInfo) -> bool:
        filters = JobSelection(
            active=self.active, finished=self.finished, with_response=self.with_response
        )
        return filters.keeps(info)


def select_dangling(
    location: JobsLocation, selection: DanglingSelection
) -> list[tuple[str, BackendInfo]]:
    """The selected dangling jobs with their back-end state, by identifier. A named identifier
    that neither the back-end nor the records know is an error."""
    for identifier in selection.identifiers:
        check_job_id(identifier)
    known = JobBackend(location.storage()).list(selection.identifiers or None)
    with_record: set[str] = set()
    if known and location.database_exists():
        with location.open_records() as records:
            with_record = set(records.select_ids(JobQuery(ids=tuple(known))))
            if selection.identifiers:
                unknown = [i for i in selection.identifiers if i not in known]
                with_record |= set(records.select_ids(JobQuery(ids=tuple(unknown))))
    missing = [
        i for i in dict.fromkeys(selection.identifiers) if i not in known and i not in with_record
    ]
    if missing:
        noun, verb = ("job", "does") if len(missing) == 1 else ("jobs", "do")
        raise NotFoundError(f"{noun} {', '.join(missing)} {verb} not exist")
    return [
        (job_id, info)
        for job_id, info in known.items()
        if job_id not in with_record and selection.keeps(info)
    ]


def list_dangling(location: JobsLocation, selection: DanglingSelection) -> list[str]:
    """``dangling_job list``: the identifiers."""
    return [job_id for job_id, _ in select_dangling(location, selection)]


def dangling_info_rows(
    location: JobsLocation, selection: DanglingSelection
) -> list[tuple[str, bool, bool, bool]]:
    """``dangling_job info|dump``: (identifier, hasResponse, finished, active) per job."""
    return [
        (job_id, info.response_exists, info.is_finished, info.is_active)
        for job_id, info in select_dangling(location, selection)
    ]


def remove_dangling(
    location: JobsLocation,
    selection: DanglingSelection,
    all_: bool,
    say: Messages | None = None,
) -> BatchResult:
    """``dangling_job remove``: purge the folders of each selected dangling job (there is no
    record to delete). Without identifiers only with ``all_``."""
    say = say or Messages.logged("jobs")
    result = BatchResult(noun="dangling job")
    if not selection.identifiers and not all_:
        from vires_repo.services.definitions import NO_SELECTION_WARNING  # (loads the models)

        result.warnings.append(NO_SELECTION_WARNING.format(noun="job"))
        return result
    selected = select_dangling(location, selection)
    result.total = len(selected)
    backend = JobBackend(location.storage())
    for job_id, _ in selected:
        try:
            backend.purge(job_id)
        except (OSError, ViresRepoError) as error:
            result.fail(job_id, f"Failed to remove dangling job {job_id}! {error}")
            continue
        result.add("removed", job_id)
        say.info(f"dangling job {job_id} removed")
    return result
