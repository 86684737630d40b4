"""Jobs and the catalogue's maintenance mode (:mod:`vires_repo.maintenance`).

While the catalogue is in maintenance mode a job type that writes it
(:attr:`~vires_repo.jobs.job_type.JobType.writes_catalogue`) is refused when submitted and,
if it was queued before, fails when a worker takes it, with the reason; readers (checks,
extractions, backups, mirrors from it) keep working. The scheduler skips every schedule
with a log line (:func:`vires_repo.jobs.worker.fire_schedules`).
"""

from __future__ import annotations

from vires_repo.errors import MaintenanceError
from vires_repo.jobs.job_type import JobType
from vires_repo.maintenance import maintenance_reason


def refuse_writer_during_maintenance(job_type: JobType, catalog_root: str) -> None:
    """MaintenanceError with the reason when ``job_type`` writes the catalogue and the
    catalogue is in maintenance mode (readers keep working)."""
    if not job_type.writes_catalogue:
        return
    reason = maintenance_reason(catalog_root)
    if reason is not None:
        raise MaintenanceError(
            f"job type {job_type.name} writes the catalogue {catalog_root}, which is in "
            f"maintenance mode {reason} (refused until 'vires-repo maintenance off')"
        )
