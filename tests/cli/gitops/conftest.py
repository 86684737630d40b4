"""Fixtures of the GitOps tests: a temporary git repository holding a catalogue.

``gitrepo`` gives a :class:`GitRepo`: a fresh repository (local ``user.name``/``user.email``,
never the project's own config) with ``catalog/`` holding the SW_MAGx_LR_1B product type and
the SW_OPER_MAGA_LR_1B and SW_OPER_MAGB_LR_1B collections, committed on ``main``; product
files go to a data folder outside the repository.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ci_env import import_mag_definitions
from gitops_env import MAG_A, MAG_B, GitRepo


@pytest.fixture
def gitrepo(tmp_path: Path, cli: Callable[..., Any]) -> GitRepo:
    path = tmp_path / "repo"
    path.mkdir()
    data = tmp_path / "data"
    data.mkdir()
    repo = GitRepo(path, data, cli)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.name", "Test User")
    repo.git("config", "user.email", "test@example.invalid")
    repo.git("config", "commit.gpgsign", "false")
    import_mag_definitions(repo.catalog, MAG_A, MAG_B)
    repo.commit("catalogue with the MAG LR definitions")
    return repo


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """No global or system git config (hooks, signing, drivers) reaches the tests."""
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
