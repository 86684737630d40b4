"""What the catalogue shows of the tables: ``cached_product dump`` records and SQL views."""

from __future__ import annotations

from vires_repo.cached_products.conversion import CachedProductInfo
from vires_repo.catalog import Catalog
from vires_repo.orbit_direction.sql import orbit_direction_view_sql
from vires_repo.orbit_direction.store import TableFiles, TableStore, read_table
from vires_repo.services.orbit_direction.sources import source_collections
from vires_repo.timespec import parse_datetime


def table_files(catalog: Catalog) -> list[TableFiles]:
    """The live files of every stored table (for the DuckDB views)."""
    store = TableStore(catalog.storage)
    found = (store.files(name) for name in store.table_names())
    return [files for files in found if files is not None]


def cached_product_records(catalog: Catalog) -> list[CachedProductInfo]:
    """The tables as ``cached_product dump`` records: identifier (table name), updated,
    catalogue-relative location, sources. Tables of source collections that were never built
    are listed with no update time and no sources (as VirES lists missing files)."""
    store = TableStore(catalog.storage)
    names = set(store.table_names())
    for source in source_collections(catalog):
        names.update(source.table_names())
    records = []
    for name in sorted(names):
        manifest = store.manifest(name)
        sources: list[str] = []
        if manifest is not None:
            table = read_table(store, manifest)
            sources = [s.product_id for s in table.sources]
        updated = manifest.updated if manifest else None
        records.append(
            CachedProductInfo(
                identifier=name,
                updated=parse_datetime(updated) if updated else None,
                location=store.folder(name),
                sources=sources,
            )
        )
    return records


def view_statements(catalog: Catalog) -> list[str]:
    """``CREATE VIEW`` statements of ``orbit_direction_boundaries`` and
    ``orbit_direction_sources`` over the files the tables' manifests list now (for
    :func:`vires_repo.io.duckdb.open_connection` and ``vires-repo sql``)."""
    return orbit_direction_view_sql(table_files(catalog))
