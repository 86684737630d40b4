"""``job schedule | unschedule | scheduled``: schedule files in the catalogue, udata's
messages, upsert on (job, parameters), exact-match removal, and the ``schedules`` check."""

from __future__ import annotations

import json

from jq_env import JqEnv


def test_schedule_reschedule_and_unschedule_with_udatas_messages(jq: JqEnv) -> None:
    assert jq.run("job", "scheduled") == (0, "", "")

    first = jq.run("job", "schedule", "0 * * * *", "sleep")
    again = jq.run("job", "schedule", "1  *  * * *", "sleep", "0")  # the same job: rescheduled
    other = jq.run("job", "schedule", "0 3 * * *", "sleep", "5", "fail=true", "--user", "ops")
    listed = jq.run("job", "scheduled")

    assert first == (0, "", "INFO: Scheduled Job sleep with the following crontab: 0 * * * *\n")
    assert again[2] == "INFO: Scheduled Job sleep with the following crontab: 1 * * * *\n"
    assert other[2] == (
        "INFO: Scheduled Job sleep(fail=True, seconds=5.0) with the following crontab: 0 3 * * *\n"
    )
    assert listed[1] == "Job sleep ↦ 1 * * * *\nJob sleep(fail=True, seconds=5.0) ↦ 0 3 * * *\n"
    files = sorted((jq.catalog / "schedules").iterdir())
    assert len(files) == 2
    stored = [json.loads(path.read_text()) for path in files]
    assert {"job": "sleep", "cron": "1 * * * *"} in stored
    assert {
        "job": "sleep",
        "parameters": {"seconds": 5.0, "fail": True},
        "cron": "0 3 * * *",
        "owner": "ops",
    } in stored

    missed = jq.run("job", "unschedule", "sleep", "5")
    removed = jq.run("job", "unschedule", "sleep", "seconds=5", "fail=true")

    assert missed == (1, "", "ERROR: No scheduled job match Job sleep(seconds=5.0)\n")
    assert removed == (
        0,
        "",
        "INFO: Unscheduled Job sleep(fail=True, seconds=5.0) with the following crontab: "
        "0 3 * * *\n",
    )
    assert jq.run("job", "scheduled")[1] == "Job sleep ↦ 1 * * * *\n"
    assert jq.run("check", "--only", "schedules")[0] == 0
    status = jq.run("worker", "status")[1].splitlines()
    assert status[2:4] == ["scheduled: 1", status[3]]
    assert status[3].startswith("  Job sleep ↦ 1 * * * * next=") and status[3].endswith(
        ":01:00+00:00"
    )


def test_check_reports_invalid_schedule_files(jq: JqEnv) -> None:
    folder = jq.catalog / "schedules"
    folder.mkdir()
    (folder / "nosuch--0.json").write_text('{"job": "nosuch", "cron": "0 * * * *"}\n')
    (folder / "sleep--44136fa355b3.json").write_text('{"job": "sleep", "cron": "0 25 * * *"}\n')

    code, _out, err = jq.run("check", "--only", "schedules")

    assert code == 1
    problems = [line for line in err.splitlines() if line.startswith("ERROR: [schedules] ")]
    assert problems == [
        "ERROR: [schedules] schedules/nosuch--0.json: the file name does not match its job and "
        "parameters (expected nosuch--44136fa355b3.json)",
        "ERROR: [schedules] schedules/sleep--44136fa355b3.json: cron: cron string '0 25 * * *' "
        "is not valid",
    ]
