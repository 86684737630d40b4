"""The public Python API: what ``vires_repo`` exports, that it loads lazily, and the README's
example, run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import vires_repo
from vires_repo import errors

REPO_ROOT = Path(__file__).resolve().parent.parent

EXPORTED = [
    "Catalog",
    "CollectionFilter",
    "CommitConflictError",
    "ConflictError",
    "DefinitionError",
    "ExtractionRequestError",
    "FilterError",
    "GitError",
    "IndexFormatError",
    "JobAbortedError",
    "JobNotFoundError",
    "JobStateError",
    "JobsDatabaseError",
    "LockHeldError",
    "LockLostError",
    "LockTimeoutError",
    "MaintenanceError",
    "MergeConflictError",
    "NotFoundError",
    "OrbitDirectionIntegrityError",
    "PermissionDeniedError",
    "ProductFileError",
    "ProductIntegrityError",
    "ProductRecord",
    "ProductSelection",
    "QuasiDipoleRangeError",
    "QueryError",
    "ServerBusyError",
    "SettingsError",
    "StorageError",
    "TimeSpecError",
    "UsageError",
    "ViresRepoError",
    "__version__",
    "services",
]


def test_the_exported_names_are_the_documented_ones_and_resolve() -> None:
    assert vires_repo.__all__ == EXPORTED
    assert dir(vires_repo) == EXPORTED
    assert all(getattr(vires_repo, name) is not None for name in EXPORTED)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = vires_repo.nothing  # type: ignore[attr-defined]


def test_every_error_class_is_exported() -> None:
    classes = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.ViresRepoError)
    }

    assert classes <= set(vires_repo.__all__)


def test_every_service_module_is_reachable_from_the_package() -> None:
    services = vires_repo.services
    modules = sorted(
        path.stem if path.is_file() else path.name
        for path in (REPO_ROOT / "vires_repo" / "services").iterdir()
        if not path.name.startswith("_")
        and (path.suffix == ".py" or path.is_dir())
        and path.name != "__pycache__"
    )

    assert sorted(services.__all__) == modules
    assert all(getattr(services, name).__name__.endswith(name) for name in modules)


def test_importing_the_package_loads_nothing_else() -> None:
    code = (
        "import sys, vires_repo\n"
        "print(sorted(m for m in sys.modules if m.startswith('vires_repo')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )

    assert result.stdout.strip() == "['vires_repo']"


def test_the_readme_python_example_runs(tmp_path: Path) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python API") :]
    example = re.search(r"```python\n(.*?)```", section, re.S)
    assert example is not None

    result = subprocess.run(
        [sys.executable, "-c", example.group(1)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "52 of 52 product types created.",
        "['SW_EXPT_EFIA_TCT02', 'SW_EXPT_EFIA_TCT16', 'SW_FAST_AEJALPL_2F']",
        "ERROR: catalogue ./no-such-catalogue does not exist (set --catalog or VIRES_CATALOG, "
        "or create it with 'vires-repo product_type import --default')",
    ]
