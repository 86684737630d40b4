"""Configuration read from the environment: the one place that validates ``VIRES_*`` variables
(:mod:`vires_repo.environment` reads them).

Read when used, never at import (a bad value must not break ``import vires_repo`` or
``--help``): :func:`load_settings` validates every variable and turns a bad value into a
:class:`~vires_repo.errors.SettingsError` naming the variable and the value, which the CLI
prints as one ``ERROR:`` line.

=========================  ===========  ====================================================
variable                   default      meaning
=========================  ===========  ====================================================
``VIRES_CATALOG``          ./catalog    catalogue root (a folder or an fsspec URL)
``VIRES_LOCK_TIMEOUT``     60           seconds a writer waits for the catalogue lock
``VIRES_LOCK_STALE_AFTER`` 300          seconds after which an object-store lock that was not
                                        renewed counts as abandoned
``VIRES_METADATA_TIMEOUT`` 30           seconds ``product register`` may spend reading one
                                        file's metadata before that file fails
``VIRES_BACKUP_DEST``      (none)       where ``backup`` keeps the backups (folder or URL)
``VIRES_JOBS_ROOT``        (see right)  the jobs root (job folders, and the SQLite database of
                                        the records and the queue when local): a folder or an
                                        fsspec URL; default ``<catalogue>/.state/jobs``
``VIRES_JOBS_DB``          (see right)  the database of the job records and the queue:
                                        ``postgresql://...`` for a shared deployment; default
                                        ``sqlite:///<jobs root>/jobs.sqlite`` (local roots only)
``VIRES_MAX_QUEUED_JOBS``  64           jobs queued at most; beyond, submission is refused
``VIRES_MAX_ACTIVE_JOBS``  2            jobs one owner may have queued or running (VirES)
``VIRES_JOB_HEARTBEAT_``   1            seconds between two heartbeats of a running job
``INTERVAL``
``VIRES_JOB_HEARTBEAT_``   30           seconds without heartbeat after which a running job
``TIMEOUT``                             counts as lost with its worker
``VIRES_WORKER_SHUTDOWN_`` 30           seconds SIGTERM lets running jobs finish before the
``TIMEOUT``                             worker hands them back
=========================  ===========  ====================================================
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vires_repo.environment import DEFAULT_CATALOG, ENV_PREFIX, variables
from vires_repo.errors import SettingsError


class Settings(BaseModel):
    """The ``VIRES_*`` environment variables (see the module docstring), validated by
    pydantic from :func:`environment` (pydantic-settings would read them the same way but
    costs 40 ms of imports, asyncio and argparse among them, in every writing command)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    catalog: str = DEFAULT_CATALOG
    lock_timeout: float = Field(default=60.0, ge=0, allow_inf_nan=False)
    lock_stale_after: float = Field(default=300.0, gt=0, allow_inf_nan=False)
    metadata_timeout: float = Field(default=30.0, gt=0, allow_inf_nan=False)
    """A good file's metadata take well under a second even on a network file system; cdflib
    can loop on rare corrupted files, and one such file must not hold up the batch."""
    backup_dest: str | None = None
    """Default ``--dest`` of the ``backup`` commands."""
    # -- jobs (vires_repo.jobs.location resolves the defaults) --
    jobs_root: str | None = None
    jobs_db: str | None = None
    # -- the job queue and the workers --
    max_queued_jobs: int = Field(default=64, ge=1)
    max_active_jobs: int = Field(default=2, ge=1)
    job_heartbeat_interval: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    job_heartbeat_timeout: float = Field(default=30.0, gt=0, allow_inf_nan=False)
    worker_shutdown_timeout: float = Field(default=30.0, ge=0, allow_inf_nan=False)


def environment() -> dict[str, str]:
    """The ``VIRES_*`` variables of the settings by field name (see
    :func:`vires_repo.environment.variables`)."""
    return variables(Settings.model_fields)


def load_settings() -> Settings:
    """The settings as the environment gives them now; a bad value raises SettingsError."""
    try:
        return Settings.model_validate(environment())
    except ValidationError as error:
        first = error.errors()[0]
        variable = f"{ENV_PREFIX}{str(first['loc'][0]).upper()}"
        raise SettingsError(
            f"environment variable {variable}={first['input']!r} is invalid: {first['msg']}"
        ) from None
