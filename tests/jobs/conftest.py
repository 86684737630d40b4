"""Fixtures of the job-store tests: ``database_url`` runs a test on both engines (a SQLite file
in ``tmp_path`` and a fresh database on the loopback PostgreSQL server)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/jobs/jobs.sqlite"
    return str(request.getfixturevalue("postgres_url"))
