"""scripts/ci_register.py against a local bare git repository as the remote: registers only new
files, commits as the bot only when something changed, and pushes with rebase-and-retry
(two runs racing for the push both land, nothing is lost)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from ci_env import hourly_mag_files, import_mag_definitions

from vires_repo.catalog import Catalog

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = REPO_ROOT / "scripts" / "ci_register.py"
MAGA, MAGB = "SW_OPER_MAGA_LR_1B", "SW_OPER_MAGB_LR_1B"
BOT = "github-actions[bot]"
TIMEOUT = 300


def git_environment(home: Path) -> dict[str, str]:
    """No global or system git configuration of the caller, no VIRES_* variables."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(("GIT_", "VIRES_"))
    }
    environment.update(
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(home / "gitconfig"),
        GIT_TERMINAL_PROMPT="0",
    )
    return environment


class Repos:
    """A bare ``remote.git`` holding a catalogue, clones of it and a product source folder."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.home = base / "home"
        self.home.mkdir()
        (self.home / "gitconfig").write_text(
            "[user]\n\tname = Test Person\n\temail = test@example.org\n"
            "[init]\n\tdefaultBranch = main\n"
        )
        self.env = git_environment(self.home)
        self.remote = base / "remote.git"
        self.source = base / "source"
        self.git("init", "--quiet", "--bare", str(self.remote))

    def git(self, *argv: str, cwd: Path | None = None) -> str:
        done = subprocess.run(
            ["git", *argv],
            cwd=cwd or self.base,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=TIMEOUT,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def clone(self, name: str) -> Path:
        target = self.base / name
        self.git("clone", "--quiet", str(self.remote), str(target))
        return target

    def products(self, collection: str, day: str, hours: range, where: str = "") -> list[str]:
        """Hourly MAG LR product files in ``source/<collection>/`` (or ``source/<where>``)."""
        spacecraft = collection[len("SW_OPER_MAG")]
        return hourly_mag_files(self.source / (where or collection), day, hours, spacecraft)

    def run(
        self,
        clone: Path,
        *collections: str,
        source: Path | None = None,
        push: bool = True,
        options: tuple[str, ...] = (),
    ) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, str(SCRIPT), "--catalog", str(clone / "catalog"), *options]
        argv += ["--source", str(source or self.source)]
        for collection in collections:
            argv += ["--collection", collection]
        if push:
            argv.append("--push")
        return subprocess.run(
            argv, env=self.env, capture_output=True, text=True, check=False, timeout=TIMEOUT
        )

    def log(self) -> list[tuple[str, str, str]]:
        """(author, parents, subject) of the remote's main branch, newest first."""
        text = self.git("--git-dir", str(self.remote), "log", "--format=%an%x09%P%x09%s", "main")
        return [tuple(line.split("\t")) for line in text.splitlines()]  # type: ignore[misc]

    def remote_products(self) -> list[str]:
        """``collection/identifier`` of every product in a fresh clone of the remote."""
        fresh = self.base / f"check-{len(list(self.base.glob('check-*')))}"
        self.git("clone", "--quiet", str(self.remote), str(fresh))
        records = Catalog(str(fresh / "catalog")).products.select()
        return sorted(f"{r.collection}/{r.identifier}" for r in records)


@pytest.fixture
def repos(tmp_path: Path) -> Repos:
    """The remote holds a catalogue with the Swarm MAG LR definitions on ``main``."""
    repos = Repos(tmp_path)
    seed = tmp_path / "seed"
    seed.mkdir()
    repos.git("init", "--quiet", cwd=seed)
    import_mag_definitions(Catalog(str(seed / "catalog")), MAGA, MAGB)
    (seed / ".gitignore").write_text(".state/\n")
    repos.git("add", "--all", cwd=seed)
    repos.git("commit", "--quiet", "-m", "catalogue definitions", cwd=seed)
    repos.git("push", "--quiet", str(repos.remote), "HEAD:refs/heads/main", cwd=seed)
    shutil.rmtree(seed)
    return repos


def names(files: list[str], collection: str) -> list[str]:
    return [f"{collection}/{Path(name).stem}" for name in files]


