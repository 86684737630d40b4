"""Where a CDF file is: a local path (or ``file://`` URL) that cdflib opens in place, or any
other fsspec URL, whose bytes go through the storage seam (cdflib opens only paths)."""

from __future__ import annotations

from vires_repo.io.storage import Storage


def is_local(location: str) -> bool:
    return "://" not in location or location.startswith("file://")


def local_path(location: str) -> str:
    return location.removeprefix("file://")


def read_remote(location: str) -> bytes:
    """The bytes of the file at URL ``location`` (``NotFoundError`` if it does not exist)."""
    return Storage(location).read_bytes("")


def write_remote(location: str, data: bytes) -> None:
    """Replace the file at URL ``location`` with ``data``."""
    folder, name = location.rstrip("/").rsplit("/", 1)
    Storage(folder).write_bytes(name, data)
