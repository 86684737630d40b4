"""A failure of a remote store as one :class:`~vires_repo.errors.StorageError` naming the
catalogue and what was being done (what :class:`~vires_repo.io.storage.Storage` raises)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from vires_repo.errors import StorageError


def _object_store_failures() -> tuple[type[Exception], ...]:
    """The exceptions of the object-store clients that s3fs lets through untranslated
    (connection refused, unknown host, timeouts, missing credentials: botocore's own)."""
    try:
        from botocore.exceptions import BotoCoreError  # type: ignore[import-untyped]
    except ImportError:  # installed without the s3 extra: no object store to fail
        return ()
    return (BotoCoreError,)


class StoreFailures:
    """The failures of one catalogue root's filesystem, translated for the callers."""

    def __init__(self, url: str, *, is_local: bool) -> None:
        self.url = url
        self.is_local = is_local
        # botocore is slow to import: only remote catalogues need its exceptions
        remote_failures = () if is_local else _object_store_failures()
        self._failures: tuple[type[Exception], ...] = (OSError, *remote_failures)

    @contextlib.contextmanager
    def reaching(
        self,
        action: str,
        relpath: str = "",
        unless: Callable[[BaseException], bool] = lambda error: False,
    ) -> Iterator[None]:
        """Turn a failure of a remote store into one :class:`StorageError` naming the catalogue
        and what was being done; a missing file or folder stays as it is for the callers,
        and local folders keep their ``OSError`` (the CLI reports it with the file name)."""
        try:
            yield
        except (FileNotFoundError, NotADirectoryError):
            raise
        except self._failures as error:
            if self.is_local or unless(error):
                raise
            raise self._storage_error(action, relpath, error) from error

    def _storage_error(self, action: str, relpath: str, error: Exception) -> StorageError:
        what = relpath or "the catalogue root"
        problem = str(error).strip() or type(error).__name__
        return StorageError(
            f"catalogue {self.url}: the object store failed while {action} {what}: {problem}"
        )
