"""Shared helpers of the gitops tests (a git repository holding a catalogue)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from vires_repo.catalog import Catalog
from vires_repo.testing.mag_products import write_mag_lr_product

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
        return write_mag_lr_product(
            target,
            start,
            end,
            spacecraft=spacecraft,
            sampling=timedelta(minutes=1),
            minimal=True,
            version=version,
        )

    def day_product(self, day: str, **options: str) -> str:
        """:meth:`product` covering ``day`` (``YYYY-MM-DD``) from 00:00 to 23:59."""
        return self.product(f"{day}T00:00:00", f"{day}T23:59:00", **options)

    def register(self, *files: str, collection: str = MAG_A, update: bool = False) -> None:
        from vires_repo.services.product_registration import register_products

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
