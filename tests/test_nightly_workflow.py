"""The nightly workflow: actionlint, its triggers, and scripts/ci_nightly.py run for real
(skipped with a notice in maintenance mode; otherwise every step with its figures)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]
from ops_env import build_catalogue
from test_workflows import TIMEOUT, lint, triggers

REPO_ROOT = Path(__file__).resolve().parent.parent
NIGHTLY = REPO_ROOT / ".github" / "workflows" / "nightly.yml"


def test_nightly_passes_actionlint_without_exceptions() -> None:
    done = lint(NIGHTLY)
    assert done.returncode == 0, done.stdout + done.stderr


def test_nightly_runs_on_a_schedule_never_beside_a_registration() -> None:
    workflow = yaml.safe_load(NIGHTLY.read_text())
    register = yaml.safe_load((NIGHTLY.parent / "register.yml").read_text())

    assert set(triggers(workflow)) == {"schedule", "workflow_dispatch"}
    assert workflow["concurrency"] == register["concurrency"]
    (job,) = workflow["jobs"].values()
    runs = [str(step.get("run", "")) for step in job["steps"]]
    (nightly,) = [run for run in runs if "ci_nightly.py" in run]
    assert "--backup-dest" in nightly and "--replicas" in nightly
    assert "vars.VIRES_BACKUP_DEST" in job["env"]["VIRES_BACKUP_DEST"]


def ci_nightly(*argv: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VIRES_")}
    environment["PYTHONPATH"] = str(REPO_ROOT)
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "ci_nightly.py"), *argv],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
    )


@pytest.fixture
def catalogue(tmp_path: Path) -> str:
    return build_catalogue(str(tmp_path / "catalog"), days=3, data=tmp_path / "data")


def test_in_maintenance_mode_nothing_runs_and_a_notice_says_why(catalogue, tmp_path) -> None:
    from vires_repo.maintenance import enter_maintenance

    enter_maintenance(catalogue, "disk swap", "operator")
    summary, backups = tmp_path / "summary.md", tmp_path / "backups"

    done = ci_nightly(
        "--catalog", catalogue, "--backup-dest", str(backups), "--summary", str(summary)
    )

    assert done.returncode == 0, done.stderr
    assert "::notice title=Nightly skipped::" in done.stdout and "disk swap" in done.stdout
    assert summary.read_text().startswith("## Nightly operations: skipped\n")
    assert not backups.exists()


def test_every_step_runs_with_its_figures_in_the_summary(catalogue, tmp_path) -> None:
    summary, backups, replica = tmp_path / "summary.md", tmp_path / "backups", tmp_path / "replica"

    done = ci_nightly(
        *("--catalog", catalogue, "--backup-dest", str(backups)),
        *("--replicas", str(replica), "--summary", str(summary)),
    )

    text = summary.read_text()
    rows = {
        line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| `")
    }
    assert list(rows) == [
        "`info`",
        "`check --files`",
        "`backup create`",
        "`purge --policies`",
        f"`sync {replica}`",
    ]
    assert "8 products in 2 of 2 collections" in rows["`info`"]
    assert "| ok |" in rows["`check --files`"] and "0 error(s)" in rows["`check --files`"]
    assert "| ok |" in rows["`backup create`"] and (backups / "latest").exists()
    assert "| ok |" in rows[f"`sync {replica}`"] and "copied" in rows[f"`sync {replica}`"]
    assert f"- `{replica}`: synced" in text and "in step" in text
    assert "| ok |" in rows["`purge --policies`"]
    assert "0 item(s) removed" in rows["`purge --policies`"]
    assert done.returncode == 0, done.stderr
