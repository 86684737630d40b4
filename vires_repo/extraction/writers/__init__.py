"""Output writers: CDF and CSV as VirES writes them, and Parquet (reference section 6);
:func:`open_writer` picks one, :mod:`.base` holds what they share."""

from __future__ import annotations

from collections.abc import Sequence

from vires_repo.extraction.variables import ColumnSpec
from vires_repo.extraction.writers.base import OutputFormat, OutputHeader, OutputWriter


def open_writer(
    output_format: OutputFormat, path: str, columns: Sequence[ColumnSpec], header: OutputHeader
) -> OutputWriter:
    """A writer of ``output_format`` on the local file ``path``."""
    if output_format == "csv":
        from vires_repo.extraction.writers.csv import CsvWriter

        return CsvWriter(path, columns, header)
    if output_format == "parquet":
        from vires_repo.extraction.writers.parquet import ParquetWriter

        return ParquetWriter(path, columns, header)
    from vires_repo.extraction.writers.cdf import CdfWriter

    return CdfWriter(path, columns, header)
