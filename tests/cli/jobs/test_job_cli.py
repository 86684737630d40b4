"""``job list | info | dump | remove | purge`` through the command line, on SQLite and on a real
PostgreSQL server: VirES's selection options, the 12-column CSV and JSON, loose jobs, the
``--all`` guard, and bad input as one ERROR line."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jobs_env import (
    ALL,
    DANGLING_DONE,
    DANGLING_RUN,
    DONE,
    FAIL,
    LOOSE,
    QUEUE,
    RUN,
    T0,
    JobsEnv,
)

from vires_repo.jobs.backend import BackendScan, JobBackend, JobResponse
from vires_repo.jobs.records import JobRecord, JobStatus

HEADER = (
    "processId,identifier,owner,status,submitted,started,ended,exists,hasResponse,finished,"
    "active,responseUrl"
)


def _ids(out: str) -> list[str]:
    return out.splitlines()


def test_list_selects_as_vires(cli, jobs_env: JobsEnv) -> None:
    def listed(*options: str) -> list[str]:
        code, out, err = cli("--catalog", jobs_env.catalog, "job", "list", *options)
        assert (code, err) == (0, "")
        return _ids(out)

    assert listed() == ALL
    assert listed(FAIL, DONE, "-s", "SUCCEEDED") == [DONE]
    assert listed("-u", "alice") == [DONE, RUN]
    assert listed("--user", "bob", "-n") == [FAIL, LOOSE]
    assert listed("-n") == [QUEUE]
    assert listed("-s", "SUCCEEDED", "--status", "failed") == [DONE, FAIL, LOOSE]
    assert listed("--submitted-after", "2026-01-02", "--submitted-before", "2026-01-04") == [
        FAIL,
        RUN,
    ]
    assert listed("--ended-after", "2026-01-03T00:00:00Z") == [FAIL, LOOSE]  # inclusive
    assert listed("--ended-after", "2026-01-03T00:00:00.000001") == [LOOSE]
    assert listed("--ended-before", "2026-01-03") == [DONE]  # exclusive
    assert listed("--ended-after", "P1D") == []


def test_list_with_back_end_filters(cli, jobs_env: JobsEnv) -> None:
    def listed(*options: str) -> list[str]:
        code, out, _ = cli("--catalog", jobs_env.catalog, "job", "list", *options)
        assert code == 0
        return _ids(out)

    assert listed("--loose") == [LOOSE]
    assert listed("--not-loose") == [DONE, FAIL, RUN, QUEUE]
    assert listed("--active") == [RUN]
    assert listed("--not-active") == [DONE, FAIL, QUEUE]  # loose jobs excluded by both
    assert listed("--finished") == [DONE, FAIL]
    assert listed("--not-finished") == [RUN, QUEUE]
    assert listed("--with-response") == [DONE, FAIL]
    assert listed("--without-response") == [RUN, QUEUE]
    assert listed("--finished", "-u", "bob") == [FAIL]


def test_info_is_the_vires_csv(cli, jobs_env: JobsEnv) -> None:
    code, out, err = cli("--catalog", jobs_env.catalog, "job", "info")

    url = jobs_env.response_url
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        HEADER,
        f"register,{DONE},alice,SUCCEEDED,2026-01-01T00:00:00Z,2026-01-01T00:01:00Z,"
        f"2026-01-02T00:00:00Z,True,True,True,False,{url(DONE)}",
        f"check,{FAIL},bob,FAILED,2026-01-02T00:00:00Z,2026-01-02T00:01:00Z,"
        f"2026-01-03T00:00:00Z,True,True,True,False,{url(FAIL)}",
        f"register,{RUN},alice,STARTED,2026-01-03T00:00:00Z,2026-01-03T00:01:00Z,,"
        f"True,False,False,True,{url(RUN)}",
        f"check,{QUEUE},,ACCEPTED,2026-01-04T00:00:00Z,,,True,False,False,False,{url(QUEUE)}",
        f"register,{LOOSE},bob,SUCCEEDED,2026-01-05T00:00:00Z,2026-01-05T00:01:00Z,"
        f"2026-01-06T00:00:00.000250Z,False,False,False,False,{url(LOOSE)}",
    ]


def test_info_of_nothing_is_the_header(cli, tmp_path: Path) -> None:
    code, out, err = cli("--catalog", str(tmp_path / "none"), "job", "info")

    assert (code, out, err) == (0, HEADER + "\n", "")
    assert not (tmp_path / "none").exists()  # a read creates no database


def test_dump_is_json_with_the_same_keys(cli, jobs_env: JobsEnv, tmp_path: Path) -> None:
    code, out, err = cli("--catalog", jobs_env.catalog, "job", "dump", "--loose")
    target = tmp_path / "dump.json"
    to_file = cli("--catalog", jobs_env.catalog, "job", "dump", RUN, QUEUE, "-f", str(target))

    assert (code, err) == (0, "")
    assert json.loads(out) == [
        {
            "processId": "register",
            "identifier": LOOSE,
            "owner": "bob",
            "status": "SUCCEEDED",
            "submitted": "2026-01-05T00:00:00Z",
            "started": "2026-01-05T00:01:00Z",
            "ended": "2026-01-06T00:00:00.000250Z",
            "exists": False,
            "hasResponse": False,
            "finished": False,
            "active": False,
            "responseUrl": jobs_env.response_url(LOOSE),
        }
    ]
    assert out == json.dumps(json.loads(out), indent=2) + "\n"  # VirES's JSON layout
    assert to_file.code == 0 and to_file.out == ""
    dumped = json.loads(target.read_text())
    assert [(d["identifier"], d["owner"], d["ended"], d["active"]) for d in dumped] == [
        (RUN, "alice", None, True),
        (QUEUE, None, None, False),
    ]
    assert cli("--catalog", jobs_env.catalog, "job", "dump", "-s", "ABORTED").out == "[]\n"


ODD = "00000000-0000-4000-8000-000000000006"
ODD_OWNER = 'q"uote\\ é\t中\x01'
"""An owner (and, with ``?"x"``, a response URL) with characters JSON escapes or keeps."""
MANY = [f"00000000-0000-4000-8000-1{n:011d}" for n in range(70)]
"""More jobs than the back-end looks up one by one (it reads its folders instead)."""


def _vires_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


def _add_odd_and_many(env: JobsEnv) -> list[tuple[str | bool | None, ...]]:
    """ODD (FAILED, outputs without a response document) and MANY (SUCCEEDED with responses)
    beside jobs_env's five; the rows 'job info' shows of all, in order."""
    url = env.response_url
    odd_times = [
        T0 + timedelta(days=6, seconds=s, microseconds=m) for s, m in ((0, 0), (1, 0), (2, 5))
    ]
    many_submitted = [T0 + timedelta(days=7, seconds=n) for n in range(len(MANY))]
    with env.records() as records:
        records.insert(
            JobRecord(
                ODD,
                "check",
                JobStatus.FAILED,
                odd_times[0],
                ODD_OWNER,
                odd_times[1],
                odd_times[2],
                f'{url(ODD)}?"x"',
            )
        )
        records.insert_many(
            [
                JobRecord(
                    job,
                    "register",
                    JobStatus.SUCCEEDED,
                    submitted,
                    ended=T0 + timedelta(days=8),
                    response_url=url(job),
                )
                for job, submitted in zip(MANY, many_submitted, strict=True)
            ]
        )
    env.backend.publish(ODD, "out.txt", b"partial")
    for job in MANY:
        env.backend.write_response(job, JobResponse("SUCCEEDED"))
    day = "2026-01-0{}T00:{}Z".format
    return [
        ("register", DONE, "alice", "SUCCEEDED", day(1, "00:00"), day(1, "01:00"), day(2, "00:00"),
         True, True, True, False, url(DONE)),
        ("check", FAIL, "bob", "FAILED", day(2, "00:00"), day(2, "01:00"), day(3, "00:00"),
         True, True, True, False, url(FAIL)),
        ("register", RUN, "alice", "STARTED", day(3, "00:00"), day(3, "01:00"), None,
         True, False, False, True, url(RUN)),
        ("check", QUEUE, None, "ACCEPTED", day(4, "00:00"), None, None,
         True, False, False, False, url(QUEUE)),
        ("register", LOOSE, "bob", "SUCCEEDED", day(5, "00:00"), day(5, "01:00"),
         "2026-01-06T00:00:00.000250Z", False, False, False, False, url(LOOSE)),
        ("check", ODD, ODD_OWNER, "FAILED", *map(_vires_time, odd_times),
         True, False, True, False, f'{url(ODD)}?"x"'),
        *[("register", job, None, "SUCCEEDED", _vires_time(submitted), None, day(9, "00:00"),
           True, True, True, False, url(job))
          for job, submitted in zip(MANY, many_submitted, strict=True)],
    ]  # fmt: skip


