"""Fixtures of the orbit-direction catalogue tests.

``odenv`` runs on a local folder and on ``memory://`` (product files included), ``local_odenv``
on a local folder only (see :mod:`od_env`).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from od_env import CliRunner, OdEnv, make_env


@pytest.fixture(params=["local", "memory"])
def odenv(request: pytest.FixtureRequest, tmp_path: Path, cli: CliRunner) -> OdEnv:
    if request.param == "local":
        return make_env(str(tmp_path / "catalog"), str(tmp_path / "data"), cli)
    tag = uuid.uuid4().hex
    return make_env(f"memory://od-{tag}/catalog", f"memory://od-{tag}/data", cli)


@pytest.fixture
def local_odenv(tmp_path: Path, cli: CliRunner) -> OdEnv:
    return make_env(str(tmp_path / "catalog"), str(tmp_path / "data"), cli)
