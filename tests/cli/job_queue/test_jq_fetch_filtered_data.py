"""Job type ``fetch_filtered_data`` through ``job submit`` and a real ``worker start``: the
output and the source list in ``perm/<id>/`` under VirES's names, read back; progress per
product; an owner without a collection's ``requiredPermission`` refused with one ERROR line,
at submission and when the job runs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from extraction_env import ExtractionEnv, build_env
from jq_env import JqEnv

from vires_repo.jobs.backend import JobBackend
from vires_repo.jobs.permissions import set_user_groups

OPER_A = "SW_OPER_MAGA_LR_1B"
FAST_A = "SW_FAST_MAGA_LR_1B"
WINDOW = ("begin=2016-01-01T00:00:00", "end=2016-01-01T00:00:10")


@pytest.fixture
def data(jq: JqEnv, tmp_path: Path, copy_default_catalog: Any) -> ExtractionEnv:
    """Two hourly products of OPER_A, one of FAST_A; FAST_A requires swarm_advanced."""
    env = build_env(tmp_path, copy_default_catalog)
    env.add(OPER_A, "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    env.add(OPER_A, "2016-01-01T01:00:00", "2016-01-01T01:59:59")
    env.add(FAST_A, "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    definition = jq.catalog / "product_collections" / f"{FAST_A}.json"
    value = json.loads(definition.read_text())
    definition.write_text(json.dumps({**value, "requiredPermission": "swarm_advanced"}))
    set_user_groups(env.catalog, "alice", ("default",))  # swarm only
    set_user_groups(env.catalog, "bob", ("swarm_advanced",))
    return env


def test_a_queued_extraction_writes_its_outputs_into_perm(jq: JqEnv, data: ExtractionEnv) -> None:
    job_id = jq.submit(
        "fetch_filtered_data", OPER_A, "begin=2016-01-01T00:00:00", "end=2016-01-01T01:00:10",
        "variables=F,B_NEC", "format=parquet", "--user", "alice",
    )  # fmt: skip
    jq.start_worker()

    record = jq.wait_for(job_id, timeout=60)

    assert str(record.status) == "SUCCEEDED", record.message
    assert record.progress == 100
    name = f"{OPER_A}_20160101T000000_20160101T010009_Filtered"
    assert record.message == f"3610 record(s) from 2 product(s) written to {name}.parquet"
    perm = jq.location.storage().path(JobBackend.perm_path(job_id))
    table = pq.read_table(f"{perm}/{name}.parquet")
    assert table.num_rows == 3610
    assert table.column_names[-2:] == ["F", "B_NEC"]
    sources = Path(f"{perm}/{name}_sources.txt").read_bytes().split(b"\r\n")
    assert [s.decode() for s in sources[:-1]] == sorted(data.files)[1:]  # the OPER products
    response = JobBackend(jq.location.storage()).read_response(job_id)
    assert response is not None
    outputs = {output.name: output for output in response.outputs}
    assert sorted(outputs) == [f"{name}.parquet", f"{name}_sources.txt"]
    parquet = Path(f"{perm}/{name}.parquet").read_bytes()
    assert outputs[f"{name}.parquet"].sha256 == hashlib.sha256(parquet).hexdigest()
    assert record.output_size == sum(output.size for output in outputs.values())
    assert not Path(jq.location.root, "temp", job_id).exists()


def test_the_sources_as_vires_json_and_csv_output(jq: JqEnv, data: ExtractionEnv) -> None:
    sources = json.dumps({"A": [f"{FAST_A}+{OPER_A}"]})
    code, _out, err = jq.run(
        "job", "run", "fetch_filtered_data", f"collection_ids={sources}", *WINDOW,
        "format=csv", "csv_time_format=Unix epoch", "--user", "bob",
    )  # fmt: skip

    assert code == 0, err
    job_id = err.split("INFO: job ", 1)[1].split()[0]
    perm = Path(jq.location.root, "perm", job_id)
    name = f"{FAST_A}+{OPER_A}_20160101T000000_20160101T000009_Filtered.csv"
    lines = (perm / name).read_text().splitlines()
    assert lines[0] == "DataSource,Spacecraft,Timestamp,Latitude,Longitude,Radius"
    assert lines[1].startswith("0,A,1451606400,") and len(lines) == 11
    assert jq.record(job_id).parameters["collection_ids"] == {"A": [f"{FAST_A}+{OPER_A}"]}


def test_an_owner_without_the_permission_is_refused(jq: JqEnv, data: ExtractionEnv) -> None:
    code, out, err = jq.run(
        "job", "submit", "fetch_filtered_data", f"A={FAST_A}", *WINDOW, "--user", "alice"
    )
    assert (code, out) == (1, "")
    assert err.startswith("ERROR: job type fetch_filtered_data has no parameter 'A'")

    code, out, err = jq.run(
        "job", "submit", "fetch_filtered_data", f"collection_ids=A={FAST_A}", *WINDOW,
        "--user", "alice",
    )  # fmt: skip

    assert (code, out) == (1, "")
    assert err == (
        f"ERROR: owner alice may not read collection {FAST_A}: it requires permission "
        "'swarm_advanced', which none of the owner's groups grants\n"
    )
    assert jq.run("job", "list")[1] == ""


def test_the_permission_is_checked_again_when_the_job_runs(jq: JqEnv, data: ExtractionEnv) -> None:
    job_id = jq.submit("fetch_filtered_data", FAST_A, *WINDOW, "--user", "bob")
    set_user_groups(data.catalog, "bob", ("default",))  # revoked while queued
    jq.start_worker()

    record = jq.wait_for(job_id, timeout=60)

    assert str(record.status) == "FAILED"
    assert record.message is not None
    assert record.message.startswith(f"owner bob may not read collection {FAST_A}")
