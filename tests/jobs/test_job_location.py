"""Where the jobs live: the jobs root and the records database, from the option, the
environment and the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from vires_repo.errors import SettingsError
from vires_repo.jobs.location import ENVIRONMENT, JobsLocation
from vires_repo.settings import Settings


def test_the_default_is_below_the_catalogue(tmp_path: Path) -> None:
    location = JobsLocation.resolve(str(tmp_path / "cat"))

    assert location.root == str(tmp_path / "cat" / ".state" / "jobs")
    assert location.database_url == f"sqlite:///{tmp_path}/cat/.state/jobs/jobs.sqlite"
    assert location.is_local and not location.database_exists()


def test_a_relative_root_becomes_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    location = JobsLocation.resolve("cat", "file://here/jobs")

    assert location.root == str(tmp_path / "here" / "jobs")


def test_the_option_wins_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIRES_JOBS_ROOT", str(tmp_path / "env"))

    assert JobsLocation.resolve("cat").root == str(tmp_path / "env")
    assert JobsLocation.resolve("cat", str(tmp_path / "opt")).root == str(tmp_path / "opt")


def test_a_remote_root_needs_a_database(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="set VIRES_JOBS_DB=postgresql://"):
        JobsLocation.resolve("s3://bucket/catalog")

    monkeypatch.setenv("VIRES_JOBS_DB", "postgresql://u:p@db/jobs")
    location = JobsLocation.resolve("s3://bucket/catalog")

    assert location.root == "s3://bucket/catalog/.state/jobs"
    assert location.database_url == "postgresql://u:p@db/jobs"
    assert not location.is_local and location.database_exists()


def test_a_bad_database_url_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIRES_JOBS_DB", "mysql://u:secret@db/jobs")

    with pytest.raises(SettingsError, match=r"VIRES_JOBS_DB='mysql://u:\*\*\*@db/jobs'") as error:
        JobsLocation.resolve("cat")
    assert "secret" not in str(error.value)


def test_a_new_local_jobs_root_ignores_itself_in_git(tmp_path: Path) -> None:
    location = JobsLocation.resolve(str(tmp_path / "cat"))

    with location.open_records() as records:
        assert records.select_ids() == []

    assert location.database_exists()
    assert (tmp_path / "cat" / ".state" / "jobs" / ".gitignore").read_text() == "*\n"


def test_the_variables_are_read_as_the_settings_read_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without load_settings (no pydantic for the job read commands), with its rules: any case
    of the name, empty meaning the default, a bad value of another variable no matter."""
    monkeypatch.setenv("vires_jobs_root", str(tmp_path / "lower"))
    monkeypatch.setenv("VIRES_JOBS_DB", "")
    monkeypatch.setenv("VIRES_LOCK_TIMEOUT", "soon")

    location = JobsLocation.resolve("cat")

    assert location.root == str(tmp_path / "lower")
    assert location.database_url == f"sqlite:///{tmp_path}/lower/jobs.sqlite"


def test_the_variables_read_unvalidated_take_any_string() -> None:
    """What pydantic would check of them: nothing, while they are plain optional strings."""
    for field in ENVIRONMENT:
        info = Settings.model_fields[field]
        assert (info.annotation, info.metadata, info.default) == (str | None, [], None)
