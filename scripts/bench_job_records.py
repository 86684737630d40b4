"""Benchmark of the VirES job commands over many job records (not part of the test suite).

Builds a jobs root with N job records (default 100,000) in the default SQLite store, or in
PostgreSQL with ``--postgres URL``, and their back-end folders as a long-running server has
them: most jobs finished with their outputs and response document, a few queued, a few
running, a few loose. Then times, as full CLI commands in a fresh process each (the target
is <= 1 s each), ``--repeat`` runs of each: the minimum and the median of the wall time, and
the minimum of the command's CPU time (user + system; steadier than the wall time on a machine
that other work shares):

* ``job list``, ``job info``, ``job dump`` of everything;
* ``job list -s FAILED`` (a record filter) and ``job list --active`` (a back-end filter).

Usage: ``python scripts/bench_job_records.py [--jobs N] [--repeat R] [--postgres URL]
[--keep DIR [--reuse]]`` (``--reuse``: time the jobs that an earlier run kept in DIR, with the
same ``--postgres`` database, instead of building them again)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Timing:
    walls: list[float]
    cpus: list[float]
    size: int

    def __str__(self) -> str:
        wall = f"{min(self.walls):>8.3f} {statistics.median(self.walls):>8.3f}"
        return f"{wall} {min(self.cpus):>8.3f} {self.size:>14,}"


def time_command(catalog: Path, args: list[str], repeat: int) -> Timing:
    command = [sys.executable, "-m", "vires_repo", "--catalog", str(catalog), "job", *args]
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    walls, cpus, size = [], [], 0
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, env=environment, check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(sum(getattr(after, f) - getattr(before, f) for f in ("ru_utime", "ru_stime")))
        size = len(done.stdout)
    return Timing(walls, cpus, size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", help="VIRES_JOBS_DB for the records (an empty database)")
    parser.add_argument("--keep", type=Path, help="build the jobs here and keep them")
    parser.add_argument("--reuse", action="store_true", help="time the jobs kept in --keep")
    options = parser.parse_args()
    if options.reuse and options.keep is None:
        parser.error("--reuse needs --keep DIR")
    if options.postgres:
        os.environ["VIRES_JOBS_DB"] = options.postgres
    folder = options.keep or Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    catalog = folder / "catalog"
    try:
        start = time.perf_counter()
        if options.reuse:
            location = JobsLocation.resolve(str(catalog))
            print("job records (", end="")
        else:
            location = build(catalog, options.jobs)
            print(f"{options.jobs:,} job records (", end="")
        engine = location.database_url.split("://")[0]
        print(f"{engine}) and folders ready in {time.perf_counter() - start:.1f} s; ", end="")
        print(f"{options.repeat} runs of each command (seconds)")
        print(f"{'command':<28} {'wall min':>8} {'median':>8} {'CPU min':>8} {'stdout bytes':>14}")
        for args in (
            ["list"],
            ["info"],
            ["dump"],
            ["list", "-s", "FAILED"],
            ["list", "--active"],
            ["list", "--help"],
        ):
            print(f"{'job ' + ' '.join(args):<28} {time_command(catalog, args, options.repeat)}")
    finally:
        if options.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
