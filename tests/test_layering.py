"""The layers of the package (cli -> services -> store -> readers) and what each may import."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE = REPO_ROOT / "vires_repo"
HEAVY = ("pydantic", "fsspec", "duckdb", "pyarrow", "numpy", "cdflib")


def _modules_after(code: str) -> set[str]:
    """Top-level names of the modules a fresh interpreter holds after running ``code``."""
    script = (
        "import sys, json\n"
        f"{code}\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_importing_the_cli_stays_light() -> None:
    """``vires-repo --help`` must start fast: heavy libraries load only in the commands."""
    loaded = _modules_after("import vires_repo.cli")

    assert "vires_repo" in loaded
    assert "cyclopts" in loaded
    assert sorted(loaded & set(HEAVY)) == []


def test_top_level_help_stays_light() -> None:
    code = (
        "import contextlib, io\n"
        "from vires_repo.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--help']) == 0"
    )

    assert sorted(_modules_after(code) & set(HEAVY)) == []


def _imported_names(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


SERVICE_FILES = sorted((PACKAGE / "services").glob("*.py"))


@pytest.mark.parametrize("path", SERVICE_FILES, ids=lambda p: p.name)
def test_services_do_not_import_the_cli_framework(path: Path) -> None:
    offending = [
        f"{path.name}:{line}: {name}"
        for line, name in _imported_names(path)
        if name.split(".")[0] == "cyclopts"
    ]

    assert offending == []


def test_services_do_not_import_the_cli_layer() -> None:
    """Services are usable without the CLI: importing them loads neither the CLI nor cyclopts."""
    names = sorted(p.stem for p in SERVICE_FILES if p.stem != "__init__")
    code = "\n".join(f"import vires_repo.services.{name}" for name in names)
    code += "\nprint('cli' if 'vires_repo.cli' in sys.modules else 'no-cli')"
    result = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code + "\nprint('cyclopts' in sys.modules)"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == ["no-cli", "False"]


def _commands(app: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """(command path, App) of every command and group below ``app``, aliases once."""
    skip = set(app.help_flags) | set(app.version_flags)
    seen: set[int] = set()
    for name in app:
        if name in skip:
            continue
        sub = app[name]
        if id(sub) in seen:
            continue
        seen.add(id(sub))
        yield " ".join((*path, name)), sub
        yield from _commands(sub, (*path, name))


def test_every_cli_command_has_a_docstring() -> None:
    from vires_repo.cli import app

    commands = list(_commands(app))
    missing = [
        name
        for name, sub in commands
        if sub.default_command is not None and not (sub.default_command.__doc__ or "").strip()
    ]
    groups_without_help = [
        name for name, sub in commands if sub.default_command is None and not sub.help
    ]

    assert "product_type import" in dict(commands)
    assert "product_collection remove" in dict(commands)
    assert missing == []
    assert groups_without_help == []
