"""``product register`` under faults: a SIGKILLed parent takes its worker processes with it,
and a file whose metadata reading does not end costs at most the time limit and fails alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pcli_env import MAG_A, ProductEnv, ident, summary

from vires_repo.parallel import worker_count
from vires_repo.products import metadata
from vires_repo.services.product_registration import _PARALLEL_MIN_FILES


def _children(parent: int) -> dict[int, str]:
    """Live (not zombie) processes whose parent is ``parent``: pid -> command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:  # ended meanwhile
                continue
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == parent and state != "Z":
                found[int(entry.name)] = cmdline
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # an orphaned zombie waits for an init that may never reap it


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.skipif(worker_count() < 2, reason="needs a process pool")
def test_sigkill_of_register_takes_its_workers_along(local_env: ProductEnv) -> None:
    days = range(1, 32)  # every hour of a month: reading takes seconds, not less
    files = [path for day in days for path in local_env.hourly(f"2016-01-{day:02d}", range(24))]
    assert len(files) >= 10 * _PARALLEL_MIN_FILES  # the registering process reads too
    command = [sys.executable, "-m", "vires_repo", "--catalog", local_env.root, "product"]
    command += ["register", "-c", MAG_A, "--skip-post-registration-actions", *files]
    parent = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 60
        workers: dict[int, str] = {}
        helpers = worker_count() - 1  # the registering process reads files too
        while len(workers) < helpers and time.monotonic() < deadline:
            workers = {p: c for p, c in _children(parent.pid).items() if "spawn_main" in c}
            time.sleep(0.01)
        assert len(workers) == helpers, "the workers never started"
        time.sleep(0.1)  # the workers are reading, past their start (the whole run takes ~1 s)
        children = _children(parent.pid)
        assert parent.poll() is None, "the registration ended before it could be killed"
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert {pid: children[pid] for pid in children if _alive(pid)} == {}
    finally:  # leave nothing behind when the test fails
        parent.kill()
        parent.wait()
        for pid in children:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_file_whose_reading_does_not_end_fails_alone_after_the_limit(
    local_env: ProductEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    locations = local_env.hourly("2016-01-01", range(3))
    read = metadata.read_product_metadata

    def loop_on_the_second_file(location: str, product_type: Any) -> Any:
        while location == locations[1]:  # like cdflib on a rare corrupted file
            pass
        return read(location, product_type)

    monkeypatch.setattr(metadata, "read_product_metadata", loop_on_the_second_file)
    monkeypatch.setenv("VIRES_METADATA_TIMEOUT", "0.5")
    started = time.monotonic()
    result = local_env.register(MAG_A, *locations)
    assert time.monotonic() - started < 10
    assert result.code == 1
    assert summary(result.err) == [
        "2 of 3 product(s) registered.",
        "Failed to register 1 of 3 product(s).",
    ]
    assert (
        f"ERROR: Registration of {MAG_A}/{ident(locations[1])} failed! Reason: {locations[1]}: "
        "reading its metadata took longer than 0.5 s (the limit, set by VIRES_METADATA_TIMEOUT)"
    ) in result.err.splitlines()
    assert local_env.listed() == [f"{MAG_A}/{ident(locations[i])}" for i in (0, 2)]


def test_a_bad_time_limit_is_one_error_line(
    local_env: ProductEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    [location] = local_env.hourly("2016-01-01", range(1))
    monkeypatch.setenv("VIRES_METADATA_TIMEOUT", "0")
    result = local_env.register(MAG_A, location)
    assert result.code == 1
    assert result.err.splitlines() == [
        "ERROR: environment variable VIRES_METADATA_TIMEOUT='0' is invalid: "
        "Input should be greater than 0"
    ]
    assert local_env.listed() == []
