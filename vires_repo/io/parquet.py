"""Parquet writing and the format tag: one writer configuration for every catalogue file.

The settings that decide the bytes (format version, codec, page version, no embedded Arrow
schema) are pinned here, so the same rows give the same bytes; what differs between kinds of
file (compression level, dictionary and statistics columns, encodings, row groups) is a
:class:`ParquetLayout`. Every file carries a format tag in its key-value metadata, under
:data:`FORMAT_KEY`, that readers check before they trust the content. (The footer also names
the writing pyarrow version, which is why pyproject.toml pins pyarrow's major version.)
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.parquet as pq

from vires_repo.errors import IndexFormatError

FORMAT_KEY = b"vires_repo"


@dataclass(frozen=True)
class ParquetLayout:
    """What differs between the catalogue's kinds of Parquet file."""

    compression_level: int = 3
    use_dictionary: bool | list[str] = False
    write_statistics: bool | list[str] = True
    column_encoding: Mapping[str, str] = field(default_factory=dict)
    row_group_size: int | None = None


def parquet_bytes(
    table: pa.Table, schema: pa.Schema, layout: ParquetLayout, format_tag: Mapping[str, object]
) -> bytes:
    """``table`` (cast to ``schema``) as Parquet bytes with the pinned writer settings."""
    buffer = io.BytesIO()
    with pq.ParquetWriter(
        buffer,
        schema,
        version="2.6",
        compression="zstd",
        compression_level=layout.compression_level,
        use_dictionary=layout.use_dictionary,
        write_statistics=layout.write_statistics,
        column_encoding=dict(layout.column_encoding) or None,
        data_page_version="1.0",
        store_schema=False,
    ) as writer:
        writer.write_table(table.cast(schema), row_group_size=layout.row_group_size)
        writer.add_key_value_metadata({FORMAT_KEY.decode(): json.dumps(dict(format_tag))})
    return buffer.getvalue()


def check_format_tag(
    metadata: Mapping[bytes, bytes] | None, where: str, what: str, version: int
) -> None:
    """Refuse a file written by another (or no) version of format ``what``."""
    raw = (metadata or {}).get(FORMAT_KEY)
    if raw is None:
        raise IndexFormatError(f"{where} is not a vires_repo {what} file (no format tag)")
    try:
        found = json.loads(raw)["format_version"]
    except (ValueError, KeyError, TypeError):
        raise IndexFormatError(f"{where} has an unreadable format tag {raw!r}") from None
    if found != version:
        raise IndexFormatError(
            f"{where} has {what} format version {found}; this vires_repo reads "
            f"version {version} only (upgrade vires_repo or rebuild the {what})"
        )
