"""What every output writer shares: the formats, the header, the writer protocol.

A writer is opened on a (temporary) file with the output columns, takes one product's records
at a time (a column that a source lacks is absent and written as NaN, or null in Parquet),
and writes the source product list when it is closed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

import numpy.typing as npt

OutputFormat = Literal["cdf", "csv", "parquet"]
FORMATS: tuple[OutputFormat, ...] = ("cdf", "csv", "parquet")
CsvTimeFormat = Literal["ISO date-time", "MJD2000", "Unix epoch"]
CSV_TIME_FORMATS: tuple[CsvTimeFormat, ...] = ("ISO date-time", "MJD2000", "Unix epoch")
EXTENSIONS: Mapping[OutputFormat, str] = {"cdf": ".cdf", "csv": ".csv", "parquet": ".parquet"}


@dataclass(frozen=True)
class OutputHeader:
    """What a file says about the request that made it."""

    begin: datetime
    end: datetime
    labels: Sequence[str]
    filters: Sequence[str] = ()
    csv_time_format: CsvTimeFormat = "ISO date-time"
    title: str = ""
    creator: str = "vires-repo"
    extra: Mapping[str, str] = field(default_factory=dict)


class OutputWriter(Protocol):
    def write(self, columns: Mapping[str, npt.NDArray[Any]], count: int) -> None:
        """Append ``count`` records (columns absent from ``columns`` are written as NaN)."""

    def close(self, source_products: Sequence[str]) -> None:
        """Finish the file, listing the source products."""

    def discard(self) -> None:
        """Give up: release what the writer holds (the caller removes the file)."""


def source_products_text(source_products: Sequence[str]) -> str:
    """VirES's source list: one identifier per line, CRLF after each (reference 6.3)."""
    return "".join(f"{name}\r\n" for name in source_products)
