"""Kp, Dst and F10.7 on the real samples: conversion, tables and the VirES lookup rules."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from cached_product_samples import DST_SAMPLE, F107_SAMPLE, KP_SAMPLE

from vires_repo.cached_products import convert, dst_at, f107_at, kp_at, read_info, read_table
from vires_repo.errors import ProductFileError
from vires_repo.io.cdf import open_cdf

CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
KP10 = [7, 13, 27, 7, 7, 7, 3, 7, 10, 20, 13, 7]
AP = [3, 5, 12, 3, 3, 3, 2, 3, 4, 7, 5, 3]


def _convert(type_id: str, source: Path, out: Path) -> pa.Table:
    result = convert(type_id, [source], out, created=CREATED)
    return read_table(type_id, out / result.files[0])


# -- Kp -------------------------------------------------------------------------------------


@pytest.fixture
def kp_table(tmp_path: Path) -> pa.Table:
    return _convert("GFZ_AUX_KP", KP_SAMPLE, tmp_path)


def test_kp_converts_with_rendered_product_id(tmp_path: Path, kp_table: pa.Table) -> None:
    assert kp_table.column("kp10").to_pylist() == KP10
    assert kp_table.column("ap").to_pylist() == AP
    assert kp_table.column("flag").to_pylist() == [0] * 12
    assert kp_table.column("time")[0].as_py() == datetime(1998, 1, 1, 1, 30, tzinfo=UTC)
    with open_cdf(tmp_path / "aux_kp.cdf") as cdf:
        assert cdf.variable_info("kp").data_type == "CDF_UINT2"
    info = read_info("GFZ_AUX_KP", tmp_path)
    assert info.sources == ["SW_OPER_AUX_KP__2__19980101T013000_19980102T103000_0001"]
    assert info.updated == CREATED


def test_kp_takes_the_previous_sample_and_nothing_outside(kp_table: pa.Table) -> None:
    first, second, last = -729.9375, -729.8125, -728.5625
    eps = 1e-9
    values = kp_at(kp_table, [first - eps, first, second - eps, second, -729.0, last, last + eps])
    expected_kp = [math.nan, 7, 7, 13, 7, 7, math.nan]
    expected_ap = [math.nan, 3, 3, 5, 3, 3, math.nan]
    np.testing.assert_array_equal(values["kp10"], expected_kp)
    np.testing.assert_array_equal(values["ap"], expected_ap)


def test_kp_rejects_an_unknown_flag(tmp_path: Path) -> None:
    source = tmp_path / "Kp_MJD_1998_QL_bad.dat"
    source.write_text(KP_SAMPLE.read_text().replace("-729.8125 13   5    D", "-729.8125 13 5 X"))
    with pytest.raises(ProductFileError) as error:
        convert("GFZ_AUX_KP", [source], tmp_path / "out")
    assert str(error.value) == (
        "Kp_MJD_1998_QL_bad.dat: line 7: invalid Flag value 'X' (expected one of D, Q)"
    )


# -- Dst ------------------------------------------------------------------------------------


@pytest.fixture
def dst_table(tmp_path: Path) -> pa.Table:
    return _convert("GFZ_AUX_DST", DST_SAMPLE, tmp_path)


def test_dst_rate_of_change_in_nt_per_hour(tmp_path: Path, dst_table: pa.Table) -> None:
    times = dst_table.column("mjd2000").to_numpy()
    dst = dst_table.column("dst").to_numpy()
    assert dst_table.num_rows == 35
    assert dst[:3].tolist() == [-9.0, -8.0, -9.0]
    ddst = dst_table.column("ddst").to_numpy()
    # first step: -9 -> -8 nT over -729.97917 -> -729.93750 (0.04167 d = 1.00008 h)
    assert ddst[0] == pytest.approx(1.0 / (0.04167 * 24))
    assert ddst[4] == pytest.approx(3.0 / ((times[5] - times[4]) * 24))  # -13 -> -16
    assert math.isnan(ddst[-1])
    info = read_info("GFZ_AUX_DST", tmp_path)
    assert info.sources == ["SW_OPER_AUX_DST_2__19980101T003000_19980102T103000_0001"]


def test_dst_linear_and_ddst_previous(dst_table: pa.Table) -> None:
    first, second = -729.97917, -729.93750
    middle = (first + second) / 2
    values = dst_at(dst_table, [first - 1e-6, first, middle, second, -728.56250, -728.5])
    np.testing.assert_allclose(values["dst"], [math.nan, -9.0, -8.5, -8.0, -18.0, math.nan])
    ddst0 = 1.0 / (0.04167 * 24)
    ddst1 = 1.0 / (0.04167 * 24)
    np.testing.assert_allclose(
        values["ddst"], [math.nan, ddst0, ddst0, ddst1, math.nan, math.nan], rtol=1e-9
    )


def test_dst_rejects_non_increasing_times(tmp_path: Path) -> None:
    lines = DST_SAMPLE.read_text().splitlines()
    source = tmp_path / "Dst_MJD_1998_unsorted.dat"
    source.write_text("\n".join([*lines[:4], lines[5], lines[4], *lines[6:]]))
    with pytest.raises(ProductFileError) as error:
        convert("GFZ_AUX_DST", [source], tmp_path / "out")
    assert str(error.value) == (
        "Dst_MJD_1998_unsorted.dat: MJD2000 not strictly increasing at data record 2 "
        "(-729.9375 then -729.97917)"
    )


# -- F10.7 ----------------------------------------------------------------------------------


def test_f107_sample_means_cover_the_whole_short_series(tmp_path: Path) -> None:
    """35 days < 81 days: every truncated window holds the whole sample."""
    table = _convert("AUX_F10_2_", F107_SAMPLE, tmp_path)
    flux = table.column("f107").to_numpy()
    assert table.num_rows == 35
    assert flux[0] == 68.3 and flux[-1] == 70.2
    np.testing.assert_allclose(table.column("f107_avg81d").to_numpy(), np.full(35, flux.mean()))
    assert table.column("f107_avg81d_count").to_pylist() == [35] * 35
    assert table.column("time")[0].as_py() == datetime(2018, 3, 27, 12, tzinfo=UTC)
    assert read_info("AUX_F10_2_", tmp_path).sources == ["SW_OPER_AUX_F10_2__sample"]


def test_f107_81_day_mean_at_the_edges_and_around_a_gap(tmp_path: Path) -> None:
    """100 days of F10.7 = 100 + day index, day 45 missing (NaN)."""
    days = np.arange(100)
    lines = ["# synthetic F10.7", "# MD2000 F10.7"]
    lines += [
        f"  {7000.5 + day:.1f}  {'NaN' if day == 45 else f'{100.0 + day:.1f}'}" for day in days
    ]
    source = tmp_path / "SW_OPER_AUX_F10_2__synthetic.DBL"
    source.write_text("\n".join(lines) + "\n")
    table = _convert("AUX_F10_2_", source, tmp_path / "out")
    mean = table.column("f107_avg81d").to_numpy()
    count = table.column("f107_avg81d_count").to_numpy()
    # day 0: days 0..40 (41 values, day 45 outside) -> mean of 100..140
    assert (count[0], mean[0]) == (41, pytest.approx(120.0))
    # day 5: days 0..45 without 45 -> 45 values 100..144, mean 122
    assert (count[5], mean[5]) == (45, pytest.approx(122.0))
    # day 50: days 10..90 without 45 -> 80 values, (sum 110..190 - 145) / 80
    assert (count[50], mean[50]) == (80, pytest.approx((81 * 150 - 145) / 80))
    # day 99 (last): days 59..99 -> 41 values 159..199
    assert (count[99], mean[99]) == (41, pytest.approx(179.0))
    assert math.isnan(table.column("f107")[45].as_py())
    values = f107_at(table, [7000.0, 7000.5, 7001.0, 7099.5, 7100.0])
    np.testing.assert_allclose(values["f107"], [math.nan, 100.0, 100.5, 199.0, math.nan])
    np.testing.assert_allclose(values["f107_avg81d"][1:3], [120.0, (120.0 + mean[1]) / 2])


def test_f107_rejects_a_missing_day(tmp_path: Path) -> None:
    lines = F107_SAMPLE.read_text().splitlines()
    source = tmp_path / "SW_OPER_AUX_F10_2__gap.DBL"
    source.write_text("\n".join(line for line in lines if not line.startswith("  6670.5")))
    with pytest.raises(ProductFileError) as error:
        convert("AUX_F10_2_", [source], tmp_path / "out")
    assert str(error.value) == (
        "SW_OPER_AUX_F10_2__gap.DBL: F10.7 data sampling deviates from the expected nominal "
        "sampling! (1 day expected, 2 days between MJD2000 6669.5 and 6671.5)"
    )


def test_f107_rejects_extra_columns(tmp_path: Path) -> None:
    source = tmp_path / "SW_OPER_AUX_F10_2__kp.DBL"
    source.write_text(KP_SAMPLE.read_text())
    with pytest.raises(ProductFileError) as error:
        convert("AUX_F10_2_", [source], tmp_path / "out")
    assert str(error.value) == (
        "SW_OPER_AUX_F10_2__kp.DBL: line 6: expected 2 columns (MJD2000 F10.7), found 4"
    )
