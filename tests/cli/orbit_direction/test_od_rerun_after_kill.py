"""A ``product register`` killed between its index commit and its orbit-direction update: the
rerun, which skips the products already registered, still brings the tables to what an
uninterrupted run leaves (issue 11, "Faults")."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from od_env import MAG_A, OdEnv, identifier, make_env

# the child registers and is killed when the index is committed, before the tables are touched
_KILLED_AFTER_THE_INDEX_COMMIT = textwrap.dedent(
    """
    import os, signal, sys
    from vires_repo.cli import main
    from vires_repo.services.orbit_direction import registration

    def killed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    registration.update_after_registration = killed
    sys.exit(main(sys.argv[1:]))
    """
)


def uninterrupted(env: OdEnv, files: list[str]) -> OdEnv:
    """A fresh catalogue next to ``env`` into which ``files`` were registered in one run."""
    fresh = make_env(f"{env.root}-uninterrupted", env.data, env.runner)
    result = fresh.register(*files)
    assert result.code == 0 and "WARNING" not in result.err, result.err
    return fresh


def assert_same_tables(env: OdEnv, expected: OdEnv) -> None:
    for table, other in zip(env.tables(), expected.tables(), strict=True):
        assert table.boundaries.equals(other.boundaries)
        assert table.sources == other.sources
        table.verify()
    # the partition files are named by their content hash: same months, same bytes
    for manifest, other in zip(env.manifests(), expected.manifests(), strict=True):
        assert manifest is not None and other is not None
        assert manifest.months == other.months


def sync_warnings(env: OdEnv) -> list[str]:
    result = env("check", "--only", "orbit-direction-sync")
    assert result.code == 0, result.err
    return [line for line in result.err.splitlines() if line.startswith("WARNING")]


def test_rerun_of_a_batch_killed_before_the_table_update_completes_the_tables(
    odenv: OdEnv,
) -> None:
    files = odenv.products(3) + [odenv.product(5)]  # a gap before the last
    expected = uninterrupted(odenv, files)
    assert odenv.register(*files, skip=True).code == 0  # index committed, tables untouched
    assert len(sync_warnings(odenv)) == 2  # GEO and QD

    rerun = odenv.register(*files)

    assert rerun.code == 0, rerun.err
    assert rerun.err.splitlines() == ["4 of 4 product(s) skipped."]  # as any rerun
    assert_same_tables(odenv, expected)
    assert sync_warnings(odenv) == []


def test_rerun_with_more_products_completes_the_killed_part_too(local_odenv: OdEnv) -> None:
    env = local_odenv
    files = env.products(4)
    expected = uninterrupted(env, files)
    assert env.register(*files[:2], skip=True).code == 0

    rerun = env.register(*files)

    assert rerun.code == 0, rerun.err
    assert "WARNING" not in rerun.err and "ERROR" not in rerun.err
    assert_same_tables(env, expected)
    assert sync_warnings(env) == []


def test_a_rerun_of_a_completed_batch_changes_and_says_nothing_more(
    local_odenv: OdEnv,
) -> None:
    env = local_odenv
    files = env.products(3)
    assert env.register(*files).code == 0
    before = env.manifests()

    rerun = env("-v", "2", "product", "register", "-c", MAG_A, *files)

    assert rerun.code == 0, rerun.err
    assert "orbit direction" not in rerun.err
    assert env.manifests() == before


def test_rerun_after_a_real_sigkill_after_the_index_commit(local_odenv: OdEnv) -> None:
    env = local_odenv
    files = env.products(3)
    expected = uninterrupted(env, files)
    command = [sys.executable, "-c", _KILLED_AFTER_THE_INDEX_COMMIT, "--catalog", env.root]
    command += ["product", "register", "-c", MAG_A, *files]
    killed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert killed.returncode == -9, killed.stderr
    listed = env("product", "list", "-c", MAG_A)
    assert sorted(line.split("/")[-1] for line in listed.out.split()) == [
        identifier(f) for f in files
    ]
    assert env.manifests() == (None, None)

    rerun = env.register(*files)

    assert rerun.code == 0, rerun.err
    assert_same_tables(env, expected)
    assert sync_warnings(env) == []
