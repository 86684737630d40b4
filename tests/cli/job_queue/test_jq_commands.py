"""The job commands without a worker: types, run (in the shell), submit with its limits,
abort of a queued job, retry, wait, and bad input (one ERROR line, exit != 0)."""

from __future__ import annotations

import pytest
from jq_env import JqEnv


def test_types_lists_every_type_with_its_parameters(jq: JqEnv) -> None:
    code, out, err = jq.run("job", "types")

    assert code == 0, err
    names = [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")]
    assert names == [
        "backup",
        "cached_product_update",
        "check",
        "compact",
        "fetch_filtered_data",
        "job_purge",
        "mirror",
        "nightly",
        "orbit_direction_sync",
        "purge",
        "register",
        "sleep",
        "sleep_no_rerun",
        "sync",
    ]
    assert "    collection: str (required): The collection the products belong to." in out
    assert "    seconds: float (default 0.0): How long to wait." in out
    assert "sleep_no_rerun: " in out and "(not rerun-safe)" in out


def test_run_in_the_shell_records_the_job_as_a_queued_one(jq: JqEnv) -> None:
    code, out, err = jq.run("job", "run", "sleep", "0.2", "--user", "alice")

    assert code == 0, err
    job_id = err.split("job ", 1)[1].split()[0]
    record = jq.record(job_id)
    assert str(record.status) == "SUCCEEDED"
    assert record.owner == "alice" and record.process_id == "sleep"
    assert record.parameters == {"seconds": 0.2, "fail": False}
    assert record.submitted <= record.started <= record.ended  # type: ignore[operator]
    assert record.progress == 100 and record.message == "slept 0.2 s"
    assert "ACCEPTED -> STARTED" in err and "STARTED -> SUCCEEDED" in err


def test_a_failing_job_exits_1_and_is_recorded_failed(jq: JqEnv) -> None:
    code, _out, err = jq.run("job", "run", "sleep", "fail=true")

    assert code == 1
    assert err.splitlines()[-1].startswith("ERROR: job ")
    assert err.splitlines()[-1].endswith("FAILED: failed on request after 0 s")


def test_submit_prints_the_identifier_of_an_accepted_job(jq: JqEnv) -> None:
    job_id = jq.submit("sleep", "seconds=1", "--user", "bob")

    record = jq.record(job_id)
    assert str(record.status) == "ACCEPTED" and record.owner == "bob"
    code, out, _err = jq.run("worker", "status")
    assert code == 0
    assert out.splitlines()[:2] == ["queued: 1", out.splitlines()[1]]
    assert job_id in out.splitlines()[1]


def test_the_owner_defaults_to_the_operating_system_user(jq: JqEnv) -> None:
    import getpass

    job_id = jq.submit("sleep")

    assert jq.record(job_id).owner == getpass.getuser()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("job", "run", "nosuch"), "ERROR: Job nosuch not found (job types: "),
        (("job", "submit", "nosuch"), "ERROR: Job nosuch not found (job types: "),
        (("job", "run", "sleep", "x=1"), "ERROR: job type sleep has no parameter 'x'"),
        (("job", "run", "sleep", "soon"), "ERROR: job type sleep: seconds: Input should be"),
        (("job", "run", "sleep", "1", "true", "3"), "ERROR: job type sleep: unexpected argument"),
        (("job", "run", "register", "C"), "ERROR: job type register: source: Field required"),
        (("job", "wait", "no-such-job"), "ERROR: job no-such-job does not exist"),
        (("job", "schedule", "* * *", "sleep"), "ERROR: cron string '* * *': expected 5 fields"),
        (
            ("job", "schedule", "61 * * * *", "sleep"),
            "ERROR: cron string '61 * * * *' is not valid",
        ),
        (("job", "schedule", "0 * * * *", "nosuch"), "ERROR: Job nosuch not found"),
    ],
)
def test_bad_input_is_one_error_line(jq: JqEnv, argv: tuple[str, ...], message: str) -> None:
    code, out, err = jq.run(*argv)

    assert code != 0
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith(message), err


def test_the_queue_bound_refuses_submission_when_full(
    jq: JqEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIRES_MAX_QUEUED_JOBS", "2")
    jq.submit("sleep", "--user", "a")
    jq.submit("sleep", "--user", "b")

    code, out, err = jq.run("job", "submit", "sleep", "--user", "c")

    assert code == 1 and out == ""
    assert err == (
        "ERROR: server busy: 2 jobs are queued already (max_queued_jobs); submit again later\n"
    )
    assert jq.run("job", "run", "sleep", "--user", "d")[0] == 0  # not queued: not bound


def test_an_owner_may_have_two_active_jobs(jq: JqEnv) -> None:
    jq.submit("sleep", "--user", "alice")
    jq.submit("sleep", "--user", "alice")

    code, _out, err = jq.run("job", "submit", "sleep", "--user", "alice")
    other = jq.run("job", "submit", "sleep", "--user", "bob")

    assert code == 1
    assert err.startswith(
        "ERROR: Per user maximum number of allowed active asynchronous download requests exceeded!"
    )
    assert other[0] == 0


def test_abort_of_a_queued_job_then_retry(jq: JqEnv) -> None:
    job_id = jq.submit("sleep", "seconds=5", "--user", "carol")

    code, _out, err = jq.run("job", "abort", job_id)

    assert code == 0
    assert err == (
        f"INFO: job {job_id} (sleep) ACCEPTED -> ABORTED: aborted on request before it started\n"
    )
    aborted = jq.record(job_id)
    assert str(aborted.status) == "ABORTED" and aborted.started is None and aborted.ended
    assert jq.run("job", "wait", job_id)[0] == 1
    again = jq.run("job", "abort", job_id)
    assert again[0] == 1 and "cannot be aborted: it has ended (ABORTED)" in again[2]

    code, out, err = jq.run("job", "retry", job_id)

    assert code == 0, err
    new_id = out.strip()
    retried = jq.record(new_id)
    assert new_id != job_id and retried.retry_of == job_id
    assert retried.parameters == aborted.parameters and retried.owner == "carol"
    assert str(retried.status) == "ACCEPTED"


def test_only_failed_or_aborted_jobs_are_retried(jq: JqEnv) -> None:
    job_id = jq.submit("sleep")

    code, out, err = jq.run("job", "retry", job_id, "no-such-job")

    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"ERROR: job {job_id} cannot be retried: it is ACCEPTED (only FAILED or ABORTED jobs are)",
        "ERROR: job no-such-job does not exist",
    ]


def test_wait_gives_up_after_its_timeout(jq: JqEnv) -> None:
    job_id = jq.submit("sleep")

    code, _out, err = jq.run("job", "wait", job_id, "--timeout", "0.2")

    assert code == 1
    assert err == f"ERROR: job {job_id} ACCEPTED (still accepted after --timeout)\n"
