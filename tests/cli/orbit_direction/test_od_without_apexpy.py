"""A broken install without apexpy: registration says how to fix it, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
sys.modules["apexpy"] = None  # as if the install had skipped it
from vires_repo.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *argv], capture_output=True, text=True, check=False
    )


def test_registration_without_apexpy_fails_the_qd_update_with_one_line_each(
    tmp_path: Path,
) -> None:
    catalog = str(tmp_path / "catalog")

    demo = _run("--catalog", catalog, "demo", "--days", "1")
    check = _run("--catalog", catalog, "check")

    assert "Traceback" not in demo.stderr
    errors = [line for line in demo.stderr.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 2  # one per registered product, A and B
    assert all("need apexpy" in line and "pip install apexpy" in line for line in errors)
    assert "SW_OPER_MAGA_LR_1B: 1 of 1 product(s) registered." in demo.stderr
    assert "Traceback" not in check.stderr
    assert "INFO: orbit-direction-sync: 4 problem(s)" in check.stderr
