"""``vires-repo sync``: incremental, removals of what the source dropped, a held lock, damaged
replica files, one collection, and ``--push-state`` answering "which replica is behind"."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from ops_env import COLLECTIONS, build_catalogue, catalogue_files, register_day

from vires_repo.catalog import Catalog


@pytest.fixture
def source(tmp_path: Path) -> str:
    return build_catalogue(str(tmp_path / "source"))


@pytest.fixture
def replica(cli, source: str, tmp_path: Path) -> str:
    root = str(tmp_path / "replica")
    done = cli("--catalog", root, "sync", "--source", source)
    assert done.code == 0, done.err
    return root


def test_a_first_sync_copies_everything_and_the_next_only_what_changed(
    cli, source, replica
) -> None:
    assert catalogue_files(replica) == catalogue_files(source)
    register_day(source, 2000)  # one product in each collection

    done = cli("--catalog", replica, "sync", "--source", source)

    assert done.code == 0, done.err
    assert "2 data file(s) and 2 manifest(s) copied" in done.err
    assert catalogue_files(replica) == catalogue_files(source)


def test_files_the_source_dropped_are_removed_and_foreign_files_kept(cli, source, replica) -> None:
    foreign = Path(replica) / "local-notes.txt"
    foreign.write_text("mine\n")
    assert cli("--catalog", source, "product", "compact").code == 0

    done = cli("--catalog", replica, "sync", "--source", source)

    assert done.code == 0, done.err
    files = catalogue_files(replica)
    del files["local-notes.txt"]
    assert files == catalogue_files(source)


def test_a_held_replica_lock_fails_at_once_naming_the_holder(cli, source, replica) -> None:
    register_day(source, 2000)
    before = catalogue_files(replica)

    with Catalog(replica).writing():
        start = time.monotonic()
        code, _out, err = cli("--catalog", replica, "sync", "--source", source)
        elapsed = time.monotonic() - start

    assert code == 1
    assert elapsed < 5
    assert err.count("ERROR:") == 1 and f"pid {os.getpid()}" in err
    assert catalogue_files(replica) == before


def test_a_replica_in_maintenance_mode_refuses_the_sync(cli, source, replica) -> None:
    assert cli("--catalog", replica, "maintenance", "on", "--reason", "moving").code == 0

    code, _out, err = cli("--catalog", replica, "sync", "--source", source)

    assert code == 1 and "moving" in err and err.count("ERROR:") == 1


def test_check_checksum_reports_a_damaged_replica_file_and_repair_fixes_it(
    cli, source, replica
) -> None:
    name = "product_collections/SW_OPER_MAGA_LR_1B.json"
    target = Path(replica) / name
    stat = target.stat()
    target.write_bytes(target.read_bytes().replace(b"MAGA", b"MAGX", 1))
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    damaged = target.read_bytes()

    trusting = cli("--catalog", replica, "sync", "--source", source)
    reported = cli("--catalog", replica, "sync", "--source", source, "--check-checksum")
    still = target.read_bytes()
    repaired = cli("--catalog", replica, "sync", "--source", source, "--repair")

    assert trusting.code == 0 and "0 data file(s)" in trusting.err
    assert reported.code == 1
    assert f"ERROR: {name}: damaged at the destination (--repair copies it again)" in reported.err
    assert still == damaged
    assert repaired.code == 0, repaired.err
    assert f"WARNING: {name}: damaged" in repaired.err
    assert catalogue_files(replica) == catalogue_files(source)


def test_collections_limits_the_sync_to_their_partitions(cli, source, tmp_path) -> None:
    replica = str(tmp_path / "partial")
    maga, magb = COLLECTIONS

    done = cli("--catalog", replica, "sync", "--source", source, "--collections", maga)

    assert done.code == 0, done.err
    copied = set(catalogue_files(replica))
    assert copied and all(maga in path for path in copied)
    assert not any(magb in path for path in copied)


def test_push_state_tells_the_source_which_replica_is_behind(cli, source, tmp_path) -> None:
    first, second = str(tmp_path / "first"), str(tmp_path / "second")
    for replica in (first, second):
        done = cli("--catalog", replica, "sync", "--source", source, "--push-state")
        assert done.code == 0, done.err

    def behind() -> dict[str, bool]:
        code, out, err = cli("--catalog", source, "info", "--json")
        assert code == 0, err
        return {Path(r["replica"]).name: r["behind"] for r in json.loads(out)["replicas"]}

    in_step = behind()
    register_day(source, 2000)
    both_behind = behind()
    assert cli("--catalog", first, "sync", "--source", source, "--push-state").code == 0
    one_behind = behind()
    text = cli("--catalog", source, "info").out

    assert in_step == {"first": False, "second": False}
    assert both_behind == {"first": True, "second": True}
    assert one_behind == {"first": False, "second": True}
    assert f"replica:         {second} synced" in text and "behind (4 file(s) differ)" in text


def test_a_missing_source_is_one_error_line(cli, tmp_path) -> None:
    replica = tmp_path / "replica"

    code, _out, err = cli("--catalog", str(replica), "sync", "--source", str(tmp_path / "none"))

    assert code == 1
    assert err == f"ERROR: source {tmp_path / 'none'} does not exist\n"
    assert not replica.exists()
