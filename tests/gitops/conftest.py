"""Fixtures of the GitOps tests: a temporary git repository holding a catalogue.

``gitrepo`` gives a :class:`GitRepo`: a fresh repository (local ``user.name``/``user.email``,
never the project's own config) with ``catalog/`` holding the SW_MAGx_LR_1B product type and
the SW_OPER_MAGA_LR_1B and SW_OPER_MAGB_LR_1B collections, committed on ``main``; product
files go to a data folder outside the repository.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from vires_repo import samples
from vires_repo.catalog import Catalog

MAG_TYPE = "SW_MAGx_LR_1B"
MAG_A = "SW_OPER_MAGA_LR_1B"
MAG_B = "SW_OPER_MAGB_LR_1B"


@dataclass
class GitRepo:
    path: Path
    data: Path
    cli: Callable[..., Any]

    @property
    def root(self) -> Path:
        return self.path / "catalog"

    @property
    def catalog(self) -> Catalog:
        return Catalog(str(self.root))

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            ["git", *args], cwd=self.path, capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def commit(self, message: str) -> str:
        self.git("add", "-A", ".")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD").stdout.strip()

    def product(
        self, start: str, end: str, spacecraft: str = "A", version: str = "0409", folder: str = ""
    ) -> str:
        """A MAG LR product file (one record a minute); ``folder`` below the data folder."""
        target = self.data / (folder or version)
        target.mkdir(exist_ok=True)
        return samples.write_mag_lr_product(
            target,
            start,
            end,
            spacecraft=spacecraft,
            sampling=timedelta(minutes=1),
            minimal=True,
            version=version,
        )

    def register(self, *files: str, collection: str = MAG_A, update: bool = False) -> None:
        from vires_repo.services.product import register_products

        result = register_products(
            self.catalog,
            collection,
            list(files),
            update=update,
            skip_post_registration_actions=True,
        )
        assert not result.failures, result.failures

    def run(self, *argv: str) -> Any:
        """``vires-repo --catalog <repo>/catalog ARGV`` in-process."""
        return self.cli("--catalog", str(self.root), *argv)


def definitions() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from vires_repo.services import product_collection, product_type

    types = [item for item in product_type.default_types() if item["name"] == MAG_TYPE]
    collections = [
        item for item in product_collection.default_collections() if item["name"] in (MAG_A, MAG_B)
    ]
    return types, collections


@pytest.fixture
def gitrepo(tmp_path: Path, cli: Callable[..., Any]) -> GitRepo:
    from vires_repo.services import product_collection, product_type

    path = tmp_path / "repo"
    path.mkdir()
    data = tmp_path / "data"
    data.mkdir()
    repo = GitRepo(path, data, cli)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.name", "Test User")
    repo.git("config", "user.email", "test@example.invalid")
    repo.git("config", "commit.gpgsign", "false")
    types, collections = definitions()
    assert not product_type.import_types(repo.catalog, types).failures
    assert not product_collection.import_collections(repo.catalog, collections).failures
    repo.commit("catalogue with the MAG LR definitions")
    return repo


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """No global or system git config (hooks, signing, drivers) reaches the tests."""
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
