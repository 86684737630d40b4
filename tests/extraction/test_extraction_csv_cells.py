"""CSV cells as VirES writes them: C ``%.9g`` doubles, numpy's printing of other numbers,
nested braces for vectors and matrices, ``nan`` for a column a source lacks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from vires_repo.extraction.variables import ColumnSpec
from vires_repo.extraction.writers.base import OutputHeader
from vires_repo.extraction.writers.csv import CsvWriter

COLUMNS = [
    ColumnSpec("Timestamp", np.dtype("datetime64[ns]"), (), "CDF_EPOCH"),
    ColumnSpec("D", np.dtype("f8"), (), "CDF_DOUBLE"),
    ColumnSpec("S", np.dtype("f4"), (), "CDF_FLOAT"),
    ColumnSpec("I", np.dtype("i1"), (), "CDF_INT1"),
    ColumnSpec("C", np.dtype("U3"), (), "CDF_CHAR"),
    ColumnSpec("M", np.dtype("f8"), (2, 2), "CDF_DOUBLE"),
    ColumnSpec("Absent", np.dtype("f8"), (3,), "CDF_DOUBLE"),
]


def test_cells(tmp_path: Path) -> None:
    moment = datetime(2016, 1, 1, tzinfo=UTC)
    writer = CsvWriter(str(tmp_path / "x.csv"), COLUMNS, OutputHeader(moment, moment, ["L"]))
    times = np.array(["2016-01-01T00:00:00", "2016-01-01T00:00:00.5"], dtype="datetime64[ns]")

    writer.write(
        {
            "Timestamp": times,
            "D": np.array([1.5e-05, -0.0]),
            "S": np.array([0.1, np.nan], dtype="f4"),
            "I": np.array([-1, 7], dtype="i1"),
            "C": np.array(["ABK", "X"]),
            "M": np.array([[[1.0, 2.0], [3.0, 4.0]], [[np.inf, -np.inf], [123456789012.0, 0.5]]]),
        },
        2,
    )
    writer.close([])

    assert (tmp_path / "x.csv").read_bytes().decode().split("\r\n") == [
        "Timestamp,D,S,I,C,M,Absent",
        "2016-01-01T00:00:00Z,1.5e-05,0.1,-1,ABK,{{1;2};{3;4}},nan",
        "2016-01-01T00:00:00.500000Z,-0,nan,7,X,{{inf;-inf};{1.23456789e+11;0.5}},nan",
        "",
    ]
