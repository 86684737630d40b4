"""The object-store catalogue lock: a lock *object* ``<root>/.state/lock`` created with a
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
``stale_after``) fails at its next commit (:meth:`vires_repo.io.storage.Storage.commit` is
conditional on the version it read) or at release with
:class:`~vires_repo.errors.LockLostError`. This needs a store with conditional writes (AWS S3
has them; moto, used by the tests, too); for a store without conditional deletes release
falls back to comparing the ETag before an unconditional delete.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from vires_repo.errors import CommitConflictError, LockLostError, LockTimeoutError

logger = logging.getLogger("vires_repo.io.object_lock")

_OBJECT_LOCK_POLL_SECONDS = (0.1, 2.0)  # first and longest wait between two attempts


def holder_description() -> str:
    """Who holds a lock: ``pid N on HOST since TIME`` (the local lock names its holder so too)."""
    since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"pid {os.getpid()} on {socket.gethostname()} since {since}"


def gave_up(timeout: float) -> str:
    """How long a writer waited for a held lock, for its error message."""
    return "did not wait (--no-wait)" if timeout <= 0 else f"gave up after {timeout:g} s"


@contextlib.contextmanager
def object_store_lock(fs: Any, path: str, url: str, timeout: float) -> Iterator[None]:
    """Hold an :class:`ObjectStoreLock`; a lock lost meanwhile fails the block, unless the
    block is failing already (then the loss is a warning)."""
    from vires_repo.settings import load_settings

    lock = ObjectStoreLock(fs, path, url, load_settings().lock_stale_after)
    lock.acquire(timeout)
    released = False
    try:
        yield
    except BaseException as error:
        released = True
        # a refused commit says already that the lock was lost
        lock.release(raise_if_lost=False, report_loss=not isinstance(error, CommitConflictError))
        raise
    finally:
        if not released:
            lock.release(raise_if_lost=True)


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


def is_precondition_failure(error: BaseException) -> bool:
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
        self.holder = holder_description()
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
            if is_precondition_failure(error):
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
                if not (isinstance(error, FileExistsError) or is_precondition_failure(error)):
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
                    f"catalogue {self.url} is locked by {holder}; {gave_up(timeout)} "
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
                    if not is_precondition_failure(error):
                        # a transient failure: keep the lock, retry at the next interval
                        logger.warning("could not renew the lock of %s: %s", self.url, error)
                        continue
                    self._lost = "another writer replaced the lock object"
                if self._lost is not None:  # reported at release (one error, not two)
                    logger.debug("lost the lock of catalogue %s: %s", self.url, self._lost)
                    return

    def release(self, *, raise_if_lost: bool = True, report_loss: bool = True) -> None:
        """Stop renewing and delete the lock object if it is still ours; a lost lock raises
        :class:`LockLostError` (``raise_if_lost``), else is a warning (``report_loss``)."""
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
            if report_loss:
                logger.warning("%s", message)


# -- inspection and clearing (``lock status``, ``lock clear``) ----------------------------


def inspect_lock_object(fs: Any, path: str, url: str, stale_after: float) -> dict[str, Any] | None:
    """The lock object at ``path``: ``etag``, ``holder``, ``age`` (seconds since its last
    write, on the store's clock) and ``renewed``/``renewals`` from its body when readable;
    None if there is none."""
    probe = ObjectStoreLock(fs, path, url, stale_after)
    current = probe._head()
    if current is None:
        return None
    try:
        body = json.loads(fs.cat_file(path))
    except (OSError, ValueError):  # released meanwhile, or written by an older version
        body = {}
    current["renewed"] = str(body.get("renewed") or "") or None
    current["renewals"] = body.get("renewals")
    return current


def remove_lock_object(fs: Any, path: str, url: str, etag: str) -> bool:
    """Delete the lock object if it still has ``etag`` (as seen by the inspection that decided
    to remove it); False if it changed or went meanwhile."""
    return ObjectStoreLock(fs, path, url, stale_after=1.0)._delete(etag)


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
