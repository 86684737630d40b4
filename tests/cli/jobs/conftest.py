"""Job stores for the ``job`` and ``dangling_job`` command tests (see :mod:`jobs_env`):
``jobs_env`` on SQLite below the catalogue and on the loopback PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest
from jobs_env import JobsEnv, populate


@pytest.fixture(params=["sqlite", "postgresql"])
def jobs_env(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> JobsEnv:
    catalog = tmp_path / "catalog"
    if request.param == "postgresql":
        monkeypatch.setenv("VIRES_JOBS_DB", request.getfixturevalue("postgres_url"))
    return populate(str(catalog))


@pytest.fixture
def sqlite_jobs_env(tmp_path: Path) -> JobsEnv:
    return populate(str(tmp_path / "catalog"))
