"""Job type ``sync``: bring this catalogue, a read-only replica, in step with ``source`` (as
``sync``); a held replica lock fails the job at once, naming the holder."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vires_repo.jobs.job_type import JobContext, JobOutcome, JobType
from vires_repo.services.job_types.mirror import copy_outcome


class SyncParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="The authoritative catalogue (folder or URL).")
    collections: list[str] = Field(default_factory=list, description="Only these collections.")
    check_checksum: bool = Field(default=False, description="Hash every file again.")
    repair: bool = Field(default=False, description="Copy damaged replica files again.")
    dry_run: bool = Field(default=False, description="Plan only, change nothing.")
    push_state: bool = Field(default=False, description="Record the replica's state at source.")


def run(context: JobContext, parameters: SyncParameters) -> JobOutcome:
    from vires_repo.catalog import Catalog
    from vires_repo.services.sync import sync

    result = sync(
        Catalog(context.catalog_root),
        parameters.source,
        collections=parameters.collections,
        check_checksum=parameters.check_checksum,
        repair=parameters.repair,
        dry_run=parameters.dry_run,
        push_state=parameters.push_state,
    )
    return copy_outcome(result, dry_run=parameters.dry_run, repaired=parameters.repair)


JOB_TYPE = JobType(
    name="sync",
    summary="Bring this replica in step with the catalogue at SOURCE (as 'sync').",
    parameters=SyncParameters,
    run=run,
    rerun_safe=True,
)
