"""Job type ``check``: the catalogue's integrity checks, one task per check; the job is
FAILED when a check of severity ``error`` finds a problem."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vires_repo.jobs.job_type import JobContext, JobOutcome, JobType


class CheckParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    only: list[str] = Field(default_factory=list, description="Run only these checks.")
    skip: list[str] = Field(default_factory=list, description="Skip these checks.")
    files: bool = Field(default=False, description="Also check that data files exist.")


def run(context: JobContext, parameters: CheckParameters) -> JobOutcome:
    from vires_repo.catalog import Catalog
    from vires_repo.services.check import CheckOptions, run_checks, select_checks

    catalog = Catalog(context.catalog_root)
    options = CheckOptions(files=parameters.files)
    checks = select_checks(parameters.only, parameters.skip)
    context.set_tasks([check.identifier for check in checks])
    errors = warnings = 0
    for seq, check in enumerate(checks):
        context.progress(seq, len(checks))
        context.task_started(seq)
        outcome = run_checks(catalog, [check], options).outcomes[0]
        problems = "; ".join(outcome.problems[:5]) or None
        if check.severity == "error":
            errors += len(outcome.problems)
            context.task_done(seq, failed=problems)
        else:
            warnings += len(outcome.problems)
            context.task_done(seq)
    return JobOutcome(f"{errors} error(s), {warnings} warning(s)", failed=errors > 0)


JOB_TYPE = JobType(
    name="check",
    summary="Check the catalogue's integrity (as 'vires-repo check'); FAILED on any error.",
    parameters=CheckParameters,
    run=run,
    rerun_safe=True,
    writes_catalogue=False,
)
