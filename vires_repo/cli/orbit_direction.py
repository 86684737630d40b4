"""``vires-repo orbit_direction``: update, sync, rebuild, import, export."""

from __future__ import annotations

from typing import Annotated, Any

from cyclopts import App, Parameter

from vires_repo.cli import _common
from vires_repo.cli import _options as options

app = App(
    name="orbit_direction",
    help="Orbit-direction lookup tables: update, sync, rebuild, import, export.",
)

Values = list[str] | None
Collections = Annotated[
    list[str] | None,
    Parameter(help="Source collections (default: every collection with calculateOrbitDirection)."),
]
Missions = Annotated[
    options.Missions, Parameter(help="Only collections of this mission (repeat for several).")
]
Spacecrafts = Annotated[options.Spacecrafts, Parameter(help="Only collections of this spacecraft.")]
Grades = Annotated[options.Grades, Parameter(help="Only collections of this grade (e.g. FAST).")]


def _messages() -> Any:
    from vires_repo.services.orbit_direction.reporting import LOG

    return _common.console(LOG)


def _selection(collections: Values, mission: Values, spacecraft: Values, grade: Values) -> Any:
    from vires_repo.definitions.selection import CollectionFilter

    return CollectionFilter(
        identifiers=tuple(collections or ()),
        missions=tuple(mission or ()),
        spacecrafts=tuple(spacecraft or ()),
        grades=tuple(grade or ()),
    )


def _report(result: Any) -> int:
    for line in result.summary_lines():
        _common.info(line)
    return int(result.exit_code)


@app.command
def update(
    product_ids: Annotated[list[str] | None, Parameter(help="Product identifiers.")] = None,
    /,
) -> int:
    """Add products to the orbit-direction tables of their collection; processed ones are
    skipped. A product whose neighbours are not in the tables yet makes the whole collection
    synchronize (and rebuild if that fails). Exit code: the number of failed products."""
    from vires_repo.services.orbit_direction import maintenance

    catalog = _common.session.catalog()
    return _report(maintenance.update_products(catalog, product_ids or [], _messages()))


@app.command
def sync(
    collections: Collections = None,
    /,
    *,
    mission: Missions = None,
    spacecraft: Spacecrafts = None,
    grade: Grades = None,
) -> int:
    """Synchronize the tables with their source collections: remove the boundaries of products
    no longer registered, add the products not processed yet."""
    from vires_repo.services.orbit_direction import maintenance

    catalog = _common.session.catalog()
    selection = _selection(collections, mission, spacecraft, grade)
    return _report(maintenance.sync_tables(catalog, selection, _messages()))


@app.command
def rebuild(
    collections: Collections = None,
    /,
    *,
    mission: Missions = None,
    spacecraft: Spacecrafts = None,
    grade: Grades = None,
) -> int:
    """Rebuild the tables of the source collections from scratch."""
    from vires_repo.services.orbit_direction import maintenance

    catalog = _common.session.catalog()
    selection = _selection(collections, mission, spacecraft, grade)
    return _report(maintenance.rebuild_tables(catalog, selection, _messages()))


@app.command(name="import")
def import_(
    file: Annotated[str, Parameter(help="A VirES table file (CDF; local path or URL).")],
    /,
    *,
    table: Annotated[str | None, Parameter(name=["--table", "-t"])] = None,
) -> None:
    """Import a VirES orbit-direction table file (e.g. SW_VIRE_AUXAODBGEO.cdf), replacing the
    catalogue's table of that name.

    Parameters
    ----------
    table
        The table name (e.g. SW_VIRE_AUXBODBGEO); by default the start of the file name.
    """
    from vires_repo.services.orbit_direction import vires_files

    name, points, sources = vires_files.import_vires_table(
        _common.session.catalog(), file, table_name=table
    )
    _common.info(f"{name} imported: {points} boundary point(s), {sources} source product(s).")


@app.command
def export(
    table: Annotated[str, Parameter(help="Table name, e.g. SW_VIRE_AUXAODBGEO.")],
    /,
    *,
    file: Annotated[str | None, Parameter(name=["--file", "-f"], allow_leading_hyphen=True)] = None,
) -> None:
    """Export a table as a VirES table file (CDF, same variables and attributes).

    Parameters
    ----------
    file
        Output file (local path or URL; default <TABLE>.cdf); '-' writes to standard output.
    """
    import sys
    import tempfile
    from pathlib import Path

    from vires_repo.services.orbit_direction import vires_files

    catalog = _common.session.catalog()
    catalog.require_existing()
    target = file or f"{table}.cdf"
    if target != "-":
        points, sources = vires_files.export_vires_table(catalog, table, target)
    else:
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / f"{table}.cdf"
            points, sources = vires_files.export_vires_table(catalog, table, str(path))
            sys.stdout.buffer.write(path.read_bytes())
            sys.stdout.flush()
    _common.info(f"{table} exported: {points} boundary point(s), {sources} source product(s).")
