"""Fixtures of the product index tests: a catalogue Storage on a local folder and on memory://."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from vires_repo.io.storage import Storage


@pytest.fixture(params=["local", "memory"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return Storage(tmp_path / "catalog")
    return Storage(f"memory://products-{uuid.uuid4().hex}")
