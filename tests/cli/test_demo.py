"""The quick-start demo through the real entry point."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".state" not in path.parts
    }


def test_demo_builds_a_catalogue_and_a_rerun_changes_nothing(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    catalog = tmp_path / "demo"
    result = cli("--catalog", str(catalog), "demo", "--days", "2")
    assert result.code == 0, result.err
    assert "SW_OPER_MAGA_LR_1B  2         2016-01-01T00:00:00Z  2016-01-02T23:59:59Z" in result.out
    for table in ("SW_VIRE_AUXAODBGEO", "SW_VIRE_AUXAODBMAG", "SW_VIRE_AUXBODBGEO"):
        assert table in result.out
    assert "ERROR" not in result.err
    assert len(list((tmp_path / "demo-data").glob("*.cdf"))) == 4
    listed = cli("--catalog", str(catalog), "product", "list").out.splitlines()
    assert len(listed) == 4
    check = cli("--catalog", str(catalog), "check")
    assert check.code == 0 and "0 error(s), 0 warning(s)" in check.err

    before = snapshot(catalog)
    again = cli("--catalog", str(catalog), "demo", "--days", "2")
    assert again.code == 0, again.err
    assert "4 of 4 product(s) skipped" not in again.err  # per collection: 2 of 2
    assert "INFO: SW_OPER_MAGA_LR_1B: 2 of 2 product(s) skipped." in again.err
    assert snapshot(catalog) == before


def test_demo_needs_a_local_catalogue(cli: Callable[..., Any]) -> None:
    result = cli("--catalog", "memory://demo", "demo")
    assert (result.code, result.err) == (
        2,
        "ERROR: the demo writes product files locally: give a local --catalog folder\n",
    )
