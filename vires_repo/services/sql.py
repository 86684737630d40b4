"""Ad-hoc SQL over a catalogue (``vires-repo sql``): views, read-only queries, output formats.

The views are plain ``CREATE VIEW`` statements over the catalogue's files (the file lists
written out as literals), so ``vires-repo sql --views`` prints DDL that works the same in any
DuckDB client. Queries are read-only twice over: only SELECT-like statements run (DuckDB's
parser tells), and they run on a connection confined to the files the views read, without
extensions or settings to change (:func:`vires_repo.io.duckdb.confine`). A query that meets
a data file a concurrent compaction just removed runs again over freshly read manifests.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from vires_repo.catalog import Catalog
from vires_repo.errors import IndexFormatError, QueryError, ViresRepoError
from vires_repo.timespec import format_datetime

if TYPE_CHECKING:
    import pyarrow as pa

OutputFormat = Literal["table", "csv", "json", "parquet"]

READ_STATEMENT = "SELECT"
"""The one DuckDB statement type that only reads (``FROM ...``, ``VALUES``, ``DESCRIBE``,
``SHOW`` and ``SUMMARIZE`` are of this type too); ``EXPLAIN`` is allowed of such statements."""


def view_statements(catalog: Catalog) -> list[str]:
    """Every view of the catalogue as standalone DDL."""
    catalog.require_existing()
    from vires_repo.services.orbit_direction import info as orbit_direction
    from vires_repo.sql.views import definition_views, product_view_statements

    return [
        *definition_views(catalog),
        *product_view_statements(catalog.products),
        *orbit_direction.view_statements(catalog),
    ]


ATTEMPTS = 3
"""Runs of a query that fails on a catalogue file, each over freshly read manifests."""


def run_sql(catalog: Catalog, statement: str, jobs_root: str | None = None) -> pa.Table:
    """Run one read-only statement over the catalogue's views (and the job records of the
    jobs root, see :func:`_job_tables`)."""
    from vires_repo.io.duckdb import statement_kinds

    kinds = statement_kinds(statement)
    if len(kinds) != 1:
        raise QueryError(f"give exactly one SQL statement (got {len(kinds)})")
    if kinds[0].split()[-1] != READ_STATEMENT:
        raise QueryError(
            f"the catalogue is read-only through SQL: {kinds[0]} statements are refused "
            "(change the catalogue with the vires-repo commands)"
        )
    catalog.require_existing()
    cached: dict[str, pa.Table] = {}
    views = view_statements(catalog)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _query_confined(catalog, views, cached, statement, jobs_root)
        except IndexFormatError:
            # a file the views name is gone: if the manifests changed since the views were
            # built (a compaction removed it), run again over the new ones; if not, it is real
            previous, views = views, view_statements(catalog)
            if attempt == ATTEMPTS or views == previous:
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def _query_confined(
    catalog: Catalog,
    views: list[str],
    cached: dict[str, pa.Table],
    statement: str,
    jobs_root: str | None = None,
) -> pa.Table:
    """Run ``statement`` over ``views`` on a confined connection, with the cached-product
    views it names (loaded once into ``cached``, kept for a rerun)."""
    from vires_repo.io.duckdb import confine, identifiers, open_connection, query

    connection = open_connection(catalog.storage, views)
    try:
        confine(connection, catalog.storage, _files_named(views, catalog))
        names = identifiers(statement)
        for name, table in _cached_tables(catalog, names, cached):
            connection.register(name, table)
        for name, table in _job_tables(catalog, names, jobs_root):
            connection.register(name, table)
        return query(connection, statement, source=f"catalogue {catalog.storage.url}")
    finally:
        connection.close()


def _files_named(views: list[str], catalog: Catalog) -> list[str]:
    """The catalogue files the views read: the string literals of their DDL (file lists are
    literals, see the module docstring) that name a path below the root."""
    root = catalog.storage.url_of().rstrip("/") + "/"
    literals = (
        text.replace("''", "'") for text in re.findall(r"'((?:[^']|'')*)'", "\n".join(views))
    )
    return sorted({text for text in literals if text.startswith(root)})


def _cached_tables(
    catalog: Catalog, names: set[str], cached: dict[str, pa.Table]
) -> list[tuple[str, pa.Table]]:
    """The cached-product views (orbit_counter, f107, kp, dst) among ``names`` (lower case).

    They are read from the cached CDF files, so only the ones a query uses are loaded; they
    exist inside ``vires-repo sql`` only (no DuckDB reader for CDF).
    """
    from vires_repo.cached_products.views import CACHED_TABLE_SCHEMAS
    from vires_repo.services.cached_product import cached_product_tables

    wanted = names.intersection(CACHED_TABLE_SCHEMAS)
    if wanted - cached.keys():
        cached.update(cached_product_tables(catalog))
    return [(name, cached[name]) for name in sorted(wanted) if name in cached]


JOB_VIEWS = ("jobs", "job_tasks")


def _job_tables(
    catalog: Catalog, names: set[str], jobs_root: str | None
) -> list[tuple[str, pa.Table]]:
    """The job views ``jobs`` and ``job_tasks`` if the statement names them (lower case):
    the records of the jobs root read into tables (empty ones, with their columns, before the
    first job); inside ``vires-repo sql`` only, as the records live in SQLite or PostgreSQL."""
    wanted = names.intersection(JOB_VIEWS)
    if not wanted:
        return []
    from vires_repo.jobs.tables import job_tables
    from vires_repo.services.jobs import locate

    location = locate(catalog.url, jobs_root)
    if not location.database_exists():
        tables = job_tables(None)
    else:
        with location.open_records() as records:
            tables = job_tables(records)
    return [(name, tables[name]) for name in sorted(wanted)]


# -- output ----------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def render(table: pa.Table, output_format: OutputFormat) -> str:
    """The result as text: an aligned table, CSV or a JSON list of objects."""
    names = table.column_names
    rows = [[_cell(v) for v in row.values()] for row in table.to_pylist()]
    if output_format == "json":
        objects = [dict(zip(names, row, strict=True)) for row in rows]
        return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return buffer.getvalue()
    text_rows = [[("NULL" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(n), *(len(r[i]) for r in text_rows)]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in text_rows]
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return "\n".join([line.rstrip(), rule, *(b.rstrip() for b in body), footer]) + "\n"


def write_parquet(table: pa.Table, path: str) -> None:
    import pyarrow.parquet as pq

    try:
        pq.write_table(table, path)
    except OSError as error:
        raise ViresRepoError(f"cannot write {path}: {error}") from None
