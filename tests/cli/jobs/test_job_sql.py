"""The ``jobs`` and ``job_tasks`` views of ``vires-repo sql``: the records read into tables
when a query names them, empty tables with the same columns before the first job."""

from __future__ import annotations

import json
from pathlib import Path

from jobs_env import DONE, FAIL, LOOSE, RUN, JobsEnv

from vires_repo.jobs.records import JobStatus


def test_the_views_hold_the_records(cli, jobs_env: JobsEnv) -> None:
    with jobs_env.records() as records:
        records.update(RUN, parameters={"collection": "SW_OPER_MAGA_LR_1B"}, progress=40)
        records.set_tasks(RUN, ["a.cdf", "b.cdf"])
        records.update_task(RUN, 0, JobStatus.SUCCEEDED)

    statement = (
        "SELECT status, count(*) AS n, max(ended) AS last FROM jobs GROUP BY status ORDER BY status"
    )
    code, out, err = cli("--catalog", jobs_env.catalog, "sql", statement, "--format", "csv")
    detail = cli(
        "--catalog",
        jobs_env.catalog,
        "sql",
        "SELECT j.id, j.progress, j.tasks_done, t.name, t.status, "
        "json_extract_string(j.parameters, '$.collection') AS collection "
        "FROM jobs j JOIN job_tasks t ON t.job_id = j.id ORDER BY t.seq",
        "--format",
        "json",
    )

    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "status,n,last",
        "ACCEPTED,1,",
        "FAILED,1,2026-01-03T00:00:00Z",
        "STARTED,1,",
        "SUCCEEDED,2,2026-01-06T00:00:00.000250Z",
    ]
    assert detail.code == 0, detail.err
    assert json.loads(detail.out) == [
        {
            "id": RUN,
            "progress": 40,
            "tasks_done": 1,
            "name": name,
            "status": status,
            "collection": "SW_OPER_MAGA_LR_1B",
        }
        for name, status in (("a.cdf", "SUCCEEDED"), ("b.cdf", "ACCEPTED"))
    ]
    owners = cli("--catalog", jobs_env.catalog, "sql", "SELECT id FROM jobs WHERE owner = 'bob'")
    assert owners.out.split() == ["id", FAIL, LOOSE]
    assert DONE not in owners.out


def test_without_jobs_the_views_are_empty_with_their_columns(cli, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()

    code, out, err = cli(
        "--catalog", str(catalog), "sql", "SELECT * FROM jobs, job_tasks", "--format", "csv"
    )

    assert (code, err) == (0, "")
    header = out.splitlines()[0].split(",")
    assert header[:5] == ["id", "process_id", "owner", "status", "submitted"]
    assert header[-7:] == ["job_id", "seq", "name", "status", "started", "ended", "message"]
    assert len(out.splitlines()) == 1
    assert not (catalog / ".state").exists()  # the query created no database


def test_the_jobs_root_option(cli, tmp_path: Path, sqlite_jobs_env: JobsEnv) -> None:
    catalog = tmp_path / "other"
    catalog.mkdir()
    root = sqlite_jobs_env.location.root

    code, out, _ = cli("--catalog", str(catalog), "sql", "SELECT count(*) AS n FROM jobs",
                       "--jobs-root", root, "--format", "csv")  # fmt: skip

    assert (code, out) == (0, "n\n5\n")
