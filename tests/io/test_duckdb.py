"""The DuckDB seam: statement kinds from DuckDB's parser, table names, errors."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vires_repo.errors import IndexFormatError, QueryError
from vires_repo.io.duckdb import (
    confine,
    identifiers,
    open_connection,
    query,
    run_statement,
    sql_list,
    sql_literal,
    statement_kinds,
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


def test_identifiers_skip_strings_and_comments_and_unquote() -> None:
    sql = (
        "WITH x AS (SELECT 'dst' AS y) SELECT * FROM x, \"F1\"\"07\", read_parquet(['a.parquet'])"
        " WHERE 1 IN (FROM main.Orbit_Counter) -- kp"
    )

    assert identifiers(sql) == {"x", "y", 'f1"07', "read_parquet", "main", "orbit_counter"}


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


@pytest.mark.parametrize(
    "statement",
    [
        "COPY (SELECT 1 AS a) TO '{outside}/x.csv'",
        "COPY (SELECT 1 AS a) TO '{outside}/x.csv' (USE_TMP_FILE false)",
        "EXPLAIN ANALYZE COPY (SELECT 1 AS a) TO '{outside}/x.parquet'",
        "ATTACH '{outside}/x.duckdb' AS other",
        "EXPORT DATABASE '{outside}/export'",
        "SELECT * FROM read_text('{outside}/secret.txt')",
        "SELECT * FROM read_text('{root}/../outside/secret.txt')",
        "SELECT * FROM glob('{outside}/*')",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')",
        "SET enable_external_access = true",
        "SET allowed_directories = ['/']",
        "RESET lock_configuration",
        "PRAGMA enable_profiling = 'json'",
        # under the root: only the files the views read are reachable
        "COPY (SELECT 1 AS a) TO '{root}/new.csv'",
        "COPY (SELECT 1 AS a) TO '{root}/new.csv' (USE_TMP_FILE false)",
        "COPY (SELECT 1 AS a) TO '{root}/_manifest.json' (FORMAT json, USE_TMP_FILE false)",
        "EXPLAIN ANALYZE COPY (SELECT 1 AS a) TO '{root}/_manifest.json' (FORMAT json)",
        "ATTACH '{root}/catalogue.duckdb' AS other",
        "EXPORT DATABASE '{root}/export'",
        "SELECT * FROM read_text('{root}/_manifest.json')",
        "SELECT * FROM glob('{root}/*')",
        "SET allowed_paths = ['{root}/_manifest.json']",
    ],
)
def test_a_confined_connection_reads_its_views_and_nothing_outside_the_root(
    tmp_path: Path, statement: str
) -> None:
    """The structural guard alone (no statement check): whatever DuckDB runs, nothing is
    written or read outside the catalogue root and no setting can be changed back."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    pq.write_table(pa.table({"x": [1, 2]}), root / "data.parquet")
    (root / "_manifest.json").write_text("{}")
    storage = Storage(str(root))
    connection = open_connection(
        storage, [f"CREATE VIEW data AS SELECT * FROM read_parquet('{root}/data.parquet')"]
    )
    confine(connection, storage, [f"{root}/data.parquet"])

    with pytest.raises(QueryError, match="^SQL error: (Permission|Invalid Input) Error"):
        query(connection, statement.format(outside=outside, root=root))
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert sorted(p.name for p in root.iterdir()) == ["_manifest.json", "data.parquet"]
    assert (root / "_manifest.json").read_text() == "{}"
    assert query(connection, "SELECT sum(x) AS s FROM data").to_pylist() == [{"s": 3}]
    assert query(connection, f"SELECT count(*) AS n FROM '{root}/data.parquet'").num_rows == 1


@pytest.mark.parametrize(
    "statement",
    [
        "COPY (SELECT 1 AS x) TO '{data}' (USE_TMP_FILE false)",
        "COPY (SELECT 1 AS x) TO '{data}'",
        "COPY (SELECT 1 AS x) TO '{root}/new.parquet'",
    ],
)
def test_a_catalogue_off_the_local_disk_cannot_be_written_even_where_it_is_read(
    statement: str,
) -> None:
    """Not even the files the views read: DuckDB reads such a catalogue through a read-only
    view of its filesystem."""
    storage = Storage(f"memory://duckdb-read-only-{uuid.uuid4().hex}")
    buffer = io.BytesIO()
    pq.write_table(pa.table({"x": [1, 2]}), buffer)
    storage.write_bytes("data.parquet", buffer.getvalue())
    data = storage.url_of("data.parquet")
    connection = open_connection(
        storage, [f"CREATE VIEW data AS SELECT * FROM read_parquet('{data}')"]
    )
    confine(connection, storage, [data])

    with pytest.raises(QueryError, match="^SQL error: .*(read-only|Permission)"):
        query(connection, statement.format(data=data, root=storage.url_of()))
    assert storage.read_bytes("data.parquet") == buffer.getvalue()
    assert storage.listdir() == ["data.parquet"]
    assert query(connection, "SELECT sum(x) AS s FROM data").to_pylist() == [{"s": 3}]
