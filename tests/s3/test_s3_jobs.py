"""Job outputs on an object store (a multi-machine deployment): the back-end's folders on a
real S3 API, the records in PostgreSQL, and the VirES job commands over both."""

from __future__ import annotations

from jobs_env_s3 import fill_backend

from vires_repo.io.storage import Storage
from vires_repo.jobs.backend import BackendInfo, JobBackend


def test_the_back_end_on_s3(bucket: str) -> None:
    backend = JobBackend(Storage(f"s3://{bucket}/jobs"))
    fill_backend(backend)

    assert backend.list() == {
        "done": BackendInfo(response_exists=True, is_finished=True, is_active=False),
        "queued": BackendInfo(response_exists=False, is_finished=False, is_active=False),
        "running": BackendInfo(response_exists=False, is_finished=False, is_active=True),
    }
    assert backend.list(["done", "nope"]) == {"done": backend.list()["done"]}
    assert backend.list([f"x{n}" for n in range(100)] + ["running"]) == {
        "running": BackendInfo(response_exists=False, is_finished=False, is_active=True)
    }
    backend.finish("running")
    backend.purge("done")
    assert list(backend.list()) == ["queued"]  # "running" ended without outputs
    assert backend.info("running") is None
    assert backend.info("queued") == BackendInfo(False, False, False)


def test_the_job_commands_with_outputs_on_s3(cli, bucket: str, postgres_url: str,
                                             monkeypatch, tmp_path) -> None:  # fmt: skip
    from jobs_env_s3 import record

    monkeypatch.setenv("VIRES_JOBS_DB", postgres_url)
    root = f"s3://{bucket}/jobs"
    backend = JobBackend(Storage(root))
    fill_backend(backend)
    record(postgres_url, "done", "queued", "lost")
    catalog = str(tmp_path / "catalog")

    info = cli("--catalog", catalog, "job", "info", "--jobs-root", root)
    dangling = cli("--catalog", catalog, "dangling_job", "list", "--jobs-root", root)
    removed = cli("--catalog", catalog, "job", "remove", "done", "--jobs-root", root)

    assert info.code == 0, info.err
    assert [line.split(",")[1:2] + line.split(",")[7:11] for line in info.out.splitlines()] == [
        ["identifier", "exists", "hasResponse", "finished", "active"],
        ["done", "True", "True", "True", "False"],
        ["queued", "True", "False", "False", "False"],
        ["lost", "False", "False", "False", "False"],
    ]
    assert dangling.out.split() == ["running"]
    assert removed.code == 0 and not backend.storage.exists("perm/done/response.json")
