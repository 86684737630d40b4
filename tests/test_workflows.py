"""The GitHub Actions workflows: actionlint on every file, the triggers and safety settings of
the definitions and register workflows, and scripts/ci_definitions.py run for real."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]
from ci_env import git, import_mag_definitions

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO_ROOT / ".github" / "workflows"
OURS = ("definitions.yml", "register.yml")
# GitHub removed the node20 action runtime in September 2026; a workflow still on such an
# action version (actions/checkout@v4, ...) is reported by actionlint. Only the files outside
# OURS get this notice ignored (their owners bump the versions), ours are linted strictly.
NODE20_NOTICE = 'runtime "node20" is deprecated'
TIMEOUT = 300


def actionlint() -> str:
    """The actionlint binary: the one installed into this virtualenv, else on PATH."""
    here = Path(sys.executable).parent
    found = shutil.which("actionlint", path=f"{here}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:
        reason = "actionlint is not installed (scripts/setup installs it with the dev extras)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must lint the workflows")
        pytest.skip(reason)
    return found


def lint(*files: Path, ignore: str | None = None) -> subprocess.CompletedProcess[str]:
    argv = [actionlint(), "-no-color"]
    if ignore:
        argv += ["-ignore", re.escape(ignore)]
    return subprocess.run(
        [*argv, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
        cwd=REPO_ROOT,
    )


def load(name: str) -> dict[Any, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(document, dict)
    return document


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert isinstance(on, dict)
    return on


def run_steps(workflow: dict[Any, Any]) -> list[str]:
    return [
        str(step["run"])
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "run" in step
    ]


# -- actionlint ------------------------------------------------------------------------------


def test_our_workflows_pass_actionlint_without_exceptions() -> None:
    done = lint(*(WORKFLOWS / name for name in OURS))
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_workflow_passes_actionlint() -> None:
    files = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
    assert files
    done = lint(*files, ignore=NODE20_NOTICE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  job:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.no_such_context_value.x }}\n"
        "        shell: no-such-shell\n"
    )
    done = lint(broken)
    assert done.returncode == 1
    assert "broken.yml" in done.stdout


# -- what the workflows do -------------------------------------------------------------------


def test_every_script_a_workflow_runs_exists() -> None:
    for path in sorted(WORKFLOWS.glob("*.y*ml")):
        for command in run_steps(yaml.safe_load(path.read_text())):
            for script in re.findall(r"(?:scripts|\.ci)/[\w./-]+", command):
                assert (REPO_ROOT / script).is_file(), f"{path.name} runs a missing {script}"


def test_definitions_runs_on_pull_requests_touching_the_catalogue() -> None:
    workflow = load("definitions.yml")
    on = triggers(workflow)
    assert set(on) == {"pull_request"}
    assert "catalog/**" in on["pull_request"]["paths"]
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    checkout = next(
        s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/checkout")
    )
    assert checkout["with"]["fetch-depth"] == 0  # the plan needs the base revision
    (command,) = [c for c in run_steps(workflow) if "ci_definitions.py" in c]
    assert "--base" in command and "--head" in command


def test_register_runs_on_a_schedule_and_by_hand_one_at_a_time() -> None:
    workflow = load("register.yml")
    on = triggers(workflow)
    assert set(on) == {"schedule", "workflow_dispatch"}
    assert on["schedule"][0]["cron"]
    assert workflow["concurrency"]["group"].startswith("register-")
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert workflow["permissions"] == {"contents": "write"}
    (job,) = workflow["jobs"].values()
    (step,) = [s for s in job["steps"] if "ci_register.py" in str(s.get("run", ""))]
    assert "--push" in step["run"] and "--attempts" in step["run"]
    assert "vars.VIRES_SOURCE_URL" in step["env"]["VIRES_SOURCE_URL"]
    assert "vars.VIRES_COLLECTIONS" in step["env"]["VIRES_COLLECTIONS"]


def _install_steps(workflow: dict[Any, Any]) -> list[tuple[str, int, list[str]]]:
    """(job, index of the step, runs of the steps before it) of each step installing the package."""
    found = []
    for name, job in workflow["jobs"].items():
        runs = [str(step.get("run", "")) for step in job["steps"]]
        for index, run in enumerate(runs):
            if "pip install ." in run or 'pip install ".[' in run:
                found.append((name, index, runs[:index]))
    return found


@pytest.mark.parametrize("name", sorted(path.name for path in WORKFLOWS.glob("*.yml")))
def test_every_job_installing_the_package_installs_gfortran_first(name: str) -> None:
    """apexpy (a dependency, for the QD tables) has no wheels and builds with gfortran."""
    for job, _index, before in _install_steps(load(name)):
        assert any("apt-get install" in run and "gfortran" in run for run in before), job


def test_apexpy_is_a_dependency_of_every_install() -> None:
    import tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]

    assert any(dep.startswith("apexpy") for dep in project["dependencies"])


def test_a_ci_job_installs_like_the_register_workflow_and_registers() -> None:
    (register_install,) = [run for run in run_steps(load("register.yml")) if "pip install" in run]
    ci = load("ci.yml")
    jobs = [
        job
        for job in ci["jobs"].values()
        if any(str(step.get("run", "")) == register_install for step in job["steps"])
    ]

    assert jobs, "no ci job installs the package as register.yml does"
    later = " ".join(str(step.get("run", "")) for step in jobs[0]["steps"])
    assert "demo" in later or "product register" in later


# -- scripts/ci_definitions.py ---------------------------------------------------------------


@pytest.fixture
def pull_request(tmp_path: Path) -> Path:
    """A repository whose base commit holds one product type and whose head adds a collection."""
    from vires_repo.catalog import Catalog

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    (repo / ".gitignore").write_text(".state/\n")
    catalog = Catalog(str(repo / "catalog"))
    import_mag_definitions(catalog)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "base")
    git(repo, "tag", "base")
    import_mag_definitions(catalog, "SW_OPER_MAGA_LR_1B")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "head")
    return repo


def ci_definitions(repo: Path, summary: Path) -> subprocess.CompletedProcess[str]:
    script = REPO_ROOT / "scripts" / "ci_definitions.py"
    return subprocess.run(
        [sys.executable, str(script), "--catalog", "catalog", "--base", "base", "--head", "HEAD"]
        + ["--summary", str(summary)],
        cwd=repo,
        env={k: v for k, v in os.environ.items() if not k.startswith("VIRES_")},
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
    )


def test_ci_definitions_writes_the_job_summary(pull_request: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"

    done = ci_definitions(pull_request, summary)

    text = summary.read_text()
    assert text.startswith("## Catalogue definitions\n")
    assert "- definitions: all valid" in text
    assert "`vires-repo check`" in text
    # the plan's own Markdown, or a note while this vires-repo has no plan command
    assert "SW_OPER_MAGA_LR_1B" in text or "`vires-repo plan` is not available" in text
    assert done.returncode == 0, done.stderr


def test_ci_definitions_fails_on_an_invalid_definition(pull_request: Path, tmp_path: Path) -> None:
    bad = pull_request / "catalog" / "product_collections" / "SW_OPER_MAGA_LR_1B.json"
    bad.write_text('{"name": "SW_OPER_MAGA_LR_1B"}\n')  # no product type
    summary = tmp_path / "summary.md"

    done = ci_definitions(pull_request, summary)

    assert done.returncode == 1
    assert "invalid definition: product_collections/SW_OPER_MAGA_LR_1B.json" in done.stderr
    assert ":x: product_collections/SW_OPER_MAGA_LR_1B.json" in summary.read_text()
