"""read_product_metadata: the five VirES readers on synthetic and real files, and failures."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from testdata import TESTDATA

from vires_repo.definitions import load_defaults
from vires_repo.errors import DefinitionError, ProductFileError
from vires_repo.io.cdf import CdfVariable, write_cdf
from vires_repo.products.metadata import ProductMetadata, read_product_metadata
from vires_repo.testing.conjunction_products import write_con_eph_product
from vires_repo.testing.mag_products import write_mag_lr_product, write_timespan_product
from vires_repo.testing.observatory_products import write_obs_product, write_vobs_product
from vires_repo.timescales import datetime64_to_cdf_epoch

REAL_VIRES_CDF = Path(
    str(TESTDATA / "products/viresclient_test_data_01_SW_OPER_MAGA_LR_1B_subset.cdf")
)
TYPES = {definition["name"]: definition for definition in load_defaults("product_types")}
MAG_LR = TYPES["SW_MAGx_LR_1B"]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(params=["local", "memory"])
def folder(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return str(tmp_path) if request.param == "local" else "memory://products"


# -- CDF-generic -------------------------------------------------------------------------


def test_generic_reader_on_the_real_vires_file() -> None:
    """A real VirES-written subset of SW_OPER_MAGA_LR_1B (2016-01-01 00:28-00:59, 10 s)."""
    metadata = read_product_metadata(str(REAL_VIRES_CDF), MAG_LR)

    assert metadata == ProductMetadata(
        utc("2016-01-01T00:28:00"), utc("2016-01-01T00:59:50"), {"format": "CDF-generic"}, {}
    )
    assert metadata.begin_time.tzinfo is UTC


@pytest.mark.parametrize("time_type", ["CDF_EPOCH", "CDF_TIME_TT2000"])
def test_generic_reader_takes_the_first_and_last_records(folder: str, time_type: str) -> None:
    location = write_mag_lr_product(
        folder, "2016-01-01T00:00:00", "2016-01-01T01:59:59", time_type=time_type
    )

    metadata = read_product_metadata(location, MAG_LR)

    assert (metadata.begin_time, metadata.end_time) == (
        utc("2016-01-01T00:00:00"),
        utc("2016-01-01T01:59:59"),
    )
    assert metadata.metadata == {"format": "CDF-generic"}
    assert metadata.datasets == {}


def test_generic_reader_without_file_type_and_with_sub_millisecond_times(tmp_path: Path) -> None:
    """``fileType`` absent means generic; microseconds survive (MAG HR samples at 50 Hz)."""
    product_type = {key: value for key, value in MAG_LR.items() if key != "fileType"}
    location = write_mag_lr_product(
        tmp_path, "2016-01-01T00:00:00", "2016-01-01T00:00:00.99", sampling=timedelta(seconds=0.02)
    )

    metadata = read_product_metadata(location, product_type)

    assert metadata.end_time == utc("2016-01-01T00:00:00.980000")


def test_first_and_last_records_not_min_and_max(tmp_path: Path) -> None:
    """As VirES: the generic reader assumes sorted times and reads only the two ends."""
    times = np.array(
        [
            "2016-01-01T00:00:05",
            "2016-01-01T00:00:00",
            "2016-01-01T00:00:09",
            "2016-01-01T00:00:07",
        ],
        dtype="datetime64[us]",
    )
    write_cdf(
        tmp_path / "unsorted.cdf",
        {"Timestamp": CdfVariable(datetime64_to_cdf_epoch(times), "CDF_EPOCH")},
    )

    metadata = read_product_metadata(str(tmp_path / "unsorted.cdf"), MAG_LR)

    assert (metadata.begin_time, metadata.end_time) == (
        utc("2016-01-01T00:00:05"),
        utc("2016-01-01T00:00:07"),
    )


@pytest.mark.parametrize("time_type", ["CDF_EPOCH", "CDF_TIME_TT2000"])
def test_time_extent_attribute_takes_precedence(tmp_path: Path, time_type: str) -> None:
    """``TIME_EXTENT`` entry 0 wins over the time variable (VirES' converted PRISM products)."""
    location = write_mag_lr_product(
        tmp_path, "2016-01-01T00:00:00", "2016-01-01T00:10:00", time_type=time_type,
        with_time_extent=True,
    )  # fmt: skip
    assert read_product_metadata(location, MAG_LR).end_time == utc("2016-01-01T00:10:00")
    times = np.array(["2016-01-01T00:00:10", "2016-01-01T00:00:20"], dtype="datetime64[us]")
    extent = datetime64_to_cdf_epoch(["2015-12-31T23:00:00", "2016-01-01T02:00:00"])
    write_cdf(
        tmp_path / "extent.cdf",
        {"Timestamp": CdfVariable(datetime64_to_cdf_epoch(times), "CDF_EPOCH")},
        {"TIME_EXTENT": [(extent.tolist(), "CDF_EPOCH")]},
    )

    metadata = read_product_metadata(str(tmp_path / "extent.cdf"), MAG_LR)

    assert (metadata.begin_time, metadata.end_time) == (
        utc("2015-12-31T23:00:00"),
        utc("2016-01-01T02:00:00"),
    )


@pytest.mark.parametrize(
    "entry",
    [(["not", "times"], "CDF_CHAR"), ([1.0, 2.0, 3.0], "CDF_EPOCH"), ([5, 6], "CDF_INT4")],
    ids=["text", "three-values", "integers"],
)
def test_unusable_time_extent_falls_back_to_the_time_variable(
    tmp_path: Path, entry: tuple[list[Any], str]
) -> None:
    times = np.array(["2016-01-01T00:00:10", "2016-01-01T00:00:20"], dtype="datetime64[us]")
    value: Any = "UTC=2016" if entry[1] == "CDF_CHAR" else entry
    write_cdf(
        tmp_path / "x.cdf",
        {"Timestamp": CdfVariable(datetime64_to_cdf_epoch(times), "CDF_EPOCH")},
        {"TIME_EXTENT": [value]},
    )

    metadata = read_product_metadata(str(tmp_path / "x.cdf"), MAG_LR)

    assert metadata.end_time == utc("2016-01-01T00:00:20")


def test_source_rename_of_the_primary_time_variable(tmp_path: Path) -> None:
    """AEJxLPL: the exposed ``Timestamp`` is the file variable ``t``."""
    times = np.array(["2016-01-01T00:01:00", "2016-01-01T23:59:00"], dtype="datetime64[us]")
    write_cdf(
        tmp_path / "SW_OPER_AEJALPL_2F_20160101T000000_20160101T235959_0101.cdf",
        {
            "t": CdfVariable(datetime64_to_cdf_epoch(times), "CDF_EPOCH"),
            "Timestamp": CdfVariable(datetime64_to_cdf_epoch(times[:1]), "CDF_EPOCH"),
        },
    )
    location = str(tmp_path / "SW_OPER_AEJALPL_2F_20160101T000000_20160101T235959_0101.cdf")

    metadata = read_product_metadata(location, TYPES["SW_AEJxLPL_2F"])

    assert metadata.end_time == utc("2016-01-01T23:59:00")


def test_tt2000_product_ending_in_a_leap_second(tmp_path: Path) -> None:
    """A product whose last record is 2016-12-31T23:59:60.5 ends on 2016-12-31."""
    midnight = int(datetime64_to_tt2000_scalar("2017-01-01"))
    values = np.array([midnight - 86_401_000_000_000, midnight - 500_000_000], dtype=np.int64)
    write_cdf(tmp_path / "leap.cdf", {"Timestamp": CdfVariable(values, "CDF_TIME_TT2000")})

    metadata = read_product_metadata(str(tmp_path / "leap.cdf"), MAG_LR)

    assert (metadata.begin_time, metadata.end_time) == (
        utc("2016-12-31T00:00:00"),
        utc("2016-12-31T23:59:59.999999"),
    )


def datetime64_to_tt2000_scalar(text: str) -> int:
    from vires_repo.timescales import datetime64_to_tt2000

    return int(datetime64_to_tt2000(np.array([text], dtype="datetime64[us]"))[0])


# -- CDF-with-timespan-attribute ---------------------------------------------------------


def test_timespan_reader(folder: str) -> None:
    location = write_timespan_product(folder, "2016-01-01", "2016-01-01T23:59:59")

    metadata = read_product_metadata(location, TYPES["SW_ULFxMAG_2F"])

    assert metadata == ProductMetadata(
        utc("2016-01-01T00:00:00"),
        utc("2016-01-01T23:59:59.999999"),
        {"format": "CDF-with-timespan-attribute"},
    )


def test_timespan_reader_honours_the_attribute_name(tmp_path: Path) -> None:
    product_type = {**TYPES["SW_PC1xMAG_2F"], "timespanAttributeName": "Span"}
    location = write_timespan_product(
        tmp_path, "2016-01-02", "2016-01-02T12:00:00", attribute_name="Span"
    )

    assert read_product_metadata(location, product_type).end_time == utc(
        "2016-01-02T12:00:00.999999"
    )


@pytest.mark.parametrize(
    ("timespan", "message"),
    [
        (("2016-01-01T00:00:00", "UTC=2016-01-01T23:59:59"), "Invalid timestamp value '2016-01"),
        (("UTC=2016-01-01T00:00:00", "UTC=2016-13-01T00:00:00"), "Invalid timestamp value 'UTC="),
        (("UTC=2016-01-02T00:00:00", "UTC=2016-01-01T00:00:00"), "Timespan begins after it ends"),
    ],
)
def test_timespan_reader_failures(tmp_path: Path, timespan: tuple[str, str], message: str) -> None:
    location = write_timespan_product(
        tmp_path, "2016-01-01", "2016-01-01T00:00:10", timespan=timespan
    )

    with pytest.raises(ProductFileError, match=message):
        read_product_metadata(location, TYPES["SW_ULFxMAG_2F"])


def test_timespan_attribute_missing_or_with_one_entry(tmp_path: Path) -> None:
    location = write_mag_lr_product(tmp_path, "2016-01-01", "2016-01-01T00:00:10")
    write_cdf(tmp_path / "one.cdf", {}, {"Timespan": ["UTC=2016-01-01T00:00:00"]})

    with pytest.raises(ProductFileError, match=r"_MDR_MAG_LR\.cdf: global attribute Timespan not"):
        read_product_metadata(location, TYPES["SW_ULFxMAG_2F"])
    with pytest.raises(ProductFileError, match="Failed to read the Timespan global attribute!"):
        read_product_metadata(str(tmp_path / "one.cdf"), TYPES["SW_ULFxMAG_2F"])


# -- CDF-OBS -----------------------------------------------------------------------------


def test_obs_reader_adds_one_dataset_per_observatory(folder: str) -> None:
    location = write_obs_product(folder, "2016-01-01", "2016-01-01T23:59:00")

    metadata = read_product_metadata(location, TYPES["SW_AUX_OBSx2_"])

    assert (metadata.begin_time, metadata.end_time) == (
        utc("2016-01-01T00:00:00"),
        utc("2016-01-01T23:59:00"),
    )
    assert metadata.metadata == {"format": "CDF-OBS"}
    assert list(metadata.datasets) == ["ABK", "BOU", "HER", "HON", "KAK", "NGK"]
    assert metadata.datasets["BOU"] == {
        "indexRange": [1440, 2880],
        "beginTime": "2016-01-01T00:00:00Z",
        "endTime": "2016-01-01T23:59:00Z",
        "geographicLocation": {
            "crs": "ITRF",
            "latitude": 40.14,
            "longitude": -105.24,
            "radius": 6370800.0,
        },
    }


def test_obs_times_with_microseconds_are_formatted_as_vires_does(tmp_path: Path) -> None:
    location = write_obs_product(
        tmp_path, "2016-01-01T00:00:00.5", "2016-01-01T00:00:02.5",
        sampling=timedelta(seconds=1), observatories=["ABK"],
    )  # fmt: skip

    dataset = read_product_metadata(location, TYPES["SW_AUX_OBSx2_"]).datasets["ABK"]

    assert (dataset["beginTime"], dataset["endTime"]) == (
        "2016-01-01T00:00:00.500000Z",
        "2016-01-01T00:00:02.500000Z",
    )


@pytest.mark.parametrize(
    ("code", "shown"), [("\x02OX", r"'\\x02OX'"), ("ab1", "'ab1'"), ("ABCD", "'ABCD'")]
)
def test_obs_reader_refuses_garbage_observatory_codes(
    tmp_path: Path, code: str, shown: str
) -> None:
    """VirES once registered ``'\\x02OX'`` from a damaged ``IAGA_CODES`` attribute."""
    location = write_obs_product(
        tmp_path, "2016-01-01", "2016-01-01T01:00:00", observatories=["ABK", code]
    )

    with pytest.raises(ProductFileError, match=f"invalid observatory code {shown} in IAGA_CODES"):
        read_product_metadata(location, TYPES["SW_AUX_OBSx2_"])


def _obs_file(tmp_path: Path, codes: list[str], ranges: list[list[int]], records: int = 4) -> str:
    times = np.arange(
        np.datetime64("2016-01-01", "us"), np.datetime64("2016-01-01T00:00:04"), 10**6
    )
    values = np.zeros(records)
    write_cdf(
        tmp_path / "obs.cdf",
        {
            "Timestamp": CdfVariable(datetime64_to_cdf_epoch(times[:records]), "CDF_EPOCH"),
            "Latitude": CdfVariable(values, "CDF_DOUBLE"),
            "Longitude": CdfVariable(values, "CDF_DOUBLE"),
            "Radius": CdfVariable(values, "CDF_DOUBLE"),
        },
        {
            "IAGA_CODES": list(codes),
            "INDEX_RANGES": [(pair, "CDF_INT8") for pair in ranges],
        },
    )
    return str(tmp_path / "obs.cdf")


@pytest.mark.parametrize(
    ("codes", "ranges", "message"),
    [
        (["ABK", "BOU"], [[0, 2]], "INDEX_RANGES has 1 entries for 2 observatory codes"),
        (["ABK"], [[0, 5]], r"invalid index range \[0, 5\) of ABK in INDEX_RANGES \(4 records\)"),
        (["ABK"], [[2, 2]], r"invalid index range \[2, 2\)"),
        (["ABK"], [[0, 1, 2]], "INDEX_RANGES entry of ABK is not a"),
        (["ABK", "ABK"], [[0, 2], [2, 4]], "duplicate observatory codes in IAGA_CODES: ABK"),
    ],
)
def test_obs_reader_refuses_inconsistent_index_ranges(
    tmp_path: Path, codes: list[str], ranges: list[list[int]], message: str
) -> None:
    with pytest.raises(ProductFileError, match=message):
        read_product_metadata(_obs_file(tmp_path, codes, ranges), TYPES["SW_AUX_OBSx2_"])


def test_obs_reader_needs_its_attributes(tmp_path: Path) -> None:
    location = write_mag_lr_product(tmp_path, "2016-01-01", "2016-01-01T00:00:10")

    with pytest.raises(ProductFileError, match="global attribute IAGA_CODES not found"):
        read_product_metadata(location, TYPES["SW_AUX_OBSx2_"])


# -- CDF-VOBS ----------------------------------------------------------------------------


def test_vobs_reader_adds_site_and_secular_variation_datasets(folder: str) -> None:
    location = write_vobs_product(folder, "2016-01-01", "2016-12-31")

    metadata = read_product_metadata(location, TYPES["SW_VOBS_xM_2_"])

    assert (metadata.begin_time, metadata.end_time) == (
        utc("2016-01-15T00:00:00"),
        utc("2016-12-15T00:00:00"),
    )
    assert metadata.metadata == {"format": "CDF-VOBS"}
    sites = ["N65W051", "N45E015", "N00E000", "S30E120", "S77W114"]
    assert list(metadata.datasets) == sites + [f"SecularVariation:{site}" for site in sites]
    assert metadata.datasets["N45E015"]["indexRange"] == [12, 24]
    assert metadata.datasets["SecularVariation:N45E015"] == {
        "indexRange": [11, 22],
        "beginTime": "2016-01-30T12:00:00Z",
        "endTime": "2016-11-30T00:00:00Z",
        "geographicLocation": {
            "crs": "ITRF",
            "latitude": 45.0,
            "longitude": 15.0,
            "radius": 6861200.0,
        },
    }


def test_vobs_reader_refuses_observatory_style_codes(tmp_path: Path) -> None:
    location = write_vobs_product(tmp_path, "2016-01-01", "2016-03-31")
    with_iaga_code = tmp_path / "renamed.cdf"
    with_iaga_code.write_bytes(
        Path(location).read_bytes().replace(b"N65W051", b"ABK\x00\x00\x00\x00")
    )

    with pytest.raises(ProductFileError, match=r"invalid observatory code 'ABK' in SITE_CODES"):
        read_product_metadata(str(with_iaga_code), TYPES["SW_VOBS_xM_2_"])


# -- CDF-CON_EPH_2_ ----------------------------------------------------------------------


def test_con_eph_reader(folder: str) -> None:
    location = write_con_eph_product(folder, "2016-01-01", "2016-01-01T23:59:59")

    metadata = read_product_metadata(location, TYPES["MM_CON_EPH_2_"])

    # last crossover starts 23:40 and lasts 18 minutes; the plane alignment is at noon
    assert (metadata.begin_time, metadata.end_time) == (
        utc("2016-01-01T00:00:00"),
        utc("2016-01-01T23:58:00"),
    )
    assert metadata.metadata == {
        "format": "CDF-CON_EPH_2_",
        "max_record_duration": {"crossover": "PT3600S"},
    }


def test_con_eph_with_plane_alignments_only(tmp_path: Path) -> None:
    location = write_con_eph_product(
        tmp_path, "2016-01-01", "2016-01-03T23:59:59", crossover_step=None
    )

    metadata = read_product_metadata(location, TYPES["MM_CON_EPH_2_"])

    assert (metadata.begin_time, metadata.end_time) == (
        utc("2016-01-01T12:00:00"),
        utc("2016-01-03T12:00:00"),
    )
    assert metadata.metadata["max_record_duration"] == {"crossover": "PT0S"}


def test_con_eph_without_any_record(tmp_path: Path) -> None:
    location = write_con_eph_product(
        tmp_path, "2016-01-01", "2016-01-01T23:59:59", crossover_step=None,
        plane_alignment_step=None,
    )  # fmt: skip

    with pytest.raises(ProductFileError, match="Product contains no data.$"):
        read_product_metadata(location, TYPES["MM_CON_EPH_2_"])


def test_con_eph_with_crossovers_ending_before_they_start(tmp_path: Path) -> None:
    start = datetime64_to_cdf_epoch(["2016-01-01T01:00:00"])
    end = datetime64_to_cdf_epoch(["2016-01-01T00:00:00"])
    write_cdf(
        tmp_path / "con.cdf",
        {
            "crossover_time_1": CdfVariable(start, "CDF_EPOCH"),
            "crossover_time_2": CdfVariable(end, "CDF_EPOCH"),
            "plane_alignment_time": CdfVariable(start, "CDF_EPOCH"),
        },
    )

    with pytest.raises(ProductFileError, match="Start times after end times detected!$"):
        read_product_metadata(str(tmp_path / "con.cdf"), TYPES["MM_CON_EPH_2_"])


# -- failures common to all readers ------------------------------------------------------


def test_unsupported_file_type_is_a_definition_error(tmp_path: Path) -> None:
    product_type = {**MAG_LR, "fileType": "NetCDF"}

    with pytest.raises(DefinitionError, match=r"^Unsupported product file type NetCDF! \("):
        read_product_metadata(str(tmp_path / "never-opened.cdf"), product_type)


def test_type_without_primary_time_variable(tmp_path: Path) -> None:
    product_type = copy.deepcopy(MAG_LR)
    del product_type["datasets"]["MDR_MAG_LR"]["Timestamp"]["primaryTimestamp"]

    with pytest.raises(DefinitionError, match="Failed to find primary time variable of SW_MAG"):
        read_product_metadata(str(tmp_path / "x.cdf"), product_type)


def test_missing_file(folder: str) -> None:
    location = f"{folder}/SW_OPER_MAGA_LR_1B_20160101T000000_20160101T235959_0409_MDR_MAG_LR.cdf"

    with pytest.raises(ProductFileError) as raised:
        read_product_metadata(location, MAG_LR)

    assert str(raised.value) == f"{location}: file not found"


def test_truncated_files_fail_with_a_one_line_message(tmp_path: Path) -> None:
    whole = Path(write_mag_lr_product(tmp_path, "2016-01-01", "2016-01-01T00:01:00"))
    data = whole.read_bytes()
    messages = set()
    for size in range(0, len(data) - 8, max(1, len(data) // 97)):
        truncated = tmp_path / "truncated.cdf"
        truncated.write_bytes(data[:size])
        with pytest.raises(ProductFileError) as raised:
            read_product_metadata(str(truncated), MAG_LR)
        message = str(raised.value)
        assert message.startswith(f"{truncated}: ")
        assert "\n" not in message
        messages.add(message.split(": ", 1)[1].split(" (")[0])

    assert messages == {"empty file, not a CDF", "truncated CDF"}


def test_garbage_bytes(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    garbage = tmp_path / "garbage.cdf"
    garbage.write_bytes(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    posing = tmp_path / "posing.cdf"  # a CDF 3 magic number followed by garbage
    posing.write_bytes(bytes.fromhex("cdf300010000ffff") + garbage.read_bytes())

    with pytest.raises(ProductFileError, match=r"garbage\.cdf: not a CDF file \("):
        read_product_metadata(str(garbage), MAG_LR)
    with pytest.raises(
        ProductFileError,
        match=r"posing\.cdf: corrupt or truncated CDF \(4104 bytes, no global descriptor\)$",
    ):
        read_product_metadata(str(posing), MAG_LR)


def test_empty_time_variable(tmp_path: Path) -> None:
    write_cdf(tmp_path / "empty.cdf", {"Timestamp": CdfVariable(np.zeros(0), "CDF_EPOCH")})

    with pytest.raises(ProductFileError, match=r"empty\.cdf: time variable Timestamp is empty$"):
        read_product_metadata(str(tmp_path / "empty.cdf"), MAG_LR)
    with pytest.raises(ProductFileError, match="time variable Timestamp is empty$"):
        read_product_metadata(_obs_file(tmp_path, ["ABK"], [[0, 1]], 0), TYPES["SW_AUX_OBSx2_"])


def test_missing_or_mistyped_time_variable(tmp_path: Path) -> None:
    write_cdf(
        tmp_path / "x.cdf",
        {
            "Time": CdfVariable(np.zeros(3), "CDF_EPOCH"),
            "t": CdfVariable(np.zeros(3), "CDF_DOUBLE"),
        },
    )

    with pytest.raises(ProductFileError, match=r"x\.cdf: variable Timestamp not found$"):
        read_product_metadata(str(tmp_path / "x.cdf"), MAG_LR)
    with pytest.raises(ProductFileError, match="time variable t has unsupported type CDF_DOUBLE"):
        read_product_metadata(str(tmp_path / "x.cdf"), TYPES["SW_AEJxLPL_2F"])


def test_invalid_times_are_refused(tmp_path: Path) -> None:
    """Padding ``0.0`` stands for no time; VirES refuses such an extent as well."""
    values = [63618825600000.0, 0.0]
    write_cdf(tmp_path / "pad.cdf", {"Timestamp": CdfVariable(np.array(values), "CDF_EPOCH")})

    with pytest.raises(
        ProductFileError, match=r"Invalid temporal extent! 2016-01-01T00:00:00.000000Z/9999-12-31"
    ):
        read_product_metadata(str(tmp_path / "pad.cdf"), MAG_LR)
