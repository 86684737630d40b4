"""The Parquet files of a stored orbit-direction table: a month's points or sources.

Files are named after their content hash and written with pinned settings by
:mod:`vires_repo.io.parquet` (same rows, same bytes), tagged with the table format version,
which readers check before trusting the content.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from vires_repo.errors import IndexFormatError
from vires_repo.io.parquet import ParquetLayout, check_format_tag, parquet_bytes
from vires_repo.orbit_direction.extract import Boundaries, TimeArray
from vires_repo.orbit_direction.manifest import FORMAT_VERSION
from vires_repo.orbit_direction.table import Source

POINTS_SCHEMA = pa.schema(
    [
        ("time", pa.timestamp("ms", tz="UTC")),
        ("boundary_type", pa.int8()),
        ("orbit_direction", pa.int8()),
    ]
)
SOURCES_SCHEMA = pa.schema(
    [
        ("product_id", pa.string()),
        ("start", pa.timestamp("ms", tz="UTC")),
        ("end", pa.timestamp("ms", tz="UTC")),
    ]
)
_HASH_CHARS = 12
_MS = "datetime64[ms]"
_FORMAT_TAG = {"format_version": FORMAT_VERSION}
_WHAT = "orbit-direction table"
POINTS_LAYOUT = ParquetLayout(compression_level=9, column_encoding={"time": "DELTA_BINARY_PACKED"})
"""Times grow steadily (delta-encoded); types and directions are a few small integers."""
SOURCES_LAYOUT = ParquetLayout(
    compression_level=9,
    use_dictionary=["product_id"],
    column_encoding={"start": "DELTA_BINARY_PACKED", "end": "DELTA_BINARY_PACKED"},
)


def content_hash(data: bytes) -> str:
    """The short content hash that names a partition file."""
    return hashlib.sha256(data).hexdigest()[:_HASH_CHARS]


def points_table(boundaries: Boundaries) -> pa.Table:
    return pa.table(
        [
            pa.array(boundaries.times.astype(_MS), POINTS_SCHEMA.field("time").type),
            pa.array(boundaries.types, pa.int8()),
            pa.array(boundaries.directions, pa.int8()),
        ],
        schema=POINTS_SCHEMA,
    )


def sources_table(sources: Sequence[Source]) -> pa.Table:
    time_type = SOURCES_SCHEMA.field("start").type
    return pa.table(
        [
            pa.array([s.product_id for s in sources], pa.string()),
            pa.array(np.array([s.start for s in sources], _MS), time_type),
            pa.array(np.array([s.end for s in sources], _MS), time_type),
        ],
        schema=SOURCES_SCHEMA,
    )


def points_bytes(boundaries: Boundaries) -> bytes:
    return parquet_bytes(points_table(boundaries), POINTS_SCHEMA, POINTS_LAYOUT, _FORMAT_TAG)


def sources_bytes(sources: Sequence[Source]) -> bytes:
    return parquet_bytes(sources_table(sources), SOURCES_SCHEMA, SOURCES_LAYOUT, _FORMAT_TAG)


def read_points(data: bytes, where: str) -> Boundaries:
    table = _read_parquet(data, where, POINTS_SCHEMA)
    return Boundaries(
        _times(table.column("time")),
        table.column("boundary_type").to_numpy().astype(np.int8),
        table.column("orbit_direction").to_numpy().astype(np.int8),
    )


def read_sources(data: bytes, where: str) -> list[Source]:
    table = _read_parquet(data, where, SOURCES_SCHEMA)
    starts, ends = _times(table.column("start")), _times(table.column("end"))
    ids = table.column("product_id").to_pylist()
    return [Source(str(i), s, e) for i, s, e in zip(ids, starts, ends, strict=True)]


def _times(column: pa.ChunkedArray) -> TimeArray:
    times: TimeArray = np.asarray(column.to_numpy(), _MS)  # a null is NaT
    return times


def _read_parquet(data: bytes, where: str, schema: pa.Schema) -> pa.Table:
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
    except pa.ArrowException as error:
        raise IndexFormatError(f"{where}: unreadable orbit-direction partition: {error}") from None
    check_format_tag(parquet.metadata.metadata, where, _WHAT, FORMAT_VERSION)
    try:
        table = parquet.read().select(schema.names)
        # Table.cast imports pyarrow.compute (20-30 ms): only a file of other types needs it
        return table if table.schema.equals(schema) else table.cast(schema)
    except (pa.ArrowException, KeyError) as error:
        raise IndexFormatError(f"{where}: unreadable orbit-direction partition: {error}") from None
