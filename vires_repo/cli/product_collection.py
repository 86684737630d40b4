"""``vires-repo product_collection``: import, list, export and remove product collections."""

from __future__ import annotations

from typing import Annotated

from cyclopts import App, Parameter

from vires_repo.cli import _common
from vires_repo.cli._options import CollectionOptions, InputFile, OutputFile
from vires_repo.services import product_collection as service
from vires_repo.services.definitions import parse_definitions

app = App(name="product_collection", help="Product collections: import, list, export, remove.")

Identifiers = Annotated[list[str] | None, Parameter(help="Product collection identifiers.")]


@app.command(name="import")
def import_(
    *,
    file: InputFile = "-",
    default: Annotated[bool, Parameter(name=["--default", "-d"])] = False,
) -> int:
    """Create or update product collections from a JSON list; their product types must exist.

    An identical definition leaves its file untouched. Exit code: the number of failed
    collections.

    Parameters
    ----------
    default
        Load the product collections VirES ships instead of reading a file.
    """
    if default:
        _common.info("Loading default product collections ...")
        items = service.default_collections()
    else:
        items = parse_definitions(*_common.read_input(file, has_default=True))
    result = service.import_collections(_common.session.catalog(), items)
    return _common.report(result)


@app.command(name="list")
def list_(identifiers: Identifiers = None, /, *, filters: CollectionOptions | None = None) -> None:
    """Print the identifiers of the matching collections, sorted, one per line.

    Repeat an option for several values; different options must all match.
    """
    selection = (filters or CollectionOptions()).build(identifiers)
    _common.print_lines(service.list_collections(_common.session.catalog(), selection))


@app.command
def export(
    identifiers: Identifiers = None,
    /,
    *,
    filters: CollectionOptions | None = None,
    file: OutputFile = "-",
) -> None:
    """Write the matching collections as a JSON list, with maxProductDuration from the index."""
    selection = (filters or CollectionOptions()).build(identifiers)
    _common.write_json(file, service.export_collections(_common.session.catalog(), selection))


@app.command
def remove(
    identifiers: Identifiers = None,
    /,
    *,
    filters: CollectionOptions | None = None,
    all_: Annotated[bool, Parameter(name=["--all", "-a"])] = False,
) -> int:
    """Remove matching collections that hold no registered product.

    Without identifiers nothing is removed unless --all is given. Exit code: the number of
    collections that could not be removed.

    Parameters
    ----------
    all_
        Remove all collections matching the filters.
    """
    selection = (filters or CollectionOptions()).build(identifiers)
    result = service.remove_collections(_common.session.catalog(), selection, all_)
    return _common.report(result)
