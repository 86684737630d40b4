"""Catalogues on S3 (moto's server on loopback): definitions, the product index, DuckDB
queries, plain Hive partitions, and the catalogue lock as a conditionally created object."""

from __future__ import annotations

import functools
import json
import os
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest
from ci_env import hourly_mag_files
from s3_env import MAG_COLLECTIONS, s3_environment

from vires_repo.catalog import Catalog
from vires_repo.cli import main
from vires_repo.errors import LockLostError, LockTimeoutError
from vires_repo.io import object_lock as object_lock_module
from vires_repo.io.duckdb import query
from vires_repo.io.object_lock import ObjectStoreLock
from vires_repo.io.storage import LOCK_FILE, Storage
from vires_repo.products import ProductSelection
from vires_repo.products.manifest import manifest_name, manifest_path, partition_folder
from vires_repo.services import product_import
from vires_repo.sql.views import connect

MAGA, MAGB = MAG_COLLECTIONS
HOLDER = f"pid {os.getpid()} on {socket.gethostname()}"
SUBPROCESS_TIMEOUT = 120


mag_files = functools.partial(hourly_mag_files, sampling=timedelta(minutes=1))


def identifiers(files: list[str]) -> list[str]:
    return [Path(name).stem for name in files]


def cli(*argv: str) -> int:
    return main(list(argv))


