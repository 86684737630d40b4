"""Concurrent writers and interrupted writes of the product index (real CLI subprocesses)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from pcli_env import MAG_A, MAG_B, ProductEnv, ident, ids, labelled, summary

from vires_repo.products.index import ProductIndex
from vires_repo.products.manifest import manifest_name, manifest_path
from vires_repo.testing.mag_products import write_small_mag_lr_products

PARTITION = f"products/collection={MAG_A}"
HOUR = timedelta(hours=1)

# Runs the CLI with the manifest commit replaced by "tell the test, then hang": the process
# is killed while it has written its new data files but not the manifest.
STALLED_CLI = """
import sys, time
from pathlib import Path
from vires_repo.products.index import ProductIndex

def stalled(self, manifest, read):
    Path(sys.argv[1]).write_text("data files written")
    time.sleep(300)

ProductIndex._commit = stalled
from vires_repo.cli import main
sys.exit(main(sys.argv[2:]))
"""


def cli_command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "vires_repo", *argv]


def subprocess_env() -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VIRES_")}
    environment["COLUMNS"] = "200"
    return environment


def manifest_files(root: Path) -> list[str]:
    manifest = json.loads((root / manifest_path(MAG_A)).read_text())
    return [entry["file"] for entry in manifest["files"]]


def test_two_processes_register_into_the_same_catalogue(local_env: ProductEnv) -> None:
    env = local_env
    first = write_small_mag_lr_products(env.data, 30, records=2)
    second = write_small_mag_lr_products(
        env.data, 30, records=2, start="2016-03-01", period=timedelta(hours=12)
    )
    other = write_small_mag_lr_products(env.data, 20, records=2, spacecraft="B")
    batches = [(MAG_A, first), (MAG_A, second), (MAG_B, other)]
    processes = [
        subprocess.Popen(
            cli_command("--catalog", env.root, "product", "register", "-c", collection, *files),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=subprocess_env(),
        )
        for collection, files in batches
    ]
    for process, (_collection, files) in zip(processes, batches, strict=True):
        _out, err = process.communicate(timeout=240)
        assert process.returncode == 0, err
        assert summary(err) == [f"{len(files)} of {len(files)} product(s) registered."]
    assert ids(env, "-c", MAG_A) == [ident(f) for f in [*first, *second]]
    assert ids(env, "-c", MAG_B) == [ident(f) for f in other]


def test_concurrent_overlapping_registrations_leave_one_product_per_overlap(
    local_env: ProductEnv,
) -> None:
    """Each process's product of a day overlaps the other's: whatever the interleaving, the
    overlap check and the write happen under one lock, so exactly one survives per day."""
    env = local_env
    days = [f"2016-02-{day:02d}" for day in range(1, 16)]
    morning = [env.mag(f"{d}T00:00:00", f"{d}T12:00:00", sampling=HOUR) for d in days]
    noon = [env.mag(f"{d}T06:00:00", f"{d}T18:00:00", sampling=HOUR) for d in days]
    processes = [
        subprocess.Popen(
            cli_command(
                "--catalog", env.root, "product", "register", "-c", MAG_A,
                "--skip-post-registration-actions", *files,
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=subprocess_env(),
        )
        for files in (morning, noon)
    ]  # fmt: skip
    removed = 0
    for process in processes:
        _out, err = process.communicate(timeout=240)
        assert process.returncode == 0, err
        assert summary(err)[0] == "15 of 15 product(s) registered."
        removed += sum(int(line.split()[0]) for line in summary(err)[1:])
    assert removed == 15
    listed = ids(env)
    assert len(listed) == 15
    for early, late in zip(morning, noon, strict=True):
        assert (ident(early) in listed) != (ident(late) in listed)


def test_a_registration_killed_before_its_commit_leaves_the_old_index(
    local_env: ProductEnv, tmp_path: Path
) -> None:
    env = local_env
    root = Path(env.root)
    old = env.hourly("2016-01-01", range(2))
    assert env.register(MAG_A, *old).code == 0
    old_export = env("product", "export").out
    old_manifest = (root / manifest_path(MAG_A)).read_bytes()

    # new products, one of them replacing the second old product (an overlap)
    new = env.hourly("2016-01-02", range(3))
    new.append(env.mag("2016-01-01T01:30:00", "2016-01-01T02:30:00"))
    argv = ["--catalog", env.root, "product", "register", "-c", MAG_A, *new]
    marker = tmp_path / "stalled"
    process = subprocess.Popen(
        [sys.executable, "-c", STALLED_CLI, str(marker), *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=subprocess_env(),
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the registration never reached its commit"
            time.sleep(0.05)
        # the new data file is written, the manifest is not
        written = {p.name for p in (root / PARTITION).glob("part-*")}
        assert written - set(manifest_files(root))
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        if process.stderr:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL

    # readers see the old content; the lock died with the process
    assert (root / manifest_path(MAG_A)).read_bytes() == old_manifest
    assert env("product", "export").out == old_export
    assert ids(env) == [ident(f) for f in old]

    # rerunning the command completes the work
    result = env(*argv[2:])
    assert result.code == 0, result.err
    assert summary(result.err) == [
        "4 of 4 product(s) registered.",
        "1 overlapping product(s) de-registered.",
    ]
    assert ids(env) == [ident(f) for f in [old[0], new[3], *new[:3]]]
    # compaction drops the data file the killed process left behind
    assert env("product", "compact").code == 0
    assert sorted(p.name for p in (root / PARTITION).iterdir()) == sorted(
        [manifest_name(MAG_A), *manifest_files(root)]
    )


def test_a_failed_manifest_commit_leaves_the_old_index(
    env: ProductEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = env.hourly("2016-01-01", range(2))
    assert env.register(MAG_A, *old).code == 0
    old_export = env("product", "export").out
    new = env.hourly("2016-01-02", range(2))
    overlapping = env.mag("2016-01-01T00:30:00", "2016-01-01T00:45:00")

    def failing_commit(self: ProductIndex, manifest: object, read: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(ProductIndex, "_commit", failing_commit)
        for failed in (
            env.register(MAG_A, *new, overlapping),
            env("product", "deregister", ident(old[1])),
        ):
            assert failed.code == 1
            assert labelled(failed.err, "ERROR") == ["ERROR: No space left on device"]

    assert env("product", "export").out == old_export
    result = env.register(MAG_A, *new, overlapping)
    assert result.code == 0, result.err
    assert summary(result.err) == [
        "3 of 3 product(s) registered.",
        "1 overlapping product(s) de-registered.",
    ]
    assert ids(env) == [ident(f) for f in [overlapping, old[1], *new]]
