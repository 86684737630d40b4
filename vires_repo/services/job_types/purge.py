"""Job type ``purge``: remove for good what the catalogue only hid or left behind (as
``purge``), e.g. ``purge policies=true`` every night. The lines of the report (one per item
removed) are the job's output ``purged.txt``; the counts are its message."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vires_repo.jobs.job_type import JobContext, JobOutcome, JobType


class PurgeParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    products: bool = Field(default=False, description="De-registered product records.")
    cached_products: bool = Field(default=False, description="Superseded cached-product files.")
    jobs: bool = Field(default=False, description="Jobs that ended more than older_than ago.")
    policies: bool = Field(default=False, description="Apply the retention policies.")
    older_than: str | None = Field(default=None, description="ISO-8601 duration, e.g. P30D.")
    dry_run: bool = Field(default=False, description="List what would go, remove nothing.")

    @field_validator("older_than")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        from vires_repo.timespec import parse_duration

        if value is not None:
            parse_duration(value)
        return value


def run(context: JobContext, parameters: PurgeParameters) -> JobOutcome:
    from vires_repo.catalog import Catalog
    from vires_repo.services.purge import PurgeOptions, purge
    from vires_repo.timespec import parse_duration

    options = PurgeOptions(
        products=parameters.products,
        cached_products=parameters.cached_products,
        jobs=parameters.jobs,
        policies=parameters.policies,
        older_than=None if parameters.older_than is None else parse_duration(parameters.older_than),
        dry_run=parameters.dry_run,
    )
    report = purge(Catalog(context.catalog_root), options, jobs_root=context.jobs.root)
    context.publish("purged.txt", "".join(f"{line}\n" for line in report.lines).encode())
    notes = [f"{s.title}: {'; '.join(s.notes)}" for s in report.sections if s.notes]
    return JobOutcome(". ".join(notes))


JOB_TYPE = JobType(
    name="purge",
    summary="Purge deleted products, superseded cached products, old jobs (as 'purge').",
    parameters=PurgeParameters,
    run=run,
    rerun_safe=True,
)
