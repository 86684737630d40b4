"""vires_repo.testing.samples: synthetic products with the layout and names of the real ones."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import fsspec
import numpy as np
import pytest

from vires_repo.definitions import load_defaults
from vires_repo.io.cdf import open_cdf
from vires_repo.products.metadata import read_product_metadata
from vires_repo.testing import samples

# The tested Swarm file-name grammar of reference/swarm-data-formats.md, section 1.2.
SWARM_NAME = re.compile(
    r"^(?P<collection>(?P<mission>[A-Z]{2})_(?P<file_class>[A-Z]{4})_(?P<file_type>[A-Z0-9_]{10})"
    r"|[A-Z0-9_]+?)_(?P<start>\d{8}T\d{6})_(?P<stop>\d{8}T\d{6})_(?P<version>\d{4})"
    r"(?:_(?P<dataset>[A-Z][A-Z0-9_]*))?"
    r"(?P<ext>(?:\.CDF\.ZIP|\.ZIP|\.zip|\.cdf|\.CDF|\.DBL|\.HDR|\.sp3))?$"
)
TYPES = {definition["name"]: definition for definition in load_defaults("product_types")}


def _file_variables(product_type: str) -> dict[str, str]:
    """Variables of a shipped product type by their name in the file: ``{source: dataType}``."""
    return {
        variable.get("source", name): variable["dataType"]
        for dataset in TYPES[product_type]["datasets"].values()
        for name, variable in dataset.items()
    }


def test_mag_lr_day_has_the_real_name_and_layout(tmp_path: Path) -> None:
    location = samples.write_mag_lr_product(tmp_path, "2016-01-01", "2016-01-01T23:59:59")
    name = Path(location).name

    assert location == f"{tmp_path}/{name}"
    assert name == "SW_OPER_MAGA_LR_1B_20160101T000000_20160101T235959_0409_MDR_MAG_LR.cdf"
    match = SWARM_NAME.match(name)
    assert match is not None
    assert match["file_type"] == "MAGA_LR_1B"
    assert match["dataset"] == "MDR_MAG_LR"
    with open_cdf(location) as cdf:
        assert sorted(cdf.variable_names()) == sorted(_file_variables("SW_MAGx_LR_1B"))
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
    location = samples.write_mag_lr_product(
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


def test_dipole_field_at_the_equator_and_the_pole() -> None:
    radius = np.array([6371.2e3, 6371.2e3])
    field = samples.dipole_field_nec(np.array([0.0, 90.0]), radius)

    assert np.allclose(field[0], [29404.8, 0.0, 0.0])
    assert np.allclose(field[1], [0.0, 0.0, 2 * 29404.8])


@pytest.mark.parametrize("time_type", ["CDF_EPOCH", "CDF_TIME_TT2000"])
def test_gaps_nan_latitudes_time_type_and_time_extent(tmp_path: Path, time_type: str) -> None:
    location = samples.write_mag_lr_product(
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
        return samples.write_mag_lr_product(folder, "2016-01-01", "2016-01-01T00:10", minimal=True)

    local = write(tmp_path)
    first_bytes = Path(local).read_bytes()
    in_memory = write("memory://samples")

    assert in_memory == f"memory://samples/{Path(local).name}"
    assert fsspec.open(in_memory, "rb").open().read() == first_bytes
    assert write(tmp_path) == local
    assert Path(local).read_bytes() == first_bytes


def test_minimal_layout(tmp_path: Path) -> None:
    location = samples.write_mag_lr_product(
        tmp_path, "2016-01-01", "2016-01-01T00:00:03", minimal=True
    )

    with open_cdf(location) as cdf:
        assert cdf.variable_names() == list(samples.MAG_LR_MINIMAL_VARIABLES)


def test_small_products_look_like_consecutive_days(tmp_path: Path) -> None:
    locations = samples.write_small_mag_lr_products(tmp_path, 3, start="2016-02-28", records=3)

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


def test_obs_product_layout(tmp_path: Path) -> None:
    location = samples.write_obs_product(
        tmp_path, "2016-01-01", "2016-01-01T00:59:00", observatories=samples.OBSERVATORIES[:3]
    )
    name = Path(location).name

    assert name == "SW_OPER_AUX_OBSM2__20160101T000000_20160101T005900_0102.cdf"
    assert SWARM_NAME.match(name) is not None
    with open_cdf(location) as cdf:
        assert sorted(cdf.variable_names()) == sorted(_file_variables("SW_AUX_OBSx2_"))
        codes = cdf.read_variable("IAGA_code").tolist()
        assert cdf.global_attribute("IAGA_CODES") == ["ABK", "BOU", "HER"]
        ranges = [entry.tolist() for entry in cdf.global_attribute("INDEX_RANGES")]
    assert ranges == [[0, 60], [60, 120], [120, 180]]
    assert codes == ["ABK"] * 60 + ["BOU"] * 60 + ["HER"] * 60


def test_vobs_product_layout(tmp_path: Path) -> None:
    location = samples.write_vobs_product(tmp_path, "2016-01-01", "2016-06-30", sites=[(65, -51)])

    assert Path(location).name == "SW_OPER_VOBS_1M_2__20160115T000000_20160615T000000_0201.cdf"
    with open_cdf(location) as cdf:
        assert sorted(cdf.variable_names()) == sorted(_file_variables("SW_VOBS_xM_2_"))
        assert cdf.global_attribute("SITE_CODES") == ["N65W051"]
        assert cdf.global_attribute("INDEX_RANGES")[0].tolist() == [0, 6]
        assert cdf.global_attribute("INDEX_RANGES_SV")[0].tolist() == [0, 5]
        assert cdf.read_variable("SiteCode_SV").tolist() == ["N65W051"] * 5
    with pytest.raises(ValueError, match="at least two monthly values"):
        samples.write_vobs_product(tmp_path, "2016-01-01", "2016-01-31")


def test_vobs_site_codes() -> None:
    assert samples.vobs_site_code(65, -51) == "N65W051"
    assert samples.vobs_site_code(-7, 120) == "S07E120"
    assert samples.vobs_site_code(0, 0) == "N00E000"


def test_con_eph_product_layout(tmp_path: Path) -> None:
    location = samples.write_con_eph_product(tmp_path, "2016-01-01", "2016-01-02T23:59:59")

    assert Path(location).name == "MM_OPER_CON_EPH_2__20160101T000000_20160102T235959_0101.cdf"
    with open_cdf(location) as cdf:
        assert sorted(cdf.variable_names()) == sorted(_file_variables("MM_CON_EPH_2_"))
        assert cdf.variable_info("crossover_time_1").records == 144
        assert cdf.read_variable("crossover_satellite_1")[:2].tolist() == ["SW_A", "SW_B"]
        assert (
            cdf.read_times("plane_alignment_time").tolist()
            == np.array(["2016-01-01T12:00", "2016-01-02T12:00"], dtype="datetime64[us]").tolist()
        )


def test_timespan_product(tmp_path: Path) -> None:
    location = samples.write_timespan_product(tmp_path, "2016-01-01", "2016-01-01T00:10:00")

    assert Path(location).name == "SW_OPER_ULFAMAG_2F_20160101T000000_20160101T001000_0101.cdf"
    with open_cdf(location) as cdf:
        assert cdf.global_attribute("Timespan") == [
            "UTC=2016-01-01T00:00:00",
            "UTC=2016-01-01T00:10:00",
        ]


def test_every_writer_gives_a_registrable_product(tmp_path: Path) -> None:
    """Each sample product reads back with the metadata reader of its VirES type."""
    written = {
        "SW_MAGx_LR_1B": samples.write_mag_lr_product(tmp_path, "2016-01-01", "2016-01-01T01:00"),
        "SW_AUX_OBSx2_": samples.write_obs_product(tmp_path, "2016-01-01", "2016-01-01T01:00"),
        "SW_VOBS_xM_2_": samples.write_vobs_product(tmp_path, "2016-01-01", "2016-03-31"),
        "MM_CON_EPH_2_": samples.write_con_eph_product(tmp_path, "2016-01-01", "2016-01-01T01:00"),
        "SW_ULFxMAG_2F": samples.write_timespan_product(tmp_path, "2016-01-01", "2016-01-01T01:00"),
    }

    begins = {
        product_type: read_product_metadata(location, TYPES[product_type]).begin_time.isoformat()
        for product_type, location in written.items()
    }

    assert begins == {
        "SW_MAGx_LR_1B": "2016-01-01T00:00:00+00:00",
        "SW_AUX_OBSx2_": "2016-01-01T00:00:00+00:00",
        "SW_VOBS_xM_2_": "2016-01-15T00:00:00+00:00",
        "MM_CON_EPH_2_": "2016-01-01T00:00:00+00:00",
        "SW_ULFxMAG_2F": "2016-01-01T00:00:00+00:00",
    }


def test_time_arguments() -> None:
    from datetime import UTC, datetime, timezone

    expected = np.datetime64("2016-01-01T10:00:00", "us")
    plus_two = timezone(timedelta(hours=2))

    assert samples.to_datetime64("2016-01-01T10:00:00Z") == expected
    assert samples.to_datetime64(datetime(2016, 1, 1, 12, tzinfo=plus_two)) == expected
    assert samples.to_datetime64(datetime(2016, 1, 1, 10, tzinfo=UTC)) == expected
    assert samples.to_datetime64(np.datetime64("2016-01-01T10", "h")) == expected
    with pytest.raises(ValueError, match="no records"):
        samples.write_mag_lr_product("memory://x", "2016-01-02", "2016-01-01")
