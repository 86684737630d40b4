"""The product index's two data-file formats: writers, readers, content-derived names and the
format check.

A data file holds the rows of one collection sorted by ``(begin_time, identifier)``, as

* Parquet (``.parquet``): bulk imports and compaction outputs;
* newline-delimited JSON (``.jsonl``): small batches such as daily registrations. A one-row
  Parquet file is mostly footer and neither compresses nor deltas in git; a JSON line does
  both. One object per line, keys in column order, compact separators, non-ASCII kept, times
  as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` and ``metadata``/``datasets`` as the same JSON strings
  the Parquet columns hold.

Either way the bytes depend on the rows only (pinned writer settings, no write time, no Arrow
schema blob), so the same rows always give the same file and therefore the same
content-derived file name. The name's extension tells the format.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from vires_repo.errors import IndexFormatError
from vires_repo.io.parquet import ParquetLayout, check_format_tag
from vires_repo.io.parquet import parquet_bytes as write_parquet
from vires_repo.products import kernels
from vires_repo.products.schema import COLUMNS, FORMAT_VERSION, SCHEMA, dumps_json

ROW_GROUP_SIZE = 10_000
PARQUET_SUFFIX = ".parquet"
JSONL_SUFFIX = ".jsonl"
_TYPES = [(column.name, column.type) for column in SCHEMA]
_JSON_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # %S of a timestamp[us] includes the microseconds
_FORMAT_TAG = {"format_version": FORMAT_VERSION}

# Statistics only where readers prune on them. The manifest already holds the identifier and
# time ranges of every file, so identifier (and collection, for DuckDB's file skipping)
# statistics pay off only in files of several row groups; in the many small files of daily
# registrations they would be bytes in git for nothing. Long JSON strings never get any.
_SMALL_FILE_LAYOUT = ParquetLayout(
    use_dictionary=["collection", "product_type"],
    write_statistics=["begin_time", "end_time"],
    row_group_size=ROW_GROUP_SIZE,
)
_LARGE_FILE_LAYOUT = replace(
    _SMALL_FILE_LAYOUT, write_statistics=["collection", "identifier", "begin_time", "end_time"]
)


def parquet_bytes(table: pa.Table) -> bytes:
    """Serialize sorted rows with the pinned writer settings (same rows, same bytes)."""
    layout = _LARGE_FILE_LAYOUT if table.num_rows > ROW_GROUP_SIZE else _SMALL_FILE_LAYOUT
    return write_parquet(table, SCHEMA, layout, _FORMAT_TAG)


def jsonl_bytes(table: pa.Table) -> bytes:
    """Serialize sorted rows as canonical newline-delimited JSON (same rows, same bytes)."""
    columns = []
    for field in SCHEMA:
        column = kernels.cast(table[field.name], field.type)
        if pa.types.is_timestamp(field.type):
            column = kernels.strftime(column, _JSON_TIME_FORMAT)
        columns.append(column.to_pylist())
    rows = zip(*columns, strict=True)
    lines = [dumps_json(dict(zip(COLUMNS, row, strict=True))) for row in rows]
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def read_jsonl(data: bytes, where: str) -> pa.Table:
    """The rows of a ``.jsonl`` data file; every line must hold exactly the index columns."""
    values: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    try:
        for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
            row = json.loads(line)
            if not isinstance(row, dict) or tuple(row) != COLUMNS:
                raise ValueError(f"line {number} does not hold the product index columns")
            for name, value in row.items():
                values[name].append(value)
        arrays = [kernels.cast(pa.array(values[name], pa.string()), kind) for name, kind in _TYPES]
    except (ValueError, TypeError) as error:  # JSON, UTF-8 and Arrow conversion errors
        raise IndexFormatError(f"{where} is not a product index JSON-lines file: {error}") from None
    return pa.Table.from_arrays(arrays, schema=SCHEMA)  # values: see schema.first_row_problem


def read_data_file(
    source: bytes | str | os.PathLike[str],
    name: str,
    columns: Sequence[str] = COLUMNS,
    *,
    use_threads: bool = True,
) -> pa.Table:
    """All rows of a data file of either format (``name``'s extension tells which), from its
    bytes or a local path; ``name`` also labels errors."""
    if str(name).endswith(JSONL_SUFFIX):
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        return read_jsonl(data, name).select(list(columns))
    parquet = pq.ParquetFile(pa.BufferReader(source) if isinstance(source, bytes) else source)
    check_format(parquet.metadata.metadata, name)
    return parquet.read(columns=list(columns), use_threads=use_threads)


def content_name(data: bytes, collection: str, suffix: str) -> tuple[str, str]:
    """The file name derived from the bytes, ending with the collection and format suffix
    (manifest.py says why), and the bytes' sha256."""
    digest = hashlib.sha256(data).hexdigest()
    return f"part-{digest[:16]}-{collection}{suffix}", digest


def check_format(metadata: Mapping[bytes, bytes] | None, where: str) -> None:
    """Refuse a data file written by another (or no) version of the index format."""
    check_format_tag(metadata, where, "product index", FORMAT_VERSION)
