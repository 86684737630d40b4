"""``vires-repo mirror`` and ``role``: exact copies, the commit order, purge, dry run, roles,
the events log, bad input, and a mirror killed with SIGKILL midway then run again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ops_env import build_catalogue, catalogue_files, register_day

from vires_repo.io.storage import Storage
from vires_repo.maintenance import maintenance_state
from vires_repo.replication.events import read_events

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def source(tmp_path: Path) -> str:
    return build_catalogue(str(tmp_path / "source"))


def product_list(cli, root: str) -> list[str]:
    code, out, err = cli("--catalog", root, "product", "list")
    assert code == 0, err
    return out.splitlines()


def test_mirror_makes_an_exact_copy_and_a_rerun_copies_nothing(cli, source, tmp_path) -> None:
    dest = str(tmp_path / "dest")

    code, _out, err = cli("mirror", "--source", source, "--dest", dest)
    again = cli("mirror", "--source", source, "--dest", dest)

    assert code == 0, err
    assert catalogue_files(dest) == catalogue_files(source)
    assert product_list(cli, dest) == product_list(cli, source)
    assert again.code == 0
    assert "0 data file(s) and 0 manifest(s) copied" in again.err
    assert maintenance_state(dest) is None  # the flag the mirror set is gone
    events = read_events(Storage(dest))
    assert [(e["event"], e["status"]) for e in events] == [
        ("mirror", "started"),
        ("mirror", "finished"),
    ] * 2
    assert events[1]["source"] == source and events[1]["copied"] > 0


def test_the_events_log_and_the_role_are_never_mirrored(cli, source, tmp_path) -> None:
    dest = str(tmp_path / "dest")
    assert cli("mirror", "--source", source, "--dest", dest).code == 0
    assert cli("--catalog", dest, "role", "test").code == 0
    assert cli("--catalog", source, "role", "dev").code == 0

    assert cli("mirror", "--source", dest, "--dest", source).code == 0

    assert len(read_events(Storage(source))) == 2  # the mirror onto it, not dest's history
    assert cli("--catalog", source, "role").out == "dev\n"
    assert cli("--catalog", dest, "role").out == "test\n"


def test_dry_run_prints_the_plan_in_order_and_changes_nothing(cli, source, tmp_path) -> None:
    dest = str(tmp_path / "dest")
    assert cli("mirror", "--source", source, "--dest", dest).code == 0
    register_day(source, 2000)
    before = catalogue_files(dest)

    code, out, err = cli("mirror", "--source", source, "--dest", dest, "--dry-run")

    lines = out.splitlines()
    copied = [line.split(" ", 1)[1] for line in lines]
    manifests = [p for p in copied if "/_manifest" in p]
    assert code == 0, err
    assert manifests and copied[-len(manifests) :] == manifests  # manifests last
    assert all(line.startswith("copy ") for line in lines)
    assert "dry run:" in err
    assert catalogue_files(dest) == before
    assert len(read_events(Storage(dest))) == 2


def test_purge_removes_what_the_source_no_longer_has_after_the_manifests(
    cli, source, tmp_path
) -> None:
    dest = str(tmp_path / "dest")
    assert cli("mirror", "--source", source, "--dest", dest).code == 0
    assert cli("--catalog", source, "product", "compact").code == 0  # replaces the files

    kept = cli("mirror", "--source", source, "--dest", dest)
    extra = set(catalogue_files(dest)) - set(catalogue_files(source))
    dry = cli("mirror", "--source", source, "--dest", dest, "--purge", "--dry-run")
    purged = cli("mirror", "--source", source, "--dest", dest, "--purge")

    assert kept.code == 0 and extra  # without --purge the old files stay
    assert sorted(dry.out.splitlines()) == sorted(f"remove {path}" for path in extra)
    assert purged.code == 0
    assert catalogue_files(dest) == catalogue_files(source)


def test_a_same_named_same_sized_file_with_other_content_is_found_by_checksum(
    cli, source, tmp_path
) -> None:
    dest = str(tmp_path / "dest")
    assert cli("mirror", "--source", source, "--dest", dest).code == 0
    name = "product_types/SW_MAGx_LR_1B.json"
    target = Path(dest) / name
    data = bytearray(target.read_bytes())
    data[-3] ^= 0x01  # same size, other bytes
    stat = target.stat()
    target.write_bytes(bytes(data))
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same stamp

    trusting = cli("mirror", "--source", source, "--dest", dest)
    checking = cli("mirror", "--source", source, "--dest", dest, "--check-checksum")

    assert trusting.code == 0 and "0 data file(s)" in trusting.err
    assert checking.code == 0, checking.err
    assert f"WARNING: {name}: damaged at the destination" in checking.err
    assert catalogue_files(dest) == catalogue_files(source)


def test_mirroring_onto_an_ops_instance_needs_force_ops(cli, source, tmp_path) -> None:
    dest = str(tmp_path / "dest")
    assert cli("mirror", "--source", source, "--dest", dest).code == 0
    assert cli("--catalog", dest, "role", "ops").code == 0
    register_day(source, 2000)
    before = catalogue_files(dest)

    refused = cli("mirror", "--source", source, "--dest", dest)
    forced = cli("mirror", "--source", source, "--dest", dest, "--force-ops")

    assert refused.code == 1
    assert refused.err.count("ERROR:") == 1 and refused.err.startswith("ERROR: destination")
    assert "is an ops instance" in refused.err and "--force-ops" in refused.err
    assert before != catalogue_files(source)
    assert forced.code == 0
    assert catalogue_files(dest) == catalogue_files(source)


def test_an_unknown_role_is_a_usage_error(cli, source) -> None:
    assert cli("--catalog", source, "role", "prod").code == 2


@pytest.mark.parametrize("problem", ["source missing", "destination not writable"])
def test_bad_input_is_one_error_line_and_writes_nothing(cli, source, tmp_path, problem) -> None:
    if problem == "source missing":
        src, dest = str(tmp_path / "nothing"), str(tmp_path / "dest")
        needle = "does not exist"
    else:
        blocker = tmp_path / "file"
        blocker.write_text("not a folder")
        src, dest = source, str(blocker / "dest")
        needle = "dest"

    code, out, err = cli("mirror", "--source", src, "--dest", dest)

    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("ERROR: ") and needle in err
    assert not Path(tmp_path / "dest").exists()


def test_mirror_while_an_operator_holds_maintenance_leaves_the_flag_on(
    cli, source, tmp_path
) -> None:
    dest = str(tmp_path / "dest")
    assert cli("mirror", "--source", source, "--dest", dest).code == 0
    assert cli("--catalog", dest, "maintenance", "on", "--reason", "disk swap").code == 0

    assert cli("mirror", "--source", source, "--dest", dest).code == 0

    state = maintenance_state(dest)
    assert state is not None and state.reason == "disk swap"


# -- SIGKILL midway --------------------------------------------------------------------------

_KILLABLE = """
import sys, time
from pathlib import Path
from vires_repo.io.storage import Storage
from vires_repo.cli import main

