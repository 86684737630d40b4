"""Where the jobs live: the jobs root (the back-end's job folders) and the records database.

* jobs root: ``--jobs-root``, else ``$VIRES_JOBS_ROOT``, else ``<catalogue>/.state/jobs`` (runtime
  state, outside git); a local folder or any fsspec URL (``s3://bucket/jobs`` for outputs on an
  object store shared by several machines);
* database of the records and of the queue: ``$VIRES_JOBS_DB`` (``postgresql://...`` for a shared
  deployment), else the SQLite file ``<jobs root>/jobs.sqlite`` when the jobs root is local. A
  jobs root on an object store needs ``VIRES_JOBS_DB``: SQLite cannot live there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vires_repo.environment import variables
from vires_repo.errors import SettingsError
from vires_repo.io.database import is_database_url, redacted, sqlite_url

if TYPE_CHECKING:
    from vires_repo.io.storage import Storage
    from vires_repo.jobs.records import JobRecords

JOBS_FOLDER = ".state/jobs"
"""The default jobs root below the catalogue root."""
SQLITE_FILE = "jobs.sqlite"
ENVIRONMENT = ("jobs_root", "jobs_db")
"""The settings read (strings, whatever they hold): read without validating the others, so that
the job read commands import no pydantic."""


def _local_path(root: str) -> str | None:
    """The absolute local path of ``root``, or None if it is a remote URL."""
    if root.startswith("file://"):
        root = root[len("file://") :]
    elif "://" in root:
        return None
    return str(Path(root).absolute())


@dataclass(frozen=True)
class JobsLocation:
    """The jobs root (a local absolute path or an fsspec URL) and the records database URL."""

    root: str
    database_url: str

    @classmethod
    def resolve(cls, catalog_root: str, jobs_root: str | None = None) -> JobsLocation:
        """The location for a catalogue: the option, the environment, then the defaults."""
        environment = variables(ENVIRONMENT)
        root = (
            jobs_root or environment.get("jobs_root") or f"{catalog_root.rstrip('/')}/{JOBS_FOLDER}"
        )
        local = _local_path(root)
        if local is not None:
            root = local
        database = environment.get("jobs_db")
        if database is None:
            if local is None:
                raise SettingsError(
                    f"jobs root {root} is not a local folder, so the job records cannot be a "
                    "SQLite file there: set VIRES_JOBS_DB=postgresql://USER:PASSWORD@HOST/DB"
                )
            database = sqlite_url(f"{local}/{SQLITE_FILE}")
        elif not is_database_url(database):
            raise SettingsError(
                f"environment variable VIRES_JOBS_DB={redacted(database)!r} is invalid: "
                "expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE or sqlite:///PATH"
            )
        return cls(root=root, database_url=database)

    @property
    def is_local(self) -> bool:
        return "://" not in self.root

    def storage(self) -> Storage:
        """The jobs root as a storage (for the back-end folders)."""
        from vires_repo.io.storage import Storage

        return Storage(self.root)

    def database_exists(self) -> bool:
        """False only for a SQLite database whose file is not there yet (nothing was ever
        submitted): readers then see no jobs without creating the file."""
        if not self.database_url.startswith("sqlite:///"):
            return True
        return Path(self.database_url[len("sqlite:///") :]).exists()

    def open_records(self) -> JobRecords:
        """The job records (creating the database, and a local jobs root that git ignores,
        on first use)."""
        from vires_repo.jobs.records import JobRecords

        if self.is_local and not self.database_exists():
            storage = self.storage()
            if not storage.exists(".gitignore"):  # runtime state, never committed
                storage.write_bytes(".gitignore", b"*\n")
        return JobRecords.open(self.database_url)
