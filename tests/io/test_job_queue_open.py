"""Opening the job queue (:mod:`vires_repo.io.queue`): huey creates its tables when opened,
and several processes opening it at once on a fresh PostgreSQL database (workers started
together on several machines) all succeed. The processes are real ones (a fork of a pytest
worker that loaded DuckDB may crash) released at one instant; without the lock around huey's
table creation some of them fail in nearly every run."""

from __future__ import annotations

import subprocess
import sys
import time

from vires_repo.io.queue import JobQueue

OPENERS = 8
OPEN_AT_ONCE = """
import sys, time
import huey.contrib.sql_huey
from vires_repo.io.queue import JobQueue
at = float(sys.argv[1])  # every process has imported everything by then
time.sleep(max(0.0, at - time.time() - 0.05))
while time.time() < at:
    pass
with JobQueue(sys.argv[2]) as queue:
    queue.enqueue("job")
"""


def test_processes_opening_a_fresh_postgresql_queue_at_once_all_succeed(postgres_url: str) -> None:
    at = str(time.time() + 3)
    openers = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AT_ONCE, at, postgres_url],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(OPENERS)
    ]
    errors = [opener.communicate(timeout=60)[1] for opener in openers]

    assert [opener.returncode for opener in openers] == [0] * OPENERS, errors
    with JobQueue(postgres_url) as queue:
        assert queue.pending() == ["job"] * OPENERS
