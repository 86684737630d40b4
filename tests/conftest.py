"""Fixtures shared by the whole test suite.

* ``catalog_root``: a catalogue root that does not exist yet, once as a local folder and once as
  a unique ``memory://`` root (tests using it run on both);
* ``catalog``: a :class:`vires_repo.catalog.Catalog` on that root;
* ``cli``: runs ``vires_repo.cli.main(argv)`` in-process and returns ``(code, out, err)``;
* ``FakeStdin``: what ``sys.stdin`` is replaced with to feed ``-f -``;
* autouse: a wide terminal (``COLUMNS=200``), no ``VIRES_*`` variables leaking in from the
  caller, an empty fsspec memory filesystem and the logging configuration restored after
  each test.
"""

from __future__ import annotations

import io
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest
from testdata import TESTDATA

if TYPE_CHECKING:
    from vires_repo.catalog import Catalog

REPO_ROOT = Path(__file__).resolve().parent.parent
VIRES_DEFAULTS = TESTDATA / "vires-defaults"


# -- environment -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Help and error boxes are not wrapped, so their text can be asserted."""
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture(autouse=True)
def _no_vires_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A VIRES_CATALOG (or VIRES_LOCK_TIMEOUT, for child processes) of the caller stays out."""
    for name in list(os.environ):
        if name.startswith("VIRES_") and name != "VIRES_TESTDATA":
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _empty_memory_filesystem() -> Iterator[None]:
    """fsspec's memory filesystem is one global store: start and leave every test empty."""
    from fsspec.implementations.memory import MemoryFileSystem

    def clear() -> None:
        MemoryFileSystem.store.clear()
        MemoryFileSystem.pseudo_dirs[:] = [""]

    clear()
    yield
    clear()


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI (re)configures the ``vires_repo`` or the root logger; undo that after a test."""
    saved = []
    for logger in (logging.getLogger(), logging.getLogger("vires_repo")):
        saved.append((logger, list(logger.handlers), logger.level, logger.propagate))
    yield
    for logger, handlers, level, propagate in saved:
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


# -- catalogues ------------------------------------------------------------------------------


@pytest.fixture(params=["local", "memory"])
def catalog_root(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The root of a catalogue that does not exist yet: a local folder or a memory:// URL."""
    if request.param == "local":
        return str(tmp_path / "catalog")
    return f"memory://catalog-{uuid.uuid4().hex}"


@pytest.fixture
def catalog(catalog_root: str) -> Catalog:
    from vires_repo.catalog import Catalog

    return Catalog(catalog_root)


@pytest.fixture
def vires_defaults() -> Path:
    """The folder with the real VirES default definitions (product_types.json, ...).

    The shared test data when present, else the verbatim copies shipped in the package (so the
    round trips also run in CI, where the shared folder does not exist).
    """
    if (VIRES_DEFAULTS / "product_types.json").exists():
        return VIRES_DEFAULTS
    return REPO_ROOT / "vires_repo" / "definitions" / "data"


# -- command line ----------------------------------------------------------------------------


class FakeStdin:
    """A stand-in for ``sys.stdin``: binary data on ``.buffer`` and a chosen ``isatty()``."""

    def __init__(self, data: bytes | str = b"", tty: bool = False) -> None:
        self.buffer = io.BytesIO(data.encode("utf-8") if isinstance(data, str) else data)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty

    def read(self) -> str:
        return self.buffer.read().decode("utf-8")


class CliResult(NamedTuple):
    code: int
    out: str
    err: str


CliRunner = Callable[..., CliResult]


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> CliRunner:
    """``cli(*argv, stdin=None, tty=False)`` runs ``vires_repo.cli.main(argv)`` -> (code, out, err).

    ``stdin`` (bytes or str) replaces standard input for that call with a ``FakeStdin``;
    ``tty=True`` makes it an interactive terminal. The working directory is a fresh temporary
    folder, so a command without ``--catalog`` never touches the repository's ``catalog/``.
    """
    from vires_repo.cli import _common, main

    monkeypatch.chdir(tmp_path)

    def run(*argv: str, stdin: bytes | str | None = None, tty: bool = False) -> CliResult:
        monkeypatch.setattr(_common, "session", _common.Session())
        if stdin is not None or tty:
            monkeypatch.setattr("sys.stdin", FakeStdin(stdin or b"", tty=tty))
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run
