"""``--as-of REV``: read commands see the catalogue of a git revision; writes are refused."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from gitops_env import MAG_A, MAG_B, GitRepo


def _identifiers(result: object) -> list[str]:
    code, out, err = result  # type: ignore[misc]
    assert code == 0, err
    return str(out).splitlines()


def test_product_list_and_export_at_a_revision(gitrepo: GitRepo) -> None:
    first = gitrepo.day_product("2020-01-01")
    gitrepo.register(first)
    old = gitrepo.commit("register day 1")
    second = gitrepo.day_product("2020-01-02")
    gitrepo.register(second)
    gitrepo.commit("register day 2")
    third = gitrepo.day_product("2020-01-03")
    gitrepo.register(third)  # not committed: the working tree differs from HEAD

    now = _identifiers(gitrepo.run("product", "list"))
    assert len(now) == 3
    at_head = _identifiers(gitrepo.run("--as-of", "HEAD", "product", "list"))
    assert at_head == now[:2]
    assert _identifiers(gitrepo.run("--as-of", old, "product", "list")) == now[:1]
    assert _identifiers(gitrepo.run("--as-of", "HEAD~1", "product", "list")) == now[:1]

    code, out, err = gitrepo.run("--as-of", "main~1", "product", "export")
    assert code == 0, err
    exported = [f"{r['collection']}/{r['identifier']}" for r in json.loads(out)]
    assert exported == now[:1]


def test_definitions_at_a_revision(gitrepo: GitRepo) -> None:
    first = gitrepo.git("rev-parse", "HEAD").stdout.strip()
    code, _out, err = gitrepo.run("product_collection", "remove", MAG_B)
    assert code == 0, err
    gitrepo.commit("remove MAGB")
    assert _identifiers(gitrepo.run("product_collection", "list")) == [MAG_A]
    listed = _identifiers(gitrepo.run("--as-of", first, "product_collection", "list"))
    assert listed == [MAG_A, MAG_B]
    code, out, err = gitrepo.run("--as-of", first, "product_collection", "export", MAG_B)
    assert code == 0, err
    assert [item["name"] for item in json.loads(out)] == [MAG_B]
    assert _identifiers(gitrepo.run("--as-of", first, "product_type", "list")) == ["SW_MAGx_LR_1B"]
    code, out, err = gitrepo.run("--as-of", first, "product_type", "export")
    assert code == 0, err
    assert json.loads(out)[0]["name"] == "SW_MAGx_LR_1B"


@pytest.mark.parametrize(
    "argv",
    [
        ("product", "register", "-c", MAG_A, "x.cdf"),
        ("product", "deregister", "--all"),
        ("product_type", "import", "--default"),
        ("product-collection", "remove", MAG_B),
        ("demo",),
        ("git-setup",),
    ],
)
def test_write_commands_are_refused(gitrepo: GitRepo, argv: tuple[str, ...]) -> None:
    before = gitrepo.git("status", "--porcelain").stdout
    code, out, err = gitrepo.run("--as-of", "HEAD", *argv)
    assert code == 2  # a usage error: --as-of is for read commands
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR: --as-of HEAD: ")
    assert "read-only" in lines[0]
    assert gitrepo.git("status", "--porcelain").stdout == before


def test_unknown_revision_and_no_repository(gitrepo: GitRepo, tmp_path: Path) -> None:
    code, _out, err = gitrepo.run("--as-of", "no-such-branch", "product", "list")
    assert code == 1
    assert err.startswith("ERROR: git revision no-such-branch does not exist")
    outside = tmp_path / "outside" / "catalog"
    outside.mkdir(parents=True)
    code, _out, err = gitrepo.cli("--catalog", str(outside), "--as-of", "HEAD", "product", "list")
    assert code == 1
    assert "ERROR:" in err and "not inside a git working tree" in err


def test_catalogue_missing_at_the_revision(gitrepo: GitRepo) -> None:
    gitrepo.git("commit", "-q", "--allow-empty", "-m", "empty")
    code, _out, err = gitrepo.cli(
        "--catalog", str(gitrepo.path / "other"), "--as-of", "HEAD", "product_type", "list"
    )
    assert code == 1
    assert "catalogue other does not exist at git revision HEAD" in err


def test_the_temporary_copy_is_removed(
    gitrepo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert _identifiers(gitrepo.run("--as-of", "HEAD", "product_collection", "list"))
    code, _out, _err = gitrepo.run("--as-of", "HEAD", "product", "list", "-c", "NOPE")
    assert list(scratch.iterdir()) == []


def test_help_is_not_refused(gitrepo: GitRepo) -> None:
    code, out, _err = gitrepo.run("--as-of", "HEAD", "product", "register", "--help")
    assert code == 0
    assert "register" in out


def test_every_read_command_listed_exists() -> None:
    """The --as-of allow-list names real commands (a renamed command would slip out)."""
    from vires_repo.cli import _common
    from vires_repo.cli.app import app

    for command in _common.AS_OF_COMMANDS:
        words = command.split(" ")
        target = app[words[0]]
        if len(words) > 1:
            target = target[words[1]]
        assert target is not None


def test_sql_reads_the_revision(gitrepo: GitRepo) -> None:
    gitrepo.register(gitrepo.day_product("2020-01-01"))
    gitrepo.commit("one product")
    gitrepo.register(gitrepo.day_product("2020-01-02"))
    query = "SELECT count(*) AS n FROM products"
    code, out, err = gitrepo.run("--as-of", "HEAD", "sql", "--format", "csv", query)
    assert code == 0, err
    assert out.split() == ["n", "1"]
    code, out, err = gitrepo.run("sql", "--format", "csv", query)
    assert code == 0, err
    assert out.split() == ["n", "2"]
