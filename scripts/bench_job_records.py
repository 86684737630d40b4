"""Benchmark of the VirES job commands over many job records (not part of the test suite).

Builds a jobs root with N job records (default 100,000) in the default SQLite store, or in
PostgreSQL with ``--postgres URL``, and their back-end folders as a long-running server has
them: most jobs finished with their outputs and response document, a few queued, a few
running, a few loose. Then times, as full CLI commands in a fresh process each (the target
is <= 1 s each; min of ``--repeat`` runs):

* ``job list``, ``job info``, ``job dump`` of everything;
* ``job list -s FAILED`` (a record filter) and ``job list --active`` (a back-end filter).

Usage: ``python scripts/bench_job_records.py [--jobs N] [--repeat R] [--postgres URL]
[--keep DIR]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vires_repo import jsonio
from vires_repo.io.storage import Storage
from vires_repo.jobs.backend import RESPONSE, JobBackend, JobOutput, JobResponse
from vires_repo.jobs.location import JobsLocation
from vires_repo.jobs.records import JobRecord, JobRecords, JobStatus

REPO = Path(__file__).resolve().parent.parent
T0 = datetime(2025, 1, 1, tzinfo=UTC)
SPECIAL = 50
"""Jobs of each unusual kind: queued, running, loose."""


def build(catalog: Path, count: int) -> JobsLocation:
    location = JobsLocation.resolve(str(catalog))
    backend = JobBackend(Storage(location.root))
    records = []
    for n in range(count):
        job_id = str(uuid.UUID(int=n, version=4))
        submitted = T0 + timedelta(seconds=37 * n, microseconds=n % 1000)
        if n < SPECIAL:
            status, ended = JobStatus.ACCEPTED, None
        elif n < 2 * SPECIAL:
            status, ended = JobStatus.STARTED, None
        else:
            status = JobStatus.FAILED if n % 10 == 0 else JobStatus.SUCCEEDED
            ended = submitted + timedelta(seconds=30)
        records.append(
            JobRecord(
                id=job_id,
                process_id="fetch_filtered_data",
                status=status,
                submitted=submitted,
                owner=f"user{n % 97}" if n % 5 else None,
                started=None if status is JobStatus.ACCEPTED else submitted + timedelta(seconds=1),
                ended=ended,
                response_url=backend.response_url(job_id),
                parameters={"collection": "SW_OPER_MAGA_LR_1B", "n": n},
            )
        )
    with JobRecords.open(location.database_url) as store:
        store.insert_many(records)
    response = jsonio.dumps(
        JobResponse("SUCCEEDED", (JobOutput("data.cdf", 1, "0" * 64),)).to_json()
    )
    root = Path(location.root)
    for n, record in enumerate(records):
        if n < 2 * SPECIAL:
            backend.create_task(record.id)
            if n >= SPECIAL:
                backend.start(record.id)
        elif n < count - SPECIAL:  # the last ones are loose: no folders
            # written directly: the back-end's atomic, fsynced writes of 10^5 documents would
            # take minutes, and the layout is the same
            folder = root / JobBackend.perm_path(record.id)
            folder.mkdir(parents=True)
            (folder / RESPONSE).write_text(response)
    return location


def time_command(catalog: Path, args: list[str], repeat: int) -> tuple[float, int]:
    command = [sys.executable, "-m", "vires_repo", "--catalog", str(catalog), "job", *args]
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    best, size = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, env=environment, check=True)
        best = min(best, time.perf_counter() - start)
        size = len(done.stdout)
    return best, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", help="VIRES_JOBS_DB for the records (an empty database)")
    parser.add_argument("--keep", type=Path, help="build the jobs here and keep them")
    options = parser.parse_args()
    if options.postgres:
        os.environ["VIRES_JOBS_DB"] = options.postgres
    folder = options.keep or Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    catalog = folder / "catalog"
    try:
        start = time.perf_counter()
        location = build(catalog, options.jobs)
        engine = location.database_url.split("://")[0]
        print(f"{options.jobs:,} job records ({engine}) and folders built in ", end="")
        print(f"{time.perf_counter() - start:.1f} s; timings: min of {options.repeat} runs")
        print(f"{'command':<28} {'seconds':>8} {'stdout bytes':>14}")
        for args in (
            ["list"],
            ["info"],
            ["dump"],
            ["list", "-s", "FAILED"],
            ["list", "--active"],
        ):
            seconds, size = time_command(catalog, args, options.repeat)
            print(f"{'job ' + ' '.join(args):<28} {seconds:>8.3f} {size:>14,}")
        seconds, _ = time_command(catalog, ["list", "--help"], options.repeat)
        print(f"{'(start-up: job list --help)':<28} {seconds:>8.3f}")
    finally:
        if options.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
