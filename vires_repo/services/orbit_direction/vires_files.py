"""Migration: ``orbit_direction import`` and ``export`` of VirES table files (CDF)."""

from __future__ import annotations

from vires_repo.catalog import Catalog
from vires_repo.errors import DefinitionError, NotFoundError
from vires_repo.orbit_direction.missions import known_table_names, table_key_of_name
from vires_repo.orbit_direction.store import TableStore, read_table, write_table
from vires_repo.orbit_direction.vires_cdf import read_vires_table, write_vires_table
from vires_repo.timespec import parse_datetime


def _table_name_of_file(location: str) -> str:
    base = location.rstrip("/").rsplit("/", 1)[-1]
    for name in sorted(known_table_names(), key=len, reverse=True):
        if base.startswith(name):
            return name
    raise DefinitionError(
        f"cannot tell which table {location} holds from its name; give the table name"
    )


def import_vires_table(
    catalog: Catalog, location: str, table_name: str | None = None
) -> tuple[str, int, int]:
    """Replace a table with the content of a VirES table CDF (verified first), whatever the
    format version of the stored one.

    The table is named by ``table_name`` or by the start of the file name
    (``SW_VIRE_AUXBODBGEO_....cdf``). Returns (table name, points, sources).
    """
    name = table_name or _table_name_of_file(location)
    key = table_key_of_name(name)
    table = read_vires_table(location, key)
    table.verify()
    with catalog.writing():
        write_table(TableStore(catalog.storage), table)
    return name, len(table), len(table.sources)


def export_vires_table(catalog: Catalog, table_name: str, location: str) -> tuple[int, int]:
    """Write a stored table as a VirES table CDF; returns (points, sources)."""
    table_key_of_name(table_name)  # an unknown name fails as such
    store = TableStore(catalog.storage)
    manifest = store.manifest(table_name)
    if manifest is None:
        raise NotFoundError(f"orbit-direction table {table_name} does not exist")
    table = read_table(store, manifest)
    created = parse_datetime(manifest.updated) if manifest.updated else None
    write_vires_table(table, location, created=created)
    return len(table), len(table.sources)
