"""The job record store on SQLite and on a real PostgreSQL server: schema, the contract's API,
compare-and-set transitions, selections, tasks, and several processes at once."""

from __future__ import annotations

import multiprocessing
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta

import pytest

from vires_repo.errors import ConflictError, JobNotFoundError, JobsDatabaseError
from vires_repo.jobs.records import (
    JobQuery,
    JobRecord,
    JobRecords,
    JobStatus,
    JobTask,
)
from vires_repo.jobs.schema import JOB_COLUMNS, SCHEMA_TABLE

T0 = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


def _job(n: int, **changes: object) -> JobRecord:
    record = JobRecord(
        id=f"job-{n:03d}",
        process_id="register",
        status=JobStatus.ACCEPTED,
        submitted=T0 + timedelta(minutes=n),
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def test_the_columns_are_the_record_fields() -> None:
    assert sorted(name for name, _, _ in JOB_COLUMNS) == sorted(f.name for f in fields(JobRecord))


def test_a_record_round_trips_with_every_field(database_url: str) -> None:
    record = _job(
        1,
        owner="vagrant",
        status=JobStatus.SUCCEEDED,
        started=T0 + timedelta(seconds=1),
        ended=T0 + timedelta(seconds=2, microseconds=5),
        response_url="http://x/response.json",
        parameters={"b": [1, 2], "a": "é"},
        progress=100,
        tasks_done=3,
        tasks_failed=1,
        tasks_total=4,
        output_size=2**40,
        message="done",
        retry_of="job-000",
        worker="host:123",
        heartbeat=T0,
        abort_requested=True,
    )
    with JobRecords.open(database_url) as records:
        records.insert(record)
        stored = records.get(record.id)

    assert stored == record
    assert stored.ended is not None and stored.ended.tzinfo is not None
    assert stored.ended.utcoffset() == timedelta(0)


def test_open_twice_keeps_the_records(database_url: str) -> None:
    with JobRecords.open(database_url) as records:
        records.insert(_job(1))
    with JobRecords.open(database_url) as records:
        assert records.select_ids() == ["job-001"]


def test_an_unknown_job_and_a_duplicate(database_url: str) -> None:
    with JobRecords.open(database_url) as records:
        records.insert(_job(1))
        with pytest.raises(JobNotFoundError, match="job nope does not exist"):
            records.get("nope")
        with pytest.raises(JobNotFoundError):
            records.update("nope", progress=3)
        with pytest.raises(ConflictError, match="job job-001 exists already"):
            records.insert(_job(1))
        assert records.select_ids() == ["job-001"]  # still usable after the failure


def test_transition_is_a_compare_and_set(database_url: str) -> None:
    with JobRecords.open(database_url) as records:
        records.insert(_job(1))
        started = T0 + timedelta(hours=1)

        assert records.transition(
            "job-001", {JobStatus.ACCEPTED}, JobStatus.STARTED, started=started, worker="h:1"
        )
        assert not records.transition("job-001", {JobStatus.ACCEPTED}, JobStatus.STARTED)
        assert not records.transition("job-001", set(), JobStatus.FAILED)
        with pytest.raises(JobNotFoundError):
            records.transition("nope", {JobStatus.ACCEPTED}, JobStatus.STARTED)
        record = records.get("job-001")

    assert (record.status, record.started, record.worker) == (JobStatus.STARTED, started, "h:1")


def test_update_rejects_unknown_fields(database_url: str) -> None:
    with JobRecords.open(database_url) as records:
        records.insert(_job(1))
        with pytest.raises(TypeError, match="colour"):
            records.update("job-001", colour="red")
        with pytest.raises(TypeError, match="id"):
            records.update("job-001", id="other")
        records.update("job-001", progress=40, message="reading", abort_requested=True)
        record = records.get("job-001")

    assert (record.progress, record.message, record.abort_requested) == (40, "reading", True)


def test_select_filters_as_vires(database_url: str) -> None:
    jobs = [
        _job(1, owner="alice", status=JobStatus.SUCCEEDED, ended=T0 + timedelta(days=1)),
        _job(2, owner="bob", status=JobStatus.FAILED, ended=T0 + timedelta(days=2)),
        _job(3, status=JobStatus.ACCEPTED, process_id="check"),
        _job(4, owner="alice", status=JobStatus.STARTED),
    ]
    with JobRecords.open(database_url) as records:
        for job in reversed(jobs):
            records.insert(job)

        def ids(**query: object) -> list[str]:
            return records.select_ids(JobQuery(**query))  # type: ignore[arg-type]

        assert ids() == ["job-001", "job-002", "job-003", "job-004"]
        assert [r.id for r in records.select()] == ids()
        assert ids(ids=("job-004", "job-002", "nope")) == ["job-002", "job-004"]
        assert ids(ids=()) == []
        assert ids(owners=("alice",)) == ["job-001", "job-004"]
        assert ids(no_owner=True) == ["job-003"]
        assert ids(owners=("bob",), no_owner=True) == ["job-002"]  # -u wins over -n
        assert ids(statuses=(JobStatus.FAILED, JobStatus.STARTED)) == ["job-002", "job-004"]
        assert ids(process_ids=("check",)) == ["job-003"]
        assert ids(submitted_after=T0 + timedelta(minutes=2)) == ["job-002", "job-003", "job-004"]
        assert ids(submitted_before=T0 + timedelta(minutes=2)) == ["job-001"]
        assert ids(ended_after=T0 + timedelta(days=1, microseconds=1)) == ["job-002"]
        assert ids(ended_before=T0 + timedelta(days=2)) == ["job-001"]
        many = tuple(f"x{n}" for n in range(2000)) + ("job-003",)
        assert ids(ids=many) == ["job-003"]
        assert records.count(statuses={JobStatus.ACCEPTED, JobStatus.STARTED}) == 2
        assert records.count(statuses={JobStatus.STARTED}, owner="alice") == 1
        assert records.count(statuses=()) == 0


def test_stale_started_jobs(database_url: str) -> None:
    now = T0 + timedelta(hours=1)
    with JobRecords.open(database_url) as records:
        records.insert(_job(1, status=JobStatus.STARTED, started=T0, heartbeat=now))
        records.insert(_job(2, status=JobStatus.STARTED, started=T0))
        records.insert(_job(3, status=JobStatus.ACCEPTED))
        records.insert(_job(4, status=JobStatus.STARTED, started=T0, heartbeat=T0))

        stale = records.stale_started(now - timedelta(minutes=1))

    assert [r.id for r in stale] == ["job-002", "job-004"]


def test_delete_removes_jobs_and_tasks(database_url: str) -> None:
    with JobRecords.open(database_url) as records:
        for n in range(1, 4):
            records.insert(_job(n))
        records.set_tasks("job-002", ["a", "b"])

        assert records.delete(["job-002", "job-003", "nope"]) == 2
        assert records.select_ids() == ["job-001"]
        assert records.tasks("job-002") == []


def test_tasks_keep_the_counters(database_url: str) -> None:
    with JobRecords.open(database_url) as records:
        records.insert(_job(1))
        records.set_tasks("job-001", ["file-a", "file-b", "file-c"])
        records.update_task("job-001", 0, JobStatus.STARTED)
        records.update_task("job-001", 0, JobStatus.SUCCEEDED)
        records.update_task("job-001", 1, JobStatus.FAILED, "unreadable")
        with pytest.raises(JobNotFoundError):
            records.update_task("job-001", 7, JobStatus.STARTED)
        tasks = records.tasks("job-001")
        record = records.get("job-001")
        every = list(records.all_tasks())

    assert [(t.seq, t.name, t.status, t.message) for t in tasks] == [
        (0, "file-a", JobStatus.SUCCEEDED, None),
        (1, "file-b", JobStatus.FAILED, "unreadable"),
        (2, "file-c", JobStatus.ACCEPTED, None),
    ]
    assert tasks[0].started is not None and tasks[0].ended is not None
    assert tasks[2].started is None
    assert (record.tasks_done, record.tasks_failed, record.tasks_total) == (1, 1, 3)
    assert every == tasks and isinstance(every[0], JobTask)


def test_a_transaction_commits_together_or_not_at_all(database_url: str) -> None:
    with JobRecords.open(database_url) as records:
        with pytest.raises(RuntimeError), records.transaction():
            records.lock_for_submission()
            records.insert(_job(1))
            raise RuntimeError("between two writes")
        assert records.select_ids() == []
        with records.transaction():
            records.lock_for_submission()
            records.insert(_job(2))
        assert records.select_ids() == ["job-002"]


def test_new_records() -> None:
    one = JobRecord.new("register", owner="me", parameters={"k": "v"})
    two = JobRecord.new("register")

    assert one.id != two.id and len(one.id) == 36
    assert one.status is JobStatus.ACCEPTED and one.submitted.tzinfo is UTC
    assert one.parameters == {"k": "v"}


def test_a_bad_database_is_one_clear_error(tmp_path: object) -> None:
    with pytest.raises(JobsDatabaseError, match="is not a sqlite:///PATH or postgresql"):
        JobRecords.open("mysql://x")
    with pytest.raises(JobsDatabaseError, match=r"postgresql://u:\*\*\*@127.0.0.1:1/x"):
        JobRecords.open("postgresql://u:secret@127.0.0.1:1/x")


def _start_many(database_url: str, worker: int, queue: multiprocessing.Queue[list[str]]) -> None:
    won = []
    with JobRecords.open(database_url) as records:
        for n in range(40):
            job_id = f"job-{n:03d}"
            if records.transition(
                job_id, {JobStatus.ACCEPTED}, JobStatus.STARTED, worker=str(worker)
            ):
                won.append(job_id)
    queue.put(won)


def test_several_processes_start_each_job_once(database_url: str) -> None:
    """Four processes race for the same forty jobs: each job is started exactly once."""
    with JobRecords.open(database_url) as records:
        for n in range(40):
            records.insert(_job(n))
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [
        context.Process(target=_start_many, args=(database_url, w, queue)) for w in range(4)
    ]
    for process in processes:
        process.start()
    won = [queue.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(60)

    assert all(p.exitcode == 0 for p in processes)
    assert sorted(job for batch in won for job in batch) == [f"job-{n:03d}" for n in range(40)]


def test_a_schema_of_another_version_is_refused(database_url: str) -> None:
    with JobRecords.open(database_url) as records:
        records.database.execute(f"UPDATE {SCHEMA_TABLE} SET version = 99")

    with pytest.raises(JobsDatabaseError, match="schema version 99 is not the version 1"):
        JobRecords.open(database_url)
