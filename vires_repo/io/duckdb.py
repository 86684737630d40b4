"""The DuckDB seam: the only module that imports duckdb.

It opens in-memory connections (times in UTC; a non-local catalogue is read through the
Storage's own fsspec filesystem), runs parameterised statements into Arrow tables, and
tells what kind of statements a SQL text holds, with DuckDB's own parser. It knows nothing
of the catalogue: the views are built elsewhere (:mod:`vires_repo.sql.views`).

DuckDB errors become one-line :class:`~vires_repo.errors.QueryError`\\s, except a file that
cannot be read, which is an :class:`~vires_repo.errors.IndexFormatError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from vires_repo.errors import IndexFormatError, QueryError

if TYPE_CHECKING:
    from vires_repo.io.storage import Storage

Connection = duckdb.DuckDBPyConnection


def sql_literal(value: str) -> str:
    """A SQL string literal, for DDL that has to stand alone (file names in view bodies)."""
    return "'" + value.replace("'", "''") + "'"


def sql_list(values: Sequence[str]) -> str:
    """A SQL list of string literals, one per line (readable DDL for long file lists)."""
    if not values:
        return "[]"
    return "[\n    " + ",\n    ".join(sql_literal(value) for value in values) + "\n]"


def _one_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def open_connection(
    storage: Storage,
    statements: Sequence[str] = (),
    *,
    tables: Mapping[str, pa.Table] | None = None,
    threads: int | None = None,
) -> Connection:
    """An in-memory connection over ``storage`` (times in UTC) with the Arrow ``tables``
    registered as views and the given ``statements`` (view definitions) run."""
    connection = duckdb.connect()
    if threads is not None:
        connection.execute("SET threads = ?", [threads])
    connection.execute("SET TimeZone = 'UTC'")
    if not storage.is_local:
        connection.register_filesystem(storage.fs)
    for name, table in (tables or {}).items():
        connection.register(name, table)
    for statement in statements:
        connection.execute(statement)
    return connection


def query(connection: Connection, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
    """Run one parameterised statement and return the result as an Arrow table."""
    try:
        return connection.sql(sql, params=params).to_arrow_table()
    except duckdb.IOException as error:
        raise IndexFormatError(f"SQL error: {_one_line(error)}") from None
    except duckdb.Error as error:
        raise QueryError(f"SQL error: {_one_line(error)}") from None


def run_statement(
    sql: str,
    params: Mapping[str, Any] | None = None,
    *,
    tables: Mapping[str, pa.Table] | None = None,
) -> pa.Table:
    """Run one parameterised statement on a fresh in-memory connection (times in UTC) with
    the given Arrow ``tables`` registered; DuckDB's error is the QueryError's message."""
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        for name, table in (tables or {}).items():
            connection.register(name, table)
        return connection.sql(sql, params=params).to_arrow_table()
    except duckdb.Error as error:
        raise QueryError(_one_line(error)) from None
    finally:
        connection.close()


def _parse(sql: str) -> list[duckdb.Statement]:
    try:
        return list(duckdb.extract_statements(sql))
    except duckdb.Error as error:
        raise QueryError(f"invalid SQL: {_one_line(error)}") from None


def _explained(text: str) -> str:
    """The statement an ``EXPLAIN [ANALYZE] [(options)] <statement>`` explains: the first
    tail of ``text``, at a token DuckDB's tokenizer finds, that DuckDB parses alone."""
    for position, _ in duckdb.tokenize(text)[1:]:
        try:
            statements = duckdb.extract_statements(text[position:])
        except duckdb.Error:
            continue
        if len(statements) == 1:
            return text[position:]
    raise QueryError(f"invalid SQL: cannot tell what {text!r} explains")


def _kind(statement: duckdb.Statement) -> str:
    kind = str(statement.type.name)
    if kind != "EXPLAIN":
        return kind
    [inner] = _parse(_explained(statement.query))
    return f"{kind} {_kind(inner)}"


def statement_kinds(sql: str) -> list[str]:
    """The kind of each statement in ``sql``: DuckDB's statement type (``SELECT`` covers
    ``FROM ...``, ``VALUES``, ``DESCRIBE``, ``SHOW``, ``SUMMARIZE``), and for an ``EXPLAIN``
    the kind of what it explains as well (``EXPLAIN INSERT``: ``EXPLAIN ANALYZE`` runs it)."""
    return [_kind(statement) for statement in _parse(sql)]


def table_names(sql: str) -> set[str]:
    """The names of the tables and views a (valid) statement reads, as DuckDB finds them
    (not the names of its common table expressions, not words inside strings)."""
    try:
        return set(duckdb.get_table_names(sql, qualified=False))
    except duckdb.Error as error:
        raise QueryError(f"invalid SQL: {_one_line(error)}") from None
