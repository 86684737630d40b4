"""The one Parquet writer: pinned settings, the format tag, a writer name free of patch versions."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vires_repo.errors import IndexFormatError
from vires_repo.io.parquet import FORMAT_KEY, ParquetLayout, check_format_tag, parquet_bytes

SCHEMA = pa.schema([pa.field("time", pa.timestamp("us", tz="UTC")), pa.field("name", pa.string())])
LAYOUT = ParquetLayout(write_statistics=["time"], row_group_size=1_000)


def _table(rows: int) -> pa.Table:
    times = pa.array(range(rows), pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    return pa.table({"time": times, "name": [f"n{i % 7}" for i in range(rows)]}, schema=SCHEMA)


def test_the_same_rows_give_the_same_bytes_and_read_back() -> None:
    table = _table(2_500)

    first = parquet_bytes(table, SCHEMA, LAYOUT, {"format_version": 1})
    second = parquet_bytes(table, SCHEMA, LAYOUT, {"format_version": 1})
    parquet = pq.ParquetFile(pa.BufferReader(first))

    assert first == second
    assert parquet.read().equals(table)
    assert parquet.metadata.num_row_groups == 3
    assert parquet.metadata.row_group(0).column(0).statistics.has_min_max
    assert parquet.metadata.metadata[FORMAT_KEY] == b'{"format_version": 1}'


def test_the_footer_names_the_major_version_only(tmp_path: Path) -> None:
    """A pyarrow patch release must not change the bytes (and content-derived names)."""
    path = tmp_path / "t.parquet"
    path.write_bytes(parquet_bytes(_table(10), SCHEMA, LAYOUT, {"format_version": 1}))
    major = pa.__version__.split(".")[0]

    assert pq.ParquetFile(path).metadata.created_by == f"parquet-cpp-arrow version {major}.0.0"
    created_by = duckdb.sql(
        "SELECT created_by FROM parquet_file_metadata(?)", params=[str(path)]
    ).fetchall()
    rows = duckdb.sql("SELECT count(*) FROM read_parquet(?)", params=[str(path)]).fetchall()
    assert created_by == [(f"parquet-cpp-arrow version {major}.0.0",)]
    assert rows == [(10,)]


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        (None, "x.parquet is not a vires_repo thing file (no format tag)"),
        ({FORMAT_KEY: b"{"}, "x.parquet has an unreadable format tag b'{'"),
        (
            {FORMAT_KEY: b'{"format_version": 2}'},
            "x.parquet has thing format version 2; this vires_repo reads version 1 only",
        ),
    ],
)
def test_a_file_of_another_format_is_refused(
    metadata: dict[bytes, bytes] | None, message: str
) -> None:
    with pytest.raises(IndexFormatError) as caught:
        check_format_tag(metadata, "x.parquet", "thing", 1)

    assert str(caught.value).startswith(message)
