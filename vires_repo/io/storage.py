"""The storage seam: every catalogue file goes through :class:`Storage` (fsspec underneath).

A catalogue root is a local folder (the default) or any fsspec URL (``memory://cat``,
``s3://bucket/cat``). Paths given to the methods are relative POSIX paths below the root.

A local folder is read and written with :mod:`os` directly (:mod:`vires_repo.io.local_files`
says why); fsspec is imported only for a URL or when a caller asks for :attr:`Storage.fs`.

Writes are atomic: a reader sees either the old or the new content of a file, never a part.
On a local disk the data go to a temporary file in the same folder, are flushed to disk and then
renamed over the target; object stores replace an object in one request anyway.

Writers serialize on the catalogue lock (:meth:`Storage.lock`, see :mod:`vires_repo.io.locks`);
readers never take it. The files that commit a store's state (its manifests) are read with
:meth:`Storage.read_snapshot` and replaced with :meth:`Storage.commit`, which on an object store
is a conditional write on the version read (:mod:`vires_repo.io.object_commit`), and a
commit point read again in the same hold of the lock must still be the version read first: a
writer that lost its lease (it stalled past the lock's stale time and another writer broke the
lock and committed) is refused instead of overwriting the newer commit or committing a plan
made from an older one. A local lock cannot be lost while its
holder lives, so local commits keep the plain atomic rename.

The module is a little over 400 lines: :class:`Storage` is one concept (every file operation
of a catalogue), and what could stand alone already does (local_files, locations,
object_commit, store_failures).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vires_repo.errors import NotFoundError
from vires_repo.io.local_files import LocalFiles, absolute_local_path, is_local_path
from vires_repo.io.object_commit import (
    Snapshot,
    commit_conflict,
    get_object,
    is_changed_meanwhile,
    put_object_if_unchanged,
)
from vires_repo.io.store_failures import StoreFailures

if TYPE_CHECKING:  # readers take no lock: the lock module loads when a writer needs it
    from vires_repo.io.locks import CatalogueLock, LockStatus

STATE_FOLDER = ".state"
"""Runtime state below the root (lock, temporary files); it ignores itself in git."""
LOCK_FILE = f"{STATE_FOLDER}/lock"
FILE_MODE = 0o644


@dataclass(frozen=True)
class FileStamp:
    """What a listing says of a file: its size and a version that changes whenever its content
    may have (the object's ETag on a store, the modification time and inode on a disk; None if
    the filesystem gives neither)."""

    size: int
    version: str | None

    @property
    def key(self) -> str | None:
        """One string naming this version of the file (None: cannot be told apart)."""
        return None if self.version is None else f"{self.size}/{self.version}"


class Storage:
    """A catalogue root on some filesystem."""

    def __init__(self, root: str | os.PathLike[str], fs: Any = None) -> None:
        root = os.fspath(root)
        self._fs: Any = fs
        if fs is None and is_local_path(root):
            self._files: Any = LocalFiles()
            path = absolute_local_path(root)
        else:
            if fs is None:
                import fsspec

                self._fs, path = fsspec.core.url_to_fs(root)
            else:
                path = root
            self._files = self._fs
        self.url = root
        self.root = path.rstrip("/") or "/"
        self._reaching = StoreFailures(self.url, is_local=self.is_local).reaching
        # The commit points read by the lock holder in this hold: relpath -> first ETag read
        self._pins: dict[str, str | None] = {}
        self._pinning_thread: int | None = None

    def __repr__(self) -> str:
        return f"Storage({self.url!r})"

    @cached_property
    def _lock(self) -> CatalogueLock:
        from vires_repo.io.locks import CatalogueLock

        return CatalogueLock(
            protocol=self.protocol, fs=self._fs, lock_path=self.path(LOCK_FILE), url=self.url
        )

    @property
    def fs(self) -> Any:
        """The fsspec filesystem of the root (for a local folder, made on first use)."""
        if self._fs is None:
            import fsspec

            self._fs = fsspec.filesystem("file")
        return self._fs

    @property
    def protocol(self) -> str:
        protocol = self._files.protocol
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
        with self._reaching("checking", relpath):
            return bool(self._files.exists(self.path(relpath)))

    def read_bytes(self, relpath: str) -> bytes:
        try:
            with self._reaching("reading", relpath):
                return bytes(self._files.cat_file(self.path(relpath)))
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
            with self._reaching("listing", relpath):
                entries = self._files.ls(self.path(relpath), detail=True, refresh=True)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except TypeError:  # filesystems without the refresh keyword
            entries = self._files.ls(self.path(relpath), detail=True)
        return [str(e["name"]).rstrip("/") for e in entries if e["type"] == kind]

    def walk(self, relpath: str = "") -> dict[str, FileStamp]:
        """Every file below ``relpath`` (recursively): its path relative to the root and a
        :class:`FileStamp` (empty if the folder does not exist). One listing request per
        folder on a local disk, one paged listing of the prefix on an object store."""
        base = self.path(relpath)
        with contextlib.suppress(AttributeError):
            self.fs.invalidate_cache(base)  # s3fs caches listings: another process may write
        try:
            with self._reaching("listing", relpath):
                found = self.fs.find(base, detail=True)
        except (FileNotFoundError, NotADirectoryError):
            return {}
        prefix = f"{self.root.rstrip('/')}/"
        below = f"{base.rstrip('/')}/"  # not a sibling whose name merely starts alike
        files = {}
        for name, entry in found.items():
            name = str(name)
            if entry.get("type", "file") != "file" or not name.startswith(below):
                continue
            version = entry.get("ETag") or entry.get("mtime") or entry.get("created")
            if version is not None and entry.get("ino"):  # an atomic replace is a new inode
                version = f"{version}:{entry['ino']}"
            files[name[len(prefix) :]] = FileStamp(
                int(entry.get("size") or 0), None if version is None else str(version)
            )
        return files

    def size(self, relpath: str) -> int:
        with self._reaching("sizing", relpath):
            return int(self._files.size(self.path(relpath)))

    # -- writing -------------------------------------------------------------------------

    def makedirs(self, relpath: str = "") -> None:
        with self._reaching("creating", relpath):
            self._files.makedirs(self.path(relpath), exist_ok=True)

    def write_bytes(self, relpath: str, data: bytes) -> None:
        """Replace ``relpath`` with ``data`` atomically (creating parent folders)."""
        target = self.path(relpath)
        parent = target.rsplit("/", 1)[0]
        if self.is_local:
            Path(parent).mkdir(parents=True, exist_ok=True)
            import tempfile  # writers only, as shutil below: a lookup spares their imports

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
            with self._reaching("writing", relpath):
                self.fs.pipe_file(target, data)

    def move_in(self, relpath: str, local_file: str | os.PathLike[str]) -> None:
        """Move the local file ``local_file`` to ``relpath`` without reading it into memory:
        a rename on the same local disk, else a copy under a temporary name then a rename (an
        upload for an object store, which replaces an object in one request); the local file
        is gone afterwards."""
        source = os.fspath(local_file)
        target = self.path(relpath)
        if self.is_local:
            parent = target.rsplit("/", 1)[0]
            Path(parent).mkdir(parents=True, exist_ok=True)
            Path(source).chmod(FILE_MODE)
            try:
                Path(source).replace(target)
            except OSError:  # another file system: copy next to the target, then rename
                import shutil
                import tempfile

                fd, tmp = tempfile.mkstemp(dir=parent, prefix=".tmp-", suffix=".part")
                os.close(fd)
                try:
                    shutil.copyfile(source, tmp)
                    Path(tmp).chmod(FILE_MODE)
                    Path(tmp).replace(target)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
                Path(source).unlink()
            return
        with self._reaching("writing", relpath):
            self.fs.put_file(source, target)
        Path(source).unlink()

    def write_text(self, relpath: str, text: str) -> None:
        self.write_bytes(relpath, text.encode("utf-8"))

    def write_if_changed(self, relpath: str, data: bytes) -> bool:
        """Write ``data`` unless the file already holds exactly these bytes; True if written."""
        with contextlib.suppress(NotFoundError):
            if self.read_bytes(relpath) == data:
                return False
        self.write_bytes(relpath, data)
        return True

    # -- commit points -------------------------------------------------------------------

    def read_snapshot(self, relpath: str) -> Snapshot:
        """The bytes of a commit point and the version they are (see the module docstring).

        On an object store, a writer holding the lock reads the version it read first in this
        hold, or :class:`CommitConflictError`: a plan made from the first read must not be
        committed over another writer's commit made since (this writer's lock was lost).
        """
        if not self._conditional:
            try:
                return Snapshot(self.read_bytes(relpath))
            except NotFoundError:
                return Snapshot(None)
        snapshot = self._get_object(relpath)
        if self._pinning_thread == threading.get_ident():
            first = self._pins.setdefault(relpath, snapshot.etag)
            if snapshot.etag != first:
                raise commit_conflict(self.url, relpath, "while this writer held the lock")
        return snapshot

    def commit(self, relpath: str, data: bytes, read: Snapshot) -> Snapshot:
        """Replace the commit point ``relpath``, read as ``read``, with ``data`` (nothing is
        written if it holds these bytes already); the snapshot of what it now holds.

        On an object store the write succeeds only if the file is still the version read;
        otherwise :class:`CommitConflictError` (nothing written).
        """
        if data == read.data:
            return read
        if not self._conditional:
            self.write_bytes(relpath, data)
            return Snapshot(data)
        try:
            with self._reaching("writing", relpath, unless=is_changed_meanwhile):
                written = put_object_if_unchanged(self.fs, self.path(relpath), data, read)
        except OSError as error:
            if not is_changed_meanwhile(error):
                raise
            written = self._get_object(relpath)
            if written.data != data:  # else our own write, retried by the client
                raise commit_conflict(self.url, relpath, "after this writer read it") from None
        finally:
            self.fs.invalidate_cache(self.path(relpath))
        if self._pinning_thread == threading.get_ident():
            self._pins[relpath] = written.etag
        return written

    def _get_object(self, relpath: str) -> Snapshot:
        with self._reaching("reading", relpath):
            return get_object(self.fs, self.path(relpath))

    @property
    def _conditional(self) -> bool:
        """Whether commits are conditional writes (an S3 store; see the module docstring)."""
        return self.protocol in ("s3", "s3a") and hasattr(self.fs, "call_s3")

    def remove(self, relpath: str) -> None:
        with contextlib.suppress(FileNotFoundError), self._reaching("removing", relpath):
            self._files.rm_file(self.path(relpath))
        if relpath in self._pins and self._pinning_thread == threading.get_ident():
            self._pins[relpath] = None

    # -- many entries at once (the job folders: 10^5 of them must list in well under a
    # second, so no per-entry request or stat where one listing does) -----------------------

    def names(self, relpath: str = "") -> list[str]:
        """Names of the entries (files and folders alike) directly below ``relpath``, unsorted;
        empty if it does not exist. One directory read, no per-entry stat."""
        if self.is_local:
            try:
                return os.listdir(self.path(relpath))  # noqa: PTH208 (no Path per entry)
            except (FileNotFoundError, NotADirectoryError):
                return []
        try:
            with self._reaching("listing", relpath):
                entries = self.fs.ls(self.path(relpath), detail=False)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [str(name).rstrip("/").rsplit("/", 1)[-1] for name in entries]

    def holding(self, folder: str, names: Iterable[str], member: str) -> set[str]:
        """Which of the entries ``names`` of ``folder`` hold ``member`` (which ``perm/<id>``
        folders hold a ``response.json``; on a local disk, ``"."``: which are folders): an
        ``access`` check each, relative to the open folder, on a local disk (no path object,
        no stat result per entry); one recursive listing of ``folder`` on an object store."""
        if self.is_local:
            return self._holding_locally(folder, names, member)
        try:
            with self._reaching("listing", folder):
                found = self.fs.find(self.path(folder))
        except FileNotFoundError:
            return set()
        start, suffix = len(self.path(folder)) + 1, f"/{member}"
        present = {str(p)[start : -len(suffix)] for p in found if str(p).endswith(suffix)}
        return present.intersection(names)

    def _holding_locally(self, folder: str, names: Iterable[str], member: str) -> set[str]:
        suffix = f"/{member}"
        if os.access not in os.supports_dir_fd:
            exists, base = os.path.exists, self.path(folder)
            return {name for name in names if exists(f"{base}/{name}{suffix}")}
        try:
            opened = os.open(self.path(folder), os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except (FileNotFoundError, NotADirectoryError):
            return set()
        access, present = os.access, os.F_OK
        try:
            return {name for name in names if access(name + suffix, present, dir_fd=opened)}
        finally:
            os.close(opened)

    def remove_tree(self, relpath: str) -> None:
        """Remove a file or a folder with everything below it (nothing if it does not exist)."""
        path = self.path(relpath)
        if self.is_local:
            with contextlib.suppress(FileNotFoundError):
                if Path(path).is_dir():
                    import shutil

                    shutil.rmtree(path)
                else:
                    Path(path).unlink()
            return
        with contextlib.suppress(FileNotFoundError), self._reaching("removing", relpath):
            if self.fs.exists(path):
                self.fs.rm(path, recursive=True)

    # -- locking -------------------------------------------------------------------------

    def lock(self, timeout: float | None = None) -> AbstractContextManager[None]:
        """Hold the catalogue write lock (re-entrant for this Storage object).

        A second writer waits up to ``timeout`` seconds (default ``VIRES_LOCK_TIMEOUT``), then
        fails with :class:`~vires_repo.errors.LockTimeoutError` naming the holder.
        """
        return self._holding_lock(timeout)

    def lock_status(self) -> LockStatus:
        """Who holds the catalogue lock, since when, last renewal (``lock status``)."""
        with self._reaching("inspecting", LOCK_FILE):
            return self._lock.status()

    def clear_lock(self, *, force: bool = False) -> LockStatus:
        """Remove a stale catalogue lock (a live object-store one with ``force``); returns
        what was found (see :meth:`vires_repo.io.locks.CatalogueLock.clear`)."""
        with self._reaching("clearing", LOCK_FILE):
            return self._lock.clear(force=force)

    @contextlib.contextmanager
    def _holding_lock(self, timeout: float | None) -> Iterator[None]:
        """:meth:`CatalogueLock.hold`, its own store failures translated (not the body's)."""
        body_error: BaseException | None = None
        try:
            with self._reaching("taking or releasing", LOCK_FILE, unless=lambda e: e is body_error):
                with self._lock.hold(timeout):
                    outermost = self._pinning_thread is None
                    if outermost:
                        self._pinning_thread = threading.get_ident()
                    try:
                        yield
                    except BaseException as error:
                        body_error = error
                        raise
                    finally:
                        if outermost:
                            self._pinning_thread = None
                            self._pins.clear()
        finally:
            body_error = None  # no reference cycle through the traceback