# -- one run ---------------------------------------------------------------------------------


def test_a_run_registers_the_new_files_commits_as_the_bot_and_pushes(repos: Repos) -> None:
    files = repos.products(MAGA, "2016-01-01", range(3))
    (repos.source / MAGA / "README.txt").write_text("not a product\n")
    repos.products(MAGB, "2016-01-01", range(1), where=MAGA)  # another collection's file
    clone = repos.clone("work")

    done = repos.run(clone, MAGA)

    assert done.returncode == 0, done.stderr
    assert f"{MAGA}: 3 file(s) in the source, 3 new" in done.stderr
    assert "pushed to origin/main (attempt 1)" in done.stderr
    assert repos.log()[0][0] == BOT
    assert repos.log()[0][2] == "Register 3 new product(s)"
    assert repos.remote_products() == names(files, MAGA)


def test_a_second_run_registers_only_new_files_and_commits_nothing_without_them(
    repos: Repos,
) -> None:
    first = repos.products(MAGA, "2016-01-01", range(2))
    clone = repos.clone("work")
    assert repos.run(clone, MAGA).returncode == 0
    commits = len(repos.log())

    done = repos.run(clone, MAGA)
    assert done.returncode == 0, done.stderr
    assert f"{MAGA}: 2 file(s) in the source, 0 new" in done.stderr
    assert "nothing to commit" in done.stderr
    assert len(repos.log()) == commits

    later = repos.products(MAGA, "2016-01-02", range(1))
    done = repos.run(clone, MAGA)
    assert done.returncode == 0, done.stderr
    assert f"{MAGA}: 3 file(s) in the source, 1 new" in done.stderr
    assert [entry[2] for entry in repos.log()[:2]] == [
        "Register 1 new product(s)",
        "Register 2 new product(s)",
    ]
    assert repos.remote_products() == names(first + later, MAGA)


def test_files_may_lie_directly_in_the_source_folder(repos: Repos) -> None:
    flat = repos.base / "flat"
    files = repos.products(MAGB, "2016-01-01", range(2), where="../flat")
    done = repos.run(repos.clone("work"), MAGB, source=flat)
    assert done.returncode == 0, done.stderr
    assert repos.remote_products() == names(files, MAGB)


def test_without_push_the_commit_stays_local(repos: Repos) -> None:
    repos.products(MAGA, "2016-01-01", range(1))
    clone = repos.clone("work")
    done = repos.run(clone, MAGA, push=False)
    assert done.returncode == 0, done.stderr
    assert "not pushed" in done.stderr
    assert len(repos.log()) == 1
    assert repos.git("log", "-1", "--format=%an", cwd=clone).strip() == BOT


def test_bad_arguments_and_a_dirty_work_tree_are_refused(repos: Repos) -> None:
    clone = repos.clone("work")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--catalog", str(clone / "catalog"), "--push"],
        env=repos.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
    )
    assert done.returncode == 2
    assert "no source" in done.stderr
    (clone / "stray.txt").write_text("uncommitted\n")
    done = repos.run(clone, MAGA)
    assert done.returncode == 2
    assert "uncommitted changes" in done.stderr


# -- racing runs -----------------------------------------------------------------------------


def test_the_loser_of_a_push_race_rebases_onto_the_winner(repos: Repos) -> None:
    files_a = repos.products(MAGA, "2016-01-01", range(2))
    files_b = repos.products(MAGB, "2016-01-01", range(2))
    winner, loser = repos.clone("winner"), repos.clone("loser")  # both from the same base

    assert repos.run(winner, MAGA).returncode == 0
    done = repos.run(loser, MAGB)

    assert done.returncode == 0, done.stderr
    assert "push rejected" in done.stderr
    assert "pushed to origin/main (attempt 2)" in done.stderr
    log = repos.log()
    assert [entry[0] for entry in log[:2]] == [BOT, BOT]
    newest_parent, winner_commit = (
        log[0][1],
        repos.git("--git-dir", str(repos.remote), "rev-parse", "main~1"),
    )
    assert newest_parent == winner_commit.strip()  # linear: the loser's commit is on top
    assert repos.remote_products() == sorted(names(files_a, MAGA) + names(files_b, MAGB))


