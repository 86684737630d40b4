"""Job type ``orbit_direction_sync``: bring the orbit-direction tables in line with their
source collections (as ``orbit_direction sync``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vires_repo.jobs.job_type import JobContext, JobOutcome, JobType


class SyncParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collections: list[str] = Field(default_factory=list, description="Source collections.")
    mission: list[str] = Field(default_factory=list, description="Missions to select.")
    spacecraft: list[str] = Field(default_factory=list, description="Spacecrafts to select.")
    grade: list[str] = Field(default_factory=list, description="Grades to select.")


def run(context: JobContext, parameters: SyncParameters) -> JobOutcome:
    from vires_repo.catalog import Catalog
    from vires_repo.definitions.selection import CollectionFilter
    from vires_repo.services.orbit_direction import maintenance

    selection = CollectionFilter(
        identifiers=tuple(parameters.collections),
        missions=tuple(parameters.mission),
        spacecrafts=tuple(parameters.spacecraft),
        grades=tuple(parameters.grade),
    )
    result = maintenance.sync_tables(Catalog(context.catalog_root), selection)
    return JobOutcome(" ".join(result.summary_lines()), failed=result.exit_code != 0)


JOB_TYPE = JobType(
    name="orbit_direction_sync",
    summary="Synchronize the orbit-direction tables with their source collections.",
    parameters=SyncParameters,
    run=run,
    rerun_safe=True,
)