def test_info_and_dump_bytes_over_every_state(cli, jobs_env: JobsEnv) -> None:
    """Loose, queued, running and finished jobs, with and without a response document, with
    characters JSON escapes; looked up one by one (a few named) and by listing the folders."""
    rows = _add_odd_and_many(jobs_env)
    few = [RUN, ODD, LOOSE, DONE]

    def info_text(selected: list[tuple[str | bool | None, ...]]) -> str:
        cells = [",".join("" if v is None else str(v) for v in row) for row in selected]
        return "\n".join([HEADER, *cells]) + "\n"

    def dump_text(selected: list[tuple[str | bool | None, ...]]) -> str:
        objects = [dict(zip(HEADER.split(","), row, strict=True)) for row in selected]
        return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"

    for command, expected in (("info", info_text), ("dump", dump_text)):
        every = cli("--catalog", jobs_env.catalog, "job", command)
        some = cli("--catalog", jobs_env.catalog, "job", command, *few)
        assert every == (0, expected(rows), "")
        assert some == (0, expected([row for row in rows if row[1] in few]), "")


def test_remove_purges_folders_and_records(cli, jobs_env: JobsEnv) -> None:
    code, out, err = cli("--catalog", jobs_env.catalog, "job", "remove", DONE, RUN)

    assert (code, out) == (0, "")
    assert err.splitlines() == [f"INFO: job {DONE} removed", f"INFO: job {RUN} removed"]
    assert set(jobs_env.backend.list()) == {FAIL, QUEUE, DANGLING_DONE, DANGLING_RUN}
    with jobs_env.records() as records:
        assert records.select_ids() == [FAIL, QUEUE, LOOSE]


