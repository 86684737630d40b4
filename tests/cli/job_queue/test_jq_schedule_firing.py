"""Schedules firing in live ``worker start`` processes, through the command line: a
``* * * * *`` schedule made with ``job schedule`` submits one job at the minute boundary, owned
and parametrized as the schedule says; two workers on one SQLite store, and two on one
PostgreSQL store, submit each firing once; schedules added while the worker runs are picked up
without a restart (one added just after a firing waits for its next cron time), one removed
with ``job unschedule`` stops; in maintenance mode the firing is skipped with a log line.
SIGTERM then stops every worker with exit status 0.

Cron fires at most once a minute, so the module fixture ``firing`` starts all these workers
before one shared minute boundary and stops them a few seconds after it: the file waits for
one boundary (about 55 s on average, at most ~95 s). The direct tests of the scheduler's
clock and claims are in ``tests/jobs/test_job_schedule_firing.py``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from postgres_server import PostgresServer

pytestmark = pytest.mark.slow

LEAD = 25.0
"""Seconds the workers get to start, and the live schedules to change, before the boundary
(about 3 s on an idle machine, 9 s on a loaded one)."""
SETTLE = 4.0
"""Seconds after the boundary by which every worker has looked at its schedules (each looks
about once a second)."""
TIMEOUT = 30.0
HEADER = (
    "processId,identifier,owner,status,submitted,started,ended,exists,hasResponse,finished,"
    "active,responseUrl"
)


@dataclass
class Worker:
    """A ``worker start -n 1`` process, its log (standard error) in a file."""

    process: subprocess.Popen[bytes]
    log: Path

    def messages(self) -> list[str]:
        """The log's lines, ``INFO: ...`` without time stamp and process id."""
        lines = self.log.read_text().splitlines()
        return [line.split("] ", 1)[1] if "] " in line else line for line in lines]


@dataclass
class Scene:
    """A catalogue, its jobs store and its workers."""

    catalog: Path
    env: dict[str, str]
    workers: list[Worker] = field(default_factory=list)

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "vires_repo", "--catalog", str(self.catalog), *argv],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def ok(self, *argv: str) -> str:
        """Standard output of a command that must succeed."""
        result = self.run(*argv)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start_worker(self) -> None:
        log = self.catalog.parent / f"worker-{len(self.workers)}.log"
        with log.open("wb") as stream:
            process = subprocess.Popen(
                [sys.executable, "-m", "vires_repo", "--catalog", str(self.catalog)]
                + ["worker", "start", "-n", "1"],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=stream,
            )
        self.workers.append(Worker(process, log))

    def messages(self) -> list[str]:
        return [message for worker in self.workers for message in worker.messages()]

    def wait_for(self, text: str, *, every_worker: bool = False) -> None:
        """Wait until one worker's log (or every worker's) has a line containing ``text``."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            found = [any(text in m for m in worker.messages()) for worker in self.workers]
            if all(found) if every_worker else any(found):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} in the worker logs: {self.messages()}")
            time.sleep(0.1)

    def submissions(self) -> list[str]:
        """The scheduler's log lines that submitted a job."""
        return [
            m for m in self.messages() if m.startswith("INFO: schedule ") and " submitted " in m
        ]

    def jobs(self) -> list[dict[str, Any]]:
        """The job records through ``vires-repo sql`` (the only view with the parameters)."""
        statement = "SELECT id, owner, status, parameters FROM jobs ORDER BY submitted"
        rows = json.loads(self.ok("sql", statement, "--format", "json"))
        return [{**row, "parameters": json.loads(row["parameters"])} for row in rows]

    def stop(self) -> None:
        """SIGTERM every worker and wait for it to exit."""
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()

    def exit_codes(self) -> list[int | None]:
        return [worker.process.returncode for worker in self.workers]


@dataclass(frozen=True)
class Firing:
    boundary: datetime
    """The minute boundary at which every schedule of the scenes was due."""
    scenes: dict[str, Scene]


def _sleep_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))


