"""The operations as job types (``backup``, ``purge``, ``mirror``, ``sync``): each does what
its command does, in the shell and on a real worker."""

from __future__ import annotations

import json
from pathlib import Path

from jq_env import JqEnv
from ops_env import build_catalogue, catalogue_files, register_day

from vires_repo.jobs.records import JobRecords


def _job_id(err: str) -> str:
    return err.split("INFO: job ", 1)[1].split()[0]


def test_backup_mirror_and_sync_as_jobs(cli, jq: JqEnv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    build_catalogue(str(jq.catalog), days=10)
    backups, copy = tmp_path / "backups", tmp_path / "copy"

    code, _out, err = jq.run("job", "run", "backup", f"dest={backups}", "tag=nightly")
    assert code == 0, err
    record = jq.record(_job_id(err))
    assert record.message is not None and record.message.startswith("backup ")
    listed = jq.run("backup", "list", "--dest", str(backups))[1]
    assert "-nightly" in listed and str(record.status) == "SUCCEEDED"

    code, _out, err = jq.run("job", "run", "mirror", str(jq.catalog), str(copy))
    assert code == 0, err
    assert "manifest(s) copied" in str(jq.record(_job_id(err)).message)
    assert catalogue_files(str(copy)) == catalogue_files(str(jq.catalog))

    register_day(str(jq.catalog), 20)  # the source moves on; the copy is its replica
    code, _out, err = cli("--catalog", str(copy), "job", "run", "sync", f"source={jq.catalog}")
    assert code == 0, err
    assert "1 data file(s)" not in err and "2 data file(s) and 2 manifest(s) copied" in err
    assert catalogue_files(str(copy)) == catalogue_files(str(jq.catalog))


def test_a_queued_purge_job_lists_what_it_removed(jq: JqEnv) -> None:
    build_catalogue(str(jq.catalog), days=2)
    old = _job_id(jq.run("job", "run", "sleep")[2])
    job_id = jq.submit("purge", "jobs=true", "older_than=PT0S", "dry_run=true")
    jq.start_worker()

    record = jq.wait_for(job_id)

    assert str(record.status) == "SUCCEEDED", record.message
    assert record.message == "jobs: 1 finished job would be purged (ended more than PT0S ago)"
    perm = Path(jq.location.root, "perm", job_id)
    assert (perm / "purged.txt").read_text() == f"purged job {old}\n"
    response = json.loads((perm / "response.json").read_text())
    assert [output["name"] for output in response["outputs"]] == ["purged.txt"]
    assert str(jq.record(old).status) == "SUCCEEDED"  # a dry run removes nothing


def test_the_nightly_job_runs_the_nightly_steps_as_tasks(jq: JqEnv, tmp_path: Path) -> None:
    build_catalogue(str(jq.catalog), days=3, data=tmp_path / "data")
    backups, replica = tmp_path / "backups", tmp_path / "replica"

    code, _out, err = jq.run(
        "job", "run", "nightly", f"backup_dest={backups}", f"replicas={replica}"
    )

    assert code == 0, err
    job_id = _job_id(err)
    record = jq.record(job_id)
    assert record.message == "5 step(s) ran, all ok"
    with JobRecords.open(jq.location.database_url) as records:
        tasks = [(task.name, str(task.status)) for task in records.tasks(job_id)]
    assert tasks == [
        ("info", "SUCCEEDED"),
        ("check --files", "SUCCEEDED"),
        ("backup create", "SUCCEEDED"),
        ("purge --policies", "SUCCEEDED"),
        (f"sync {replica}", "SUCCEEDED"),
    ]
    summary = (Path(jq.location.root, "perm", job_id) / "summary.md").read_text()
    assert summary.startswith("## Nightly operations\n") and "in step" in summary
    assert (backups / "latest").exists()
    assert catalogue_files(str(replica)) == catalogue_files(str(jq.catalog))

    assert jq.run("job", "schedule", "0 2 * * *", "nightly", f"replicas={replica}")[0] == 0
    assert jq.run("check", "--only", "schedules")[0] == 0
    assert jq.run("maintenance", "on", "--reason", "upgrade")[0] == 0
    refused = jq.run("job", "run", "nightly")
    assert refused[0] == 1 and "maintenance mode" in refused[2] and "upgrade" in refused[2]
