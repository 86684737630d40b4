"""Job type ``sleep``: waits, reporting progress, and succeeds (or fails with ``fail=true``):
a diagnostic, as udata's ``log-test`` and ``error-test``, for checking that workers take,
run, abort and hand back jobs, and for the queue benchmark (``sleep 0`` is a trivial job)."""

from __future__ import annotations

import time

from pydantic import BaseModel, ConfigDict, Field

from vires_repo.errors import ViresRepoError
from vires_repo.jobs.job_type import JobContext, JobOutcome, JobType

_STEP = 0.1


class SleepParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seconds: float = Field(default=0.0, ge=0, le=86400, description="How long to wait.")
    fail: bool = Field(default=False, description="Fail at the end instead of succeeding.")


def run(context: JobContext, parameters: SleepParameters) -> JobOutcome:
    steps = int(parameters.seconds / _STEP + 0.5)
    for step in range(steps):
        context.progress(step, steps)
        time.sleep(_STEP)
    if parameters.fail:
        raise ViresRepoError(f"failed on request after {parameters.seconds:g} s")
    return JobOutcome(f"slept {parameters.seconds:g} s")


JOB_TYPE = JobType(
    name="sleep",
    summary="Wait SECONDS seconds (a diagnostic of the queue and the workers).",
    parameters=SleepParameters,
    run=run,
    rerun_safe=True,
    writes_catalogue=False,
)
