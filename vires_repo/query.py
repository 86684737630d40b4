"""DuckDB over a catalogue: ad-hoc SQL on the product index (the only module importing duckdb).

:func:`connect` opens an in-memory DuckDB connection with two views over exactly the data
files the manifests list (a committed snapshot; never a glob, so files of an interrupted
writer stay invisible), minus tombstoned rows:

* ``products``: one row per product, the columns of the Parquet index;
* ``product_datasets``: one row per dataset entry of a product (``collection, identifier,
  dataset, location, index_start, index_stop, begin_time, end_time, latitude, longitude,
  radius``); observatory datasets carry their own index range, times and position, other
  datasets inherit the product's times.

The library's own hot lookups use pyarrow instead (see products/index.py): opening a
connection costs more than an identifier lookup takes. Values are always passed as
parameters, never formatted into SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa

from .products import ProductIndex
from .products.schema import SCHEMA
from .storage import Storage

_FILES_VARIABLE = "vires_product_files"
_TOMBSTONES = pa.schema(
    [("collection", pa.string()), ("file", pa.string()), ("identifier", pa.string())]
)

_PRODUCTS_FROM_FILES = """
CREATE OR REPLACE TEMP VIEW products AS
SELECT p.* EXCLUDE (filename)
FROM read_parquet(getvariable('vires_product_files'), filename = true, hive_partitioning = false) p
WHERE NOT EXISTS (
    SELECT 1 FROM _product_tombstones t
    WHERE t.collection = p.collection
      AND t.identifier = p.identifier
      AND t.file = parse_filename(p.filename)
)
"""
_PRODUCTS_EMPTY = "CREATE OR REPLACE TEMP VIEW products AS SELECT * FROM _product_empty"
_PRODUCT_DATASETS = """
CREATE OR REPLACE TEMP VIEW product_datasets AS
SELECT
    p.collection,
    p.identifier,
    d.key AS dataset,
    json_extract_string(d.value, '$.location') AS location,
    TRY_CAST(json_extract_string(d.value, '$.indexRange[0]') AS BIGINT) AS index_start,
    TRY_CAST(json_extract_string(d.value, '$.indexRange[1]') AS BIGINT) AS index_stop,
    COALESCE(
        TRY_CAST(json_extract_string(d.value, '$.beginTime') AS TIMESTAMPTZ), p.begin_time
    ) AS begin_time,
    COALESCE(
        TRY_CAST(json_extract_string(d.value, '$.endTime') AS TIMESTAMPTZ), p.end_time
    ) AS end_time,
    TRY_CAST(json_extract_string(d.value, '$.geographicLocation.latitude') AS DOUBLE)
        AS latitude,
    TRY_CAST(json_extract_string(d.value, '$.geographicLocation.longitude') AS DOUBLE)
        AS longitude,
    TRY_CAST(json_extract_string(d.value, '$.geographicLocation.radius') AS DOUBLE) AS radius
FROM products p, json_each(p.datasets) d
"""


def connect(storage: Storage, *, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the ``products`` and ``product_datasets`` views.

    Non-local catalogues are read through the Storage's own fsspec filesystem. Times are
    shown in UTC. The views are a snapshot of the manifests at connection time; call
    :func:`refresh_views` to see later commits.
    """
    connection = duckdb.connect()
    if threads is not None:
        connection.execute("SET threads = ?", [threads])
    connection.execute("SET TimeZone = 'UTC'")
    if not storage.is_local:
        connection.register_filesystem(storage.fs)
    refresh_views(connection, ProductIndex(storage))
    return connection


def refresh_views(connection: duckdb.DuckDBPyConnection, index: ProductIndex) -> None:
    """(Re)create the views over the files the manifests list now."""
    files: list[str] = []
    tombstones: dict[str, list[str]] = {name: [] for name in _TOMBSTONES.names}
    for collection in index.collections():
        for entry in index.manifest(collection).files:
            files.append(index.file_url(collection, entry))
            for identifier in sorted(entry.tombstones):
                tombstones["collection"].append(collection)
                tombstones["file"].append(entry.file)
                tombstones["identifier"].append(identifier)
    connection.register("_product_tombstones", pa.Table.from_pydict(tombstones, schema=_TOMBSTONES))
    if files:
        connection.execute(f"SET VARIABLE {_FILES_VARIABLE} = ?", [files])
        connection.execute(_PRODUCTS_FROM_FILES)
    else:
        connection.register("_product_empty", SCHEMA.empty_table())
        connection.execute(_PRODUCTS_EMPTY)
    connection.execute(_PRODUCT_DATASETS)


def query(
    connection: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None
) -> pa.Table:
    """Run one parameterised statement and return the result as an Arrow table."""
    return connection.sql(sql, params=params).to_arrow_table()
