"""A writer that stalls past the lock's stale time on S3 (moto's server) loses its lease: its
commits are conditional on the manifest versions it read, so it is refused with one ERROR
line, the newer commit stays, and a rerun succeeds. The stall is real: the writer's process
stops itself (SIGSTOP, its lock renewer included) until the test continues it.

The installed moto (5.2.6) honours ``If-Match`` and ``If-None-Match: *`` on PutObject (412
PreconditionFailed; 404 NoSuchKey for ``If-Match`` on a deleted key) as AWS S3 does; it checks
the condition and stores the object in two steps, so these tests make the writers take turns
rather than race the same request (AWS makes the check and the write one step).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ci_env import hourly_mag_files
from s3_env import MAG_COLLECTIONS, s3_environment
from testdata import TESTDATA

from vires_repo.cached_products.store import load_manifest
from vires_repo.catalog import Catalog
from vires_repo.errors import CommitConflictError
from vires_repo.io.object_commit import Snapshot
from vires_repo.io.object_lock import ObjectStoreLock
from vires_repo.io.storage import Storage
from vires_repo.orbit_direction.extract import Boundaries
from vires_repo.orbit_direction.missions import TableKey
from vires_repo.orbit_direction.store import TableStore, read_table, write_table
from vires_repo.orbit_direction.table import OrbitDirectionTable
from vires_repo.products.manifest import manifest_path
from vires_repo.services import cached_product

MAGA = MAG_COLLECTIONS[0]
STALE_AFTER = "2"  # seconds; the stalled writer's lock is broken after this
TIMEOUT = 120
SAMPLING = timedelta(minutes=10)

# The CLI with one method of ProductIndex made to stop the whole process first (as a frozen
# VM or a GC pause would), after telling the test through a marker file.
STALLING_CLI = """
import os, signal, sys
from pathlib import Path
from vires_repo.products.index import ProductIndex

marker, method = Path(sys.argv[1]), sys.argv[2]
original = getattr(ProductIndex, method)

def stall_then_go_on(self, *args, **kwargs):
    marker.write_text("stalled")
    os.kill(os.getpid(), signal.SIGSTOP)
    return original(self, *args, **kwargs)

