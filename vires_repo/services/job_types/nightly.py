"""Job type ``nightly``: the nightly operations (``info``, ``check --files``, ``backup
create``, ``purge --policies``, ``sync`` of the replicas; :mod:`vires_repo.services.nightly`,
the code of ``scripts/ci_nightly.py`` too), one task per step, so that a worker does what the
``nightly`` workflow does: ``job schedule "0 2 * * *" nightly replicas=/srv/replica``.

The job's output ``summary.md`` is the workflow's job summary; it is FAILED when a step
failed (after all of them ran). As a writer (purge) it is refused in maintenance mode, and
the scheduler skips it then.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vires_repo.jobs.job_type import JobContext, JobOutcome, JobType


class NightlyParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backup_dest: str | None = Field(
        default=None, description="Where backups go (default VIRES_BACKUP_DEST; none: no backup)."
    )
    replicas: list[str] = Field(default_factory=list, description="Replicas to sync (URLs).")


def run(context: JobContext, parameters: NightlyParameters) -> JobOutcome:
    from vires_repo.catalog import Catalog
    from vires_repo.services.nightly import NightlyStep, run_nightly, step_names
    from vires_repo.settings import load_settings

    backup_dest = parameters.backup_dest or load_settings().backup_dest
    names = step_names(backup_dest, parameters.replicas)
    context.set_tasks(names)
    done: list[NightlyStep] = []

    def on_step(step: NightlyStep) -> None:
        seq = len(done)
        done.append(step)
        context.task_done(seq, failed=step.figures if step.failed else None)
        context.progress(len(done), len(names))

    report = run_nightly(
        Catalog(context.catalog_root),
        backup_dest=backup_dest,
        replicas=parameters.replicas,
        on_step=on_step,
    )
    context.publish("summary.md", "".join(f"{line}\n" for line in report.summary_lines()).encode())
    if report.skipped is not None:
        return JobOutcome(f"skipped: the catalogue is in maintenance mode {report.skipped}")
    failed = [step.name for step in report.steps if step.failed]
    ran = f"{len(report.steps)} step(s) ran"
    return JobOutcome(
        f"{ran}, failed: {', '.join(failed)}" if failed else f"{ran}, all ok", failed=bool(failed)
    )


JOB_TYPE = JobType(
    name="nightly",
    summary="The nightly operations: info, check --files, backup, purge --policies, syncs.",
    parameters=NightlyParameters,
    run=run,
    rerun_safe=True,
)
