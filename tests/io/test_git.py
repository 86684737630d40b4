"""The git seam: output, failures as GitError, accepted exit statuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from vires_repo.errors import GitError
from vires_repo.io.git import git_output, run_git


def test_the_output_of_a_successful_command(tmp_path: Path) -> None:
    git_output(tmp_path, "init", "-q")

    assert git_output(tmp_path, "rev-parse", "--is-inside-work-tree") == b"true\n"


def test_a_failure_names_the_command_the_folder_and_gits_message(tmp_path: Path) -> None:
    with pytest.raises(GitError) as raised:
        git_output(tmp_path, "rev-parse", "HEAD")

    message = str(raised.value)
    assert message.startswith(f"git rev-parse failed in {tmp_path}: ")
    assert "not a git repository" in message


def test_standard_input_reaches_git(tmp_path: Path) -> None:
    git_output(tmp_path, "init", "-q")

    digest = git_output(tmp_path, "hash-object", "--stdin", stdin=b"hello\n").strip()

    assert digest == b"ce013625030ba8dba906f756967f9e9ca394464a"


def test_accepted_exit_statuses_are_returned(tmp_path: Path) -> None:
    base, ours, theirs = (tmp_path / name for name in ("base", "ours", "theirs"))
    base.write_text("a\n")
    ours.write_text("b\n")
    theirs.write_text("c\n")

    done = run_git(tmp_path, "merge-file", str(ours), str(base), str(theirs), accept=range(128))

    assert done.returncode == 1  # one conflict
    assert "<<<<<<<" in ours.read_text()
    with pytest.raises(GitError, match="git merge-file failed"):
        run_git(tmp_path, "merge-file", str(ours), str(base), str(theirs))


def test_no_git_is_a_git_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(GitError, match="cannot run git"):
        git_output(tmp_path, "status")
