"""CSV as VirES writes it (reference 6.1): UTF-8, CRLF, ``,`` without quoting, a header line,
doubles as C ``%.9g``, other numbers as numpy prints them, vectors as ``{x;y;z}``, a column a
source lacks as ``nan``, times per ``csv_time_format``.

Cells are formatted a column at a time (one list comprehension per column) and joined into
lines once per product: about a microsecond per cell.
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
        cells = [self._cells(spec, columns.get(spec.name), count) for spec in self._columns]
        text = "\r\n".join(map(",".join, zip(*cells, strict=True))) + "\r\n"
        self._file.write(text.encode())

    def close(self, source_products: Sequence[str]) -> None:
        del source_products  # VirES returns them as a separate file
        self._file.close()

    def discard(self) -> None:
        self._file.close()

    def _cells(self, spec: ColumnSpec, data: npt.NDArray[Any] | None, count: int) -> list[str]:
        if data is None:
            return [_NAN] * count
        if spec.is_time:
            return format_times(data, self._time_format)
        flat = _format_values(spec, np.asarray(data).reshape(-1))
        for size in reversed(spec.shape):  # innermost dimension first: {a;b;c}, {{a;b};{c;d}}
            flat = [
                "{" + ";".join(group) + "}"
                for group in zip(*[flat[i::size] for i in range(size)], strict=True)
            ]
        return flat


def _format_values(spec: ColumnSpec, values: npt.NDArray[Any]) -> list[str]:
    if spec.cdf_type == "CDF_DOUBLE":
        return [f"{value:.9g}" for value in values.tolist()]
    if spec.is_text:
        return [str(value) for value in values.tolist()]
    if values.dtype.kind in "iub":
        return [str(value) for value in values.tolist()]
    return [str(value) for value in values]  # numpy's own printing (CDF_FLOAT)


def format_times(times: npt.NDArray[Any], time_format: str) -> list[str]:
    """VirES's CSV times: ISO 8601 with ``Z`` (microseconds only when not zero), MJD2000 days
    or Unix-epoch seconds as ``%.14g``."""
    if time_format == "ISO date-time":
        texts = np.datetime_as_string(times.astype("datetime64[us]"), unit="us").tolist()
        return [text[:-7] + "Z" if text.endswith(".000000") else text + "Z" for text in texts]
    epoch = datetime64_to_cdf_epoch(times)
    if time_format == "MJD2000":
        values = (epoch - CDF_EPOCH_OF_MJD2000) / 86_400_000.0
    else:
        values = (epoch - CDF_EPOCH_1970_MS) * 1e-3
    return [f"{value:.14g}" for value in values.tolist()]