marker, copies = Path(sys.argv[1]), []
write_bytes = Storage.write_bytes

def slow_write(self, relpath, data):
    write_bytes(self, relpath, data)
    if relpath.startswith("products/") and "/_manifest" not in relpath:
        copies.append(relpath)
        if len(copies) == 2:  # some data files copied, no manifest yet: wait to be killed
            marker.write_text("\\n".join(copies))
            time.sleep(600)

Storage.write_bytes = slow_write
sys.exit(main(sys.argv[2:]))
"""


def test_a_mirror_killed_midway_leaves_the_previous_state_and_a_rerun_completes(
    cli, source, tmp_path
) -> None:
    dest = str(tmp_path / "dest")
    assert cli("mirror", "--source", source, "--dest", dest).code == 0
    previous_files, previous_list = catalogue_files(dest), product_list(cli, dest)
    for day in range(2000, 2005):
        register_day(source, day)
    assert cli("--catalog", source, "product", "compact").code == 0
    marker = tmp_path / "copied"
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    argv = ["mirror", "--source", source, "--dest", dest, "--purge"]
    process = subprocess.Popen(
        [sys.executable, "-c", _KILLABLE, str(marker), *argv],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        if process.stderr:
            process.stderr.close()

    now = catalogue_files(dest)
    copied = marker.read_text().splitlines()
    manifests = {path: sha for path, sha in now.items() if "/_manifest" in path}
    assert manifests == {p: sha for p, sha in previous_files.items() if "/_manifest" in p}
    assert set(copied) <= set(now)  # the killed mirror did copy data files
    assert product_list(cli, dest) == previous_list  # readable, at its previous state
    assert maintenance_state(dest) is not None  # writers stay out until the rerun

    rerun = cli("mirror", "--source", source, "--dest", dest, "--purge")

    assert rerun.code == 0, rerun.err
    assert catalogue_files(dest) == catalogue_files(source)
    assert product_list(cli, dest) == product_list(cli, source) != previous_list
    assert maintenance_state(dest) is None
    statuses = [e["status"] for e in read_events(Storage(dest))]
    assert statuses == ["started", "finished", "started", "started", "finished"]
    assert json.loads(Path(dest, ".state", "replication", "checksums.json").read_text())
