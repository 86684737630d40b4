"""Benchmark of the job queue on the SQLite default (not part of the test suite).

Prints the figures the jobs issue targets:

* ``job submit`` as a full CLI command (a new Python process each time): min and median of N,
  and the min of ``vires-repo --help`` run in between (the start-up every command pays);
* submission to STARTED on an idle ``worker start -n 1``: min and median of N ``sleep 0`` jobs
  (the record's ``started`` minus its ``submitted``);
* throughput of trivial jobs (``sleep 0``) with ``worker start -n 2``: M jobs queued, then the
  time from the first start to the last end.

Usage: ``python scripts/bench_job_queue.py [--runs N] [--jobs M] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from vires_repo.jobs.location import JobsLocation
from vires_repo.jobs.records import JobQuery, JobRecords, JobStatus
from vires_repo.services import job_queue


def _cli(catalog: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "vires_repo", "--catalog", str(catalog), *args]


def _environment() -> dict[str, str]:
    return {**os.environ, "VIRES_MAX_QUEUED_JOBS": "100000", "VIRES_MAX_ACTIVE_JOBS": "100000"}


def _start_worker(catalog: Path, workers: int) -> subprocess.Popen[bytes]:
    worker = subprocess.Popen(
        _cli(catalog, "worker", "start", "-n", str(workers)),
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(2.0)  # the consumer forks its processes and polls the queue
    return worker


def _stop(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)


def bench_submit_cli(catalog: Path, runs: int) -> tuple[list[float], list[float]]:
    """``job submit`` and, interleaved, ``--help`` (the start-up every command pays: on a
    loaded machine the difference is the figure that means something)."""
    submit, baseline = [], []
    for _ in range(runs):
        for argv, times in (
            (_cli(catalog, "job", "submit", "sleep", "0"), submit),
            (_cli(catalog, "--help"), baseline),
        ):
            start = time.perf_counter()
            subprocess.run(argv, env=_environment(), check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return submit, baseline


def _wait_all(records: JobRecords, ids: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = set(ids)
    while pending and time.monotonic() < deadline:
        finished = records.select(JobQuery(ids=tuple(pending)))
        pending -= {r.id for r in finished if r.ended is not None}
        time.sleep(0.05)
    if pending:
        raise SystemExit(f"{len(pending)} job(s) did not end within {timeout} s")


def bench_latency(catalog: Path, location: JobsLocation, runs: int) -> list[float]:
    worker = _start_worker(catalog, 1)
    delays = []
    try:
        with location.open_records() as records:
            for _ in range(runs):
                record = job_queue.submit(location, str(catalog), "sleep", ["0"], owner="bench")
                _wait_all(records, [record.id], 30)
                done = records.get(record.id)
                assert done.started is not None and done.status is JobStatus.SUCCEEDED
                delays.append((done.started - done.submitted).total_seconds())
                time.sleep(0.5)  # the worker idles again between jobs
    finally:
        _stop(worker)
    return delays


def bench_throughput(catalog: Path, location: JobsLocation, jobs: int) -> tuple[float, float]:
    ids = [
        job_queue.submit(location, str(catalog), "sleep", ["0"], owner="bench").id
        for _ in range(jobs)
    ]
    worker = _start_worker(catalog, 2)
    try:
        with location.open_records() as records:
            _wait_all(records, ids, 600)
            done = records.select(JobQuery(ids=tuple(ids)))
    finally:
        _stop(worker)
    first = min(r.started for r in done if r.started is not None)
    last = max(r.ended for r in done if r.ended is not None)
    seconds = (last - first).total_seconds()
    return seconds, jobs / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    catalog = root / "catalog"
    catalog.mkdir(parents=True, exist_ok=True)
    os.environ.update(_environment())
    location = JobsLocation.resolve(str(catalog))
    try:
        submit, baseline = bench_submit_cli(catalog, args.runs)
        print(
            f"job submit (CLI): min {min(submit):.3f} s, median {statistics.median(submit):.3f} s"
            f" over {args.runs} runs (target <= 0.3 s); vires-repo --help: min "
            f"{min(baseline):.3f} s"
        )
        delays = bench_latency(catalog, location, args.runs)
        print(
            f"submission -> STARTED on an idle worker: min {min(delays):.3f} s, median "
            f"{statistics.median(delays):.3f} s over {args.runs} jobs (target <= 0.5 s)"
        )
        seconds, rate = bench_throughput(catalog, location, args.jobs)
        print(
            f"throughput, worker start -n 2, {args.jobs} 'sleep 0' jobs: {seconds:.2f} s, "
            f"{rate:.0f} jobs/s (target >= 50 jobs/s)"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
