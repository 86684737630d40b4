"""Job type ``register``: register the product files of a folder, glob or fsspec URL into a
collection (the CI registration as a job), one task per file.

Files already registered are skipped (``update=true`` re-registers them), so the job is safe
to run again after an interruption: the index is written once, at the end.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vires_repo.errors import NotFoundError
from vires_repo.jobs.job_type import JobContext, JobOutcome, JobType


class RegisterParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collection: str = Field(description="The collection the products belong to.")
    source: str = Field(description="A folder, a glob pattern or a file (path or fsspec URL).")
    update: bool = Field(default=False, description="Re-register registered products.")
    ignore_overlaps: bool = Field(default=False, description="Keep overlapping products.")
    skip_post_registration_actions: bool = Field(
        default=False, description="Do not update the orbit-direction tables."
    )


def run(context: JobContext, parameters: RegisterParameters) -> JobOutcome:
    from vires_repo.catalog import Catalog
    from vires_repo.io.locations import list_files
    from vires_repo.products.locations import product_identifier
    from vires_repo.services.product_registration import register_products

    try:
        files = list_files(parameters.source)
    except FileNotFoundError:
        raise NotFoundError(f"source {parameters.source}: no such file or folder") from None
    names = [product_identifier(location) for location in files]
    context.set_tasks(names)
    result = register_products(
        Catalog(context.catalog_root),
        parameters.collection,
        files,
        update=parameters.update,
        ignore_overlaps=parameters.ignore_overlaps,
        skip_post_registration_actions=parameters.skip_post_registration_actions,
        progress=context.progress,
    )
    failed = dict(result.failures)
    for seq, name in enumerate(names):
        context.task_done(seq, failed=failed.get(name))
    return JobOutcome(" ".join(result.summary_lines()), failed=bool(result.failures))


JOB_TYPE = JobType(
    name="register",
    summary="Register the product files of a folder, glob or URL into a collection.",
    parameters=RegisterParameters,
    run=run,
    rerun_safe=True,
)