def test_remove_needs_all_without_identifiers(cli, jobs_env: JobsEnv) -> None:
    code, out, err = cli("--catalog", jobs_env.catalog, "job", "remove", "-s", "FAILED")

    assert (code, out) == (0, "")
    assert err == (
        "WARNING: No identifier selected and no job will be removed. "
        "Use the --all option to remove all matched items.\n"
    )
    assert cli("--catalog", jobs_env.catalog, "job", "list").out.splitlines() == ALL


def test_remove_loose_jobs(cli, jobs_env: JobsEnv) -> None:
    code, _, err = cli("--catalog", jobs_env.catalog, "-v", "0", "job", "remove", "--loose", "-a")

    assert (code, err) == (0, "")  # -v 0: the per-job lines are log lines
    assert cli("--catalog", jobs_env.catalog, "job", "list").out.splitlines() == ALL[:-1]
    assert cli("--catalog", jobs_env.catalog, "job", "list", "--loose").out == ""


def test_remove_all_matching(cli, jobs_env: JobsEnv) -> None:
    code, _, err = cli("--catalog", jobs_env.catalog, "job", "remove", "--all", "-u", "alice")

    assert code == 0 and err.count("removed") == 2
    assert cli("--catalog", jobs_env.catalog, "job", "list").out.splitlines() == [
        FAIL,
        QUEUE,
        LOOSE,
    ]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["list", "-s", "DONE"], 2, "ERROR: job status 'DONE' is invalid: expected one of "),
        (["info", "--ended-after", "P1X"], 2, "ERROR: --ended-after: Invalid time spec"),
        (["dump", "--submitted-before", "2026-13-01"], 2, "ERROR: --submitted-before: Invalid"),
        (["info", "nope"], 1, "ERROR: job nope does not exist"),
        (["remove", DONE, "x1", "x2"], 1, "ERROR: jobs x1, x2 do not exist"),
        (["info", DANGLING_DONE], 1, f"ERROR: job {DANGLING_DONE} does not exist"),
        (["list", "../etc"], 2, "ERROR: job identifier '../etc' is invalid"),
        (["purge", "--older-than", "14 days"], 2, "ERROR: --older-than: Invalid ISO-8601 dur"),
    ],
)
def test_bad_input_is_one_error_line(
    cli, sqlite_jobs_env: JobsEnv, argv: list[str], code: int, message: str
) -> None:
    result = cli("--catalog", sqlite_jobs_env.catalog, "job", *argv)

    assert result.code == code
    assert result.out == ""
    assert len(result.err.splitlines()) == 1 and result.err.startswith(message)
    assert cli("--catalog", sqlite_jobs_env.catalog, "job", "list").out.splitlines() == ALL


