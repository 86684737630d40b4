"""Fixture of the job-queue command tests: ``jq`` (see :mod:`jq_env`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from jq_env import FAST, JqEnv, environment


@pytest.fixture
def jq(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[JqEnv]:  # type: ignore[no-untyped-def]
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    for name, value in FAST.items():
        monkeypatch.setenv(name, value)

    def run(*argv: str) -> tuple[int, str, str]:
        code, out, err = cli("--catalog", str(catalog), *argv)
        return code, out, err

    env = JqEnv(catalog, run, environment(catalog))
    try:
        yield env
    finally:
        env.stop_workers()
