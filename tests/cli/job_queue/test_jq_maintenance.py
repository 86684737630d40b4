"""Jobs while the catalogue is in maintenance mode: writer job types refused at submission
and, when queued before, at start (with the reason); readers keep working; ``info`` says so.
(The scheduler's skipping is in ``tests/jobs/test_job_schedule_firing.py``.)"""

from __future__ import annotations

import json

from jq_env import JqEnv
from ops_env import build_catalogue


def test_writer_jobs_are_refused_in_maintenance_and_readers_run(jq: JqEnv) -> None:
    build_catalogue(str(jq.catalog), days=2)
    queued = jq.submit("compact")  # before maintenance: refused when a worker takes it
    assert jq.run("maintenance", "on", "--reason", "disk swap")[0] == 0

    code, out, err = jq.run("job", "submit", "compact")

    assert (code, out) == (1, "")
    assert len(err.splitlines()) == 1
    assert err.startswith(f"ERROR: job type compact writes the catalogue {jq.catalog}, which is ")
    assert ": disk swap (refused until 'vires-repo maintenance off')" in err
    assert jq.run("job", "run", "check", "only=definitions-valid")[0] == 0  # a reader
    assert "maintenance:     on since " in jq.run("info")[1]
    assert json.loads(jq.run("info", "--json")[1])["maintenance"]["reason"] == "disk swap"

    jq.start_worker()
    record = jq.wait_for(queued)
    assert str(record.status) == "FAILED"
    assert record.message is not None and "disk swap" in record.message

    assert jq.run("maintenance", "off")[0] == 0
    retried = jq.run("job", "retry", queued)
    assert retried[0] == 0, retried[2]
    assert str(jq.wait_for(retried[1].strip()).status) == "SUCCEEDED"
    assert "maintenance:     off" in jq.run("info")[1]
