"""Job type ``mirror``: make the catalogue at ``dest`` a copy of the one at ``source`` (as
``mirror``). It writes the destination, not this catalogue, so it runs in maintenance mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from vires_repo.jobs.job_type import JobContext, JobOutcome, JobType

if TYPE_CHECKING:
    from vires_repo.replication.copy import CopyResult


class MirrorParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="The catalogue copied (folder or URL).")
    dest: str = Field(description="The catalogue made a copy of it (folder or URL).")
    dry_run: bool = Field(default=False, description="Plan only, change nothing.")
    purge: bool = Field(default=False, description="Remove files the source does not have.")
    check_checksum: bool = Field(default=False, description="Hash every file again.")
    force_ops: bool = Field(default=False, description="Allow an ops destination.")


def run(context: JobContext, parameters: MirrorParameters) -> JobOutcome:
    from vires_repo.services.mirror import mirror

    result = mirror(
        parameters.source,
        parameters.dest,
        dry_run=parameters.dry_run,
        purge=parameters.purge,
        check_checksum=parameters.check_checksum,
        force_ops=parameters.force_ops,
    )
    return copy_outcome(result, dry_run=parameters.dry_run, repaired=True)


def copy_outcome(result: CopyResult, *, dry_run: bool, repaired: bool) -> JobOutcome:
    """The outcome of a copy (mirror, sync): its plan's summary, FAILED when it found damaged
    destination files that it did not copy again."""
    summary = result.plan.summary()
    if not dry_run:
        summary = summary.replace(" to copy", " copied").replace(" to remove", " removed")
    if result.damaged:
        summary += f"; {len(result.damaged)} damaged file(s): {', '.join(result.damaged[:5])}"
    return JobOutcome(summary, failed=bool(result.damaged) and not repaired)


JOB_TYPE = JobType(
    name="mirror",
    summary="Make the catalogue at DEST a copy of the one at SOURCE (as 'mirror').",
    parameters=MirrorParameters,
    run=run,
    rerun_safe=True,
    writes_catalogue=False,
)
