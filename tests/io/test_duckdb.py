"""The DuckDB seam: statement kinds from DuckDB's parser, table names, errors."""

from __future__ import annotations

import pyarrow as pa
import pytest

from vires_repo.errors import IndexFormatError, QueryError
from vires_repo.io.duckdb import (
    open_connection,
    query,
    run_statement,
    sql_list,
    sql_literal,
    statement_kinds,
    table_names,
)
from vires_repo.io.storage import Storage


@pytest.mark.parametrize(
    ("sql", "kinds"),
    [
        ("SELECT 1", ["SELECT"]),
        ("FROM products", ["SELECT"]),
        ("WITH a AS (SELECT 1) SELECT * FROM a", ["SELECT"]),
        ("DESCRIBE products", ["SELECT"]),
        ("SELECT 1; SELECT 2", ["SELECT", "SELECT"]),
        ("INSERT INTO t VALUES (1)", ["INSERT"]),
        ("EXPLAIN SELECT 1", ["EXPLAIN SELECT"]),
        ("EXPLAIN (FORMAT json) SELECT 1", ["EXPLAIN SELECT"]),
        ("EXPLAIN ANALYZE SELECT 1", ["EXPLAIN SELECT"]),
        ("explain analyze insert into t select 1", ["EXPLAIN INSERT"]),
        ("EXPLAIN ANALYZE COPY (SELECT 1) TO 'x.csv'", ["EXPLAIN COPY"]),
        ("EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1", ["EXPLAIN CREATE"]),
    ],
)
def test_statement_kinds_come_from_duckdbs_parser(sql: str, kinds: list[str]) -> None:
    assert statement_kinds(sql) == kinds


def test_unparsable_sql_is_a_one_line_query_error() -> None:
    with pytest.raises(QueryError, match=r"^invalid SQL: Parser Error: syntax error") as raised:
        statement_kinds("SELEC 1")
    assert "\n" not in str(raised.value)


def test_table_names_skip_common_table_expressions_and_strings() -> None:
    sql = (
        "WITH kp AS (SELECT 'dst' AS x) SELECT * FROM kp, f107 WHERE 1 IN (FROM main.orbit_counter)"
    )

    assert table_names(sql) == {"f107", "orbit_counter"}


def test_literals_are_quoted() -> None:
    assert sql_literal("it's") == "'it''s'"
    assert sql_list([]) == "[]"
    assert sql_list(["a", "b"]) == "[\n    'a',\n    'b'\n]"


def test_a_connection_sees_registered_tables_and_views_in_utc() -> None:
    connection = open_connection(
        Storage("memory://duckdb-seam"),
        ["CREATE VIEW doubled AS SELECT 2 * x AS y FROM numbers"],
        tables={"numbers": pa.table({"x": [1, 2]})},
    )

    assert query(connection, "SELECT y FROM doubled ORDER BY y").to_pylist() == [
        {"y": 2},
        {"y": 4},
    ]
    assert query(connection, "SELECT current_setting('TimeZone') AS tz").to_pylist() == [
        {"tz": "UTC"}
    ]


def test_query_errors_name_duckdbs_reason() -> None:
    connection = open_connection(Storage("memory://duckdb-seam"))

    with pytest.raises(QueryError, match="^SQL error: Catalog Error: Table with name nope"):
        query(connection, "SELECT * FROM nope")
    with pytest.raises(IndexFormatError, match="^SQL error: IO Error"):
        query(connection, "SELECT * FROM read_parquet('/nonexistent/x.parquet')")
    with pytest.raises(QueryError, match="Conversion Error"):
        run_statement("SELECT CAST($v AS INTEGER)", {"v": "x"})