def _boundary_after(lead: float) -> datetime:
    """The next minute boundary at least ``lead`` seconds away; a closer one is waited out
    first, so that no boundary falls between the workers' start and the one returned."""
    now = datetime.now(UTC)
    boundary = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if (boundary - now).total_seconds() < lead:
        _sleep_until(boundary + timedelta(seconds=0.5))
        boundary += timedelta(minutes=1)
    return boundary


def _picked_up(label: str, at: datetime) -> str:
    return f"INFO: schedule {label} (* * * * *) picked up: next firing at {at.isoformat()}"


@pytest.fixture(scope="module")
def firing(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer
) -> Iterator[Firing]:
    database = f"test_{uuid.uuid4().hex[:16]}"
    postgres_server.sql(f"CREATE DATABASE {database}")
    base = {name: value for name, value in os.environ.items() if not name.startswith("VIRES_")}
    scenes: dict[str, Scene] = {}
    for name in ("one", "pair", "postgres", "live", "maintenance"):
        catalog = tmp_path_factory.mktemp(name) / "catalog"
        env = {**base, "VIRES_CATALOG": str(catalog)}
        if name == "postgres":
            env["VIRES_JOBS_DB"] = postgres_server.url(database)
        scenes[name] = Scene(catalog, env)
    one, pair, postgres, live, maintenance = scenes.values()
    try:
        one.ok("job", "schedule", "* * * * *", "sleep", "0.1", "--user", "ops")
        for shared in (pair, postgres):
            shared.ok("job", "schedule", "* * * * *", "sleep", "--user", "ops")
        maintenance.ok("job", "schedule", "* * * * *", "sleep")
        maintenance.ok("maintenance", "on", "--reason", "disk swap")

        boundary = _boundary_after(LEAD)
        for scene in scenes.values():
            for _ in range(2 if scene in (pair, postgres) else 1):
                scene.start_worker()
        for scene in scenes.values():
            scene.wait_for(" started: 1 worker process(es)", every_worker=True)
        live.ok("job", "schedule", "* * * * *", "sleep", "0.2")
        live.ok("job", "schedule", "* * * * *", "sleep", "0.3")
        live.wait_for("INFO: schedule sleep(seconds=0.3) (* * * * *) picked up: ")
        live.ok("job", "unschedule", "sleep", "0.3")
        live.wait_for("INFO: schedule sleep(seconds=0.3) (* * * * *) dropped")
        left = (boundary - datetime.now(UTC)).total_seconds()
        assert left > 0.5, f"the workers were ready {left:.1f} s before the boundary (LEAD {LEAD})"

        _sleep_until(boundary)
        for scene in (one, pair, postgres, live):
            scene.wait_for(" STARTED -> SUCCEEDED: ")
        maintenance.wait_for(" skipped: ")
        live.ok("job", "schedule", "* * * * *", "sleep", "0.4")  # just after the firing
        live.wait_for("INFO: schedule sleep(seconds=0.4) (* * * * *) picked up: ")
        looked_again = datetime.now(UTC) + timedelta(seconds=1.5)  # after it was picked up
        _sleep_until(max(boundary + timedelta(seconds=SETTLE), looked_again))
        for scene in scenes.values():
            scene.stop()
        yield Firing(boundary, scenes)
    finally:
        for scene in scenes.values():
            scene.stop()
        postgres_server.sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def _assert_stopped_cleanly(scene: Scene) -> None:
    """SIGTERM stopped every worker with status 0, and no log line is a warning or error."""
    assert scene.exit_codes() == [0] * len(scene.workers)
    for worker in scene.workers:
        messages = worker.messages()
        assert messages[-1].startswith("INFO: worker ") and messages[-1].endswith(" stopped")
        assert [m for m in messages if not m.startswith("INFO: ")] == []


