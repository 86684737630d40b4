"""CSV as VirES writes it (reference 6.1): UTF-8, CRLF, ``,`` without quoting, a header line,
doubles as C ``%.9g``, other numbers as numpy prints them, vectors as ``{x;y;z}``, a column a
source lacks as ``nan``, times per ``csv_time_format``.

Each product's lines are formatted with one ``%`` template per line (``%s,%s,%.9g,{%.9g;...}``),
which formats a whole record in C: Python's ``%`` follows C's ``printf``, so the cells are
exactly VirES's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vires_repo.extraction.variables import ColumnSpec
from vires_repo.extraction.writers.base import OutputHeader
from vires_repo.timescales import CDF_EPOCH_1970_MS, CDF_EPOCH_OF_MJD2000, datetime64_to_cdf_epoch

_NAN = "nan"


class CsvWriter:
    def __init__(self, path: str, columns: Sequence[ColumnSpec], header: OutputHeader) -> None:
        self._columns = list(columns)
        self._time_format = header.csv_time_format
        self._file = Path(path).open("wb")  # closed in close()
        if header.labels:
            self._file.write((",".join(spec.name for spec in self._columns) + "\r\n").encode())

    def write(self, columns: Mapping[str, npt.NDArray[Any]], count: int) -> None:
        if not count:
            return
        pieces: list[str] = []
        fields: list[list[Any]] = []
        for spec in self._columns:
            piece, values = self._column(spec, columns.get(spec.name))
            pieces.append(piece)
            fields += values
        template = ",".join(pieces)
        text = "\r\n".join(map(template.__mod__, zip(*fields, strict=True))) + "\r\n"
        self._file.write(text.encode())

    def close(self, source_products: Sequence[str]) -> None:
        del source_products  # VirES returns them as a separate file
        self._file.close()

    def discard(self) -> None:
        self._file.close()

    def _column(self, spec: ColumnSpec, data: npt.NDArray[Any] | None) -> tuple[str, list[Any]]:
        """The column's ``%`` template piece and its values, one list per component."""
        if data is None:
            return _NAN, []
        if spec.is_time:
            return format_times(data, self._time_format)
        values = np.asarray(data)
        flat = values.reshape(len(values), -1)
        if spec.cdf_type == "CDF_DOUBLE":
            element, parts = "%.9g", [flat[:, index].tolist() for index in range(flat.shape[1])]
        elif spec.is_text or values.dtype.kind in "iub":
            element, parts = "%s", [flat[:, index].tolist() for index in range(flat.shape[1])]
        else:  # numpy's own printing (CDF_FLOAT)
            element = "%s"
            parts = [[str(value) for value in flat[:, index]] for index in range(flat.shape[1])]
        return _nested(element, spec.shape), parts


def _nested(element: str, shape: tuple[int, ...]) -> str:
    """The template of one cell: ``{a;b;c}`` for a vector, ``{{a;b};{c;d}}`` for a matrix."""
    if not shape:
        return element
    return "{" + ";".join([_nested(element, shape[1:])] * shape[0]) + "}"


def format_times(times: npt.NDArray[Any], time_format: str) -> tuple[str, list[Any]]:
    """VirES's CSV times: ISO 8601 with ``Z`` (microseconds only when not zero), MJD2000 days
    or Unix-epoch seconds as ``%.14g`` (a template piece and its values)."""
    if time_format == "ISO date-time":
        texts = np.datetime_as_string(times.astype("datetime64[us]"), unit="us").tolist()
        iso = [text[:-7] + "Z" if text.endswith(".000000") else text + "Z" for text in texts]
        return "%s", [iso]
    epoch = datetime64_to_cdf_epoch(times)
    if time_format == "MJD2000":
        values = (epoch - CDF_EPOCH_OF_MJD2000) / 86_400_000.0
    else:
        values = (epoch - CDF_EPOCH_1970_MS) * 1e-3
    return "%.14g", [values.tolist()]