def listed(root: str, capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    capsys.readouterr()
    assert cli("--catalog", root, "product", "list", *argv) == 0
    return capsys.readouterr().out.splitlines()


def lock_key(root: str) -> str:
    return f"{root.removeprefix('s3://')}/{LOCK_FILE}"


# -- the catalogue on S3 -----------------------------------------------------------------------


def test_definitions_products_and_duckdb_work_on_an_s3_root(
    s3_root: str, tmp_path: Path, s3fs_filesystem: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    files = mag_files(tmp_path / "data", "2016-01-01", range(3))

    assert cli("--catalog", s3_root, "product", "register", "-c", MAGA, *files) == 0

    capsys.readouterr()
    assert cli("--catalog", s3_root, "product_collection", "list") == 0
    assert capsys.readouterr().out.split() == list(MAG_COLLECTIONS)
    assert listed(s3_root, capsys) == [f"{MAGA}/{name}" for name in identifiers(files)]
    bucket_path = s3_root.removeprefix("s3://")
    folder = f"{bucket_path}/{partition_folder(MAGA)}"
    names = [path.rsplit("/", 1)[-1] for path in s3fs_filesystem.ls(folder, refresh=True)]
    assert manifest_name(MAGA) in names and any(name.endswith(".jsonl") for name in names)
    assert not s3fs_filesystem.exists(lock_key(s3_root))  # released after the command

    connection = connect(Storage(s3_root))
    rows = query(
        connection, "SELECT collection, identifier FROM products ORDER BY begin_time"
    ).to_pylist()
    assert rows == [{"collection": MAGA, "identifier": name} for name in identifiers(files)]
    count = query(connection, "SELECT count(*) AS n FROM product_datasets").to_pylist()
    assert count == [{"n": 3}]


def test_partitions_are_plain_hive_layout_readable_by_pyarrow_dataset(
    s3_root: str, tmp_path: Path, s3fs_filesystem: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    files_a = mag_files(tmp_path / "a", "2016-01-01", range(3))
    files_b = mag_files(tmp_path / "b", "2016-01-01", range(2), spacecraft="B")
    assert cli("--catalog", s3_root, "product", "register", "-c", MAGA, *files_a) == 0
    assert cli("--catalog", s3_root, "product", "register", "-c", MAGB, *files_b) == 0
    # re-registering one product writes a new row and tombstones the old one
    assert cli("--catalog", s3_root, "product", "register", "-c", MAGA, "--update", files_a[0]) == 0
    expected = sorted(listed(s3_root, capsys))
    base = f"{s3_root.removeprefix('s3://')}/products"

    # what a reader must do before compaction: the manifest's file list (JSON lines or
    # Parquet, the extension tells), minus tombstones
    storage = Storage(s3_root)
    paths: dict[str, list[str]] = {"parquet": [], "json": []}
    dead: set[tuple[str, str]] = set()
    for collection in (MAGA, MAGB):
        manifest = json.loads(storage.read_text(manifest_path(collection)))
        for entry in manifest["files"]:
            kind = "json" if entry["file"].endswith(".jsonl") else "parquet"
            paths[kind].append(f"{base}/collection={collection}/{entry['file']}")
            dead.update((entry["file"], name) for name in entry.get("tombstones", []))
    assert len(dead) == 1 and not paths["parquet"]  # registrations write JSON lines
    rows = [
        (row["collection"], row["identifier"], path.rsplit("/", 1)[-1])
        for path in paths["json"]
        for row in map(json.loads, s3fs_filesystem.cat_file(path).splitlines())
    ]
    assert len(rows) == len(expected) + 1  # the replaced row is still in its file
    live = [f"{c}/{i}" for c, i, file in rows if (file, i) not in dead]
    assert sorted(live) == expected

    # after compaction the folder itself is the index: read it with a plain hive discovery
    assert cli("--catalog", s3_root, "product", "compact") == 0
    dataset = ds.dataset(base, filesystem=s3fs_filesystem, format="parquet", partitioning="hive")
    assert {field.name for field in dataset.schema} >= {"collection", "identifier", "begin_time"}
    table = dataset.to_table(
        columns=["collection", "identifier"], filter=ds.field("collection") == MAGB
    )
    assert sorted(table["identifier"].to_pylist()) == identifiers(files_b)
    table = dataset.to_table(columns=["collection", "identifier"])
    assert sorted(f"{c}/{i}" for c, i in zip(*table.to_pydict().values(), strict=True)) == expected


# -- the lock object -------------------------------------------------------------------------


def test_the_lock_is_an_object_naming_its_holder_and_a_second_writer_times_out(
    s3_root: str, s3fs_filesystem: Any
) -> None:
    holder, other = Storage(s3_root), Storage(s3_root)

    with holder.lock():
        document = json.loads(s3fs_filesystem.cat_file(lock_key(s3_root)))
        assert document["holder"].startswith(HOLDER)
        with pytest.raises(LockTimeoutError, match=f"{s3_root} is locked by {HOLDER} since"):
            with other.lock(timeout=0.3):
                pytest.fail("two writers held the lock")
        with holder.lock(timeout=0):  # re-entrant for the holding Storage object
            pass
        assert s3fs_filesystem.exists(lock_key(s3_root))

    s3fs_filesystem.invalidate_cache()
    assert not s3fs_filesystem.exists(lock_key(s3_root))
    with other.lock(timeout=0.3):
        pass


def test_a_waiting_writer_gets_the_lock_after_the_holder_releases_it(s3_root: str) -> None:
    events: list[str] = []
    first_holds, second_started = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with Storage(s3_root).lock(timeout=30):
                events.append("first in")
                first_holds.set()
                assert second_started.wait(30)
                events.append("first out")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
            first_holds.set()

    def second() -> None:
        try:
            assert first_holds.wait(30)
            second_started.set()
            with Storage(s3_root).lock(timeout=30):
                events.append("second in")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert events == ["first in", "first out", "second in"]


def test_writers_with_their_own_storage_never_overlap(s3_root: str) -> None:
    events: list[tuple[str, int]] = []
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        storage = Storage(s3_root)
        try:
            for _ in range(5):
                with storage.lock(timeout=60):
                    events.append(("in", number))
                    threading.Event().wait(0.01)  # give the others a chance to try
                    events.append(("out", number))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert not errors
    assert len(events) == 30
    for enter, leave in zip(events[::2], events[1::2], strict=True):
        assert (enter[0], leave) == ("in", ("out", enter[1]))  # nobody entered in between


def _foreign_lock(fs: Any, root: str) -> str:
    bucket, _, key = lock_key(root).partition("/")
    response = fs.call_s3(
        "put_object",
        Bucket=bucket,
        Key=key,
        Body=b'{"holder": "pid 4242 on crashed-host since 2016-01-01T00:00:00Z"}\n',
        Metadata={"holder": "pid 4242 on crashed-host since 2016-01-01T00:00:00Z", "token": "x"},
    )
    return str(response["ETag"])


def test_a_live_foreign_lock_is_respected(s3_root: str, s3fs_filesystem: Any) -> None:
    _foreign_lock(s3fs_filesystem, s3_root)

    with pytest.raises(LockTimeoutError, match="locked by pid 4242 on crashed-host since"):
        with Storage(s3_root).lock(timeout=0.3):
            pytest.fail("a live lock was ignored")
    assert b"crashed-host" in s3fs_filesystem.cat_file(lock_key(s3_root))


def test_a_stale_lock_is_removed_with_a_warning_naming_its_holder(
    s3_root: str,
    s3fs_filesystem: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _foreign_lock(s3fs_filesystem, s3_root)
    later = datetime.now(UTC) + timedelta(hours=1)  # the store's clock, an hour on
    monkeypatch.setattr(object_lock_module, "_server_time", lambda response: later)

    with (
        caplog.at_level("WARNING", logger="vires_repo.io.object_lock"),
        Storage(s3_root).lock(timeout=5),
    ):
        document = json.loads(s3fs_filesystem.cat_file(lock_key(s3_root)))
        assert document["holder"].startswith(HOLDER)

    assert "removed the stale lock" in caplog.text
    assert "held by pid 4242 on crashed-host" in caplog.text


def test_the_holder_renews_its_lock_so_a_breaker_holding_an_old_etag_cannot_remove_it(
    s3_root: str, s3fs_filesystem: Any
) -> None:
    path = lock_key(s3_root)
    lock = ObjectStoreLock(s3fs_filesystem, path, s3_root, stale_after=0.4)
    lock.acquire(timeout=5)
    bucket, _, key = path.partition("/")
    first_etag = s3fs_filesystem.call_s3("head_object", Bucket=bucket, Key=key)["ETag"]
    renewals = 0
    for _ in range(200):  # bounded wait for two renewals (every 0.1 s)
        body = json.loads(s3fs_filesystem.cat_file(path))
        renewals = body["renewals"]
        if renewals >= 2:
            break
        threading.Event().wait(0.05)
    assert renewals >= 2
    assert body["token"] == lock.token

    assert not lock._delete(first_etag)  # a breaker that saw the old version fails
    assert s3fs_filesystem.exists(path)
    lock.release()
    s3fs_filesystem.invalidate_cache()
    assert not s3fs_filesystem.exists(path)


def test_a_holder_whose_lock_was_broken_fails_and_removes_only_its_own_lock(
    s3_root: str, s3fs_filesystem: Any
) -> None:
    path = lock_key(s3_root)
    mine = ObjectStoreLock(s3fs_filesystem, path, s3_root, stale_after=3600)
    mine.acquire(timeout=5)
    s3fs_filesystem.rm_file(path)  # broken as stale by someone else ...
    theirs = ObjectStoreLock(s3fs_filesystem, path, s3_root, stale_after=3600)
    theirs.acquire(timeout=5)  # ... who now holds the lock

    with pytest.raises(LockLostError, match="was lost while writing"):
        mine.release()
    assert json.loads(s3fs_filesystem.cat_file(path))["token"] == theirs.token
    theirs.release()


# -- two writers -----------------------------------------------------------------------------


def test_two_processes_registering_into_one_collection_lose_nothing(
    s3_root: str, s3_config: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batches = [
        mag_files(tmp_path / "one", "2016-01-01", range(0, 12)),
        mag_files(tmp_path / "two", "2016-01-02", range(0, 12)),
    ]
    command = [sys.executable, "-m", "vires_repo", "--catalog", s3_root, "-v", "0"]
    processes = [
        subprocess.Popen(
            [*command, "product", "register", "-c", MAGA, *files],
            env=s3_environment(s3_config),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for files in batches
    ]
    outcomes = [process.communicate(timeout=SUBPROCESS_TIMEOUT) for process in processes]

    for process, (_out, err) in zip(processes, outcomes, strict=True):
        assert process.returncode == 0, err
    expected = sorted(f"{MAGA}/{name}" for files in batches for name in identifiers(files))
    assert sorted(listed(s3_root, capsys)) == expected


def _record(collection: str, identifier: str, start: datetime) -> dict[str, Any]:
    return {
        "identifier": identifier,
        "collection": collection,
        "beginTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endTime": (start + timedelta(minutes=59)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "datasets": {"MDR_MAG_LR": {"location": f"s3://data/{identifier}.cdf"}},
    }


def test_two_threads_importing_with_their_own_storage_lose_nothing(
    s3_root: str, capsys: pytest.CaptureFixture[str]
) -> None:
    start = datetime(2016, 1, 1, tzinfo=UTC)
    errors: list[BaseException] = []
    writers = [(MAGA, "one"), (MAGA, "two"), (MAGB, "three")]  # two of them on one partition

    def names(collection: str, writer: str) -> list[list[str]]:
        return [[f"{collection}_{writer}_{b}_{h}" for h in range(3)] for b in range(4)]

    def write(collection: str, writer: str) -> None:
        try:
            catalog = Catalog(Storage(s3_root))  # its own Storage, hence its own lock object
            for batch in names(collection, writer):
                records = [_record(collection, name, start) for name in batch]
                imported, _removed = product_import.import_products(
                    catalog, records, ProductSelection()
                )
                assert imported.count("registered") == 3
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=writer) for writer in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert not errors
    expected = [
        f"{collection}/{name}"
        for collection, writer in writers
        for batch in names(collection, writer)
        for name in batch
    ]
    assert sorted(listed(s3_root, capsys)) == sorted(expected)


def test_a_writer_in_another_process_times_out_naming_the_holder(
    s3_root: str, s3_config: str, tmp_path: Path
) -> None:
    files = mag_files(tmp_path / "data", "2016-01-01", range(1))
    environment = {**s3_environment(s3_config), "VIRES_LOCK_TIMEOUT": "0.5"}

    with Storage(s3_root).lock():
        done = subprocess.run(
            [sys.executable, "-m", "vires_repo", "--catalog", s3_root]
            + ["product", "register", "-c", MAGA, *files],
            env=environment,
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_TIMEOUT,
            check=False,
        )

    assert done.returncode == 1
    assert f"ERROR: catalogue {s3_root} is locked by {HOLDER} since" in done.stderr
    assert "gave up after 0.5 s" in done.stderr
