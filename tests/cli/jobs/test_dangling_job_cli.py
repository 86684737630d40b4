"""``dangling_job list | info | dump | remove``: back-end folders without a job record, found
and removed, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from jobs_env import ALL, DANGLING_DONE, DANGLING_RUN, DONE, FAIL, LOOSE, QUEUE, RUN, JobsEnv


def test_list_and_filters(cli, jobs_env: JobsEnv) -> None:
    def listed(*options: str) -> list[str]:
        code, out, err = cli("--catalog", jobs_env.catalog, "dangling_job", "list", *options)
        assert (code, err) == (0, "")
        return out.splitlines()

    assert listed() == [DANGLING_DONE, DANGLING_RUN]
    assert listed("--active") == [DANGLING_RUN]
    assert listed("--not-active") == [DANGLING_DONE]
    assert listed("--finished") == [DANGLING_DONE]
    assert listed("--not-finished") == [DANGLING_RUN]
    assert listed("--with-response") == [DANGLING_DONE]
    assert listed("--without-response") == [DANGLING_RUN]
    assert listed(DANGLING_RUN, DONE) == [DANGLING_RUN]  # a job with a record is not dangling


def test_info_and_dump(cli, jobs_env: JobsEnv) -> None:
    info = cli("--catalog", jobs_env.catalog, "dangling_job", "info")
    dump = cli("--catalog", jobs_env.catalog, "dangling-job", "dump", "--active")

    assert info.code == 0 and info.out.splitlines() == [
        "identifier,hasResponse,finished,active",
        f"{DANGLING_DONE},True,True,False",
        f"{DANGLING_RUN},False,False,True",
    ]
    assert dump.code == 0 and json.loads(dump.out) == [
        {"identifier": DANGLING_RUN, "hasResponse": False, "finished": False, "active": True}
    ]
    assert dump.out == json.dumps(json.loads(dump.out), indent=2) + "\n"  # VirES's JSON layout


def test_remove(cli, jobs_env: JobsEnv) -> None:
    guarded = cli("--catalog", jobs_env.catalog, "dangling_job", "remove")
    code, out, err = cli("--catalog", jobs_env.catalog, "dangling_job", "remove", "--all")

    assert guarded.code == 0 and guarded.err.startswith("WARNING: No identifier selected and no")
    assert (code, out) == (0, "")
    assert sorted(err.splitlines()) == [
        f"INFO: dangling job {DANGLING_DONE} removed",
        f"INFO: dangling job {DANGLING_RUN} removed",
    ]
    assert set(jobs_env.backend.list()) == {
        DONE,
        FAIL,
        RUN,
        QUEUE,
    }
    assert cli("--catalog", jobs_env.catalog, "job", "list").out.splitlines() == ALL


def test_a_loose_and_a_dangling_job_are_opposites(cli, jobs_env: JobsEnv) -> None:
    """Removing a job's record leaves its folders dangling; removing its folders leaves the
    record loose; each command finds and removes its own kind."""
    with jobs_env.records() as records:
        records.delete([DONE])
    jobs_env.backend.purge(RUN)

    dangling = cli("--catalog", jobs_env.catalog, "dangling_job", "list").out.splitlines()
    loose = cli("--catalog", jobs_env.catalog, "job", "list", "--loose").out.splitlines()

    assert dangling == [DONE, DANGLING_DONE, DANGLING_RUN]  # by identifier
    assert loose == [RUN, LOOSE]
    assert cli("--catalog", jobs_env.catalog, "dangling_job", "remove", DONE).code == 0
    assert cli("--catalog", jobs_env.catalog, "job", "remove", "--loose", "--all").code == 0
    assert cli("--catalog", jobs_env.catalog, "dangling_job", "list").out.splitlines() == [
        DANGLING_DONE,
        DANGLING_RUN,
    ]
    assert cli("--catalog", jobs_env.catalog, "job", "list", "--loose").out == ""


def test_unknown_identifier(cli, sqlite_jobs_env: JobsEnv) -> None:
    code, out, err = cli("--catalog", sqlite_jobs_env.catalog, "dangling_job", "info", "nope")

    assert (code, out, err) == (1, "", "ERROR: job nope does not exist\n")
