"""The catalogue write lock: writers serialize on it, readers never take it.

One lock per catalogue root, by kind of root:

* local folder: a native file lock (``flock`` on POSIX, ``LockFileEx`` on Windows, through
  :mod:`filelock`) on ``<root>/.state/lock``, released by the operating system when the holder
  dies; the file names the holder while it is held;
* S3 (any ``s3://`` root, through s3fs): a lock *object* ``<root>/.state/lock`` created and
  renewed by conditional writes (:mod:`vires_repo.io.object_lock`);
* other filesystems (``memory://``, ...): an in-process lock only.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from vires_repo.errors import LockTimeoutError

logger = logging.getLogger("vires_repo.io.locks")

_LOCAL_LOCK_POLL_SECONDS = 0.05
_S3_PROTOCOLS = ("s3", "s3a")

# In-process locks for filesystems without a lock primitive of their own (e.g. memory://).
_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


class CatalogueLock:
    """The write lock of one catalogue root, re-entrant for its owner (one Storage object).

    ``protocol`` is the fsspec protocol of the root, ``fs`` its filesystem, ``lock_path`` the
    lock file or object as ``fs`` spells it, ``url`` the catalogue named in messages.
    """

    def __init__(self, *, protocol: str, fs: Any, lock_path: str, url: str) -> None:
        self.protocol, self.fs, self.lock_path, self.url = protocol, fs, lock_path, url
        self._depth = 0
        self._guard = threading.RLock()

    def _acquirer(self) -> Callable[[float], AbstractContextManager[None]]:
        if self.protocol in ("file", "local"):
            return lambda timeout: local_lock(Path(self.lock_path), self.url, timeout)
        if self.protocol in _S3_PROTOCOLS and hasattr(self.fs, "call_s3"):
            from vires_repo.io.object_lock import object_store_lock  # writers only

            return lambda timeout: object_store_lock(self.fs, self.lock_path, self.url, timeout)
        key = f"{self.protocol}://{self.lock_path}"
        return lambda timeout: process_lock(key, self.url, timeout)

    @contextlib.contextmanager
    def hold(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the lock; a second writer waits up to ``timeout`` seconds (default
        ``VIRES_LOCK_TIMEOUT``), then fails with :class:`LockTimeoutError` naming the holder."""
        from vires_repo.settings import load_settings  # pydantic: only for writers

        wait = load_settings().lock_timeout if timeout is None else timeout
        # Another thread holding the lock through this same object: wait for it with the same
        # timeout (a plain ``with self._guard`` would wait forever).
        if not self._guard.acquire(timeout=wait):
            raise LockTimeoutError(
                f"catalogue {self.url} is locked by another thread of pid {os.getpid()}; "
                f"gave up after {wait:g} s"
            )
        try:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            with self._acquirer()(wait):
                self._depth = 1
                try:
                    yield
                finally:
                    self._depth = 0
        finally:
            self._guard.release()


# -- local folder: a native file lock -------------------------------------------------------


def _write_holder(fd: int) -> None:
    """Name the holder in the lock file (``fd`` is filelock's descriptor: not ours to close)."""
    from vires_repo.io.object_lock import holder_description  # writers only

    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    os.write(fd, holder_description().encode("utf-8"))


def _read_holder(lock_path: Path) -> str:
    try:
        return lock_path.read_text(encoding="utf-8").strip() or "another process"
    except OSError:  # e.g. Windows, where the holder's byte-range lock blocks reading
        return "another process"


@contextlib.contextmanager
def local_lock(lock_path: Path, url: str, timeout: float) -> Iterator[None]:
    """A native file lock on ``lock_path`` (its folder ignores itself in git), naming the
    holder in the file while held and left empty after release."""
    from filelock import FileLock, Timeout  # only writers need it: keep reads' start-up light

    lock_path.parent.mkdir(parents=True, exist_ok=True)
    ignore = lock_path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    lock = FileLock(
        lock_path,
        thread_local=False,  # this process's threads are serialized by CatalogueLock
        is_singleton=False,  # two Storage objects of one root must exclude each other
        preserve_lock_file=True,  # the file stays, empty, between two writers
        fallback_to_soft=False,
        poll_interval=_LOCAL_LOCK_POLL_SECONDS,
        on_acquired=_write_holder,
    )
    try:
        lock.acquire(blocking=False)
    except Timeout:
        logger.debug(
            "waiting up to %g s for the lock of catalogue %s held by %s",
            timeout,
            url,
            _read_holder(lock_path),
        )
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise LockTimeoutError(
                f"catalogue {url} is locked by {_read_holder(lock_path)}; "
                f"gave up after {timeout:g} s"
            ) from None
    try:
        yield
    finally:
        try:
            os.truncate(lock_path, 0)
        finally:
            lock.release()


# -- other filesystems: an in-process lock ------------------------------------------------


@contextlib.contextmanager
def process_lock(key: str, url: str, timeout: float) -> Iterator[None]:
    """A lock shared by all Storage objects of this process with the same ``key``."""
    with _PROCESS_LOCKS_GUARD:
        lock = _PROCESS_LOCKS.setdefault(key, threading.Lock())
    if not lock.acquire(timeout=timeout):
        raise LockTimeoutError(
            f"catalogue {url} is locked by another writer; gave up after {timeout:g} s"
        )
    try:
        yield
    finally:
        lock.release()
