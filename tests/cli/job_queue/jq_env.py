"""The environment of the job-queue command tests: a catalogue folder, the ``VIRES_*``
variables that make heartbeats fast, the command line in-process (``run``) and worker
processes (``start_worker``), and the job records read directly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vires_repo.jobs.location import JobsLocation
from vires_repo.jobs.records import JobRecord, JobRecords

FAST = {
    "VIRES_JOB_HEARTBEAT_INTERVAL": "0.2",
    "VIRES_JOB_HEARTBEAT_TIMEOUT": "2",
    "VIRES_WORKER_SHUTDOWN_TIMEOUT": "10",
}
"""Heartbeats every 0.2 s, lost after 2 s: a killed worker's job is settled within ~3 s."""

ENDED = ("SUCCEEDED", "FAILED", "ABORTED")


@dataclass
class JqEnv:
    catalog: Path
    run: Callable[..., tuple[int, str, str]]
    """``run(*argv)`` -> (exit code, stdout, stderr) of ``vires-repo --catalog CATALOG argv``."""
    env: dict[str, str]
    workers: list[subprocess.Popen[str]] = field(default_factory=list)

    @property
    def location(self) -> JobsLocation:
        return JobsLocation.resolve(str(self.catalog))

    def record(self, job_id: str) -> JobRecord:
        with JobRecords.open(self.location.database_url) as records:
            return records.get(job_id)

    def submit(self, *argv: str) -> str:
        code, out, err = self.run("job", "submit", *argv)
        assert code == 0, err
        return out.strip()

    def start_worker(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "vires_repo",
                "--catalog",
                str(self.catalog),
                "worker",
                "start",
                *args,
            ],
            env={**self.env, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.workers.append(worker)
        return worker

    def wait_for(
        self, job_id: str, statuses: tuple[str, ...] = ENDED, timeout: float = 20
    ) -> JobRecord:
        deadline = time.monotonic() + timeout
        while True:
            record = self.record(job_id)
            if str(record.status) in statuses:
                return record
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} still {record.status}: {record.message}")
            time.sleep(0.05)

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.communicate()


def worker_children(worker: subprocess.Popen[str]) -> list[int]:
    """The process ids of a ``worker start`` process's children (its worker processes and
    huey's scheduler)."""
    path = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
    return [int(pid) for pid in path.read_text().split()]


def environment(catalog: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "VIRES_CATALOG": str(catalog), **FAST, **(extra or {})}
