"""The git drivers: textconv of Parquet files, the manifest merge driver, git-setup.

Registrations of a few products write JSON-lines data files (plain text for git), compaction
writes Parquet, so most tests here run on a catalogue mixing both formats.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gitops_env import MAG_A, GitRepo

from vires_repo.products.manifest import Manifest, manifest_path, partition_folder

MANIFEST = f"catalog/{manifest_path(MAG_A)}"


def _setup(repo: GitRepo) -> None:
    code, _out, err = repo.run("git-setup")
    assert code == 0, err
    repo.commit("git drivers")


def _listed(repo: GitRepo) -> list[str]:
    code, out, err = repo.run("product", "list")
    assert code == 0, err
    return out.splitlines()


def _day(identifier: str) -> str:
    """The start day of a listed ``collection/identifier`` or an identifier."""
    return identifier.rsplit("/", 1)[-1].split("_")[5][:8]


def _manifest(repo: GitRepo) -> Manifest:
    return Manifest.loads((repo.path / MANIFEST).read_bytes(), MANIFEST)


# -- git-setup ------------------------------------------------------------------------------


def test_git_setup_is_idempotent(gitrepo: GitRepo) -> None:
    code, _out, err = gitrepo.run("git-setup")
    assert code == 0, err
    assert err.count("(set)") == 4
    attributes = (gitrepo.path / ".gitattributes").read_text()
    assert attributes.splitlines() == [
        "catalog/**/*.parquet -text diff=vires-parquet",
        "catalog/**/_manifest-*.json merge=vires-manifest",
    ]
    config = gitrepo.git("config", "--local", "--get", "merge.vires-manifest.driver").stdout
    assert config.strip().endswith("-m vires_repo git-merge-manifest %O %A %B %P")
    assert sys.executable in config
    textconv = gitrepo.git("config", "--local", "--get", "diff.vires-parquet.textconv").stdout
    assert textconv.strip().endswith("-m vires_repo git-textconv")

    code, _out, err = gitrepo.run("git-setup")
    assert code == 0, err
    assert "(set)" not in err and err.count("(unchanged)") == 4
    assert (gitrepo.path / ".gitattributes").read_text() == attributes
    check = gitrepo.git("check-attr", "diff", "merge", "text", "--", MANIFEST).stdout
    assert "merge: vires-manifest" in check


def test_git_setup_custom_command_config_only(gitrepo: GitRepo) -> None:
    code, _out, err = gitrepo.run("git-setup", "--command", "vires-repo", "--config-only")
    assert code == 0, err
    assert not (gitrepo.path / ".gitattributes").exists()
    value = gitrepo.git("config", "--local", "--get", "diff.vires-parquet.textconv").stdout
    assert value.strip() == "vires-repo git-textconv"


def test_the_project_gitattributes_names_the_drivers() -> None:
    lines = (Path(__file__).resolve().parents[3] / ".gitattributes").read_text().splitlines()
    assert "catalog/**/*.parquet -text diff=vires-parquet" in lines
    assert "catalog/**/_manifest-*.json merge=vires-manifest" in lines


# -- textconv --------------------------------------------------------------------------------


def test_git_diff_shows_a_daily_registration_as_one_json_line(gitrepo: GitRepo) -> None:
    _setup(gitrepo)
    gitrepo.register(gitrepo.day_product("2020-01-01"))
    gitrepo.commit("day 1")
    gitrepo.register(gitrepo.day_product("2020-01-02"))
    gitrepo.git("add", "-A", ".")
    diff = gitrepo.git("diff", "--cached", "--", "catalog/products").stdout
    added = [line for line in diff.splitlines() if line.startswith("+{")]
    assert len(added) == 1
    row = json.loads(added[0][1:])
    assert row["collection"] == MAG_A
    assert row["identifier"].startswith(f"{MAG_A}_20200102T000000_20200102T235900_0409")
    assert (row["begin_time"], row["end_time"]) == (
        "2020-01-02T00:00:00.000000Z",
        "2020-01-02T23:59:00.000000Z",
    )
    assert "Binary files" not in diff


def test_git_diff_shows_the_rows_of_a_compacted_parquet_file(gitrepo: GitRepo) -> None:
    _setup(gitrepo)
    gitrepo.register(gitrepo.day_product("2020-01-01"))
    gitrepo.register(gitrepo.day_product("2020-01-02"))
    gitrepo.commit("days 1, 2")
    code, _out, err = gitrepo.run("product", "compact")
    assert code == 0, err
    gitrepo.git("add", "-A", ".")
    diff = gitrepo.git("diff", "--cached", "--", "catalog/products").stdout
    assert "+# vires-repo product index data file: 2 product(s)" in diff
    added = [line for line in diff.splitlines() if line.startswith("+SW_OPER")]
    assert len(added) == 2
    collection, identifier, span, location = added[1][1:].split(" ")
    assert collection == MAG_A
    assert identifier.startswith(f"{MAG_A}_20200102T000000_20200102T235900_0409")
    assert span == "2020-01-02T00:00:00Z/2020-01-02T23:59:00Z"
    assert location.endswith(".cdf")
    assert "Binary files" not in diff


def test_textconv_command(gitrepo: GitRepo, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    gitrepo.register(
        gitrepo.day_product("2020-01-02"),
        gitrepo.day_product("2020-01-01"),
    )
    code, _out, err = gitrepo.run("product", "compact")  # a Parquet file
    assert code == 0, err
    entry = _manifest(gitrepo).files[0]
    data = gitrepo.path / "catalog" / partition_folder(MAG_A) / entry.file
    code, out, err = gitrepo.run("git-textconv", str(data))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "# vires-repo product index data file: 2 product(s)"
    assert lines[1:] == sorted(lines[1:]) and len(lines) == 3
    assert "20200101T000000" in lines[1]

    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"b": [2, 1], "a": ["y", "x"]}), other)
    code, out, err = gitrepo.run("git-textconv", str(other))
    assert code == 0, err
    assert out.splitlines() == ["# Parquet file: 2 row(s); columns: b, a", "1 | x", "2 | y"]

    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    code, out, err = gitrepo.run("git-textconv", str(broken))
    assert code == 0
    assert out.startswith("# not a readable Parquet file")
    assert err.startswith("WARNING: ")


# -- merge driver ----------------------------------------------------------------------------


def _branches(repo: GitRepo) -> None:
    """``main`` and ``other`` both branch from the current commit."""
    repo.git("branch", "other")


def _merge(repo: GitRepo, branch: str) -> subprocess.CompletedProcess[str]:
    return repo.git("merge", "--no-edit", "-q", branch, check=False)


def test_branches_registering_different_products_merge(gitrepo: GitRepo) -> None:
    _setup(gitrepo)
    gitrepo.register(gitrepo.day_product("2020-01-01"))
    gitrepo.commit("day 1")
    _branches(gitrepo)
    gitrepo.register(gitrepo.day_product("2020-01-02"))
    gitrepo.commit("day 2 on main")
    gitrepo.git("checkout", "-q", "other")
    gitrepo.register(gitrepo.day_product("2020-01-03"))
    gitrepo.register(gitrepo.day_product("2020-01-05"))
    gitrepo.commit("days 3 and 5 on other")
    gitrepo.git("checkout", "-q", "main")
    gitrepo.git("branch", "main-before-merge")

    done = _merge(gitrepo, "other")
    assert done.returncode == 0, done.stdout + done.stderr
    listed = _listed(gitrepo)
    assert [_day(line) for line in listed] == [
        "20200101",
        "20200102",
        "20200103",
        "20200105",
    ]
    merged = (gitrepo.path / MANIFEST).read_bytes()
    assert merged == _manifest(gitrepo).dumps().encode()  # canonical text
    assert gitrepo.git("status", "--porcelain").stdout == ""

    # The other direction gives the same manifest bytes.
    gitrepo.git("checkout", "-q", "-b", "reverse", "other")
    done = _merge(gitrepo, "main-before-merge")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (gitrepo.path / MANIFEST).read_bytes() == merged


def test_the_same_product_changed_on_both_sides_conflicts(gitrepo: GitRepo) -> None:
    _setup(gitrepo)
    product = gitrepo.day_product("2020-01-01")
    gitrepo.register(product)
    gitrepo.commit("day 1")
    _branches(gitrepo)
    gitrepo.register(product, update=True)  # re-registered: a new row for the identifier
    gitrepo.commit("update on main")
    gitrepo.git("checkout", "-q", "other")
    code, _out, err = gitrepo.run("product", "deregister", "--all")
    assert code == 0, err
    gitrepo.commit("de-register on other")
    gitrepo.git("checkout", "-q", "main")
    ours = (gitrepo.path / MANIFEST).read_bytes()

    done = _merge(gitrepo, "other")
    assert done.returncode != 0
    message = done.stdout + done.stderr
    assert f"ERROR: cannot merge {MANIFEST}: collection {MAG_A}: 1 product(s) changed" in message
    assert product.rsplit("/", 1)[1].removesuffix(".cdf") in message
    assert f"CONFLICT (content): Merge conflict in {MANIFEST}" in message
    assert (gitrepo.path / MANIFEST).read_bytes() == ours  # left as ours, still valid
    unmerged = gitrepo.git("diff", "--name-only", "--diff-filter=U").stdout.split()
    assert unmerged == [MANIFEST]


def test_the_same_new_identifier_on_both_sides_conflicts(gitrepo: GitRepo) -> None:
    _setup(gitrepo)
    _branches(gitrepo)
    gitrepo.register(gitrepo.day_product("2020-01-01"))
    gitrepo.commit("day 1 on main")
    gitrepo.git("checkout", "-q", "other")
    # The same file name (so the same identifier) in another folder: another row.
    gitrepo.register(gitrepo.day_product("2020-01-01", folder="b"))
    gitrepo.commit("another day 1 on other")
    gitrepo.git("checkout", "-q", "main")
    done = _merge(gitrepo, "other")
    # Both sides added the manifest: git merges add/add with an empty base.
    assert done.returncode != 0
    assert "changed on both sides" in done.stdout + done.stderr


def test_same_deregistration_on_both_sides_merges(gitrepo: GitRepo) -> None:
    _setup(gitrepo)
    gitrepo.register(
        gitrepo.day_product("2020-01-01"),
        gitrepo.day_product("2020-01-02"),
    )
    gitrepo.commit("days 1, 2")
    _branches(gitrepo)
    first = _listed(gitrepo)[0].split("/")[1]
    assert gitrepo.run("product", "deregister", first).code == 0
    gitrepo.register(gitrepo.day_product("2020-01-04"))
    gitrepo.commit("drop day 1, add day 4 on main")
    gitrepo.git("checkout", "-q", "other")
    assert gitrepo.run("product", "deregister", first).code == 0
    gitrepo.register(gitrepo.day_product("2020-01-03"))
    gitrepo.commit("drop day 1, add day 3 on other")
    gitrepo.git("checkout", "-q", "main")
    done = _merge(gitrepo, "other")
    assert done.returncode == 0, done.stdout + done.stderr
    days = [_day(line) for line in _listed(gitrepo)]
    assert days == ["20200102", "20200103", "20200104"]


@pytest.mark.parametrize("compacting", ["main", "other"])
def test_compaction_on_one_side_update_on_the_other(gitrepo: GitRepo, compacting: str) -> None:
    _setup(gitrepo)
    day1 = gitrepo.day_product("2020-01-01")
    gitrepo.register(day1)
    gitrepo.register(gitrepo.day_product("2020-01-02"))
    gitrepo.commit("days 1, 2 in two files")
    assert len(_manifest(gitrepo).files) == 2
    _branches(gitrepo)
    updater = "other" if compacting == "main" else "main"

    gitrepo.git("checkout", "-q", compacting)
    code, _out, err = gitrepo.run("product", "compact")
    assert code == 0, err
    gitrepo.register(gitrepo.day_product("2020-01-06"))
    gitrepo.commit("compaction and day 6")
    compacted = {entry.file for entry in _manifest(gitrepo).files}
    gitrepo.git("checkout", "-q", updater)
    gitrepo.register(day1, update=True)
    gitrepo.commit("day 1 updated")
    (updated,) = json.loads(gitrepo.run("product", "export").out)[:1]

    gitrepo.git("checkout", "-q", "main")
    done = _merge(gitrepo, "other")
    assert done.returncode == 0, done.stdout + done.stderr
    records = json.loads(gitrepo.run("product", "export").out)
    days = [_day(record["identifier"]) for record in records]
    assert days == ["20200101", "20200102", "20200106"]  # one live row per product
    assert records[0]["updated"] == updated["updated"]
    files = {entry.file for entry in _manifest(gitrepo).files}
    assert files >= compacted
    on_disk = {path.name for path in (gitrepo.path / MANIFEST).parent.glob("part-*")}
    assert files <= on_disk


@pytest.mark.parametrize("operation", ["rebase", "cherry-pick"])
def test_rebase_and_cherry_pick_use_the_driver(gitrepo: GitRepo, operation: str) -> None:
    _setup(gitrepo)
    gitrepo.register(gitrepo.day_product("2020-01-01"))
    gitrepo.commit("day 1")
    _branches(gitrepo)
    gitrepo.register(gitrepo.day_product("2020-01-02"))
    gitrepo.commit("day 2 on main")
    gitrepo.git("checkout", "-q", "other")
    gitrepo.register(gitrepo.day_product("2020-01-03"))
    gitrepo.commit("day 3 on other")
    if operation == "rebase":
        done = gitrepo.git("rebase", "-q", "main", check=False)
    else:
        gitrepo.git("checkout", "-q", "main")
        done = gitrepo.git("cherry-pick", "other", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    days = [_day(line) for line in _listed(gitrepo)]
    assert days == ["20200101", "20200102", "20200103"]


def test_overlapping_products_from_both_sides_merge_with_a_warning(gitrepo: GitRepo) -> None:
    _setup(gitrepo)
    gitrepo.register(gitrepo.day_product("2020-01-05"))
    gitrepo.commit("day 5")
    _branches(gitrepo)
    gitrepo.register(gitrepo.day_product("2020-01-01"))
    gitrepo.commit("day 1 on main")
    gitrepo.git("checkout", "-q", "other")
    gitrepo.register(gitrepo.product("2020-01-01T12:00:00", "2020-01-02T11:59:00"))
    gitrepo.register(gitrepo.day_product("2020-01-03"))
    gitrepo.commit("overlapping day 1-2 and day 3 on other")
    gitrepo.git("checkout", "-q", "main")
    done = _merge(gitrepo, "other")
    assert done.returncode == 0, done.stdout + done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("WARNING: ")]
    assert len(warnings) == 1
    assert f"collection {MAG_A}: product {MAG_A}_20200101T000000_" in warnings[0]
    assert f"(ours) overlaps product {MAG_A}_20200101T120000_" in warnings[0]
    assert len(_listed(gitrepo)) == 4


def test_git_setup_outside_a_repository(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("--catalog", str(tmp_path / "catalog"), "git-setup")
    assert code == 1
    assert out == ""
    assert err == f"ERROR: catalogue {tmp_path / 'catalog'} is not inside a git working tree\n"
