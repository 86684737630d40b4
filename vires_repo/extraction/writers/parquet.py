"""Parquet output (new; VirES has none): typed columns, ``Timestamp`` as UTC
``timestamp[us]``, vectors as fixed-size lists, a column a source lacks as null. Units and
descriptions are field metadata; the request and the source products are file metadata
(``vires:source_products`` as a JSON list).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from vires_repo.extraction.variables import ColumnSpec
from vires_repo.extraction.writers.base import OutputHeader
from vires_repo.io.parquet import ParquetStream
from vires_repo.timespec import format_datetime

TIME_TYPE = pa.timestamp("us", tz="UTC")


def arrow_type(spec: ColumnSpec) -> pa.DataType:
    """The Arrow type of an output column."""
    if spec.is_time:
        value_type = TIME_TYPE
    elif spec.is_text:
        value_type = pa.string()
    else:
        value_type = pa.from_numpy_dtype(spec.dtype)
    for size in reversed(spec.shape):
        value_type = pa.list_(value_type, size)
    return value_type


class ParquetWriter:
    def __init__(self, path: str, columns: Sequence[ColumnSpec], header: OutputHeader) -> None:
        self._columns = list(columns)
        self._header = header
        self._schema = pa.schema(
            [
                pa.field(spec.name, arrow_type(spec), metadata=dict(spec.attributes) or None)
                for spec in self._columns
            ]
        )
        self._stream = ParquetStream(
            path,
            self._schema,
            dictionary_columns=[spec.name for spec in self._columns if spec.is_text],
            statistics_columns=[spec.name for spec in self._columns if spec.is_time],
        )

    def write(self, columns: Mapping[str, npt.NDArray[Any]], count: int) -> None:
        if not count:
            return
        arrays = [
            _array(spec, field.type, columns.get(spec.name), count)
            for spec, field in zip(self._columns, self._schema, strict=True)
        ]
        self._stream.write(pa.Table.from_arrays(arrays, schema=self._schema))

    def discard(self) -> None:
        self._stream.close()

    def close(self, source_products: Sequence[str]) -> None:
        header = self._header
        self._stream.close(
            {
                "vires:data_timespan": f"{format_datetime(header.begin)}/"
                f"{format_datetime(header.end)}",
                "vires:sources": json.dumps(list(header.labels)),
                "vires:data_filters": json.dumps(list(header.filters)),
                "vires:source_products": json.dumps(list(source_products)),
                "vires:creator": header.creator,
            }
        )


def _array(
    spec: ColumnSpec, arrow: pa.DataType, data: npt.NDArray[Any] | None, count: int
) -> pa.Array:
    if data is None:
        return pa.nulls(count, arrow)
    values = np.ascontiguousarray(data)
    if spec.is_time:
        flat: pa.Array = pa.array(values.reshape(-1).astype("datetime64[us]"), TIME_TYPE)
    elif spec.is_text:
        flat = _strings(values.reshape(-1))
    else:
        flat = pa.array(values.reshape(-1).astype(spec.dtype, copy=False))
    for size in reversed(spec.shape):
        flat = pa.FixedSizeListArray.from_arrays(flat, size)
    return flat


def _strings(values: npt.NDArray[np.str_]) -> pa.Array:
    """Text as Arrow strings; one repeated value (``Spacecraft``) without converting each."""
    if values.size and bool((values == values[0]).all()):
        return pa.repeat(pa.scalar(str(values[0]), pa.string()), values.size)
    return pa.array(values, pa.string())
