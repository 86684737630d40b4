"""The storage seam: every catalogue file goes through :class:`Storage` (fsspec underneath).

A catalogue root is a local folder (the default) or any fsspec URL (``memory://cat``,
``s3://bucket/cat``). Paths given to the methods are relative POSIX paths below the root.

Writes are atomic: a reader sees either the old or the new content of a file, never a part.
On a local disk the data go to a temporary file in the same folder, are flushed to disk and then
renamed over the target; object stores replace an object in one request anyway.

Writers serialize on the catalogue lock (:meth:`Storage.lock`); readers never take it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fsspec

from .errors import LockTimeoutError, NotFoundError

STATE_FOLDER = ".state"
"""Runtime state below the root (lock, temporary files); it ignores itself in git."""
LOCK_FILE = f"{STATE_FOLDER}/lock"
DEFAULT_LOCK_TIMEOUT = float(os.environ.get("VIRES_LOCK_TIMEOUT", "60"))
_LOCK_POLL_SECONDS = 0.05

# In-process locks for filesystems without a lock primitive of their own (e.g. memory://).
_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


class Storage:
    """A catalogue root on some filesystem."""

    def __init__(self, root: str | os.PathLike[str], fs: Any = None) -> None:
        root = os.fspath(root)
        if fs is None:
            fs, path = fsspec.core.url_to_fs(root)
        else:
            path = root
        self.fs: Any = fs
        self.url = root
        self.root = path.rstrip("/") or "/"
        self._lock_depth = 0
        self._lock_guard = threading.RLock()

    def __repr__(self) -> str:
        return f"Storage({self.url!r})"

    @property
    def protocol(self) -> str:
        protocol = self.fs.protocol
        return str(protocol[0] if isinstance(protocol, tuple | list) else protocol)

    @property
    def is_local(self) -> bool:
        return self.protocol in ("file", "local")

    def path(self, relpath: str = "") -> str:
        """Full filesystem path of ``relpath`` (as the fsspec filesystem spells it)."""
        return f"{self.root}/{relpath}" if relpath else self.root

    def url_of(self, relpath: str = "") -> str:
        """A URL or local path of ``relpath`` that fsspec (and DuckDB) can open."""
        path = self.path(relpath)
        return path if self.is_local else f"{self.protocol}://{path.lstrip('/')}"

    # -- reading -------------------------------------------------------------------------

    def exists(self, relpath: str = "") -> bool:
        return bool(self.fs.exists(self.path(relpath)))

    def read_bytes(self, relpath: str) -> bytes:
        try:
            return bytes(self.fs.cat_file(self.path(relpath)))
        except FileNotFoundError:
            raise NotFoundError(f"{self.url_of(relpath)} does not exist") from None

    def read_text(self, relpath: str) -> str:
        return self.read_bytes(relpath).decode("utf-8")

    def listdir(self, relpath: str = "") -> list[str]:
        """Names of the files directly below ``relpath`` (sorted; empty if it does not exist)."""
        return sorted(name.rsplit("/", 1)[-1] for name in self._ls(relpath, "file"))

    def listdirs(self, relpath: str = "") -> list[str]:
        """Names of the folders directly below ``relpath`` (sorted)."""
        return sorted(name.rsplit("/", 1)[-1] for name in self._ls(relpath, "directory"))

    def _ls(self, relpath: str, kind: str) -> list[str]:
        try:
            entries = self.fs.ls(self.path(relpath), detail=True, refresh=True)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except TypeError:  # filesystems without the refresh keyword
            entries = self.fs.ls(self.path(relpath), detail=True)
        return [str(e["name"]).rstrip("/") for e in entries if e["type"] == kind]

    def size(self, relpath: str) -> int:
        return int(self.fs.size(self.path(relpath)))

    # -- writing -------------------------------------------------------------------------

    def makedirs(self, relpath: str = "") -> None:
        self.fs.makedirs(self.path(relpath), exist_ok=True)

    def write_bytes(self, relpath: str, data: bytes) -> None:
        """Replace ``relpath`` with ``data`` atomically (creating parent folders)."""
        target = self.path(relpath)
        parent = target.rsplit("/", 1)[0]
        if self.is_local:
            Path(parent).mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=parent, prefix=".tmp-", suffix=".part")
            try:
                with os.fdopen(fd, "wb") as stream:
                    stream.write(data)
                    stream.flush()
                    os.fsync(stream.fileno())
                Path(tmp).replace(target)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    Path(tmp).unlink()
                raise
        elif self.protocol == "memory":
            tmp = f"{parent}/.tmp-{os.getpid()}-{threading.get_ident()}.part"
            self.fs.pipe_file(tmp, data)
            self.fs.mv(tmp, target)
        else:  # object stores replace an object in one request
            self.fs.pipe_file(target, data)

    def write_text(self, relpath: str, text: str) -> None:
        self.write_bytes(relpath, text.encode("utf-8"))

    def write_if_changed(self, relpath: str, data: bytes) -> bool:
        """Write ``data`` unless the file already holds exactly these bytes; True if written."""
        if self.exists(relpath) and self.read_bytes(relpath) == data:
            return False
        self.write_bytes(relpath, data)
        return True

    def remove(self, relpath: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self.path(relpath))

    # -- locking -------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the catalogue write lock (re-entrant for this Storage object).

        A second writer waits up to ``timeout`` seconds, then fails with
        :class:`LockTimeoutError` naming the holder. On a local disk the lock is an ``flock`` on
        ``<root>/.state/lock``, released by the kernel even when the holder is killed.
        """
        wait = DEFAULT_LOCK_TIMEOUT if timeout is None else timeout
        # Another thread holding the lock through this same object: wait for it with the same
        # timeout (a plain ``with self._lock_guard`` would wait forever).
        if not self._lock_guard.acquire(timeout=wait):
            raise LockTimeoutError(
                f"catalogue {self.url} is locked by another thread of pid {os.getpid()}; "
                f"gave up after {wait:g} s"
            )
        try:
            if self._lock_depth:
                self._lock_depth += 1
                try:
                    yield
                finally:
                    self._lock_depth -= 1
                return
            acquire = self._local_lock if self.is_local else self._process_lock
            with acquire(wait):
                self._lock_depth = 1
                try:
                    yield
                finally:
                    self._lock_depth = 0
        finally:
            self._lock_guard.release()

    @contextlib.contextmanager
    def _local_lock(self, timeout: float) -> Iterator[None]:
        lock_path = Path(self.root) / LOCK_FILE
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        ignore = lock_path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")
        deadline = time.monotonic() + timeout
        with open(lock_path, "a+") as stream:
            while True:
                try:
                    fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        stream.seek(0)
                        holder = stream.read().strip() or "another process"
                        raise LockTimeoutError(
                            f"catalogue {self.url} is locked by {holder}; "
                            f"gave up after {timeout:g} s"
                        ) from None
                    time.sleep(_LOCK_POLL_SECONDS)
            try:
                stream.seek(0)
                stream.truncate()
                stream.write(_holder_description())
                stream.flush()
                yield
            finally:
                stream.seek(0)
                stream.truncate()
                stream.flush()
                fcntl.flock(stream.fileno(), fcntl.LOCK_UN)

    @contextlib.contextmanager
    def _process_lock(self, timeout: float) -> Iterator[None]:
        key = f"{self.protocol}://{self.root}"
        with _PROCESS_LOCKS_GUARD:
            lock = _PROCESS_LOCKS.setdefault(key, threading.Lock())
        if not lock.acquire(timeout=timeout):
            raise LockTimeoutError(
                f"catalogue {self.url} is locked by another writer; gave up after {timeout:g} s"
            )
        try:
            yield
        finally:
            lock.release()


def _holder_description() -> str:
    since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"pid {os.getpid()} on {socket.gethostname()} since {since}"
