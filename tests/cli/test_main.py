"""The entry point ``vires_repo.cli.main``: global options, usage errors, the error boundary."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

import vires_repo
from vires_repo.catalog import Catalog
from vires_repo.cli import main
from vires_repo.errors import ConflictError

REPO_ROOT = Path(__file__).resolve().parents[2]
TYPE = (
    '[{"name": "TYPE_A", "datasets": {"D": {"t": {"dataType": "timestamp", '
    '"primaryTimestamp": true}}}}]'
)


# -- help and version ------------------------------------------------------------------------


def test_help_lists_the_command_groups_and_global_options(cli: Any) -> None:
    code, out, err = cli("--help")

    assert code == 0
    assert err == ""
    for text in ("product_type", "product-type", "product_collection", "--catalog", "-C"):
        assert text in out
    for text in ("--verbosity", "-v", "--traceback", "VIRES_CATALOG"):
        assert text in out


@pytest.mark.parametrize("group", ["product_type", "product_collection"])
def test_group_help_lists_the_sub_commands(cli: Any, group: str) -> None:
    code, out, _ = cli(group, "--help")

    assert code == 0
    for command in ("import", "list", "export", "remove"):
        assert command in out


@pytest.mark.parametrize("group", ["product_type", "product_collection"])
def test_import_help_shows_the_vires_options(cli: Any, group: str) -> None:
    code, out, _ = cli(group, "import", "--help")

    assert code == 0
    for option in ("--file", "-f", "--default", "-d"):
        assert option in out


def test_collection_selection_options_in_help(cli: Any) -> None:
    code, out, _ = cli("product_collection", "remove", "--help")

    assert code == 0
    for option in ("--product-type", "-t", "--mission", "-m", "--spacecraft", "-s"):
        assert option in out
    for option in ("--grade", "--class", "-g", "--all", "-a"):
        assert option in out


def test_version(cli: Any) -> None:
    assert cli("--version") == (0, f"{vires_repo.__version__}\n", "")


def test_main_without_argv_reads_sys_argv(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["vires-repo", "--version"])

    assert main() == 0
    assert capsys.readouterr().out == f"{vires_repo.__version__}\n"


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vires_repo", "-C", str(tmp_path / "c"), "product_type", "list"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"ERROR: catalogue {tmp_path / 'c'} does not exist")


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        (
            "VIRES_LOCK_TIMEOUT",
            "abc",
            "Input should be a valid number, unable to parse string as a number",
        ),
        ("VIRES_LOCK_TIMEOUT", "-1", "Input should be greater than or equal to 0"),
        ("VIRES_LOCK_STALE_AFTER", "0", "Input should be greater than 0"),
    ],
)
def test_a_bad_setting_is_one_error_line_naming_the_variable_and_value(
    tmp_path: Path, variable: str, value: str, problem: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vires_repo", "-C", str(tmp_path / "c"), "product_type", "import"],
        cwd=REPO_ROOT,
        input=TYPE,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "200", variable: value},
    )

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"ERROR: environment variable {variable}={value!r} is invalid: {problem}\n"
    )


def test_the_console_script_is_declared() -> None:
    scripts = metadata.entry_points(group="console_scripts")

    assert [ep.value for ep in scripts if ep.name == "vires-repo"] == ["vires_repo.cli:main"]


# -- usage errors exit 2 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message", "command"),
    [
        (["bogus"], 'Unknown command "bogus"', ""),
        (["product_type", "bogus"], 'Unknown command "bogus"', "product_type"),
        (["product_type", "import", "--bogus"], "Unknown option: --bogus.", "product_type import"),
        (["product_type", "import", "-f"], "requires an argument", "product_type import"),
        (["product_collection", "list", "-t"], "requires an argument", "product_collection list"),
        (["-v", "4", "product_type", "list"], 'Invalid value "4" for -v. Must be <= 3.', ""),
        (["-v", "-1", "product_type", "list"], 'Invalid value "-1" for -v. Must be >= 0.', ""),
        (["--verbosity", "x", "product_type", "list"], 'unable to convert "x" into int', ""),
        (["-C"], "requires an argument", ""),
        (
            ["product", "list", "--after", "yesterdayish"],
            "Invalid value for --after: Invalid time specification 'yesterdayish'",
            "product list",
        ),
        (
            ["product", "register", "x.cdf"],
            "parameter --collection requires an argument",
            "product register",
        ),
        (
            ["sql", "--format", "xml", "SELECT 1"],
            'Invalid value "xml" for --format. Choose from',
            "sql",
        ),
        (["info", "extra"], "Unused Tokens: ['extra']", "info"),
    ],
    ids=[
        "command",
        "sub-command",
        "option",
        "file-value",
        "filter-value",
        "verbosity-high",
        "verbosity-negative",
        "verbosity-text",
        "catalog-value",
        "time-value",
        "missing-option",
        "choice-value",
        "extra-argument",
    ],
)
def test_usage_errors_are_one_error_line_and_a_hint_and_exit_2(
    cli: Any, tmp_path: Path, argv: list[str], message: str, command: str
) -> None:
    code, out, err = cli(*argv)

    assert code == 2
    assert out == ""
    error, hint = err.splitlines()  # no panel, no traceback
    assert error.startswith("ERROR: ")
    assert message in error
    assert hint == f"Try '{' '.join(['vires-repo', *command.split(), '--help'])}'."
    assert not (tmp_path / "catalog").exists()


# -- global options before the command -------------------------------------------------------


@pytest.mark.parametrize("option", ["--catalog", "-C"])
def test_catalog_option(cli: Any, tmp_path: Path, option: str) -> None:
    root = tmp_path / "chosen"

    code, _, _ = cli(option, str(root), "product_type", "import", stdin=TYPE)

    assert code == 0
    assert Catalog(root).product_types.ids() == ["TYPE_A"]


def test_catalog_from_the_environment(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "from-env"
    monkeypatch.setenv("VIRES_CATALOG", str(root))

    code, _, _ = cli("product_type", "import", stdin=TYPE)

    assert code == 0
    assert Catalog(root).product_types.ids() == ["TYPE_A"]
    assert cli("product_type", "list") == (0, "TYPE_A\n", "")


def test_the_option_beats_the_environment(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIRES_CATALOG", str(tmp_path / "from-env"))

    cli("--catalog", str(tmp_path / "from-option"), "product_type", "import", stdin=TYPE)

    assert Catalog(tmp_path / "from-option").product_types.ids() == ["TYPE_A"]
    assert not (tmp_path / "from-env").exists()


def test_the_default_catalogue_is_catalog_in_the_working_directory(
    cli: Any, tmp_path: Path
) -> None:
    code, _, _ = cli("product_type", "import", stdin=TYPE)  # the cli fixture works in tmp_path

    assert code == 0
    assert (tmp_path / "catalog" / "product_types" / "TYPE_A.json").exists()


def test_a_memory_catalogue_lives_as_long_as_the_process(cli: Any) -> None:
    cli("-C", "memory://session", "product_type", "import", stdin=TYPE)

    assert cli("-C", "memory://session", "product_type", "list") == (0, "TYPE_A\n", "")


@pytest.mark.parametrize("level", ["0", "1", "2", "3"])
def test_console_messages_do_not_depend_on_verbosity(
    cli: Any, catalog_root: str, level: str
) -> None:
    code, out, err = cli("-v", level, "-C", catalog_root, "product_type", "import", stdin=TYPE)

    assert code == 0
    assert out == ""
    assert "INFO: 1 of 1 product type created." in err.splitlines()


@pytest.mark.parametrize(
    ("level", "logger_name", "expected"),
    [
        ("0", "vires_repo", logging.WARNING),
        ("1", "vires_repo", logging.INFO),
        ("2", "vires_repo", logging.DEBUG),
        ("3", "", logging.DEBUG),
    ],
)
def test_verbosity_sets_the_log_level(
    cli: Any, tmp_path: Path, level: str, logger_name: str, expected: int
) -> None:
    cli("--verbosity", level, "-C", str(tmp_path / "c"), "product_type", "import", stdin=TYPE)

    logger = logging.getLogger(logger_name or None)
    assert logger.level == expected
    assert logger.handlers[-1].formatter is not None
    assert logger.handlers[-1].formatter._fmt == "%(levelname)s: %(message)s"


def test_log_lines_go_to_stderr_with_the_vires_prefix(cli: Any, tmp_path: Path) -> None:
    cli("-v", "2", "-C", str(tmp_path / "c"), "product_type", "import", stdin=TYPE)
    handler = logging.getLogger("vires_repo").handlers[-1]
    assert isinstance(handler, logging.StreamHandler)
    assert handler.stream is sys.stderr


# -- the error boundary ----------------------------------------------------------------------


def test_an_unknown_catalogue_is_one_error_line(cli: Any, tmp_path: Path) -> None:
    missing = tmp_path / "missing"

    code, out, err = cli("-C", str(missing), "product_collection", "list")

    assert code == 1
    assert out == ""
    assert err == (
        f"ERROR: catalogue {missing} does not exist (set --catalog or VIRES_CATALOG, or create "
        "it with 'vires-repo product_type import --default')\n"
    )


def test_traceback_shows_the_traceback_of_a_domain_error(cli: Any, tmp_path: Path) -> None:
    missing = tmp_path / "missing"

    code, out, err = cli("--traceback", "-C", str(missing), "product_type", "list")

    assert code == 1
    assert out == ""
    assert err.startswith("Traceback (most recent call last):\n")
    assert "vires_repo.errors.NotFoundError: catalogue" in err
    assert err.splitlines()[-1].startswith(f"ERROR: catalogue {missing} does not exist")


def test_no_traceback_without_the_option(cli: Any, tmp_path: Path) -> None:
    _, _, err = cli("-C", str(tmp_path / "missing"), "product_type", "list")

    assert "Traceback" not in err


def test_a_domain_error_exits_with_its_code(
    cli: Any, catalog_root: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def conflict(*args: object) -> None:
        raise ConflictError("the catalogue would break")

    monkeypatch.setattr("vires_repo.services.product_type.list_types", conflict)

    assert cli("-C", catalog_root, "product_type", "list") == (
        1,
        "",
        "ERROR: the catalogue would break\n",
    )


def test_an_interrupt_exits_130(
    cli: Any, catalog_root: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("vires_repo.services.product_type.list_types", interrupted)

    assert cli("-C", catalog_root, "product_type", "list") == (130, "", "ERROR: interrupted\n")


def test_a_bug_keeps_its_traceback(
    cli: Any, catalog_root: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only expected failures become ERROR lines; anything else propagates."""

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("vires_repo.services.product_type.list_types", broken)

    with pytest.raises(RuntimeError, match="a bug"):
        cli("-C", catalog_root, "product_type", "list")


def test_the_exit_code_is_an_int_for_commands_without_one(cli: Any, catalog_root: str) -> None:
    cli("-C", catalog_root, "product_type", "import", stdin=TYPE)

    code, _, _ = cli("-C", catalog_root, "product_type", "export")

    assert code == 0
    assert type(code) is int


def test_a_locked_catalogue_is_one_error_line_and_no_change(
    cli: Any, catalog_root: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vires_repo.io.storage import Storage

    monkeypatch.setenv("VIRES_LOCK_TIMEOUT", "0.2")
    holder = Storage(catalog_root)
    holder.makedirs()

    with holder.lock():
        code, out, err = cli("-C", catalog_root, "product_type", "import", stdin=TYPE)
        listed = cli("-C", catalog_root, "product_type", "list")  # readers do not wait

    assert code == 1
    assert out == ""
    assert err.startswith(f"ERROR: catalogue {catalog_root} is locked by ")
    assert err.endswith("; gave up after 0.2 s\n")
    assert len(err.splitlines()) == 1
    assert listed == (0, "", "")
    assert Catalog(catalog_root).product_types.ids() == []
