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
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.parquet as pq

from vires_repo.errors import IndexFormatError

FORMAT_KEY = b"vires_repo"
_WRITER = f"parquet-cpp-arrow version {pa.__version__}".encode()
_STABLE_WRITER = f"parquet-cpp-arrow version {pa.__version__.split('.')[0]}.0.0".encode()
_MAGIC = b"PAR1"


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
        if not table.schema.equals(schema):  # Table.cast imports pyarrow.compute (20-30 ms)
            table = table.cast(schema)
        writer.write_table(table, row_group_size=layout.row_group_size)
        writer.add_key_value_metadata({FORMAT_KEY.decode(): json.dumps(dict(format_tag))})
    return _stable_writer_name(buffer.getvalue())


def _stable_writer_name(data: bytes) -> bytes:
    """``data`` with the footer's writer version as ``MAJOR.0.0`` (see the module docstring).

    The footer (Thrift compact encoding) ends the file, followed by its length and the magic;
    ``created_by`` is a length-prefixed string in it, so it is replaced together with its
    one-byte length and the footer length is corrected. Nothing points into the footer.
    """
    if _WRITER == _STABLE_WRITER:
        return data
    (footer_length,) = struct.unpack("<I", data[-8:-4])
    footer_start = len(data) - 8 - footer_length
    footer = data[footer_start:-8]
    old = bytes([len(_WRITER)]) + _WRITER
    new = bytes([len(_STABLE_WRITER)]) + _STABLE_WRITER
    if footer.count(old) != 1:  # not the layout this function knows: leave the file as is
        return data
    footer = footer.replace(old, new)
    return data[:footer_start] + footer + struct.pack("<I", len(footer)) + _MAGIC


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


class ParquetStream:
    """A Parquet file written table by table (memory bounded by one table), for outputs
    that are not catalogue files: plain pyarrow settings, key-value metadata added at the end.
    """

    def __init__(
        self,
        path: str,
        schema: pa.Schema,
        *,
        dictionary_columns: list[str] | None = None,
        statistics_columns: list[str] | None = None,
    ) -> None:
        # dictionaries and statistics only where asked: trying them on every float column
        # costs more than the compression itself
        self._writer = pq.ParquetWriter(
            path,
            schema,
            compression="zstd",
            use_dictionary=dictionary_columns or False,
            write_statistics=statistics_columns or False,
        )

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self, metadata: Mapping[str, str] | None = None) -> None:
        if metadata:
            self._writer.add_key_value_metadata(dict(metadata))
        self._writer.close()
