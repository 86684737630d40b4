"""Job records as JSON lines (backups of records kept outside the catalogue): exported and
imported back exactly, tasks included, on both engines; jobs already there are kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from vires_repo.jobs.export import export_lines, import_records
from vires_repo.jobs.records import JobRecord, JobRecords, JobStatus


def test_records_round_trip_through_json_lines(database_url: str) -> None:
    with JobRecords.open(database_url) as records:
        first = JobRecord.new("check", owner="alice", parameters={"only": ["schedules"]})
        second = replace(
            JobRecord.new("sleep", submitted=datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)),
            status=JobStatus.FAILED,
            message="boom",
        )
        records.insert(first)
        records.insert(second)
        records.set_tasks(first.id, ["a", "b"])
        records.update_task(first.id, 0, JobStatus.SUCCEEDED)
        records.update_task(first.id, 1, JobStatus.FAILED, "bad")
        lines = list(export_lines(records))
        jobs, tasks = records.select(), list(records.all_tasks())
        records.delete([first.id])

        assert import_records(records, lines) == (1, 1)
        assert records.select() == jobs
        assert list(records.all_tasks()) == tasks
        assert list(export_lines(records)) == lines
