"""CDF as VirES writes it (reference 6.2): one zVariable per output column, ``Timestamp`` as
CDF_EPOCH, product variables with their CDF type, units and descriptions as variable
attributes, and the global attributes ``CREATOR``, ``CREATED``, ``TITLE``, ``DATA_TIMESPAN``,
``DATA_FILTERS``, ``SOURCES`` and ``ORIGINAL_PRODUCT_NAMES``.

A CDF variable is written in one piece, so the records of each column are spooled to a file of
their own as products arrive, and the CDF is assembled one variable at a time at the end:
memory holds one product, then one variable. A column a source lacks is NaN (zero for
integers, blank for text: what a CDF pad value would be).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from vires_repo.extraction.variables import ColumnSpec
from vires_repo.extraction.writers.base import OutputHeader
from vires_repo.io.cdf import AttributeEntry, CdfVariable, write_cdf
from vires_repo.timescales import datetime64_to_cdf_epoch
from vires_repo.timespec import format_datetime


class CdfWriter:
    def __init__(self, path: str, columns: Sequence[ColumnSpec], header: OutputHeader) -> None:
        self._path = path
        self._columns = list(columns)
        self._header = header
        self._spool = tempfile.TemporaryDirectory(dir=Path(path).parent, prefix=".spool-")
        self._files: dict[str, BinaryIO] = {
            spec.name: (Path(self._spool.name) / f"{index}.bin").open("w+b")
            for index, spec in enumerate(self._columns)
        }
        self._count = 0

    def write(self, columns: Mapping[str, npt.NDArray[Any]], count: int) -> None:
        if not count:
            return
        for spec in self._columns:
            _stored(spec, columns.get(spec.name), count).tofile(self._files[spec.name])
        self._count += count

    def close(self, source_products: Sequence[str]) -> None:
        try:
            write_cdf(self._path, self._variables(), self._global_attributes(source_products))
        finally:
            self.discard()

    def discard(self) -> None:
        for stream in self._files.values():
            stream.close()
        self._spool.cleanup()

    def _variables(self) -> Iterator[tuple[str, CdfVariable]]:
        for spec in self._columns:
            stream = self._files[spec.name]
            stream.flush()
            stream.seek(0)
            dtype = _stored_dtype(spec)
            data = np.fromfile(stream, dtype=dtype).reshape((self._count, *spec.shape))
            attributes: dict[str, AttributeEntry] = dict(spec.attributes)
            yield spec.name, CdfVariable(data, spec.cdf_type, attributes)

    def _global_attributes(self, source_products: Sequence[str]) -> dict[str, list[AttributeEntry]]:
        header = self._header
        now = datetime.now(UTC).replace(microsecond=0)
        attributes: dict[str, list[AttributeEntry]] = {
            "CREATOR": [header.creator],
            "CREATED": [format_datetime(now) or ""],
            "TITLE": [header.title or Path(self._path).name],
            "DATA_TIMESPAN": [f"{format_datetime(header.begin)}/{format_datetime(header.end)}"],
            "DATA_FILTERS": list(header.filters),
            "SOURCES": list(header.labels),
            "ORIGINAL_PRODUCT_NAMES": list(source_products),
        }
        return {name: entries for name, entries in attributes.items() if entries}


def _stored_dtype(spec: ColumnSpec) -> np.dtype[Any]:
    if spec.is_time:
        return np.dtype("f8")  # CDF_EPOCH milliseconds
    if spec.is_text:
        return np.dtype(f"S{spec.dtype.itemsize // 4}")
    return spec.dtype


def _stored(spec: ColumnSpec, data: npt.NDArray[Any] | None, count: int) -> npt.NDArray[Any]:
    dtype = _stored_dtype(spec)
    if data is None:
        fill = np.nan if dtype.kind == "f" else b"" if dtype.kind == "S" else 0
        return np.full((count, *spec.shape), fill, dtype=dtype)
    if spec.is_time:
        return datetime64_to_cdf_epoch(data)
    if spec.is_text:
        return np.asarray(data, dtype=spec.dtype).astype(dtype)  # ASCII, as Swarm's codes
    return np.ascontiguousarray(data, dtype=dtype)
