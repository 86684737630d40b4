"""Fixtures of the ``product`` command tests: catalogues with the default definitions (copies
of the session's ``default_catalog_template``, see tests/conftest.py) and a folder for synthetic
product files, on a local disk and on ``memory://``.

``env`` (both backends) and ``local_env`` (local folder only) give a
:class:`pcli_env.ProductEnv`: call it with the command tokens (``env("product", "list")``) and
it runs ``main`` with ``--catalog``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from pcli_env import CliRunner, ProductEnv


def _env(root: str, data: str, cli: CliRunner) -> ProductEnv:
    return ProductEnv(root=root, data=data, runner=cli)


@pytest.fixture
def local_env(
    copy_default_catalog: Callable[[str], str], tmp_path: Path, cli: CliRunner
) -> ProductEnv:
    root = copy_default_catalog(str(tmp_path / "catalog"))
    data = tmp_path / "data"
    data.mkdir()
    return _env(root, str(data), cli)


@pytest.fixture
def memory_env(copy_default_catalog: Callable[[str], str], cli: CliRunner) -> ProductEnv:
    name = uuid.uuid4().hex
    root = copy_default_catalog(f"memory:///catalog-{name}")
    return _env(root, f"memory:///data-{name}", cli)


@pytest.fixture(params=["local", "memory"])
def env(request: pytest.FixtureRequest) -> ProductEnv:
    """The same test on a local catalogue with local files and on memory:// for both."""
    fixture: ProductEnv = request.getfixturevalue(f"{request.param}_env")
    return fixture
