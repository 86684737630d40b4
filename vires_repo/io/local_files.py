"""Local folders without fsspec: importing fsspec costs 10-30 ms, a tenth of a lookup command,
so a plain local path is read and written with :mod:`os` (:class:`LocalFiles`) and fsspec is
imported only for a URL."""

from __future__ import annotations

import os


def is_local_path(location: str) -> bool:
    """Whether ``location`` is a plain local path (no URL), which needs no fsspec."""
    return "://" not in location and os.name == "posix"


def absolute_local_path(location: str) -> str:
    """A local path made absolute as fsspec makes it (``~`` expanded, no other normalizing)."""
    path = os.path.expanduser(location) if location.startswith("~") else location  # noqa: PTH111
    if path.startswith("/"):
        return path
    relative = "" if path == "." else path.removeprefix("./")
    return f"{os.getcwd()}/{relative}"  # noqa: PTH109


class LocalFiles:
    """The few fsspec filesystem methods :class:`~vires_repo.io.storage.Storage` calls, for a
    local folder, with :mod:`os`: the same results and exceptions as fsspec's
    ``LocalFileSystem`` gives."""

    protocol = "file"

    def exists(self, path: str) -> bool:
        return os.path.exists(path)  # noqa: PTH110

    def cat_file(self, path: str) -> bytes:
        with open(path, "rb") as stream:  # noqa: PTH123
            return stream.read()

    def ls(self, path: str, detail: bool = True, refresh: bool = True) -> list[dict[str, str]]:
        with os.scandir(path) as entries:
            return [
                {
                    "name": f"{path}/{entry.name}",
                    "type": "directory" if entry.is_dir() else "file",
                }
                for entry in entries
            ]

    def size(self, path: str) -> int:
        return os.path.getsize(path)  # noqa: PTH202

    def makedirs(self, path: str, exist_ok: bool = True) -> None:
        os.makedirs(path, exist_ok=exist_ok)  # noqa: PTH103

    def rm_file(self, path: str) -> None:
        os.remove(path)  # noqa: PTH107
