"""The layers of the package and what each module may import.

* the import contracts in pyproject.toml (``[tool.importlinter]``: cli -> services -> domain
  stores -> foundations -> io seams -> errors, with the domain stores independent of each
  other), checked with import-linter, and a check that they do fail on an upward import;
* no import cycle among the package's modules;
* each outside system behind one seam: only its seam module imports the library;
* start-up stays light: the CLI imports no heavy library before a command needs it.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
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
    loaded = _modules_after("import vires_repo.cli.app")

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
    from vires_repo.cli.app import app

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


# -- import contracts ----------------------------------------------------------------------


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """import-linter's verdict on the package under ``root`` (with root's pyproject.toml)."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_import_contracts_hold() -> None:
    result = _lint_imports(REPO_ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward_import", "contract"),
    [
        ("products/manifest.py", "vires_repo.services.info", "cli -> services"),
        ("io/storage.py", "vires_repo.products.manifest", "cli -> services"),
        ("products/manifest.py", "vires_repo.orbit_direction.missions", "cli -> services"),
        ("cli/info.py", "vires_repo.io.git", "the CLI reaches the stores"),
    ],
)
def test_an_upward_or_sideways_import_breaks_a_contract(
    tmp_path: Path, module: str, upward_import: str, contract: str
) -> None:
    """The contracts are live: the same check fails on a copy with one forbidden import."""
    shutil.copytree(PACKAGE, tmp_path / "vires_repo", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path)
    path = tmp_path / "vires_repo" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\nimport {upward_import}\n")

    result = _lint_imports(tmp_path)

    assert result.returncode != 0
    assert f"{contract}" in result.stdout and "BROKEN" in result.stdout
    assert upward_import in result.stdout


def test_no_import_cycle() -> None:
    """No group of modules imports itself round at run time (imports inside functions count;
    imports for type checking only do not)."""
    import grimp

    graph = grimp.build_graph("vires_repo", exclude_type_checking_imports=True)
    cycles = [
        group
        for group in _strongly_connected(
            {name: graph.find_modules_directly_imported_by(name) for name in graph.modules}
        )
        if len(group) > 1
    ]

    assert cycles == []


def _strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(edges.get(target, ())))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(sorted(group))
    return groups


def test_the_cycle_finder_finds_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}

    assert sorted(_strongly_connected(edges)) == [["a", "b", "c"], ["d"]]


# -- seams ---------------------------------------------------------------------------------

SEAMS = {
    "apexpy": ("vires_repo.io.apex",),
    "cdflib": ("vires_repo.io.cdf",),
    "duckdb": ("vires_repo.io.duckdb",),
    "fsspec": ("vires_repo.io.storage", "vires_repo.io.locations", "vires_repo.io.object_commit"),
    "botocore": ("vires_repo.io.store_failures",),
    "filelock": ("vires_repo.io.locks",),
    "subprocess": ("vires_repo.io.git",),
    "multiprocessing": ("vires_repo.parallel",),
    "concurrent": ("vires_repo.parallel",),
    "cyclopts": ("vires_repo.cli",),
    "fcntl": (),
    # jobs: the records database (SQLite and PostgreSQL)
    "sqlite3": ("vires_repo.io.database",),
    "peewee": ("vires_repo.io.database",),
    "playhouse": ("vires_repo.io.database",),
    "psycopg2": ("vires_repo.io.database",),
    # jobs: the queue and the workers (huey), the schedules' cron strings
    "huey": ("vires_repo.io.queue",),
    "croniter": ("vires_repo.jobs.schedules",),
    # job dump: json's exact bytes, in C
    "orjson": ("vires_repo.jsonio",),
}
"""Each outside library (or process-level facility) and the module or package that owns it."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("library", sorted(SEAMS))
def test_only_its_seam_imports_an_outside_library(library: str) -> None:
    owners = SEAMS[library]
    offending = sorted(
        f"{_module_name(path)}:{line}"
        for path in PACKAGE.rglob("*.py")
        for line, name in _imported_names(path)
        if name.split(".")[0] == library
        and not any(
            _module_name(path) == owner or _module_name(path).startswith(f"{owner}.")
            for owner in owners
        )
    )

    assert offending == []


def test_every_domain_error_is_defined_in_the_errors_module() -> None:
    """One home for errors: no module defines its own subclass of a vires_repo error."""
    errors = PACKAGE / "errors.py"
    own = {
        node.name
        for node in ast.walk(ast.parse(errors.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    }
    elsewhere = sorted(
        f"{_module_name(path)}.{node.name}"
        for path in PACKAGE.rglob("*.py")
        if path != errors
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        and any(
            isinstance(base, ast.Name | ast.Attribute) and ast.unparse(base).split(".")[-1] in own
            for base in node.bases
        )
    )

    assert "ViresRepoError" in own
    assert elsewhere == []


def test_only_the_cli_prints() -> None:
    """Services and stores report through Messages, loggers or their results, never print."""
    printing = sorted(
        f"{_module_name(path)}:{node.lineno}"
        for path in PACKAGE.rglob("*.py")
        if not _module_name(path).startswith(("vires_repo.cli", "vires_repo.testing"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "print"
    )

    assert printing == []
