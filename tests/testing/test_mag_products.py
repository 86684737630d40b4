"""vires_repo.testing.mag_products: SW_MAGx_LR_1B and SW_ULFxMAG_2F with the layout and names
of the real ones."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import fsspec
import numpy as np
import pytest
from swarm_layout import SWARM_NAME, file_variables

from vires_repo.io.cdf import open_cdf
from vires_repo.testing.mag_products import (
    MAG_LR_MINIMAL_VARIABLES,
    write_mag_lr_product,
    write_small_mag_lr_products,
    write_timespan_product,
)


def test_mag_lr_day_has_the_real_name_and_layout(tmp_path: Path) -> None:
    location = write_mag_lr_product(tmp_path, "2016-01-01", "2016-01-01T23:59:59")
    name = Path(location).name

    assert location == f"{tmp_path}/{name}"
    assert name == "SW_OPER_MAGA_LR_1B_20160101T000000_20160101T235959_0409_MDR_MAG_LR.cdf"
    match = SWARM_NAME.match(name)
    assert match is not None
    assert match["file_type"] == "MAGA_LR_1B"
    assert match["dataset"] == "MDR_MAG_LR"
    with open_cdf(location) as cdf:
        assert sorted(cdf.variable_names()) == sorted(file_variables("SW_MAGx_LR_1B"))
        types = {name: cdf.variable_info(name).data_type for name in cdf.variable_names()}
        assert cdf.variable_info("Timestamp").records == 86400
        assert cdf.variable_info("B_NEC").shape == (3,)
        assert cdf.variable_info("q_NEC_CRF").shape == (4,)
        assert cdf._cdf.varattsget("Radius") == {
            "DESCRIPTION": "Position in ITRF - Radius",
            "UNITS": "m",
        }
    assert types["Timestamp"] == "CDF_EPOCH"
    assert types["Flags_F"] == types["Flags_B"] == types["Flags_q"] == "CDF_UINT1"
    assert types["Flags_Platform"] == types["SyncStatus"] == "CDF_UINT2"
    assert types["F"] == types["B_NEC"] == "CDF_DOUBLE"


def test_mag_lr_values_are_realistic(tmp_path: Path) -> None:
    location = write_mag_lr_product(
        tmp_path, "2016-01-01", "2016-01-01T03:00:00", spacecraft="B", sampling=timedelta(seconds=5)
    )
    with open_cdf(location) as cdf:
        latitude = cdf.read_variable("Latitude")
        longitude = cdf.read_variable("Longitude")
        radius = cdf.read_variable("Radius")
        intensity = cdf.read_variable("F")
        b_nec = cdf.read_variable("B_NEC")
        times = cdf.read_times("Timestamp")

    assert np.all(np.diff(times) == np.timedelta64(5, "s"))
    assert 87.0 < latitude.max() <= 87.75 and -87.75 <= latitude.min() < -87.0
    assert longitude.min() >= -180.0 and longitude.max() < 180.0
    assert 6.86e6 < radius.min() and radius.max() < 6.90e6  # metres, Swarm B at ~510 km
    assert 18_000 < intensity.min() and intensity.max() < 56_000
    assert np.allclose(intensity, np.linalg.norm(b_nec, axis=1))
    assert np.all(b_nec[latitude > 30, 2] > 0)  # the field points down in the north


@pytest.mark.parametrize("time_type", ["CDF_EPOCH", "CDF_TIME_TT2000"])
def test_gaps_nan_latitudes_time_type_and_time_extent(tmp_path: Path, time_type: str) -> None:
    location = write_mag_lr_product(
        tmp_path,
        "2016-12-31T23:00:00",
        "2017-01-01T00:59:59",
        spacecraft="C",
        time_type=time_type,
        with_time_extent=True,
        gaps=[("2016-12-31T23:10:00", "2016-12-31T23:20:00")],
        nan_latitudes=[("2017-01-01T00:00:00", "2017-01-01T00:00:10")],
    )
    with open_cdf(location) as cdf:
        times = cdf.read_times("Timestamp")
        latitude = cdf.read_variable("Latitude")
        extent = cdf.global_attribute_entry("TIME_EXTENT")
        time_info = cdf.variable_info("Timestamp")

    assert Path(location).name.startswith("SW_OPER_MAGC_LR_1B_20161231T230000_20170101T005959_")
    assert time_info.data_type == time_type
    assert times.size == 7200 - 600
    in_gap = (times >= np.datetime64("2016-12-31T23:10")) & (
        times < np.datetime64("2016-12-31T23:20")
    )
    assert not np.any(in_gap)
    assert np.flatnonzero(np.isnan(latitude)).tolist() == list(range(3000, 3010))
    assert extent is not None and extent[1] == time_type and len(extent[0]) == 2


def test_same_arguments_same_bytes_also_in_memory(tmp_path: Path) -> None:
    def write(folder: str | Path) -> str:
        return write_mag_lr_product(folder, "2016-01-01", "2016-01-01T00:10", minimal=True)

    local = write(tmp_path)
    first_bytes = Path(local).read_bytes()
    in_memory = write("memory://samples")

    assert in_memory == f"memory://samples/{Path(local).name}"
    assert fsspec.open(in_memory, "rb").open().read() == first_bytes
    assert write(tmp_path) == local
    assert Path(local).read_bytes() == first_bytes


def test_minimal_layout(tmp_path: Path) -> None:
    location = write_mag_lr_product(tmp_path, "2016-01-01", "2016-01-01T00:00:03", minimal=True)

    with open_cdf(location) as cdf:
        assert cdf.variable_names() == list(MAG_LR_MINIMAL_VARIABLES)


def test_small_products_look_like_consecutive_days(tmp_path: Path) -> None:
    locations = write_small_mag_lr_products(tmp_path, 3, start="2016-02-28", records=3)

    assert [Path(location).name for location in locations] == [
        f"SW_OPER_MAGA_LR_1B_2016{day}T000000_2016{day}T235959_0409_MDR_MAG_LR.cdf"
        for day in ("0228", "0229", "0301")
    ]
    with open_cdf(locations[1]) as cdf:
        assert (
            cdf.read_times("Timestamp").tolist()
            == np.array(
                ["2016-02-29T00:00:00", "2016-02-29T12:00:00", "2016-02-29T23:59:59"],
                dtype="datetime64[us]",
            ).tolist()
        )


def test_timespan_product(tmp_path: Path) -> None:
    location = write_timespan_product(tmp_path, "2016-01-01", "2016-01-01T00:10:00")

    assert Path(location).name == "SW_OPER_ULFAMAG_2F_20160101T000000_20160101T001000_0101.cdf"
    with open_cdf(location) as cdf:
        assert cdf.global_attribute("Timespan") == [
            "UTC=2016-01-01T00:00:00",
            "UTC=2016-01-01T00:10:00",
        ]


def test_no_records_is_an_error() -> None:
    with pytest.raises(ValueError, match="no records"):
        write_mag_lr_product("memory://x", "2016-01-02", "2016-01-01")
