"""Ad-hoc SQL over a catalogue (``vires-repo sql``): views, read-only queries, output formats.

The views are plain ``CREATE VIEW`` statements over the catalogue's files (the file lists
written out as literals), so ``vires-repo sql --views`` prints DDL that works the same in any
DuckDB client. Queries are read-only: only SELECT-like statements run.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from vires_repo.catalog import Catalog
from vires_repo.errors import ViresRepoError
from vires_repo.timespec import format_datetime

if TYPE_CHECKING:
    import pyarrow as pa

OutputFormat = Literal["table", "csv", "json", "parquet"]

# DuckDB statement types that only read.
READ_ONLY_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA"})


def _json_files_view(name: str, urls: Sequence[str], columns: Sequence[tuple[str, str]]) -> str:
    """A view with one row per JSON definition file; ``columns`` are (expression, alias)."""
    from vires_repo.query import sql_list

    select = ",\n    ".join(f"{expr} AS {alias}" for expr, alias in columns)
    source = (
        f"read_text({sql_list(urls)})" if urls else "(SELECT NULL::VARCHAR AS content WHERE false)"
    )
    return (
        f"CREATE OR REPLACE VIEW {name} AS\nSELECT\n    {select},\n"
        f"    CAST(content AS JSON) AS definition\nFROM {source}"
    )


def _string(key: str) -> str:
    return f"json_extract_string(content, '$.{key}')"


def _time(key: str) -> str:
    return f"TRY_CAST({_string(key)} AS TIMESTAMPTZ)"


def definition_views(catalog: Catalog) -> list[str]:
    storage = catalog.storage

    def urls(folder: str) -> list[str]:
        return [
            storage.url_of(f"{folder}/{name}")
            for name in storage.listdir(folder)
            if name.endswith(".json")
        ]

    types = _json_files_view(
        "product_types",
        urls(catalog.product_types.kind.folder),
        [
            (_string("name"), "name"),
            (f"COALESCE({_string('fileType')}, 'CDF-generic')", "file_type"),
            (_string("defaultDataset"), "default_dataset"),
            (_string("description"), "description"),
            (_time("created"), "created"),
            (_time("updated"), "updated"),
        ],
    )
    collections = _json_files_view(
        "product_collections",
        urls(catalog.product_collections.kind.folder),
        [
            (_string("name"), "name"),
            (_string("productType"), "product_type"),
            (_string("mission"), "mission"),
            (_string("spacecraft"), "spacecraft"),
            (f"NULLIF({_string('grade')}, '')", "grade"),
            (_string("nominalSampling"), "nominal_sampling"),
            (
                f"COALESCE(TRY_CAST({_string('calculateOrbitDirection')} AS BOOLEAN), false)",
                "calculate_orbit_direction",
            ),
            (_string("requiredPermission"), "required_permission"),
            (_time("created"), "created"),
            (_time("updated"), "updated"),
        ],
    )
    return [types, collections]


def view_statements(catalog: Catalog) -> list[str]:
    """Every view of the catalogue as standalone DDL."""
    catalog.require_existing()
    from vires_repo.query import product_view_statements
    from vires_repo.services import orbit_direction

    return [
        *definition_views(catalog),
        *product_view_statements(catalog.products),
        *orbit_direction.view_statements(catalog),
    ]


def run_sql(catalog: Catalog, statement: str) -> pa.Table:
    """Run one read-only statement over the catalogue's views."""
    from vires_repo import query

    kinds = query.statement_types(statement)
    if len(kinds) != 1:
        raise ViresRepoError(f"give exactly one SQL statement (got {len(kinds)})")
    if kinds[0] not in READ_ONLY_STATEMENTS:
        raise ViresRepoError(
            f"the catalogue is read-only through SQL: {kinds[0]} statements are refused "
            "(change the catalogue with the vires-repo commands)"
        )
    catalog.require_existing()
    connection = query.open_connection(
        catalog.storage, view_statements(catalog), tables=_table_views(catalog, statement)
    )
    return query.query(connection, statement)


def _table_views(catalog: Catalog, statement: str) -> dict[str, pa.Table]:
    """The cached-product views (orbit_counter, f107, kp, dst) the statement names.

    They are read from the cached CDF files, so only the ones a query uses are loaded; they
    exist inside ``vires-repo sql`` only (no DuckDB reader for CDF).
    """
    from vires_repo.cached_products.views import CACHED_TABLE_SCHEMAS
    from vires_repo.services.cached_product import cached_product_tables

    words = set(re.findall(r"[a-z_0-9]+", statement.lower()))
    if not words.intersection(CACHED_TABLE_SCHEMAS):
        return {}
    return {k: v for k, v in cached_product_tables(catalog).items() if k in words}


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