def test_purge_removes_old_finished_jobs(cli, jobs_env: JobsEnv) -> None:
    with jobs_env.records() as records:
        records.update(RUN, ended=None)
    code, out, err = cli("--catalog", jobs_env.catalog, "job", "purge")
    again = cli("--catalog", jobs_env.catalog, "job", "purge", "--older-than", "P14D")

    assert (code, out) == (0, "")
    assert err.splitlines() == [
        f"INFO: job {DONE} purged",
        f"INFO: job {FAIL} purged",
        f"INFO: job {LOOSE} purged",
        "INFO: 3 of 3 finished jobs purged.",
    ]
    assert again.err == "INFO: 0 of 0 finished job purged.\n"
    assert cli("--catalog", jobs_env.catalog, "job", "list").out.splitlines() == [RUN, QUEUE]
    assert set(jobs_env.backend.list()) == {RUN, QUEUE, DANGLING_DONE, DANGLING_RUN}


def test_purge_keeps_recent_jobs(cli, jobs_env: JobsEnv) -> None:
    code, _, err = cli("--catalog", jobs_env.catalog, "job", "purge", "--older-than", "P100000D")

    assert (code, err) == (0, "INFO: 0 of 0 finished job purged.\n")
    assert cli("--catalog", jobs_env.catalog, "job", "list").out.splitlines() == ALL


def test_the_jobs_root_option_and_variable(cli, tmp_path: Path, monkeypatch) -> None:
    from jobs_env import populate

    env = populate(str(tmp_path / "elsewhere"))  # jobs of another catalogue
    other = str(tmp_path / "catalog")

    assert cli("--catalog", other, "job", "list").out == ""
    assert cli("--catalog", other, "job", "list", "--jobs-root", env.location.root).out.split() == (
        ALL
    )
    monkeypatch.setenv("VIRES_JOBS_ROOT", env.location.root)
    assert cli("--catalog", other, "job", "list", "--loose").out.split() == [LOOSE]


def test_a_remote_jobs_root_without_database_is_one_error(cli) -> None:
    code, out, err = cli("--catalog", "memory://cat", "job", "list")

    assert (code, out) == (1, "")
    assert err.startswith("ERROR: jobs root memory://cat/.state/jobs is not a local folder")
    assert len(err.splitlines()) == 1


def test_the_console_script(sqlite_jobs_env: JobsEnv) -> None:
    """The installed entry point, in a process of its own, as an operator runs it."""
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    command = [sys.executable, "-m", "vires_repo", "--catalog", sqlite_jobs_env.catalog, "job"]
    info = subprocess.run(
        [*command, "info", "--not-finished"], capture_output=True, text=True, env=environment
    )
    bad = subprocess.run(
        [*command, "list", "-s", "NOPE"], capture_output=True, text=True, env=environment
    )

    assert info.returncode == 0, info.stderr
    assert [line.split(",")[1] for line in info.stdout.splitlines()] == ["identifier", RUN, QUEUE]
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("ERROR: job status 'NOPE' is invalid")


_MODULES_AFTER = """
import contextlib, io, sys
from vires_repo.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(sys.argv[1:])
print(code, len(out.getvalue()), *sorted(sys.modules))
"""
"""Runs vires-repo ARGV (stdout a text stream without bytes under it), then prints the exit
code, the length of the output and the modules loaded."""


@pytest.mark.parametrize("command", ["list", "info", "dump"])
def test_the_read_commands_import_no_pydantic(sqlite_jobs_env: JobsEnv, command: str) -> None:
    """Start-up counts at 10^5 jobs (issue 13: <= 1 s each): the jobs root and database are
    strings read without validating every setting (80 ms of pydantic)."""
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    argv = ["--catalog", sqlite_jobs_env.catalog, "job", command]
    done = subprocess.run(
        [sys.executable, "-c", _MODULES_AFTER, *argv],
        capture_output=True,
        text=True,
        env={**environment, "VIRES_MAX_QUEUED_JOBS": "many"},  # not a read command's setting
        check=True,
    )
    code, size, *modules = done.stdout.split()

    assert (code, done.stderr) == ("0", "")
    assert int(size) >= 5 * 37  # the five jobs
    assert "pydantic" not in modules
    assert "vires_repo.settings" not in modules


@pytest.mark.parametrize("command", ["info", "dump"])
def test_the_cycle_collector_pauses_while_the_rows_are_built(
    cli, sqlite_jobs_env: JobsEnv, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """10^5 rows make no cycle but would run it hundreds of times; it runs again afterwards."""
    seen: list[bool] = []
    real_scan = JobBackend.scan

    def scan(backend: JobBackend, *args: Any, **kwargs: Any) -> BackendScan:
        seen.append(gc.isenabled())
        return real_scan(backend, *args, **kwargs)

    monkeypatch.setattr(JobBackend, "scan", scan)

    assert cli("--catalog", sqlite_jobs_env.catalog, "job", command).code == 0
    assert seen == [False] and gc.isenabled()
