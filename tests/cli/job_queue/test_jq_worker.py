"""``worker start`` for real (subprocesses): jobs run in FIFO order and end with the right
status, aborts reach running jobs, a killed worker's job is settled by the heartbeat sweep,
SIGTERM finishes and SIGINT hands back running jobs, and ``worker status`` shows it all."""

from __future__ import annotations

import os
import signal
import time

import pytest
from jq_env import JqEnv, worker_children

pytestmark = pytest.mark.slow


def _worker_pid(label: str | None) -> int:
    assert label is not None
    return int(label.rsplit(":", 1)[1])


def test_workers_run_the_queue_and_log_each_transition(jq: JqEnv) -> None:
    ok = jq.submit("sleep", "0.2", "--user", "a")
    failing = jq.submit("sleep", "fail=true", "--user", "b")
    never = jq.submit("sleep", "--user", "c")
    assert jq.run("job", "abort", never)[0] == 0
    worker = jq.start_worker("-n", "2")

    assert jq.run("job", "wait", ok)[0] == 0
    assert jq.run("job", "wait", failing)[0] == 1
    worker.send_signal(signal.SIGTERM)
    _out, err = worker.communicate(timeout=20)

    assert worker.returncode == 0
    assert str(jq.record(failing).status) == "FAILED"
    assert jq.record(never).started is None
    rows = jq.run("job", "info", ok, failing, never)[1].splitlines()[1:]
    back_end = sorted(",".join(row.split(",")[1:2] + row.split(",")[7:11]) for row in rows)
    assert back_end == sorted(  # exists, hasResponse, finished, active
        [f"{ok},True,True,True,False", f"{failing},True,True,True,False"]
        + [f"{never},True,True,True,False"]
    )
    transitions = [line.split(" INFO: ", 1)[1] for line in err.splitlines() if " -> " in line]
    assert sorted(transitions) == sorted(
        [
            f"job {ok} (sleep) ACCEPTED -> STARTED: on {jq.record(ok).worker}",
            f"job {ok} (sleep) STARTED -> SUCCEEDED: slept 0.2 s",
            f"job {failing} (sleep) ACCEPTED -> STARTED: on {jq.record(failing).worker}",
            f"job {failing} (sleep) STARTED -> FAILED: failed on request after 0 s",
        ]
    )


def test_one_worker_runs_the_jobs_in_submission_order(jq: JqEnv) -> None:
    jobs = [jq.submit("sleep", f"--user=u{n}") for n in range(5)]
    jq.start_worker()

    started = [jq.wait_for(job).started for job in jobs]

    assert started == sorted(started)  # type: ignore[type-var]


def test_abort_stops_a_running_job_within_seconds(jq: JqEnv) -> None:
    job_id = jq.submit("sleep", "60")
    jq.start_worker()
    jq.wait_for(job_id, ("STARTED",))

    code, _out, err = jq.run("job", "abort", job_id)
    asked = time.monotonic()
    record = jq.wait_for(job_id, timeout=5)

    assert code == 0 and err == f"INFO: job {job_id} is running: abort requested\n"
    assert time.monotonic() - asked < 3
    assert str(record.status) == "ABORTED" and record.message == "aborted on request"


def test_status_shows_queued_running_jobs_and_live_workers(jq: JqEnv) -> None:
    running = jq.submit("sleep", "30", "--user", "a")
    worker = jq.start_worker()
    jq.wait_for(running, ("STARTED",))
    queued = jq.submit("sleep", "--user", "b")
    deadline = time.monotonic() + 10
    while "left" not in (jq.record(running).message or "") and time.monotonic() < deadline:
        time.sleep(0.1)  # the first progress with an estimate of the time left

    code, out, err = jq.run("worker", "status")

    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "queued: 1" and lines[1].startswith(f"  {queued} sleep owner=b ")
    assert lines[2] == "running: 1" and lines[3].startswith(f"  {running} sleep owner=a ")
    assert " progress=" in lines[3] and " left'" in lines[3]  # message: N of M done, time left
    assert lines[4] == "scheduled: 0"
    assert lines[5] == "workers: 1"
    child = _worker_pid(jq.record(running).worker)
    assert lines[6].startswith(f"  {jq.record(running).worker} heartbeat=")
    assert lines[6].endswith(f"job={running}")
    assert child in worker_children(worker)


