"""``vires-repo sql``: read-only SQL over the catalogue with DuckDB."""

from __future__ import annotations

import sys
from typing import Annotated, Literal

from cyclopts import Parameter

from vires_repo.cli import _common
from vires_repo.cli._options import JobsRoot
from vires_repo.errors import UsageError


def sql(
    statement: Annotated[
        str | None,
        Parameter(
            help="One read statement (SELECT ...). It may read the catalogue's views and the "
            "files under the catalogue root, nothing else: no other file, URL or extension, "
            "no SET or PRAGMA. Ctrl-C stops it (exit 130)."
        ),
    ] = None,
    /,
    *,
    file: Annotated[str | None, Parameter(name=["--file", "-f"], allow_leading_hyphen=True)] = None,
    format_: Annotated[
        Literal["table", "csv", "json", "parquet"] | None, Parameter(name="--format")
    ] = None,
    output: Annotated[str | None, Parameter(name=["--output", "-o"])] = None,
    views: Annotated[bool, Parameter(name="--views")] = False,
    jobs_root: JobsRoot = None,
) -> None:
    """Query the catalogue with DuckDB SQL (read-only).

    Views: product_types, product_collections (one row per definition file, with the whole
    definition as JSON), products (one row per registered product), product_datasets (one row
    per dataset entry: locations, observatory index ranges and positions),
    orbit_direction_boundaries and orbit_direction_sources, and, inside vires-repo sql only,
    the cached products orbit_counter, f107, kp, dst and the job records jobs (one row per
    job) and job_tasks (one row per task of a job). Example:

        vires-repo sql "SELECT collection, count(*) FROM products GROUP BY ALL"

    Parameters
    ----------
    file
        Read the statement from this file ('-' reads standard input).
    format_
        Output format: an aligned table (default on a terminal), csv (default otherwise),
        json, or parquet (needs --output).
    output
        Write the result to this file instead of standard output.
    views
        Print the CREATE VIEW statements, which work the same in any DuckDB client, and exit.
    """
    from vires_repo.services import sql as service

    catalog = _common.session.catalog()
    if views:
        _common.write_output(
            output or "-", ";\n\n".join(v.strip() for v in service.view_statements(catalog)) + ";\n"
        )
        return
    if (statement is None) == (file is None):
        raise UsageError("give the SQL statement as an argument or with --file (one of them)")
    text = statement if file is None else _common.read_input(file)[0].decode("utf-8")
    chosen = format_ or ("table" if sys.stdout.isatty() and not output else "csv")
    if chosen == "parquet" and not output:
        raise UsageError("--format parquet needs --output FILE")
    result = service.run_sql(catalog, text or "", jobs_root)
    if chosen == "parquet" and output:
        service.write_parquet(result, output)
        return
    _common.write_output(output or "-", service.render(result, chosen))
