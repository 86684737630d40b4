"""Fixtures of the ``product`` command tests: catalogues with the default definitions and a
folder for synthetic product files, on a local disk and on ``memory://``.

``env`` (both backends) and ``local_env`` (local folder only) give a
:class:`pcli_env.ProductEnv`: call it with the command tokens (``env("product", "list")``) and
it runs ``main`` with ``--catalog``.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pcli_env import CliRunner, ProductEnv


@pytest.fixture(scope="session")
def template_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local catalogue holding the default product types and collections (built once)."""
    from vires_repo.catalog import Catalog
    from vires_repo.services import product_collection, product_type

    root = tmp_path_factory.mktemp("template") / "catalog"
    catalog = Catalog(str(root))
    assert not product_type.import_types(catalog, product_type.default_types()).failures
    collections = product_collection.default_collections()
    assert not product_collection.import_collections(catalog, collections).failures
    shutil.rmtree(root / ".state", ignore_errors=True)
    return root


def _env(root: str, data: str, cli: CliRunner) -> ProductEnv:
    return ProductEnv(root=root, data=data, runner=cli)


@pytest.fixture
def local_env(template_catalog: Path, tmp_path: Path, cli: CliRunner) -> ProductEnv:
    root = tmp_path / "catalog"
    shutil.copytree(template_catalog, root)
    data = tmp_path / "data"
    data.mkdir()
    return _env(str(root), str(data), cli)


@pytest.fixture
def memory_env(template_catalog: Path, cli: CliRunner) -> Iterator[ProductEnv]:
    import fsspec

    fs = fsspec.filesystem("memory")
    name = uuid.uuid4().hex
    root = f"/catalog-{name}"
    for path in sorted(template_catalog.rglob("*.json")):
        fs.pipe_file(f"{root}/{path.relative_to(template_catalog).as_posix()}", path.read_bytes())
    yield _env(f"memory://{root}", f"memory:///data-{name}", cli)


@pytest.fixture(params=["local", "memory"])
def env(request: pytest.FixtureRequest) -> ProductEnv:
    """The same test on a local catalogue with local files and on memory:// for both."""
    fixture: ProductEnv = request.getfixturevalue(f"{request.param}_env")
    return fixture
