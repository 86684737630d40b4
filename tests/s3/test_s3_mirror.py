"""Mirror, sync and backups through a real S3 API (moto's server on loopback)."""

from __future__ import annotations

from pathlib import Path

from ci_env import git
from ops_env import build_catalogue, catalogue_files, register_day

from vires_repo.cli import main
from vires_repo.io.storage import Storage
from vires_repo.replication.events import read_events


def cli(*argv: str) -> int:
    return main(list(argv))


def test_mirror_local_to_s3_to_local_gives_the_same_files(bucket: str, tmp_path: Path) -> None:
    source = build_catalogue(str(tmp_path / "source"))
    remote, back = f"s3://{bucket}/mirror", str(tmp_path / "back")
    Storage(f"s3://{bucket}").write_bytes("mirror-old/x.json", b"{}")  # a sibling prefix

    assert cli("mirror", "--source", source, "--dest", remote, "--purge") == 0
    assert cli("mirror", "--source", remote, "--dest", back) == 0

    assert catalogue_files(remote) == catalogue_files(source)
    assert catalogue_files(back) == catalogue_files(source)
    assert [e["status"] for e in read_events(Storage(remote))] == ["started", "finished"]
    assert not Storage(remote).exists(".state/maintenance.json")
    assert Storage(f"s3://{bucket}").exists("mirror-old/x.json")


def test_incremental_sync_to_an_s3_replica_copies_only_what_changed(
    bucket: str, tmp_path: Path, capsys
) -> None:
    source = build_catalogue(str(tmp_path / "source"))
    replica = f"s3://{bucket}/replica"
    assert cli("--catalog", replica, "sync", "--source", source) == 0
    register_day(source, 2000)
    capsys.readouterr()

    assert cli("--catalog", replica, "sync", "--source", source) == 0

    assert "2 data file(s) and 2 manifest(s) copied" in capsys.readouterr().err
    assert catalogue_files(replica) == catalogue_files(source)


def test_backup_to_s3_verifies_and_restores_exactly(bucket: str, tmp_path: Path) -> None:
    catalogue = build_catalogue(str(tmp_path / "repository" / "catalog"))
    git(tmp_path / "repository", "init", "--quiet")
    git(tmp_path / "repository", "add", ".")
    git(tmp_path / "repository", "commit", "--quiet", "-m", "catalogue")
    register_day(catalogue, 2000)
    dest, restored = f"s3://{bucket}/backups", str(tmp_path / "restored")

    assert cli("--catalog", catalogue, "backup", "create", "--dest", dest) == 0
    assert cli("backup", "verify", "--dest", dest) == 0
    assert cli("--catalog", restored, "backup", "restore", "--dest", dest) == 0

    assert catalogue_files(restored) == catalogue_files(catalogue)
