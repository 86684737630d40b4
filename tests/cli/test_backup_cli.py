"""``vires-repo backup create|list|verify|restore``: exact round trips (with and without git),
job records, the check before a backup, verification naming altered files, pruning, bad input."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from ci_env import git
from ops_env import build_catalogue, catalogue_files, register_day

from vires_repo.io.storage import Storage
from vires_repo.jobs.records import JobRecords
from vires_repo.replication.events import read_events

JOB_RECORD = ".state/jobs/jobs.sqlite"


@pytest.fixture
def catalogue(tmp_path: Path) -> str:
    root = build_catalogue(str(tmp_path / "catalog"))
    (Path(root) / JOB_RECORD).parent.mkdir(parents=True)
    (Path(root) / JOB_RECORD).write_bytes(b"job records\0")
    return root


@pytest.fixture
def in_git(catalogue: str) -> str:
    """The catalogue inside a git repository, with an untracked and a changed file."""
    repository = Path(catalogue).parent
    git(repository, "init", "--quiet", "--initial-branch=main")
    git(repository, "add", "catalog")
    git(repository, "commit", "--quiet", "-m", "catalogue")
    (Path(catalogue) / "notes.txt").write_text("not in git\n")
    register_day(catalogue, 2099)  # changes tracked manifests, adds untracked index files
    return catalogue


def backup_folder(dest: Path) -> Path:
    (folder,) = [p for p in dest.iterdir() if p.is_dir()]
    return folder


def manifest_of(dest: Path) -> dict:
    return json.loads((backup_folder(dest) / "MANIFEST.json").read_text())


@pytest.mark.parametrize("with_git", [False, True], ids=["plain", "git"])
def test_backup_then_restore_into_an_empty_folder_gives_the_same_files(
    cli, catalogue, tmp_path, request, with_git
) -> None:
    if with_git:
        request.getfixturevalue("in_git")
    dest, restored = tmp_path / "backups", str(tmp_path / "restored")

    created = cli("--catalog", catalogue, "backup", "create", "--dest", str(dest))
    verified = cli("backup", "verify", "--dest", str(dest))
    restore = cli("--catalog", restored, "backup", "restore", "latest", "--dest", str(dest))

    assert created.code == 0, created.err
    assert verified.code == 0, verified.err
    assert restore.code == 0, restore.err
    assert catalogue_files(restored) == catalogue_files(catalogue)
    assert (Path(restored) / JOB_RECORD).read_bytes() == b"job records\0"
    manifest = manifest_of(dest)
    assert created.out == f"{manifest['id']}\n"
    assert (dest / "latest").read_text() == f"{manifest['id']}\n"
    stored = {entry["path"]: entry["stored"] for entry in manifest["files"]}
    assert stored[JOB_RECORD] == "files"
    assert manifest["check"]["errors"] == 0 and manifest["check"]["forced"] is False
    products = 2004 if with_git else 2002
    assert manifest["data_files"]["copied"] is False
    assert manifest["data_files"]["products"] == products
    rows = {e["path"].rsplit(".", 1)[-1]: e["rows"] for e in manifest["files"] if e["rows"]}
    assert rows == {"parquet": 1000, "jsonl": 1}
    assert sum(e["rows"] or 0 for e in manifest["files"]) == products
    kept = {p.relative_to(backup_folder(dest)).as_posix() for p in backup_folder(dest).rglob("*")}
    if with_git:
        assert manifest["git"]["prefix"] == "catalog/"
        assert "catalog.bundle" in kept
        assert (
            stored["notes.txt"] == "files" and stored["product_types/SW_MAGx_LR_1B.json"] == "git"
        )
        changed = "products/collection=SW_OPER_MAGA_LR_1B/_manifest-SW_OPER_MAGA_LR_1B.json"
        assert stored[changed] == "files"  # changed since HEAD: the bundle has the old bytes
        assert f"files/{changed}" in kept
    else:
        assert manifest["git"] is None
        assert set(stored.values()) == {"files"}
    assert [e["event"] for e in read_events(Storage(restored))] == ["restore", "restore"]
    (logged,) = read_events(Storage(catalogue))
    assert logged["event"] == "backup" and logged["backup"] == manifest["id"]


def test_restore_removes_what_was_added_since_and_dry_run_changes_nothing(
    cli, catalogue, tmp_path
) -> None:
    dest = str(tmp_path / "backups")
    assert cli("--catalog", catalogue, "backup", "create", "--dest", dest).code == 0
    backed_up = catalogue_files(catalogue)
    register_day(catalogue, 2050)
    assert cli("--catalog", catalogue, "role", "ops").code == 0  # restore is allowed on ops
    changed = catalogue_files(catalogue)

    dry = cli("--catalog", catalogue, "backup", "restore", "--dest", dest, "--dry-run")
    unchanged = catalogue_files(catalogue)
    done = cli("--catalog", catalogue, "backup", "restore", "--dest", dest)

    assert dry.code == 0 and "remove products/" in dry.out
    assert unchanged == changed
    assert done.code == 0, done.err
    assert catalogue_files(catalogue) == backed_up


@pytest.mark.parametrize("with_git", [False, True], ids=["plain", "git"])
def test_an_altered_backup_file_fails_verify_naming_the_file(
    cli, catalogue, tmp_path, request, with_git
) -> None:
    if with_git:
        request.getfixturevalue("in_git")
    dest = tmp_path / "backups"
    assert cli("--catalog", catalogue, "backup", "create", "--dest", str(dest)).code == 0
    folder = backup_folder(dest)
    altered = folder / "files" / JOB_RECORD
    altered.write_bytes(b"job recordz\0")

    code, _out, err = cli("backup", "verify", "--dest", str(dest))

    assert code == 1
    assert f"ERROR: {altered}: sha256 differs from MANIFEST.json" in err
    assert err.count("ERROR:") == 1


def test_an_altered_bundle_fails_verify_naming_it(cli, in_git, tmp_path) -> None:
    dest = tmp_path / "backups"
    assert cli("--catalog", in_git, "backup", "create", "--dest", str(dest)).code == 0
    bundle = backup_folder(dest) / "catalog.bundle"
    data = bytearray(bundle.read_bytes())
    data[-30] ^= 0xFF
    bundle.write_bytes(bytes(data))

    code, _out, err = cli("backup", "verify", "latest", "--dest", str(dest))

    assert code == 1
    assert f"ERROR: {bundle}: sha256 differs from MANIFEST.json" in err


def test_a_missing_backup_file_fails_verify(cli, catalogue, tmp_path) -> None:
    dest = tmp_path / "backups"
    assert cli("--catalog", catalogue, "backup", "create", "--dest", str(dest)).code == 0
    missing = backup_folder(dest) / "files" / "product_types" / "SW_MAGx_LR_1B.json"
    missing.unlink()

    code, _out, err = cli("backup", "verify", "--dest", str(dest))

    assert code == 1
    assert f"ERROR: {missing}: missing (listed in MANIFEST.json)" in err


def test_an_inconsistent_catalogue_is_backed_up_only_with_force(cli, catalogue, tmp_path) -> None:
    dest = tmp_path / "backups"
    shutil.rmtree(Path(catalogue) / "product_collections")  # products of undefined collections

    refused = cli("--catalog", catalogue, "backup", "create", "--dest", str(dest))
    forced = cli("--catalog", catalogue, "backup", "create", "--dest", str(dest), "--force")

    assert refused.code == 1
    assert refused.err.count("ERROR:") == 1 and "backup refused" in refused.err
    assert "WARNING: backing up an inconsistent catalogue" in forced.err
    assert forced.code == 0
    check = manifest_of(dest)["check"]
    assert check["forced"] is True and check["errors"] == 2
    assert "which is not defined" in check["problems"][0]


def test_old_backups_are_pruned_and_listed(cli, catalogue, tmp_path) -> None:
    dest = tmp_path / "backups"
    assert (
        cli("--catalog", catalogue, "backup", "create", "--dest", str(dest), "--tag", "a").code == 0
    )
    old = backup_folder(dest)
    manifest = old / "MANIFEST.json"
    manifest.write_text(
        re.sub(r'"created": "[^"]+"', '"created": "2020-01-01T00:00:00Z"', manifest.read_text())
    )
    listed = cli("backup", "list", "--dest", str(dest))

    created = cli("--catalog", catalogue, "backup", "create", "--dest", str(dest), "--tag", "b")

    assert listed.code == 0 and listed.out.startswith(f"{old.name} (latest) 2020-01-01T00:00:00Z")
    assert created.code == 0, created.err
    assert not old.exists()
    assert f"pruned backup {old.name}" in created.err
    assert backup_folder(dest).name.endswith("-b")
    assert cli("backup", "list", "--dest", str(dest)).out.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        (
            ["backup", "restore", "2001-01-01T000000Z"],
            1,
            "backup 2001-01-01T000000Z does not exist",
        ),
        (["backup", "verify", "nonsense"], 1, "backup nonsense does not exist"),
        (["backup", "create", "--tag", "a/b"], 2, "backup tag 'a/b'"),
    ],
)
def test_bad_input_is_one_error_line(cli, catalogue, tmp_path, argv, code, needle) -> None:
    dest = str(tmp_path / "backups")
    assert cli("--catalog", catalogue, "backup", "create", "--dest", dest).code == 0
    before = catalogue_files(catalogue)

    done = cli("--catalog", catalogue, *argv, "--dest", dest)

    assert done.code == code
    assert done.err.count("ERROR:") == 1 and needle in done.err
    assert catalogue_files(catalogue) == before


def test_a_destination_that_is_not_writable_leaves_nothing(cli, catalogue, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    code, out, err = cli("--catalog", catalogue, "backup", "create", "--dest", str(blocker / "b"))

    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("ERROR: ")
    assert blocker.read_text() == "not a folder"


def test_without_a_destination_the_command_says_how_to_give_one(cli, catalogue) -> None:
    code, _out, err = cli("--catalog", catalogue, "backup", "list")

    assert code == 2
    assert err == "ERROR: no backup destination: give --dest URL or set VIRES_BACKUP_DEST\n"


def test_a_manifest_naming_a_path_outside_the_catalogue_is_refused(
    cli, catalogue, tmp_path
) -> None:
    dest = tmp_path / "backups"
    assert cli("--catalog", catalogue, "backup", "create", "--dest", str(dest)).code == 0
    manifest = backup_folder(dest) / "MANIFEST.json"
    manifest.write_text(manifest.read_text().replace('"path": ".state/jobs/', '"path": "../../'))
    restored = tmp_path / "restored"

    code, _out, err = cli("--catalog", str(restored), "backup", "restore", "--dest", str(dest))

    assert code == 1
    assert err.count("ERROR:") == 1 and "MANIFEST.json is malformed: files.0.path" in err
    assert not restored.exists() and not (tmp_path / "jobs.sqlite").exists()


def test_job_records_outside_the_catalogue_are_exported_and_restored(
    cli, catalogue, tmp_path, monkeypatch
) -> None:
    dest, jobs = tmp_path / "backups", tmp_path / "jobs"
    inside = cli("--catalog", catalogue, "backup", "create", "--dest", str(dest), "--tag", "a")
    assert inside.code == 0 and "WARNING" not in inside.err
    assert "job_records" not in manifest_of(dest)
    monkeypatch.setenv("VIRES_JOBS_ROOT", str(jobs))
    ran = cli("--catalog", catalogue, "job", "run", "check", "only=definitions-valid,schedules")
    assert ran.code == 0, ran.err
    job_id = ran.err.split()[2]

    created = cli("--catalog", catalogue, "backup", "create", "--dest", str(dest), "--tag", "b")

    assert created.code == 0, created.err
    assert created.err.splitlines()[0] == (
        f"WARNING: the job records (sqlite:///{jobs}/jobs.sqlite) and outputs ({jobs}) are not "
        "in the catalogue's .state/jobs/: the records are exported into the backup "
        "(job_records.jsonl), the outputs are not (copy the jobs root with its own tools)"
    )
    folder = dest / created.out.strip()
    manifest = json.loads((folder / "MANIFEST.json").read_text())
    assert manifest["job_records"]["rows"] == 1
    assert cli("backup", "verify", "--dest", str(dest)).code == 0
    before = cli("--catalog", catalogue, "job", "dump", job_id).out

    (jobs / "jobs.sqlite").unlink()
    restored = cli("--catalog", catalogue, "backup", "restore", "--dest", str(dest))

    assert restored.code == 0, restored.err
    assert (
        f"INFO: job records restored into sqlite:///{jobs}/jobs.sqlite: 1 added, 0 already there"
        in restored.err.splitlines()
    )
    assert cli("--catalog", catalogue, "job", "dump", job_id).out == before
    with JobRecords.open(f"sqlite:///{jobs}/jobs.sqlite") as records:
        assert [task.name for task in records.tasks(job_id)] == ["definitions-valid", "schedules"]
        assert records.get(job_id).tasks_done == 2

    (folder / "job_records.jsonl").write_text("{}\n")
    problems = cli("backup", "verify", "--dest", str(dest))
    assert problems.code == 1
    assert f"{folder}/job_records.jsonl: sha256 differs from MANIFEST.json" in problems.err
