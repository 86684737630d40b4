"""The job records as Arrow tables: the ``jobs`` and ``job_tasks`` views of ``vires-repo sql``.

DuckDB cannot read SQLite or PostgreSQL here without extensions (which are neither installed
nor allowed on the confined connection), so the records are read through the store and
registered as tables. Times are ``timestamp[us, UTC]``; ``parameters`` is the canonical JSON
text (``json_extract(parameters, '$.collection')`` reads it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from vires_repo.jobs.records import JobRecord, JobTask, canonical_json

if TYPE_CHECKING:
    from vires_repo.jobs.records import JobRecords

_TIME = pa.timestamp("us", tz="UTC")
JOBS_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("process_id", pa.string()),
        ("owner", pa.string()),
        ("status", pa.string()),
        ("submitted", _TIME),
        ("started", _TIME),
        ("ended", _TIME),
        ("response_url", pa.string()),
        ("parameters", pa.string()),
        ("progress", pa.int32()),
        ("tasks_done", pa.int32()),
        ("tasks_failed", pa.int32()),
        ("tasks_total", pa.int32()),
        ("output_size", pa.int64()),
        ("message", pa.string()),
        ("retry_of", pa.string()),
        ("worker", pa.string()),
        ("heartbeat", _TIME),
        ("abort_requested", pa.bool_()),
    ]
)
JOB_TASKS_SCHEMA = pa.schema(
    [
        ("job_id", pa.string()),
        ("seq", pa.int32()),
        ("name", pa.string()),
        ("status", pa.string()),
        ("started", _TIME),
        ("ended", _TIME),
        ("message", pa.string()),
    ]
)


def _value(item: Any, name: str) -> Any:
    value = getattr(item, name)
    if name == "parameters":
        return canonical_json(value)
    return str(value) if name == "status" else value


def _table(items: Sequence[Any], schema: pa.Schema) -> pa.Table:
    columns = [
        pa.array([_value(item, field.name) for item in items], type=field.type) for field in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def jobs_table(records: Sequence[JobRecord]) -> pa.Table:
    return _table(records, JOBS_SCHEMA)


def job_tasks_table(tasks: Iterable[JobTask]) -> pa.Table:
    return _table(list(tasks), JOB_TASKS_SCHEMA)


def job_tables(records: JobRecords | None) -> dict[str, pa.Table]:
    """The ``jobs`` and ``job_tasks`` tables of a record store (empty without one)."""
    if records is None:
        return {"jobs": jobs_table([]), "job_tasks": job_tasks_table([])}
    return {"jobs": jobs_table(records.select()), "job_tasks": job_tasks_table(records.all_tasks())}
