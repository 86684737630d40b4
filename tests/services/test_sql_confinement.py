"""User SQL runs on a connection that cannot write the catalogue even when the statement
check (only plain queries) is bypassed: the confined connection is called directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from vires_repo.catalog import Catalog
from vires_repo.errors import QueryError
from vires_repo.products.manifest import manifest_path
from vires_repo.products.schema import ProductRecord
from vires_repo.services import sql

MAGA = "SW_OPER_MAGA_LR_1B"


@pytest.fixture
def filled(catalog: Catalog) -> Catalog:
    begin = datetime(2020, 1, 1, tzinfo=UTC)
    catalog.products.upsert(
        MAGA,
        [
            ProductRecord(
                collection=MAGA,
                identifier=f"P{day}",
                product_type="SW_MAGx_LR_1B",
                begin_time=begin + timedelta(days=day),
                end_time=begin + timedelta(days=day, hours=23),
            )
            for day in range(3)
        ],
    )
    return catalog


@pytest.mark.parametrize(
    "statement",
    [
        "COPY (SELECT 1 AS a) TO '{manifest}' (FORMAT json, USE_TMP_FILE false)",
        "COPY (SELECT 1 AS a) TO '{manifest}' (FORMAT json)",
        "EXPLAIN ANALYZE COPY (SELECT 1 AS a) TO '{manifest}' (FORMAT json)",
        "COPY (SELECT 1 AS a) TO '{root}/products/new.parquet'",
        "EXPORT DATABASE '{root}/export'",
        "ATTACH '{root}/catalogue.duckdb' AS other",
        "SELECT * FROM read_text('{manifest}')",
    ],
)
def test_statements_past_the_check_cannot_write_or_read_other_catalogue_files(
    filled: Catalog, statement: str
) -> None:
    root = filled.storage.url_of()
    manifest = filled.storage.url_of(manifest_path(MAGA))
    before = {p: p.read_bytes() for p in Path(root).rglob("*") if p.is_file()}
    views = sql.view_statements(filled)

    with pytest.raises(QueryError, match="Permission Error"):
        sql._query_confined(filled, views, {}, statement.format(root=root, manifest=manifest))
    assert {p: p.read_bytes() for p in Path(root).rglob("*") if p.is_file()} == before
    counted = sql._query_confined(filled, views, {}, "SELECT count(*) AS n FROM products")
    assert counted.to_pylist() == [{"n": 3}]
