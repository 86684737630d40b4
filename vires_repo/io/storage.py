"""The storage seam: every catalogue file goes through :class:`Storage` (fsspec underneath).

A catalogue root is a local folder (the default) or any fsspec URL (``memory://cat``,
``s3://bucket/cat``). Paths given to the methods are relative POSIX paths below the root.

Writes are atomic: a reader sees either the old or the new content of a file, never a part.
On a local disk the data go to a temporary file in the same folder, are flushed to disk and then
renamed over the target; object stores replace an object in one request anyway.

Writers serialize on the catalogue lock (:meth:`Storage.lock`); readers never take it.

The lock, by kind of root:

* local folder: an ``flock`` on ``<root>/.state/lock`` (released by the kernel when the holder
  dies; the file names the holder while it is held);
* S3 (any ``s3://`` root, through s3fs): a lock *object* ``<root>/.state/lock`` created with a
  conditional write, ``PutObject`` with ``If-None-Match: *``: the store creates the object only
  if no object of that key exists, so exactly one of any number of writers on any number of
  machines succeeds. The object names its holder (in its body and its metadata, with a random
  token). While the lock is held a background thread renews it every ``stale_after / 4``
  seconds with ``PutObject`` ``If-Match: <our ETag>`` (a new body, so a new ETag). A waiter
  that finds a lock not renewed for ``stale_after`` seconds (``VIRES_LOCK_STALE_AFTER``,
  default 300; measured on the store's clock: the response ``Date`` minus the object's
  ``LastModified``, so the clocks of the machines do not matter) treats its holder as dead,
  says so in a warning naming the holder, and deletes it with ``DeleteObject``
  ``If-Match: <the stale ETag>``, so that of several waiters only one breaks it and a lock
  renewed meanwhile survives. Release deletes the object with ``If-Match: <our ETag>``: only
  our own lock is ever removed. A holder whose lock was broken (it stalled longer than
  ``stale_after``) notices at its next renewal or at release and fails with
  :class:`LockLostError`. This needs a store with conditional writes (AWS S3 has them; moto,
  used by the tests, too); for a store without conditional deletes release falls back to
  comparing the ETag before an unconditional delete;
* other filesystems (``memory://``, ...): an in-process lock only.
"""

from __future__ import annotations

import contextlib
import email.utils
import fcntl
import json
import logging
import os
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fsspec

from vires_repo.errors import ConflictError, LockTimeoutError, NotFoundError

logger = logging.getLogger("vires_repo.io.storage")

STATE_FOLDER = ".state"
"""Runtime state below the root (lock, temporary files); it ignores itself in git."""
LOCK_FILE = f"{STATE_FOLDER}/lock"
DEFAULT_LOCK_TIMEOUT = float(os.environ.get("VIRES_LOCK_TIMEOUT", "60"))
_LOCK_POLL_SECONDS = 0.05
FILE_MODE = 0o644
DEFAULT_LOCK_STALE_AFTER = 300.0
"""Seconds after which an object-store lock that was not renewed counts as abandoned."""
_OBJECT_LOCK_POLL_SECONDS = (0.1, 2.0)  # first and longest wait between two attempts
_S3_PROTOCOLS = ("s3", "s3a")

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
                os.fchmod(fd, FILE_MODE)  # mkstemp creates 0600; catalogue files are shared
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
        with contextlib.suppress(NotFoundError):
            if self.read_bytes(relpath) == data:
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
        ``<root>/.state/lock``, released by the kernel even when the holder is killed; on S3 it
        is a conditionally created lock object (see the module docstring).
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
            if self.is_local:
                acquire = self._local_lock
            elif self.protocol in _S3_PROTOCOLS and hasattr(self.fs, "call_s3"):
                acquire = self._object_lock
            else:
                acquire = self._process_lock
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
    def _object_lock(self, timeout: float) -> Iterator[None]:
        lock = ObjectStoreLock(self.fs, self.path(LOCK_FILE), self.url, _stale_after())
        lock.acquire(timeout)
        released = False
        try:
            yield
        except BaseException:
            released = True
            lock.release(raise_if_lost=False)
            raise
        finally:
            if not released:
                lock.release(raise_if_lost=True)

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


def _stale_after() -> float:
    return float(os.environ.get("VIRES_LOCK_STALE_AFTER", DEFAULT_LOCK_STALE_AFTER))


class LockLostError(ConflictError):
    """Raised when another writer broke our object-store lock as stale while we held it."""


def _s3_error(error: BaseException) -> tuple[str, int]:
    """The S3 error code and HTTP status behind an s3fs exception (``("", 0)`` if none)."""
    seen: BaseException | None = error
    for _ in range(5):  # s3fs chains the botocore ClientError as the cause
        if seen is None:
            break
        response = getattr(seen, "response", None)
        if isinstance(response, dict):
            code = str(response.get("Error", {}).get("Code", ""))
            status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
            return code, status
        seen = seen.__cause__ or seen.__context__
    return "", 0


def _is_precondition_failure(error: BaseException) -> bool:
    code, status = _s3_error(error)
    # 409 ConditionalRequestConflict: a concurrent conditional write to the same key
    return code in ("PreconditionFailed", "ConditionalRequestConflict") or status in (409, 412)


