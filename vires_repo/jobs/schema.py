"""The schema of the job records, the same on SQLite and PostgreSQL (the seam maps the column
kinds ``text``, ``time``, ``int``, ``bigint``, ``bool`` to each engine's types).

``vires_jobs``: one row per job (the VirES ``Job`` columns and the job service's own);
``vires_job_tasks``: one row per task, keyed by (job_id, seq); ``vires_jobs_schema``: the schema
version, checked on every open so that an older vires-repo never writes a newer schema.
"""

from __future__ import annotations

from collections.abc import Sequence

from vires_repo.errors import JobsDatabaseError
from vires_repo.io.database import Database

SCHEMA_VERSION = 1
JOBS_TABLE = "vires_jobs"
TASKS_TABLE = "vires_job_tasks"
SCHEMA_TABLE = "vires_jobs_schema"
SCHEMA_LOCK = 0x76697265
"""PostgreSQL advisory lock key ("vire") serializing the creation of the schema."""
SUBMISSION_LOCK = SCHEMA_LOCK + 1
"""Advisory lock key serializing submissions (limits checked, then the job inserted)."""

# (column, kind, constraint) in table order; the kinds are the seam's (Database.types)
JOB_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "text", "PRIMARY KEY"),
    ("process_id", "text", "NOT NULL"),
    ("owner", "text", ""),
    ("status", "text", "NOT NULL"),
    ("submitted", "time", "NOT NULL"),
    ("started", "time", ""),
    ("ended", "time", ""),
    ("response_url", "text", ""),
    ("parameters", "text", "NOT NULL DEFAULT '{}'"),
    ("progress", "int", "NOT NULL DEFAULT 0"),
    ("tasks_done", "int", "NOT NULL DEFAULT 0"),
    ("tasks_failed", "int", "NOT NULL DEFAULT 0"),
    ("tasks_total", "int", "NOT NULL DEFAULT 0"),
    ("output_size", "bigint", "NOT NULL DEFAULT 0"),
    ("message", "text", ""),
    ("retry_of", "text", ""),
    ("worker", "text", ""),
    ("heartbeat", "time", ""),
    ("abort_requested", "bool", "NOT NULL DEFAULT FALSE"),
)
TASK_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("job_id", "text", "NOT NULL"),
    ("seq", "int", "NOT NULL"),
    ("name", "text", "NOT NULL"),
    ("status", "text", "NOT NULL"),
    ("started", "time", ""),
    ("ended", "time", ""),
    ("message", "text", ""),
)


def schema_statements(types: dict[str, str]) -> list[str]:
    """The DDL of the three tables and their indexes, with the engine's column ``types``."""

    def table(name: str, columns: Sequence[tuple[str, str, str]], extra: str = "") -> str:
        body = ", ".join(f"{c} {types[k]} {rule}".strip() for c, k, rule in columns)
        return f"CREATE TABLE {name} ({body}{extra})"

    return [
        table(JOBS_TABLE, JOB_COLUMNS),
        f"CREATE INDEX {JOBS_TABLE}_status ON {JOBS_TABLE} (status)",
        f"CREATE INDEX {JOBS_TABLE}_owner_status ON {JOBS_TABLE} (owner, status)",
        # (submitted, id): the order of every listing, read from the index alone
        f"CREATE INDEX {JOBS_TABLE}_submitted ON {JOBS_TABLE} (submitted, id)",
        table(TASKS_TABLE, TASK_COLUMNS, ", PRIMARY KEY (job_id, seq)"),
        f"CREATE TABLE {SCHEMA_TABLE} (version {types['int']} NOT NULL)",
    ]


def ensure_schema(db: Database) -> None:
    """Create the tables if missing (once, whatever the number of processes opening the
    database at the same time) and refuse a schema of another version."""
    if not db.has_table(SCHEMA_TABLE):
        with db.transaction():
            db.advisory_lock(SCHEMA_LOCK)
            if not db.has_table(SCHEMA_TABLE):
                for statement in schema_statements(db.types):
                    db.execute(statement)
                db.execute(f"INSERT INTO {SCHEMA_TABLE} (version) VALUES (?)", (SCHEMA_VERSION,))
    rows = db.query(f"SELECT max(version) FROM {SCHEMA_TABLE}")
    version = rows[0][0] if rows else None
    if version != SCHEMA_VERSION:
        raise JobsDatabaseError(
            f"jobs database {db!r}: schema version {version} is not the version "
            f"{SCHEMA_VERSION} this vires-repo knows"
        )
