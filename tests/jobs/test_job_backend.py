"""The back-end's job folders on a local disk and on fsspec's memory filesystem: a job's life
(queued, running, finished), list/info with ``is_finished`` computed from the task entry as it
is, purge."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest

from vires_repo.errors import UsageError
from vires_repo.io.storage import Storage
from vires_repo.jobs.backend import BackendInfo, JobBackend, JobResponse


@pytest.fixture(params=["local", "memory"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> JobBackend:
    root = str(tmp_path / "jobs") if request.param == "local" else f"memory://j-{uuid.uuid4().hex}"
    return JobBackend(Storage(root))


QUEUED = BackendInfo(response_exists=False, is_finished=False, is_active=False)
RUNNING = BackendInfo(response_exists=False, is_finished=False, is_active=True)
DONE = BackendInfo(response_exists=True, is_finished=True, is_active=False)


def test_a_job_s_life_as_the_back_end_sees_it(backend: JobBackend) -> None:
    assert backend.info("a") is None
    backend.create_task("a", b"payload")
    assert backend.info("a") == QUEUED  # the task entry is a file: not finished (VirES quirk)

    backend.start("a")
    assert backend.info("a") == RUNNING

    output = backend.publish("a", "out/data.csv", b"x,y\n1,2\n")
    backend.write_response("a", JobResponse("SUCCEEDED", (output,)))
    backend.finish("a")

    assert backend.info("a") == DONE
    assert output.size == 8 and output.sha256 == hashlib.sha256(b"x,y\n1,2\n").hexdigest()
    assert backend.read_response("a") == JobResponse("SUCCEEDED", (output,))
    assert backend.storage.read_bytes("perm/a/out/data.csv") == b"x,y\n1,2\n"


def test_list_all_or_some(backend: JobBackend) -> None:
    backend.create_task("queued")
    backend.create_task("running")
    backend.start("running")
    backend.write_response("done", JobResponse("FAILED", error="boom"))
    backend.storage.makedirs("perm/no-response")
    backend.storage.write_bytes("perm/no-response/partial.cdf", b"1")
    backend.storage.write_bytes("task/.tmp-123.part", b"")  # an interrupted atomic write
    odd = ["", ".", "..", "../perm/done", "/", "done/response.json", "a\0b"]  # not paths

    everything = backend.list()
    many = backend.list([*(f"x{n}" for n in range(100)), "done", "queued", "no-response", *odd])
    few = backend.list(["done", "nope", "../etc"])

    assert everything == {
        "done": DONE,
        "no-response": BackendInfo(response_exists=False, is_finished=True, is_active=False),
        "queued": QUEUED,
        "running": RUNNING,
    }
    assert list(everything) == sorted(everything)
    assert many == {"done": DONE, "queued": QUEUED, "no-response": everything["no-response"]}
    assert few == {"done": DONE}
    assert backend.read_response("done") == JobResponse("FAILED", error="boom")
    assert backend.read_response("queued") is None


def test_purge_removes_all_three_entries(backend: JobBackend) -> None:
    backend.create_task("a")
    backend.start("a")
    backend.publish("a", "out.txt", b"1")
    backend.create_task("b")

    backend.purge("a")
    backend.purge("never-there")

    assert backend.list() == {"b": QUEUED}


def test_the_response_url_names_the_document(tmp_path: Path) -> None:
    backend = JobBackend(Storage(str(tmp_path)))

    assert backend.response_url("j1") == f"{tmp_path}/perm/j1/response.json"


def test_a_bad_identifier_never_becomes_a_path(backend: JobBackend) -> None:
    with pytest.raises(UsageError, match="job identifier '../x' is invalid"):
        backend.purge("../x")
    with pytest.raises(UsageError):
        backend.create_task(".hidden")


def test_a_response_keeps_unknown_keys() -> None:
    document = {"status": "SUCCEEDED", "outputs": [], "error": None, "format": "CDF"}

    assert JobResponse.from_json(document).to_json() == document


def test_a_scan_without_the_response_documents(backend: JobBackend) -> None:
    backend.write_response("done", JobResponse("SUCCEEDED"))
    backend.create_task("queued")
    ids = [f"x{n}" for n in range(100)] + ["done", "queued"]

    full, quick = backend.scan(ids), backend.scan(ids, responses=False)

    assert full.responded == {"done"} and quick.responded == set()
    assert full.states() == {job_id: full.info(job_id) for job_id in full.known}
    assert (
        (full.known, full.tasks) == (quick.known, quick.tasks) == ({"done", "queued"}, {"queued"})
    )
