"""The VirES job commands: list, info, dump and remove job records with their back-end state,
and purge finished jobs (also the ``job_purge`` job type)."""

from __future__ import annotations

from vires_repo.jobs.location import JobsLocation


def locate(catalog_root: str, jobs_root: str | None = None) -> JobsLocation:
    """Where the jobs of the catalogue at ``catalog_root`` live (see
    :mod:`vires_repo.jobs.location`)."""
    return JobsLocation.resolve(catalog_root, jobs_root)