def _one_job_at(firing: Firing, scene: Scene, label: str) -> str:
    """The identifier of the one job the scheduler submitted, checked against ``job list``
    and ``job info``: submitted at the boundary (not before), SUCCEEDED."""
    [submitted] = scene.submissions()
    assert submitted.startswith(f"INFO: schedule {label} (* * * * *) submitted job ")
    job_id = submitted.rsplit(" ", 1)[1]
    assert scene.ok("job", "list").splitlines() == [job_id]
    header, row = scene.ok("job", "info").splitlines()
    fields = row.split(",")
    assert header == HEADER and fields[:2] + fields[3:4] == ["sleep", job_id, "SUCCEEDED"]
    assert datetime.fromisoformat(fields[4]) >= firing.boundary
    return job_id


def test_a_schedule_submits_one_job_at_the_minute_boundary(firing: Firing) -> None:
    one = firing.scenes["one"]

    job_id = _one_job_at(firing, one, "sleep(seconds=0.1)")

    assert _picked_up("sleep(seconds=0.1)", firing.boundary) in one.messages()
    assert one.ok("job", "info").splitlines()[1].split(",")[2] == "ops"
    assert one.jobs() == [
        {
            "id": job_id,
            "owner": "ops",
            "status": "SUCCEEDED",
            "parameters": {"seconds": 0.1, "fail": False},
        }
    ]
    _assert_stopped_cleanly(one)


@pytest.mark.parametrize("engine", ["pair", "postgres"])
def test_two_workers_on_one_store_submit_the_firing_once(firing: Firing, engine: str) -> None:
    scene = firing.scenes[engine]

    job_id = _one_job_at(firing, scene, "sleep")

    for worker in scene.workers:  # both were due to fire it
        assert _picked_up("sleep", firing.boundary) in worker.messages()
    assert scene.jobs() == [
        {
            "id": job_id,
            "owner": "ops",
            "status": "SUCCEEDED",
            "parameters": {"seconds": 0.0, "fail": False},
        }
    ]
    sqlite = scene.catalog / ".state" / "jobs" / "jobs.sqlite"
    assert sqlite.exists() == (engine == "pair")  # the PostgreSQL store is the shared one
    _assert_stopped_cleanly(scene)


def test_schedules_changed_while_the_worker_runs_take_effect_without_a_restart(
    firing: Firing,
) -> None:
    live = firing.scenes["live"]
    after = firing.boundary + timedelta(minutes=1)

    job_id = _one_job_at(firing, live, "sleep(seconds=0.2)")

    scheduler = [m for m in live.messages() if m.startswith("INFO: schedule ")]
    assert sorted(scheduler[:2]) == [  # seen in one look or two
        _picked_up("sleep(seconds=0.2)", firing.boundary),
        _picked_up("sleep(seconds=0.3)", firing.boundary),
    ]
    assert scheduler[2:] == [
        "INFO: schedule sleep(seconds=0.3) (* * * * *) dropped",
        f"INFO: schedule sleep(seconds=0.2) (* * * * *) submitted job {job_id}",
        _picked_up("sleep(seconds=0.4)", after),  # not at once for the firing just made
    ]
    assert live.jobs() == [
        {
            "id": job_id,
            "owner": None,
            "status": "SUCCEEDED",
            "parameters": {"seconds": 0.2, "fail": False},
        }
    ]
    assert live.ok("job", "scheduled") == (
        "Job sleep(seconds=0.2) ↦ * * * * *\nJob sleep(seconds=0.4) ↦ * * * * *\n"
    )
    _assert_stopped_cleanly(live)


def test_no_schedule_fires_while_the_catalogue_is_in_maintenance(firing: Firing) -> None:
    maintenance = firing.scenes["maintenance"]

    [skipped] = [m for m in maintenance.messages() if " skipped: " in m]

    assert skipped.startswith(
        "INFO: schedule sleep (* * * * *) skipped: the catalogue is in maintenance mode since "
    )
    assert skipped.endswith(": disk swap")
    assert maintenance.submissions() == []
    assert maintenance.ok("job", "list") == ""
    assert maintenance.ok("job", "info") == HEADER + "\n"
    _assert_stopped_cleanly(maintenance)
