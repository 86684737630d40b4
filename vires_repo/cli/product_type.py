"""``vires-repo product_type``: import, list, export and remove product types."""

from __future__ import annotations

from typing import Annotated

from cyclopts import App, Parameter

from vires_repo.cli import _common
from vires_repo.cli._options import InputFile, OutputFile
from vires_repo.services import product_type as service
from vires_repo.services.definitions import parse_definitions

app = App(name="product_type", help="Product types: import, list, export, remove.")

Identifiers = Annotated[list[str] | None, Parameter(help="Product type identifiers.")]


@app.command(name="import")
def import_(
    *,
    file: InputFile = "-",
    default: Annotated[bool, Parameter(name=["--default", "-d"])] = False,
) -> int:
    """Create or update product types from a JSON list (a VirES export imports unchanged).

    An identical definition leaves its file untouched. Exit code: the number of failed types.

    Parameters
    ----------
    default
        Load the product types VirES ships instead of reading a file.
    """
    if default:
        _common.info("Loading default product types ...")
        items = service.default_types()
    else:
        items = parse_definitions(*_common.read_input(file, has_default=True))
    result = service.import_types(_common.session.catalog(), items)
    return _common.report(result)


@app.command(name="list")
def list_(identifiers: Identifiers = None, /) -> None:
    """Print the identifiers of the product types, sorted, one per line."""
    _common.print_lines(service.list_types(_common.session.catalog(), identifiers or ()))


@app.command
def export(identifiers: Identifiers = None, /, *, file: OutputFile = "-") -> None:
    """Write the product type definitions as a JSON list (all, or the ones named)."""
    _common.write_json(file, service.export_types(_common.session.catalog(), identifiers or ()))


@app.command
def remove(
    identifiers: Identifiers = None,
    /,
    *,
    all_: Annotated[bool, Parameter(name=["--all", "-a"])] = False,
) -> int:
    """Remove product types that no collection uses.

    Without identifiers nothing is removed unless --all is given. Exit code: the number of
    types that could not be removed.

    Parameters
    ----------
    all_
        Remove all product types (those still in use stay and are reported).
    """
    result = service.remove_types(_common.session.catalog(), identifiers or (), all_)
    return _common.report(result)
