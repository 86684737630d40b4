"""``lock status|clear`` and ``--no-wait`` on an object-store catalogue (moto on loopback): a
live lock is kept (or broken with --force, failing its writer), a stale one is cleared only
when it has expired."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from vires_repo.cli import main
from vires_repo.errors import LockLostError
from vires_repo.io import object_lock as object_lock_module
from vires_repo.io.object_lock import ObjectStoreLock
from vires_repo.io.storage import LOCK_FILE

FOREIGN = "pid 4242 on crashed-host since 2016-01-01T00:00:00Z"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _lock_key(root: str) -> str:
    return f"{root.removeprefix('s3://')}/{LOCK_FILE}"


def _foreign_lock(fs: Any, root: str) -> None:
    bucket, _, key = _lock_key(root).partition("/")
    body = {"holder": FOREIGN, "renewed": "2016-01-01T00:10:00.000000Z", "renewals": 2}
    fs.call_s3(
        "put_object",
        Bucket=bucket,
        Key=key,
        Body=json.dumps(body).encode(),
        Metadata={"holder": FOREIGN, "token": "x"},
    )


def _an_hour_later(monkeypatch: pytest.MonkeyPatch) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)  # the store's clock, an hour on
    monkeypatch.setattr(object_lock_module, "_server_time", lambda response: later)


def test_status_of_a_live_object_lock(
    s3_root: str, s3fs_filesystem: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "-C", s3_root, "lock", "status")[1].splitlines()[2:] == [
        "state: free",
        "stale after: 300 s",
    ]
    _foreign_lock(s3fs_filesystem, s3_root)

    code, out, err = _run(capsys, "-C", s3_root, "lock", "status")

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[1] == f"lock: object store s3://{_lock_key(s3_root)}"
    assert lines[2:5] == [
        "state: held",
        "holder: pid 4242 on crashed-host",
        "since: 2016-01-01T00:00:00Z",
    ]
    assert lines[5].startswith("last renewal: 2016-01-01T00:10:00.000000Z (")
    assert lines[6] == "stale after: 300 s"


def test_a_live_object_lock_is_refused_kept_or_broken_with_force(
    s3_root: str, s3fs_filesystem: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _foreign_lock(s3fs_filesystem, s3_root)

    code, out, err = _run(capsys, "-C", s3_root, "lock", "clear")
    assert (code, out) == (1, "")
    assert err.startswith(
        f"ERROR: the lock of catalogue {s3_root} is held by pid 4242 on crashed-host since "
        "2016-01-01T00:00:00Z (renewed "
    )
    assert err.endswith("nothing cleared (--force breaks it: that writer then fails)\n")
    code, _, err = _run(capsys, "-C", s3_root, "lock", "clear", "--expired")
    assert code == 0 and err.endswith(": kept\n")
    assert s3fs_filesystem.exists(_lock_key(s3_root))

    code, _, err = _run(capsys, "-C", s3_root, "lock", "clear", "--force")

    assert code == 0
    assert err.startswith(
        f"WARNING: broke the live lock of catalogue {s3_root} held by pid 4242 on crashed-host"
    )
    s3fs_filesystem.invalidate_cache()
    assert not s3fs_filesystem.exists(_lock_key(s3_root))


def test_a_stale_object_lock_is_cleared_only_once_expired(
    s3_root: str,
    s3fs_filesystem: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _foreign_lock(s3fs_filesystem, s3_root)
    assert _run(capsys, "-C", s3_root, "lock", "clear", "--expired")[2].endswith(": kept\n")
    _an_hour_later(monkeypatch)

    status = _run(capsys, "-C", s3_root, "lock", "status")[1].splitlines()
    code, out, err = _run(capsys, "-C", s3_root, "lock", "clear", "--expired")

    assert status[2] == "state: stale"
    assert (code, out) == (0, "")
    assert err == (
        f"INFO: cleared the stale lock of catalogue {s3_root} held by pid 4242 on crashed-host "
        "since 2016-01-01T00:00:00Z\n"
    )
    s3fs_filesystem.invalidate_cache()
    assert not s3fs_filesystem.exists(_lock_key(s3_root))


def test_a_writer_whose_lock_was_broken_with_force_fails(
    s3_root: str, s3fs_filesystem: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = ObjectStoreLock(s3fs_filesystem, _lock_key(s3_root), s3_root, stale_after=3600)
    mine.acquire(timeout=5)

    assert _run(capsys, "-C", s3_root, "lock", "clear", "--force")[0] == 0

    with pytest.raises(LockLostError, match="was lost while writing"):
        mine.release()


def test_no_wait_on_an_object_store_lock(
    s3_root: str, s3fs_filesystem: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _foreign_lock(s3fs_filesystem, s3_root)

    code, _, err = _run(capsys, "-C", s3_root, "--no-wait", "product", "compact")

    assert code == 1
    assert err.startswith(f"ERROR: catalogue {s3_root} is locked by {FOREIGN}; did not wait")
    assert len(err.splitlines()) == 1


def test_maintenance_mode_on_an_object_store(
    s3_root: str, s3fs_filesystem: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "-C", s3_root, "maintenance", "on", "--reason", "moving")[0] == 0
    flag = f"{s3_root.removeprefix('s3://')}/.state/maintenance.json"
    assert json.loads(s3fs_filesystem.cat_file(flag))["reason"] == "moving"

    status = _run(capsys, "-C", s3_root, "maintenance", "status")
    refused = _run(capsys, "-C", s3_root, "product", "compact")
    listed = _run(capsys, "-C", s3_root, "product", "list")

    assert status[0] == 3 and status[1].splitlines()[:2] == ["on", "reason: moving"]
    assert refused[0] == 1 and "is in maintenance mode" in refused[2] and "moving" in refused[2]
    assert listed[0] == 0
    assert _run(capsys, "-C", s3_root, "maintenance", "off")[0] == 0
    assert _run(capsys, "-C", s3_root, "maintenance", "status")[:2] == (0, "off\n")
