"""Job type ``cached_product_update``: convert source files into a cached product (as
``cached_product update TYPE SOURCE...``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vires_repo.jobs.job_type import JobContext, JobOutcome, JobType


class CachedProductParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="Cached product type, e.g. GFZ_AUX_KP.")
    sources: list[str] = Field(min_length=1, description="Source files (paths or URLs).")


def run(context: JobContext, parameters: CachedProductParameters) -> JobOutcome:
    from vires_repo.catalog import Catalog
    from vires_repo.services import cached_product

    result = cached_product.update_cached_product(
        Catalog(context.catalog_root), parameters.type, parameters.sources
    )
    return JobOutcome(result.summary())


JOB_TYPE = JobType(
    name="cached_product_update",
    summary="Convert source files into a cached product (as 'cached_product update').",
    parameters=CachedProductParameters,
    run=run,
    rerun_safe=True,
)
