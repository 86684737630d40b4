"""Conditional writes of commit points on an S3 object store (behind
:meth:`~vires_repo.io.storage.Storage.read_snapshot` and
:meth:`~vires_repo.io.storage.Storage.commit`).

A commit point is read with its ETag in one GetObject request and replaced with a PutObject
conditional on that version (``If-Match: <ETag>``, ``If-None-Match: *`` for a file that did not
exist): a writer that lost its lease (it stalled past the lock's stale time and another writer
broke the lock and committed) is refused instead of overwriting the newer commit. The callers
translate the store's failures (:class:`~vires_repo.io.storage.Storage` names its catalogue).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vires_repo.errors import CommitConflictError


@dataclass(frozen=True)
class Snapshot:
    """A commit point as a writer read it: its bytes (None: the file did not exist) and, on an
    object store, its ETag, on which the write that replaces it is conditional."""

    data: bytes | None
    etag: str | None = None


def _bucket_key(path: str) -> tuple[str, str]:
    bucket, _, key = path.lstrip("/").partition("/")
    return bucket, key


def get_object(fs: Any, path: str) -> Snapshot:
    """An object's bytes and ETag from one request (``Snapshot(None)`` if absent)."""
    from fsspec.asyn import sync  # (s3fs is asynchronous underneath)

    bucket, key = _bucket_key(path)

    async def get() -> tuple[bytes, str]:
        response = await fs._call_s3("get_object", Bucket=bucket, Key=key)
        try:
            return bytes(await response["Body"].read()), str(response["ETag"])
        finally:
            response["Body"].close()

    try:
        data, etag = sync(fs.loop, get)
    except FileNotFoundError:
        return Snapshot(None)
    return Snapshot(data, etag)


def put_object_if_unchanged(fs: Any, path: str, data: bytes, read: Snapshot) -> Snapshot:
    """Write ``data`` only if the object is still the version ``read`` (a refusal raises what
    :func:`is_changed_meanwhile` recognizes); the snapshot written."""
    bucket, key = _bucket_key(path)
    condition = {"IfNoneMatch": "*"} if read.data is None else {"IfMatch": str(read.etag)}
    response = fs.call_s3("put_object", Bucket=bucket, Key=key, Body=data, **condition)
    return Snapshot(data, str(response["ETag"]))


def is_changed_meanwhile(error: BaseException) -> bool:
    """A refused conditional write: the object changed (412) or was deleted (404) since read."""
    from vires_repo.io.object_lock import is_precondition_failure  # writers to stores only

    return isinstance(error, FileNotFoundError | FileExistsError) or is_precondition_failure(error)


def commit_conflict(url: str, relpath: str, when: str) -> CommitConflictError:
    """The error of a commit refused because another writer committed ``when``."""
    return CommitConflictError(
        f"catalogue {url}: {relpath} was changed by another writer {when} (this "
        "writer's lock was lost: it stalled longer than the lock's stale time); its write "
        "was refused and the other writer's commit stands: run the command again"
    )
