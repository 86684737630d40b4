"""The workers' scheduler: when a schedule is due, and one submission per firing however many
workers (on however many machines) share the queue."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from vires_repo.io.queue import JobQueue
from vires_repo.io.storage import Storage
from vires_repo.jobs.backend import JobBackend
from vires_repo.jobs.location import JobsLocation
from vires_repo.jobs.records import JobQuery, JobRecords
from vires_repo.jobs.schedules import Schedule
from vires_repo.jobs.worker import ScheduleClock, WorkerEnvironment, fire_schedules
from vires_repo.maintenance import enter_maintenance, leave_maintenance
from vires_repo.services.job_types import job_type


def _at(minute: int, second: int = 0) -> datetime:
    return datetime(2026, 1, 1, 10, minute, second, tzinfo=UTC)


def test_a_schedule_is_due_at_its_cron_times_after_the_worker_started() -> None:
    every_five = Schedule(job="sleep", cron="*/5 * * * *")
    disabled = Schedule(job="sleep", parameters={"seconds": 1.0}, cron="* * * * *", enabled=False)
    clock = ScheduleClock(since=_at(2, 30))

    assert clock.due([every_five, disabled], _at(4, 59)) == []
    assert clock.due([every_five, disabled], _at(5, 1)) == [(every_five, _at(5))]
    assert clock.due([every_five, disabled], _at(5, 2)) == []
    assert clock.due([every_five, disabled], _at(17)) == [(every_five, _at(10))]  # no catch-up
    assert clock.due([every_five, disabled], _at(19)) == []
    assert clock.due([every_five, disabled], _at(20)) == [(every_five, _at(20))]


def test_each_firing_submits_one_job_across_workers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/jobs.sqlite"
    schedule = Schedule(job="sleep", parameters={"seconds": 2.0}, cron="* * * * *", owner="ops")
    environment = WorkerEnvironment(
        location=JobsLocation(str(tmp_path / "jobs"), url),
        catalog_root=str(tmp_path / "catalog"),
        resolve=job_type,
        load_schedules=lambda: [schedule],
    )
    clocks = (ScheduleClock(_at(0, 30)), ScheduleClock(_at(0, 50)))  # two workers
    with JobRecords.open(url) as records, JobQueue(url) as queue:
        backend = JobBackend(Storage(tmp_path / "jobs"))
        for at in (_at(1, 1), _at(1, 2), _at(2, 1)):  # firings at 10:01 and 10:02
            for clock in clocks:
                fire_schedules(environment, records, backend, queue, clock, at)
        jobs = records.select(JobQuery())
        queued = queue.pending()
        claims = [key for key in queue._huey.storage.result_items() if key.startswith("sched")]

    assert len(jobs) == 2
    assert {job.process_id for job in jobs} == {"sleep"} and {job.owner for job in jobs} == {"ops"}
    assert jobs[0].parameters == {"seconds": 2.0, "fail": False}
    assert queued == [job.id for job in jobs]
    assert claims == [f"schedule:{schedule.key}:{_at(2).isoformat()}"]  # no pile of old ones


def test_no_schedule_fires_while_the_catalogue_is_in_maintenance(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path}/jobs.sqlite"
    catalog = tmp_path / "catalog"
    enter_maintenance(str(catalog), "moving to new disks", "ops@host")
    schedule = Schedule(job="sleep", cron="* * * * *")
    environment = WorkerEnvironment(
        location=JobsLocation(str(tmp_path / "jobs"), url),
        catalog_root=str(catalog),
        resolve=job_type,
        load_schedules=lambda: [schedule],
    )
    clock = ScheduleClock(_at(0, 30))
    with JobRecords.open(url) as records, JobQueue(url) as queue:
        backend = JobBackend(Storage(tmp_path / "jobs"))
        with caplog.at_level(logging.INFO, logger="vires_repo.jobs"):
            fire_schedules(environment, records, backend, queue, clock, _at(1, 1))
        skipped = records.select(JobQuery())
        leave_maintenance(str(catalog))
        fire_schedules(environment, records, backend, queue, clock, _at(2, 1))
        fired = records.select(JobQuery())

    assert skipped == [] and len(fired) == 1
    [line] = caplog.messages
    assert line.startswith("schedule sleep (* * * * *) skipped: the catalogue is in maintenance")
    assert line.endswith("by ops@host: moving to new disks")
