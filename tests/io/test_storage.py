"""The storage seam: reads, atomic writes and the catalogue lock, on local and memory:// roots."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pytest

from vires_repo.catalog import Catalog
from vires_repo.errors import LockTimeoutError, NotFoundError
from vires_repo.io.storage import LOCK_FILE, STATE_FOLDER, Storage

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def storage(catalog_root: str) -> Storage:
    return Storage(catalog_root)


@pytest.fixture
def local_root(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    root.mkdir()
    return root


# -- reading and writing ---------------------------------------------------------------------


def test_written_bytes_read_back_with_parent_folders_created(storage: Storage) -> None:
    storage.write_bytes("a/b/c.bin", b"\x00\x01\xff")

    assert storage.read_bytes("a/b/c.bin") == b"\x00\x01\xff"
    assert storage.exists("a/b/c.bin")
    assert storage.size("a/b/c.bin") == 3
    assert storage.listdir("a/b") == ["c.bin"]
    assert storage.listdirs("a") == ["b"]


def test_text_is_stored_as_utf8(storage: Storage) -> None:
    storage.write_text("t.txt", "Ørsted ✓\n")

    assert storage.read_bytes("t.txt") == "Ørsted ✓\n".encode()
    assert storage.read_text("t.txt") == "Ørsted ✓\n"


def test_reading_a_missing_file_names_it(storage: Storage) -> None:
    with pytest.raises(NotFoundError, match=r"nope\.json does not exist"):
        storage.read_bytes("folder/nope.json")
    assert not storage.exists("folder/nope.json")


def test_listing_a_missing_folder_is_empty(storage: Storage) -> None:
    assert storage.listdir("missing") == []
    assert storage.listdirs("missing") == []


def test_listdir_gives_sorted_files_and_listdirs_sorted_folders(storage: Storage) -> None:
    for name in ("d/b.json", "d/a.json", "d/z/x.json", "d/c/y.json"):
        storage.write_bytes(name, b"{}")

    assert storage.listdir("d") == ["a.json", "b.json"]
    assert storage.listdirs("d") == ["c", "z"]


def test_a_write_replaces_the_file_and_leaves_no_temporary_file(storage: Storage) -> None:
    storage.write_bytes("d/x.json", b"old")
    storage.write_bytes("d/x.json", b"new")

    assert storage.read_bytes("d/x.json") == b"new"
    assert storage.listdir("d") == ["x.json"]


def test_write_if_changed_writes_only_different_bytes(storage: Storage) -> None:
    assert storage.write_if_changed("x.json", b"1") is True
    assert storage.write_if_changed("x.json", b"1") is False
    assert storage.write_if_changed("x.json", b"2") is True
    assert storage.read_bytes("x.json") == b"2"


def test_write_if_changed_does_not_touch_an_identical_local_file(local_root: Path) -> None:
    storage = Storage(local_root)
    storage.write_bytes("x.json", b"same")
    path = local_root / "x.json"
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    inode = path.stat().st_ino

    assert storage.write_if_changed("x.json", b"same") is False
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert path.stat().st_ino == inode


def test_remove_deletes_and_ignores_a_missing_file(storage: Storage) -> None:
    storage.write_bytes("x.json", b"1")
    storage.remove("x.json")
    storage.remove("x.json")

    assert not storage.exists("x.json")


def test_url_of_opens_the_same_file_through_fsspec(storage: Storage) -> None:
    storage.write_bytes("d/x.bin", b"payload")

    with fsspec.open(storage.url_of("d/x.bin"), "rb") as stream:
        assert stream.read() == b"payload"


def test_memory_root_url_keeps_the_protocol() -> None:
    storage = Storage("memory://cat")

    assert storage.protocol == "memory"
    assert not storage.is_local
    assert storage.url_of("a/b.json") == "memory://cat/a/b.json"


def test_local_root_is_local(local_root: Path) -> None:
    storage = Storage(local_root)

    assert storage.is_local
    assert storage.url_of("a.json") == f"{local_root}/a.json"


def test_a_failing_local_write_keeps_the_old_file_and_cleans_up(
    local_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = Storage(local_root)
    storage.write_bytes("d/x.json", b"old")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("vires_repo.io.storage.os.fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        storage.write_bytes("d/x.json", b"new" * 1000)

    assert (local_root / "d/x.json").read_bytes() == b"old"
    assert sorted(p.name for p in (local_root / "d").iterdir()) == ["x.json"]


def test_a_failing_memory_write_keeps_the_old_file(monkeypatch: pytest.MonkeyPatch) -> None:
    storage = Storage("memory://failing")
    storage.write_bytes("d/x.json", b"old")

    def broken_move(*args: object, **kwargs: object) -> None:
        raise OSError("connection lost")

    monkeypatch.setattr(storage.fs, "mv", broken_move)
    with pytest.raises(OSError, match="connection lost"):
        storage.write_bytes("d/x.json", b"new")

    assert storage.read_bytes("d/x.json") == b"old"


# -- a writer killed midway --------------------------------------------------------------------

_SLOW_FSYNC_WRITER = textwrap.dedent(
    """
    import sys, time
    import vires_repo.io.storage as storage_module

    def slow_fsync(fd):
        print("fsync", flush=True)
        time.sleep(120)

    storage_module.os.fsync = slow_fsync
    storage_module.Storage(sys.argv[1]).write_bytes("big.bin", b"n" * 20_000_000)
    """
)

_ENDLESS_WRITER = textwrap.dedent(
    """
    import sys
    from vires_repo.io.storage import Storage

    storage = Storage(sys.argv[1])
    print("ready", flush=True)
    version = 1
    while True:
        storage.write_bytes("big.bin", bytes([version % 256]) * 4_000_000)
        version += 1
    """
)


def _python(script: str, *args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-c", script, *args],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes started by a test; killed (by their own id) if the test leaves them running."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for child in started:
        if child.poll() is None:
            child.kill()
        child.communicate()


def test_a_writer_killed_before_the_rename_leaves_the_old_file(
    local_root: Path, children: list[subprocess.Popen[str]]
) -> None:
    storage = Storage(local_root)
    storage.write_bytes("big.bin", b"old content")
    child = _python(_SLOW_FSYNC_WRITER, str(local_root))
    children.append(child)

    assert child.stdout is not None
    assert child.stdout.readline() == "fsync\n"  # all data written, not yet renamed
    child.send_signal(signal.SIGKILL)
    child.wait()

    assert storage.read_bytes("big.bin") == b"old content"
    # The orphaned temporary file is hidden and never mistaken for a catalogue file.
    leftovers = [p.name for p in local_root.iterdir() if p.name != "big.bin"]
    assert all(name.startswith(".tmp-") and name.endswith(".part") for name in leftovers)


@pytest.mark.parametrize("seed", range(5))
def test_a_writer_killed_at_any_moment_leaves_a_complete_file(
    local_root: Path, children: list[subprocess.Popen[str]], seed: int
) -> None:
    storage = Storage(local_root)
    storage.write_bytes("big.bin", bytes([0]) * 4_000_000)
    child = _python(_ENDLESS_WRITER, str(local_root))
    children.append(child)
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"

    time.sleep(random.Random(seed).uniform(0.0, 0.3))
    child.send_signal(signal.SIGKILL)
    child.wait()

    data = storage.read_bytes("big.bin")
    assert len(data) == 4_000_000
    assert data == bytes([data[0]]) * len(data)


# -- the catalogue lock ----------------------------------------------------------------------

_LOCK_HOLDER = textwrap.dedent(
    """
    import sys
    from vires_repo.io.storage import Storage

    with Storage(sys.argv[1]).lock(timeout=10):
        print("locked", flush=True)
        sys.stdin.readline()
    print("released", flush=True)
    """
)


def _other_writer_cannot_lock(root: str) -> bool:
    try:
        with Storage(root).lock(timeout=0.05):
            return False
    except LockTimeoutError:
        return True


def test_the_lock_is_reentrant_and_held_until_the_outermost_exit(catalog_root: str) -> None:
    storage = Storage(catalog_root)
    storage.makedirs()

    with storage.lock():
        with storage.lock(timeout=0):
            storage.write_bytes("x.json", b"1")
        assert _other_writer_cannot_lock(catalog_root)
    assert not _other_writer_cannot_lock(catalog_root)
    assert storage.read_bytes("x.json") == b"1"


def test_the_lock_is_released_when_the_body_raises(catalog_root: str) -> None:
    storage = Storage(catalog_root)
    storage.makedirs()

    with pytest.raises(RuntimeError), storage.lock():
        raise RuntimeError("boom")

    assert not _other_writer_cannot_lock(catalog_root)


def test_a_memory_writer_times_out_while_another_holds_the_lock() -> None:
    root = "memory://locked"
    holder = Storage(root)

    with holder.lock():
        with pytest.raises(
            LockTimeoutError,
            match=r"catalogue memory://locked is locked by another writer; gave up after 0.1 s",
        ):
            with Storage(root).lock(timeout=0.1):
                pass


def test_memory_roots_have_independent_locks() -> None:
    with Storage("memory://one").lock():
        with Storage("memory://two").lock(timeout=0):
            pass


def test_the_local_lock_file_is_git_ignored_and_cleared_after_use(local_root: Path) -> None:
    storage = Storage(local_root)

    with storage.lock():
        holder = (local_root / LOCK_FILE).read_text()
        assert holder.startswith(f"pid {os.getpid()} on ")

    assert (local_root / STATE_FOLDER / ".gitignore").read_text() == "*\n"
    assert (local_root / LOCK_FILE).read_text() == ""


def test_a_second_process_times_out_naming_the_holder(
    local_root: Path, children: list[subprocess.Popen[str]]
) -> None:
    holder = _python(_LOCK_HOLDER, str(local_root))
    children.append(holder)
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline() == "locked\n"

    with pytest.raises(LockTimeoutError) as caught:
        with Storage(local_root).lock(timeout=0.2):
            pass
    message = str(caught.value)
    assert message.startswith(f"catalogue {local_root} is locked by pid {holder.pid} on ")
    assert message.endswith("; gave up after 0.2 s")

    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.stdout.readline() == "released\n"
    with Storage(local_root).lock(timeout=10):
        pass


def test_the_lock_of_a_killed_holder_is_released(
    local_root: Path, children: list[subprocess.Popen[str]]
) -> None:
    holder = _python(_LOCK_HOLDER, str(local_root))
    children.append(holder)
    assert holder.stdout is not None
    assert holder.stdout.readline() == "locked\n"
    assert _other_writer_cannot_lock(str(local_root))

    holder.send_signal(signal.SIGKILL)
    holder.wait()

    with Storage(local_root).lock(timeout=10):
        pass


def _cli_process(root: Path, *argv: str, lock_timeout: str) -> subprocess.Popen[str]:
    env = {**os.environ, "VIRES_LOCK_TIMEOUT": lock_timeout, "COLUMNS": "200"}
    return subprocess.Popen(
        [sys.executable, "-m", "vires_repo", "--catalog", str(root), *argv],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_until_waiting_for_the_lock(child: subprocess.Popen[str]) -> list[str]:
    """Read ``child``'s stderr (it runs with ``-v 2``) until it says that it waits for the
    lock; return the lines read."""
    assert child.stderr is not None
    lines: list[str] = []
    for line in child.stderr:
        lines.append(line)
        if line.startswith("DEBUG: waiting up to 60 s for the lock of catalogue"):
            return lines
    pytest.fail(f"the writer ended without waiting for the lock: {''.join(lines)}")


def test_a_cli_writer_in_another_process_waits_for_the_lock_then_proceeds(
    local_root: Path, children: list[subprocess.Popen[str]]
) -> None:
    catalog = Catalog(local_root)
    with catalog.writing():
        writer = _cli_process(
            local_root, "-v", "2", "product_type", "import", "--default", lock_timeout="60"
        )
        children.append(writer)
        waited = _wait_until_waiting_for_the_lock(writer)
        assert f"held by pid {os.getpid()} on " in waited[-1]
        # While the lock is held the writer can neither finish nor write anything.
        assert writer.poll() is None
        assert catalog.product_types.ids() == []
    out, err = writer.communicate(timeout=120)

    assert writer.returncode == 0, err
    assert err.splitlines()[-1] == "INFO: 52 of 52 product types created."
    assert len(catalog.product_types.ids()) == 52


def test_a_cli_writer_gives_up_after_the_lock_timeout(
    local_root: Path, children: list[subprocess.Popen[str]]
) -> None:
    with Storage(local_root).lock():
        writer = _cli_process(local_root, "product_type", "import", "--default", lock_timeout="0.3")
        children.append(writer)
        out, err = writer.communicate(timeout=120)

    assert writer.returncode == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == "INFO: Loading default product types ..."
    assert lines[1].startswith(f"ERROR: catalogue {local_root} is locked by pid {os.getpid()} on ")
    assert lines[1].endswith("; gave up after 0.3 s")
    assert len(lines) == 2
    assert not (local_root / "product_types").exists()


def test_readers_never_wait_for_the_lock(catalog_root: str) -> None:
    writer = Catalog(catalog_root)
    writer.storage.write_bytes("product_types/A.json", b"{}")

    with writer.writing(timeout=0):
        reader = Catalog(catalog_root)
        assert reader.product_types.ids() == ["A"]
        assert reader.storage.read_bytes("product_types/A.json") == b"{}"
        assert reader.storage.exists()


# -- threads ---------------------------------------------------------------------------------


def _increment(storage: Storage, times: int) -> None:
    for _ in range(times):
        with storage.lock(timeout=60):
            value = int(storage.read_text("counter"))
            time.sleep(0.0005)  # widen the race window a lost update would need
            storage.write_text("counter", str(value + 1))


@pytest.mark.parametrize("shared", [False, True], ids=["storage-per-thread", "shared-storage"])
def test_threads_serialize_on_the_lock(catalog_root: str, shared: bool) -> None:
    first = Storage(catalog_root)
    first.write_text("counter", "0")
    threads = [
        threading.Thread(target=_increment, args=(first if shared else Storage(catalog_root), 20))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert first.read_text("counter") == "160"


def test_a_thread_times_out_on_a_storage_locked_by_another_thread(catalog_root: str) -> None:
    storage = Storage(catalog_root)
    storage.makedirs()
    locked, done = threading.Event(), threading.Event()

    def hold() -> None:
        with storage.lock():
            locked.set()
            done.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(60)
        with pytest.raises(LockTimeoutError, match="gave up after 0.1 s"):
            with storage.lock(timeout=0.1):
                pass
    finally:
        done.set()
        holder.join(60)


def test_many_entries_at_once(storage: Storage) -> None:
    """names, holding and remove_tree: what the job folders need for 10^5 jobs."""
    for name in ("a", "b", "c"):
        storage.write_text(f"perm/{name}/out.txt", "1")
    storage.write_text("perm/a/response.json", "{}")
    storage.write_text("perm/c/response.json", "{}")
    storage.write_text("task/b", "")

    assert sorted(storage.names("perm")) == ["a", "b", "c"]
    assert storage.names("nothing") == []
    assert storage.holding("perm", ["a", "b", "c", "zz"], "response.json") == {"a", "c"}
    assert storage.holding("perm", ["a", "b"], "out.txt") == {"a", "b"}
    assert storage.holding("nothing", ["a"], "out.txt") == set()
    if storage.is_local:  # "." (which entries are folders) only on a local disk
        assert storage.holding("perm", ["a", "zz", "b/out.txt"], ".") == {"a"}

    storage.remove_tree("perm/a")
    storage.remove_tree("task/b")
    storage.remove_tree("perm/never")

    assert sorted(storage.names("perm")) == ["b", "c"]
    assert not storage.exists("task/b")
