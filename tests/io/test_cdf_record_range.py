"""``CdfReader.time_record_range``: the records of a half-open time window, found by binary
search, within the whole file or an index range."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vires_repo.io.cdf import CDF_EPOCH, CDF_TIME_TT2000, open_cdf
from vires_repo.testing.mag_products import write_mag_lr_product


def _t(text: str) -> np.datetime64:
    return np.datetime64(text, "us")


@pytest.mark.parametrize("time_type", [CDF_EPOCH, CDF_TIME_TT2000])
@pytest.mark.parametrize(
    ("begin", "end", "expected"),
    [
        ("2016-01-01T00:00:00", "2016-01-01T00:01:40", (0, 100)),  # the whole file
        ("2015-12-31T00:00:00", "2016-01-02T00:00:00", (0, 100)),
        ("2016-01-01T00:00:10", "2016-01-01T00:00:20", (10, 20)),  # begin in, end out
        ("2016-01-01T00:00:10.5", "2016-01-01T00:00:20.5", (11, 21)),
        ("2016-01-01T00:00:40", "2016-01-01T00:00:40", (40, 40)),  # empty
        ("2016-01-01T00:02:00", "2016-01-01T00:03:00", (100, 100)),  # after the file
        ("2015-12-31T00:00:00", "2015-12-31T00:00:01", (0, 0)),  # before it
    ],
)
def test_time_record_range(
    tmp_path: Path, time_type: str, begin: str, end: str, expected: tuple[int, int]
) -> None:
    path = write_mag_lr_product(
        tmp_path, "2016-01-01T00:00:00", "2016-01-01T00:01:39", time_type=time_type, minimal=True
    )

    with open_cdf(path) as cdf:
        assert cdf.time_record_range("Timestamp", _t(begin), _t(end)) == expected


def test_time_record_range_within_an_index_range(tmp_path: Path) -> None:
    path = write_mag_lr_product(tmp_path, "2016-01-01T00:00:00", "2016-01-01T00:01:39")

    with open_cdf(path) as cdf:
        window = (_t("2016-01-01T00:00:00"), _t("2016-01-01T00:01:00"))
        assert cdf.time_record_range("Timestamp", *window, 30, 50) == (30, 50)
        assert cdf.time_record_range("Timestamp", *window, 50, 90) == (50, 60)
        assert cdf.time_record_range("Timestamp", *window, 70, 90) == (70, 70)
