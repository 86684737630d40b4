"""``vires-repo demo``: build a small working catalogue and show what is in it."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

from cyclopts import Parameter

from vires_repo.cli import _common
from vires_repo.errors import UsageError


def demo(
    *,
    data: Annotated[Path | None, Parameter(name=["--data"])] = None,
    days: Annotated[int, Parameter(name=["--days"])] = 3,
) -> None:
    """Create (or refresh) a catalogue with the VirES defaults and a few synthetic products.

    Writes realistic 1 Hz Swarm A and B magnetic products (SW_MAGx_LR_1B layout, circular
    polar orbits) into the data folder, registers them (which fills the orbit-direction
    tables) and prints what the catalogue holds, with SQL. Running it again changes nothing
    that is already there.

    Parameters
    ----------
    data
        Folder for the synthetic product files (default: <catalog>-data next to the catalogue).
    days
        Number of daily products per spacecraft.
    """
    from vires_repo.services.demo import run_demo

    catalog = _common.session.catalog()
    if not catalog.storage.is_local:
        raise UsageError("the demo writes product files locally: give a local --catalog folder")
    folder = data or Path(f"{catalog.storage.root.rstrip('/')}-data")
    report = run_demo(catalog, folder, days, _common.info)
    for statement, result in report.queries:
        command = f"vires-repo --catalog {shlex.quote(catalog.url)} sql {shlex.quote(statement)}"
        _common.print_lines([f"$ {command}", result])
    _common.info(f"try: vires-repo --catalog {catalog.url} product list")
