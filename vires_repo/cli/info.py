"""``vires-repo info``: where the catalogue is and what it holds."""

from __future__ import annotations

from typing import Annotated

from cyclopts import Parameter

from vires_repo.cli import _common


def info(*, json: Annotated[bool, Parameter(name="--json")] = False) -> None:
    """Show the catalogue root, its git state, counts, index files and package versions.

    Parameters
    ----------
    json
        Print the same as a JSON object.
    """
    from vires_repo.services.info import catalog_info, format_info

    details = catalog_info(_common.session.catalog())
    if json:
        _common.write_json("-", details)
    else:
        _common.print_lines(format_info(details))
