"""The storage seam: every catalogue file goes through :class:`Storage` (fsspec underneath).

A catalogue root is a local folder (the default) or any fsspec URL (``memory://cat``,
``s3://bucket/cat``). Paths given to the methods are relative POSIX paths below the root.

Writes are atomic: a reader sees either the old or the new content of a file, never a part.
On a local disk the data go to a temporary file in the same folder, are flushed to disk and then
renamed over the target; object stores replace an object in one request anyway.

Writers serialize on the catalogue lock (:meth:`Storage.lock`, see :mod:`vires_repo.io.locks`);
readers never take it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fsspec

from vires_repo.errors import NotFoundError, StorageError
from vires_repo.io.locks import CatalogueLock, LockStatus

STATE_FOLDER = ".state"
"""Runtime state below the root (lock, temporary files); it ignores itself in git."""
LOCK_FILE = f"{STATE_FOLDER}/lock"
FILE_MODE = 0o644


def _object_store_failures() -> tuple[type[Exception], ...]:
    """The exceptions of the object-store clients that s3fs lets through untranslated
    (connection refused, unknown host, timeouts, missing credentials: botocore's own)."""
    try:
        from botocore.exceptions import BotoCoreError  # type: ignore[import-untyped]
    except ImportError:  # installed without the s3 extra: no object store to fail
        return ()
    return (BotoCoreError,)


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
        if fs is None:
            fs, path = fsspec.core.url_to_fs(root)
        else:
            path = root
        self.fs: Any = fs
        self.url = root
        self.root = path.rstrip("/") or "/"
        # botocore is slow to import: only remote catalogues need its exceptions
        remote_failures = () if self.is_local else _object_store_failures()
        self._failures: tuple[type[Exception], ...] = (OSError, *remote_failures)
        self._lock = CatalogueLock(
            protocol=self.protocol, fs=self.fs, lock_path=self.path(LOCK_FILE), url=self.url
        )

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

    @contextlib.contextmanager
    def _reaching(
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

    # -- reading -------------------------------------------------------------------------

    def exists(self, relpath: str = "") -> bool:
        with self._reaching("checking", relpath):
            return bool(self.fs.exists(self.path(relpath)))

    def read_bytes(self, relpath: str) -> bytes:
        try:
            with self._reaching("reading", relpath):
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
            with self._reaching("listing", relpath):
                entries = self.fs.ls(self.path(relpath), detail=True, refresh=True)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except TypeError:  # filesystems without the refresh keyword
            entries = self.fs.ls(self.path(relpath), detail=True)
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
            return int(self.fs.size(self.path(relpath)))

    # -- writing -------------------------------------------------------------------------

    def makedirs(self, relpath: str = "") -> None:
        with self._reaching("creating", relpath):
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

    def remove(self, relpath: str) -> None:
        with contextlib.suppress(FileNotFoundError), self._reaching("removing", relpath):
            self.fs.rm_file(self.path(relpath))

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

    def existing(self, relpaths: Iterable[str], below: str) -> set[str]:
        """Which of ``relpaths`` (all below the folder ``below``) exist: a stat each on a local
        disk, one recursive listing of ``below`` on an object store."""
        wanted = list(relpaths)
        if self.is_local:
            return self._existing_locally(wanted, below)
        try:
            with self._reaching("listing", below):
                found = self.fs.find(self.path(below))
        except FileNotFoundError:
            return set()
        prefix = len(self.root) + 1
        present = {str(name)[prefix:] for name in found}
        return {relpath for relpath in wanted if relpath in present}

    def _existing_locally(self, wanted: list[str], below: str) -> set[str]:
        """A stat each, relative to ``below``'s open folder where the system allows (a third
        cheaper than resolving 10^5 full paths); no Path object per entry."""
        prefix = f"{below}/" if below else ""
        if os.stat not in os.supports_dir_fd or not all(p.startswith(prefix) for p in wanted):
            exists = os.path.exists
            return {relpath for relpath in wanted if exists(self.path(relpath))}
        try:
            folder = os.open(self.path(below), os.O_RDONLY)
        except (FileNotFoundError, NotADirectoryError):
            return set()
        found = set()
        start = len(prefix)
        stat = os.stat
        try:
            for relpath in wanted:
                try:
                    stat(relpath[start:], dir_fd=folder)
                except (FileNotFoundError, NotADirectoryError):
                    continue
                found.add(relpath)
        finally:
            os.close(folder)
        return found

    def remove_tree(self, relpath: str) -> None:
        """Remove a file or a folder with everything below it (nothing if it does not exist)."""
        path = self.path(relpath)
        if self.is_local:
            with contextlib.suppress(FileNotFoundError):
                if Path(path).is_dir():
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
                    try:
                        yield
                    except BaseException as error:
                        body_error = error
                        raise
        finally:
            body_error = None  # no reference cycle through the traceback


# -- single files outside a catalogue (a command's input and output files, data files) ----


def read_location(location: str) -> bytes:
    """The bytes of a file named by a local path or URL (``FileNotFoundError``,
    ``IsADirectoryError`` as ``open`` raises them)."""
    with fsspec.open(location, "rb") as stream:
        return bytes(stream.read())


def write_location(location: str, text: str) -> None:
    """Write a text file named by a local path or URL (``OSError`` as ``open`` raises it)."""
    with fsspec.open(location, "w", encoding="utf-8") as stream:
        stream.write(text)


def files_in_folder(folder: str) -> list[str]:
    """The files directly in ``folder`` (a local path or URL), each spelled ``folder/name``
    so that it compares equal to a location stored that way; dot files are left out; empty if
    the folder does not exist."""
    if "://" not in folder:
        try:
            with os.scandir(folder) as entries:
                names = [e.name for e in entries if e.is_file() and not e.name.startswith(".")]
        except (FileNotFoundError, NotADirectoryError):
            return []
    else:
        fs, path = fsspec.core.url_to_fs(folder)
        try:
            found = fs.ls(path, detail=True)
        except (FileNotFoundError, NotADirectoryError):
            return []
        names = [
            str(e["name"]).rstrip("/").rsplit("/", 1)[-1] for e in found if e["type"] == "file"
        ]
        names = [name for name in names if not name.startswith(".")]
    return sorted(f"{folder}/{name}" for name in names)


def remove_location(location: str) -> None:
    """Remove a file named by a local path or URL (nothing happens if it is gone)."""
    if "://" not in location:
        with contextlib.suppress(FileNotFoundError):
            os.remove(location)  # noqa: PTH107
        return
    fs, path = fsspec.core.url_to_fs(location)
    with contextlib.suppress(FileNotFoundError):
        fs.rm_file(path)


def is_file(location: str) -> bool:
    """Whether a local path or URL names an existing file."""
    if "://" not in location:
        return Path(location).is_file()
    fs, path = fsspec.core.url_to_fs(location)
    return bool(fs.isfile(path))


def list_files(source: str) -> list[str]:
    """The files a source names, sorted: a folder's files (not its sub-folders), the matches
    of a glob pattern (``*``, ``?``, ``[...]``), or the one file a path or URL names; local
    paths stay paths, URLs stay URLs. ``FileNotFoundError`` when it names nothing."""
    fs, path = fsspec.core.url_to_fs(source)

    def located(found: str) -> str:
        return str(fs.unstrip_protocol(found)) if "://" in source else found

    if any(char in path for char in "*?["):
        matches = [p for p in fs.glob(path) if fs.isfile(p)]
    elif fs.isdir(path):
        matches = [e["name"] for e in fs.ls(path, detail=True) if e["type"] == "file"]
    elif fs.isfile(path):
        matches = [path]
    else:
        raise FileNotFoundError(2, "no such file or folder", source)
    return sorted(located(str(match)) for match in matches)