def test_a_killed_worker_fails_its_job_or_queues_a_rerun_safe_one(jq: JqEnv) -> None:
    unsafe = jq.submit("sleep_no_rerun", "60", "--user", "a")
    safe = jq.submit("sleep", "1", "--user", "b")
    jq.start_worker("-n", "2")
    first = [jq.wait_for(job, ("STARTED",)).worker for job in (unsafe, safe)]

    for label in first:
        os.kill(_worker_pid(label), signal.SIGKILL)
    failed = jq.wait_for(unsafe, timeout=10)
    rerun = jq.wait_for(safe, ("SUCCEEDED",), timeout=15)

    assert str(failed.status) == "FAILED"
    assert failed.message is not None
    assert failed.message.startswith(f"worker {first[0]} stopped responding (no heartbeat since ")
    assert failed.message.endswith(f"the job was interrupted ('job retry {unsafe}' runs it again)")
    assert rerun.worker not in first


def test_a_job_accepted_but_never_queued_is_queued_again(jq: JqEnv) -> None:
    from datetime import UTC, datetime, timedelta

    from vires_repo.jobs.records import JobRecord, JobRecords

    lost = JobRecord.new("sleep", submitted=datetime.now(UTC) - timedelta(minutes=1))
    with JobRecords.open(jq.location.database_url) as records:  # as a submitter killed before
        records.insert(lost)  # it reached the queue

    worker = jq.start_worker()

    assert str(jq.wait_for(lost.id).status) == "SUCCEEDED"
    worker.send_signal(signal.SIGTERM)
    assert f"job {lost.id} was accepted but in no queue: queued again" in worker.communicate()[1]


def test_sigterm_lets_running_jobs_finish_and_exits_0(jq: JqEnv) -> None:
    job_id = jq.submit("sleep", "1")
    worker = jq.start_worker()
    jq.wait_for(job_id, ("STARTED",))

    worker.send_signal(signal.SIGTERM)
    worker.communicate(timeout=20)

    assert worker.returncode == 0
    assert str(jq.record(job_id).status) == "SUCCEEDED"


def test_ctrl_c_hands_back_running_jobs_and_exits_0(jq: JqEnv) -> None:
    safe = jq.submit("sleep", "60", "--user", "a")
    unsafe = jq.submit("sleep_no_rerun", "60", "--user", "b")
    worker = jq.start_worker("-n", "2")
    labels = [jq.wait_for(job, ("STARTED",)).worker for job in (safe, unsafe)]

    worker.send_signal(signal.SIGINT)
    worker.communicate(timeout=20)

    assert worker.returncode == 0
    handed_back = jq.record(safe)
    assert str(handed_back.status) == "ACCEPTED" and handed_back.started is None
    assert handed_back.message == f"handed back by worker {labels[0]}, which stopped"
    failed = jq.record(unsafe)
    assert str(failed.status) == "FAILED"
    assert failed.message == (
        f"interrupted: worker {labels[1]} stopped while the job ran "
        f"('job retry {unsafe}' runs it again)"
    )
    code, out, _err = jq.run("worker", "status")
    assert out.splitlines()[:2] == ["queued: 1", out.splitlines()[1]] and safe in out


def test_two_workers_share_one_postgresql_queue(jq: JqEnv, postgres_url: str) -> None:
    shared = {"VIRES_JOBS_DB": postgres_url}
    os.environ.update(shared)  # the in-process commands (monkeypatched env restored later)
    try:
        jobs = [jq.submit("sleep", "0.4", f"--user=u{n}") for n in range(6)]
        jq.start_worker(env=shared)
        jq.start_worker(env=shared)
        ended = [jq.wait_for(job, timeout=30) for job in jobs]
    finally:
        del os.environ["VIRES_JOBS_DB"]

    assert [str(record.status) for record in ended] == ["SUCCEEDED"] * 6
    assert len({record.worker for record in ended}) == 2
    assert not (jq.catalog / ".state" / "jobs" / "jobs.sqlite").exists()
