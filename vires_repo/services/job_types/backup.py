"""Job type ``backup``: a dated backup of the catalogue (as ``backup create``), so that it can
be scheduled. It reads the catalogue (as ``backup create``, it runs in maintenance mode too)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vires_repo.jobs.job_type import JobContext, JobOutcome, JobType


class BackupParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dest: str | None = Field(default=None, description="Destination URL (VIRES_BACKUP_DEST).")
    tag: str | None = Field(default=None, description="Tag appended to the backup's name.")
    keep_days: int = Field(default=550, description="Prune backups older than this.")
    force: bool = Field(default=False, description="Back up an inconsistent catalogue too.")


def run(context: JobContext, parameters: BackupParameters) -> JobOutcome:
    from vires_repo.catalog import Catalog
    from vires_repo.services import backup

    created = backup.create(
        Catalog(context.catalog_root),
        backup.destination(parameters.dest),
        tag=parameters.tag,
        keep_days=parameters.keep_days,
        force=parameters.force,
    )
    for identifier in created.pruned:
        context.message(f"pruned backup {identifier}")
    return JobOutcome(created.summary())


JOB_TYPE = JobType(
    name="backup",
    summary="Back the catalogue up into a dated folder at DEST (as 'backup create').",
    parameters=BackupParameters,
    run=run,
    rerun_safe=True,
    writes_catalogue=False,
)
