"""The rows of a Parquet file as text, so that ``git diff`` can show what changed.

git runs the ``textconv`` command of the ``vires-parquet`` diff driver on each side of a diff
and compares the text. A product-index data file gives a header line, then one line per
product, sorted: collection, identifier, begin/end and location, separated by spaces::

    # vires-repo product index data file: 1 product(s)
    SW_OPER_MAGA_LR_1B SW_OPER_MAGA_LR_1B_20200101T000000_20200101T235959_0602_MDR_MAG_LR \
2020-01-01T00:00:00Z/2020-01-01T23:59:59Z /data/SW_OPER_MAGA_LR_1B_20200101T000000_20200101T...

(the product line is one line). Any other Parquet file (an orbit-direction table, ...) gives
its columns and one line per row. A file that cannot be read gives one ``#`` line saying why
instead of failing, so that a broken file never breaks ``git diff``.

JSON-lines data files (small batches, see products/schema.py) are text already: git diffs them
as they are, one line per product, without this driver.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from vires_repo.timespec import format_datetime

_PRODUCT_COLUMNS = ("collection", "identifier", "begin_time", "end_time", "location")


def parquet_lines(path: str | os.PathLike[str]) -> list[str]:
    """The text form of a Parquet file (see the module docstring)."""
    import pyarrow.parquet as pq

    from vires_repo.io.parquet import FORMAT_KEY

    try:
        if Path(path).stat().st_size == 0:
            return ["# empty file"]
        parquet = pq.ParquetFile(path)
        metadata = parquet.metadata.metadata or {}
        names = parquet.schema_arrow.names
        if FORMAT_KEY in metadata and all(name in names for name in _PRODUCT_COLUMNS):
            table = parquet.read(columns=list(_PRODUCT_COLUMNS), use_threads=False)
            header = f"# vires-repo product index data file: {table.num_rows} product(s)"
            rows = [_product_line(row) for row in table.to_pylist()]
        else:
            table = parquet.read(use_threads=False)
            header = f"# Parquet file: {table.num_rows} row(s); columns: {', '.join(names)}"
            rows = [" | ".join(_cell(value) for value in row.values()) for row in table.to_pylist()]
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        return [f"# not a readable Parquet file: {error}"]
    return [header, *sorted(rows)]


def _product_line(row: dict[str, Any]) -> str:
    span = f"{_cell(row['begin_time'])}/{_cell(row['end_time'])}"
    return f"{row['collection']} {row['identifier']} {span} {_cell(row['location'])}"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return str(format_datetime(value))
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    return str(value)
