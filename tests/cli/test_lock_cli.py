"""``--no-wait`` and the ``lock status|clear`` commands, on a local and a ``memory://``
catalogue (the object-store lock is tested under tests/s3)."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vires_repo.io.storage import Storage

CliRunner = Callable[..., Any]
TYPE = (
    '[{"name": "TYPE_A", "datasets": {"D": {"t": {"dataType": "timestamp", '
    '"primaryTimestamp": true}}}}]'
)


def test_no_wait_fails_at_once_naming_the_holder(cli: CliRunner, catalog_root: str) -> None:
    holder = Storage(catalog_root)
    holder.makedirs()

    with holder.lock():
        started = time.monotonic()
        code, out, err = cli("-C", catalog_root, "--no-wait", "product_type", "import", stdin=TYPE)
        elapsed = time.monotonic() - started

    assert (code, out) == (1, "")
    assert err.startswith(f"ERROR: catalogue {catalog_root} is locked by ")
    assert err.endswith("; did not wait (--no-wait)\n")
    if "://" not in catalog_root:
        assert " on " in err and " since " in err  # pid N on HOST since TIME
    assert len(err.splitlines()) == 1
    assert elapsed < 5  # the default VIRES_LOCK_TIMEOUT is 60 s
    assert cli("-C", catalog_root, "--no-wait", "product_type", "import", stdin=TYPE).code == 0


def _write_leftover(root: str, text: str) -> None:
    """A local lock file naming a holder that was killed (its OS lock went with it)."""
    lock = Path(root) / ".state" / "lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text(text)


def test_status_of_a_free_lock(cli: CliRunner, catalog_root: str) -> None:
    Storage(catalog_root).makedirs()

    code, out, err = cli("-C", catalog_root, "lock", "status")

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"catalogue: {catalog_root}"
    kind = "local" if "://" not in catalog_root else "in-process"
    assert lines[1].startswith(f"lock: {kind} ")
    assert lines[2:] == ["state: free"]


def test_status_of_a_held_lock_names_the_holder(cli: CliRunner, catalog_root: str) -> None:
    holder = Storage(catalog_root)
    holder.makedirs()

    with holder.lock():
        code, out, _ = cli("-C", catalog_root, "lock", "status")

    assert code == 0
    lines = out.splitlines()
    assert lines[2] == "state: held"
    assert lines[3] == f"holder: pid {os.getpid()}" + (
        f" on {socket.gethostname()}" if "://" not in catalog_root else ""
    )
    if "://" not in catalog_root:
        assert lines[4].startswith("since: 20")
        assert lines[5].startswith("last renewal: none (a local lock lasts")


def test_a_live_lock_is_not_cleared(cli: CliRunner, catalog_root: str) -> None:
    holder = Storage(catalog_root)
    holder.makedirs()

    with holder.lock():
        refused = cli("-C", catalog_root, "lock", "clear")
        forced = cli("-C", catalog_root, "lock", "clear", "--force")
        expired = cli("-C", catalog_root, "lock", "clear", "--expired")
        still = cli("-C", catalog_root, "lock", "status").out

    for code, out, err in (refused, forced):
        assert (code, out) == (1, "")
        assert err.startswith(f"ERROR: the lock of catalogue {catalog_root} is held by ")
        assert len(err.splitlines()) == 1
    assert expired.code == 0
    assert expired.err.startswith(f"INFO: the lock of catalogue {catalog_root} is live, held by")
    assert expired.err.endswith(": kept\n")
    assert "state: held" in still


def test_a_stale_local_lock_is_cleared_saying_whose_it_was(cli: CliRunner, tmp_path: Path) -> None:
    root = str(tmp_path / "catalog")
    _write_leftover(root, "pid 4242 on crashed-host since 2016-01-01T00:00:00Z")

    status = cli("-C", root, "lock", "status").out.splitlines()
    code, out, err = cli("-C", root, "lock", "clear", "--expired")

    assert status[2:] == [
        "state: stale",
        "holder: pid 4242 on crashed-host",
        "since: 2016-01-01T00:00:00Z",
        "last renewal: none (a local lock lasts as long as its holder's process)",
    ]
    assert (code, out) == (0, "")
    assert err == (
        f"INFO: cleared the stale lock of catalogue {root} held by pid 4242 on crashed-host "
        "since 2016-01-01T00:00:00Z\n"
    )
    assert cli("-C", root, "lock", "status").out.splitlines()[2:] == ["state: free"]
    assert cli("-C", root, "lock", "clear").err == (
        f"INFO: catalogue {root} is not locked: nothing to clear\n"
    )


def test_expired_and_force_together_are_a_usage_error(cli: CliRunner, tmp_path: Path) -> None:
    root = str(tmp_path / "catalog")
    _write_leftover(root, "pid 4242 on crashed-host since 2016-01-01T00:00:00Z")

    code, out, err = cli("-C", root, "lock", "clear", "--expired", "--force")

    assert (code, out) == (2, "")
    assert err == "ERROR: lock clear: --expired and --force exclude each other\n"
    assert "crashed-host" in (Path(root) / ".state" / "lock").read_text()


def test_lock_commands_on_a_missing_catalogue(cli: CliRunner, tmp_path: Path) -> None:
    for command in ("status", "clear"):
        code, out, err = cli("-C", str(tmp_path / "nowhere"), "lock", command)
        assert (code, out) == (1, "")
        assert err.startswith(f"ERROR: catalogue {tmp_path / 'nowhere'} does not exist")
        assert len(err.splitlines()) == 1
