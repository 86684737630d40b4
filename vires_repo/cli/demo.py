"""``vires-repo demo``: build a small working catalogue and show what is in it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from cyclopts import Parameter

from ..errors import ViresRepoError
from . import _common


def demo(
    *,
    data: Annotated[Path | None, Parameter(name=["--data"])] = None,
    days: Annotated[int, Parameter(name=["--days"])] = 3,
) -> None:
    """Create (or refresh) a catalogue with the VirES defaults and a few synthetic products.

    Writes realistic 1 Hz Swarm A and B magnetic products (SW_MAGx_LR_1B layout, circular
    polar orbits) into the data folder, registers them and prints what the catalogue holds.
    Running it again changes nothing that is already there.

    Parameters
    ----------
    data
        Folder for the synthetic product files (default: <catalog>-data next to the catalogue).
    days
        Number of daily products per spacecraft.
    """
    from ..services.demo import run_demo

    catalog = _common.session.catalog()
    if not catalog.storage.is_local:
        raise ViresRepoError("the demo writes product files locally: give a local --catalog folder")
    folder = data or Path(f"{catalog.storage.root.rstrip('/')}-data")
    report = run_demo(catalog, folder, days, _common.info)
    _common.info(f"catalogue {catalog.url}:")
    for collection, count in report.collection_counts.items():
        _common.print_lines([f"{collection}: {count} product(s)"])
    _common.info("try: vires-repo --catalog " + catalog.url + " product list")
