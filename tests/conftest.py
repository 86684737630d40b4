"""Fixtures shared by the whole test suite.

* ``catalog_root``: a catalogue root that does not exist yet, once as a local folder and once as
  a unique ``memory://`` root (tests using it run on both);
* ``catalog``: a :class:`vires_repo.catalog.Catalog` on that root;
* ``default_catalog``: ``catalog_root`` holding the 52 default product types and 151 default
  collections, copied from ``default_catalog_template`` (session: built once per test run, once
  per pytest-xdist worker); ``copy_default_catalog(root)`` makes such a copy at any root;
* ``cli``: runs ``vires_repo.cli.main(argv)`` in-process and returns ``(code, out, err)``;
* ``odenv`` (local folder and ``memory://``, product files included) and ``local_odenv`` (local
  folder only): an orbit-direction catalogue (see :mod:`od_env`), used by the command tests in
  ``cli/orbit_direction`` and the service tests in ``services/orbit_direction``;
* ``postgres_server`` (session) and ``postgres_url`` (a fresh database per test): a real
  PostgreSQL server on loopback (see :mod:`postgres_server`);
* ``FakeStdin``: what ``sys.stdin`` is replaced with to feed ``-f -``;
* autouse: a wide terminal (``COLUMNS=200``), no ``VIRES_*`` variables leaking in from the
  caller, an empty fsspec memory filesystem and the logging configuration restored after
  each test.
"""

from __future__ import annotations

import io
import logging
import os
import posixpath
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest
from postgres_server import postgres_server, postgres_url  # noqa: F401 (fixtures for every folder)
from testdata import TESTDATA

if TYPE_CHECKING:
    from od_env import OdEnv

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


@pytest.fixture(scope="session")
def default_catalog_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local catalogue holding the default product types and collections, built once.

    Importing the 203 defaults takes a good part of a second; the tests that need them only as
    a starting point copy this folder instead (the tests of ``import --default`` itself run it).
    """
    from vires_repo.catalog import Catalog
    from vires_repo.services import product_collection, product_type

    root = tmp_path_factory.mktemp("template") / "catalog"
    catalog = Catalog(str(root))
    assert not product_type.import_types(catalog, product_type.default_types()).failures
    collections = product_collection.default_collections()
    assert not product_collection.import_collections(catalog, collections).failures
    shutil.rmtree(root / ".state", ignore_errors=True)
    return root


CatalogCopier = Callable[[str], str]


@pytest.fixture
def copy_default_catalog(default_catalog_template: Path) -> CatalogCopier:
    """``copy_default_catalog(root)`` copies the default catalogue to ``root`` (a local path or
    an fsspec URL such as ``memory://...``) and returns ``root``."""
    import fsspec

    def copy(root: str) -> str:
        fs, path = fsspec.core.url_to_fs(root)
        for source in sorted(default_catalog_template.rglob("*")):
            if source.is_file():
                target = f"{path}/{source.relative_to(default_catalog_template).as_posix()}"
                fs.makedirs(posixpath.dirname(target), exist_ok=True)
                fs.pipe_file(target, source.read_bytes())
        return root

    return copy


@pytest.fixture
def default_catalog(catalog_root: str, copy_default_catalog: CatalogCopier) -> str:
    """``catalog_root`` holding the default product types and collections (a fresh copy)."""
    return copy_default_catalog(catalog_root)


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


# -- orbit-direction catalogues --------------------------------------------------------------


@pytest.fixture(params=["local", "memory"])
def odenv(request: pytest.FixtureRequest, tmp_path: Path, cli: CliRunner) -> OdEnv:
    from od_env import make_env

    if request.param == "local":
        return make_env(str(tmp_path / "catalog"), str(tmp_path / "data"), cli)
    tag = uuid.uuid4().hex
    return make_env(f"memory://od-{tag}/catalog", f"memory://od-{tag}/data", cli)


@pytest.fixture
def local_odenv(tmp_path: Path, cli: CliRunner) -> OdEnv:
    from od_env import make_env

    return make_env(str(tmp_path / "catalog"), str(tmp_path / "data"), cli)
