"""``vires-repo worker``: start the queue's workers in the foreground, show their status."""

from __future__ import annotations

import logging
import sys
import time
from typing import Annotated

from cyclopts import App, Parameter, validators

from vires_repo.cli import _common
from vires_repo.cli._options import JobsRoot

app = App(name="worker", help="The job workers: start (foreground), status.")


@app.command
def start(
    *,
    workers: Annotated[
        int, Parameter(name=["--workers", "-n"], validator=validators.Number(gte=1, lte=64))
    ] = 1,
    jobs_root: JobsRoot = None,
) -> int:
    """Run N worker processes and the scheduler in the foreground, logging one line per job
    transition, until SIGTERM or Ctrl-C.

    SIGTERM lets running jobs finish (up to VIRES_WORKER_SHUTDOWN_TIMEOUT seconds), Ctrl-C
    interrupts them; an interrupted job goes back to the queue if its type is rerun-safe,
    else it ends FAILED. Either way the command exits 0. The scheduler submits the jobs of
    the catalogue's schedules and settles jobs whose worker died (no heartbeat for
    VIRES_JOB_HEARTBEAT_TIMEOUT seconds) the same way.

    Parameters
    ----------
    workers
        Number of worker processes (jobs run in parallel).
    """
    from vires_repo.services import workers as service

    _timestamped_logs()
    service.start(_common.session.jobs(jobs_root), _common.session.root(), workers)
    return 0


def _timestamped_logs() -> None:
    """The worker's log lines carry the time (UTC) and the process."""
    formatter = logging.Formatter(
        "%(asctime)s.%(msecs)03dZ [%(process)d] %(levelname)s: %(message)s", "%Y-%m-%dT%H:%M:%S"
    )
    formatter.converter = time.gmtime
    for handler in logging.getLogger(_common.LOGGER_NAME).handlers:
        handler.setFormatter(formatter)
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sys.stderr)


@app.command
def status(*, jobs_root: JobsRoot = None) -> None:
    """Show the queued jobs (in the order they will run), the running jobs, the scheduled
    jobs with their next run, and the live worker processes with their last heartbeat."""
    from vires_repo.services import workers as service

    found = service.status(_common.session.jobs(jobs_root), _common.session.root())
    lines = [f"queued: {len(found.queued)}"]
    lines += [
        f"  {r.id} {r.process_id} owner={r.owner or '-'} submitted={r.submitted.isoformat()}"
        for r in found.queued
    ]
    lines.append(f"running: {len(found.running)}")
    lines += [
        f"  {r.id} {r.process_id} owner={r.owner or '-'} worker={r.worker} "
        f"progress={r.progress}% heartbeat={r.heartbeat.isoformat() if r.heartbeat else '-'}"
        + (f" message={r.message!r}" if r.message else "")
        for r in found.running
    ]
    lines.append(f"scheduled: {len(found.scheduled)}")
    lines += [f"  Job {s.label} ↦ {s.cron} next={t.isoformat()}" for s, t in found.scheduled]
    lines.append(f"workers: {len(found.workers)}")
    lines += [
        f"  {name} heartbeat={state.get('heartbeat')} job={state.get('job') or '-'}"
        for name, state in found.workers.items()
    ]
    _common.print_lines(lines)
