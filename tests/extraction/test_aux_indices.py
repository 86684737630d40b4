"""Kp, Kp10, Dst, dDst, F107 and F10_INDEX from the cached products by VirES's rules
(reference vires-data-extraction.md, sections 2.4 and 5.2), checked against the values of the
source files: the samples of the real GFZ/ESA files and small ones with gaps."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from testdata import TESTDATA

from vires_repo.catalog import Catalog
from vires_repo.errors import NotFoundError
from vires_repo.extraction.auxiliaries import AuxiliarySource
from vires_repo.extraction.auxiliaries.indices import kp
from vires_repo.services.cached_product import update_cached_product
from vires_repo.timescales import mjd2000_to_datetime64

NAN = math.nan
AUX = TESTDATA / "aux"
KP10 = [7, 13, 27, 7, 7, 7, 3, 7, 10, 20, 13, 7]  # 1998-01-01 00:00 - 1998-01-02 12:00
DST_HEADER = "# MJD2000 Dst Est Ist Flag\n"


def mjd(hours_since_1998: float) -> float:
    return -730.0 + hours_since_1998 / 24.0


def write_dst(path: Path, hours: list[float], values: list[float]) -> Path:
    rows = "".join(f"{mjd(h):.10f} {v:.3f} 0.0 0.0 D\n" for h, v in zip(hours, values, strict=True))
    path.write_text(DST_HEADER + rows)
    return path


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    catalog = Catalog(str(tmp_path_factory.mktemp("catalog")))
    for type_id, source in (
        ("GFZ_AUX_KP", AUX / "Kp_MJD_1998_QL_sample.dat"),
        ("GFZ_AUX_DST", AUX / "Dst_MJD_1998_sample.dat"),
        ("AUX_F10_2_", AUX / "SW_OPER_AUX_F10_2__sample.DBL"),
    ):
        update_cached_product(catalog, type_id, [str(source)])
    return catalog


def values_at(catalog: Catalog, name: str, *times: str) -> list[float]:
    source = AuxiliarySource(
        catalog, datetime(1998, 1, 1, tzinfo=UTC), datetime(1998, 1, 3, tzinfo=UTC)
    )
    columns = {"Timestamp": np.array(times, "datetime64[ns]")}
    result = source.compute(name, columns, mission="Swarm", spacecraft="A")
    assert result.dtype == np.float64
    return result.tolist()


def same(expected: list[float]) -> object:
    # the files stamp times in MJD2000 with 4 or 5 decimals (about a second)
    return pytest.approx(expected, nan_ok=True, abs=1e-3)


def test_kp_is_the_value_of_the_three_hour_interval(catalog: Catalog) -> None:
    # the file stamps interval centres (01:30, 04:30, ...): intervals start at 00:00, 03:00, ...
    times = (
        "1997-12-31T23:59:59",
        "1998-01-01T00:00:00",
        "1998-01-01T02:59:59.999",
        "1998-01-01T03:00:00",
        "1998-01-01T05:00:00",
        "1998-01-02T09:00:00",
        "1998-01-02T12:00:00",
        "1998-01-02T12:00:01",
    )
    kp10 = values_at(catalog, "Kp10", *times)

    assert kp10 == same([NAN, 7, 7, 13, 13, KP10[-1], KP10[-1], NAN])
    kp = values_at(catalog, "Kp", *times)
    assert kp == same([NAN, 2 / 3, 2 / 3, 4 / 3, 4 / 3, 2 / 3, 2 / 3, NAN])


def test_kp_in_thirds() -> None:
    kp10 = np.array([0, 3, 7, 10, 13, 17, 20, 27, 33, 40, 87, 90], dtype=np.uint16)
    table = pa.table({"mjd2000": np.arange(12) * 0.125 + 0.0625, "kp10": kp10})
    result = kp(table, np.arange(12) * 0.125 + 0.01)
    expected = np.array([0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 26, 27]) / 3
    np.testing.assert_allclose(result["Kp"], expected)
    np.testing.assert_array_equal(result["Kp10"], kp10)


def test_kp_series_break_at_gaps_over_181_minutes(tmp_path: Path) -> None:
    source = tmp_path / "Kp_MJD_gap.dat"
    source.write_text("# MJD2000 Kp ap Flag\n-729.9375 7 3 D\n-729.8125 13 5 D\n-729.3125 20 7 D\n")
    catalog = Catalog(str(tmp_path / "catalog"))
    update_cached_product(catalog, "GFZ_AUX_KP", [str(source)])

    kp10 = values_at(
        catalog,
        "Kp10",
        "1998-01-01T06:00:00",
        "1998-01-01T06:00:01",
        "1998-01-01T14:59:59",
        "1998-01-01T15:00:00",
    )

    assert kp10 == same([13, NAN, NAN, 20])


def test_dst_linear_and_ddst_previous(catalog: Catalog) -> None:
    # the first hours: -9 (00:30), -8 (01:30), -9 (02:30); the last: -20 (09:30 day 2), -18
    times = (
        "1997-12-31T23:29:00",
        "1998-01-01T00:00:00",
        "1998-01-01T00:30:00",
        "1998-01-01T01:00:00",
        "1998-01-01T01:30:00",
        "1998-01-02T10:00:00",
        "1998-01-02T11:29:00",
        "1998-01-02T11:31:00",
    )

    dst = values_at(catalog, "Dst", *times)
    ddst = values_at(catalog, "dDst", *times)

    assert dst == same([NAN, -9.5, -9.0, -8.5, -8.0, -19.0, -18 + 2 * 59 / 60, NAN])
    # |dDst/dt| from each hour to the next, nT/h; the last hour has none
    assert ddst == same([NAN, NAN, 1.0, 1.0, 1.0, 2.0, NAN, NAN])


def test_dst_series_break_at_gaps_over_61_minutes(tmp_path: Path) -> None:
    source = write_dst(
        tmp_path / "Dst_MJD_gap.dat", [0.5, 1.5, 2.5, 5.5, 6.5], [0, 10, 30, 100, 90]
    )
    catalog = Catalog(str(tmp_path / "catalog"))
    update_cached_product(catalog, "GFZ_AUX_DST", [str(source)])

    times = (
        "1998-01-01T03:00",
        "1998-01-01T03:29",
        "1998-01-01T03:31",
        "1998-01-01T04:29",
        "1998-01-01T04:31",
        "1998-01-01T06:00",
    )
    dst = values_at(catalog, "Dst", *times)
    ddst = values_at(catalog, "dDst", *times)

    # up to 60 min beyond a segment's ends: extrapolated from its end pair
    assert dst == same([40.0, 30 + 20 * 59 / 60, NAN, NAN, 100 + 10 * 59 / 60, 95.0])
    # the stored rate runs from each hour to the next sample, across the gap too (70 nT / 3 h)
    assert ddst == same([70 / 3, 70 / 3, NAN, NAN, NAN, 10.0])


def test_f107_linear_and_f10_index_the_last_daily_value(catalog: Catalog) -> None:
    # MJD2000 6660.5 (2018-03-27T12:00): 68.3, 6661.5: 68.6, ... the last, 6694.5: 70.2
    times = tuple(
        str(mjd2000_to_datetime64(np.array([day]))[0])
        for day in (6660.5 - 1e-5, 6660.5, 6661.0, 6694.5, 6695.5, 6695.5 + 1e-5)
    )

    f107 = values_at(catalog, "F107", *times)
    f10_index = values_at(catalog, "F10_INDEX", *times)

    assert f107 == same([NAN, 68.3, 68.45, 70.2, NAN, NAN])
    assert f10_index == same([NAN, 68.3, 68.3, 70.2, 70.2, NAN])


def test_a_missing_cached_product_is_named(tmp_path: Path) -> None:
    catalog = Catalog(str(tmp_path / "empty"))

    with pytest.raises(NotFoundError) as caught:
        values_at(catalog, "Kp", "2016-01-01T00:00:00")
    assert "cached product GFZ_AUX_KP is not in the catalogue" in str(caught.value)