def test_a_conflicting_race_on_one_partition_registers_again_on_top(repos: Repos) -> None:
    first_day = repos.products(MAGA, "2016-01-01", range(2), where="one")
    second_day = repos.products(MAGA, "2016-01-02", range(2), where="two")
    winner, loser = repos.clone("winner"), repos.clone("loser")

    assert repos.run(winner, MAGA, source=repos.source / "one").returncode == 0
    done = repos.run(loser, MAGA, source=repos.source / "two")

    assert done.returncode == 0, done.stderr
    assert "rebase conflicts: registering again" in done.stderr
    assert [entry[0] for entry in repos.log()[:2]] == [BOT, BOT]
    assert repos.remote_products() == names(first_day + second_day, MAGA)


def test_two_concurrent_runs_both_land_and_nothing_is_lost(repos: Repos) -> None:
    batches = {
        "one": repos.products(MAGA, "2016-01-01", range(3), where="one"),
        "two": repos.products(MAGA, "2016-01-02", range(3), where="two"),
    }
    clones = {name: repos.clone(name) for name in batches}
    results: dict[str, subprocess.CompletedProcess[str]] = {}

    def run(name: str) -> None:
        results[name] = repos.run(clones[name], MAGA, source=repos.source / name)

    threads = [threading.Thread(target=run, args=(name,)) for name in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)

    for result in results.values():
        assert result.returncode == 0, result.stderr
    log = repos.log()
    assert len(log) == 3 and [entry[0] for entry in log[:2]] == [BOT, BOT]
    expected = names(batches["one"] + batches["two"], MAGA)
    assert repos.remote_products() == sorted(expected)


def test_a_push_still_rejected_after_the_last_attempt_fails(repos: Repos) -> None:
    repos.products(MAGA, "2016-01-01", range(2))
    repos.products(MAGB, "2016-01-01", range(2))
    winner, loser = repos.clone("winner"), repos.clone("loser")

    assert repos.run(winner, MAGA).returncode == 0
    done = repos.run(loser, MAGB, options=("--attempts", "1"))

    assert done.returncode == 1
    assert "push still rejected after 1 attempt(s)" in done.stderr
    assert "rebasing" not in done.stderr  # no pause and catch-up after the last attempt


# -- commands of this vires-repo -------------------------------------------------------------


@pytest.fixture(scope="module")
def script() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("ci_register", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def test_a_command_killed_by_a_signal_is_run_once_more(
    script: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    codes = iter([-6, 0, -6, -6])
    calls: list[list[str]] = []

    def fake_run(argv: list[str], **options: object) -> subprocess.CompletedProcess[str]:
        calls.append(argv)
        return subprocess.CompletedProcess(argv, next(codes))

    monkeypatch.setattr(script.subprocess, "run", fake_run)

    assert script.vires_repo("cat", "orbit_direction", "sync").returncode == 0
    assert len(calls) == 2
    err = capsys.readouterr().err
    assert "'vires-repo orbit_direction' died (exit -6): running it again" in err
    assert script.vires_repo("cat", "check").returncode == -6  # a second death is reported
    assert len(calls) == 4


def test_collections_and_source_come_from_the_environment(
    script: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIRES_COLLECTIONS", f"{MAGA}, {MAGB}\nSW_OPER_MAGC_LR_1B")
    monkeypatch.setenv("VIRES_SOURCE_URL", "s3://bucket/swarm")

    _, bound, _ = script.app.parse_args([])
    assert bound.arguments == {
        "source": "s3://bucket/swarm",
        "collection": [MAGA, MAGB, "SW_OPER_MAGC_LR_1B"],
    }
    _, bound, _ = script.app.parse_args(["--collection", MAGA, "--source", "here"])
    assert bound.arguments == {"source": "here", "collection": [MAGA]}


def test_fewer_than_one_attempt_is_a_usage_error(
    script: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        script.main(["--source", "here", "--collection", MAGA, "--attempts", "0"])

    assert raised.value.code == 2
    assert "Must be >= 1" in capsys.readouterr().err
