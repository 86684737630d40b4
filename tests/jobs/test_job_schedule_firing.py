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
from vires_repo.jobs.job_type import JobType
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
    assert clock.due([every_five, disabled], _at(17)) == [(every_five, _at(15))]  # once, latest
    assert clock.due([every_five, disabled], _at(19)) == []
    assert clock.due([every_five, disabled], _at(20)) == [(every_five, _at(20))]


def test_a_schedule_added_or_changed_while_the_worker_runs_fires_from_then_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hourly = Schedule(job="sleep", cron="0 * * * *")
    clock = ScheduleClock(since=_at(0, 30))
    with caplog.at_level(logging.INFO, logger="vires_repo.jobs"):
        assert clock.due([], _at(3)) == []
        assert clock.due([], _at(5, 1)) == []
        # added between the looks at 10:05:01 and 10:05:02: not due for 10:01..10:05
        every_minute = Schedule(job="sleep", parameters={"seconds": 1.0}, cron="* * * * *")
        assert clock.due([every_minute, hourly], _at(5, 2)) == []
        assert clock.due([every_minute, hourly], _at(6)) == [(every_minute, _at(6))]
        rescheduled = every_minute.model_copy(update={"cron": "*/10 * * * *"})
        assert clock.due([rescheduled, hourly], _at(7, 30)) == []  # not at once for 10:00
        assert clock.due([rescheduled], _at(10)) == [(rescheduled, _at(10))]

    assert caplog.messages == [
        "schedule sleep(seconds=1.0) (* * * * *) picked up: next firing at "
        "2026-01-01T10:06:00+00:00",
        "schedule sleep (0 * * * *) picked up: next firing at 2026-01-01T11:00:00+00:00",
        "schedule sleep(seconds=1.0) (*/10 * * * *) picked up: next firing at "
        "2026-01-01T10:10:00+00:00",
        "schedule sleep(seconds=1.0) (* * * * *) dropped",
        "schedule sleep (0 * * * *) dropped",
    ]


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


def test_a_late_worker_claims_the_firing_the_others_made(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/jobs.sqlite"
    schedule = Schedule(job="sleep", cron="* * * * *")
    environment = WorkerEnvironment(
        location=JobsLocation(str(tmp_path / "jobs"), url),
        catalog_root=str(tmp_path / "catalog"),
        resolve=job_type,
        load_schedules=lambda: [schedule],
    )
    prompt, late = ScheduleClock(_at(0, 30)), ScheduleClock(_at(0, 30))
    with JobRecords.open(url) as records, JobQueue(url) as queue:
        backend = JobBackend(Storage(tmp_path / "jobs"))
        fire_schedules(environment, records, backend, queue, prompt, _at(0, 31))
        fire_schedules(environment, records, backend, queue, late, _at(0, 31))
        fire_schedules(environment, records, backend, queue, prompt, _at(1, 1))
        fire_schedules(environment, records, backend, queue, prompt, _at(2, 1))
        # the late worker's look due at 10:01 comes after the firing of 10:02 was made
        fire_schedules(environment, records, backend, queue, late, _at(2, 2))
        jobs = records.select(JobQuery())

    assert len(jobs) == 2  # 10:01 and 10:02, each once


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
    picked_up, line = caplog.messages
    assert picked_up == "schedule sleep (* * * * *) picked up: next firing at " + _at(1).isoformat()
    assert line.startswith("schedule sleep (* * * * *) skipped: the catalogue is in maintenance")
    assert line.endswith("by ops@host: moving to new disks")


def test_a_schedule_that_fails_to_submit_does_not_stop_the_others(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path}/jobs.sqlite"
    broken = Schedule(job="broken", cron="* * * * *")
    refused = Schedule(job="sleep", parameters={"seconds": -1}, cron="* * * * *")
    fine = Schedule(job="sleep", cron="* * * * *")

    def resolve(name: str) -> JobType:
        if name == "broken":
            raise RuntimeError("a bug in the job type")
        return job_type(name)

    environment = WorkerEnvironment(
        location=JobsLocation(str(tmp_path / "jobs"), url),
        catalog_root=str(tmp_path / "catalog"),
        resolve=resolve,
        load_schedules=lambda: [broken, refused, fine],
    )
    with JobRecords.open(url) as records, JobQueue(url) as queue:
        backend = JobBackend(Storage(tmp_path / "jobs"))
        with caplog.at_level(logging.INFO, logger="vires_repo.jobs"):
            fire_schedules(environment, records, backend, queue, ScheduleClock(_at(0)), _at(1))
        jobs = records.select(JobQuery())

    assert [(job.process_id, job.parameters) for job in jobs] == [
        ("sleep", {"seconds": 0.0, "fail": False})
    ]
    failures = [
        (r.levelname, r.getMessage()) for r in caplog.records if "not submitted" in r.getMessage()
    ]
    assert failures[0] == ("ERROR", "schedule broken (* * * * *) not submitted")
    assert failures[1][0] == "WARNING"
    assert failures[1][1].startswith("schedule sleep(seconds=-1) (* * * * *) not submitted: ")
    assert len(failures) == 2