class ObjectStoreLock:
    """A lock object on S3 created by a conditional write (see the module docstring).

    ``fs`` is an s3fs filesystem, ``path`` the lock object (``bucket/key``), ``url`` the
    catalogue named in messages. One instance is acquired and released once.
    """

    def __init__(self, fs: Any, path: str, url: str, stale_after: float) -> None:
        if stale_after <= 0:
            raise ValueError("stale_after must be positive")
        self.fs = fs
        self.bucket, _, self.key = path.lstrip("/").partition("/")
        self.url = url
        self.stale_after = stale_after
        self.token = uuid.uuid4().hex
        self.holder = _holder_description()
        self._etag: str | None = None
        self._renewals = 0
        self._lost: str | None = None
        self._state = threading.Lock()  # guards _etag, _renewals, _lost against the renewer
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    # -- requests ------------------------------------------------------------------------

    def _body(self) -> bytes:
        document = {
            "holder": self.holder,
            "token": self.token,
            "renewals": self._renewals,
            "renewed": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "stale_after_seconds": self.stale_after,
        }
        return (json.dumps(document, indent=2) + "\n").encode("utf-8")

    def _put(self, **condition: str) -> str:
        response = self.fs.call_s3(
            "put_object",
            Bucket=self.bucket,
            Key=self.key,
            Body=self._body(),
            ContentType="application/json",
            Metadata={"holder": self.holder, "token": self.token},
            **condition,
        )
        return str(response["ETag"])

    def _head(self) -> dict[str, Any] | None:
        """The lock object's ETag, holder, token and age (store clock), None if absent."""
        try:
            head = self.fs.call_s3("head_object", Bucket=self.bucket, Key=self.key)
        except FileNotFoundError:
            return None
        metadata = head.get("Metadata") or {}
        now = _server_time(head)
        modified = head.get("LastModified")
        age = (now - modified).total_seconds() if isinstance(modified, datetime) else 0.0
        return {
            "etag": str(head["ETag"]),
            "holder": str(metadata.get("holder") or "an unknown writer"),
            "token": str(metadata.get("token") or ""),
            "age": max(age, 0.0),
        }

    def _delete(self, etag: str) -> bool:
        """Delete the lock object if it still has ``etag``; True if deleted."""
        try:
            self.fs.call_s3("delete_object", Bucket=self.bucket, Key=self.key, IfMatch=etag)
        except FileNotFoundError:
            return False
        except OSError as error:
            if _is_precondition_failure(error):
                return False
            if _s3_error(error)[0] != "NotImplemented":
                raise
            # A store without conditional deletes: check the ETag, then delete (a small
            # window remains, in which a lock renewed meanwhile would be removed).
            current = self._head()
            if current is None or current["etag"] != etag:
                return False
            self.fs.call_s3("delete_object", Bucket=self.bucket, Key=self.key)
        finally:
            self.fs.invalidate_cache(f"{self.bucket}/{self.key}")
        return True

    # -- acquire and release -------------------------------------------------------------

    def acquire(self, timeout: float) -> None:
        """Create the lock object, waiting up to ``timeout`` seconds for the holder."""
        deadline = time.monotonic() + timeout
        pause = _OBJECT_LOCK_POLL_SECONDS[0]
        holder = "another writer"
        while True:
            try:
                etag = self._put(IfNoneMatch="*")
            except OSError as error:  # s3fs raises FileExistsError for a failed If-None-Match
                if not (isinstance(error, FileExistsError) or _is_precondition_failure(error)):
                    raise
            else:
                self._held(etag)
                return
            current = self._head()
            if current is not None:
                holder = current["holder"]
                if current["token"] == self.token:  # our own create, retried by the client
                    self._held(current["etag"])
                    return
                if current["age"] > self.stale_after and self._delete(current["etag"]):
                    logger.warning(
                        "removed the stale lock of catalogue %s held by %s (not renewed for "
                        "%.0f s, more than %g s)",
                        self.url,
                        holder,
                        current["age"],
                        self.stale_after,
                    )
                    continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LockTimeoutError(
                    f"catalogue {self.url} is locked by {holder}; gave up after {timeout:g} s "
                    f"(a lock not renewed for {self.stale_after:g} s is removed as stale)"
                )
            if current is not None:  # else it was released just now: try again at once
                time.sleep(min(pause, remaining))
                pause = min(pause * 2, _OBJECT_LOCK_POLL_SECONDS[1])

    def _held(self, etag: str) -> None:
        self._etag = etag
        self._renewer = threading.Thread(
            target=self._renew_loop, name=f"vires-lock-renewer-{self.token[:8]}", daemon=True
        )
        self._renewer.start()

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.stale_after / 4):
            with self._state:
                if self._lost is not None or self._etag is None:
                    return
                self._renewals += 1
                try:
                    self._etag = self._put(IfMatch=self._etag)
                except FileNotFoundError:
                    self._lost = "the lock object was deleted"
                except OSError as error:
                    if not _is_precondition_failure(error):
                        # a transient failure: keep the lock, retry at the next interval
                        logger.warning("could not renew the lock of %s: %s", self.url, error)
                        continue
                    self._lost = "another writer replaced the lock object"
                if self._lost is not None:
                    logger.error("lost the lock of catalogue %s: %s", self.url, self._lost)
                    return

    def release(self, *, raise_if_lost: bool = True) -> None:
        """Stop renewing and delete the lock object if it is still ours."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        with self._state:
            etag, lost = self._etag, self._lost
            self._etag = None
        if lost is None and etag is not None and not self._delete(etag):
            lost = "the lock object was removed or replaced by another writer"
        if lost is not None:
            message = (
                f"the lock of catalogue {self.url} held by {self.holder} was lost while "
                f"writing ({lost}; it was not renewed within {self.stale_after:g} s): "
                "another writer may have changed the catalogue meanwhile; check it"
            )
            if raise_if_lost:
                raise LockLostError(message)
            logger.error("%s", message)


def _server_time(response: dict[str, Any]) -> datetime:
    """The store's clock at the time of a response (its Date header), else ours."""
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    text = headers.get("date")
    if text:
        with contextlib.suppress(TypeError, ValueError):
            moment = email.utils.parsedate_to_datetime(text)
            if moment.tzinfo is not None:
                return moment
    return datetime.now(UTC)
