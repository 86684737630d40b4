"""Job type ``sleep_no_rerun``: ``sleep`` declared unsafe to rerun, the diagnostic of what a
worker's death does to such a job (FAILED, where a rerun-safe job is queued again)."""

from __future__ import annotations

from vires_repo.jobs.job_type import JobType
from vires_repo.services.job_types.sleep import SleepParameters, run

JOB_TYPE = JobType(
    name="sleep_no_rerun",
    summary="As 'sleep', but never run again after an interruption (a diagnostic).",
    parameters=SleepParameters,
    run=run,
    rerun_safe=False,
    writes_catalogue=False,
)
