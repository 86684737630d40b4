"""Single files outside a catalogue, named by a local path or URL: a command's input and output
files, the data files products point to. Local paths are handled with :mod:`os` (see
:mod:`vires_repo.io.local_files`), URLs with fsspec, imported only then."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from vires_repo.io.local_files import is_local_path


def read_location(location: str) -> bytes:
    """The bytes of a file named by a local path or URL (``FileNotFoundError``,
    ``IsADirectoryError`` as ``open`` raises them)."""
    if is_local_path(location):
        with open(location, "rb") as stream:  # noqa: PTH123
            return stream.read()
    import fsspec

    with fsspec.open(location, "rb") as stream:
        return bytes(stream.read())


def write_location(location: str, text: str) -> None:
    """Write a text file named by a local path or URL (``OSError`` as ``open`` raises it)."""
    if is_local_path(location):
        with open(location, "w", encoding="utf-8") as stream:  # noqa: PTH123
            stream.write(text)
        return
    import fsspec

    with fsspec.open(location, "w", encoding="utf-8") as stream:
        stream.write(text)


def files_in_folder(folder: str) -> list[str]:
    """The files directly in ``folder`` (a local path or URL), each spelled ``folder/name``
    so that it compares equal to a location stored that way; dot files are left out; empty if
    the folder does not exist."""
    import fsspec

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
    import fsspec

    if "://" not in location:
        with contextlib.suppress(FileNotFoundError):
            os.remove(location)  # noqa: PTH107
        return
    fs, path = fsspec.core.url_to_fs(location)
    with contextlib.suppress(FileNotFoundError):
        fs.rm_file(path)


def is_file(location: str) -> bool:
    """Whether a local path or URL names an existing file."""
    if is_local_path(location):
        return Path(location).is_file()
    import fsspec

    fs, path = fsspec.core.url_to_fs(location)
    return bool(fs.isfile(path))


def list_files(source: str) -> list[str]:
    """The files a source names, sorted: a folder's files (not its sub-folders), the matches
    of a glob pattern (``*``, ``?``, ``[...]``), or the one file a path or URL names; local
    paths stay paths, URLs stay URLs. ``FileNotFoundError`` when it names nothing."""
    import fsspec

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


def is_url(location: str) -> bool:
    """Whether ``location`` is an fsspec URL (``s3://...``) rather than a local path."""
    return "://" in location
