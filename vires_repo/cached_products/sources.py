"""Access to conversion sources: local paths or fsspec URLs, named as VirES names them.

Text and model sources are read whole through the storage seam; CDF sources through the
guarded CDF reader, so that a damaged source fails with one message naming it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import PurePosixPath

from vires_repo.errors import NotFoundError, ProductFileError
from vires_repo.io.cdf import CdfReader, open_cdf
from vires_repo.io.storage import Storage


def basename(source: str) -> str:
    """File name of a local path or URL (query strings are not expected in sources)."""
    return PurePosixPath(source.rstrip("/")).name


def product_id(source: str) -> str:
    """Product identifier VirES records for a source: its base name without the extension."""
    return PurePosixPath(basename(source)).stem


def _missing(source: str) -> NotFoundError:
    return NotFoundError(f"{source}: source file does not exist")


def read_bytes(source: str) -> bytes:
    """Whole content of ``source`` (NotFoundError if it does not exist)."""
    try:
        return Storage(source).read_bytes("")
    except (NotFoundError, FileNotFoundError):
        raise _missing(source) from None
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
def open_source_cdf(source: str) -> Iterator[CdfReader]:
    """The CDF ``source`` opened with the guarded reader; messages name it by its file name."""
    if not Storage(source).exists(""):
        raise _missing(source)
    with open_cdf(source, basename(source)) as cdf:
        yield cdf
