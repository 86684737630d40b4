"""scripts/ci_register.py with the product files on S3 (moto on loopback): the source is an
fsspec URL and the registered locations are s3:// URLs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ci_env import git, hourly_mag_files, import_mag_definitions
from s3_env import MAG_COLLECTIONS, s3_environment

from vires_repo.catalog import Catalog

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "ci_register.py"
MAGA = MAG_COLLECTIONS[0]
TIMEOUT = 300


def test_new_files_at_an_s3_source_are_registered_by_url(
    tmp_path: Path, bucket: str, s3_config: str, s3fs_filesystem: Any
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    (repo / ".gitignore").write_text(".state/\n")
    import_mag_definitions(Catalog(str(repo / "catalog")), MAGA)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "definitions")
    local = hourly_mag_files(tmp_path / "data", "2016-01-01", range(2))
    for path in local:
        s3fs_filesystem.put_file(path, f"{bucket}/swarm/{MAGA}/{Path(path).name}")

    environment = {**s3_environment(s3_config), "GIT_CONFIG_GLOBAL": os.devnull}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--catalog", str(repo / "catalog")]
        + ["--source", f"s3://{bucket}/swarm", "--collection", MAGA],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
    )

    assert done.returncode == 0, done.stderr
    assert f"{MAGA}: 2 file(s) in the source, 2 new" in done.stderr
    assert git(repo, "log", "-1", "--format=%an %s").strip() == (
        "github-actions[bot] Register 2 new product(s)"
    )
    locations = sorted(str(r.location) for r in Catalog(str(repo / "catalog")).products.select())
    assert locations == sorted(f"s3://{bucket}/swarm/{MAGA}/{Path(p).name}" for p in local)
