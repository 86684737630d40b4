"""The job types through ``job run``: ``register`` (one task per file), ``check``,
``job_purge``, and a synchronous run aborted from another shell."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from jq_env import JqEnv

from vires_repo.jobs.records import JobRecords
from vires_repo.testing.mag_products import write_mag_lr_product

MAG_A = "SW_OPER_MAGA_LR_1B"


def _job_id(err: str) -> str:
    return err.split("INFO: job ", 1)[1].split()[0]


def test_register_runs_one_task_per_file(
    jq: JqEnv, copy_default_catalog: Any, tmp_path: Path
) -> None:
    copy_default_catalog(str(jq.catalog))
    data = tmp_path / "data"
    data.mkdir()
    files = [
        write_mag_lr_product(data, f"2016-01-0{day}T00:00:00", f"2016-01-0{day}T00:10:00")
        for day in (1, 2)
    ]
    (data / "SW_OPER_MAGA_LR_1B_broken_0409.cdf").write_bytes(b"not a CDF")
    argv = ("job", "run", "register", MAG_A, str(data), "skip_post_registration_actions=true")

    code, _out, err = jq.run(*argv)

    assert code == 1  # one file failed
    job_id = _job_id(err)
    record = jq.record(job_id)
    assert str(record.status) == "FAILED"
    assert record.message == ("2 of 3 product(s) registered. Failed to register 1 of 3 product(s).")
    assert (record.tasks_total, record.tasks_done, record.tasks_failed) == (3, 2, 1)
    with JobRecords.open(jq.location.database_url) as records:
        tasks = records.tasks(job_id)
    assert [(t.name, str(t.status)) for t in tasks] == [
        (Path(files[0]).stem, "SUCCEEDED"),
        (Path(files[1]).stem, "SUCCEEDED"),
        ("SW_OPER_MAGA_LR_1B_broken_0409", "FAILED"),
    ]
    assert tasks[2].message is not None and "broken" in tasks[2].message
    listed = jq.run("product", "list", "-c", MAG_A)[1].split()
    assert listed == [f"{MAG_A}/{Path(f).stem}" for f in files]

    again = jq.run("job", "run", "register", MAG_A, str(data / f"{MAG_A}_*.cdf"))  # a glob
    assert "2 of 3 product(s) skipped." in jq.record(_job_id(again[2])).message  # type: ignore[operator]


def test_check_and_job_purge_as_jobs(jq: JqEnv) -> None:
    jq.run("job", "run", "sleep")

    checked = jq.run("job", "run", "check", "only=definitions-valid,schedules")
    assert checked[0] == 0 and jq.record(_job_id(checked[2])).tasks_total == 2

    purged = jq.run("job", "run", "job_purge", "older_than=PT0S")

    assert purged[0] == 0, purged[2]
    assert jq.run("job", "list")[1].split() == [_job_id(purged[2])]
    assert jq.run("job", "run", "job_purge", "older_than=14 days")[2].startswith(
        "ERROR: job type job_purge: older_than: "
    )


def test_a_job_run_in_the_shell_is_aborted_from_another(jq: JqEnv) -> None:
    shell = subprocess.Popen(
        [sys.executable, "-m", "vires_repo", "--catalog", str(jq.catalog), "job", "run"]
        + ["sleep", "60"],
        env=jq.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = shell.stderr.readline() if shell.stderr else ""
        job_id = _job_id(line)
        jq.wait_for(job_id, ("STARTED",))
        asked = time.monotonic()
        assert jq.run("job", "abort", job_id)[0] == 0
        _out, err = shell.communicate(timeout=10)
    finally:
        shell.kill()

    assert time.monotonic() - asked < 3
    assert shell.returncode == 1
    assert err.splitlines()[-1] == f"ERROR: job {job_id} ABORTED: aborted on request"
    assert str(jq.record(job_id).status) == "ABORTED"
