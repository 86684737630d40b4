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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vires_repo.errors import ConflictError, LockHeldError, LockTimeoutError

logger = logging.getLogger("vires_repo.io.locks")

_LOCAL_LOCK_POLL_SECONDS = 0.05
_S3_PROTOCOLS = ("s3", "s3a")

# In-process locks for filesystems without a lock primitive of their own (e.g. memory://).
_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


FREE, HELD, STALE = "free", "held", "stale"


@dataclass(frozen=True)
class LockStatus:
    """What ``lock status`` shows about a catalogue lock.

    ``state`` is ``free``, ``held`` (a live writer) or ``stale``: an object-store lock not
    renewed for ``stale_after`` seconds, or a local lock file still naming a holder that no
    longer holds the lock (a killed process; the operating system released its lock).
    """

    kind: str
    """``local`` (a file lock), ``object store`` or ``in-process`` (no shared lock)."""
    location: str
    state: str
    holder: str | None = None
    """``pid N on HOST`` as the holder wrote it."""
    since: str | None = None
    renewed: str | None = None
    """Last renewal (object store; a local lock lives as long as its holder's process)."""
    age_seconds: float | None = None
    """Seconds since the last write of the lock object, on the store's clock."""
    stale_after: float | None = None


def _holder_and_since(description: str) -> tuple[str, str | None]:
    holder, found, since = description.partition(" since ")
    return (holder, since) if found else (description, None)


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
        from vires_repo.io.object_lock import gave_up  # writers only
        from vires_repo.settings import load_settings  # pydantic: only for writers

        wait = load_settings().lock_timeout if timeout is None else timeout
        # Another thread holding the lock through this same object: wait for it with the same
        # timeout (a plain ``with self._guard`` would wait forever).
        if not self._guard.acquire(timeout=wait):
            raise LockTimeoutError(
                f"catalogue {self.url} is locked by another thread of pid {os.getpid()}; "
                f"{gave_up(wait)}"
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

    # -- inspection and clearing ----------------------------------------------------------

    @property
    def kind(self) -> str:
        if self.protocol in ("file", "local"):
            return "local"
        if self.protocol in _S3_PROTOCOLS and hasattr(self.fs, "call_s3"):
            return "object store"
        return "in-process"

    def status(self) -> LockStatus:
        """The lock's state now (a local probe holds the lock for an instant if it is free)."""
        if self.kind == "local":
            return _local_status(Path(self.lock_path), clear=False)
        if self.kind == "object store":
            return self._object_status(self._stale_after())
        key = f"{self.protocol}://{self.lock_path}"
        held = key in _PROCESS_LOCKS and _PROCESS_LOCKS[key].locked()
        return LockStatus(
            "in-process", key, HELD if held else FREE, f"pid {os.getpid()}" if held else None
        )

    def clear(self, *, force: bool = False) -> LockStatus:
        """Remove a stale lock (or, with ``force``, a live object-store lock) and return what
        was found; a live lock raises :class:`LockHeldError` naming its holder. A local or
        in-process lock of a running writer cannot be broken: its process holds it."""
        if self.kind == "local":
            return _local_status(Path(self.lock_path), clear=True, url=self.url)
        if self.kind == "in-process":
            found = self.status()
            if found.state == HELD:
                raise LockHeldError(
                    f"the lock of catalogue {self.url} is held by a writer of this process"
                )
            return found
        stale_after = self._stale_after()
        found = self._object_status(stale_after)
        if found.state == FREE:
            return found
        if found.state == HELD and not force:
            raise LockHeldError(
                f"the lock of catalogue {self.url} is held by {found.holder} since {found.since} "
                f"(renewed {found.age_seconds:.0f} s ago, stale after {stale_after:g} s); "
                "nothing cleared (--force breaks it: that writer then fails)"
            )
        from vires_repo.io.object_lock import remove_lock_object

        if not remove_lock_object(self.fs, self.lock_path, self.url, found.location_etag):
            raise ConflictError(
                f"the lock of catalogue {self.url} changed while it was being cleared; "
                "run 'lock status' again"
            )
        return found

    def _stale_after(self) -> float:
        from vires_repo.settings import load_settings

        return load_settings().lock_stale_after

    def _object_status(self, stale_after: float) -> _ObjectLockStatus:
        location = f"{self.protocol}://{self.lock_path.lstrip('/')}"
        from vires_repo.io.object_lock import inspect_lock_object

        found = inspect_lock_object(self.fs, self.lock_path, self.url, stale_after)
        if found is None:
            return _ObjectLockStatus("object store", location, FREE, stale_after=stale_after)
        holder, since = _holder_and_since(found["holder"])
        return _ObjectLockStatus(
            "object store",
            location,
            STALE if found["age"] > stale_after else HELD,
            holder,
            since,
            found["renewed"],
            found["age"],
            stale_after,
            location_etag=found["etag"],
        )


@dataclass(frozen=True)
class _ObjectLockStatus(LockStatus):
    location_etag: str = ""
    """The version of the lock object that was inspected (clearing removes only that one)."""


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


def _probe(lock_path: Path) -> Any:
    from filelock import FileLock

    return FileLock(
        lock_path,
        thread_local=False,
        is_singleton=False,
        preserve_lock_file=True,
        fallback_to_soft=False,
    )


def _local_status(lock_path: Path, *, clear: bool, url: str = "") -> LockStatus:
    """A local lock's state: held if its file lock cannot be taken; stale if it can, yet the
    file still names a holder (killed before it could empty the file). ``clear`` empties
    such a file (under the lock) and refuses a held one."""
    from filelock import Timeout

    if not lock_path.exists():
        return LockStatus("local", str(lock_path), FREE)
    probe = _probe(lock_path)
    try:
        probe.acquire(blocking=False)
    except Timeout:
        holder, since = _holder_and_since(_read_holder(lock_path))
        if clear:
            raise LockHeldError(
                f"the lock of catalogue {url} is held by {holder} since {since}: a local lock "
                "is held by the operating system for a running writer and ends with it "
                "(stop that process); nothing cleared"
            ) from None
        return LockStatus("local", str(lock_path), HELD, holder, since)
    try:
        text = lock_path.read_text(encoding="utf-8").strip()
        if not text:
            return LockStatus("local", str(lock_path), FREE)
        if clear:
            os.truncate(lock_path, 0)
        holder, since = _holder_and_since(text)
        return LockStatus("local", str(lock_path), STALE, holder, since)
    finally:
        probe.release()


@contextlib.contextmanager
def local_lock(lock_path: Path, url: str, timeout: float) -> Iterator[None]:
    """A native file lock on ``lock_path`` (its folder ignores itself in git), naming the
    holder in the file while held and left empty after release."""
    from filelock import FileLock, Timeout  # only writers need it: keep reads' start-up light

    from vires_repo.io.object_lock import gave_up

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
                f"catalogue {url} is locked by {_read_holder(lock_path)}; {gave_up(timeout)}"
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
        from vires_repo.io.object_lock import gave_up

        raise LockTimeoutError(f"catalogue {url} is locked by another writer; {gave_up(timeout)}")
    try:
        yield
    finally:
        lock.release()
