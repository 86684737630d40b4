"""The Parquet partition files of a stored table: schema, pinned layout, format tag."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vires_repo.errors import IndexFormatError
from vires_repo.io.parquet import FORMAT_KEY
from vires_repo.orbit_direction.extract import Boundaries
from vires_repo.orbit_direction.manifest import FORMAT_VERSION
from vires_repo.orbit_direction.partitions import (
    content_hash,
    points_bytes,
    points_table,
    read_points,
    read_sources,
    sources_bytes,
    sources_table,
)
from vires_repo.orbit_direction.table import Source

POINTS = Boundaries(
    np.array(["2016-01-01T00:00", "2016-01-01T00:20", "2016-01-01T01:10"], "datetime64[ms]"),
    np.array([1, 0, -1], np.int8),
    np.array([1, -1, 0], np.int8),
)
SOURCES = [
    Source(
        "A", np.datetime64("2016-01-01T00:00", "ms"), np.datetime64("2016-01-01T01:09:59", "ms")
    ),
    Source(
        "B", np.datetime64("2016-01-01T02:00", "ms"), np.datetime64("2016-01-01T02:09:59", "ms")
    ),
]


def tagged(arrow: pa.Table, version: int = FORMAT_VERSION) -> bytes:
    """Parquet bytes written by plain pyarrow, with a format tag of ``version``."""
    stream = pa.BufferOutputStream()
    tag = {FORMAT_KEY: json.dumps({"format_version": version}).encode()}
    pq.write_table(arrow.replace_schema_metadata(tag), stream)
    return bytes(stream.getvalue().to_pybytes())


def test_arrow_schemas():
    point_rows, source_rows = points_table(POINTS), sources_table(SOURCES)
    assert point_rows.schema.field("time").type == pa.timestamp("ms", tz="UTC")
    assert point_rows.schema.field("boundary_type").type == pa.int8()
    assert source_rows.column("product_id").to_pylist() == ["A", "B"]
    assert source_rows.schema.field("end").type == pa.timestamp("ms", tz="UTC")


def test_round_trip_with_the_pinned_writer():
    assert read_points(points_bytes(POINTS), "points").equals(POINTS)
    assert read_sources(sources_bytes(SOURCES), "sources") == SOURCES
    assert read_points(tagged(points_table(POINTS)), "points").equals(POINTS)


def test_same_rows_same_bytes_and_the_pinned_layout():
    assert points_bytes(POINTS) == points_bytes(POINTS)
    assert sources_bytes(SOURCES) == sources_bytes(SOURCES)
    assert content_hash(points_bytes(POINTS)) != content_hash(sources_bytes(SOURCES))
    points = pq.ParquetFile(pa.BufferReader(points_bytes(POINTS))).metadata
    sources = pq.ParquetFile(pa.BufferReader(sources_bytes(SOURCES))).metadata
    time_column = points.row_group(0).column(0)
    assert time_column.compression == "ZSTD"
    assert "DELTA_BINARY_PACKED" in time_column.encodings
    assert "RLE_DICTIONARY" in sources.row_group(0).column(0).encodings  # product_id
    assert "DELTA_BINARY_PACKED" in sources.row_group(0).column(1).encodings
    assert json.loads(points.metadata[FORMAT_KEY]) == {"format_version": FORMAT_VERSION}
    assert b"ARROW:schema" not in points.metadata


def test_files_without_or_with_another_format_tag_are_refused():
    stream = pa.BufferOutputStream()
    pq.write_table(points_table(POINTS), stream)
    with pytest.raises(IndexFormatError, match="points is not a vires_repo orbit-direction"):
        read_points(bytes(stream.getvalue().to_pybytes()), "points")
    with pytest.raises(IndexFormatError, match="orbit-direction table format version 1"):
        read_points(tagged(points_table(POINTS), version=1), "points")
    with pytest.raises(IndexFormatError, match="points: unreadable orbit-direction partition"):
        read_points(tagged(points_table(POINTS).drop(["time"])), "points")
    with pytest.raises(IndexFormatError, match="junk: unreadable orbit-direction partition"):
        read_points(b"not parquet", "junk")
