"""Job type ``job_purge``: remove the outputs, folders and records of the jobs that finished
more than ``older_than`` ago (``job purge --older-than``, as a job so that it can be
scheduled: accsyn archives finished jobs after 14 days)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vires_repo.jobs.job_type import JobContext, JobOutcome, JobType


class PurgeParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    older_than: str = Field(default="P14D", description="ISO-8601 duration, e.g. P14D.")

    @field_validator("older_than")
    @classmethod
    def _duration(cls, value: str) -> str:
        from vires_repo.timespec import parse_duration

        parse_duration(value)
        return value


def run(context: JobContext, parameters: PurgeParameters) -> JobOutcome:
    from vires_repo.services.jobs import purge_jobs
    from vires_repo.timespec import parse_duration

    result = purge_jobs(context.jobs, parse_duration(parameters.older_than))
    return JobOutcome(" ".join(result.summary_lines()), failed=bool(result.failures))


JOB_TYPE = JobType(
    name="job_purge",
    summary="Purge the jobs that finished more than OLDER_THAN (default P14D) ago.",
    parameters=PurgeParameters,
    run=run,
    rerun_safe=True,
    writes_catalogue=False,
)
