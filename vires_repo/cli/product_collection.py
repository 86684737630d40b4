"""``vires-repo product_collection``: import, list, export and remove product collections."""

from __future__ import annotations

from typing import Annotated

from cyclopts import App, Parameter

from ..services import product_collection as service
from ..services._batch import IMPORT_SUMMARY, REMOVE_SUMMARY
from ..services.definitions import parse_definitions
from . import _common

app = App(name="product_collection", help="Product collections: import, list, export, remove.")

Identifiers = Annotated[list[str] | None, Parameter(help="Product collection identifiers.")]
ProductTypes = Annotated[
    list[str] | None,
    Parameter(name=["--product-type", "-t"], help="Only collections of this product type."),
]
Missions = Annotated[
    list[str] | None, Parameter(name=["--mission", "-m"], help="Only collections of this mission.")
]
Spacecrafts = Annotated[
    list[str] | None,
    Parameter(name=["--spacecraft", "-s"], help="Only collections of this spacecraft."),
]
Grades = Annotated[
    list[str] | None,
    Parameter(
        name=["--grade", "--class", "-g"], help="Only collections of this grade (e.g. FAST)."
    ),
]


def _selection(
    identifiers: list[str] | None,
    product_types: list[str] | None,
    missions: list[str] | None,
    spacecrafts: list[str] | None,
    grades: list[str] | None,
) -> service.CollectionFilter:
    return service.CollectionFilter(
        identifiers=identifiers or (),
        product_types=product_types or (),
        missions=missions or (),
        spacecrafts=spacecrafts or (),
        grades=grades or (),
    )


@app.command(name="import")
def import_(
    *,
    file: _common.InputFile = "-",
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
    return _common.report(result, result.summary(IMPORT_SUMMARY))


@app.command(name="list")
def list_(
    identifiers: Identifiers = None,
    /,
    *,
    product_type: ProductTypes = None,
    mission: Missions = None,
    spacecraft: Spacecrafts = None,
    grade: Grades = None,
) -> None:
    """Print the identifiers of the matching collections, sorted, one per line.

    Repeat an option for several values; different options must all match.
    """
    selection = _selection(identifiers, product_type, mission, spacecraft, grade)
    _common.print_lines(service.list_collections(_common.session.catalog(), selection))


@app.command
def export(
    identifiers: Identifiers = None,
    /,
    *,
    product_type: ProductTypes = None,
    mission: Missions = None,
    spacecraft: Spacecrafts = None,
    grade: Grades = None,
    file: _common.OutputFile = "-",
) -> None:
    """Write the matching collections as a JSON list, with maxProductDuration from the index."""
    selection = _selection(identifiers, product_type, mission, spacecraft, grade)
    _common.write_json(file, service.export_collections(_common.session.catalog(), selection))


@app.command
def remove(
    identifiers: Identifiers = None,
    /,
    *,
    product_type: ProductTypes = None,
    mission: Missions = None,
    spacecraft: Spacecrafts = None,
    grade: Grades = None,
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
    selection = _selection(identifiers, product_type, mission, spacecraft, grade)
    result = service.remove_collections(_common.session.catalog(), selection, all_)
    return _common.report(result, result.summary(REMOVE_SUMMARY))
