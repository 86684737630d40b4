"""Access to conversion sources: local paths or fsspec URLs, named as VirES names them."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import fsspec

from vires_repo.errors import NotFoundError, ProductFileError


def basename(source: str) -> str:
    """File name of a local path or URL (query strings are not expected in sources)."""
    return PurePosixPath(source.rstrip("/")).name


def product_id(source: str) -> str:
    """Product identifier VirES records for a source: its base name without the extension."""
    return PurePosixPath(basename(source)).stem


def _is_local(source: str) -> bool:
    protocol = fsspec.utils.get_protocol(source)
    return protocol in ("file", "local")


def read_bytes(source: str) -> bytes:
    """Whole content of ``source`` (NotFoundError if it does not exist)."""
    try:
        with fsspec.open(source, "rb") as stream:
            return bytes(stream.read())
    except FileNotFoundError:
        raise NotFoundError(f"{source}: source file does not exist") from None
    except IsADirectoryError:
        raise ProductFileError(f"{source}: is a folder, not a source file") from None
    except PermissionError:
        raise ProductFileError(
            f"{source}: source file is not readable (permission denied)"
        ) from None


def read_text(source: str) -> str:
    """Content of an ASCII text source."""
    try:
        return read_bytes(source).decode("ascii")
    except UnicodeDecodeError as error:
        raise ProductFileError(
            f"{basename(source)}: not an ASCII text file (byte {error.start})"
        ) from None


@contextlib.contextmanager
def local_path(source: str) -> Iterator[Path]:
    """A local file holding ``source``: the file itself or a temporary copy of a remote one.

    The CDF library reads local files only, so remote CDF sources are fetched first.
    """
    if _is_local(source):
        path = Path(fsspec.utils.stringify_path(source).removeprefix("file://"))
        if not path.is_file():
            raise NotFoundError(f"{source}: source file does not exist")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="vires-source-") as folder:
        copy = Path(folder) / basename(source)
        try:
            with fsspec.open(source, "rb") as stream, copy.open("wb") as target:
                shutil.copyfileobj(stream, target)
        except FileNotFoundError:
            raise NotFoundError(f"{source}: source file does not exist") from None
        yield copy
