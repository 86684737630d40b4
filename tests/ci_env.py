"""Helpers shared by the tests of the CI scripts, the S3 catalogue and the GitOps commands:
git isolated from the caller's configuration, the Swarm MAG LR definitions, hourly MAG LR
product files."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from pathlib import Path

from vires_repo.catalog import Catalog
from vires_repo.testing.mag_products import write_mag_lr_product

MAG_TYPE = "SW_MAGx_LR_1B"
TIMEOUT = 300


def git(cwd: Path, *argv: str) -> str:
    """Run ``git ARGV`` in ``cwd`` as a test user, without the caller's git configuration or
    ``GIT_*``/``VIRES_*`` variables; assert success, return the standard output."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "VIRES_"))}
    environment.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    done = subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *argv],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def import_mag_definitions(catalog: Catalog, *collections: str) -> None:
    """Import the shipped SW_MAGx_LR_1B product type and the shipped ``collections``.

    An identical definition is left untouched, so a second call only adds collections.
    """
    from vires_repo.services import product_collection, product_type

    types = [t for t in product_type.default_types() if t["name"] == MAG_TYPE]
    assert not product_type.import_types(catalog, types).failures
    if collections:
        wanted = [c for c in product_collection.default_collections() if c["name"] in collections]
        assert not product_collection.import_collections(catalog, wanted).failures


def hourly_mag_files(
    folder: Path,
    day: str,
    hours: range,
    spacecraft: str = "A",
    sampling: timedelta = timedelta(minutes=10),
) -> list[str]:
    """One small MAG LR product file per hour of ``day`` in ``hours`` (``HH:00`` to ``HH:59``,
    a record every ``sampling``), written to ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_mag_lr_product(
            folder,
            f"{day}T{hour:02d}:00:00",
            f"{day}T{hour:02d}:59:00",
            spacecraft=spacecraft,
            sampling=sampling,
            minimal=True,
        )
        for hour in hours
    ]