setattr(ProductIndex, method, stall_then_go_on)
from vires_repo.cli import main
sys.exit(main(sys.argv[3:]))
"""


def cli_environment(endpoint: str) -> dict[str, str]:
    environment = s3_environment(endpoint)
    environment["VIRES_LOCK_STALE_AFTER"] = STALE_AFTER
    return environment


def wait_until_stopped(process: subprocess.Popen[str], marker: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if marker.exists():
            state = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state == "T":
                return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the writer did not reach its stall")


def run_cli(endpoint: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vires_repo", *argv],
        env=cli_environment(endpoint),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("ERROR:")]


@pytest.mark.parametrize(
    "stall_in",
    [
        "_commit",  # between the manifest read and its write: the conditional write refuses
        "upsert",  # between the registration's plan and the upsert's own manifest read
    ],
)
def test_a_registration_stalled_past_its_lease_is_refused_and_loses_nothing(
    s3_root: str, s3_config: str, tmp_path: Path, stall_in: str
) -> None:
    stalled_files = hourly_mag_files(tmp_path / "a", "2016-01-01", range(3), sampling=SAMPLING)
    newer_files = hourly_mag_files(tmp_path / "b", "2016-01-02", range(3), sampling=SAMPLING)
    register = ["--catalog", s3_root, "-v", "0", "product", "register", "-c", MAGA]
    marker = tmp_path / "stalled"
    stalled = subprocess.Popen(
        [sys.executable, "-c", STALLING_CLI, str(marker), stall_in, *register, *stalled_files],
        env=cli_environment(s3_config),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_stopped(stalled, marker)
        newer = run_cli(s3_config, *register, *newer_files)
        assert newer.returncode == 0, newer.stderr
        assert "removed the stale lock" in newer.stderr
        storage = Storage(s3_root)
        committed = storage.read_bytes(manifest_path(MAGA))
    finally:
        stalled.send_signal(signal.SIGCONT)
    _out, err = stalled.communicate(timeout=TIMEOUT)

    assert stalled.returncode == 1, err
    assert "Traceback" not in err
    [line] = error_lines(err)
    assert "was changed by another writer" in line
    assert manifest_path(MAGA) in line
    assert storage.read_bytes(manifest_path(MAGA)) == committed  # the newer commit stands
    assert listed(s3_config, s3_root) == names(newer_files)

    rerun = run_cli(s3_config, *register, *stalled_files)
    assert rerun.returncode == 0, rerun.stderr
    assert listed(s3_config, s3_root) == sorted(names(stalled_files) + names(newer_files))


def names(files: list[str]) -> list[str]:
    return sorted(f"{MAGA}/{Path(name).stem}" for name in files)


def listed(endpoint: str, root: str) -> list[str]:
    result = run_cli(endpoint, "--catalog", root, "product", "list")
    assert result.returncode == 0, result.stderr
    return sorted(result.stdout.splitlines())


# -- the other commit points, with the stall made in-process ----------------------------------


@pytest.fixture
def short_lease(monkeypatch: pytest.MonkeyPatch) -> None:
    """Locks go stale after a second and are never renewed: every holder is a stalled one."""
    monkeypatch.setenv("VIRES_LOCK_STALE_AFTER", "1")
    monkeypatch.setattr(ObjectStoreLock, "_renew_loop", lambda self: None)


@contextmanager
def stalled_writer(root: str) -> Iterator[Catalog]:
    """A catalogue whose write lock is held (and not renewed) during the block."""
    catalog = Catalog(root)
    with catalog.writing():
        yield catalog


GEO = TableKey("Swarm", "A", None, "GEO")


def table(*blocks: str) -> OrbitDirectionTable:
    """A table of one 80-minute block (START, a point, END) starting at each time."""
    starts = np.array(blocks, "datetime64[ms]")
    offsets = np.array([0, 40, 80], "timedelta64[m]")
    return OrbitDirectionTable(
        GEO,
        Boundaries(
            (starts[:, None] + offsets).ravel(),
            np.tile(np.array([1, 0, -1], np.int8), len(blocks)),
            np.tile(np.array([1, -1, 0], np.int8), len(blocks)),
        ),
        [],
    )


FIRST = ("2016-01-31T23:00",)
THEIRS = (*FIRST, "2016-03-01T00:00")
MINE = (*FIRST, "2016-04-01T00:00")


def saving(catalog: Catalog, blocks: tuple[str, ...]) -> Any:
    """The table of ``catalog`` read and replaced by ``blocks``: ready to save."""
    loaded = TableStore(catalog.storage).replacing(GEO)
    loaded.table = table(*blocks)
    return loaded


def test_an_orbit_direction_save_stalled_past_its_lease_is_refused(
    s3_root: str, short_lease: None
) -> None:
    write_table(TableStore(Storage(s3_root)), table(*FIRST))
    with pytest.raises(CommitConflictError, match="_manifest.json was changed by another"):
        with stalled_writer(s3_root) as stalled:
            mine = saving(stalled, MINE)
            with stalled_writer(s3_root) as other:  # breaks the stale lock, commits
                saving(other, THEIRS).save()
            mine.save()
    stored = read_table(TableStore(Storage(s3_root)), GEO).boundaries
    assert stored.equals(table(*THEIRS).boundaries)  # the newer commit stands

    with stalled_writer(s3_root) as rerun:
        saving(rerun, (*THEIRS, *MINE[1:])).save()
    stored = read_table(TableStore(Storage(s3_root)), GEO).boundaries
    assert stored.equals(table(*THEIRS, *MINE[1:]).boundaries)


def cached(root: str) -> list[str]:
    return [record.identifier for record in load_manifest(Storage(root)).products]


def update_kp(catalog: Catalog) -> Any:
    return cached_product.update_cached_product(
        catalog, "GFZ_AUX_KP", [str(TESTDATA / "aux" / "Kp_MJD_1998_QL_sample.dat")]
    )


def update_dst(catalog: Catalog) -> Any:
    return cached_product.update_cached_product(
        catalog, "GFZ_AUX_DST", [str(TESTDATA / "aux" / "Dst_MJD_1998_sample.dat")]
    )


def test_a_cached_product_update_stalled_past_its_lease_is_refused(
    s3_root: str, short_lease: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    save = cached_product.save_manifest

    def another_writer_commits_first(storage: Storage, manifest: Any, read: Snapshot) -> bool:
        monkeypatch.setattr(cached_product, "save_manifest", save)
        update_dst(Catalog(s3_root))  # breaks the stale lock of the stalled writer
        return save(storage, manifest, read)

    monkeypatch.setattr(cached_product, "save_manifest", another_writer_commits_first)
    with pytest.raises(CommitConflictError, match="cached_products/_manifest.json"):
        update_kp(Catalog(s3_root))
    assert cached(s3_root) == ["GFZ_AUX_DST"]  # the newer commit stands

    update_kp(Catalog(s3_root))  # the rerun
    assert cached(s3_root) == ["GFZ_AUX_DST", "GFZ_AUX_KP"]


# -- the seam itself --------------------------------------------------------------------------


def test_commits_are_conditional_on_the_version_read(s3_root: str) -> None:
    mine, theirs = Storage(s3_root), Storage(s3_root)
    absent = mine.read_snapshot("x/_manifest.json")
    assert absent == Snapshot(None)
    first = theirs.commit("x/_manifest.json", b"theirs\n", theirs.read_snapshot("x/_manifest.json"))
    with pytest.raises(CommitConflictError):  # created meanwhile: If-None-Match refuses
        mine.commit("x/_manifest.json", b"mine\n", absent)
    read = mine.read_snapshot("x/_manifest.json")
    assert read == first
    theirs.commit("x/_manifest.json", b"theirs again\n", first)
    with pytest.raises(CommitConflictError):  # replaced meanwhile: If-Match refuses
        mine.commit("x/_manifest.json", b"mine\n", read)
    assert mine.read_bytes("x/_manifest.json") == b"theirs again\n"
    # a retried request whose first attempt went through is not a conflict
    done = mine.commit("x/_manifest.json", b"mine\n", mine.read_snapshot("x/_manifest.json"))
    assert mine.commit("x/_manifest.json", b"mine\n", read) == done


def test_a_commit_point_read_again_under_the_lock_must_be_unchanged(
    s3_root: str, short_lease: None
) -> None:
    path = "x/_manifest.json"
    storage = Storage(s3_root)
    storage.commit(path, b"one\n", storage.read_snapshot(path))
    with pytest.raises(CommitConflictError, match="while this writer held the lock"):
        with storage.lock():
            storage.read_snapshot(path)
            with stalled_writer(s3_root) as other:
                other.storage.commit(path, b"two\n", other.storage.read_snapshot(path))
            storage.read_snapshot(path)
    with storage.lock():  # a new hold reads the current version
        assert storage.read_snapshot(path).data == b"two\n"


def test_a_definition_saved_over_a_newer_version_is_refused(
    s3_root: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, theirs = Catalog(s3_root), Catalog(s3_root)
    name = mine.product_types.ids()[0]
    stored = mine.product_types.load(name)
    definition = {key: value for key, value in stored.items() if key not in ("created", "updated")}
    now = datetime(2026, 1, 1, tzinfo=UTC)
    commit = mine.storage.commit

    def another_writer_saves_first(relpath: str, data: bytes, read: Snapshot) -> Snapshot:
        theirs.product_types.save({**definition, "description": "theirs"}, now)
        return commit(relpath, data, read)

    monkeypatch.setattr(mine.storage, "commit", another_writer_saves_first)
    with pytest.raises(CommitConflictError, match=f"product_types/{name}.json"):
        mine.product_types.save({**definition, "description": "mine"}, now)
    assert Catalog(s3_root).product_types.load(name)["description"] == "theirs"
