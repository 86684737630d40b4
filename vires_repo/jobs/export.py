"""Job records as JSON lines, for backups of records kept outside the catalogue (PostgreSQL,
or a jobs root elsewhere): one line per job, ``{"job": {...}, "tasks": [...]}``, times as
ISO 8601. :func:`import_records` adds the jobs a database does not have, as they were."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from vires_repo.jobs.records import JobRecord, JobRecords, JobStatus, JobTask

_JOB_TIMES = {"submitted", "started", "ended", "heartbeat"}
_TASK_TIMES = {"started", "ended"}


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def export_lines(records: JobRecords) -> Iterator[str]:
    """Every job with its tasks, one JSON line each (with its newline), by submission."""
    tasks: dict[str, list[dict[str, Any]]] = {}
    for task in records.all_tasks():
        tasks.setdefault(task.job_id, []).append(
            {k: _json(v) for k, v in asdict(task).items() if k != "job_id"}
        )
    for record in records.select():
        job = {key: _json(value) for key, value in asdict(record).items()}
        line = {"job": job, "tasks": tasks.get(record.id, [])}
        yield json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n"


def _times(values: dict[str, Any], names: set[str]) -> dict[str, Any]:
    return {
        key: datetime.fromisoformat(value) if key in names and value is not None else value
        for key, value in values.items()
    }


def import_records(records: JobRecords, lines: Iterable[str]) -> tuple[int, int]:
    """Add the exported jobs (and their tasks) that ``records`` does not hold; returns
    (added, already there)."""
    known = {f.name for f in fields(JobRecord)}
    added = present = 0
    for line in lines:
        if not line.strip():
            continue
        item = json.loads(line)
        job = _times({k: v for k, v in item["job"].items() if k in known}, _JOB_TIMES)
        record = JobRecord(**{**job, "status": JobStatus(job["status"])})
        if records.exists(record.id):
            present += 1
            continue
        with records.transaction():
            records.insert(record)
            records.insert_tasks(
                [
                    JobTask(
                        **{
                            **_times(task, _TASK_TIMES),
                            "job_id": record.id,
                            "status": JobStatus(task["status"]),
                        }
                    )
                    for task in item["tasks"]
                ]
            )
        added += 1
    return added, present
