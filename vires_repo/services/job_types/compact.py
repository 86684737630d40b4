"""Job type ``compact``: merge the index files of collections (as ``product compact``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vires_repo.jobs.job_type import JobContext, JobOutcome, JobType


class CompactParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collections: list[str] = Field(
        default_factory=list, description="Collections to compact (default: all)."
    )


def run(context: JobContext, parameters: CompactParameters) -> JobOutcome:
    from vires_repo.catalog import Catalog
    from vires_repo.services.product import compact

    lines = compact(Catalog(context.catalog_root), parameters.collections)
    for line in lines:
        context.message(line)
    return JobOutcome(f"{len(lines)} product index(es) compacted")


JOB_TYPE = JobType(
    name="compact",
    summary="Compact the product index of collections (as 'product compact').",
    parameters=CompactParameters,
    run=run,
    rerun_safe=True,
)
